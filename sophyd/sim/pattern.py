"""The simulated X-ray pattern's physics, for client code: the IOC package's leaf module ``sophyd_iocs.physics``.

The IOCs import ``sophyd_iocs.physics`` directly so that an IOC process does not import the client library;
this name is where tests, examples and users look for it next to the rest of ``sophyd.sim``.
"""

from sophyd_iocs.physics import *  # noqa: F403
from sophyd_iocs.physics import __all__ as __all__
