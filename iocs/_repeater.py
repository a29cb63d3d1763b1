"""A Channel Access repeater on one loopback address: hands server beacons to the clients registered with it.

Clients learn from beacons that an IOC (re)started and search again at once instead of waiting out their
search back-off; libca spawns a ``caRepeater`` executable for this, which pyepics wheels do not ship (hence
its "Unable to start CA Repeater" warnings). caproto's repeater binds to 0.0.0.0 and keeps one server per
port number, so it drops the beacons of all but one of several IOCs that each listen on port 5064 of their
own loopback address; this one forwards every beacon.

EPICS base's RSRV leaves the address field of its beacons empty for the repeater to fill in from the sender,
and on loopback every datagram comes from 127.0.0.1, whatever 127.x.y.z the IOC listens on: the clients would
hear every IOC as one server at 127.0.0.1. So each IOC sends its beacons to its own address, where this
repeater also listens (``--beacon-addresses``), and the address a beacon arrived at names its IOC. Run as
``python -m sophyd_iocs._repeater --port PORT --beacon-addresses A B ...``; ``sophyd.sim.launch_iocs`` starts one
per IOC set.
"""

from __future__ import annotations

import argparse
import selectors
import socket

import caproto as ca

from sophyd_iocs._run import exit_with_parent

__all__ = ["serve"]

_MAX_DATAGRAM = 65535


def serve(sock: socket.socket, beacon_socks: list[socket.socket]) -> None:
    """Answer registrations on ``sock`` and forward the beacons arriving on any socket to every registered
    client, forever."""
    broadcaster = ca.Broadcaster(our_role=ca.SERVER)
    clients: set[tuple[str, int]] = set()
    selector = selectors.DefaultSelector()
    for each in [sock, *beacon_socks]:
        selector.register(each, selectors.EVENT_READ)
    while True:
        ready = [key.fileobj for key, _ in selector.select()]
        for readable in ready:
            assert isinstance(readable, socket.socket)
            _handle(sock, readable, broadcaster, clients)


def _handle(
    sock: socket.socket, readable: socket.socket, broadcaster: ca.Broadcaster, clients: set[tuple[str, int]]
) -> None:
    """Read one datagram from ``readable``: register its sender, or forward its beacons from ``sock``."""
    data, addr = readable.recvfrom(_MAX_DATAGRAM)
    try:
        commands = broadcaster.recv(data, addr)
    except Exception:
        return  # not Channel Access: ignore it
    if not commands:  # a zero-length datagram also registers (as libca's repeater accepts)
        commands = [ca.RepeaterRegisterRequest(addr[0])]
    beacons = []
    for command in commands:
        if isinstance(command, ca.RepeaterRegisterRequest):
            if addr not in clients:
                print(f"client {addr[0]}:{addr[1]} registered", flush=True)
            clients.add(addr)
            sock.sendto(bytes(ca.RepeaterConfirmResponse(addr[0])), addr)
        elif isinstance(command, ca.Beacon):
            if command.header.parameter2 == 0:
                # The server left its address for us to fill in. It sent to its own address (where
                # ``readable`` listens), whatever source address the kernel gave the datagram.
                host = readable.getsockname()[0] if readable is not sock else addr[0]
                command.header.parameter2 = ca.ipv4_to_int32(host)
            beacons.append(bytes(command))
    if beacons:
        payload = b"".join(beacons)
        for client in list(clients):
            try:
                sock.sendto(payload, client)
            except OSError:
                clients.discard(client)


def main() -> None:
    """Bind to ``--host``:``--port`` and serve until killed (or until the launching process is gone)."""
    parser = argparse.ArgumentParser(description="Channel Access repeater on one address")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--beacon-addresses", nargs="*", default=[], help="where IOCs send their beacons")
    args = parser.parse_args()
    exit_with_parent()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.host, args.port))
    beacon_socks = []
    for address in args.beacon_addresses:
        beacon_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        beacon_sock.bind((address, args.port))
        beacon_socks.append(beacon_sock)
    print(f"repeater on {args.host}:{args.port}, beacons on {args.beacon_addresses}", flush=True)
    serve(sock, beacon_socks)


if __name__ == "__main__":
    main()
