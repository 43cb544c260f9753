"""costlib's Excel functions: ``=TRAIN_COST(70E9, 15E12, 2)`` and its family.

One table, :data:`FUNCTIONS`, says which costlib function each Excel function calls and
which of its arguments Excel shows. Each argument's help is what the costlib function's own
docstring says of it (:func:`costlib.arguments.describe`: the one registry of argument
meanings, with the function's own readings), its default included; the function
descriptions come from costlib too, so nothing of the domain is written twice. The thin
layer below turns Excel's cells into arrays, calls costlib, and turns the result back
into cells:

- a single cell in every argument gives a single number;
- ranges broadcast like the library and the result spills (one call for 10,000 rows);
- bad input gives a short message naming the argument and the rule, never a traceback.
  In xlwings Lite and xlwings Server (Office.js) the function raises, which Excel shows as
  a real ``#VALUE!`` error with the message under the cell's error flag; in the classic
  desktop add-in the cell shows the message as text, led by the Excel error it stands for
  (``#NUM! mfu must be in (0, 1], got 1.4``).

The same module serves the classic add-in (Windows), xlwings Lite (``addin/lite``) and
xlwings Server: ``xlwings.func`` is the right decorator in each runtime.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import os
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Literal

import numpy as np
import xlwings as xw
from xlwings.conversion import Converter

import costlib
import costlib.arguments
from costlib.errors import CostlibError

#: Cell text for a result that does not exist (an infinite break-even volume), by default.
NO_BREAKEVEN = "no break-even: cost >= price"

#: The registry of argument meanings (name, unit, rule, meaning): each Excel function's
#: argument help is its costlib function's own resolved text, :func:`argument_help`.
ARGUMENTS = costlib.arguments.ARGUMENTS

#: Arguments that take text (names), not numbers: those the registry gives no numeric rule.
TEXT_ARGUMENTS = {name for name, argument in ARGUMENTS.items() if argument.rule is None}

#: Arguments that take one cell, not a range: each names one choice for the whole call.
SINGLE_CELL_ARGUMENTS = {"precision", "field", "tier", "model", "kind", "provider", "date", "service_tier"}

#: Error cells as the classic (COM) add-in hands them over: integer codes (xlwings's
#: ``_xlwindows.cell_errors``, Excel's CVErr values).
COM_ERRORS = {-2146826281: "#DIV/0!", -2146826246: "#N/A", -2146826259: "#NAME?", -2146826288: "#NULL!",
              -2146826252: "#NUM!", -2146826265: "#REF!", -2146826273: "#VALUE!"}


@dataclass(frozen=True)
class Function:
    """One Excel function: its name, the costlib callable and the arguments Excel shows."""

    name: str                      # Excel name, UPPER_SNAKE
    target: Callable[..., Any]     # the costlib function it calls
    arguments: tuple[str, ...]     # the target's parameters that Excel shows, in order
    pick: str | None = None        # attribute of the target's result to return
    description: str | None = None  # default: first line of the target's docstring
    infinite: str | Callable[[dict[str, Any]], str] | None = None
    # where the result is infinite: the reason (an #N/A error), from the cell's own arguments; None: #NUM!
    single_cell: tuple[str, ...] = ()  # arguments that take one cell here, beyond SINGLE_CELL_ARGUMENTS


def argument_help(spec: Function, name: str) -> str:
    """The help Excel shows for argument ``name`` of ``spec``: its costlib function's text and default."""
    return costlib.arguments.describe(spec.target, name, with_default=True)


def _no_breakeven(a: dict[str, Any]) -> str:
    return f"{NO_BREAKEVEN} (own cost {a['cost_per_unit']:g}, price {a['price_per_unit']:g})"


def _no_breakeven_after_decline(a: dict[str, Any]) -> str:
    price, cost = a["price_per_unit"], a["cost_per_unit"]
    if cost >= price:
        return f"{NO_BREAKEVEN} today (own cost {cost:g}, price {price:g})"
    later = price * (1 - a["annual_decline"]) ** a.get("years", 1.0)
    return (f"no break-even after the decline: the price falls to {later:.4g} in {a.get('years', 1.0):g} "
            f"years, at or below own cost {cost:g}")


