"""costlib's Excel functions, free of any Excel runtime: the table and the cell semantics.

One table, :data:`FUNCTIONS`, says which costlib function each Excel function
(``=TRAIN_COST(70E9, 15E12, 2)``) calls and which of its arguments Excel shows. Each
argument's help is what the costlib function's own docstring says of it
(:func:`costlib.arguments.describe`: the one registry of argument meanings); the
descriptions come from costlib's docstrings too, so nothing of the domain is written twice.

The rest of this module is what a worksheet function means, whatever runs it:

- cells are read as Excel's own functions read them (:func:`read_cell`): numbers,
  Currency cells (``Decimal``), numeric text from imports, data-type values
  (``{"type": "FormattedNumber", "basicValue": 2.5}``); dates, TRUE/FALSE and other text
  are refused naming the argument;
- an Excel error value in an argument passes through as itself: ``#N/A`` in gives
  ``#N/A`` out, so ``IFNA`` around a lookup-fed call works;
- ranges broadcast like the library, one call for the whole range (:func:`evaluate`);
  whole columns cost what their used rows cost and give blanks past the data;
- each bad element is a :class:`CellError` of its own cell, with one Excel error code per
  condition (:data:`costlib.errors.CostlibError.excel_error`), the same in a single cell
  and inside a range.

The add-in (``addin/costlib_udfs``) is a thin adapter over this module: it registers the
functions with xlwings and hands :func:`evaluate`'s result to Excel in the runtime's own
representation (classic COM or Office.js). This module imports neither xlwings nor the
add-in; ``costlib.models_in_excel`` uses it to compute a workbook's calls without Excel.

>>> evaluate(BY_NAME["TOKEN_COST"], (2.5, 2000, 0.2))
1.7361...
>>> bad = evaluate(BY_NAME["TOKEN_COST"], ([[2.5], ["abc"]], 2000))[1][0]
>>> bad.excel_error, str(bad)
('#VALUE!', "price_per_gpu_hour must be a number, got text 'abc' (row 2, column 1 of its range)")
"""

from __future__ import annotations

import datetime as dt
import inspect
import itertools
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, Callable

import numpy as np

from . import arguments as _arguments
from . import catalogue, economics, inference, prices, training
from .errors import CostlibError, InputError
from .numbers import numeric_text

__all__ = ["Function", "FUNCTIONS", "BY_NAME", "CellError", "Cells", "evaluate", "message", "argument_help",
           "read_cell", "ERRORS", "MAX_YEARS", "MESSAGE_OK", "functions_markdown", "with_functions",
           "SINGLE_CELL_ARGUMENTS", "TEXT_ARGUMENTS", "CHOICES"]

#: Excel's seven error values, as a cell shows them.
ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")

#: Error cells as the classic (COM) runtime hands them over: integer codes (0x800A0000 plus
#: Excel's xlErr constant, xlErrDiv0 = 2007 giving 0x800A07D7; xlwings ``_xlwindows.cell_errors``).
COM_ERRORS = {-2146826281: "#DIV/0!", -2146826246: "#N/A", -2146826259: "#NAME?", -2146826288: "#NULL!",
              -2146826252: "#NUM!", -2146826265: "#REF!", -2146826273: "#VALUE!"}

#: Office.js error types (``{"type": "Error", "errorType": ...}``) and the error each is.
OFFICE_JS_ERRORS = {"Div0": "#DIV/0!", "NotAvailable": "#N/A", "Name": "#NAME?", "Null": "#NULL!",
                    "Num": "#NUM!", "Ref": "#REF!", "Value": "#VALUE!"}

#: Cell text for a result that does not exist (an infinite break-even volume).
NO_BREAKEVEN = "no break-even: cost >= price"

#: What COSTLIB_MESSAGE says of a cell that has a value.
MESSAGE_OK = "ok"

#: A count of years above this is a date in the cell (Excel stores dates as days since
#: 1900: 1 January 2026 is 46023), not a plan's horizon; refused, never read as years.
MAX_YEARS = 200

#: Serial numbers from this one on (1 January 1910) are what a date cell holds: a number of
#: years this large is called a date in the message; a smaller one is only too many years.
_DATE_SERIALS_FROM = 3654

#: Arguments that take text (names), not numbers: those the registry gives no numeric rule.
TEXT_ARGUMENTS = {name for name, argument in _arguments.ARGUMENTS.items() if argument.rule is None}

