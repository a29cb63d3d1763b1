"""Data at rest: every run saved to a tiled catalog, either an embedded one or a site's tiled server.

A beamline points :func:`connect_catalog` at its tiled server (``SOPHYD_TILED_URI`` and ``TILED_API_KEY``);
on a laptop, :func:`start_catalog` runs tiled's ``SimpleTiledServer`` (a SQLite catalog in a directory) in a
child process that listens on 127.0.0.1 only. :func:`subscribe_catalog` subscribes bluesky's ``TiledWriter``
to a RunEngine, so every run's documents land in the catalog and the frames that detectors wrote to HDF5 are
registered from their files (not copied). ``python -m sophyd.catalog serve --directory D --readable R`` serves
a kept catalog again. Importing this module imports neither tiled nor bluesky-tiled-plugins (the ``tiled``
extra): they load when a function needs them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlparse

from .paths import user_data_dir

__all__ = [
    "API_KEY_ENV",
    "URI_ENV",
    "CatalogServer",
    "connect_catalog",
    "default_catalog_dir",
    "serve_command",
    "start_catalog",
    "subscribe_catalog",
]

#: The environment variable naming an existing tiled server, e.g. ``http://tiled.example.org:8000``.
URI_ENV = "SOPHYD_TILED_URI"
#: The environment variable holding the API key for that server (tiled's own name for it).
API_KEY_ENV = "TILED_API_KEY"

_READY = "sophyd catalog ready: "


def default_catalog_dir() -> Path:
    """Where the embedded catalog is kept: ``catalog`` in the per-user data directory."""
    return user_data_dir() / "catalog"


def _require_tiled() -> None:
    """Raise ``ModuleNotFoundError`` naming the extra to install when tiled or its bluesky writer is missing."""
    for module in ("tiled", "bluesky_tiled_plugins"):
        if importlib.util.find_spec(module) is None:
            raise ModuleNotFoundError(
                f"saving runs to a catalog needs {module}: install sophyd's tiled extra (pip install 'sophyd[tiled]')",
                name=module,
            )


def serve_command(directory: str | Path, readable: Sequence[str | Path] = ()) -> list[str]:
    """The command that serves the catalog in ``directory`` with the detector files under ``readable``."""
    command = [sys.executable, "-m", "sophyd.catalog", "serve", "--directory", str(directory)]
    for path in readable:
        command += ["--readable", str(path)]
    return command


class CatalogServer:
    """An embedded tiled server running in a child process on 127.0.0.1; stop it with :meth:`stop`.

    Made by :func:`start_catalog`. ``uri`` (with the API key in its query) and ``api_key`` are known once
    :meth:`wait_ready` has returned.
    """

    def __init__(self, process: subprocess.Popen[bytes], directory: Path, readable: tuple[Path, ...]) -> None:
        self._process = process
        self.pid = process.pid
        self.directory = directory
        self.readable = readable
        self.uri = ""
        self.api_key = ""

    @property
    def address(self) -> str:
        """The server's base address without the API key, e.g. ``http://127.0.0.1:40123``."""
        parsed = urlparse(self.uri)
        return f"{parsed.scheme}://{parsed.netloc}"

    @property
    def running(self) -> bool:
        """Whether the server process is still running."""
        return self._process.poll() is None

    @property
    def log(self) -> Path:
        """The file that receives the server process's own error output."""
        return self.directory / "serve.log"

    def wait_ready(self, timeout: float = 60.0) -> CatalogServer:
        """Wait until the server answers (it prints its address); stop it and raise if it fails or times out."""
        if self.uri:
            return self
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        line = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in line:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise TimeoutError(
                    f"the tiled server (pid {self.pid}) was not ready within {timeout} s{self._tail()}"
                )
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.stop()
                    raise RuntimeError(
                        f"the tiled server (pid {self.pid}) exited before it was ready{self._tail()}"
                    )
                line += chunk
        text = line.decode().split("\n", 1)[0].strip()
        if not text.startswith(_READY):
            self.stop()
            raise RuntimeError(f"the tiled server (pid {self.pid}) printed {text!r}{self._tail()}")
        ready = json.loads(text[len(_READY) :])
        self.uri, self.api_key = ready["uri"], ready["api_key"]
        return self

    def _tail(self) -> str:
        try:
            return "; its log ends:\n" + "\n".join(self.log.read_text().splitlines()[-20:])
        except OSError:
            return ""

    def client(self) -> Any:
        """A tiled client of this catalog (its root node), for reading runs and for the TiledWriter."""
        from tiled.client import from_uri

        self.wait_ready()
        return from_uri(self.address, api_key=self.api_key, trust_env=False)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server: SIGTERM to its PID, then SIGKILL if it has not exited within ``timeout``."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout)
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> CatalogServer:
        return self.wait_ready()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return (
            f"<CatalogServer pid={self.pid} {self.address or '(starting)'} directory={str(self.directory)!r}>"
        )