def _no_utilization_breakeven(a: dict[str, Any]) -> str:
    cost, price = a["cost_per_m_tokens_at_full_load"], a["api_price_per_m_tokens"]
    if price <= 0:
        return "no break-even: the API price is 0"
    return f"never: full load costs {cost:g} per 1 M tokens, more than the API price {price:g}"


def _never_paid_back(a: dict[str, Any]) -> str:
    return f"never: the monthly saving is {a['monthly_saving']:g}, not positive"


FUNCTIONS: tuple[Function, ...] = (
    # Training
    Function("TRAIN_FLOPS", costlib.train_flops, ("params", "tokens", "flops_per_param_token")),
    Function("TRAIN_GPU_HOURS", costlib.train_gpu_hours, ("params", "tokens", "gpu", "mfu")),
    Function("TRAIN_COST", costlib.train_cost, ("params", "tokens", "price_per_gpu_hour", "gpu", "mfu")),
    Function("COMPUTE_GPU_HOURS", costlib.compute_gpu_hours, ("flops", "gpu", "mfu")),
    Function("ENERGY_COST", costlib.energy_cost, ("gpu_hours", "price_per_kwh", "gpu", "pue")),
    Function("PROGRAMME_CAPEX", costlib.programme_capex,
             ("final_run_cost", "research_multiplier", "failed_run_share", "data_preparation_share")),
    Function("MOE_ACTIVE_PARAMS", costlib.moe_active_params,
             ("shared_params", "expert_params", "experts_per_token", "experts")),
    Function("CHINCHILLA_TOKENS", costlib.chinchilla_tokens, ("params", "tokens_per_param")),
    Function("CHINCHILLA_LOSS", costlib.chinchilla_loss, ("params", "tokens")),
    Function("INFERENCE_OPTIMAL_PARAMS", costlib.inference_optimal,
             ("target_loss", "inference_tokens", "inference_cost_ratio"), pick="params",
             description="Model size [parameters] that minimises training plus lifetime inference cost "
                         "for a target loss (Sardana et al. 2024)."),
    Function("INFERENCE_OPTIMAL_TOKENS", costlib.inference_optimal,
             ("target_loss", "inference_tokens", "inference_cost_ratio"), pick="train_tokens",
             description="Training tokens [tokens] of the model that minimises training plus lifetime "
                         "inference cost for a target loss (Sardana et al. 2024)."),
    # Inference
    Function("WEIGHT_BYTES", costlib.weight_bytes, ("params", "precision")),
    Function("DECODE_TOKENS_PER_SECOND", costlib.decode_tokens_per_second,
             ("params", "gpu", "batch_size", "precision", "kv_cache_bytes_per_sequence", "gpus")),
    Function("PREFILL_SECONDS", costlib.prefill_seconds, ("params", "prompt_tokens", "gpu", "mfu")),
    Function("TOKEN_COST", costlib.token_cost, ("price_per_gpu_hour", "tokens_per_second", "utilization")),
    Function("SERVING_GPU_HOURS", costlib.serving_gpu_hours, ("tokens", "tokens_per_second", "utilization")),
    Function("API_COST_PER_QUERY", costlib.api_cost_per_query,
             ("input_tokens", "output_tokens", "input_price_per_m_tokens", "output_price_per_m_tokens",
              "cached_share", "cached_input_price_per_m_tokens")),
    Function("BLENDED_COST_PER_QUERY", costlib.blended_cost_per_query,
             ("large_model_cost", "small_model_cost", "small_model_share", "cache_hit_rate", "cache_hit_cost")),
    # Economics
    Function("AMORTIZED_COST_PER_M_TOKENS", costlib.amortized_cost_per_m_tokens,
             ("training_cost", "lifetime_tokens", "marginal_cost_per_m_tokens")),
    Function("BREAKEVEN", costlib.breakeven, ("fixed_cost", "price_per_unit", "cost_per_unit"),
             infinite=_no_breakeven),
    Function("BREAKEVEN_AFTER_DECLINE", costlib.breakeven_after_decline,
             ("fixed_cost", "price_per_unit", "cost_per_unit", "annual_decline", "years"),
             infinite=_no_breakeven_after_decline),
    Function("UTILIZATION_BREAKEVEN", costlib.utilization_breakeven,
             ("cost_per_m_tokens_at_full_load", "api_price_per_m_tokens"),
             infinite=_no_utilization_breakeven),
    Function("MONTHS_TO_BREAKEVEN", costlib.months_to_breakeven, ("fixed_cost", "monthly_saving"),
             infinite=_never_paid_back),
    Function("PRICE_AFTER_DECLINE", costlib.price_after_decline, ("price", "annual_decline", "years")),
    Function("MONTHLY_COGS", costlib.monthly_cogs, ("cost_per_query", "queries_per_user_per_month", "users")),
    Function("COGS_SHARE", costlib.cogs_share, ("cogs_per_user", "arpu")),
    Function("NEEDS_REDESIGN", costlib.needs_redesign, ("cogs_per_user", "arpu", "threshold")),
    Function("GROSS_MARGIN", costlib.gross_margin, ("revenue", "cogs")),
    # Catalogue
    Function("GPU_SPEC", costlib.gpu_spec, ("gpu", "field")),
    Function("GPU_PRICE", costlib.gpu_price, ("gpu", "tier"), single_cell=("gpu",)),
    Function("API_PRICE", costlib.api_price, ("model", "kind", "provider", "date", "service_tier")),
)


