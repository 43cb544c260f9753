"""Templates as data: load a template and check its structure.

A template (``templates/NAME.toml``; the format is described in ``docs/templates.md``)
declares inputs (name, unit, default, rule, source), sheets of single-cell items and
timeline rows, charts and checks. Each item, row and check has a ``formula``: a call of
costlib functions on the template's names and numbers, such as
``train_cost(params, train_tokens, train_price_per_gpu_hour, gpu=gpu_peak_tflops)``. The
template says which function fills a row, never the arithmetic: each function carries its
Excel twin (:mod:`costlib.formulas`). :mod:`costlib.workbook.writer` renders the formulas
as native Excel text, :mod:`costlib.plan.evaluate` evaluates the same calls in Python.
"""

from __future__ import annotations

import ast
import difflib
import functools
import math
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .. import arguments, formulas
from ..constants import CONSTANTS
from ..errors import TemplateError, UnknownNameError
from ..rules import RULES, obeys
from .names import GRID_COLUMNS, check_file_stem, check_name, check_sheet_names

__all__ = ["Template", "Input", "Item", "Row", "Sheet", "Check", "load_template", "template_names", "TemplateError"]

SECTIONS = ("capex", "opex", "memo", "summary", "calendar")
INPUT_TYPES = ("number", "integer", "text", "gpu", "choice", "date", "currency")
#: An input's ``api_price``: the look-up (model, provider, date) or the price it takes from a named API model
#: (genai-prices, :func:`costlib.prices.api_prices`): the base prices, and a long-context tier's start and prices
API_PRICE_KINDS = {
    "model": "the API model whose prices the price inputs take (blank: the prices typed)",
    "provider": "the model's provider (blank: the model's own)",
    "date": "the day the prices are in force (default: the calendar's start)",
    "service_tier": "the service tier the model is billed at (standard, batch, flex, priority)",
    "batch_discount": "a batch discount the price data does not carry: 0 where the batch tier's prices apply",
    "input": "input price", "cached_input": "cached input (cache read) price", "cache_write": "cache write price",
    "output": "output price", "tier_start": "long-context tier: its start in prompt tokens",
    "tier_input": "input price above the tier", "tier_cached_input": "cached input price above the tier",
    "tier_cache_write": "cache write price above the tier", "tier_output": "output price above the tier",
}
#: The rows a template's [calendar] adds to its first timeline sheet: name -> (label, unit, format, formula)
CALENDAR_ROWS = {
    "month_end": ("Month ending", "date", "month", "month_end({start}, {axis})"),
    "fiscal_year": ("Fiscal year", "year", "fiscal_year", "fiscal_year(month_end, {fiscal_year_start})"),
    "fiscal_quarter": ("Fiscal quarter", "quarter", "quarter", "fiscal_quarter(month_end, {fiscal_year_start})"),
}


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    default: Any
    source: str
    unit: str = ""
    group: str = "Inputs"
    type: str = "number"
    rule: str = ""
    format: str = "number"
    maximum: Any = None
    structural: bool = False
    choices: tuple[str, ...] = ()
    plausible: Any = None  # a bare number above it is refused; with its unit ("500%") it is taken
    range: Any = None  # (low, high) around the default: an uncertain input, with downside/base/upside scenarios
    downside: str = ""  # which end of the range hurts the template's decision: "low" or "high"
    downside_reason: str = ""  # why that end is the downside, in words (shown on Inputs)
    api_price: str = ""  # what a named API model's price data fills (API_PRICE_KINDS): the plan resolves it

    @property
    def ends(self) -> dict[str, int]:
        """Scenario -> index into (low, base, high): the downside takes the end the template declares."""
        down = 0 if self.downside == "low" else 2
        return {"downside": down, "base": 1, "upside": 2 - down}

    def describe_rule(self) -> str:
        if self.type == "gpu":
            return "a catalogue accelerator name"
        if self.type == "text":
            return "text"
        if self.type == "choice":
            return "one of " + ", ".join(self.choices)
        if self.type == "date":
            return "a date (2027-01 or 2027-01-01)"
        if self.type == "currency":
            return "an ISO 4217 code of three letters (USD, EUR)"
        text = RULES[self.rule][4].replace("must be ", "")
        if self.maximum is not None:
            text += f", <= {self.maximum}"
        from .plausible import plausible_range

        bounds = plausible_range(self)
        if bounds is not None:
            from ..numbers import short_number

            low, high, _ = bounds
            override = "% or !" if self.unit.startswith("fraction") else "!"
            text += (f"; plausible {short_number(low)} to {short_number(high)} (outside it, type the value with "
                     f"{override} to mean it)")
        return ("a whole number " if self.type == "integer" else "") + text