#: Arguments that take one cell, not a range: each names one choice for the whole call.
SINGLE_CELL_ARGUMENTS = {"precision", "field", "tier", "model", "kind", "provider", "price_date", "service_tier"}

#: Choice arguments and their values: a dropdown in Excel's formula bar (Office.js).
CHOICES: dict[str, tuple[str, ...]] = {
    "precision": tuple(inference.BYTES_PER_PARAM),
    "tier": tuple(catalogue.PRICE_TIERS),
    "kind": tuple(prices.KINDS),
    "service_tier": tuple(prices.SERVICE_TIERS),
}


class CellError(Exception):
    """What a cell shows for bad input: a short message and the Excel error it stands for.

    Attributes: ``excel_error`` (one of :data:`ERRORS`), ``argument`` (the argument at
    fault, where one is).
    """

    def __init__(self, message: str, excel_error: str = "#VALUE!", argument: str | None = None):
        super().__init__(message, excel_error)
        self.excel_error = excel_error
        self.argument = argument

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, eq=False)
class Function:
    """One Excel function: its name, the costlib callable and the arguments Excel shows."""

    name: str                      # Excel name, UPPER_SNAKE
    target: Callable[..., Any]     # the costlib function it calls
    arguments: tuple[str, ...]     # the target's parameters that Excel shows, in order
    pick: str | None = None        # attribute of the target's result to return
    summary: str | None = None     # default: first line of the target's docstring
    infinite: str | Callable[[dict[str, Any]], str] | None = None
    # where the result is infinite: the reason (an #N/A error), from the cell's own arguments; None: #NUM!
    single_cell: tuple[str, ...] = ()  # arguments that take one cell here, beyond SINGLE_CELL_ARGUMENTS

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """costlib's defaults of the optional arguments, as the signature holds them."""
        params = inspect.signature(self.target).parameters
        return {n: params[n].default for n in self.arguments if params[n].default is not inspect.Parameter.empty}

    @cached_property
    def description(self) -> str:
        """The function's one-line description as Excel shows it."""
        return _plain(self.summary or (inspect.getdoc(self.target) or "").splitlines()[0])

    @cached_property
    def rules(self) -> dict[str, str | None]:
        """Each shown argument's rule, as the function reads it."""
        described = _arguments.arguments_of(self.target)
        return {n: described[n].rule for n in self.arguments}

    def single(self, name: str) -> bool:
        return name in SINGLE_CELL_ARGUMENTS or name in self.single_cell


def argument_help(spec: Function, name: str) -> str:
    """The help Excel shows for argument ``name`` of ``spec``: its costlib function's text and default."""
    text = _arguments.describe(spec.target, name, with_default=True)
    if _is_years(name):
        text = f"{text[:-1]}; at most {MAX_YEARS} (a larger number is a date cell's serial number)."
    return text


def _is_years(name: str) -> bool:
    found = _arguments.ARGUMENTS.get(name)
    return found is not None and found.unit == "years"


_CITATION = re.compile(r",?\s*\[[A-Z][A-Za-z]+(?:\d{4}[a-z]?|ND)\]")


def _plain(text: str) -> str:
    """A docstring line as Excel shows it: no reStructuredText roles or literals, no citation keys."""
    text = re.sub(r":\w+:`~?([^`]+)`", lambda m: m[1].upper(), text)
    return _CITATION.sub("", text.replace("``", ""))


def _no_breakeven(a: dict[str, Any]) -> str:
    return f"{NO_BREAKEVEN} (own cost {a['cost_per_unit']:g}, price {a['price_per_unit']:g})"