class CellError(Exception):
    """What a cell shows for bad input: a short message and the Excel error it stands for."""

    def __init__(self, message: str, excel_error: str = "#VALUE!"):
        super().__init__(message)
        self.excel_error = excel_error

    def __str__(self) -> str:
        return str(self.args[0])


def raises_errors() -> bool:
    """True in runtimes that show a raised exception as a real Excel error with its message.

    xlwings Lite runs in Pyodide (``sys.platform == "emscripten"``); xlwings Server sets
    ``XLWINGS_ON_SERVER=true``. The classic desktop add-in would show a raised exception
    as a traceback, so there a function returns the message as the cell's text instead.
    """
    return sys.platform == "emscripten" or os.environ.get("XLWINGS_ON_SERVER") == "true"


def _is_blank(value: Any) -> bool:
    # Pyodide >= 0.28 hands empty cells of a range over as a JsNull sentinel, not None
    return value is None or value == "" or type(value).__name__ == "JsNull"


def _is_error(value: Any) -> bool:
    """An Excel error value: a dict from Office.js, an integer code from the classic add-in."""
    return isinstance(value, dict) or (type(value) is int and value in COM_ERRORS)


def _describe(value: Any) -> str:
    if type(value) is int and value in COM_ERRORS:
        return f"the Excel value {COM_ERRORS[value]}"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, dict):  # Office.js: an error value or a data type in the cell
        return f"the Excel value {value.get('basicValue', value.get('type', '?'))}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"a date ({value:%Y-%m-%d})"
    return repr(value)


#: Numeric text as Excel's VALUE reads it (en-US): spaces, a currency sign, thousands
#: separators, a percent sign, a leading minus or accounting parentheses, an exponent.
_NUMERIC_TEXT = re.compile(r"""^(?P<open>\()?(?P<sign>[-+])?[$€£¥]?(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?
                               |\.\d+)(?:[eE](?P<exp>[-+]?\d+))?(?P<percent>%)?(?P<close>\))?$""", re.VERBOSE)


def _numeric_text(text: str) -> float | None:
    """``text`` as the number Excel's own functions read it as, or None where it is not one."""
    m = _NUMERIC_TEXT.match(text.replace("\u00a0", "").replace(" ", ""))
    if not m or bool(m["open"]) != bool(m["close"]) or (m["open"] and m["sign"]):
        return None
    number = float(m["number"].replace(",", "") + (f"e{m['exp']}" if m["exp"] else ""))
    if m["percent"]:
        number /= 100
    return -number if m["sign"] == "-" or m["open"] else number


#: A count of years above this is a date in the cell (Excel stores dates as days since
#: 1900: 1 January 2026 is 46023), not a plan's horizon; refused, never read as years.
MAX_YEARS = 200


