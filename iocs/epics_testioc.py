"""A real EPICS base IOC for the tests: pythonSoftIOC records served by EPICS base's own CA server (RSRV).

The caproto IOCs here are servers we wrote; this one is the server sites run, so code tested against it
meets real records' behaviour: an ao clamps at DRVH instead of refusing, a put-callback completes when the
record's processing ends, a waveform reads back the element count last written. Needs ``softioc``
(pythonSoftIOC, in the ``dev`` extra). Run as ``python -m sophyd_iocs.epics_testioc --prefix P --interfaces ADDR``.

Records (after the prefix, default ``sophyd_epics_test:``), named like ``sophyd_iocs.testioc``'s PVs where they
stand for the same thing:

- ``ready`` (longin, 1): answers once the server is up.
- ``dbl`` (ao, 1.5 mm, PREC 3): DRVL/DRVH [-100, 100], LOPR/HOPR [-120, 120], LOLO/HIHI [-90, 90],
  LOW/HIGH [-80, 80]; a put beyond DRVH is clamped to it.
- ``long`` (longout, 7 counts): DRVL/DRVH [-1000, 1000].
- ``enum`` (mbbo Off/On/Fault, Off).
- ``str`` (stringout, ``hello``).
- ``path`` (CHAR waveform of 256, ``/tmp/sophyd/data``); ``farray`` (1000 DOUBLEs, 0..999); ``iarray``
  (16 LONGs).
- ``ro`` (ao, 4.25): read-only over CA (access security group ``RO``).
- ``sp`` (ao) / ``rbv`` (ai): a calcout copies ``sp`` to ``rbv`` ``RBV_DELAY`` s after each change.
- ``slow`` (ao): its put-callback completes ``SLOW_PUT_DELAY`` s after the put (asynchronous processing).
- ``reject`` (ao, DISP=1): refuses every put from CA.
- ``alarm`` (ai, 20): above HIHI (10) from the start, so HIHI/MAJOR before any client reads it.
- ``deadband`` (ao, 0, MDEL 10): value monitors post only changes of more than 10.
- ``bulk:0000`` .. ``bulk:0999`` (ai, value = index): many channels for connection benchmarks;
  ``$SOPHYD_IOC_BULK_COUNT`` serves another number of them (up to 10000).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["BULK_COUNT", "DEFAULT_PREFIX", "RBV_DELAY", "READY_PV", "REQUIRES", "SLOW_PUT_DELAY", "main"]

DEFAULT_PREFIX = "sophyd_epics_test:"
READY_PV = "ready"
REQUIRES = "softioc"  # launchers offer this IOC only where pythonSoftIOC is installed

SLOW_PUT_DELAY = 0.5
RBV_DELAY = 0.05
BULK_COUNT = 1000

# Group RO may be read by anyone and written by no one; every other record is in DEFAULT.
_ACCESS_SECURITY = """\
ASG(DEFAULT) {
    RULE(1, READ)
    RULE(1, WRITE)
}
ASG(RO) {
    RULE(1, READ)
}
"""


def _server_environment(interface: str) -> None:
    """Point RSRV at one loopback address (searches, circuits and beacons), before EPICS base starts."""
    os.environ["EPICS_CAS_INTF_ADDR_LIST"] = interface
    os.environ["EPICS_CAS_AUTO_BEACON_ADDR_LIST"] = "NO"
    os.environ.setdefault("EPICS_CAS_BEACON_ADDR_LIST", "127.255.255.255" if interface != "0.0.0.0" else "")
    os.environ.setdefault("EPICS_CA_MAX_ARRAY_BYTES", str(16 * 1024 * 1024))


def _build(prefix: str, bulk: int = BULK_COUNT) -> None:
    """Make every record (pythonSoftIOC's builder), ready for LoadDatabase."""
    from softioc import builder

    def name(suffix: str) -> str:
        return prefix + suffix

    builder.longIn(name("ready"), initial_value=1)
    builder.aOut(
        name("dbl"),
        initial_value=1.5,
        EGU="mm",
        PREC=3,
        DRVL=-100.0,
        DRVH=100.0,
        LOPR=-120.0,
        HOPR=120.0,
        LOLO=-90.0,
        HIHI=90.0,
        LOW=-80.0,
        HIGH=80.0,
        LLSV="MAJOR",
        HHSV="MAJOR",
        LSV="MINOR",
        HSV="MINOR",
    )
    builder.longOut(name("long"), initial_value=7, EGU="counts", DRVL=-1000, DRVH=1000)
    builder.mbbOut(name("enum"), "Off", "On", "Fault", initial_value=0)
    builder.stringOut(name("str"), initial_value="hello")
    builder.longStringOut(name("path"), length=256, initial_value="/tmp/sophyd/data")
    builder.WaveformOut(name("farray"), initial_value=[float(i) for i in range(1000)])
    builder.WaveformOut(name("iarray"), length=16, datatype="int32", initial_value=list(range(16)))
    builder.aOut(name("ro"), initial_value=4.25, ASG="RO")
    # sp -> rbv through a calcout that writes RBV_DELAY s after each change of sp (soft records only).
    setpoint = builder.records.ao(name("sp"), PREC=3, VAL=0.0)
    readback = builder.records.ai(name("rbv"), PREC=3, VAL=0.0)
    builder.records.calcout(
        name("sp:follow"), INPA=builder.CP(setpoint), CALC="A", ODLY=RBV_DELAY, OUT=builder.PP(readback)
    )

    async def finish_later(value: float) -> None:
        await asyncio.sleep(SLOW_PUT_DELAY)

    builder.aOut(name("slow"), initial_value=0.0, on_update=finish_later, blocking=True)
    builder.aOut(name("reject"), initial_value=0.0, DISP=1)
    builder.aIn(name("alarm"), initial_value=20.0, HIHI=10.0, HHSV="MAJOR", HIGH=5.0, HSV="MINOR")
    builder.aOut(name("deadband"), initial_value=0.0, MDEL=10.0)
    for i in range(bulk):
        builder.aIn(name(f"bulk:{i:04d}"), initial_value=float(i))


def main() -> None:
    """Serve the records until SIGTERM; exit with the launching process (``SOPHYD_IOC_PARENT_PID``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--interfaces", nargs="+", default=["127.0.0.1"])
    args = parser.parse_args()
    if len(args.interfaces) != 1:
        sys.exit("epics_testioc serves on exactly one interface")
    _server_environment(args.interfaces[0])

    from softioc import asyncio_dispatcher, builder, softioc
    from softioc.imports import dbCore

    from sophyd_iocs._run import bulk_count, exit_with_parent

    exit_with_parent()
    dispatcher = asyncio_dispatcher.AsyncioDispatcher()
    _build(args.prefix, bulk_count(BULK_COUNT))
    builder.LoadDatabase()
    with tempfile.TemporaryDirectory(prefix="sophyd-acf-") as tmp:
        acf = Path(tmp) / "access.acf"
        acf.write_text(_ACCESS_SECURITY, encoding="ascii")
        dbCore.asSetFilename(str(acf).encode())
        softioc.iocInit(dispatcher, enable_pva=False)
    print(f"epics_testioc serving {args.prefix}* on {args.interfaces[0]}", flush=True)
    softioc.non_interactive_ioc()


if __name__ == "__main__":
    main()
