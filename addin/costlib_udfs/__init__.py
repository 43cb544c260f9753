"""costlib's Excel functions through xlwings: ``=TRAIN_COST(70E9, 15E12, 2)`` and its family.

A thin adapter. The table of functions and what a cell means (reading cells, broadcasting
ranges, one error code per condition, error passthrough) live in :mod:`costlib.excel`;
this module only registers each function with xlwings and hands the result to Excel in
the runtime's own representation:

- **xlwings Lite and xlwings Server (Office.js)**: an error is a real Excel error value,
  ``{"type": "Error", "errorType": ...}`` (xlwings's own representation), one per cell and
  the same code in a single cell as inside a range. A single-cell ``#VALUE!`` is raised
  instead, which Excel shows as ``#VALUE!`` with the message under the cell's error flag.
- **the classic desktop add-in (Windows, COM)**: the result holding an error is ``None``,
  which pywin32 hands Excel as a Null variant and Excel shows as ``#VALUE!``; no other error
  can be chosen there (addin/README.md, "Errors in the classic add-in", gives the evidence).
  ``=COSTLIB_MESSAGE("TRAIN_COST", ...)`` says why, in every runtime.

The same module serves the classic add-in, xlwings Lite (``costlib lite`` packs it through
the ``costlib.lite`` entry point, :func:`lite_bundle`) and xlwings Server.
"""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path
from typing import Any, Callable, Literal

import xlwings as xw
from xlwings.conversion import Converter

from costlib.excel import (BY_NAME, CHOICES, FUNCTIONS, CellError, Function, argument_help, evaluate,
                           message)

#: The function category Excel's Insert Function dialog lists them under (classic add-in).
CATEGORY = "costlib"

#: Office.js error types, as xlwings itself returns an error (``xlwings.pro._xlofficejs.errorstr_to_errortype``).
OFFICE_JS_ERROR_TYPES = {"#DIV/0!": "Div0", "#N/A": "NotAvailable", "#NAME?": "Name", "#NULL!": "Null",
                         "#NUM!": "Num", "#REF!": "Ref", "#VALUE!": "Value"}

#: What a classic (COM) add-in cell gets for an error: a Null variant, which Excel shows as #VALUE!.
ERROR_FOR_CLASSIC = None


def office_js() -> bool:
    """True in the Office.js runtimes: xlwings Lite (Pyodide, ``sys.platform == "emscripten"``)
    and xlwings Server (``XLWINGS_ON_SERVER=true``); False in the classic desktop add-in."""
    return sys.platform == "emscripten" or os.environ.get("XLWINGS_ON_SERVER") == "true"


def error_cell(error: CellError) -> Any:
    """``error`` as the runtime hands Excel an error value."""
    if office_js():
        return {"type": "Error", "errorType": OFFICE_JS_ERROR_TYPES.get(error.excel_error, "Value")}
    return ERROR_FOR_CLASSIC


def as_cells(result: Any) -> Any:
    """:func:`costlib.excel.evaluate`'s result with each bad element as the runtime's error value."""
    if isinstance(result, list):
        errors = getattr(result, "errors", None)
        if errors is None:
            errors = {(i, j) for i, row in enumerate(result) for j, v in enumerate(row) if isinstance(v, CellError)}
        result = list(result)  # a plain list: xlwings's conversion is slow on a list subclass
        for i in {i for i, _ in errors}:  # rows holding an error are rebuilt; the others are shared
            result[i] = [error_cell(v) if isinstance(v, CellError) else v for v in result[i]]
        return result
    return error_cell(result) if isinstance(result, CellError) else result


def _failed(error: CellError) -> Any:
    """A call that failed as a whole: raised where Office.js shows the message (#VALUE!), else its error value."""
    if office_js() and error.excel_error == "#VALUE!":
        raise error
    return error_cell(error)


class _Cells(Converter):
    """Return converter: results are already plain floats, text, booleans and error values, so
    no per-cell conversion; a single value goes out as a 1x1 matrix, which Office.js functions return."""

    base_type = "raw"

    @staticmethod
    def read_value(value, options):
        return value

    @staticmethod
    def write_value(value, options):
        return value if isinstance(value, list) else [[value]]


def _make(spec: Function) -> Callable[..., Any]:
    target_params = inspect.signature(spec.target).parameters

    def udf(*cells):
        try:
            return as_cells(evaluate(spec, cells))
        except CellError as exc:
            return _failed(exc)
        except Exception as exc:  # a bug must still show a short message, not a traceback
            return _failed(CellError(f"{spec.name} failed: {exc}"))

    # Excel shows costlib's defaults; an empty optional argument arrives as the default.
    udf.__signature__ = inspect.Signature([
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=target_params[n].default)
        for n in spec.arguments
    ])
    udf.__name__ = udf.__qualname__ = spec.name  # classic xlwings names the VBA function after it
    udf.__module__ = __name__
    udf.__doc__ = spec.description
    # choices as dropdowns (Office.js enums: xlwings reads a Literal annotation)
    udf.__annotations__ = {n: Literal[CHOICES[n]] for n in spec.arguments if n in CHOICES}
    udf = xw.func(category=CATEGORY, cache=True)(udf)  # pure: Lite and Server may cache a result
    for n in spec.arguments:
        udf = xw.arg(n, "raw", doc=argument_help(spec, n))(udf)  # raw: no per-cell conversion in xlwings
    udf = xw.ret(_Cells)(udf)
    # again, last: xw.arg and xw.ret re-apply xw.func without options, which resets cache
    return xw.func(category=CATEGORY, cache=True)(udf)


for _spec in FUNCTIONS:
    globals()[_spec.name] = _make(_spec)


@xw.func(category=CATEGORY, cache=True)
@xw.arg("function_name", "raw", doc='The costlib function whose error to explain, as text: "TRAIN_COST"')
@xw.arg("arguments", "raw", doc="The same arguments as that function's cell, in the same order")
@xw.ret(_Cells)
def COSTLIB_MESSAGE(function_name, *arguments):
    """Why a costlib function's cell is an error: the message for each cell, or "ok"."""
    try:
        return message(function_name, *arguments)
    except CellError as exc:
        return str(exc)


def lite_bundle() -> dict[str, Any]:
    """What ``costlib lite`` packs of this adapter (the ``costlib.lite`` entry point).

    ``files``: path inside the bundle -> text; ``star_import``: the module whose functions
    Lite registers.
    """
    here = Path(__file__)
    return {"files": {f"costlib_udfs/{here.name}": here.read_text(encoding="utf-8")}, "star_import": __name__}


__all__ = [f.name for f in FUNCTIONS] + ["COSTLIB_MESSAGE", "FUNCTIONS", "BY_NAME", "CellError", "evaluate",
                                         "argument_help", "lite_bundle"]