def _coerce(name: str, value: Any) -> Any:
    """One cell's value as costlib takes it, or :class:`CellError` naming the argument.

    Follows Excel's own functions: Currency and Accounting cells (``Decimal`` in the
    classic add-in) are numbers; numeric text from imports ("1,000", "$2.50", "40%") is the
    number it shows; dates, TRUE/FALSE, error values and other text are refused.
    """
    text_argument = name in TEXT_ARGUMENTS
    if name == "date" and not _is_error(value) and not isinstance(value, (bool, np.bool_)):
        # a date cell: a datetime (classic add-in), a serial number (Office.js) or ISO text
        if isinstance(value, (dt.date, dt.datetime)):
            return value
        if isinstance(value, (int, float, np.integer, np.floating)) and 0 < value < 2958466:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        return value
    if _is_error(value) or isinstance(value, (bool, np.bool_)):
        raise CellError(f"{name} must be {'a name' if text_argument else 'a number'}, got {_describe(value)}")
    if isinstance(value, (dt.date, dt.datetime)):  # the classic add-in reads a date cell as a datetime
        what = "a number of years" if ARGUMENTS.get(name) and ARGUMENTS[name].unit == "years" else "a number"
        raise CellError(f"{name} must be {what}, got {_describe(value)}")
    if isinstance(value, Decimal):
        value = float(value)
    if text_argument:
        return value
    if isinstance(value, str):
        number = _numeric_text(value)
        if number is None:
            raise CellError(f"{name} must be a number, got {_describe(value)}")
        value = number
    if not isinstance(value, (int, float, np.integer, np.floating)):
        raise CellError(f"{name} must be a number, got {_describe(value)}")
    value = float(value)
    if ARGUMENTS.get(name) and ARGUMENTS[name].unit == "years" and value > MAX_YEARS:
        date = dt.date(1899, 12, 30) + dt.timedelta(days=int(value)) if value < 2958466 else None
        looks = f", which looks like a date ({date:%Y-%m-%d})" if date else ""
        raise CellError(f"{name} must be a number of years (at most {MAX_YEARS}), got {value:g}{looks}", "#NUM!")
    return value


_BLANK = object()   # a blank cell of an optional argument's range: that row takes the default


@dataclass
class _Argument:
    """One argument as read from Excel: a value, or an array with its cell-level problems."""

    value: Any                      # the scalar, or the array (problem cells hold a placeholder)
    single: bool
    problems: dict[tuple[int, int], CellError]
    blanks: set[tuple[int, int]]


def _rows(name: str, cells: Any) -> list[list[Any]]:
    if not isinstance(cells, (list, tuple)):
        cells = [[cells]]
    elif cells and not any(isinstance(r, (list, tuple)) for r in cells):
        cells = [cells]  # xlwings hands a one-row range over as a flat list: it is a row
    rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in cells]
    if not rows or not rows[0]:
        raise CellError(f"{name} is required, got an empty range")
    if any(len(r) != len(rows[0]) for r in rows):
        raise CellError(f"{name} must be a rectangular range")
    return rows


def _read(name: str, cells: Any, single_cell: bool, optional: bool, default: Any) -> _Argument:
    """Excel's cells for argument ``name`` (a value or a 2-D list) as costlib takes them.

    A single bad cell is an error of the whole call; in a range, each bad cell is a problem
    of its own row only, and a blank cell of an optional argument takes the default there.
    """
    rows = _rows(name, cells)
    if len(rows) == 1 and len(rows[0]) == 1:
        value = rows[0][0]
        if _is_blank(value):
            raise CellError(f"{name} is required, got a blank cell")
        return _Argument(_coerce(name, value), True, {}, set())
    if single_cell:
        raise CellError(f"{name} must be a single cell, got a range of {len(rows)}x{len(rows[0])} cells")
    text = name in TEXT_ARGUMENTS
    if not text:  # the fast path: a range of plain numbers is one numpy conversion
        flat = [v for r in rows for v in r]
        kinds = set(map(type, flat))
        if kinds <= {float} or (kinds <= {float, int} and not COM_ERRORS.keys() & set(flat)):
            return _Argument(np.array(rows, dtype=np.float64), False, {}, set())
    problems: dict[tuple[int, int], CellError] = {}
    blanks: set[tuple[int, int]] = set()
    fill = default if optional and _is_number(default) else (np.nan if not text else "")
    out = np.empty((len(rows), len(rows[0])), dtype=object if text else np.float64)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if _is_blank(value):
                if optional:
                    blanks.add((i, j))
                else:
                    problems[i, j] = CellError(f"{name} is required, got a blank cell")
                out[i, j] = fill
                continue
            try:
                out[i, j] = _coerce(name, value)
            except CellError as exc:
                problems[i, j] = exc
                out[i, j] = fill
    if blanks and _is_number(default):
        blanks = set()  # already filled with the numeric default: nothing left to do per row
    return _Argument(out, False, problems, blanks)


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
            and not _is_error(value))


