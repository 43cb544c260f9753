"""Budget workbooks from templates: the library API under ``costlib generate``.

This layer presents a plan (:mod:`costlib.plan`): it lays it out, writes the file safely
and recalculates it in a spreadsheet engine; it computes nothing of its own.

>>> from costlib.workbook import generate
>>> generate("budget", {"months": 12}, "/tmp/costlib-doctest-budget.xlsx", force=True) in ("written", "replaced", "unchanged")
True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import InputError, InputTypeError

from ..plan import Template, load_template, resolve_inputs

__all__ = ["generate", "render", "FileExistsCostlibError", "is_unedited"]


def render(template: str | Template, overrides: dict[str, Any] | None = None) -> bytes:
    """The workbook for ``template`` with ``overrides`` as reproducible .xlsx bytes."""
    from .writer import build_workbook, workbook_bytes  # openpyxl loads here, not at import

    t = template if isinstance(template, Template) else load_template(template)
    values = resolve_inputs(t, overrides)
    return workbook_bytes(build_workbook(t, values))


def generate(template: str | Template, overrides: dict[str, Any] | None, path: str | os.PathLike,
             force: bool = False) -> str:
    """Write the workbook of ``template`` to ``path``; returns "written", "replaced" or "unchanged".

    Inputs are checked before anything is written; a bad input raises an InputError naming
    it and no file is created. See :func:`costlib.workbook.files.write_workbook` for the
    rules on replacing an existing file.
    """
    from .files import write_workbook

    target = _output_path(path)
    if not isinstance(force, bool):
        raise InputTypeError(f"force must be True or False, got {force!r}", argument="force")
    if not isinstance(template, (str, os.PathLike, Template)):
        raise InputTypeError(f"template must be a template name, a .toml path or a Template, got {template!r:.60}",
                             argument="template")
    return write_workbook(render(template, overrides), target, force=force)


def _output_path(path: Any) -> Path:
    """``path`` as the .xlsx file to write, or an InputError saying what it must be."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path must be the .xlsx file to write, got {path!r:.60}", argument="path")
    text = os.fspath(path)
    if not text.strip():
        raise InputTypeError("path must be the .xlsx file to write, got an empty path", argument="path")
    if "\0" in text:
        raise InputTypeError(f"path must not hold a NUL character, got {text!r:.80}", argument="path")
    target = Path(text)
    if target.is_dir() or text.endswith(("/", os.sep)):
        raise InputError(f"path must be the .xlsx file to write, got the folder {text!r:.80}", argument="path")
    if target.suffix.lower() != ".xlsx":
        raise InputError(f"path must end in .xlsx, got {text!r:.80}", argument="path")
    return target


def __getattr__(name: str):
    if name in ("FileExistsCostlibError", "is_unedited"):
        from . import files

        return getattr(files, name)
    raise AttributeError(f"module 'costlib.workbook' has no attribute {name!r}")