def _no_breakeven_after_decline(a: dict[str, Any]) -> str:
    price, cost = a["price_per_unit"], a["cost_per_unit"]
    if cost >= price:
        return f"{NO_BREAKEVEN} today (own cost {cost:g}, price {price:g})"
    years = a.get("years", 1.0)
    later = price * (1 - a["annual_decline"]) ** years
    return (f"no break-even after the decline: the price falls to {later:.4g} in {years:g} "
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
    Function("TRAIN_FLOPS", training.train_flops, ("params", "tokens", "flops_per_param_token")),
    Function("TRAIN_GPU_HOURS", training.train_gpu_hours, ("params", "tokens", "gpu", "mfu")),
    Function("TRAIN_COST", training.train_cost, ("params", "tokens", "price_per_gpu_hour", "gpu", "mfu")),
    Function("COMPUTE_GPU_HOURS", training.compute_gpu_hours, ("flops", "gpu", "mfu")),
    Function("ENERGY_COST", training.energy_cost, ("gpu_hours", "price_per_kwh", "gpu", "pue")),
    Function("PROGRAMME_CAPEX", training.programme_capex,
             ("final_run_cost", "research_multiplier", "failed_run_share", "data_preparation_share")),
    Function("MOE_ACTIVE_PARAMS", training.moe_active_params,
             ("shared_params", "expert_params", "experts_per_token", "experts")),
    Function("CHINCHILLA_TOKENS", training.chinchilla_tokens, ("params", "tokens_per_param")),
    Function("CHINCHILLA_LOSS", training.chinchilla_loss, ("params", "tokens")),
    Function("INFERENCE_OPTIMAL_PARAMS", training.inference_optimal,
             ("target_loss", "inference_tokens", "inference_cost_ratio"), pick="params",
             summary="Model size [parameters] that minimises training plus lifetime inference cost "
                     "for a target loss (Sardana et al. 2024)."),
    Function("INFERENCE_OPTIMAL_TOKENS", training.inference_optimal,
             ("target_loss", "inference_tokens", "inference_cost_ratio"), pick="train_tokens",
             summary="Training tokens [tokens] of the model that minimises training plus lifetime "
                     "inference cost for a target loss (Sardana et al. 2024)."),
    # Inference
    Function("WEIGHT_BYTES", inference.weight_bytes, ("params", "precision")),
    Function("DECODE_TOKENS_PER_SECOND", inference.decode_tokens_per_second,
             ("params", "gpu", "batch_size", "precision", "kv_cache_bytes_per_sequence", "gpus")),
    Function("PREFILL_SECONDS", inference.prefill_seconds, ("params", "prompt_tokens", "gpu", "mfu")),
    Function("TOKEN_COST", inference.token_cost, ("price_per_gpu_hour", "tokens_per_second", "utilization")),
    Function("SERVING_GPU_HOURS", inference.serving_gpu_hours, ("tokens", "tokens_per_second", "utilization")),
    Function("API_COST_PER_QUERY", inference.api_cost_per_query,
             ("input_tokens", "output_tokens", "input_price_per_m_tokens", "output_price_per_m_tokens",
              "cached_share", "cached_input_price_per_m_tokens", "model", "provider", "price_date", "service_tier",
              "cache_write_share", "cache_write_price_per_m_tokens", "reasoning_tokens", "batch_discount")),
    Function("API_BILL", inference.api_bill,
             ("input_tokens", "output_tokens", "model", "provider", "price_date", "service_tier", "cached_share",
              "cache_write_share", "reasoning_tokens", "batch_discount", "cache_write_ttl")),
    Function("BLENDED_COST_PER_QUERY", inference.blended_cost_per_query,
             ("large_model_cost", "small_model_cost", "small_model_share", "cache_hit_rate", "cache_hit_cost")),
    # Economics
    Function("AMORTIZED_COST_PER_M_TOKENS", economics.amortized_cost_per_m_tokens,
             ("training_cost", "lifetime_tokens", "marginal_cost_per_m_tokens")),
    Function("BREAKEVEN", economics.breakeven, ("fixed_cost", "price_per_unit", "cost_per_unit"),
             infinite=_no_breakeven),
    Function("BREAKEVEN_AFTER_DECLINE", economics.breakeven_after_decline,
             ("fixed_cost", "price_per_unit", "cost_per_unit", "annual_decline", "years"),
             infinite=_no_breakeven_after_decline),
    Function("UTILIZATION_BREAKEVEN", economics.utilization_breakeven,
             ("cost_per_m_tokens_at_full_load", "api_price_per_m_tokens"),
             infinite=_no_utilization_breakeven),
    Function("MONTHS_TO_BREAKEVEN", economics.months_to_breakeven, ("fixed_cost", "monthly_saving"),
             infinite=_never_paid_back),
    Function("PRICE_AFTER_DECLINE", economics.price_after_decline, ("price", "annual_decline", "years")),
    Function("MONTHLY_COGS", economics.monthly_cogs, ("cost_per_query", "queries_per_user_per_month", "users")),
    Function("COGS_SHARE", economics.cogs_share, ("cogs_per_user", "arpu")),
    Function("NEEDS_REDESIGN", economics.needs_redesign, ("cogs_per_user", "arpu", "threshold")),
    Function("GROSS_MARGIN", economics.gross_margin, ("revenue", "cogs")),
    # Catalogue
    Function("GPU_SPEC", catalogue.gpu_spec, ("gpu", "field")),
    Function("GPU_PRICE", catalogue.gpu_price, ("gpu", "tier"), single_cell=("gpu",)),
    Function("API_PRICE", catalogue.api_price, ("model", "kind", "provider", "price_date", "service_tier")),
)

