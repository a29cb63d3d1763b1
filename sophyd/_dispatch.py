"""Dispatcher threads: every callback sophyd runs for users runs here, never on a CA library's own thread.

Events are queued per key, up to ``BACKLOG`` of them: updates that arrive together (one TCP read can carry
several) all run, in order; beyond that a new one drops the oldest still waiting (a flood coalesces towards the
latest value), counted as dropped. Threads start on first use, so importing starts none.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["Dispatcher", "dispatchers", "get_dispatcher", "wait_event", "wake_waiters"]

logger = logging.getLogger("sophyd.dispatch")

_local = threading.local()

# After a callback that ran longer than _SLOW_CALLBACK seconds of CPU time, the dispatcher sleeps for
# _YIELD_SHARE of that time (at most _MAX_YIELD). A CA client thread needs the GIL for each update it hands
# over, and libca delivers the updates of one TCP read under one lock: without this pause a CPU-bound
# subscriber would leave it one update per GIL switch interval (5 ms), so put-completions queued behind a
# monitor flood would wait hundreds of milliseconds.
_SLOW_CALLBACK = 2e-4
_YIELD_SHARE = 0.25
_MAX_YIELD = 2e-3
#: Calls of one key that may wait to run. A subscriber slower than its updates lags by at most this many, and
#: the older ones are dropped; a burst of this many or fewer (a record changing several times at once) is kept.
BACKLOG = 10


class Dispatcher:
    """One worker thread that runs queued callables in order, coalescing floods of those with the same key."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._cond = threading.Condition()
        self._pending: OrderedDict[Hashable, deque[tuple[Callable[..., Any], tuple[Any, ...]]]] = (
            OrderedDict()
        )
        self._thread: threading.Thread | None = None
        self._counter = 0
        self._run_until_depth = 0  # run_until calls in progress in this dispatcher's thread
        self._stopping = False  # stop() asked the worker to end once the queue is empty
        self.dropped = 0  # calls dropped for newer ones of the same key before they ran

    def submit(self, fn: Callable[..., Any], *args: Any, key: Hashable | None = None) -> None:
        """Queue ``fn(*args)``; with a ``key``, after the calls of that key still queued, dropping the oldest
        of them when ``BACKLOG`` are (the latest value always runs)."""
        with self._cond:
            if key is None:
                self._counter += 1
                key = ("fifo", self._counter)
            queue = self._pending.get(key)
            if queue is None:
                self._pending[key] = deque(((fn, args),))
            else:
                if len(queue) >= BACKLOG:
                    queue.popleft()
                    self.dropped += 1
                queue.append((fn, args))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"sophyd-{self.name}", daemon=True)
                self._thread.start()
            self._cond.notify()

    @property
    def thread(self) -> threading.Thread | None:
        """The worker thread, or None while none runs (before the first call, or after ``stop``)."""
        return self._thread

    def is_current(self) -> bool:
        """Whether the calling thread is this dispatcher's worker thread."""
        return getattr(_local, "dispatcher", None) is self

    def stop(self, timeout: float | None = 10.0) -> bool:
        """Run what is queued, then end the worker thread; a later ``submit`` starts a new one.

        Returns False if the worker was still busy after ``timeout`` seconds. Raises RuntimeError from the
        worker thread itself, which cannot wait for its own end.
        """
        if self.is_current():
            raise RuntimeError(f"dispatcher {self.name!r} cannot stop itself from its own thread")
        with self._cond:
            thread = self._thread
            if thread is None:
                return True
            self._stopping = True
            self._cond.notify_all()
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self) -> None:
        _local.dispatcher = self
        while True:
            with self._cond:
                while not self._pending:
                    if self._stopping:
                        self._stopping = False
                        self._thread = None  # the next submit starts a new worker
                        return
                    self._cond.wait()
                fn, args = self._next()
            self._call(fn, args)

    def _next(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        """The first queued call (``_cond`` held, something queued); a key with more waiting goes to the back,
        so that one busy key never keeps the others waiting."""
        key, queue = next(iter(self._pending.items()))
        call = queue.popleft()
        if queue:
            self._pending.move_to_end(key)
        else:
            del self._pending[key]
        return call

    def _call(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        start = time.thread_time()  # CPU time: a callback that waits (I/O, sleep) leaves the interpreter free
        try:
            fn(*args)
        except Exception:
            logger.exception("Callback %r raised in dispatcher %r", fn, self.name)
        held = time.thread_time() - start
        if held > _SLOW_CALLBACK:
            # Let the CA client's threads have the interpreter for a while: they need it for every update
            # they deliver, and a callback that keeps it busy would otherwise starve them (see _YIELD_SHARE).
            time.sleep(min(held * _YIELD_SHARE, _MAX_YIELD))

    def run_until(self, event: threading.Event, timeout: float | None = None) -> bool:
        """From this dispatcher's own worker thread: keep running queued calls until ``event`` is set.

        A callback that waits for something only this dispatcher can deliver (a put-completion, the end of a
        settle time) would otherwise wait for itself. Returns False if ``timeout`` passed first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._run_until_depth += 1
        try:
            while True:
                with self._cond:
                    while not self._pending:
                        if event.is_set():
                            return True
                        remaining = None if deadline is None else deadline - time.monotonic()
                        if remaining is not None and remaining <= 0:
                            return False
                        self._cond.wait(remaining)  # woken by submit() or by wake_waiters()
                    fn, args = self._next()
                self._call(fn, args)
        finally:
            with self._cond:
                self._run_until_depth -= 1

    def wake(self) -> None:
        """Let a ``run_until`` in this dispatcher's thread look at its event again.

        An idle dispatcher is not woken: every Status completion calls this, and waking a thread that has
        nothing to do costs the caller a thread switch. A ``run_until`` that starts after the event was set
        sees it set before it waits, so skipping the wake-up when none is in progress loses nothing.
        """
        if self._run_until_depth:
            with self._cond:
                self._cond.notify_all()


_dispatchers: dict[str, Dispatcher] = {}
_lock = threading.Lock()


def get_dispatcher(name: str = "monitor") -> Dispatcher:
    """The shared dispatcher of a given name: ``'monitor'`` for value events, ``'control'`` for completions.

    Value floods go through ``'monitor'``; put-completions, connection changes and status callbacks go through
    ``'control'`` so that a slow monitor callback never delays them.
    """
    with _lock:
        if name not in _dispatchers:
            _dispatchers[name] = Dispatcher(name)
        return _dispatchers[name]


def dispatchers() -> list[Dispatcher]:
    """Every dispatcher made so far in this process."""
    with _lock:
        return list(_dispatchers.values())


def wake_waiters() -> None:
    """Call after setting an event that a dispatcher thread may be waiting on with ``wait_event``."""
    with _lock:
        dispatchers = list(_dispatchers.values())
    for dispatcher in dispatchers:
        dispatcher.wake()


def wait_event(event: threading.Event, timeout: float | None = None) -> bool:
    """``event.wait(timeout)`` that cannot deadlock when called from a dispatcher thread (see ``run_until``)."""
    dispatcher: Dispatcher | None = getattr(_local, "dispatcher", None)
    if dispatcher is None or event.is_set():
        return event.wait(timeout)
    return dispatcher.run_until(event, timeout)
