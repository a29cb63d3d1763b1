"""StallWatch: when get_many reads a server's PVs one after another, and when concurrently again."""

from __future__ import annotations

from sophyd.control._stall import CONFIRM, MAX_IN_TURN, REPROBE, STALL_GAP, StallWatch

QUICK = [0.0, 0.0002, 0.0004]
STALLED = [0.0, 0.0002 + STALL_GAP + 0.01, 0.0004 + STALL_GAP + 0.01]


def test_a_server_goes_in_turn_after_stalled_batches_in_a_row() -> None:
    watch = StallWatch()
    for _ in range(CONFIRM - 1):
        watch.observe("s", STALLED)
        assert not watch.read_in_turn("s", 3)
    watch.observe("s", STALLED)
    assert watch.read_in_turn("s", 3)
    assert not watch.read_in_turn("other", 3)  # per server


def test_a_quick_batch_between_stalls_resets_the_count() -> None:
    watch = StallWatch()
    for _ in range(CONFIRM * 2):
        watch.observe("s", STALLED)
        watch.observe("s", QUICK)
    assert not watch.reads_in_turn("s")


def test_single_reads_large_batches_and_unknown_servers_stay_concurrent() -> None:
    watch = StallWatch()
    watch.mark("s", in_turn=True)
    assert not watch.read_in_turn("s", 1)
    assert not watch.read_in_turn("s", MAX_IN_TURN + 1)
    assert not watch.read_in_turn(None, 3)
    watch.observe(None, STALLED)  # no error, nothing learnt


def test_a_server_read_in_turn_is_probed_concurrently_again() -> None:
    watch = StallWatch()
    watch.mark("s", in_turn=True)
    assert all(watch.read_in_turn("s", 3) for _ in range(REPROBE))
    assert not watch.read_in_turn("s", 3)  # the probe
    watch.observe("s", QUICK)  # it no longer stalls
    assert not watch.read_in_turn("s", 3)
    watch.observe("s", STALLED)  # one stalled batch is enough for a server that stalled before
    assert watch.read_in_turn("s", 3)
