"""``python -m sophyd --version`` prints sophyd's version, as ``python -m ophyd --version`` prints classic's.

It lets a script or an issue report find out which sophyd an environment has without importing it by hand;
the demo and the catalog server have their own entry points (``python -m sophyd.sim``, ``sophyd.catalog``).
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Sequence

from . import __version__

__all__ = ["main"]


def main(args: Sequence[str] | None = None) -> None:
    """Parse ``args`` (default: the command line): ``--version`` prints the version and exits, ``-h`` helps."""
    parser = ArgumentParser(prog="python -m sophyd", description="sophyd: synchronous EPICS devices.")
    parser.add_argument("--version", action="version", version=__version__)
    parser.parse_args(args)


if __name__ == "__main__":
    main()