class _NoValue(Exception):
    """A result that does not exist (an infinite break-even volume), with the reason why."""


def _to_cell(value: Any, spec: "Function", scalars: dict[str, Any] | None) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return str(value)  # not numpy's str_
    number = float(value)
    if math.isnan(number):
        raise CellError("the result is not a number", "#NUM!")
    if not math.isinf(number):
        return number
    if spec.infinite is None:
        raise CellError("the result is too large to show (infinite)", "#NUM!")
    reason = spec.infinite(scalars or {}) if callable(spec.infinite) else spec.infinite
    raise CellError(reason, "#N/A")


def _in_excel_terms(message: str) -> str:
    """costlib's 0-based ``at position (i, j)`` as the row and column of the range."""
    message = re.sub(r" at position \((\d+), (\d+)\)",
                     lambda m: f" at row {int(m[1]) + 1}, column {int(m[2]) + 1} of its range", message)
    if "do not broadcast" in message:  # shapes as ranges: rows x columns
        message = re.sub(r"(\w+) \((\d+), (\d+)\)", r"\1 \2x\3 cells", message)
    return message


def _call(spec: "Function", kwargs: dict[str, Any]) -> Any:
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow becomes inf: #NUM!
            result = spec.target(**kwargs)
    except CostlibError as exc:
        raise CellError(_in_excel_terms(str(exc)), exc.excel_error) from None
    return getattr(result, spec.pick) if spec.pick else result


def _shape(args: dict[str, _Argument]) -> tuple[int, int]:
    shapes = {n: a.value.shape for n, a in args.items() if not a.single}
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        shown = ", ".join(f"{n} {r}x{c} cells" for n, (r, c) in shapes.items())
        raise CellError(f"arguments do not broadcast to one shape: {shown}") from None


def _element(spec: "Function", args: dict[str, _Argument], shape: tuple[int, int], i: int, j: int) -> Any:
    """One cell of the result: its own arguments, its own value or its own error."""
    kwargs: dict[str, Any] = {}
    for name, a in args.items():
        if a.single:
            kwargs[name] = a.value
            continue
        r, c = (i if a.value.shape[0] > 1 else 0), (j if a.value.shape[1] > 1 else 0)
        if (r, c) in a.problems:
            problem = a.problems[r, c]
            return CellError(f"{problem} (row {r + 1}, column {c + 1} of its range)", problem.excel_error)
        if (r, c) in a.blanks:
            continue  # this row takes costlib's default
        value = a.value[r, c]
        kwargs[name] = value.item() if isinstance(value, np.generic) else value
    try:
        return _to_cell(np.asarray(_call(spec, kwargs)).reshape(-1)[0], spec, kwargs)
    except CellError as exc:
        return exc


