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

import inspect
import math
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

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
SINGLE_CELL_ARGUMENTS = {"precision", "field", "tier", "model", "kind"}

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
    infinite: str | None = None    # what a cell says where the result is infinite (None: #NUM!)
    single_cell: tuple[str, ...] = ()  # arguments that take one cell here, beyond SINGLE_CELL_ARGUMENTS


def argument_help(spec: Function, name: str) -> str:
    """The help Excel shows for argument ``name`` of ``spec``: its costlib function's text and default."""
    return costlib.arguments.describe(spec.target, name, with_default=True)


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
             infinite=NO_BREAKEVEN),
    Function("BREAKEVEN_AFTER_DECLINE", costlib.breakeven_after_decline,
             ("fixed_cost", "price_per_unit", "cost_per_unit", "annual_decline", "years"), infinite=NO_BREAKEVEN),
    Function("UTILIZATION_BREAKEVEN", costlib.utilization_breakeven,
             ("cost_per_m_tokens_at_full_load", "api_price_per_m_tokens"),
             infinite="no break-even: the API price is 0"),
    Function("MONTHS_TO_BREAKEVEN", costlib.months_to_breakeven, ("fixed_cost", "monthly_saving"),
             infinite="never: the monthly saving is not positive"),
    Function("PRICE_AFTER_DECLINE", costlib.price_after_decline, ("price", "annual_decline", "years")),
    Function("MONTHLY_COGS", costlib.monthly_cogs, ("cost_per_query", "queries_per_user_per_month", "users")),
    Function("COGS_SHARE", costlib.cogs_share, ("cogs_per_user", "arpu")),
    Function("NEEDS_REDESIGN", costlib.needs_redesign, ("cogs_per_user", "arpu", "threshold")),
    Function("GROSS_MARGIN", costlib.gross_margin, ("revenue", "cogs")),
    # Catalogue
    Function("GPU_SPEC", costlib.gpu_spec, ("gpu", "field")),
    Function("GPU_PRICE", costlib.gpu_price, ("gpu", "tier"), single_cell=("gpu",)),
    Function("API_PRICE", costlib.api_price, ("model", "kind")),
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
    return repr(value)


def _acceptable(name: str, value: Any) -> bool:
    if name in TEXT_ARGUMENTS:  # a name (or, for gpu, a number): never an error value or TRUE/FALSE
        return not (_is_error(value) or isinstance(value, (bool, np.bool_)))
    return _is_number(value)


def _to_array(name: str, cells: Any, single_cell: bool = False) -> tuple[Any, bool]:
    """Excel's cells (a value or a 2-D list) as what costlib takes; and whether it was one cell.

    Arguments arrive raw (xlwings's ``raw`` converter): a number or text for one cell, a
    list of rows for a range. A range of plain numbers takes one numpy call; anything else
    is walked cell by cell for a message that names the row and column.
    """
    if not isinstance(cells, (list, tuple)):
        cells = [[cells]]
    elif cells and not any(isinstance(r, (list, tuple)) for r in cells):
        cells = [cells]  # xlwings hands a one-row range over as a flat list: it is a row
    rows = [r if isinstance(r, (list, tuple)) else [r] for r in cells]
    if not rows or not rows[0]:
        raise CellError(f"{name} is required, got an empty range")
    kind = "a name" if name in TEXT_ARGUMENTS else "a number"
    if len(rows) == 1 and len(rows[0]) == 1:
        value = rows[0][0]
        if _is_blank(value):
            raise CellError(f"{name} is required, got a blank cell")
        if not _acceptable(name, value):
            raise CellError(f"{name} must be {kind}, got {_describe(value)}")
        return value, True
    if single_cell:
        raise CellError(f"{name} must be a single cell, got a range of {len(rows)}x{len(rows[0])} cells")
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise CellError(f"{name} must be a rectangular range")
    if name not in TEXT_ARGUMENTS:
        kinds = set(map(type, (v for r in rows for v in r)))
        if kinds <= {float, int} and (int not in kinds or not COM_ERRORS.keys() & {v for r in rows for v in r}):
            return np.array(rows, dtype=np.float64), False
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            where = f"at row {i + 1}, column {j + 1} of its range"
            if _is_blank(value):
                raise CellError(f"{name} must not have blank cells, got one {where}")
            if not _acceptable(name, value):
                raise CellError(f"{name} must be {kind}, got {_describe(value)} {where}")
    return np.array(rows, dtype=object if name in TEXT_ARGUMENTS else np.float64), False


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
            and not _is_error(value))


