"""The beacon watcher's rule for a restarted server (sophyd.control._beacons), without a network."""

from __future__ import annotations

from sophyd.control._beacons import RESTART_WINDOW, BeaconWatcher

SERVER = ("127.1.2.3", 5064)


def watcher_with_log() -> tuple[BeaconWatcher, list[tuple[str, int]]]:
    watcher = BeaconWatcher()
    heard: list[tuple[str, int]] = []
    watcher._listeners.append(heard.append)  # no thread: on_beacon is called directly below
    return watcher, heard


def test_a_restart_is_a_beacon_counter_that_starts_over() -> None:
    watcher, heard = watcher_with_log()
    watcher.on_beacon(SERVER, 500, 100.0)  # first heard: it may have just started
    heard.clear()
    watcher.on_beacon(SERVER, 501, 100.0 + RESTART_WINDOW + 1)  # steady: nothing to do
    assert heard == []
    watcher.on_beacon(SERVER, 0, 200.0)  # the counter started over: the server restarted
    watcher.on_beacon(SERVER, 1, 200.5)  # and its next beacons, while it may still be starting
    watcher.on_beacon(SERVER, 2, 200.0 + RESTART_WINDOW + 0.1)  # after the window: quiet again
    assert heard == [SERVER, SERVER]


def test_a_server_silent_for_long_counts_as_restarted() -> None:
    watcher, heard = watcher_with_log()
    watcher.on_beacon(SERVER, 7, 0.0)
    heard.clear()
    watcher.on_beacon(SERVER, 8, 60.0)  # a counter that went on, but after a long silence
    assert heard == [SERVER]
