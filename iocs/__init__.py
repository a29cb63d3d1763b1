"""Simulated EPICS IOCs (caproto servers) for sophyd's tutorials and tests.

Each IOC is a module run as ``python -m iocs.<name>`` with caproto's standard options (``--prefix``,
``--interfaces``, ``--list-pvs``, ``-v``); it binds to 127.0.0.1 unless told otherwise (see ``iocs._run``).

Conventions every IOC module follows, so ``sophyd.sim.launch_iocs`` and the supervisor scripts can drive it
without importing it:

- ``DEFAULT_PREFIX = "<name>:"``: a module-level string literal, the prefix used without ``--prefix``.
- ``READY_PV = "<suffix>"``: a module-level string literal naming one PV (without the prefix) that answers a
  CA read once the server is up; launchers probe ``<prefix><READY_PV>``. Launchers read both constants
  from the source (with ``ast``, without importing the module), so keep them plain string literals.
- ``def main() -> None`` calling ``iocs._run.run_ioc(...)``, and ``if __name__ == "__main__": main()``.
  ``run_ioc`` binds to 127.0.0.1 by default, keeps beacons on loopback, and exits with the launching process
  when ``launch_iocs`` started it (``SOPHYD_IOC_PARENT_PID``).

IOCs import only caproto's server and the pure physics in ``sophyd.sim``; never a CA client.
"""
