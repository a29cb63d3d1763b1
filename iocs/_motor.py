"""An imitation of the EPICS motor record as a caproto PVGroup, standalone or as a ``SubGroup``.

``MotorRecord(prefix="sim:mtr1")`` serves ``sim:mtr1`` (the bare record name, an alias of ``.VAL``) and the
fields an EpicsMotor uses, as ``sim:mtr1.<FIELD>``:

- positions: ``VAL`` (user setpoint; the bare name is the same setpoint), ``DVAL`` (dial setpoint), ``RBV``,
  ``DRBV``, ``RRBV`` (readbacks; RRBV = round(DRBV / MRES)), calibration ``OFF``, ``DIR`` (Pos/Neg),
  ``FOFF`` (Variable/Frozen), ``SET`` (Use/Set), with user = dial * (-1 if DIR is Neg else 1) + OFF;
- motion: ``VELO`` (EGU/s), ``ACCL`` (seconds to reach VELO), ``MOVN``, ``DMOV``, ``TDIR``, ``STOP``,
  ``SPMG`` (Stop/Pause/Move/Go), ``HOMF``/``HOMR``;
- limits: soft ``HLM``/``LLM`` (user) and ``DHLM``/``DLLM`` (dial), ``LVIO``, limit switches ``HLS``/``LLS``;
- description: ``EGU``, ``PREC``, ``MRES``, ``DESC``, ``RTYP`` ("motor");
- ``SCAN`` (the record's scan mechanism, every record has it): the standard menu, Passive; a put is stored and
  changes nothing, since the simulation updates the readbacks on its own;
- fields served with fixed values for clients that connect them (ophyd-async's Motor does): ``SREV`` (200
  steps per revolution), ``UREV`` (1 EGU per revolution), ``ERES`` (encoder step, = MRES at start), ``VMAX``
  (0: no maximum speed), ``RDBD`` (retry deadband, 0.001) and ``OUT`` (the output link, empty).

Behaviour, and where it simplifies the real record:

- A put to ``VAL`` (or the bare name or ``DVAL``) starts a trapezoidal move (triangular when short) and its
  put-completion arrives when motion has ended, like ``ca_put_callback`` on a real motor record. DMOV goes
  1 -> 0 -> 1 for every accepted move, also a null move; MOVN is 1 while the motor actually moves. RBV, DRBV
  and RRBV update every ``tick`` seconds (0.02 s by default) during a move.
- A target outside the soft limits is refused: caproto rejects values outside the control limits of
  ``VAL``/``DVAL`` (which follow HLM/LLM and DHLM/DLLM), and the putter raises otherwise; either way the client
  gets ECA_PUTFAIL and ``LVIO`` is 1 where the putter saw it. ``HLM == LLM`` disables the soft limits.
- A new target during a move decelerates the motor to rest and then moves to the new target (stop-and-go,
  where the real record may continue in the same direction); every pending put completes when motion ends.
- ``STOP`` = 1, and ``SPMG`` = Stop or Pause, decelerate at the record's acceleration (VELO / ACCL), as a
  real controller does; the pending put-completions then complete. After STOP or Stop, VAL/DVAL become the
  position where the motor came to rest. Pause keeps the target: Move or Go resumes it (Move falls back to
  Pause after one move). While SPMG is Stop, new targets are refused (ECA_PUTFAIL) rather than ignored.
- ``SET`` = Set: a put to VAL changes OFF (FOFF Variable) or redefines the dial position (FOFF Frozen) so the
  user position becomes VAL, without motion; a put to DVAL redefines the dial position. Refused while moving.
- ``HOMF``/``HOMR`` = 1 move to the home position (dial ``home``, 0 by default) ignoring soft limits; the field
  goes back to 0 and its put completes when homing ends.
- Hard limit switches sit at dial ``hard_limits`` (+-110 by default, beyond the default soft limits +-100):
  travel that reaches one stops there at once, sets ``HLS``/``LLS`` (in user direction) and VAL := RBV.
- Positions are not quantized to MRES; they are rounded to 1e-12 so user/dial conversions give clean numbers.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from caproto import AlarmSeverity, AlarmStatus, ChannelType, SkipWrite
from caproto.server import PVGroup, pvproperty

from sophyd_iocs._kinematics import Segment, phase_state, stop_phases, trapezoid_phases
from sophyd_iocs._pv import menu, string

__all__ = ["MotorRecord", "MotorRefused"]

# EPICS base's menuScan, the choices of every record's SCAN field.
_SCAN_CHOICES = (
    "Passive",
    "Event",
    "I/O Intr",
    "10 second",
    "5 second",
    "2 second",
    "1 second",
    ".5 second",
    ".2 second",
    ".1 second",
)
_EPS = 1e-9  # positions closer than this (EGU) count as equal
_DIGITS = 12  # positions are rounded to this many decimals


class MotorRefused(RuntimeError):
    """A motion or calibration request the record does not accept; the client sees ECA_PUTFAIL."""


def _clean(value: float) -> float:
    """Round off float noise (e.g. from user/dial conversions) so set positions read back exactly."""
    return round(value, _DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _pos(name: str, doc: str, *, read_only: bool = False, value: float = 0.0) -> pvproperty:
    return pvproperty(
        name=name, value=value, dtype=float, precision=3, units="mm", read_only=read_only, doc=doc
    )


def _short(name: str, doc: str, *, value: int = 0, read_only: bool = False) -> pvproperty:
    return pvproperty(name=name, value=value, dtype=ChannelType.INT, read_only=read_only, doc=doc)


class MotorRecord(PVGroup):
    """A simulated motor record with trapezoidal motion; its prefix is the record name (no trailing ':').

    Keyword arguments (also as ``SubGroup(MotorRecord, prefix="mtr1", velocity=2.0)``) set the initial VELO,
    ACCL, EGU, PREC, DESC and soft limits (dial = user at start), the dial positions of the hard limit
    switches and of home, and ``tick``, the readback update period during motion (s).
    """

    bare = _pos("", "Setpoint (the record name, alias of .VAL)")
    val = _pos(".VAL", "User setpoint")
    dval = _pos(".DVAL", "Dial setpoint")
    rbv = _pos(".RBV", "User readback", read_only=True)
    drbv = _pos(".DRBV", "Dial readback", read_only=True)
    rrbv = pvproperty(name=".RRBV", value=0, dtype=int, read_only=True, doc="Raw readback (steps)")
    off = _pos(".OFF", "User offset")
    dir = menu(".DIR", ("Pos", "Neg"), "Pos", "User direction")
    foff = menu(".FOFF", ("Variable", "Frozen"), "Variable", "Offset freeze switch")
    set_mode = menu(".SET", ("Use", "Set"), "Use", "Set/Use switch")
    velo = _pos(".VELO", "Velocity (EGU/s)", value=1.0)
    accl = pvproperty(name=".ACCL", value=0.5, dtype=float, precision=3, units="s", doc="Seconds to velocity")
    egu = string(".EGU", "mm", "Engineering units")
    movn = _short(".MOVN", "Motor is moving", read_only=True)
    dmov = _short(".DMOV", "Done moving", value=1, read_only=True)
    hlm = _pos(".HLM", "User high limit", value=100.0)
    llm = _pos(".LLM", "User low limit", value=-100.0)
    dhlm = _pos(".DHLM", "Dial high limit", value=100.0)
    dllm = _pos(".DLLM", "Dial low limit", value=-100.0)
    lvio = _short(".LVIO", "Limit violation", read_only=True)
    hls = _short(".HLS", "At high limit switch", read_only=True)
    lls = _short(".LLS", "At low limit switch", read_only=True)
    tdir = _short(".TDIR", "Direction of travel", read_only=True)
    stop = _short(".STOP", "Stop")
    spmg = menu(".SPMG", ("Stop", "Pause", "Move", "Go"), "Go", "Stop/Pause/Move/Go")
    homf = _short(".HOMF", "Home forward")
    homr = _short(".HOMR", "Home reverse")
    mres = pvproperty(name=".MRES", value=0.001, dtype=float, precision=6, doc="Motor step size (EGU)")
    prec = _short(".PREC", "Display precision", value=3)
    desc = string(".DESC", "", "Descriptor")
    rtyp = string(".RTYP", "motor", "Record type", read_only=True)
    scan = menu(".SCAN", _SCAN_CHOICES, "Passive", "Scan mechanism")
    srev = pvproperty(name=".SREV", value=200, dtype=int, read_only=True, doc="Steps per revolution")
    urev = _pos(".UREV", "EGU per revolution", read_only=True, value=1.0)
    eres = pvproperty(name=".ERES", value=0.001, dtype=float, precision=6, read_only=True, doc="Encoder step")
    vmax = _pos(".VMAX", "Maximum velocity (0: none)", read_only=True)
    rdbd = _pos(".RDBD", "Retry deadband", read_only=True, value=0.001)
    out = string(".OUT", "", "Output link", read_only=True)

    def __init__(
        self,
        *args: Any,
        velocity: float = 1.0,
        acceleration: float = 0.5,
        egu: str = "mm",
        precision: int = 3,
        soft_limits: tuple[float, float] = (-100.0, 100.0),
        hard_limits: tuple[float, float] = (-110.0, 110.0),
        home: float = 0.0,
        description: str = "",
        tick: float = 0.02,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Settings applied at server startup (PV writes need the event loop): (PV attribute, value).
        self._initial: list[tuple[str, Any]] = [
            ("velo", float(velocity)),
            ("accl", float(acceleration)),
            ("dllm", float(soft_limits[0])),
            ("dhlm", float(soft_limits[1])),
            ("egu", str(egu)),
            ("prec", int(precision)),
            ("desc", str(description)),
        ]
        self._hard_lo, self._hard_hi = hard_limits
        self._home = home
        self._tick = tick
        self._dial = 0.0
        self._segment: Segment | None = None
        self._goal: float | None = None  # dial target not reached yet
        self._aborted = False  # motion ended away from its target: VAL := RBV when it ends
        self._busy = False  # a move is requested or under way (DMOV should be 0)
        self._done = asyncio.Event()  # replaced by a fresh event for every move; set when it ends
        self._done.set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # ----- coordinates and posting -----------------------------------------------------------------

    @property
    def _sign(self) -> float:
        return -1.0 if self.dir.value == "Neg" else 1.0

    def _user(self, dial: float) -> float:
        return _clean(dial * self._sign + self.off.value)

    def _to_dial(self, user: float) -> float:
        return _clean((user - self.off.value) * self._sign)

    @property
    def position_pvs(self) -> tuple[Any, ...]:
        """The PVs holding positions in EGU, which share units and precision."""
        return (self.bare, self.val, self.dval, self.rbv, self.drbv, self.off, self.hlm, self.llm)

    async def _set(self, pv: Any, value: Any) -> None:
        """Write ``pv`` only if its value changes, so flags post one monitor event per transition."""
        if pv.value != value:
            await pv.write(value, verify_value=False)

    async def _post_setpoint(self, user: float, dial: float) -> None:
        for pv in (self.val, self.bare):
            await pv.write(user, verify_value=False)
        await self.dval.write(dial, verify_value=False)

    async def _post_position(self, dial: float) -> None:
        self._dial = _clean(dial)
        await self.drbv.write(self._dial)
        await self.rbv.write(self._user(self._dial))
        await self._set(self.rrbv, round(self._dial / self.mres.value))
        at_high = self._dial >= self._hard_hi - _EPS
        at_low = self._dial <= self._hard_lo + _EPS
        if self._sign < 0:
            at_high, at_low = at_low, at_high
        await self._set(self.hls, int(at_high))
        await self._set(self.lls, int(at_low))

    async def _post_limits(self) -> None:
        """Recompute HLM/LLM from DHLM/DLLM, DIR and OFF; mirror them in the control limits clients see."""
        dhlm, dllm, off = self.dhlm.value, self.dllm.value, self.off.value
        hlm, llm = (dhlm + off, dllm + off) if self._sign > 0 else (off - dllm, off - dhlm)
        hlm, llm = _clean(hlm), _clean(llm)
        await self._set(self.hlm, hlm)
        await self._set(self.llm, llm)
        for pv in (self.val, self.bare, self.rbv):
            await pv.write_metadata(
                upper_ctrl_limit=hlm, lower_ctrl_limit=llm, upper_disp_limit=hlm, lower_disp_limit=llm
            )
        await self.dval.write_metadata(upper_ctrl_limit=dhlm, lower_ctrl_limit=dllm)

    async def _post_calibration(self, setpoint_dial: float | None = None) -> None:
        """After OFF, DIR or the dial position changed: recompute user values from dial values.

        The dial setpoint stays unless ``setpoint_dial`` is given (calibration sets it to the position).
        """
        await self._post_limits()
        await self._post_position(self._dial)
        dial = self.dval.value if setpoint_dial is None else setpoint_dial
        await self._post_setpoint(self._user(dial), dial)

    async def _store(self, instance: Any, value: Any) -> None:
        await instance.write(value, verify_value=False)

    # ----- motion requests ---------------------------------------------------------------------------

    def _check_soft_limits(self, dial: float) -> None:
        lo, hi = self.dllm.value, self.dhlm.value
        if lo != hi and not lo - _EPS <= dial <= hi + _EPS:
            user = self._user(dial)
            raise MotorRefused(
                f"{self.prefix}: target {user} (dial {dial}) is outside the soft limits "
                f"[{self.llm.value}, {self.hlm.value}] (dial [{lo}, {hi}])"
            )

    async def _request_move(self, user: float, dial: float, *, check_limits: bool = True) -> None:
        """Validate and start (or retarget) a move; return at once, with DMOV already 0."""
        if self.spmg.value == "Stop":
            raise MotorRefused(f"{self.prefix}: SPMG is Stop, motion is not allowed")
        if check_limits:
            try:
                self._check_soft_limits(dial)
            except MotorRefused:
                await self._set(self.lvio, 1)
                raise
        await self._set(self.lvio, 0)
        if self.val.alarm.severity != AlarmSeverity.NO_ALARM:
            await self.val.alarm.write(status=AlarmStatus.NO_ALARM, severity=AlarmSeverity.NO_ALARM)
        await self._post_setpoint(user, dial)
        self._goal = dial
        self._aborted = False
        self._mark_busy()
        segment = self._segment
        if segment is not None and abs(segment.end - dial) > _EPS:
            self._begin_stop()
        self._wake.set()

    def _mark_busy(self) -> None:
        """Start a move cycle; only the motion loop posts DMOV, so its transitions stay in order."""
        if not self._busy:
            self._busy = True
            self._done = asyncio.Event()
        self._wake.set()

    def _begin_stop(self) -> None:
        """Replace the current segment by a deceleration to rest from where the motor is now."""
        if self._segment is None:
            return
        now = asyncio.get_running_loop().time()
        position, velocity = self._segment.state(now)
        phases = stop_phases(velocity, self.velo.value, self.accl.value)
        end = _clean(phase_state(phases, math.inf, position)[0])
        self._segment = Segment(now, position, end, phases)

    async def _halt(self) -> None:
        """STOP or SPMG=Stop: drop the target, come to rest, and let VAL follow the resting position."""
        self._goal = None
        if self._busy:
            self._aborted = True
            self._begin_stop()
            self._wake.set()
        else:
            await self._post_setpoint(self._user(self._dial), self._dial)

    async def _wait_done(self) -> None:
        await self._done.wait()

    # ----- the motion loop -----------------------------------------------------------------------------

    async def _sleep_or_wake(self, timeout: float | None) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        self._wake.clear()

    async def _run(self) -> None:
        """Advance motion every tick while moving; sleep until woken otherwise."""
        loop = asyncio.get_running_loop()
        while True:
            if self._busy and self.dmov.value != 0:
                await self.dmov.write(0)
            now = loop.time()
            segment = self._segment
            if segment is not None:
                position, _ = segment.state(now)
                if position > self._hard_hi + _EPS or position < self._hard_lo - _EPS:  # a limit switch
                    position = min(max(position, self._hard_lo), self._hard_hi)
                    self._segment, self._goal, self._aborted = None, None, True
                elif now >= segment.t_end:
                    self._segment = None
                await self._post_position(position)
                if self._segment is not None:
                    await self._sleep_or_wake(min(self._tick, max(segment.t_end - now, 0.0)))
                    continue
            if await self._start_next(loop.time()):
                continue
            if self._busy:
                await self._finish()
            await self._sleep_or_wake(None)

    async def _start_next(self, now: float) -> bool:
        """At rest: start the move to the pending target if SPMG allows; True if a move started."""
        goal = self._goal
        if goal is None or self.spmg.value not in ("Move", "Go"):
            return False
        if abs(goal - self._dial) <= _EPS:
            self._goal = None
            if self.spmg.value == "Move":
                await self.spmg.write("Pause", verify_value=False)
            return False
        phases = trapezoid_phases(goal - self._dial, self.velo.value, self.accl.value)
        self._segment = Segment(now, self._dial, goal, phases)
        raw_up = (goal > self._dial) == (self.mres.value > 0)
        await self._set(self.tdir, int(raw_up))
        await self._set(self.movn, 1)
        return True

    async def _finish(self) -> None:
        """Motion is over: MOVN 0, VAL := RBV if the move was cut short, then DMOV 1 and completions."""
        await self._set(self.movn, 0)
        if self._aborted:
            self._aborted = False
            await self._post_setpoint(self._user(self._dial), self._dial)
        done, self._busy = self._done, False
        await self.dmov.write(1)
        done.set()  # a move requested meanwhile has its own event and is picked up by the next iteration

    @rtyp.startup  # type: ignore[no-redef]
    async def rtyp(self, instance: Any, async_lib: Any) -> None:
        """Apply the constructor's settings, then start the motion loop."""
        for attr, value in self._initial:
            await getattr(self, attr).write(value, verify_value=False)
        await self._post_units()
        await self._post_limits()
        await self._post_position(self._dial)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _post_units(self) -> None:
        egu, prec = self.egu.value, int(self.prec.value)
        for pv in (*self.position_pvs, self.dhlm, self.dllm):
            await pv.write_metadata(units=egu, precision=prec)
        await self.velo.write_metadata(units=f"{egu}/s", precision=prec)

    # ----- putters ----------------------------------------------------------------------------------

    async def _put_user(self, value: float) -> None:
        """A put to VAL or the bare name: move there, or calibrate in Set mode; completes when motion ends."""
        value = _clean(float(value))
        if self.set_mode.value == "Set":
            await self._calibrate(value)
            raise SkipWrite()
        await self._request_move(value, self._to_dial(value))
        await self._wait_done()
        raise SkipWrite()  # VAL, the bare name and DVAL are already posted

    async def _calibrate(self, user: float) -> None:
        if self._busy:
            raise MotorRefused(f"{self.prefix}: cannot calibrate (SET) while moving")
        if self.foff.value == "Variable":
            await self.off.write(_clean(user - self._dial * self._sign), verify_value=False)
        else:
            await self._post_position(self._to_dial(user))
        await self._post_calibration(self._dial)

    @bare.putter  # type: ignore[no-redef]
    async def bare(self, instance: Any, value: float) -> None:
        await self._put_user(value)

    @val.putter  # type: ignore[no-redef]
    async def val(self, instance: Any, value: float) -> None:
        await self._put_user(value)

    @dval.putter  # type: ignore[no-redef]
    async def dval(self, instance: Any, value: float) -> None:
        dial = _clean(float(value))
        if self.set_mode.value == "Set":
            if self._busy:
                raise MotorRefused(f"{self.prefix}: cannot calibrate (SET) while moving")
            await self._post_position(dial)
            await self._post_calibration(dial)
            raise SkipWrite()
        await self._request_move(self._user(dial), dial)
        await self._wait_done()
        raise SkipWrite()

    @off.putter  # type: ignore[no-redef]
    async def off(self, instance: Any, value: float) -> None:
        await self._store(instance, _clean(float(value)))
        await self._post_calibration()
        raise SkipWrite()

    @dir.putter  # type: ignore[no-redef]
    async def dir(self, instance: Any, value: str) -> None:
        await self._store(instance, value)
        await self._post_calibration()
        raise SkipWrite()

    @hlm.putter  # type: ignore[no-redef]
    async def hlm(self, instance: Any, value: float) -> None:
        dial = _clean((float(value) - self.off.value) * self._sign)
        await self._store(self.dhlm if self._sign > 0 else self.dllm, dial)
        await self._post_limits()
        raise SkipWrite()

    @llm.putter  # type: ignore[no-redef]
    async def llm(self, instance: Any, value: float) -> None:
        dial = _clean((float(value) - self.off.value) * self._sign)
        await self._store(self.dllm if self._sign > 0 else self.dhlm, dial)
        await self._post_limits()
        raise SkipWrite()

    @dhlm.putter  # type: ignore[no-redef]
    async def dhlm(self, instance: Any, value: float) -> None:
        await self._store(instance, _clean(float(value)))
        await self._post_limits()
        raise SkipWrite()

    @dllm.putter  # type: ignore[no-redef]
    async def dllm(self, instance: Any, value: float) -> None:
        await self._store(instance, _clean(float(value)))
        await self._post_limits()
        raise SkipWrite()

    @velo.putter  # type: ignore[no-redef]
    async def velo(self, instance: Any, value: float) -> float:
        if not value > 0:
            raise MotorRefused(f"{self.prefix}.VELO must be > 0, not {value}")
        return value

    @accl.putter  # type: ignore[no-redef]
    async def accl(self, instance: Any, value: float) -> float:
        if not value >= 0:
            raise MotorRefused(f"{self.prefix}.ACCL must be >= 0, not {value}")
        return value

    @mres.putter  # type: ignore[no-redef]
    async def mres(self, instance: Any, value: float) -> None:
        if value == 0:
            raise MotorRefused(f"{self.prefix}.MRES must not be 0")
        await self._store(instance, value)
        await self._post_position(self._dial)
        raise SkipWrite()

    @egu.putter  # type: ignore[no-redef]
    async def egu(self, instance: Any, value: str) -> None:
        await self._store(instance, value)
        await self._post_units()
        raise SkipWrite()

    @prec.putter  # type: ignore[no-redef]
    async def prec(self, instance: Any, value: int) -> None:
        await self._store(instance, max(0, int(value)))
        await self._post_units()
        raise SkipWrite()

    @stop.putter  # type: ignore[no-redef]
    async def stop(self, instance: Any, value: int) -> int:
        if value:
            await self._halt()
        return 0  # the real record resets STOP at once

    @spmg.putter  # type: ignore[no-redef]
    async def spmg(self, instance: Any, value: str) -> None:
        await self._store(instance, value)
        if value == "Stop":
            await self._halt()
        elif value == "Pause":
            self._begin_stop()  # the target stays; DMOV goes to 1 once at rest
            self._wake.set()
        elif self._goal is not None:  # Move or Go: resume a paused move
            self._mark_busy()
        raise SkipWrite()

    async def _put_home(self, instance: Any, value: int) -> int:
        if not value:
            return 0
        await self._request_move(self._user(self._home), self._home, check_limits=False)
        await self._store(instance, 1)
        await self._wait_done()
        return 0

    @homf.putter  # type: ignore[no-redef]
    async def homf(self, instance: Any, value: int) -> int:
        return await self._put_home(instance, value)

    @homr.putter  # type: ignore[no-redef]
    async def homr(self, instance: Any, value: int) -> int:
        return await self._put_home(instance, value)