BY_NAME = {spec.name: spec for spec in FUNCTIONS}


def _check_table() -> None:
    for spec in FUNCTIONS:
        params = inspect.signature(spec.target).parameters
        described = _arguments.arguments_of(spec.target)
        missing = [n for n in spec.arguments if n not in params or n not in described]
        if missing:
            raise RuntimeError(f"{spec.name}: arguments {missing} are not parameters of "
                               f"{spec.target.__name__} or lack a description")


_check_table()


# ---------------------------------------------------------------------------- one cell

def _is_blank(value: Any) -> bool:
    # Pyodide >= 0.28 hands empty cells of a range over as a JsNull sentinel, not None
    return value is None or value == "" or type(value).__name__ == "JsNull"


def error_of(value: Any) -> str | None:
    """The Excel error a cell value is (``"#N/A"``...), whichever runtime sent it, or None."""
    if type(value) is int:
        return COM_ERRORS.get(value)
    if isinstance(value, dict) and value.get("type") == "Error":
        return OFFICE_JS_ERRORS.get(value.get("errorType"), value.get("basicValue")
                                    if value.get("basicValue") in ERRORS else "#VALUE!")
    return None


def _serial_date(serial: float) -> dt.date | None:
    """An Excel serial number as its date (1900 date system), or None outside Excel's dates."""
    if 0 < serial < 2958466:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))
    return None


#: A number format that shows a date: d, m or y outside quotes and brackets ([h] is elapsed time).
_DATE_FORMAT = re.compile(r"[dy]|m(?![^\[]*\])", re.IGNORECASE)


def _is_date_format(number_format: Any) -> bool:
    if not isinstance(number_format, str):
        return False
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format)
    return bool(_DATE_FORMAT.search(bare)) and "0" not in bare.split(";")[0].replace("00", "")


def _data_type(name: str, value: dict) -> Any:
    """An Office.js data-type value as the cell it stands for (a number, text, a date...)."""
    kind = value.get("type")
    basic = value.get("basicValue")
    if kind in ("FormattedNumber", "Double") and isinstance(basic, (int, float)) and not isinstance(basic, bool):
        if _is_date_format(value.get("numberFormat")):
            date = _serial_date(float(basic))
            return dt.datetime.combine(date, dt.time()) if date else float(basic)
        return float(basic)
    if kind in ("String", "Boolean") and basic is not None:
        return basic
    raise CellError(f"{name} must be {'a name' if name in TEXT_ARGUMENTS else 'a number'}, got a data type "
                    f"value ({kind or '?'})", argument=name)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"a date ({value:%Y-%m-%d})"
    return repr(value)


def read_cell(name: str, value: Any) -> Any:
    """One cell's value as costlib takes it, or :class:`CellError` naming the argument.

    Follows Excel's own functions: Currency and Accounting cells (``Decimal`` in the
    classic add-in) are numbers; numeric text from imports ("1,000", "$2.50", "40%") is the
    number it shows; data-type values are their value; dates, TRUE/FALSE and other text
    are refused. An error value passes through: the cell's result is that same error.

    >>> read_cell("params", "1,000")
    1000.0
    >>> read_cell("mfu", {"type": "FormattedNumber", "basicValue": 0.4, "numberFormat": "0%"})
    0.4
    >>> read_cell("params", -2146826246).excel_error     # an #N/A cell (classic add-in)
    Traceback (most recent call last):
    ...
    costlib.excel.CellError: params is the error #N/A in its cell
    """
    error = error_of(value)
    if error is not None:
        raise CellError(f"{name} is the error {error} in its cell", error, name)
    if isinstance(value, dict):
        value = _data_type(name, value)
    text_argument = name in TEXT_ARGUMENTS
    if name == "price_date" and not isinstance(value, (bool, np.bool_)):
        # a date cell: a datetime (classic add-in), a serial number (Office.js) or ISO text
        if isinstance(value, (int, float, np.integer, np.floating)):
            return _serial_date(float(value)) or value
        return value
    if isinstance(value, (bool, np.bool_)):
        raise CellError(f"{name} must be {'a name' if text_argument else 'a number'}, got {value!r}", argument=name)
    if isinstance(value, (dt.date, dt.datetime)):  # the classic add-in reads a date cell as a datetime
        what = "a number of years" if _is_years(name) else ("a name" if text_argument else "a number")
        raise CellError(f"{name} must be {what}, got {_describe(value)}", argument=name)
    if isinstance(value, Decimal):
        value = float(value)
    if text_argument:
        return value
    if isinstance(value, str):
        number = numeric_text(value)
        if number is None:
            raise CellError(f"{name} must be a number, got {_describe(value)}", argument=name)
        value = number
    if not isinstance(value, (int, float, np.integer, np.floating)):
        raise CellError(f"{name} must be a number, got {_describe(value)}", argument=name)
    value = float(value)
    if _is_years(name) and value > MAX_YEARS:
        raise _too_many_years(name, value)
    return value


