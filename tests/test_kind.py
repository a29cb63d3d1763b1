"""Kind: the IntFlag that decides where a component's data goes."""

from __future__ import annotations

import pytest

from sophyd import Kind, Signal


def test_values() -> None:
    assert int(Kind.omitted) == 0
    assert int(Kind.normal) == 1
    assert int(Kind.config) == 2
    assert int(Kind.hinted) == 5


def test_hinted_includes_normal() -> None:
    assert Kind.hinted & Kind.normal == Kind.normal
    assert not Kind.config & Kind.normal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("omitted", Kind.omitted),
        ("normal", Kind.normal),
        ("config", Kind.config),
        ("hinted", Kind.hinted),
        ("hinted|config", Kind.hinted | Kind.config),
        (" config | normal ", Kind.config | Kind.normal),
    ],
)
def test_strings_accepted(text: str, expected: Kind) -> None:
    assert Kind.coerce(text) == expected
    assert Signal(name="s", kind=text).kind == expected


def test_kind_and_int_accepted() -> None:
    assert Kind.coerce(Kind.config) is Kind.config
    assert Kind.coerce(7) == Kind.hinted | Kind.config
    assert Signal(name="s", kind=Kind.config).kind == Kind.config


@pytest.mark.parametrize("bad", ["bogus", "hinted|bogus", "Config", ""])
def test_bad_strings_raise_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="Unknown kind"):
        Kind.coerce(bad)
    with pytest.raises(ValueError):
        Signal(name="s", kind=bad)


@pytest.mark.parametrize("bad", [1.5, None, True, object()])
def test_bad_types_raise_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        Kind.coerce(bad)  # type: ignore[arg-type]


def test_kind_setter_accepts_strings() -> None:
    sig = Signal(name="s")
    sig.kind = "config"
    assert sig.kind == Kind.config
    with pytest.raises(ValueError):
        sig.kind = "nope"
