"""A proposed caproto-server fix for the simulated IOCs, for ``bench_epics.py --ioc-fixes`` only.

Run as ``python bench/_ioc_fixes.py iocs.testioc --prefix ... --interfaces ...``: applies the fix below to
caproto's server, then runs the IOC module as ``__main__``. Nothing here is used by sophyd or by the IOCs
unless this wrapper starts them; it is a candidate for ``iocs/`` (as ``iocs/_search.py`` was: the search
sequence fix it once carried now runs in every IOC).

``batch_responses``: caproto's circuit loop sends one TCP segment (one ``transport.write`` = one
``send()``) per request; for 100 concurrent reads that syscall is ~45 % of the IOC's busy time. Processing
every request already queued before sending their responses together cuts the IOC's CPU per 100-read
``Device.read()`` from ~29 ms to ~19 ms and the client's from ~16 ms to ~8 ms. (Prototype: review the
ordering and back-pressure semantics before adopting it.)
"""

from __future__ import annotations

import os
import runpy
import sys
from typing import Any

import caproto.server.common as common

FIXES = ("batch_responses",)
_BATCH_MAX = 64  # responses per send at most


def fix_batch_responses() -> None:
    """Answer all requests already queued on a circuit with one send (at most ``_BATCH_MAX`` responses)."""
    disconnected, loop_exit = common.DisconnectedCircuit, common.LoopExit

    async def command_queue_loop(self: Any) -> None:
        ready = self.write_event.set()
        if ready is not None:
            await ready
        queue = self.command_queue
        try:
            while True:
                command = await queue.get()
                responses: list[Any] = []
                while True:
                    response = await self._command_queue_iteration(command)
                    if response is not None:
                        responses.extend(response)
                    if len(responses) >= _BATCH_MAX or queue.empty():
                        break
                    command = queue.get_nowait()
                if responses:
                    await self.send(*responses)
                await self._wake_new_command()
        except disconnected:
            await self._on_disconnect()
            self.circuit.disconnect()
            await self.context.circuit_disconnected(self)
        except self.TaskCancelled:
            pass
        except loop_exit:
            pass

    common.VirtualCircuit.command_queue_loop = command_queue_loop


def apply(fixes: list[str]) -> None:
    for name in fixes:
        if name not in FIXES:
            raise ValueError(f"unknown IOC fix {name!r}; choose from {FIXES}")
        globals()[f"fix_{name}"]()


def main() -> None:
    module, rest = sys.argv[1], sys.argv[2:]
    apply([f for f in os.environ.get("SOPHYD_BENCH_IOC_FIXES", ",".join(FIXES)).split(",") if f])
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