@dataclass(frozen=True)
class Item:
    """A single-cell quantity: its formula is a call of costlib functions."""

    name: str
    label: str
    unit: str
    formula: str
    format: str = "number"
    expr: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Row:
    """A timeline row: one formula across every column."""

    name: str
    label: str
    unit: str
    formula: str
    section: str
    format: str = "number"
    total: bool = False
    emphasis: bool = False
    verifies: str = ""  # a row whose formula this one repeats, so a cell typed over in either shows (``verify``)
    expr: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Check:
    """A workbook check: TRUE when the model is consistent."""

    label: str
    formula: str
    fails: str = "it does not hold"  # what the Checks sheet says when it is FALSE
    refuses: str = ""  # an input: where the check fails for the given inputs, they are refused, this one named
    expr: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Sheet:
    name: str
    description: str = ""
    items: tuple[Item, ...] = ()
    rows: tuple[Row, ...] = ()
    first: bool = False


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str
    axis: str
    axis_label: str
    axis_length: str
    inputs: tuple[Input, ...]
    sheets: tuple[Sheet, ...]
    charts: tuple[dict, ...] = ()
    checks: tuple[Check, ...] = ()
    axis_values: tuple[float, ...] | None = None
    headline: tuple[str, ...] = ()  # items of the first sheet shown first, in words: the decision
    calendar: dict | None = None  # {"start": input name, "fiscal_year_start": input name}: dated months
    key_outputs: tuple[str, ...] = ()  # number items whose ranges and sensitivity the workbook shows first
    key_output_better: str = "higher"  # which way the first key output favours the decision: downside <= upside
    close_call: dict | None = None  # {key, total, share, above, below}: when the decision is too close to call
    path: str = ""

    @property
    def number_items(self) -> list[str]:
        """The items that hold a number (not a sentence), in the template's order."""
        return [name for name, (_, item) in self.items.items() if "text" not in (item.unit, item.format)]

    @property
    def ordered_sheets(self) -> list[Sheet]:
        """The sheets in the workbook's order: the one marked ``first`` first, the rest as written."""
        return in_workbook_order(self.sheets)

    @property
    def key_numbers(self) -> list[str]:
        """The key outputs: ``key_outputs``, else the first sheet's number items, else every number item."""
        if self.key_outputs:
            return list(self.key_outputs)
        first = self.ordered_sheets[0]
        numbers = set(self.number_items)
        return [i.name for i in first.items if i.name in numbers] or self.number_items

    @property
    def currency_input(self) -> str | None:
        """The input that names the currency of every money figure, if the template has one."""
        return next((i.name for i in self.inputs if i.type == "currency"), None)

    def input(self, name: str) -> Input:
        for i in self.inputs:
            if i.name == name:
                return i
        raise KeyError(name)

    @property
    def rows(self) -> dict[str, tuple[Sheet, Row]]:
        return {row.name: (sheet, row) for sheet in self.sheets for row in sheet.rows}

    @property
    def items(self) -> dict[str, tuple[Sheet, Item]]:
        return {item.name: (sheet, item) for sheet in self.sheets for item in sheet.items}

    def defaults(self) -> dict[str, Any]:
        return {i.name: i.default for i in self.inputs}

    def axis_numbers(self, values: dict[str, Any]) -> list[float]:
        """The axis for resolved input ``values``: ``axis_values`` (a number, or an input's name taking
        its value: the multiples of unit-economics are inputs), else 1, 2, ... to the axis length."""
        if not self.axis_values:
            return [float(k) for k in range(1, int(values[self.axis_length]) + 1)]
        return [float(values[v]) if isinstance(v, str) else float(v) for v in self.axis_values]

    def length(self, values: dict[str, Any]) -> int:
        """Columns of the timeline for resolved input ``values``."""
        return len(self.axis_values) if self.axis_values else int(values[self.axis_length])


