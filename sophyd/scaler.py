"""The synApps scaler record: ``EpicsScaler`` and ``ScalerCH`` (with its ``ScalerChannel``), as classic ophyd.

Both take the record name as prefix (``EpicsScaler('sim:scaler1', name='scaler')``) and count on trigger():
``.CNT`` is put to 1 with a completion callback, and the trigger status finishes when the record reports the
count over (its put-callback), with the final counts in ``.S1`` .. ``.S32``. ``stop()`` ends a count early.
``EpicsScaler`` reads the channels as ``chan1`` .. ``chan32``; ``ScalerCH`` names each channel's data key after
the channel's name in the record (``.NMn``) and can select channels by those names.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ._component import Component as Cpt
from ._component import DynamicDeviceComponent as DDCpt
from ._component import FormattedComponent as FCpt
from ._epics_signal import EpicsSignal, EpicsSignalRO
from ._readmany import prefetch
from .device import Device
from .errors import ExceptionBundle
from .kind import Kind

if TYPE_CHECKING:
    from bluesky.protocols import Hints, Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["EpicsScaler", "ScalerCH", "ScalerChannel"]

#: A DynamicDeviceComponent table: attribute -> (class, suffix, keyword arguments).
_Definition = OrderedDict[str, tuple[type, str, dict[str, Any]]]


def _scaler_fields(
    cls: type, attr_base: str, field_base: str, range_: Iterable[int], **kwargs: Any
) -> _Definition:
    """One component per channel number: ``{attr_base}{i}`` reading ``{field_base}{i}`` (e.g. chan1 <- .S1)."""
    return OrderedDict((f"{attr_base}{i}", (cls, f"{field_base}{i}", kwargs)) for i in range_)


class _CountingRecord(Device):
    """What EpicsScaler and ScalerCH share: stop() ends a count.

    trigger() is Device's: the trigger signal (``count``, ``.CNT``) is put with a completion callback, so the
    status follows the record's processing, which ends with the count; a readback of ``.CNT`` would not do (it
    is 1 the moment the count starts, and may be 0 again before a client sees it).
    """

    def stop(self, *, success: bool = False) -> None:
        """End a count under way (``.CNT`` = 0: the record keeps the counts so far), then stop sub-devices.

        Classic ophyd's scaler classes left the record counting; a plan aborted during a long count should not.
        """
        errors: list[BaseException] = []
        for signal in self.trigger_signals:
            try:
                signal.put(0)
            except Exception as exc:
                errors.append(exc)
        try:
            super().stop(success=success)
        except Exception as exc:
            errors.append(exc)
        if errors:
            raise ExceptionBundle(f"Stopping {self.name!r} failed", errors)


class EpicsScaler(_CountingRecord):
    """A synApps scaler record (``prefix`` is the record name): 32 channels read as ``chan1`` .. ``chan32``.

    Staging puts the record in OneShot mode (``count_mode`` = 0), so that auto-counting does not overwrite the
    counts between the end of a count and their reading; unstaging puts the previous mode back.
    """

    # trigger and trigger mode
    count = Cpt(EpicsSignal, ".CNT", trigger_value=1, kind=Kind.omitted)
    count_mode = Cpt(EpicsSignal, ".CONT", string=True, kind=Kind.config)

    # delay from triggering to starting counting
    delay = Cpt(EpicsSignal, ".DLY", kind=Kind.config)
    auto_count_delay = Cpt(EpicsSignal, ".DLY1", kind=Kind.config)

    # the data
    channels = DDCpt(_scaler_fields(EpicsSignalRO, "chan", ".S", range(1, 33), kind=Kind.hinted))
    names = DDCpt(_scaler_fields(EpicsSignal, "name", ".NM", range(1, 33), kind=Kind.config))

    time = Cpt(EpicsSignal, ".T", kind=Kind.config)
    freq = Cpt(EpicsSignal, ".FREQ", kind=Kind.config)

    preset_time = Cpt(EpicsSignal, ".TP", kind=Kind.config)
    auto_count_time = Cpt(EpicsSignal, ".TP1", kind=Kind.config)

    presets = DDCpt(_scaler_fields(EpicsSignal, "preset", ".PR", range(1, 33), kind=Kind.omitted))
    gates = DDCpt(_scaler_fields(EpicsSignal, "gate", ".G", range(1, 33), kind=Kind.omitted))

    update_rate = Cpt(EpicsSignal, ".RATE", kind=Kind.omitted)
    auto_count_update_rate = Cpt(EpicsSignal, ".RAT1", kind=Kind.omitted)

    egu = Cpt(EpicsSignal, ".EGU", kind=Kind.config)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage_sigs.update([("count_mode", 0)])


class ScalerChannel(Device):
    """One channel ``ch_num`` of a scaler record: its counts ``s``, name ``chname``, ``preset`` and ``gate``.

    The data key of ``s`` is the channel's name in the record (``.NMn``), read when the channel is first
    read, described or hinted (the constructor opens no connection) and again by match_name(); a channel
    with no name keeps the key from its place in the device tree (``<scaler>_channels_chan05_s``).
    """

    chname = FCpt(EpicsSignal, "{self.prefix}.NM{self._ch_num}", kind=Kind.config)
    s = FCpt(EpicsSignalRO, "{self.prefix}.S{self._ch_num}", kind=Kind.hinted, auto_monitor=False)
    preset = FCpt(EpicsSignal, "{self.prefix}.PR{self._ch_num}", kind=Kind.config)
    gate = FCpt(EpicsSignal, "{self.prefix}.G{self._ch_num}", string=True, kind=Kind.config)

    def __init__(self, prefix: str, ch_num: int, **kwargs: Any) -> None:
        self._ch_num = ch_num
        self._record_name: str | None = None  # the channel's .NMn, once read
        super().__init__(prefix, **kwargs)

    def match_name(self) -> None:
        """Read the channel's name from the record (``.NMn``) and name the data key of ``s`` after it."""
        self._record_name = str(self.chname.get())
        self._name_s()

    def _name_s(self) -> None:
        """Name ``s`` after the record's channel name, or after its place in the tree when there is none."""
        self.s.name = self._record_name or self._child_name("s")

    def _set_name(self, value: str) -> None:
        """Renaming the channel renames its signals; ``s`` keeps the record's channel name if it has one."""
        super()._set_name(value)
        if self._record_name is not None:
            self._name_s()

    def _matched(self) -> None:
        if self._record_name is None:
            self.match_name()

    def read(self) -> OrderedDict[str, Reading[Any]]:
        self._matched()
        return super().read()

    def describe(self) -> OrderedDict[str, DataKey]:
        self._matched()
        return super().describe()

    def read_configuration(self) -> OrderedDict[str, Reading[Any]]:
        self._matched()
        return super().read_configuration()

    def describe_configuration(self) -> OrderedDict[str, DataKey]:
        self._matched()
        return super().describe_configuration()

    @property
    def hints(self) -> Hints:
        self._matched()
        return super().hints


