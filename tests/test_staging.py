"""Staging as a transaction: stage_sigs in order, restore in reverse, children, failures, pause/resume/stop."""

from __future__ import annotations

from typing import Any

import pytest

from sophyd import Component as Cpt
from sophyd import Device, ExceptionBundle, LimitError, RedundantStaging, Signal, Staged

Log = list[tuple[str, Any]]


class RecordingSignal(Signal):
    """A soft signal that appends ``(attr_name, value)`` to its root device's ``log`` on every put."""

    def put(self, value: Any, **kwargs: Any) -> None:
        super().put(value, **kwargs)
        self.root.log.append((self.dotted_name, value))  # type: ignore[attr-defined]


class Logged(Device):
    """A device whose every RecordingSignal (and sub-device stage/unstage) writes to one shared log."""

    def __init__(self, *args: Any, log: Log | None = None, **kwargs: Any) -> None:
        self.log: Log = log if log is not None else []
        super().__init__(*args, **kwargs)

    def stage(self) -> list[Any]:
        self.root.log.append(("stage", self.dotted_name))  # type: ignore[attr-defined]
        return super().stage()

    def unstage(self) -> list[Any]:
        self.root.log.append(("unstage", self.dotted_name))  # type: ignore[attr-defined]
        return super().unstage()


class Four(Logged):
    p = Cpt(RecordingSignal, value=1)
    q = Cpt(RecordingSignal, value=2)
    r = Cpt(RecordingSignal, value=3)
    z = Cpt(RecordingSignal, value=4)
    limited = Cpt(RecordingSignal, value=0, metadata=dict(lower_ctrl_limit=0, upper_ctrl_limit=10))


def test_stage_sigs_in_order_and_restored_in_reverse() -> None:
    dev = Four(name="dev")
    dev.stage_sigs["z"] = 40
    dev.stage_sigs["q"] = 20
    dev.stage_sigs["p"] = 10
    dev.stage_sigs["r"] = 30
    staged = dev.stage()
    assert staged == [dev]
    assert dev._staged == Staged.yes
    assert dev.log == [("stage", ""), ("z", 40), ("q", 20), ("p", 10), ("r", 30)]
    assert (dev.p.get(), dev.q.get(), dev.r.get(), dev.z.get()) == (10, 20, 30, 40)
    dev.log.clear()
    unstaged = dev.unstage()
    assert unstaged == [dev]
    assert dev.log == [("unstage", ""), ("r", 3), ("p", 1), ("q", 2), ("z", 4)]
    assert (dev.p.get(), dev.q.get(), dev.r.get(), dev.z.get()) == (1, 2, 3, 4)
    assert dev._staged == Staged.no


class Child(Logged):
    a = Cpt(RecordingSignal, value=0)
    b = Cpt(RecordingSignal, value=0)


class Parent(Logged):
    own = Cpt(RecordingSignal, value=0)
    first = Cpt(Child)
    second = Cpt(Child)


def test_stage_sigs_keys_by_name_dotted_name_and_signal() -> None:
    other = Signal(name="other", value=-1)
    dev = Parent(name="dev")
    dev.stage_sigs["own"] = 1
    dev.stage_sigs["first.a"] = 2
    dev.stage_sigs[dev.second.b] = 3
    dev.stage_sigs[other] = 4
    dev.stage()
    assert (dev.own.get(), dev.first.a.get(), dev.second.b.get(), other.get()) == (1, 2, 3, 4)
    dev.unstage()
    assert (dev.own.get(), dev.first.a.get(), dev.second.b.get(), other.get()) == (0, 0, 0, -1)


def test_same_signal_twice_restores_the_true_original() -> None:
    dev = Parent(name="dev")
    dev.stage_sigs["own"] = 1
    dev.stage_sigs[dev.own] = 2
    dev.stage()
    assert dev.own.get() == 2
    dev.unstage()
    assert dev.own.get() == 0


def test_children_staged_in_order_and_unstaged_in_reverse() -> None:
    dev = Parent(name="dev")
    dev.stage_sigs["own"] = 1
    dev.first.stage_sigs["a"] = 11
    dev.second.stage_sigs["b"] = 22
    staged = dev.stage()
    assert staged == [dev, dev.first, dev.second]
    assert dev.log == [
        ("stage", ""),
        ("own", 1),
        ("stage", "first"),
        ("first.a", 11),
        ("stage", "second"),
        ("second.b", 22),
    ]
    dev.log.clear()
    unstaged = dev.unstage()
    assert dev.log == [
        ("unstage", ""),
        ("unstage", "second"),
        ("second.b", 0),
        ("unstage", "first"),
        ("first.a", 0),
        ("own", 0),
    ]
    assert set(map(id, unstaged)) == {id(dev), id(dev.first), id(dev.second)}


def test_second_stage_raises_redundant_staging() -> None:
    dev = Four(name="detector")
    dev.stage_sigs["p"] = 5
    dev.stage()
    with pytest.raises(RedundantStaging, match=r"detector.* is already staged\. Unstage it first\."):
        dev.stage()
    assert dev.p.get() == 5  # still staged
    dev.unstage()
    assert dev.p.get() == 1