def start_catalog(
    directory: str | Path | None = None,
    readable: Sequence[str | Path] = (),
    *,
    timeout: float = 60.0,
    wait: bool = True,
) -> CatalogServer:
    """Start an embedded tiled server in a child process, with its catalog kept in ``directory``.

    ``directory`` defaults to :func:`default_catalog_dir`; ``readable`` lists the directories of the detector
    files the catalog may register and serve. The server listens on 127.0.0.1 at a free port and stops when
    :meth:`CatalogServer.stop` is called or when this process exits (its stdin closes). With ``wait=False``
    the call returns at once, so that something else can start meanwhile; call ``wait_ready`` before use.
    """
    _require_tiled()
    where = Path(directory if directory is not None else default_catalog_dir()).absolute()
    where.mkdir(parents=True, exist_ok=True)
    paths = tuple(Path(p).resolve() for p in readable)
    with (where / "serve.log").open("ab") as log:
        process = subprocess.Popen(
            [*serve_command(where, paths), "--stop-on-eof"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,  # Ctrl-C in the terminal interrupts the scan, not the catalog
        )
    server = CatalogServer(process, where, paths)
    return server.wait_ready(timeout) if wait else server


def connect_catalog(uri: str | None = None, api_key: str | None = None) -> Any:
    """A tiled client of an existing server: ``uri`` or ``$SOPHYD_TILED_URI``, ``api_key`` or ``$TILED_API_KEY``.

    This is how a beamline keeps its runs in the site's catalog. Raises ``ValueError`` when no address is given.
    """
    _require_tiled()
    from tiled.client import from_uri

    address = uri or os.environ.get(URI_ENV)
    if not address:
        raise ValueError(f"no tiled server address: pass uri= or set {URI_ENV} (and {API_KEY_ENV})")
    return from_uri(address, api_key=api_key or os.environ.get(API_KEY_ENV) or None)


def subscribe_catalog(RE: Any, client: Any, *, batch_size: int = 1) -> int:
    """Subscribe a ``TiledWriter`` writing into ``client`` to the RunEngine ``RE``; return the token.

    ``batch_size=1`` writes each event as it comes, so a run is readable while it runs and an aborted run keeps
    every event it emitted.
    """
    from bluesky_tiled_plugins import TiledWriter

    token: int = RE.subscribe(TiledWriter(client, batch_size=batch_size))
    return token


def _serve(directory: Path, readable: list[Path], stop_on_eof: bool) -> None:
    """Run SimpleTiledServer until SIGTERM or SIGINT (or EOF on stdin), after printing the ready line."""
    from tiled.server import SimpleTiledServer

    stop = threading.Event()
    handler: Callable[[int, Any], None] = lambda signum, frame: stop.set()  # noqa: E731
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    server = SimpleTiledServer(directory, readable_storage=[str(p) for p in readable] or None)
    try:
        print(_READY + json.dumps({"uri": server.uri, "api_key": server.api_key}), flush=True)
        if not stop_on_eof:
            print(f"serving {directory} at {server.uri}; stop with Ctrl-C", flush=True)
        else:

            def stop_at_eof() -> None:
                sys.stdin.read()
                stop.set()

            threading.Thread(target=stop_at_eof, daemon=True).start()
        stop.wait()
    finally:
        server.close()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m sophyd.catalog serve``: serve a catalog directory on 127.0.0.1 until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sophyd.catalog", description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the catalog kept in a directory")
    serve.add_argument("--directory", type=Path, default=None, help="catalog directory (default: per-user)")
    serve.add_argument("--readable", type=Path, action="append", default=[], help="a directory of data files")
    serve.add_argument(
        "--stop-on-eof", action="store_true", help="stop when stdin closes (used by the parent)"
    )
    args = parser.parse_args(argv)
    _serve(args.directory or default_catalog_dir(), args.readable, args.stop_on_eof)


if __name__ == "__main__":
    main()
