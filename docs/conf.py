"""Sphinx configuration: MyST Markdown pages, the example notebooks as tutorials, and an API reference.

The API reference is generated at build time from ``__all__`` of ``sophyd`` and of its public submodules, so a
name added to the library appears in the reference without editing a page. Each object is documented once, under
the shortest public path that exports it.

The tutorials are the notebooks of ``examples/``, copied into ``tutorials/notebooks/`` when the build starts.
``SOPHYD_DOCS_NOTEBOOKS`` names a directory of executed copies to render instead (the test suite passes the
notebooks it has just run, so the site shows the outputs of an executed run); Sphinx never executes them itself.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import shutil
from pathlib import Path

from sphinx.pycode import ModuleAnalyzer

import sophyd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

project = "sophyd"
author = "the sophyd developers"
copyright = "2026, the sophyd developers"
release = sophyd.__version__

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "furo"
html_title = "sophyd"
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "off"
nb_merge_streams = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
# Type hints name classes of bluesky, event-model and the standard library that this site does not document.
nitpicky = False
suppress_warnings = ["myst.header"]
# The API pages document hundreds of classes (classic's areaDetector cameras and plugins); as entries of the
# table of contents they made every page's navigation tree, and the build, several seconds slower.
toc_object_entries = False


def _public_modules() -> list[str]:
    """``sophyd`` and every submodule whose dotted path has no part starting with an underscore."""
    names = ["sophyd"]
    for info in pkgutil.walk_packages(sophyd.__path__, "sophyd."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return sorted(names, key=lambda n: (n.count("."), n))


def _entry(modname: str, name: str, obj: object) -> str:
    """The reST directive that documents ``obj`` as ``modname.name``."""
    if inspect.isclass(obj):
        return f".. autoclass:: {modname}.{name}\n   :members:\n   :show-inheritance:\n"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return f".. autofunction:: {modname}.{name}\n"
    # A constant is documented by its ``#:`` comment; without one, autodoc would show the docstring of its type.
    if ("", name) in ModuleAnalyzer.for_module(modname).find_attr_docs():
        return f".. autodata:: {modname}.{name}\n"
    return f".. py:data:: {name}\n   :value: {obj!r}\n"


def _write_api_pages() -> None:
    """One page per public module listing the names it is the shortest public home of."""
    home: dict[int, str] = {}  # id of a documented class or function -> its documented path
    aliases: set[tuple[int, str]] = set()
    pages: list[tuple[str, list[str]]] = []
    for modname in _public_modules():
        module = importlib.import_module(modname)
        lines: list[str] = []
        exported = getattr(module, "__all__", ())
        for name in exported:
            obj = getattr(module, name)
            documentable = inspect.isclass(obj) or inspect.isfunction(obj)
            canonical = getattr(obj, "__name__", name)
            if documentable and name != canonical and canonical in exported:
                # A short alias (Cpt, DDC): one line pointing at the documented class, once per alias name.
                if (id(obj), name) not in aliases:
                    aliases.add((id(obj), name))
                    target = home.get(id(obj), f"{modname}.{canonical}")
                    lines.append(f".. py:data:: {name}\n\n   Another name for :obj:`{target}`.\n")
                continue
            if documentable and id(obj) in home:
                continue
            if documentable:
                home[id(obj)] = f"{modname}.{name}"
            lines.append(_entry(modname, name, obj))
        if lines:
            pages.append((modname, lines))
    out = HERE / "api"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    toc = []
    for modname, lines in pages:
        doc = (inspect.getdoc(importlib.import_module(modname)) or "").split("\n\n")[0]
        body = "\n".join(lines)
        (out / f"{modname}.rst").write_text(
            f"{modname}\n{'=' * len(modname)}\n\n{doc}\n\n.. currentmodule:: {modname}\n\n{body}\n",
            encoding="utf-8",
        )
        toc.append(f"   {modname}")
    (out / "index.rst").write_text(
        "API reference\n=============\n\nEverything users import, generated from the docstrings. Names exported "
        "by ``sophyd`` itself are documented there; each submodule page lists what only it exports.\n\n"
        ".. toctree::\n   :maxdepth: 1\n\n" + "\n".join(toc) + "\n",
        encoding="utf-8",
    )


def _copy_notebooks() -> None:
    source = Path(os.environ.get("SOPHYD_DOCS_NOTEBOOKS") or ROOT / "examples")
    out = HERE / "tutorials" / "notebooks"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for notebook in sorted(source.glob("*.ipynb")):
        shutil.copy2(notebook, out / notebook.name)


_write_api_pages()
_copy_notebooks()
