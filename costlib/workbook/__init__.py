"""Budget workbooks from templates: the library API under ``costlib generate``.

>>> from costlib.workbook import generate
>>> generate("budget", {"months": 12}, "/tmp/costlib-doctest-budget.xlsx", force=True) in ("written", "replaced", "unchanged")
True
"""

from __future__ import annotations

import os
from typing import Any

from .template import Template, load_template, resolve_inputs, template_names

__all__ = ["generate", "render", "load_template", "resolve_inputs", "template_names", "Template",
           "FileExistsCostlibError", "is_unedited"]


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

    return write_workbook(render(template, overrides), path, force=force)


def __getattr__(name: str):
    if name in ("FileExistsCostlibError", "is_unedited"):
        from . import files

        return getattr(files, name)
    raise AttributeError(f"module 'costlib.workbook' has no attribute {name!r}")