def evaluate(spec: "Function", cells: tuple[Any, ...]) -> Any:
    """Call ``spec.target`` on Excel's ``cells``.

    Returns one value, or for ranges a 2-D list whose bad elements are :class:`CellError`
    instances (each cell its own value or its own error, as Excel's own functions do).
    Raises :class:`CellError` where the whole call fails: one bad single cell, shapes that
    do not fit, a single-cell result without a value.
    """
    defaults = _defaults(spec)
    args: dict[str, _Argument] = {}
    for name, value in zip(spec.arguments, cells):
        if _is_blank(value) or (isinstance(value, list) and len(value) == 1 and isinstance(value[0], list)
                                and len(value[0]) == 1 and _is_blank(value[0][0])):
            if name in defaults:
                continue  # an empty optional argument takes costlib's default
        args[name] = _read(name, value, name in SINGLE_CELL_ARGUMENTS or name in spec.single_cell,
                           name in defaults, defaults.get(name))
    if all(a.single for a in args.values()):
        scalars = {n: a.value for n, a in args.items()}
        return _to_cell(np.asarray(_call(spec, scalars)).reshape(-1)[0], spec, scalars)
    shape = _shape(args)
    if not any(a.problems or a.blanks for a in args.values()):
        try:
            result = np.broadcast_to(np.asarray(_call(spec, {n: a.value for n, a in args.items()})), shape)
        except CellError as exc:
            if "do not broadcast" in str(exc):
                raise
            result = None  # a bad element somewhere: find it, cell by cell
        if result is not None:
            if (result.dtype.kind == "f" and np.isfinite(result).all()) or result.dtype.kind == "b":
                return result.tolist()
            if result.dtype.kind in "OU" and not any(isinstance(v, float) and not math.isfinite(v)
                                                     for row in result.tolist() for v in row):
                return [[_to_cell(v, spec, None) for v in row] for row in result.tolist()]
    return [[_element(spec, args, shape, i, j) for j in range(shape[1])] for i in range(shape[0])]


@lru_cache(maxsize=None)  # once per function, not on every cell's call
def _defaults(spec: Function) -> dict[str, Any]:
    params = inspect.signature(spec.target).parameters
    return {n: params[n].default for n in spec.arguments if params[n].default is not inspect.Parameter.empty}


def _plain(text: str) -> str:
    """A docstring line as Excel shows it: no reStructuredText roles or literals."""
    text = re.sub(r":\w+:`~?([^`]+)`", lambda m: m[1].upper(), text)
    return text.replace("``", "")


class _Cells(Converter):
    """Return converter: results are already plain floats, text and booleans, so no per-cell
    conversion; a single value goes out as a 1x1 matrix, which Office.js functions return."""

    base_type = "raw"

    @staticmethod
    def read_value(value, options):
        return value

    @staticmethod
    def write_value(value, options):
        return value if isinstance(value, list) else [[value]]


#: The function category Excel's Insert Function dialog lists them under (classic add-in).
CATEGORY = "costlib"

#: Choice arguments and their values: a dropdown in Excel's formula bar (Office.js).
CHOICES: dict[str, tuple[str, ...]] = {
    "precision": tuple(costlib.BYTES_PER_PARAM),          # weight precisions (WEIGHT_BYTES, DECODE_...)
    "tier": tuple(costlib.catalogue.PRICE_TIERS),
    "kind": ("input", "cached_input", "cache_write", "output"),
    "service_tier": tuple(costlib.prices.SERVICE_TIERS),
}

#: What a classic (COM) add-in cell gets for an error. pywin32 cannot hand Excel a
#: VT_ERROR variant with a chosen code (its VT_ERROR conversion always writes
#: DISP_E_PARAMNOTFOUND, the "missing argument" marker), and xlwings has no error
#: converter for classic UDFs (xlwings issue #776). A NaN double is what Excel cannot
#: store in a cell: it shows #NUM!, which SUM, COUNT and MIN propagate instead of skipping.
#: The message: =COSTLIB_MESSAGE("TRAIN_COST", ...) with the same arguments.
ERROR_FOR_CLASSIC = float("nan")

#: Office.js error types, as xlwings itself returns an error inside an array
#: (``xlwings.pro._xlofficejs.errorstr_to_errortype``).
_OFFICE_JS_ERRORS = {"#DIV/0!": "Div0", "#N/A": "NotAvailable", "#NAME?": "Name", "#NULL!": "Null",
                     "#NUM!": "Num", "#REF!": "Ref", "#VALUE!": "Value"}


def error_cell(error: CellError) -> Any:
    """An error inside a spilled range, as the runtime hands Excel a real error value."""
    if raises_errors():
        return {"type": "Error", "errorType": _OFFICE_JS_ERRORS.get(error.excel_error, "Value")}
    return ERROR_FOR_CLASSIC


def as_cells(result: Any) -> Any:
    """:func:`evaluate`'s result with each bad element as a real Excel error of its own."""
    if isinstance(result, list):
        return [[error_cell(v) if isinstance(v, CellError) else v for v in row] for row in result]
    return result


