"""Excel twins: each engine formula's spreadsheet rendering, written beside the function.

An engine function that a workbook uses carries its native Excel formula in an
:func:`excel` decorator right above its ``def``, so the Python and the Excel text of one
formula are read and changed together::

    @excel("{flops_per_param_token} * {params} * {tokens}")
    def train_flops(params, tokens, flops_per_param_token=6.0): ...

A template's formula is wiring, not arithmetic: a call of such functions on names and
numbers, written in Python's call syntax (``train_flops(params, train_tokens)``). The same
parsed call is evaluated in Python (:func:`evaluate`, by calling the functions) and rendered
as Excel text (:func:`render`, by filling in the twins). Nothing else computes a workbook's
numbers, so the library and the workbook cannot drift apart.

In an Excel twin, ``{name}`` stands for the argument ``name``: the cell of this column
for a timeline row, the defined name of an input or a single-cell item, a literal number
for a default. Arguments listed in ``ranges`` stand for a row's whole timeline, those in
``to_date`` for the row from its first column to this one. ``{none}`` is where the text
goes that a cell shows when the result does not exist (an infinite break-even volume): the
Python function returns ``inf`` there, and :func:`evaluate` gives the same text.

Every parameter of a twinned function is rendered, or declared in ``unrendered`` beside the
twin with the reason the workbook has no use for it; :func:`render` refuses a formula that
gives an unrendered parameter, so the workbook never silently drops an argument the Python
function would have used (tests/test_formulas.py checks both for every twin).
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ._generated import with_block
from .constants import CONSTANTS
from .errors import TemplateError

__all__ = ["excel", "Twin", "TWINS", "parse", "render", "evaluate", "bind", "check", "FormulaError",
           "Context"]


class FormulaError(TemplateError):
    """A template formula that is not a call of twinned functions on names and numbers."""


@dataclass(frozen=True)
class Twin:
    """A function and its Excel rendering."""

    name: str
    function: Callable[..., Any]
    excel: str | Callable[..., str]
    ranges: tuple[str, ...] = ()
    to_date: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    none: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    unrendered: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        # read once: a workbook binds thousands of calls (inspect.signature is not cached)
        return inspect.signature(self.function)

    @property
    def summary(self) -> str:
        return (inspect.getdoc(self.function) or "").splitlines()[0] if self.function.__doc__ else ""


#: Function name -> its twin; filled by :func:`excel` as the engine modules load.
TWINS: dict[str, Twin] = {}

#: Modules whose functions carry twins; imported on first use of the registry.
_MODULES = ("training", "inference", "economics", "timeline", "accounting", "finance")


def excel(formula: str | Callable[..., str], *, ranges: tuple[str, ...] = (), to_date: tuple[str, ...] = (),
          text: tuple[str, ...] = (), none: str | None = None, defaults: dict[str, str] | None = None,
          unrendered: dict[str, str] | None = None):
    """Register the decorated function with its Excel rendering ``formula``; returns it unchanged.

    ``defaults`` maps an argument whose Python default is not a number (``None``) to the
    argument whose rendering stands in for it, as the function itself does. ``unrendered``
    maps a parameter the Excel text leaves out to the reason, which :func:`render` quotes
    when a formula gives it.
    """

    def register(function):
        TWINS[function.__name__] = Twin(function.__name__, function, formula, tuple(ranges), tuple(to_date),
                                        tuple(text), none, dict(defaults or {}), dict(unrendered or {}))
        return function

    return register


def twins() -> dict[str, Twin]:
    """Every twin, after loading the modules that define them."""
    _load_modules()
    return TWINS


@functools.cache
def _load_modules() -> None:
    """Import the modules of _MODULES once: a template's formulas bind to twins again and again."""
    for module in _MODULES:
        importlib.import_module(f"costlib.{module}")


# ---------------------------------------------------------------------------- parsing

_ALLOWED = (ast.Expression, ast.Call, ast.Name, ast.Constant, ast.keyword, ast.Load, ast.UnaryOp, ast.USub)


