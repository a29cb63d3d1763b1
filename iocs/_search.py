"""Echo the client's sequence number in caproto's reply to a search datagram, which caproto 1.3 gets wrong.

A CA client starts each search datagram with a VERSION message carrying a sequence number; the server's reply
must echo it. caproto always answers 1, so libca takes every reply after its first search pass for a stale
one: it never sees a fully answered pass, never speeds up, and paces searches at one ~1 KB datagram per ~30 ms.
That capped pyepics at ~1000 channel connections a second on our IOCs (pitfall 6); echoing the number lets
libca connect 1000 channels in ~0.3 s.
"""

from __future__ import annotations

from typing import Any

import caproto as ca
import caproto.server.common as _common

__all__ = ["echo_search_sequence"]


def echo_search_sequence() -> None:
    """Make caproto's server echo the search sequence number; call before the server runs."""
    original = _common.Context._broadcaster_queue_iteration
    if getattr(original, "_sophyd_echoes_sequence", False):
        return

    async def iteration(self: Any, addr: Any, commands: Any) -> Any:
        seq = next((c.header.parameter1 for c in commands if isinstance(c, ca.VersionRequest)), None)
        if seq is None:
            return await original(self, addr, commands)
        send = self.broadcaster.send

        def send_echoing_seq(*replies: Any) -> Any:
            for reply in replies:
                if isinstance(reply, ca.VersionResponse):
                    reply.header.parameter1 = seq
            return send(*replies)

        # The broadcaster handles one datagram at a time, so overriding send for this call is safe.
        self.broadcaster.send = send_echoing_seq
        try:
            return await original(self, addr, commands)
        finally:
            del self.broadcaster.send

    iteration._sophyd_echoes_sequence = True  # type: ignore[attr-defined]
    _common.Context._broadcaster_queue_iteration = iteration