def template_names() -> list[str]:
    return sorted(Path(f.name).stem for f in resources.files("costlib.templates").iterdir()
                  if f.name.endswith(".toml"))


def load_template(name_or_path: "str | Path | Template", formulas: bool = True) -> Template:
    """A template by name (``budget``) or by path to a ``.toml`` file.

    ``formulas=False`` reads the inputs, sheets and labels but leaves the formulas unparsed
    (no engine module loads: listing the packaged templates stays instant); such a template
    cannot be evaluated or written.
    """
    if isinstance(name_or_path, Template):
        return name_or_path
    text_path = str(name_or_path)
    if text_path.endswith(".toml"):
        path = Path(text_path)
        try:
            text = path.read_text(encoding="utf-8-sig")  # Notepad and Excel save UTF-8 with a byte-order mark
        except UnicodeDecodeError as exc:
            raise TemplateError(f"cannot read the template {path}: it is not UTF-8 text (byte 0x"
                                f"{exc.object[exc.start]:02x} at position {exc.start}); save it as UTF-8") from None
        except OSError as exc:
            raise TemplateError(f"cannot read the template {path}: {exc.strerror}") from None
    else:
        names = template_names()
        if text_path not in names:
            close = difflib.get_close_matches(text_path, names, n=3, cutoff=0.3)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise UnknownNameError(f"template must be one of {', '.join(names)}, got {text_path!r}{hint}",
                                   argument="template")
        res = resources.files("costlib.templates").joinpath(f"{text_path}.toml")
        path = Path(str(res))
        text = res.read_text(encoding="utf-8")
    return _parsed(text, str(path), formulas)