def parse(text: str, where: str = "formula") -> ast.expr:
    """The call tree of a template formula; FormulaError for anything but calls, names and numbers."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"{where}: cannot read {text!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            kind = type(node).__name__
            raise FormulaError(f"{where}: a template formula is wiring, a call of costlib functions on names "
                               f"and numbers; {kind} is not allowed in {text!r} (use a function such as "
                               f"sum_of, difference, product or share_of)")
        if isinstance(node, ast.UnaryOp) and not (isinstance(node.operand, ast.Constant)
                                                  and _is_number(node.operand.value)):
            raise FormulaError(f"{where}: only a number may be negated, in {text!r}")
        if isinstance(node, ast.Call) and not isinstance(node.func, ast.Name):
            raise FormulaError(f"{where}: call a function by its name, in {text!r}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)) or (
                isinstance(node, ast.Constant) and isinstance(node.value, bool)):
            raise FormulaError(f"{where}: {node.value!r} is neither a number nor text, in {text!r}")
    return tree.body


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _constant(node: ast.expr):
    if isinstance(node, ast.UnaryOp):
        return -node.operand.value
    return node.value


@dataclass
class _Call:
    twin: Twin
    arguments: dict[str, Any]       # parameter -> node (or list of nodes for *args)
    none: str | None


def _bind(node: ast.Call, where: str) -> _Call:
    bound = getattr(node, "_costlib_call", None)  # a template's formulas are evaluated again and again: bind once
    if bound is not None:
        return bound
    registry = twins()
    name = node.func.id
    if name not in registry:
        close = difflib.get_close_matches(name, list(registry), n=3, cutoff=0.5)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise FormulaError(f"{where}: {name} is not a costlib function with an Excel twin{hint}")
    twin = registry[name]
    none = twin.none
    keywords = []
    for kw in node.keywords:
        if kw.arg == "none":
            if not (isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)):
                raise FormulaError(f"{where}: none= must be text, the words a cell shows where {name} has no value")
            if twin.none is None:
                raise FormulaError(f"{where}: {name} always has a value; it takes no none= text")
            none = kw.value.value
        else:
            keywords.append(kw)
    try:
        bound = twin.signature.bind(*node.args, **{kw.arg: kw.value for kw in keywords})
    except TypeError as exc:
        raise FormulaError(f"{where}: {name}: {exc}") from None
    node._costlib_call = _Call(twin, dict(bound.arguments), none)
    return node._costlib_call


def bind(node: ast.Call, where: str = "formula") -> _Call:
    """A call's twin and its arguments by parameter (the none= text apart)."""
    return _bind(node, where)


def check(node: ast.expr, where: str, kinds: dict[str, str], single_cell: bool) -> None:
    """Raise FormulaError unless every name is known and used the way the twins take it.

    ``kinds`` maps each name to ``"row"``, ``"item"``, ``"input"`` or ``"text"`` (a text
    input); ``single_cell`` is True for an item or a check, which cannot take a row's
    value in "this column".
    """

    def visit(n: ast.expr, how: str) -> None:
        if isinstance(n, ast.Name):
            kind = kinds.get(n.id)
            if kind is None:
                close = difflib.get_close_matches(n.id, list(kinds), n=3, cutoff=0.6)
                hint = f"; closest: {', '.join(close)}" if close else ""
                raise FormulaError(f"{where}: {n.id!r} is not an input, item or row of this template{hint}")
            if how in ("range", "to_date") and kind != "row":
                raise FormulaError(f"{where}: {n.id} is a single value; this argument takes a timeline row")
            if how == "to_date" and single_cell:
                raise FormulaError(f"{where}: a running total needs a column; use total({n.id}) or last({n.id})")
            if how in ("value", "any") and kind == "row" and single_cell:
                raise FormulaError(f"{where}: {n.id} is a timeline row and this is a single cell; "
                                   f"use total({n.id}) or last({n.id})")
            if how == "value" and kind == "text":
                raise FormulaError(f"{where}: {n.id} is text; this argument takes a number")
            return
        if isinstance(n, (ast.Constant, ast.UnaryOp)):
            if how in ("range", "to_date"):
                raise FormulaError(f"{where}: this argument takes a timeline row by its name")
            if how == "value" and not _is_number(_constant(n)):
                raise FormulaError(f"{where}: {_constant(n)!r} is text; this argument takes a number")
            return
        call = _bind(n, where)
        if call.twin.none is not None and how != "any":
            # the words a cell shows for "no value" cannot feed another formula
            raise FormulaError(f"{where}: {call.twin.name} may have no value (it then shows words); "
                               "give it an item or a row of its own, not a place inside another formula")
        if how in ("range", "to_date"):
            raise FormulaError(f"{where}: {call.twin.name}(...) is a value; this argument takes a timeline "
                               "row by its name: give the value a row of its own")
        for param, value in call.arguments.items():
            sub = "range" if param in call.twin.ranges else "to_date" if param in call.twin.to_date else (
                "text" if param in call.twin.text else "value")
            for v in (value if isinstance(value, tuple) else (value,)):
                visit(v, sub)

    visit(node, "any")