def _too_many_years(name: str, value: float) -> CellError:
    date = _serial_date(value) if value >= _DATE_SERIALS_FROM else None
    looks = f", which looks like a date ({date:%Y-%m-%d})" if date else ""
    return CellError(f"{name} must be a number of years (at most {MAX_YEARS}), got {value:g}{looks}", "#NUM!", name)


# ---------------------------------------------------------------------------- ranges

def _rows(name: str, cells: Any) -> list:
    """``cells`` as a list of rows (not copied where it already is one)."""
    if not isinstance(cells, (list, tuple)):
        return [[cells]]
    if not cells:
        raise CellError(f"{name} is required, got an empty range", argument=name)
    if not isinstance(cells[0], (list, tuple)):
        if any(isinstance(r, (list, tuple)) for r in cells):
            raise CellError(f"{name} must be a rectangular range", argument=name)
        return [list(cells)]  # xlwings hands a one-row range over as a flat list: it is a row
    if not cells[0]:
        raise CellError(f"{name} must be a rectangular range", argument=name)
    return cells if isinstance(cells, list) else list(cells)  # rectangular: checked on the used rows (_read)


def _used_height(rows: list) -> int:
    """Rows up to the last with a non-blank cell: a whole column's blank tail is not data."""
    n = len(rows)
    last = rows[-1]
    if not all(_is_blank(v) for v in last):
        return n
    j = n
    while j > 0:
        lo = max(0, j - 4096)
        block = rows[lo:j]
        if block.count(last) == len(block):  # C-speed comparison: the common all-blank tail
            j = lo
            continue
        for k in range(len(block) - 1, -1, -1):
            if block[k] != last and not all(_is_blank(v) for v in block[k]):
                return lo + k + 1
        j = lo
    return 0


class Cells(list):
    """A 2-D result: rows of cell values, with where its :class:`CellError` cells are.

    ``errors`` lists the (row, column) of every error cell, so an adapter marshals the
    errors without reading the million cells of a whole column.
    """

    def __init__(self, rows=()):
        super().__init__(rows)
        self.errors: set[tuple[int, int]] = set()

    def put(self, i: int, j: int, value: Any) -> None:
        self[i][j] = value
        if isinstance(value, CellError):
            self.errors.add((i, j))
        else:
            self.errors.discard((i, j))


@dataclass
class _Argument:
    """One argument as read from Excel: a value, or an array with its cell-level problems."""

    value: Any                      # the scalar, or the 2-D array (problem cells hold a stand-in)
    single: bool
    problems: dict[tuple[int, int], CellError]
    blanks: set[tuple[int, int]]    # blank cells of an optional argument whose default is not a number
    computable: bool = True         # False where no cell is good: nothing to compute in one call


_KINDS_PLAIN = ({float}, {float, int})


