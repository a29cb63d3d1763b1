"""Classic ophyd's control-layer namespace (``ophyd.cl``, ``ophyd.get_cl()``) over sophyd's control layers.

Classic code calls ``cl.caget``, ``cl.caput``, ``cl.get_pv``, ``cl.release_pvs``, ``cl.thread_class``,
``cl.get_dispatcher()``, ``cl.setup`` and ``cl.name``. Here they are methods of the control layer's name
(``ControlLayerName``, what ``sophyd.get_cl()`` and ``sophyd.cl`` return), working through that layer's
``Backend``: a ``cl.caget`` on the ``mock`` layer reads a mock PV, on ``caproto`` caproto's client.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

from .._dispatch import Dispatcher, dispatchers, get_dispatcher
from . import get_backend
from ._classic_pv import CONNECTION_TIMEOUT, PV, get_pv, release_pvs

__all__ = ["ControlLayerName", "DispatcherThreadContext", "EventDispatcher"]

#: Classic's dispatcher thread names, by the sophyd dispatcher that does their job.
_THREADS = {
    "monitor": "monitor",
    "metadata": "control",
    "get_put": "control",
    **{f"util{i}": "utility" for i in range(4)},
}


class DispatcherThreadContext:
    """Runs a function in one dispatcher's thread, as classic's ``EventDispatcher.get_thread_context(name)``.

    Classic code uses it to run work where the callbacks of that kind run: directly when already there,
    else queued for that thread.
    """

    def __init__(self, dispatcher: Dispatcher, event_type: str) -> None:
        self.dispatcher = dispatcher
        self.event_type = event_type

    def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Call ``func(*args, **kwargs)`` now when in the dispatcher's thread, else queue it there."""
        if self.dispatcher.is_current():
            func(*args, **kwargs)
        else:
            self.dispatcher.submit(functools.partial(func, *args, **kwargs))

    __call__ = run