@functools.lru_cache(maxsize=32)
def _parsed(text: str, path: str, formulas: bool) -> Template:
    """A template from its text, parsed and checked once per text: a schedule, a simulation's blocks and the
    writer each load it again, and the budget's checks take 40 ms. Keyed by the whole text, so an edited file
    is read afresh; a Template is frozen."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path}: not valid TOML: {exc}") from None
    return _build(data, path, formulas)


def _make(cls, raw: Any, path: str, where: str):
    if not isinstance(raw, dict):
        raise TemplateError(f"{path}: {where} must be a table, got {raw!r}")
    known = {f.name for f in fields(cls)} - {"expr"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise TemplateError(f"{path}: {where} has unknown keys {', '.join(unknown)}; "
                            f"known: {', '.join(sorted(known))}")
    required = [f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING]
    missing = [k for k in required if k not in raw]
    if missing:
        raise TemplateError(f"{path}: {where} must have {', '.join(repr(m) for m in missing)}")
    return cls(**raw)


TEMPLATE_KEYS = {"name", "title", "description", "axis", "axis_label", "axis_length", "axis_values", "inputs",
                 "sheets", "charts", "checks", "headline", "calendar", "key_outputs", "key_output_better",
                 "close_call", "verify"}


def _input(raw: dict, path: str) -> Input:
    raw = dict(raw)
    where = f"input {raw.get('name', '?')}"
    if "choices" in raw:
        raw["choices"] = tuple(raw["choices"])
    for key in ("range", "plausible"):
        if key in raw and isinstance(raw[key], list):
            raw[key] = tuple(raw[key])
    registry = _registry(raw.get("name"))
    if registry is not None:  # the one registry of argument meanings fills what the template leaves out
        raw.setdefault("unit", registry.unit)
        if registry.rule:
            raw.setdefault("rule", registry.rule)
    inp = _make(Input, raw, path, where)
    if inp.type in ("number", "integer") and not inp.rule:
        inp = Input(**{**raw, "rule": "finite"})
    if not inp.unit:
        raise TemplateError(f"{path}: {where} must have 'unit' (it is not in costlib's argument registry)")
    return inp


def _registry(name: Any):
    """The registered argument of that name (its unit and rule), or None."""
    return arguments.lookup(name) if isinstance(name, str) else None


def _build(data: dict, path: str, check_formulas: bool = True) -> Template:

    def need(mapping, key, where):
        if key not in mapping:
            raise TemplateError(f"{path}: {where} must have {key!r}")
        return mapping[key]

    unknown = sorted(set(data) - TEMPLATE_KEYS)
    if unknown:
        raise TemplateError(f"{path}: unknown keys {', '.join(unknown)}; known: {', '.join(sorted(TEMPLATE_KEYS))}")
    inputs = tuple(_input(raw, path) for raw in data.get("inputs", []))
    if any(i.range is not None for i in inputs) and SCENARIO not in {i.name for i in inputs}:
        inputs = (SCENARIO_INPUT,) + inputs
    sheets = []
    for raw in need(data, "sheets", "the template"):
        name = need(raw, "name", "a sheet")
        extra = sorted(set(raw) - {"name", "description", "items", "rows", "first"})
        if extra:
            raise TemplateError(f"{path}: sheet {name} has unknown keys {', '.join(extra)}")
        items = tuple(_make(Item, i, path, f"item {i.get('name', '?')} of sheet {name}") for i in raw.get("items", []))
        for r in raw.get("rows", []):
            if isinstance(r, dict) and "verifies" in r:  # set by ``verify = true`` only, never typed
                raise TemplateError(f"{path}: row {r.get('name', '?')} of sheet {name}: verifies is not a key a "
                                    f"template sets; use verify = true at the top")
        rows = tuple(_make(Row, r, path, f"row {r.get('name', '?')} of sheet {name}") for r in raw.get("rows", []))
        sheets.append(Sheet(name, raw.get("description", ""), items, rows, raw.get("first", False)))
    checks = tuple(_make(Check, c, path, f"check {c.get('label', '?')!r}") for c in data.get("checks", []))
    axis_values = data.get("axis_values")
    axis = data.get("axis", "month")
    calendar = data.get("calendar")
    if calendar is not None:
        sheets = _with_calendar(sheets, calendar, axis, path)
    verify = data.get("verify", False)
    if not isinstance(verify, bool):
        raise TemplateError(f"{path}: verify must be true or false, got {verify!r}")
    if verify and check_formulas:  # a template read for its labels (formulas=False) lists no Verify sheet
        sheets, checks = _with_verify(sheets, checks)
    template = Template(
        name=need(data, "name", "the template"), title=need(data, "title", "the template"),
        description=data.get("description", ""), axis=axis, axis_label=data.get("axis_label", axis),
        axis_length=data.get("axis_length", "months"), inputs=inputs, sheets=tuple(sheets),
        charts=tuple(data.get("charts", [])), checks=checks,
        axis_values=tuple(axis_values) if axis_values else None, headline=tuple(data.get("headline", ())),
        calendar=dict(calendar) if calendar is not None else None, key_outputs=tuple(data.get("key_outputs", ())),
        key_output_better=data.get("key_output_better", "higher"),
        close_call=({"verb": CLOSE_CALL_VERB, **data["close_call"]} if isinstance(data.get("close_call"), dict)
                    else data.get("close_call")),
        path=path)
    if not check_formulas:
        return template
    return _validate(template)


#: The input a template with uncertain inputs gets: which coherent scenario the model uses. Downside sets
#: every uncertain input at the end its template declares hurts the decision, upside at the other end:
#: never a mix of directions, so the first key output runs downside <= base <= upside.
SCENARIO = "scenario"
SCENARIOS = ("downside", "base", "upside")
SCENARIO_INPUT = Input(
    name=SCENARIO, label="Scenario the model uses (downside, base or upside)", default="base",
    source="Assumption: the base case. Downside puts every uncertain input at the end of its range that hurts "
           "the decision (its Low or High column, as its source says), upside at the other end",
    unit="scenario", group="Scenario", type="choice", choices=SCENARIOS)

#: What a first sheet says of each scenario
SCENARIO_WORDS = {
    "downside": "Downside: each uncertain input at the end of its range that hurts the decision (Inputs)",
    "base": "Base: each uncertain input at its base value (Inputs)",
    "upside": "Upside: each uncertain input at the end of its range that helps the decision (Inputs)",
}


def in_workbook_order(sheets) -> list[Sheet]:
    """``sheets`` as the workbook shows them: the one marked ``first`` first (a stable sort)."""
    return sorted(sheets, key=lambda s: not s.first)


def _with_calendar(sheets: list, calendar: Any, axis: str, path: str) -> list:
    """The sheets with the calendar rows (month_end, fiscal_year, fiscal_quarter) on the first timeline sheet."""
    if not isinstance(calendar, dict) or set(calendar) != {"start", "fiscal_year_start"}:
        raise TemplateError(f"{path}: calendar must be a table with 'start' (a date input) and 'fiscal_year_start' "
                            f"(an input of the month the fiscal year starts, 1 to 12), got {calendar!r}")
    rows = tuple(Row(name, label, unit, formula.format(axis=axis, **calendar), "calendar", fmt)
                 for name, (label, unit, fmt, formula) in CALENDAR_ROWS.items())
    s = next((s for s in in_workbook_order(sheets) if s.rows), None)
    if s is None:
        raise TemplateError(f"{path}: a calendar needs a sheet with timeline rows")
    home = next(i for i, sheet in enumerate(sheets) if sheet is s)
    sheets = list(sheets)
    sheets[home] = Sheet(s.name, s.description, s.items, rows + s.rows, s.first)
    return sheets


#: The sheet ``verify = true`` adds: each timeline row, recomputed by its own formula
VERIFY_SHEET = "Verify"


def _with_verify(sheets: list, checks: tuple) -> tuple[list, tuple]:
    """The sheets with a Verify sheet repeating every timeline row but the calendar's, and a check per row.

    A cell typed over a formula leaves the row's sum different from the same formula
    computed again beside it: the check of that row turns FALSE and names it. Every row, not
    only the money rows: a driver typed over (a cost per FTE, a GPU count) moves the money rows
    computed from it while each of them still holds its formula. In Python the repeat is the
    row itself (``verifies``); only a workbook's cells can be typed over.
    """
    def worded(row) -> bool:  # a row that may show words where it has no value: its sum is no fingerprint
        try:
            return formulas.none_text(formulas.parse(row.formula)) is not None
        except formulas.FormulaError:
            return False  # the template's own check names the formula

    verified = [row for sheet in sheets for row in sheet.rows if row.section != "calendar" and not worded(row)]
    rows = tuple(Row(f"{row.name}_recomputed", f"{row.label}, recomputed", row.unit, row.formula, "memo", row.format,
                     verifies=row.name) for row in verified)
    sheet = Sheet(VERIFY_SHEET, "Each timeline row computed again by its own formula: a cell typed over a formula "
                                "shows as a difference, and the check of that row (sheet Checks) fails. Only these "
                                "lines print: the rows are for the checks, whose results print on Checks.",
                  (), rows)
    added = tuple(Check(f"Row {row.name} holds its formula in every month",
                        f"agree(total({row.name}), total({row.name}_recomputed), check_tolerance)",
                        f"a cell of {row.name} ({row.label}) was typed over: restore its formula from the next cell")
                  for row in verified)
    return [*sheets, sheet], checks + added


def _validate(t: Template) -> Template:
    # every name checked before any formula is parsed: no template text reaches a formula unchecked
    check_file_stem(t.name, "name (the stem of the files it writes)", t.path)
    if not isinstance(t.axis, str) or not t.axis.isidentifier():
        raise TemplateError(f"{t.path}: axis must be a name (letters, digits, _), got {t.axis!r}")
    check_name(t.axis, "axis", t.path, function_ok=True)
    check_sheet_names([s.name for s in t.sheets], t.path)
    names: dict[str, str] = {t.axis: "row"}
    lowered: dict[str, str] = {t.axis.lower(): t.axis}
    for kind, values in (("input", [i.name for i in t.inputs]), ("item", list(t.items)), ("row", list(t.rows))):
        for n in values:
            check_name(n, kind, t.path)
            if n in names:
                raise TemplateError(f"{t.path}: the name {n!r} is used twice ({names[n]} and {kind})")
            if n.lower() in lowered:
                raise TemplateError(f"{t.path}: the names {lowered[n.lower()]!r} and {n!r} differ only in case; a "
                                    f"spreadsheet reads them as one name: rename one")
            names[n] = kind
            lowered[n.lower()] = n
    if t.axis_values is not None and not 1 <= len(t.axis_values) <= GRID_COLUMNS - 2:
        raise TemplateError(f"{t.path}: axis_values must hold 1 to {GRID_COLUMNS - 2} values (the grid's columns "
                            f"but the label and total), got {len(t.axis_values)}")
    for v in t.axis_values or ():
        if isinstance(v, str) and (v not in {i.name for i in t.inputs} or t.input(v).type not in ("number", "integer")
                                   or t.input(v).range is not None):
            raise TemplateError(f"{t.path}: axis_values holds numbers or the names of number inputs without a range "
                                f"(the axis is the same in every draw), got {v!r}")
    if not t.axis_values and t.axis_length not in {i.name for i in t.inputs}:
        raise TemplateError(f"{t.path}: axis_length must name an input, got {t.axis_length!r}")
    for i in t.inputs:
        if i.type not in INPUT_TYPES:
            raise TemplateError(f"{t.path}: input {i.name} type must be one of {', '.join(INPUT_TYPES)}, got {i.type!r}")
        if i.type in ("number", "integer") and i.rule not in RULES:
            raise TemplateError(f"{t.path}: input {i.name} rule must be one of {', '.join(RULES)}, got {i.rule!r}")
        if i.type == "choice" and (not i.choices or i.default not in i.choices):
            raise TemplateError(f"{t.path}: input {i.name} must list its choices, the default among them")
        numbers = {j.name for j in t.inputs if j.type in ("number", "integer")}
        if isinstance(i.maximum, str) and i.maximum not in numbers:
            raise TemplateError(f"{t.path}: input {i.name} maximum must be a number or the name of a number "
                                f"input, got {i.maximum!r}")
        for key in ("maximum", "plausible"):
            bound = getattr(i, key)
            if key == "plausible" and isinstance(bound, (list, tuple)):
                if not (len(bound) == 2 and all(_finite_number(b) for b in bound) and bound[0] < bound[1]):
                    raise TemplateError(f"{t.path}: input {i.name} plausible must be a number (the top) or "
                                        f"[low, high] with low < high, got {bound!r}")
                continue
            if bound is not None and not (key == "maximum" and isinstance(bound, str)) and not _finite_number(bound):
                raise TemplateError(f"{t.path}: input {i.name} {key} must be a number, got {bound!r}")
        if i.plausible is not None and i.type not in ("number", "integer"):
            raise TemplateError(f"{t.path}: input {i.name} plausible is for numbers only")
        if i.range is not None:
            _check_range(t, i)
    _check_api_prices(t)
    if t.calendar is not None:
        types = {"start": "date", "fiscal_year_start": "integer"}
        for key, name in t.calendar.items():
            if name not in {i.name for i in t.inputs} or t.input(name).type != types[key]:
                raise TemplateError(f"{t.path}: calendar {key} must name an input of type {types[key]}, got {name!r}")
    kinds = {n: ("text" if k == "input" and t.input(n).type in ("text", "gpu", "choice", "currency") else k)
             for n, k in names.items()}
    kinds.update({n: "input" for n, c in CONSTANTS.items() if not c.table})  # a named constant reads as an input
    parsed: dict[int, Any] = {}

    def parse(obj, where, single_cell):
        expr = formulas.parse(obj.formula, f"{t.path}: {where}")
        formulas.check(expr, f"{t.path}: {where}", kinds, single_cell)
        _no_defaults(expr, f"{t.path}: {where}")
        object.__setattr__(obj, "expr", expr)
        parsed[id(obj)] = expr
        return expr

    for sheet, row in t.rows.values():
        if row.section not in SECTIONS:
            raise TemplateError(f"{t.path}: row {row.name} section must be one of {', '.join(SECTIONS)}, "
                                f"got {row.section!r}")
        expr = parse(row, f"row {row.name}", single_cell=False)
    worded = {name for name, (_, row) in t.rows.items() if formulas.none_text(row.expr)}
    for sheet, row in t.rows.values():
        expr = row.expr
        for ref in _this_column_rows(expr, formulas, set(t.rows)):
            if ref in worded:
                raise TemplateError(f"{t.path}: row {row.name} must not read row {ref} in its column: {ref} may say "
                                    f"{formulas.none_text(t.rows[ref][1].expr)!r} in words, which no formula can use")
            other = t.rows[ref][1].section
            # capex and opex are separate structures: no capex line reads an opex line, nor the reverse
            if {row.section, other} == {"capex", "opex"}:
                raise TemplateError(f"{t.path}: {row.section} row {row.name} must not refer to {other} row {ref}")
    for sheet, item in t.items.values():
        parse(item, f"item {item.name}", single_cell=True)
    for check in t.checks:
        parse(check, f"check {check.label!r}", single_cell=True)
        if check.refuses and check.refuses not in {i.name for i in t.inputs}:
            raise TemplateError(f"{t.path}: check {check.label!r} refuses must name an input, got {check.refuses!r}")
    first = t.ordered_sheets[0]
    for name in t.headline:
        if name not in {i.name for i in first.items}:
            raise TemplateError(f"{t.path}: headline {name!r} must be an item of the first sheet, {first.name}")
    if t.key_output_better not in ("higher", "lower"):
        raise TemplateError(f"{t.path}: key_output_better must be \"higher\" or \"lower\" (which way the first key "
                            f"output favours the decision), got {t.key_output_better!r}")
    if t.close_call is not None:
        _check_close_call(t)
    for name in t.key_outputs:
        if name not in t.number_items:
            raise TemplateError(f"{t.path}: key_outputs {name!r} must be a number item of the template")
    for chart in t.charts:
        for name in chart.get("rows", []):
            if name not in t.rows:
                raise TemplateError(f"{t.path}: chart {chart.get('title', '?')!r} refers to unknown row {name}")
    return t


def _check_api_prices(t: Template) -> None:
    """Inputs a named API model prices: each kind once, a text model input, a text provider, a date."""
    marked = [i for i in t.inputs if i.api_price]
    if not marked:
        return
    seen: dict[str, str] = {}
    for i in marked:
        if i.api_price not in API_PRICE_KINDS:
            raise TemplateError(f"{t.path}: input {i.name} api_price must be one of {', '.join(API_PRICE_KINDS)}, "
                                f"got {i.api_price!r}")
        if i.api_price in seen:
            raise TemplateError(f"{t.path}: api_price {i.api_price!r} is given to two inputs, {seen[i.api_price]} "
                                f"and {i.name}")
        seen[i.api_price] = i.name
        want = {"model": "text", "provider": "text", "date": "date", "service_tier": "choice"}.get(i.api_price, "number")
        if i.type != want:
            raise TemplateError(f"{t.path}: input {i.name} (api_price {i.api_price!r}) must be of type {want}, "
                                f"got {i.type!r}")
        if i.range is not None and i.api_price.startswith("tier_"):
            raise TemplateError(f"{t.path}: input {i.name} (api_price {i.api_price!r}) has no range: a model's tier "
                                "is what its provider bills")
    if "model" not in seen:
        raise TemplateError(f"{t.path}: inputs with api_price need one input with api_price = \"model\" (the "
                            "API model that prices them)")
    if "date" not in seen and t.calendar is None:
        raise TemplateError(f"{t.path}: inputs with api_price need an input with api_price = \"date\" (the day "
                            "the prices are in force) or a calendar whose start is that day")
    tier = [k for k in seen if k.startswith("tier_")]
    if tier and "tier_start" not in seen:
        raise TemplateError(f"{t.path}: the tier prices {', '.join(seen[k] for k in tier)} need an input with "
                            "api_price = \"tier_start\"")
    for k in tier:
        if k != "tier_start" and k.removeprefix("tier_") not in seen:
            raise TemplateError(f"{t.path}: input {seen[k]} (api_price {k!r}) needs the base price it mirrors "
                                f"without a model, an input with api_price = {k.removeprefix('tier_')!r}")


#: A template's [close_call]: key -> what it must name
CLOSE_CALL_KEYS = {"key": "the first key output: the difference that decides (positive favours `above`)",
                   "total": "a number item or input: the total the difference is a share of",
                   "share": "a fraction input: a difference under this share of the total is too close to call",
                   "above": "words: the option a positive key favours", "below": "words: the other option"}
#: optional: what the options do in the close call's words ("building is cheaper in 70 % of draws")
CLOSE_CALL_VERB = "is cheaper"


def _check_close_call(t: Template) -> None:
    cc = t.close_call
    where = f"{t.path}: close_call"
    if not isinstance(cc, dict) or set(cc) - {"verb"} != set(CLOSE_CALL_KEYS):
        raise TemplateError(f"{where} must be a table with " + "; ".join(f"{k} ({v})" for k, v in CLOSE_CALL_KEYS.items())
                            + f" and optionally verb (words, default {CLOSE_CALL_VERB!r}), got {cc!r:.120}")
    if cc["key"] != t.key_numbers[0] or t.key_output_better != "higher":
        raise TemplateError(f"{where}: key must be the first key output, where higher is better ({t.key_numbers[0]}), "
                            f"got {cc['key']!r}")
    if cc["total"] not in t.number_items and cc["total"] not in {i.name for i in t.inputs if i.type == "number"}:
        raise TemplateError(f"{where}: total must be a number item or input of the template, got {cc['total']!r}")
    if cc["share"] not in {i.name for i in t.inputs} or t.input(cc["share"]).rule not in ("share", "fraction"):
        raise TemplateError(f"{where}: share must name an input whose rule is share or fraction, got {cc['share']!r}")
    if not any(i.range is not None for i in t.inputs):
        raise TemplateError(f"{where}: a close call reads the ranges' P10 and P90: the template needs uncertain inputs")
    for k in ("above", "below", "verb"):
        if not isinstance(cc[k], str) or not cc[k].strip() or '"' in cc[k]:
            raise TemplateError(f"{where}: {k} must be words (no double quote), got {cc[k]!r}")


def _no_defaults(expr, where: str) -> None:
    """Refuse a call that leaves a numeric argument at its default: a workbook would write it as a literal
    the template's reader never sees (``*(1-0)*`` for a cached share left out)."""
    for node in ast.walk(expr):
        if not isinstance(node, ast.Call):
            continue
        call = formulas.bind(node)
        for param, p in call.twin.signature.parameters.items():
            if (param in call.arguments or param in call.twin.unrendered or param in call.twin.defaults
                    or p.kind is p.VAR_POSITIONAL or not _finite_number(p.default)):
                continue
            raise TemplateError(f"{where}: {call.twin.name} leaves {param} at its default {p.default!r}, which a "
                                f"workbook would write as a bare number; give {param} (an input, a named constant "
                                f"such as check_tolerance, or the number itself)")