def _read(name: str, rows: list, spec: Function) -> _Argument:
    """Excel's cells for argument ``name`` (rows of values) as costlib takes them.

    A single bad cell is an error of the whole call; in a range, each bad cell is a problem
    of its own cell only, and a blank cell of an optional argument takes the default there.
    """
    optional = name in spec.defaults
    default = spec.defaults.get(name)
    if len(rows) == 1 and len(rows[0]) == 1:
        value = rows[0][0]
        if _is_blank(value):
            raise CellError(f"{name} is required, got a blank cell", argument=name)
        return _Argument(read_cell(name, value), True, {}, set())
    if spec.single(name):
        raise CellError(f"{name} must be a single cell, got a range of {len(rows)}x{len(rows[0])} cells",
                        argument=name)
    text = name in TEXT_ARGUMENTS
    width = len(rows[0])
    if len(set(map(len, rows))) != 1:  # the used rows only: a whole column's blank tail is never read
        raise CellError(f"{name} must be a rectangular range", argument=name)
    flat = list(itertools.chain.from_iterable(rows))
    if len(flat) != len(rows) * width:
        raise CellError(f"{name} must be a rectangular range", argument=name)
    if text:
        odd = range(len(flat))
    else:  # plain numbers go to numpy in one conversion; only the other cells are read one by one
        codes = _COM_CODES
        odd = [k for k, v in enumerate(flat) if type(v) is not float and (type(v) is not int or v in codes)]
    problems: dict[tuple[int, int], CellError] = {}
    blanks: set[tuple[int, int]] = set()
    fill_default = optional and (_is_number(default) or (text and isinstance(default, str)))
    stand_in = "" if text else np.nan
    if odd and not text:
        flat = list(flat)
    for k in odd:
        value = flat[k]
        where = divmod(k, width)
        if _is_blank(value):
            if fill_default:
                flat[k] = default
                continue
            if optional:
                blanks.add(where)
            else:
                problems[where] = CellError(f"{name} is required, got a blank cell", argument=name)
            flat[k] = stand_in
            continue
        try:
            flat[k] = read_cell(name, value)
        except CellError as exc:
            problems[where] = exc
            flat[k] = stand_in
    out = np.array(flat, dtype=object if text else np.float64).reshape(len(rows), width)
    if text:
        out = out.astype(object)
    elif _is_years(name):
        late = np.nonzero(out > MAX_YEARS)
        for i, j in zip(*late):
            problems.setdefault((int(i), int(j)), _too_many_years(name, float(out[i, j])))
    if not problems and not blanks:
        return _Argument(out, False, {}, set())
    return _with_problems(name, out, problems, blanks)


def _with_problems(name: str, out: np.ndarray, problems: dict, blanks: set | None = None) -> _Argument:
    """The array with each problem (or blank) cell holding a good cell's value, so one call computes the rest."""
    bad = set(problems) | (blanks or set())
    good = None
    if bad:
        good = next((out[i, j] for i in range(out.shape[0]) for j in range(out.shape[1]) if (i, j) not in bad), None)
        if good is not None:
            out = out.copy()
            for i, j in bad:
                out[i, j] = good
    return _Argument(out, False, problems, blanks or set(), computable=not bad or good is not None)


_COM_CODES = frozenset(COM_ERRORS)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


# ---------------------------------------------------------------------------- computing

def _in_excel_terms(exc: CostlibError) -> str:
    """costlib's message, with an array's 0-based index as the row and column of a range and
    its shape as rows x columns of cells."""
    if not isinstance(exc, InputError):
        return str(exc)
    return exc.worded(position=lambda p: f" at row {p[0] + 1}, column {p[1] + 1} of its range" if len(p) == 2 else None,
                      shape=lambda s: f"{s[0]}x{s[1]} cells" if len(s) == 2 else None)


def _call(spec: Function, kwargs: dict[str, Any]) -> Any:
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # an overflow becomes inf: #NUM!
            result = spec.target(**kwargs)
    except CostlibError as exc:
        raise CellError(_in_excel_terms(exc), exc.excel_error, getattr(exc, "argument", None)) from None
    return getattr(result, spec.pick) if spec.pick else result


def _to_cell(value: Any, spec: Function, scalars: dict[str, Any] | None) -> Any:
    """One result value as a cell holds it, or the :class:`CellError` it stands for."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return str(value)  # not numpy's str_
    number = float(value)
    if math.isnan(number):
        return CellError("the result is not a number", "#NUM!")
    if not math.isinf(number):
        return number
    if spec.infinite is None or scalars is None:
        return CellError("the result is too large to show (infinite)", "#NUM!")
    reason = spec.infinite(scalars) if callable(spec.infinite) else spec.infinite
    return CellError(reason, "#N/A")


def _shape(args: dict[str, _Argument]) -> tuple[int, int]:
    shapes = {n: a.value.shape for n, a in args.items() if not a.single}
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        shown = ", ".join(f"{n} {r}x{c} cells" for n, (r, c) in shapes.items())
        raise CellError(f"arguments do not broadcast to one shape: {shown}") from None


def _scalars(args: dict[str, _Argument], i: int, j: int) -> dict[str, Any]:
    """Cell (i, j)'s own arguments, as plain Python values."""
    out: dict[str, Any] = {}
    for name, a in args.items():
        if a.single:
            out[name] = a.value
            continue
        r, c = (i if a.value.shape[0] > 1 else 0), (j if a.value.shape[1] > 1 else 0)
        if (r, c) in a.blanks:
            continue  # this cell takes costlib's default
        value = a.value[r, c]
        out[name] = value.item() if isinstance(value, np.generic) else value
    return out


