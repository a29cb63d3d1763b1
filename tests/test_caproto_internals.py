"""The private caproto attributes sophyd overrides (client: sophyd/control/_caproto.py; IOCs:
iocs/_caproto_fixes.py) still exist in the installed caproto; a failure names the attribute and its user."""

from __future__ import annotations

import importlib
import inspect
import re
from importlib.metadata import version

import pytest

from sophyd.control._caproto import CAPROTO_INTERNALS as CLIENT_INTERNALS
from sophyd_iocs._caproto_fixes import CAPROTO_INTERNALS as SERVER_INTERNALS


def has_internal(module_name: str, dotted: str) -> bool:
    """Whether ``module.dotted`` exists: a module or class attribute, or an instance attribute that the
    class (or a base) assigns as ``self.<name> = ...``."""
    module = importlib.import_module(module_name)
    owner_name, _, name = dotted.rpartition(".")
    if not owner_name:
        return hasattr(module, name)
    owner = getattr(module, owner_name, None)
    if owner is None:
        return False
    if hasattr(owner, name):
        return True
    assigned = re.compile(rf"self\.{re.escape(name)}\s*(:[^=\n]*)?=")
    for klass in inspect.getmro(owner):
        try:
            if assigned.search(inspect.getsource(klass)):
                return True
        except (OSError, TypeError):
            continue
    return False


@pytest.mark.parametrize(
    ("user", "module", "attribute"),
    [("sophyd/control/_caproto.py", *item) for item in CLIENT_INTERNALS]
    + [("iocs/_caproto_fixes.py", *item) for item in SERVER_INTERNALS],
)
def test_patched_caproto_attribute_exists(user: str, module: str, attribute: str) -> None:
    if not has_internal(module, attribute):
        pytest.fail(
            f"caproto {version('caproto')} has no {module}.{attribute}, which {user} overrides or relies on; "
            "re-check that fix against this caproto (and widen the caproto pin in setup.cfg) or install a "
            "caproto in the pinned range"
        )


def test_checker_notices_a_missing_attribute() -> None:
    assert not has_internal("caproto.threading.client", "SharedBroadcaster._no_such_attribute")
    assert not has_internal("caproto.threading.client", "NoSuchClass.method")
    assert has_internal("caproto.threading.client", "SharedBroadcaster.unanswered_searches")