def _make(spec: Function) -> Callable[..., Any]:
    target_params = inspect.signature(spec.target).parameters
    described = costlib.arguments.arguments_of(spec.target)
    missing = [n for n in spec.arguments if n not in target_params or n not in described]
    if missing:
        raise RuntimeError(f"{spec.name}: arguments {missing} are not parameters of "
                           f"{spec.target.__name__} or lack a description")

    def udf(*cells):
        try:
            return as_cells(evaluate(spec, cells))
        except CellError as exc:
            if raises_errors():
                raise
            return ERROR_FOR_CLASSIC
        except Exception as exc:  # a bug must still show a short message, not a traceback
            if raises_errors():
                raise CellError(f"{spec.name} failed: {exc}") from None
            return ERROR_FOR_CLASSIC

    # Excel shows costlib's defaults; an empty optional argument arrives as the default.
    udf.__signature__ = inspect.Signature([
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=target_params[n].default)
        for n in spec.arguments
    ])
    udf.__name__ = udf.__qualname__ = spec.name  # classic xlwings names the VBA function after it
    udf.__module__ = __name__
    udf.__doc__ = _plain(spec.description or (inspect.getdoc(spec.target) or "").splitlines()[0])
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


BY_NAME = {spec.name: spec for spec in FUNCTIONS}

#: What COSTLIB_MESSAGE says of a cell that has a value.
MESSAGE_OK = "ok"


def message(function: Any, *arguments: Any) -> Any:
    """Why each cell of ``=FUNCTION(arguments...)`` is an error: its message, or "ok".

    The same arguments as the function itself; a range gives one message per cell. In the
    classic add-in an error cell can only show #NUM! (see :data:`ERROR_FOR_CLASSIC`), so
    this is where its message is read.
    """
    name = _rows("function", function)[0][0]
    spec = BY_NAME.get(str(name).strip().upper()) if isinstance(name, str) else None
    if spec is None:
        raise CellError(f"function must be the name of a costlib function such as TRAIN_COST, got {_describe(name)}",
                        "#N/A")
    try:
        result = evaluate(spec, tuple(arguments) + (None,) * (len(spec.arguments) - len(arguments)))
    except CellError as exc:
        return str(exc)
    if isinstance(result, list):
        return [[str(v) if isinstance(v, CellError) else MESSAGE_OK for v in row] for row in result]
    return MESSAGE_OK


@xw.func(category=CATEGORY, cache=True)
@xw.arg("function", "raw", doc='The costlib function whose error to explain, as text: "TRAIN_COST"')
@xw.arg("arguments", "raw", doc="The same arguments as that function's cell, in the same order")
@xw.ret(_Cells)
def COSTLIB_MESSAGE(function, *arguments):
    """Why a costlib function's cell is an error: the message for each cell, or "ok"."""
    try:
        return message(function, *arguments)
    except CellError as exc:
        return str(exc)


def _shown_default(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def functions_markdown() -> str:
    """addin/README.md's table of the functions, generated from :data:`FUNCTIONS`."""
    lines = ["| Function | Result | Arguments (optional in [ ]) |", "|---|---|---|"]
    for spec in FUNCTIONS:
        defaults = _defaults(spec)
        shown = [f"[{n}={_shown_default(defaults[n])}]" if n in defaults else n for n in spec.arguments]
        lines.append(f"| `{spec.name}` | {globals()[spec.name].__doc__} | {', '.join(shown)} |")
    return "\n".join(lines) + "\n"


README_BEGIN = "<!-- functions: generated from costlib_udfs.FUNCTIONS by scripts/make_docs.py; do not edit -->"
README_END = "<!-- end of the generated functions -->"


def with_functions(text: str) -> str:
    """``text`` (addin/README.md) with its generated table of functions made current."""
    from costlib._generated import with_block

    return with_block(text, README_BEGIN, README_END, functions_markdown(), "addin/README.md")


__all__ = [f.name for f in FUNCTIONS] + ["COSTLIB_MESSAGE", "FUNCTIONS", "ARGUMENTS", "CellError", "evaluate", "argument_help",
                                         "functions_markdown"]
