"""Each template's default workbook, rendered once for the whole test run.

Rendering the budget takes about a second (it runs the Ranges sheet's 10,000 draws); the
core tier's tests that only read a default workbook share these instead of each rendering
its own. The workbooks are read-only to the tests: a test that edits one loads its own.
"""

from __future__ import annotations

import functools
import io

from openpyxl import load_workbook

from costlib.workbook import render


@functools.lru_cache(maxsize=None)
def default_bytes(name: str) -> bytes:
    """The bytes ``costlib.workbook.render(name)`` gives, rendered once."""
    return render(name)


@functools.lru_cache(maxsize=None)
def default_book(name: str):
    """The openpyxl workbook (formulas, not values) of :func:`default_bytes`; do not modify it."""
    return load_workbook(io.BytesIO(default_bytes(name)))