def _finite_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _check_range(t: Template, i: Input) -> None:
    """An uncertain input's (low, high): two numbers that obey its rule, low <= default <= high."""
    where = f"{t.path}: input {i.name} range"
    if i.type not in ("number", "integer") or i.structural:
        raise TemplateError(f"{where}: only a number input that does not change the workbook's shape has a range")
    r = i.range
    if not (isinstance(r, tuple) and len(r) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                      for v in r)):
        raise TemplateError(f"{where} must be [low, high], two numbers, got {r!r}")
    for v in r:
        if not obeys(i.rule, v):
            raise TemplateError(f"{where}: {v!r} breaks the input's rule ({RULES[i.rule][4]})")
    if not r[0] <= i.default <= r[1]:
        raise TemplateError(f"{where} must run low <= default <= high, got {r[0]!r} <= {i.default!r} <= {r[1]!r}")
    if i.downside not in ("low", "high"):
        raise TemplateError(f"{t.path}: input {i.name} has a range, so downside must say which end hurts the "
                            f"decision, \"low\" or \"high\", got {i.downside!r}")
    if not isinstance(i.downside_reason, str) or not i.downside_reason.strip():
        raise TemplateError(f"{t.path}: input {i.name} downside_reason must say why its {i.downside} end hurts the "
                            f"decision, got {i.downside_reason!r}")


def _this_column_rows(expr, formulas, rows: set[str]) -> set[str]:
    """Rows a formula reads in this column (not as a whole range or a running total)."""
    found: set[str] = set()

    def visit(n, whole):
        if isinstance(n, ast.Name):
            if not whole and n.id in rows:
                found.add(n.id)
        elif isinstance(n, ast.Call):
            call = formulas.bind(n)
            for param, value in call.arguments.items():
                for v in (value if isinstance(value, tuple) else (value,)):
                    visit(v, param in call.twin.ranges or param in call.twin.to_date)

    visit(expr, False)
    return found
