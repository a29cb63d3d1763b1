"""Logging setup for interactive use: one handler on the ``'sophyd'`` logger, replaced on each call.

sophyd logs under ``'sophyd'`` and its children (``'sophyd.objects'`` for subscription callbacks that raised,
``'sophyd.control_layer'``, ``'sophyd.status'``, ``'sophyd.epics'``, ``'sophyd.dispatch'``, ...). Importing
sophyd installs no handler; ``config_sophyd_logging()`` (alias ``config_ophyd_logging`` and ``set_handler``,
classic ophyd's names) adds one that prints ``[L HH:MM:SS.mmm module:line] [object] message`` lines, where
``[object]`` names the device, signal or status whose ``.log`` made the record.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from typing import IO, Any, Literal

__all__ = [
    "LogFormatter",
    "config_ophyd_logging",
    "config_sophyd_logging",
    "control_layer_logger",
    "get_handler",
    "logger",
    "set_handler",
    "validate_level",
]

#: The logger every sophyd logger descends from.
logger = logging.getLogger("sophyd")
#: Where signals log what they ask of the control layer (``obj.control_layer_log``).
control_layer_logger = logging.getLogger("sophyd.control_layer")

#: The format :func:`config_sophyd_logging` uses with ``color=False``.
plain_log_format = "[%(levelname)1.1s %(asctime)s.%(msecs)03d %(module)s:%(lineno)d] %(message)s"
#: The format :func:`config_sophyd_logging` uses with ``color=True``: the ``[...]`` prefix is coloured by level.
color_log_format = (
    "%(color)s[%(levelname)1.1s %(asctime)s.%(msecs)03d %(module)s:%(lineno)d]%(end_color)s %(message)s"
)

#: The handler added by the latest :func:`config_sophyd_logging` call (None before the first), as in classic.
current_handler: logging.Handler | None = None


def _stderr_supports_color() -> bool:
    """Whether standard error is a terminal that shows colours (classic ophyd's test for colouring logs)."""
    try:
        if not sys.stderr.isatty():
            return False
        import curses

        curses.setupterm()
        return bool(curses.tigetnum("colors") > 0)
    except Exception:  # no curses, no terminfo entry, a replaced stderr: plain text is always safe
        return False


class LogFormatter(logging.Formatter):
    """Formats sophyd's records, naming the object a record is about and colouring the prefix by level.

    A record made through an object's ``.log`` (a device, a signal, a status) gets ``[its name]`` in front of
    its message. With ``color=True`` the text between ``%(color)s`` and ``%(end_color)s`` is coloured, but only
    when standard error is a colour terminal, as in classic ophyd, so that files and captured output stay plain.
    Multi-line messages and tracebacks are indented so that each record stays one visual block.
    """

    DEFAULT_FORMAT = "%(color)s[%(levelname)1.1s %(asctime)s %(module)s:%(lineno)d]%(end_color)s %(message)s"
    DEFAULT_DATE_FORMAT = "%y%m%d %H:%M:%S"
    #: Terminal colour number per level: blue, green, yellow, red.
    DEFAULT_COLORS: Mapping[int, int] = {
        logging.DEBUG: 4,
        logging.INFO: 2,
        logging.WARNING: 3,
        logging.ERROR: 1,
    }

    def __init__(
        self,
        fmt: str = DEFAULT_FORMAT,
        datefmt: str = DEFAULT_DATE_FORMAT,
        style: Literal["%", "{", "$"] = "%",
        color: bool = True,
        colors: Mapping[int, int] = DEFAULT_COLORS,
    ) -> None:
        super().__init__(fmt=fmt, datefmt=datefmt, style=style)
        use_color = color and _stderr_supports_color()
        self._colors = {level: f"\033[3{code}m" for level, code in colors.items()} if use_color else {}
        self._normal = "\033[0m" if use_color else ""

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The record's line, with the object's name in front of the message and the level's colour."""
        tag = getattr(record, "ophyd_object_name", None)
        if tag is None and hasattr(record, "status"):
            tag = record.status
        if tag is not None:
            record.message = f"[{tag}] {record.message}"
        color = self._colors.get(record.levelno, "")
        record.color = color
        record.end_color = self._normal if color else ""
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        """The record with its traceback, continuation lines indented under the first."""
        return super().format(record).replace("\n", "\n    ")


class _TaggedLog:
    """``obj.log``: a LoggerAdapter of ``target`` whose records carry ``tag(obj)``, which LogFormatter shows.

    Made on access, so no object carries one it never uses and a renamed object logs its new name; an
    instance attribute of the same name (code that assigns ``self.log``) takes precedence, as this descriptor
    defines no ``__set__``.
    """

    def __init__(self, target: logging.Logger, tag: Callable[[Any], dict[str, Any]]) -> None:
        self._target = target
        self._tag = tag

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return logging.LoggerAdapter(self._target, self._tag(obj))


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
    ``level`` when it would filter those messages out. The handler is also ``sophyd.log.current_handler``.
    """
    global current_handler
    levelno = validate_level(level)
    handler: logging.Handler = (
        logging.FileHandler(file) if isinstance(file, str) else logging.StreamHandler(file)
    )
    handler.setLevel(levelno)
    handler.setFormatter(LogFormatter(color_log_format if color else plain_log_format, datefmt=datefmt))
    if current_handler is not None:
        logger.removeHandler(current_handler)
        current_handler.close()
    logger.addHandler(handler)
    current_handler = handler
    if logger.getEffectiveLevel() > levelno:
        logger.setLevel(levelno)
    return handler


#: Classic ophyd's names for :func:`config_sophyd_logging`.
config_ophyd_logging = config_sophyd_logging
set_handler = config_sophyd_logging


def get_handler() -> logging.Handler | None:
    """The handler added by the latest :func:`config_sophyd_logging` call, or None before the first."""
    return current_handler