# ---------------------------------------------------------------------------- Python

def evaluate(node: ast.expr, value: Callable[[str], Any], text: bool = False) -> Any:
    """The formula's value: each call to its function, each name through ``value(name)``.

    At the top (``text=True``), a result that does not exist (``inf`` from a twin with a
    ``none`` text) is that text, as the workbook's cell shows it.
    """
    if isinstance(node, ast.Name):
        return value(node.id)
    if isinstance(node, (ast.Constant, ast.UnaryOp)):
        return _constant(node)
    call = _bind(node, "formula")
    positional, keywords = [], {}
    for param, p in call.twin.signature.parameters.items():
        if param not in call.arguments:
            continue
        got = call.arguments[param]
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            positional.extend(evaluate(v, value) for v in got)
        elif p.kind is inspect.Parameter.POSITIONAL_ONLY:
            positional.append(evaluate(got, value))
        else:
            keywords[param] = evaluate(got, value)
    result = call.twin.function(*positional, **keywords)
    if text and call.none is not None:
        import numpy as np  # the registry and the parser need none: listing templates stays light

        arr = np.asarray(result)
        if arr.dtype.kind == "f" and np.isinf(arr).any():
            if arr.ndim == 0:
                return call.none
            return np.where(np.isinf(arr), np.nan, arr)  # a row: NaN where its cells show the words
    return result


def none_text(node: ast.expr) -> str | None:
    """The words a formula's cells show where it has no value (None: it always has one)."""
    if isinstance(node, ast.Call):
        return _bind(node, "formula").none
    return None


# ---------------------------------------------------------------------------- Excel

class Context(Protocol):
    """Where a name lives in the workbook, as seen from the cell being written."""

    def value(self, name: str) -> str: ...      # an input or item: its defined name; a row: this column's cell

    def range(self, name: str) -> str: ...      # a row's whole timeline

    def to_date(self, name: str) -> str: ...    # a row from its first column to this one

    def end(self, name: str, which: str) -> str: ...  # a row's "first" or "last" cell


# a name, a cell or range (the writer's column placeholder \x00 included), a number, a text
_SIMPLE = re.compile(r"""^(?:[A-Za-z_][A-Za-z0-9_.]*|(?:'[^']+'!|[A-Za-z_][A-Za-z0-9_]*!)?[$A-Z0-9:\x00]+|
                          \d+(?:\.\d*)?(?:E[+-]?\d+)?|"(?:[^"]|"")*")$""", re.VERBOSE)
_CALL = re.compile(r"^[A-Z][A-Z0-9_.]*\(")


def _atomic(text: str) -> bool:
    if _SIMPLE.match(text):
        return True
    if not _CALL.match(text):
        return False
    depth, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
    return True


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        mantissa, _, exponent = repr(float(value)).upper().partition("E")
        text = mantissa + (f"E{int(exponent)}" if exponent else "")  # 1E-9, as Excel shows it
    return f"({text})" if text.startswith("-") else text


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# {name}, or {name:first} / {name:last} for the end cells of a row taken whole; {#constant} or
# {#table[key]} for a named constant of costlib.constants (a table looked up by the argument key)
_PLACEHOLDER = re.compile(r"\{(#)?([A-Za-z_][A-Za-z0-9_]*)(?:\[([A-Za-z_][A-Za-z0-9_]*)\])?(?::(first|last))?\}")


def constant_text(name: str, context: Any, key: str | None = None) -> str:
    """Constant ``name`` as a formula writes it: its defined name where the context has a Constants block
    (``context.constant``), else its number; a table constant looked up at the rendered ``key``."""
    c = CONSTANTS[name]
    named = getattr(context, "constant", None)
    if named is not None:
        ref = named(name)
        return f"INDEX({ref}, MATCH({key}, {named(name + '_key')}, 0), 1)" if c.table else ref
    if not c.table:
        return _number(c.value)
    pairs = list(c.value.items())
    text = _number(pairs[-1][1])
    for k, v in reversed(pairs[:-1]):
        text = f"IF({key} = {_quote(k)}, {_number(v)}, {text})"
    return text


def _constants_outside_quotes(text: str, context: Any) -> str:
    """``{#name}`` in a callable twin's own text (never inside quoted words) as :func:`constant_text` writes it."""
    parts = text.split('"')
    return '"'.join(_PLACEHOLDER.sub(lambda m: constant_text(m[2], context) if m[1] else m[0], p) if i % 2 == 0
                    else p for i, p in enumerate(parts))


