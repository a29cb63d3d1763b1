"""A multichannel analyser: one simulated mca record with the mca module's extra records, and a DXP channel.

It is the hardware of ``sophyd.mca``: ``EpicsMCA(prefix + "mca1")`` drives the mca record, ``EpicsDXP(prefix +
"dxp1:")`` the DXP channel's parameters, and ``Saturn(prefix)`` or ``Mercury1(prefix)`` all of it as one XIA
Saturn or Mercury.

PVs (after the prefix, default ``mca:``):

- ``mca1.<FIELD>`` and ``mca1<NAME>``: the mca record and the records of ``mca.db`` (``sophyd_iocs._mca`` lists
  them and their behaviour). In short: a put of 1 to ``mca1EraseStart`` (or ``mca1.ERST``) erases and starts an
  acquisition whose put-completion arrives when it ends, after ``mca1.PRTM`` s of real time (or ``.PLTM`` of
  live time, or a counts preset, or ``mca1.STOP``/``mca1Stop``); ``mca1.ACQG`` is 1 meanwhile. ``mca1.VAL`` is a
  deterministic spectrum (flat background and four Gaussian peaks, proportional to the elapsed live time);
  ``mca1.Rn`` is its sum from ``mca1.RnLO`` to ``mca1.RnHI`` (R0 and R1 preset around the Fe and Cu K-alpha
  peaks). Read-only fields (VAL, BG, ACQG, ERTM, ELTM, Rn, RnN, ...) refuse writes.
- ``mca1ReadCallback``, ``mca1ReadDataOnce``, ``mca1ReadStatusOnce``, ``mca1CollectData``: the dxp module's
  callback records of the mca (stored values).
- ``dxp1:<NAME>``: the parameters of one DXP channel (``sophyd_iocs._dxp``): a setting ``X`` posts its value to
  the read-only ``X_RBV``; low-level parameters ``dxp1:LL0`` .. ``dxp1:LL3``.
- ``ChannelAdvance``, ``Dwell``, ``NumSCAs``, ``PollTime``, ...: the DXP system records (stored).
- ``PresetMode``, ``PresetReal``, ``PresetLive``, ``EraseStart``, ``StartAll``, ``StopAll``, ``EraseAll``,
  ``Acquiring``, ``ElapsedReal``, ...: the records of a multi-element system, which drive ``mca1``: a put of 1
  to ``EraseStart`` starts an acquisition with the preset ``PresetMode`` selects and completes when it ends.
"""

from __future__ import annotations

from caproto import ChannelType
from caproto.server import PVGroup, SubGroup, pvproperty

from sophyd_iocs._dxp import DxpChannel, DxpMultiElement, DxpSystem
from sophyd_iocs._mca import McaRecord
from sophyd_iocs._run import run_ioc

__all__ = ["DEFAULT_PREFIX", "READY_PV", "Mca", "main"]

DEFAULT_PREFIX = "mca:"
READY_PV = "mca1.ACQG"

#: Regions of interest set when the IOC starts: (ROI number, low channel, high channel, label).
DEFAULT_ROIS = ((0, 620, 660, "Fe Ka"), (1, 785, 825, "Cu Ka"))


def _stored(name: str, doc: str) -> pvproperty:
    return pvproperty(name=name, value=0, dtype=ChannelType.LONG, doc=doc)


class Mca(PVGroup):
    """An mca record with its mca.db and callback records, one DXP channel and the DXP system records (those of
    a Saturn and those a multi-element system adds)."""

    mca1 = SubGroup(McaRecord, prefix="mca1", rois=DEFAULT_ROIS, doc="The mca record")
    dxp1 = SubGroup(DxpChannel, prefix="dxp1:", doc="The DXP channel")
    system = SubGroup(DxpSystem, prefix="", doc="The DXP system records")
    multi_element = SubGroup(DxpMultiElement, prefix="", doc="The records of a multi-element DXP system")
    read_callback = _stored("mca1ReadCallback", "Read the data on callback")
    read_data_once = _stored("mca1ReadDataOnce", "Read the data once")
    read_status_once = _stored("mca1ReadStatusOnce", "Read the status once")
    collect_data = _stored("mca1CollectData", "Collect data")


def main() -> None:
    """Serve the mca IOC with caproto's standard command-line options."""
    run_ioc(Mca, default_prefix=DEFAULT_PREFIX, desc=__doc__ or "mca")


if __name__ == "__main__":
    main()