def _element(spec: Function, args: dict[str, _Argument], i: int, j: int) -> Any:
    """One cell of the result, computed alone: its own value or its own error."""
    for a in args.values():
        if a.single:
            continue
        r, c = (i if a.value.shape[0] > 1 else 0), (j if a.value.shape[1] > 1 else 0)
        if (r, c) in a.problems:
            problem = a.problems[r, c]
            return CellError(f"{problem} (row {r + 1}, column {c + 1} of its range)", problem.excel_error,
                             problem.argument)
    kwargs = _scalars(args, i, j)
    try:
        return _to_cell(np.asarray(_call(spec, kwargs)).reshape(-1)[0], spec, kwargs)
    except CellError as exc:
        return exc


def _block(spec: Function, args: dict[str, _Argument], rows: range, cols: range, out: list) -> None:
    """Fill ``out`` over the rows and columns given: one call where it succeeds, halves where it fails.

    A bad value costlib itself refuses (an MFU of 1.4 in a column) fails the whole call; the
    block is then split in two until each bad cell stands alone, so one bad cell among
    100,000 costs a few calls on ever smaller halves, not 100,000 calls.
    """
    kwargs: dict[str, Any] = {}
    for name, a in args.items():
        if a.single:
            kwargs[name] = a.value
            continue
        v = a.value
        if v.shape[0] > 1:
            v = v[rows.start:rows.stop]
        if v.shape[1] > 1:
            v = v[:, cols.start:cols.stop]
        kwargs[name] = v
    try:
        result = np.asarray(_call(spec, kwargs))
    except CellError:
        if len(rows) == 1 and len(cols) == 1:
            out.put(rows.start, cols.start, _element(spec, args, rows.start, cols.start))
            return
        if len(rows) > 1:
            half = rows.start + len(rows) // 2
            _block(spec, args, range(rows.start, half), cols, out)
            _block(spec, args, range(half, rows.stop), cols, out)
        else:
            half = cols.start + len(cols) // 2
            _block(spec, args, rows, range(cols.start, half), out)
            _block(spec, args, rows, range(half, cols.stop), out)
        return
    result = np.broadcast_to(result, (len(rows), len(cols)))
    bad: list = []
    if result.dtype.kind == "f":
        values = result.tolist()
        nonfinite = ~np.isfinite(result)
        if nonfinite.any():
            bad = [(int(i), int(j), _to_cell(result[i, j], spec, _scalars(args, rows.start + i, cols.start + j)))
                   for i, j in zip(*np.nonzero(nonfinite))]
    elif result.dtype.kind == "b":
        values = result.tolist()
    else:
        values = [[_to_cell(v, spec, None) for v in row] for row in result.tolist()]
        bad = [(i, j, v) for i, row in enumerate(values) for j, v in enumerate(row) if isinstance(v, CellError)]
    if len(rows) == len(out) and len(cols) == len(out[0]):
        out[:] = values  # the whole result in one call: no copying row by row
    else:
        for i, row in enumerate(values):
            out[rows.start + i][cols.start:cols.stop] = row
    for i, j, value in bad:
        out.put(rows.start + i, cols.start + j, value)


