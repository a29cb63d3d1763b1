"""Classic ophyd's small general helpers from ``ophyd/utils/__init__.py``, for code that imports them from there."""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

__all__ = [
    "DO_NOT_USE",
    "OrderedDefaultDict",
    "doc_annotation_forwarder",
    "ducks_from_namespace",
    "enum",
    "getattrs",
    "instances_from_namespace",
    "underscores_to_camel_case",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def enum(**enums: Any) -> type:
    """A class named ``Enum`` whose attributes are the keyword arguments (``enum(A=1).A == 1``).

    Classic ophyd's pre-``enum.Enum`` idiom; new code should use the standard library's ``enum``.
    """
    return type("Enum", (object,), enums)


class OrderedDefaultDict(OrderedDict):
    """An OrderedDict that, like ``collections.defaultdict``, makes a missing key's value with ``default_factory``.

    ``default_factory`` must be callable or None (then a missing key raises KeyError); copies, deep copies and
    pickles keep it.
    """

    def __init__(self, default_factory: Callable[[], Any] | None = None, *args: Any, **kwargs: Any) -> None:
        if default_factory is not None and not callable(default_factory):
            raise TypeError(f"first argument must be callable or None, not {default_factory!r}")
        super().__init__(*args, **kwargs)
        self.default_factory = default_factory

    def __missing__(self, key: Any) -> Any:
        if self.default_factory is None:
            raise KeyError(key)
        self[key] = value = self.default_factory()
        return value

    def __reduce__(self) -> Any:
        args = () if self.default_factory is None else (self.default_factory,)
        return type(self), args, None, None, iter(self.items())

    def copy(self) -> OrderedDefaultDict:
        """A shallow copy with the same ``default_factory``."""
        return self.__copy__()

    def __copy__(self) -> OrderedDefaultDict:
        return type(self)(self.default_factory, self)

    def __deepcopy__(self, memo: dict[int, Any]) -> OrderedDefaultDict:
        return type(self)(self.default_factory, copy.deepcopy(list(self.items()), memo))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.default_factory}, {super().__repr__()})"


def doc_annotation_forwarder(base_klass: type) -> Callable[[_F], _F]:
    """Decorate a method to take the docstring and annotations of ``base_klass``'s method of the same name.

    For an override that only adds behaviour, so help() shows the base class's documentation.
    """

    def wrapper(f: _F) -> _F:
        base_func = getattr(base_klass, f.__name__)
        f.__doc__ = base_func.__doc__
        f.__annotations__ = base_func.__annotations__
        return f

    return wrapper


def _user_namespace(ns: dict[str, Any] | None) -> dict[str, Any]:
    """``ns``, or the running IPython session's user namespace without names that start with ``_``."""
    if ns is not None:
        return ns
    shell: Any = None
    try:
        from IPython import get_ipython
    except ImportError:  # IPython is not a dependency of sophyd: then no session can be running
        pass
    else:
        shell = get_ipython()
    if shell is None:
        raise RuntimeError("no IPython session is running: pass the namespace to search as ns=")
    return {key: value for key, value in shell.user_ns.items() if not key.startswith("_")}


def instances_from_namespace(
    classes: type | tuple[type, ...], *, ns: dict[str, Any] | None = None
) -> list[Any]:
    """The values in ``ns`` (default: the IPython user namespace) that are instances of ``classes``.

    ``classes`` is what ``isinstance`` takes: a class or a tuple of classes. Handy at the prompt, e.g. every
    EpicsMotor the startup files made.
    """
    return [value for value in _user_namespace(ns).values() if isinstance(value, classes)]


def ducks_from_namespace(attrs: str | Iterable[str], *, ns: dict[str, Any] | None = None) -> list[Any]:
    """The values in ``ns`` (default: the IPython user namespace) that have every attribute in ``attrs``.

    Duck typing: for example ``ducks_from_namespace(['trigger', 'read'])`` finds everything a plan can count.
    """
    names = [attrs] if isinstance(attrs, str) else list(attrs)
    return [value for value in _user_namespace(ns).values() if all(hasattr(value, a) for a in names)]


def underscores_to_camel_case(underscores: str) -> str:
    """``'abc_def_ghi'`` -> ``'AbcDefGhi'``: each part capitalized (a name without parts only capitalized)."""
    if "_" in underscores and underscores.strip("_") != "":
        return "".join(part.capitalize() for part in underscores.split("_"))
    return underscores.capitalize()


def getattrs(obj: Any, gen: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """``(attr, getattr(obj, attr))`` for each attribute name in ``gen``."""
    for attr in gen:
        yield attr, getattr(obj, attr)


class DO_NOT_USE:
    """A sentinel: a default value that means "not given", distinct from None."""
