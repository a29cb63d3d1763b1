"""sophyd.log: classic ophyd's logging helpers (config_ophyd_logging / set_handler / get_handler) for sophyd."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import run_json_script

import sophyd
from sophyd import Status
from sophyd.log import LogFormatter, config_ophyd_logging, config_sophyd_logging, get_handler, set_handler

LINE = re.compile(r"^\[(?P<level>[DIWEC]) \d\d:\d\d:\d\d\.\d{3} (?P<module>\w+):\d+\] (?P<message>.*)$")


@pytest.fixture
def sophyd_logger() -> Iterator[logging.Logger]:
    """The 'sophyd' logger, given back with its level and without the handlers a test added."""
    logger = logging.getLogger("sophyd")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    for handler in logger.handlers:
        if handler not in handlers:
            logger.removeHandler(handler)
    logger.setLevel(level)


def test_import_installs_no_handler() -> None:
    result = run_json_script(
        "import json, logging, sophyd\n"
        "print(json.dumps([len(logging.getLogger(n).handlers) for n in ('sophyd', 'sophyd.objects', '')]))"
    )
    assert result == [0, 0, 0]


def test_classic_names_are_one_function() -> None:
    assert config_ophyd_logging is config_sophyd_logging
    assert set_handler is config_sophyd_logging
    assert sophyd.set_handler is config_sophyd_logging


def test_handler_prints_sophyd_records(sophyd_logger: logging.Logger) -> None:
    stream = io.StringIO()
    handler = config_sophyd_logging(file=stream, color=False, level="DEBUG")
    assert get_handler() is handler
    assert handler in sophyd_logger.handlers
    assert sophyd_logger.getEffectiveLevel() == logging.DEBUG

    def failing_callback(status: Status) -> None:
        raise RuntimeError("callback broke")

    st = Status()
    st.add_callback(failing_callback)
    st.set_finished()  # sophyd logs the raising callback on 'sophyd.status'
    lines = stream.getvalue().splitlines()
    match = LINE.match(lines[0])
    assert match is not None, lines
    assert match["level"] == "E" and match["module"] == "status"
    assert "failing_callback" in match["message"]
    assert any("RuntimeError: callback broke" in line for line in lines[1:])
    assert all(line.startswith("    ") for line in lines[1:])  # the traceback is indented under its record


def test_a_new_call_replaces_the_handler(sophyd_logger: logging.Logger, tmp_path: Path) -> None:
    first = config_sophyd_logging(file=io.StringIO(), level="INFO")
    path = tmp_path / "sophyd.log"
    second = set_handler(file=str(path), color=False, level=logging.WARNING)
    assert first not in sophyd_logger.handlers
    assert second in sophyd_logger.handlers and get_handler() is second
    logging.getLogger("sophyd.objects").warning("to the file")
    logging.getLogger("sophyd.objects").info("below the handler's level")
    second.flush()
    text = path.read_text()
    assert "to the file" in text and "below" not in text
    assert isinstance(second.formatter, LogFormatter)


def test_color_and_levels(sophyd_logger: logging.Logger) -> None:
    stream = io.StringIO()
    config_sophyd_logging(file=stream, color=True, level="warning")
    logging.getLogger("sophyd.epics").warning("coloured")
    assert "\033[33m[W " in stream.getvalue()
    with pytest.raises(ValueError, match="level"):
        config_sophyd_logging(level="LOUD")