def _to_cell(value: Any, infinite: str | None) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return str(value)  # not numpy's str_
    number = float(value)
    if not math.isinf(number):
        return number
    if infinite is None:
        raise CellError("the result is too large to show (infinite)", "#NUM!")
    return infinite


def _to_cells(result: Any, single: bool, infinite: str | None) -> Any:
    arr = np.asarray(result)
    if single or arr.ndim == 0:
        return _to_cell(arr.reshape(-1)[0] if arr.ndim else arr[()], infinite)
    if arr.dtype.kind == "f" and not np.isinf(arr).any():
        return np.atleast_2d(arr).tolist()
    return [[_to_cell(v, infinite) for v in row] for row in np.atleast_2d(arr).tolist()]


def _in_excel_terms(message: str) -> str:
    """costlib's 0-based ``at position (i, j)`` as the row and column of the range."""
    message = re.sub(r" at position \((\d+), (\d+)\)",
                     lambda m: f" at row {int(m[1]) + 1}, column {int(m[2]) + 1} of its range", message)
    if "do not broadcast" in message:  # shapes as ranges: rows x columns
        message = re.sub(r"(\w+) \((\d+), (\d+)\)", r"\1 \2x\3 cells", message)
    return message


def evaluate(spec: Function, cells: tuple[Any, ...]) -> Any:
    """Call ``spec.target`` on Excel's ``cells``; the result as cells, or :class:`CellError`."""
    defaults = _defaults(spec)
    kwargs: dict[str, Any] = {}
    all_single = True
    for name, value in zip(spec.arguments, cells):
        if _is_blank(value) or (isinstance(value, list) and len(value) == 1 and isinstance(value[0], list)
                                and len(value[0]) == 1 and _is_blank(value[0][0])):
            if name in defaults:
                continue  # an empty optional argument takes costlib's default
        arr, single = _to_array(name, value, name in SINGLE_CELL_ARGUMENTS or name in spec.single_cell)
        all_single &= single
        kwargs[name] = arr
    try:
        with np.errstate(over="ignore"):  # an overflow becomes inf, which the cell reports as #NUM!
            result = spec.target(**kwargs)
    except CostlibError as exc:
        raise CellError(_in_excel_terms(str(exc)), exc.excel_error) from None
    if spec.pick:
        result = getattr(result, spec.pick)
    return _to_cells(result, all_single, spec.infinite)


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


def _make(spec: Function) -> Callable[..., Any]:
    target_params = inspect.signature(spec.target).parameters
    described = costlib.arguments.arguments_of(spec.target)
    missing = [n for n in spec.arguments if n not in target_params or n not in described]
    if missing:
        raise RuntimeError(f"{spec.name}: arguments {missing} are not parameters of "
                           f"{spec.target.__name__} or lack a description")

    def udf(*cells):
        try:
            return evaluate(spec, cells)
        except CellError as exc:
            if raises_errors():
                raise
            return f"{exc.excel_error} {exc}"
        except Exception as exc:  # a bug must still show a short message, not a traceback
            if raises_errors():
                raise CellError(f"{spec.name} failed: {exc}") from None
            return f"#VALUE! {spec.name} failed: {exc}"

    # Excel shows costlib's defaults; an empty optional argument arrives as the default.
    udf.__signature__ = inspect.Signature([
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=target_params[n].default)
        for n in spec.arguments
    ])
    udf.__name__ = udf.__qualname__ = spec.name  # classic xlwings names the VBA function after it
    udf.__module__ = __name__
    udf.__doc__ = _plain(spec.description or (inspect.getdoc(spec.target) or "").splitlines()[0])
    udf = xw.func(udf)
    for n in spec.arguments:
        udf = xw.arg(n, "raw", doc=argument_help(spec, n))(udf)  # raw: no per-cell conversion in xlwings
    udf = xw.ret(_Cells)(udf)
    return udf


for _spec in FUNCTIONS:
    globals()[_spec.name] = _make(_spec)


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


__all__ = [f.name for f in FUNCTIONS] + ["FUNCTIONS", "ARGUMENTS", "CellError", "evaluate", "argument_help",
                                         "functions_markdown"]
