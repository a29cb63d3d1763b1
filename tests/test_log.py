"""sophyd.log: classic ophyd's logging helpers (config_ophyd_logging, set_handler, current_handler, LogFormatter)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import run_json_script

import sophyd
from sophyd import Cpt, Device, Signal, Status
from sophyd.log import (
    LogFormatter,
    config_ophyd_logging,
    config_sophyd_logging,
    get_handler,
    set_handler,
    validate_level,
)

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


def test_color_and_levels(sophyd_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sophyd.log, "_stderr_supports_color", lambda: True)  # as on a colour terminal
    stream = io.StringIO()
    config_sophyd_logging(file=stream, color=True, level="warning")
    logging.getLogger("sophyd.epics").warning("coloured")
    assert stream.getvalue().startswith("\033[33m[W ")
    assert "]\033[0m coloured" in stream.getvalue()
    with pytest.raises(ValueError, match="level"):
        config_sophyd_logging(level="LOUD")


def test_no_colour_unless_stderr_is_a_terminal(sophyd_logger: logging.Logger) -> None:
    """As in classic ophyd: colour codes only when standard error is a terminal (here pytest captures it)."""
    stream = io.StringIO()
    config_sophyd_logging(file=stream, color=True, level="WARNING")
    logging.getLogger("sophyd.epics").warning("plain")
    assert "\033" not in stream.getvalue()
    assert LINE.match(stream.getvalue().rstrip("\n")) is not None


def test_current_handler_and_loggers_have_classic_names(sophyd_logger: logging.Logger) -> None:
    handler = config_ophyd_logging(file=io.StringIO())
    assert sophyd.log.current_handler is handler is get_handler()
    assert isinstance(handler, logging.StreamHandler)
    assert sophyd.log.logger is sophyd_logger
    assert sophyd.log.control_layer_logger.name == "sophyd.control_layer"
    assert validate_level("info") == logging.INFO


def test_formatter_defaults_are_classic() -> None:
    """LogFormatter() alone formats as classic's: date and time to the second, no milliseconds."""
    record = logging.LogRecord("sophyd.x", logging.INFO, __file__, 7, "hello %s", ("there",), None)
    record.created = 0.0
    line = LogFormatter().format(record)
    assert re.fullmatch(r"\[I \d{6} \d\d:\d\d:\d\d test_log:7\] hello there", line), line


def test_object_logs_name_the_object(sophyd_logger: logging.Logger) -> None:
    """``obj.log`` records show ``[name]`` before the message: devices, signals and statuses alike."""

    class Stage(Device):
        x = Cpt(Signal, value=0.0)

    stream = io.StringIO()
    config_sophyd_logging(file=stream, color=False, level="DEBUG")
    stage = Stage(name="stage")
    stage.log.info("homing")
    stage.x.control_layer_log.debug("put %s", 1.0)
    status = Status()
    status.log.warning("slow")
    lines = [LINE.match(line) for line in stream.getvalue().splitlines()]
    assert [m["message"] if m else None for m in lines] == [
        "[stage] homing",
        "[stage_x] put 1.0",
        f"[{status}] slow",
    ]
    assert logging.getLogger("sophyd.objects").isEnabledFor(logging.DEBUG)
    status.set_finished()
    status.log.info("done")  # the status is named as it is when the record is formatted
    assert stream.getvalue().splitlines()[-1].endswith(f"[{status}] done")
    assert "done=True" in str(status)