def render(node: ast.expr, context: Context) -> str:
    """The formula as native Excel text (without the leading ``=``)."""
    if isinstance(node, ast.Name):
        return context.value(node.id)
    if isinstance(node, (ast.Constant, ast.UnaryOp)):
        v = _constant(node)
        return _quote(v) if isinstance(v, str) else _number(v)
    call = _bind(node, "formula")
    twin = call.twin
    rendered: dict[str, Any] = {}
    ends: dict[tuple[str, str], str] = {}
    for param in twin.ranges:
        if param in call.arguments and not isinstance(call.arguments[param], tuple):
            for which in ("first", "last"):
                ends[param, which] = context.end(call.arguments[param].id, which)
    for param, p in twin.signature.parameters.items():
        if param in twin.unrendered:
            if param in call.arguments:
                raise FormulaError(f"formula: {twin.name}'s {param} has no place in a workbook: "
                                   f"{twin.unrendered[param]}")
            continue
        if param in call.arguments:
            got = call.arguments[param]
            nodes = got if p.kind is inspect.Parameter.VAR_POSITIONAL else (got,)
            parts = []
            for n in nodes:
                if param in twin.ranges:
                    parts.append(context.range(n.id))
                elif param in twin.to_date:
                    parts.append(context.to_date(n.id))
                else:
                    text = render(n, context)
                    parts.append(text if _atomic(text) else f"({text})")
            rendered[param] = parts if p.kind is inspect.Parameter.VAR_POSITIONAL else parts[0]
        elif p.kind is inspect.Parameter.VAR_POSITIONAL:
            rendered[param] = []
        elif param in twin.defaults:
            rendered[param] = None  # filled below from the argument that stands in for it
        elif _is_number(p.default):
            rendered[param] = _number(p.default)
        elif isinstance(p.default, str) and param in twin.text:
            rendered[param] = _quote(p.default)
        elif isinstance(p.default, str):  # a name the function looks up ("H100"); the cell needs its number
            raise FormulaError(f"formula: {twin.name} needs {param} in a workbook: its default {p.default!r} is a "
                               f"name the function looks up, and its cell takes the number (give {param}, such as "
                               f"accelerator_peak_tflops({param}, precision) or accelerator_board_power_w({param}))")
        else:
            raise FormulaError(f"formula: {twin.name} needs {param} in a workbook (no numeric default)")
    for param, other in twin.defaults.items():
        if rendered.get(param) is None:
            rendered[param] = rendered[other]
    if twin.none is not None:
        rendered["none"] = _quote(call.none)
    if callable(twin.excel):
        return _constants_outside_quotes(twin.excel(**rendered), context)

    def fill(m):
        if m[1]:
            return constant_text(m[2], context, rendered[m[3]] if m[3] else None)
        return ends[m[2], m[4]] if m[4] else rendered[m[2]]

    return _PLACEHOLDER.sub(fill, twin.excel)


# ---------------------------------------------------------------------------- documentation

def functions_markdown() -> str:
    """The table of functions a template may call, with each one's Excel twin (docs/templates.md)."""
    lines = ["| function | what it gives | Excel twin |", "|---|---|---|"]
    for name in sorted(twins()):
        twin = TWINS[name]
        params = []
        for p in twin.signature.parameters.values():
            if p.name in twin.unrendered:  # a workbook cannot give it (render refuses it)
                continue
            shown = f"*{p.name}" if p.kind is p.VAR_POSITIONAL else p.name
            if p.name in twin.ranges or p.name in twin.to_date:
                shown += " (row)"
            params.append(shown if p.default is p.empty else f"{shown}={p.default!r}")
        if callable(twin.excel):
            example = twin.excel(**{p.name: [f"{{{p.name}1}}", f"{{{p.name}2}}"] if p.kind is p.VAR_POSITIONAL
                                    else f"{{{p.name}}}" for p in twin.signature.parameters.values()})
        else:
            example = twin.excel.replace("{none}", f'"{twin.none}"' if twin.none else "")
        summary, example = (text.replace("|", "\\|") for text in (twin.summary, example))
        lines.append(f"| `{name}({', '.join(params)})` | {summary} | `{example}` |")
    return "\n".join(lines) + "\n"


DOCS_BEGIN = "<!-- functions: generated from costlib.formulas by scripts/make_docs.py; do not edit -->"
DOCS_END = "<!-- end of the generated functions -->"


def with_functions(text: str) -> str:
    """``text`` (docs/templates.md) with its generated table of functions made current."""
    return with_block(text, DOCS_BEGIN, DOCS_END, functions_markdown(), "docs/templates.md")