def _sc_chans(attr_fix: str, id_range: Iterable[int]) -> _Definition:
    """One ScalerChannel per channel number: ``{attr_fix}01``, ``{attr_fix}02``, ..."""
    return OrderedDict(
        (f"{attr_fix}{k:02d}", (ScalerChannel, "", {"ch_num": k, "kind": Kind.normal})) for k in id_range
    )


class ScalerCH(_CountingRecord):
    """A synApps scaler record (``prefix`` is the record name) whose channels are named as in the record.

    Each of ``channels.chan01`` .. ``chan32`` is a :class:`ScalerChannel`; its data key is the channel's
    ``.NMn``. select_channels() keeps only the named channels (or those given) in read() and the configuration.
    """

    # the data
    channels = DDCpt(_sc_chans("chan", range(1, 33)))

    # trigger and trigger mode
    count = Cpt(EpicsSignal, ".CNT", trigger_value=1, kind=Kind.omitted)
    count_mode = Cpt(EpicsSignal, ".CONT", string=True, kind=Kind.config)

    # delay from triggering to starting counting
    delay = Cpt(EpicsSignal, ".DLY", kind=Kind.config)
    auto_count_delay = Cpt(EpicsSignal, ".DLY1", kind=Kind.config)

    time = Cpt(EpicsSignal, ".T")
    freq = Cpt(EpicsSignal, ".FREQ", kind=Kind.config)

    preset_time = Cpt(EpicsSignal, ".TP", kind=Kind.config)
    auto_count_time = Cpt(EpicsSignal, ".TP1", kind=Kind.config)

    update_rate = Cpt(EpicsSignal, ".RATE", kind=Kind.omitted)
    auto_count_update_rate = Cpt(EpicsSignal, ".RAT1", kind=Kind.omitted)

    egu = Cpt(EpicsSignal, ".EGU", kind=Kind.config)

    def _channel_list(self) -> list[ScalerChannel]:
        return [getattr(self.channels, attr) for attr in self.channels.component_names]

    def match_names(self) -> None:
        """Name every channel's data key after its name in the record (the 32 names are read together)."""
        channels = self._channel_list()
        with prefetch([channel.chname for channel in channels]):
            for channel in channels:
                channel.match_name()

    def select_channels(self, chan_names: Iterable[str] | None = None) -> None:
        """Read (and configure) only the channels named ``chan_names`` in the record; None: every named one.

        The names are matched anew first; read() gives the selected channels in channel order, and each one
        selected after the first has its counts hinted again (as in classic ophyd). RuntimeError names a
        channel the record does not have, with the names it has.
        """
        self.match_names()
        name_map = {
            channel._record_name: channel.attr_name
            for channel in self._channel_list()
            if channel._record_name
        }
        if chan_names is None:
            chan_names = list(name_map)
        read_attrs = []
        for ch in chan_names:
            try:
                read_attrs.append(name_map[ch])
            except KeyError:
                raise RuntimeError(
                    f"The channel {ch} is not configured on the scaler.  The named channels are {tuple(name_map)}"
                ) from None
        self.channels.kind = Kind.normal
        self.channels.read_attrs = list(read_attrs)
        self.channels.configuration_attrs = list(read_attrs)
        for ch in read_attrs[1:]:
            getattr(self.channels, ch).s.kind = Kind.hinted
