"""Simulated EPICS IOCs (caproto servers) for sophyd's tutorials and tests, installed as ``sophyd_iocs``.

The repository keeps them in the folder ``iocs/``; they install under the distinct name ``sophyd_iocs`` (see
setup.py), so another project's ``iocs`` package neither overwrites them nor hides them. The shipped IOCs are
listed in ``sophyd_iocs.registry``. Each is a module run as ``python -m sophyd_iocs.<name>`` with caproto's
standard options (``--prefix``, ``--interfaces``, ``--list-pvs``, ``-v``); it binds to 127.0.0.1 unless told
otherwise (see ``run_ioc``).

Conventions every IOC module follows (shipped, or a user's own module or script), so ``sophyd.sim.launch_iocs``,
the pytest fixtures and the supervisor script can drive it without importing it:

- ``DEFAULT_PREFIX = "<name>:"``: a module-level string literal, the prefix used without ``--prefix``.
- ``READY_PV = "<suffix>"``: a module-level string literal naming one PV (without the prefix) that answers a
  CA read once the server is up; launchers probe ``<prefix><READY_PV>``. Launchers read both constants
  from the source (with ``ast``, without importing the module), so keep them plain string literals.
- ``def main() -> None`` calling ``sophyd_iocs.run_ioc(...)``, and ``if __name__ == "__main__": main()``.
  ``run_ioc`` binds to 127.0.0.1 by default, keeps beacons on loopback, and exits with the launching process
  when ``launch_iocs`` started it (``SOPHYD_IOC_PARENT_PID``).
- Optional: ``REQUIRES = "<package>"``, a string literal naming an optional package the IOC needs; the
  fixtures skip the IOC (and the tests that ask for it) where that package is not installed.

IOCs import only caproto's server and the pure physics in ``sophyd_iocs.physics``; never a CA client.
Importing this package imports nothing (``run_ioc`` loads caproto's server when first used).
"""

from __future__ import annotations

__all__ = ["run_ioc"]


def __getattr__(name: str) -> object:
    if name == "run_ioc":
        from sophyd_iocs._run import run_ioc

        return run_ioc
    raise AttributeError(f"module 'sophyd_iocs' has no attribute {name!r}")