def evaluate(spec: Function, cells: tuple[Any, ...]) -> Any:
    """Call ``spec.target`` on Excel's ``cells``.

    Returns one value, or for ranges a 2-D list whose bad elements are :class:`CellError`
    instances (each cell its own value or its own error, as Excel's own functions do) and
    whose rows past the data of whole columns are blank (``""``). Raises
    :class:`CellError` where the whole call fails: one bad single cell, shapes that do not
    fit, a single-cell result without a value.
    """
    if len(cells) > len(spec.arguments):
        raise CellError(f"{spec.name} takes at most {len(spec.arguments)} arguments, got {len(cells)}")
    shaped: dict[str, list] = {}
    for name, value in zip(spec.arguments, cells):
        if _is_blank(value) or (isinstance(value, (list, tuple)) and len(value) == 1
                                and isinstance(value[0], (list, tuple)) and len(value[0]) == 1
                                and _is_blank(value[0][0])):
            if name in spec.defaults:
                continue  # an empty optional argument takes costlib's default
        shaped[name] = _rows(name, value)
    height = max((len(r) for r in shaped.values()), default=1)
    used = height
    if height > 1 and any(len(r) == height for n, r in shaped.items() if n not in spec.defaults):
        # whole columns: rows where every range is blank are past the data (a required
        # argument blank there has nothing to compute): the used rows are computed, the rest blank
        used = max(_used_height(r) for r in shaped.values() if len(r) == height)
        if used == 0:  # nothing but blank rows: nothing to compute
            return Cells([[""] * max(len(r[0]) for r in shaped.values())] * height)
        if used < height:
            shaped = {n: (r[:used] if len(r) == height else r) for n, r in shaped.items()}
    args = {name: _read(name, rows, spec) for name, rows in shaped.items()}
    if all(a.single for a in args.values()):
        scalars = {n: a.value for n, a in args.items()}
        value = _to_cell(np.asarray(_call(spec, scalars)).reshape(-1)[0], spec, scalars)
        if used < height:
            out = Cells([[value]] + [[""]] * (height - 1))
            out.put(0, 0, value)
            return out
        if isinstance(value, CellError):
            raise value
        return value
    shape = _shape(args)
    out = Cells([None] * shape[1] for _ in range(shape[0]))
    if all(a.computable for a in args.values()):
        _block(spec, args, range(shape[0]), range(shape[1]), out)
    else:  # no good cell in some argument: every cell on its own
        for i in range(shape[0]):
            for j in range(shape[1]):
                out.put(i, j, _element(spec, args, i, j))
    for a in args.values():  # cells with a problem of their own, or a blank whose default is not a number
        if not a.single and (a.problems or a.blanks):
            for r, c in set(a.problems) | a.blanks:
                for i in (range(shape[0]) if a.value.shape[0] == 1 else (r,)):
                    for j in (range(shape[1]) if a.value.shape[1] == 1 else (c,)):
                        out.put(i, j, _element(spec, args, i, j))
    if used < height:
        out.extend([[""] * shape[1]] * (height - used))
    return out


# ---------------------------------------------------------------------------- COSTLIB_MESSAGE

def message(function_name: Any, *arguments: Any) -> Any:
    """Why each cell of ``=FUNCTION(arguments...)`` is an error: its message, or "ok".

    The same arguments as the function itself; a range gives one message per cell. Where
    a runtime cannot show an error's message (the classic add-in), this is where it is read.

    >>> message("BREAKEVEN", 1000, 0.3, 0.35)
    'no break-even: cost >= price (own cost 0.35, price 0.3)'
    >>> message("TOKEN_COST", 2.5, 2000, 0.2, 1, 2)
    'TOKEN_COST takes at most 3 arguments, got 5'
    """
    name = _rows("function_name", function_name)[0][0]
    spec = BY_NAME.get(name.strip().upper()) if isinstance(name, str) else None
    if spec is None:
        return (f"function_name must be the name of a costlib function such as TRAIN_COST, got "
                f"{_describe(name) if error_of(name) is None else 'the error ' + error_of(name)}")
    try:
        result = evaluate(spec, tuple(arguments) + (None,) * (len(spec.arguments) - len(arguments)))
    except CellError as exc:
        return str(exc)
    if isinstance(result, list):
        return [[str(v) if isinstance(v, CellError) else MESSAGE_OK for v in row] for row in result]
    return MESSAGE_OK


# ---------------------------------------------------------------------------- documents

def _shown_default(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def functions_markdown() -> str:
    """addin/README.md's table of the functions, generated from :data:`FUNCTIONS`."""
    lines = ["| Function | Result | Arguments (optional in [ ]) |", "|---|---|---|"]
    for spec in FUNCTIONS:
        shown = [f"[{n}={_shown_default(spec.defaults[n])}]" if n in spec.defaults else n for n in spec.arguments]
        lines.append(f"| `{spec.name}` | {spec.description} | {', '.join(shown)} |")
    return "\n".join(lines) + "\n"


README_BEGIN = "<!-- functions: generated from costlib.excel.FUNCTIONS by scripts/make_docs.py; do not edit -->"
README_END = "<!-- end of the generated functions -->"


def with_functions(text: str) -> str:
    """``text`` (addin/README.md) with its generated table of functions made current."""
    from ._generated import with_block

    return with_block(text, README_BEGIN, README_END, functions_markdown(), "addin/README.md")
