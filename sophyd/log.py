"""Logging setup for interactive use: one handler on the ``'sophyd'`` logger, replaced on each call.

sophyd logs under ``'sophyd'`` and its children (``'sophyd.objects'`` for subscription callbacks that raised,
``'sophyd.status'``, ``'sophyd.epics'``, ``'sophyd.dispatch'``, ...). Importing sophyd installs no handler;
``config_sophyd_logging()`` (alias ``config_ophyd_logging`` and ``set_handler``, classic ophyd's names) adds
one that prints ``[L HH:MM:SS.mmm module:line] message`` lines.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

__all__ = [
    "LogFormatter",
    "config_ophyd_logging",
    "config_sophyd_logging",
    "get_handler",
    "logger",
    "set_handler",
]

#: The logger every sophyd logger descends from.
logger = logging.getLogger("sophyd")

PLAIN_LOG_FORMAT = "[%(levelname)1.1s %(asctime)s.%(msecs)03d %(module)s:%(lineno)d] %(message)s"
COLOR_LOG_FORMAT = (
    "%(color)s[%(levelname)1.1s %(asctime)s.%(msecs)03d %(module)s:%(lineno)d]%(end_color)s %(message)s"
)

#: ANSI colour of the ``[...]`` prefix per level: blue, green, yellow, red.
_COLORS = {logging.DEBUG: 34, logging.INFO: 32, logging.WARNING: 33, logging.ERROR: 31, logging.CRITICAL: 31}

_current_handler: logging.Handler | None = None


class LogFormatter(logging.Formatter):
    """Formats ``[L HH:MM:SS.mmm module:line] message``; colours the prefix by level when ``color`` is true.

    Multi-line messages and tracebacks are indented so that each record stays one visual block.
    """

    def __init__(self, fmt: str = COLOR_LOG_FORMAT, datefmt: str = "%H:%M:%S", color: bool = True) -> None:
        super().__init__(fmt=fmt, datefmt=datefmt)
        self._color = color

    def format(self, record: logging.LogRecord) -> str:
        code = _COLORS.get(record.levelno) if self._color else None
        record.color = f"\033[{code}m" if code else ""
        record.end_color = "\033[0m" if code else ""
        return super().format(record).replace("\n", "\n    ")


def validate_level(level: str | int) -> int:
    """The numeric logging level for ``'DEBUG'``, ``'info'``, ``logging.WARNING``, ...; ValueError otherwise."""
    if isinstance(level, int):
        return level
    levelno = logging.getLevelName(str(level).upper())
    if not isinstance(levelno, int):
        raise ValueError(
            f"Unknown logging level {level!r}: use 'CRITICAL', 'ERROR', 'WARNING', 'INFO' or 'DEBUG'"
        )
    return levelno


def config_sophyd_logging(
    file: IO[str] | str | Any = sys.stdout,
    datefmt: str = "%H:%M:%S",
    color: bool = True,
    level: str | int = "WARNING",
) -> logging.Handler:
    """Log sophyd's messages of ``level`` and above to ``file`` (a stream or a file name); return the handler.

    Calling it again replaces the handler it added before. The ``'sophyd'`` logger's own level is lowered to
    ``level`` when it would filter those messages out.
    """
    global _current_handler
    levelno = validate_level(level)
    handler: logging.Handler = (
        logging.FileHandler(file) if isinstance(file, str) else logging.StreamHandler(file)
    )
    handler.setLevel(levelno)
    handler.setFormatter(
        LogFormatter(COLOR_LOG_FORMAT if color else PLAIN_LOG_FORMAT, datefmt=datefmt, color=color)
    )
    if _current_handler is not None:
        logger.removeHandler(_current_handler)
        _current_handler.close()
    logger.addHandler(handler)
    _current_handler = handler
    if logger.getEffectiveLevel() > levelno:
        logger.setLevel(levelno)
    return handler


#: Classic ophyd's names for :func:`config_sophyd_logging`.
config_ophyd_logging = config_sophyd_logging
set_handler = config_sophyd_logging


def get_handler() -> logging.Handler | None:
    """The handler added by the latest :func:`config_sophyd_logging` call, or None before the first."""
    return _current_handler