class EventDispatcher:
    """Classic ophyd's event dispatcher interface over sophyd's dispatcher threads (``cl.get_dispatcher()``).

    sophyd runs every callback on its own dispatcher threads, started on first use: ``'monitor'`` for value
    updates, ``'control'`` for connection changes and put completions, and ``'utility'`` for the tasks
    ``schedule_utility_task`` queues (classic's ``metadata``/``get_put`` threads map to ``'control'``, its
    ``util0`` to ``util3`` map to ``'utility'``).
    """

    def __repr__(self) -> str:
        return f"<EventDispatcher threads={sorted(self.threads)}>"

    @property
    def threads(self) -> dict[str, threading.Thread]:
        """The running dispatcher threads, by dispatcher name."""
        return {d.name: thread for d in dispatchers() if (thread := d.thread) is not None}

    def is_alive(self) -> bool:
        """Whether any dispatcher thread runs."""
        return any(thread.is_alive() for thread in self.threads.values())

    def stop(self, timeout: float | None = 10.0) -> None:
        """Run the queued callbacks, then end the dispatcher threads (they start again when next needed).

        Raises TimeoutError naming the dispatchers still busy after ``timeout`` seconds, and RuntimeError, before
        stopping any, when called from a dispatcher thread.
        """
        running = dispatchers()
        for dispatcher in running:  # refused before any stops: one thread cannot wait for its own end
            if dispatcher.is_current():
                raise RuntimeError(
                    f"stop() called from dispatcher thread {dispatcher.name!r}, which cannot end itself"
                )
        busy = [d.name for d in running if not d.stop(timeout)]
        if busy:
            raise TimeoutError(f"dispatcher thread(s) {busy} still ran a callback after {timeout} s")

    def schedule_utility_task(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``callback(*args, **kwargs)`` on the utility thread (for work that may block, e.g. reads)."""
        get_dispatcher("utility").submit(functools.partial(callback, *args, **kwargs))

    def get_thread_context(self, name: str) -> DispatcherThreadContext:
        """The context that runs functions in classic's thread ``name`` (``'monitor'``, ``'metadata'``,
        ``'get_put'``, ``'util0'`` to ``'util3'``)."""
        if name not in _THREADS:
            raise KeyError(f"no dispatcher thread {name!r}; classic's are {sorted(_THREADS)}")
        return DispatcherThreadContext(get_dispatcher(_THREADS[name]), name)


_dispatcher = EventDispatcher()


class ControlLayerName(str):
    """The name of a control layer, with classic ophyd's control-layer functions (``ophyd.cl``) on it.

    ``sophyd.get_cl()`` and ``sophyd.cl`` return it: it compares equal to the name (``get_cl() == 'pyepics'``),
    and has classic's ``name``, ``caget``, ``caput``, ``get_pv``, ``release_pvs``, ``thread_class``,
    ``get_dispatcher`` and ``setup``, which work through that control layer.
    """

    __slots__ = ()

    #: The thread class classic code starts its helper threads with.
    thread_class = threading.Thread

    @property
    def name(self) -> str:
        """The control layer's name (classic ophyd's ``get_cl().name``)."""
        return str(self)

    def get_pv(self, pvname: str, *args: Any, **kwargs: Any) -> PV:
        """The PV object of ``pvname`` on this control layer (one per name and form until released), with
        pyepics' ``PV`` calls; the arguments are pyepics' ``get_pv``'s (``form``, ``connect``, ``timeout``,
        ``connection_callback``, ``access_callback``, ``callback``, ``count``, ``auto_monitor``).

        Callbacks given here are added to it. With ``connect``, waits up to ``timeout`` seconds for the
        connection and raises ConnectionTimeoutError naming the PV if none comes.
        """
        return get_pv(get_backend(self), pvname, *args, **kwargs)

    def caget(
        self,
        pvname: str,
        as_string: bool = False,
        count: int | None = None,
        as_numpy: bool = True,
        use_monitor: bool = True,
        timeout: float = 5.0,
        connection_timeout: float = CONNECTION_TIMEOUT,
    ) -> Any:
        """The value of ``pvname``, as pyepics' ``caget`` (same arguments); the PV object stays for later calls.

        Where pyepics returns None, raises: ConnectionTimeoutError when the PV does not connect within
        ``connection_timeout``, ReadTimeoutError when the server does not answer within ``timeout``.
        """
        pv = self.get_pv(pvname, connect=True, timeout=connection_timeout)
        return pv.get(
            count=count, as_string=as_string, as_numpy=as_numpy, timeout=timeout, use_monitor=use_monitor
        )

    def caput(
        self,
        pvname: str,
        value: Any,
        wait: bool = False,
        timeout: float | None = 60.0,
        connection_timeout: float = CONNECTION_TIMEOUT,
    ) -> int:
        """Write ``value`` to ``pvname``, as pyepics' ``caput``; with ``wait``, until the server finished
        processing it (at most ``timeout`` seconds). Returns 1, as pyepics on success.

        Where pyepics returns None or a negative number, raises: ConnectionTimeoutError (no connection),
        PutFailedError (the server refused the put), TimeoutError (no completion in time), each naming the PV.
        """
        pv = self.get_pv(pvname, connect=True, timeout=connection_timeout)
        return pv.put(value, wait=wait, timeout=timeout)

    def release_pvs(self, *pvs: PV) -> None:
        """Give back PVs got from ``get_pv``: their callbacks stop and their channels are released."""
        release_pvs(*pvs)

    def get_dispatcher(self) -> EventDispatcher:
        """The event dispatcher: sophyd's callback threads behind classic's ``EventDispatcher`` interface."""
        return _dispatcher

    def setup(self, logger: logging.Logger) -> EventDispatcher:
        """Classic's ``cl.setup(logger)``; sophyd needs no setup (its threads start on first use), so this only
        returns the dispatcher."""
        logger.debug("control layer %s needs no setup", self)
        return _dispatcher