def test_unstage_twice_is_harmless() -> None:
    dev = Four(name="dev")
    dev.stage_sigs["p"] = 5
    dev.stage()
    dev.unstage()
    dev.log.clear()
    assert dev.unstage() == [dev]
    assert dev.log == [("unstage", "")]  # nothing restored again
    assert dev.p.get() == 1
    dev.unstage()  # never staged at all
    assert dev.stage() == [dev]  # and it can be staged again
    assert dev.p.get() == 5
    dev.unstage()


def test_failed_stage_undoes_and_reraises() -> None:
    dev = Four(name="dev")
    dev.stage_sigs["p"] = 10
    dev.stage_sigs["q"] = 20
    dev.stage_sigs["limited"] = 99  # outside [0, 10]: set() fails
    dev.stage_sigs["r"] = 30
    with pytest.raises(LimitError):
        dev.stage()
    assert (dev.p.get(), dev.q.get(), dev.r.get(), dev.limited.get()) == (1, 2, 3, 0)
    assert ("r", 30) not in dev.log  # stopped at the failure
    assert dev.log[-2:] == [("q", 2), ("p", 1)]  # undone in reverse
    assert dev._staged == Staged.no
    dev.stage_sigs["limited"] = 5
    dev.stage()  # not left half-staged: staging again works
    assert dev.limited.get() == 5
    dev.unstage()
    assert dev.limited.get() == 0


def test_failed_child_stage_undoes_parent_and_earlier_children() -> None:
    dev = Parent(name="dev")
    dev.stage_sigs["own"] = 1
    dev.first.stage_sigs["a"] = 11
    dev.second.stage_sigs["a"] = 12
    dev.second.stage_sigs["b"] = float("nan")  # a non-finite target is refused by set()
    with pytest.raises(ValueError, match="non-finite"):
        dev.stage()
    assert (dev.own.get(), dev.first.a.get(), dev.second.a.get()) == (0, 0, 0)
    assert dev._staged == dev.first._staged == dev.second._staged == Staged.no


def test_failed_stage_on_keyboard_interrupt_is_undone() -> None:
    class Interrupting(Signal):
        """Ctrl-C arrives while this signal is being staged (and only then)."""

        def set(self, value: Any, **kwargs: Any) -> Any:
            if value == 1:
                raise KeyboardInterrupt
            return super().set(value, **kwargs)

    class Dev(Four):
        boom = Cpt(Interrupting, value=0)

    dev = Dev(name="dev")
    dev.stage_sigs["p"] = 10
    dev.stage_sigs["boom"] = 1
    with pytest.raises(KeyboardInterrupt):
        dev.stage()
    assert dev.p.get() == 1


def test_bad_stage_sigs_key() -> None:
    dev = Four(name="dev")
    dev.stage_sigs["nope"] = 1
    with pytest.raises(AttributeError, match="nope"):
        dev.stage()
    assert dev._staged == Staged.no


def test_unstage_failures_are_bundled_and_every_restore_attempted() -> None:
    class Fragile(RecordingSignal):
        fail_on: Any = None

        def put(self, value: Any, **kwargs: Any) -> None:
            if value == self.fail_on:
                raise RuntimeError(f"{self.name} cannot go back to {value}")
            super().put(value, **kwargs)

    class Dev(Logged):
        a = Cpt(Fragile, value=0)
        b = Cpt(Fragile, value=0)
        c = Cpt(Fragile, value=0)

    dev = Dev(name="dev")
    dev.stage_sigs.update(a=1, b=2, c=3)
    dev.stage()
    dev.a.fail_on = 0
    dev.c.fail_on = 0
    with pytest.raises(ExceptionBundle) as info:
        dev.unstage()
    assert len(info.value.exceptions) == 2
    assert dev.b.get() == 0  # restored despite the failures around it
    assert dev._staged == Staged.no


class Hooked(Device):
    def __init__(self, *args: Any, fail_stop: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []
        self.fail_stop = fail_stop

    def pause(self) -> None:
        self.calls.append("pause")
        super().pause()

    def resume(self) -> None:
        self.calls.append("resume")
        super().resume()

    def stop(self, *, success: bool = False) -> None:
        self.calls.append(f"stop(success={success})")
        super().stop(success=success)
        if self.fail_stop:
            raise RuntimeError(f"{self.name} would not stop")


class Holder(Device):
    one = Cpt(Hooked)
    two = Cpt(Hooked)
    three = Cpt(Hooked)


def test_pause_resume_stop_reach_children() -> None:
    dev = Holder(name="h")
    dev.pause()
    dev.resume()
    dev.stop(success=True)
    for child in (dev.one, dev.two, dev.three):
        assert child.calls == ["pause", "resume", "stop(success=True)"]


def test_stop_tries_every_child_and_bundles_failures() -> None:
    dev = Holder(name="h")
    dev.one.fail_stop = True
    dev.three.fail_stop = True
    with pytest.raises(ExceptionBundle) as info:
        dev.stop()
    assert [str(e) for e in info.value.exceptions] == ["h_one would not stop", "h_three would not stop"]
    assert "h_one would not stop" in str(info.value)
    for child in (dev.one, dev.two, dev.three):
        assert child.calls == ["stop(success=False)"]
