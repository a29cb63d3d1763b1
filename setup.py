"""Install the repository folder ``iocs/`` as the package ``sophyd_iocs``; the rest is in setup.cfg.

``iocs`` is a generic top-level name that other projects use too: installed under it, one distribution would
silently overwrite another's package. The folder keeps its short name in the repository.
"""

from setuptools import find_namespace_packages, setup

IOC_PACKAGE = "sophyd_iocs"

packages = find_namespace_packages(include=["sophyd", "sophyd.*"])
packages += [
    IOC_PACKAGE + name[len("iocs") :] for name in find_namespace_packages(include=["iocs", "iocs.*"])
]
setup(packages=packages, package_dir={IOC_PACKAGE: "iocs"})
