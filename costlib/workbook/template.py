"""Templates as data: load a template, check its structure, resolve a user's inputs.

A template (``templates/NAME.toml``; the format is described in ``docs/templates.md``)
declares inputs (name, unit, default, rule, source), sheets of single-cell items and
timeline rows, charts and checks. Each item, row and check has a ``formula``: a call of
costlib functions on the template's names and numbers, such as
``train_cost(params, train_tokens, train_price_per_gpu_hour, gpu=gpu_peak_tflops)``. The
template says which function fills a row, never the arithmetic: each function carries its
Excel twin (:mod:`costlib.formulas`). :mod:`costlib.workbook.writer` renders the formulas
as native Excel text, :mod:`costlib.models` evaluates the same calls in Python.
"""

from __future__ import annotations

import ast
import difflib
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError, InputTypeError, OutOfRangeError, TemplateError, UnknownNameError
from ..rules import RULES

__all__ = ["Template", "Input", "Item", "Row", "Sheet", "Check", "load_template", "template_names",
           "resolve_inputs", "TemplateError"]

SECTIONS = ("capex", "opex", "memo", "summary")
INPUT_TYPES = ("number", "integer", "text", "gpu", "choice")
FORMULA_INJECTION = ("=", "+", "-", "@")


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

    def describe_rule(self) -> str:
        if self.type == "gpu":
            return "a catalogue accelerator name"
        if self.type == "text":
            return "text"
        if self.type == "choice":
            return "one of " + ", ".join(self.choices)
        text = RULES[self.rule][4].replace("must be ", "")
        if self.maximum is not None:
            text += f", <= {self.maximum}"
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
    expr: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Check:
    """A workbook check: TRUE when the model is consistent."""

    label: str
    formula: str
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
    path: str = ""

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

    def length(self, values: dict[str, Any]) -> int:
        """Columns of the timeline for resolved input ``values``."""
        return len(self.axis_values) if self.axis_values else int(values[self.axis_length])


def template_names() -> list[str]:
    return sorted(Path(f.name).stem for f in resources.files("costlib.templates").iterdir()
                  if f.name.endswith(".toml"))


def load_template(name_or_path: "str | Path | Template") -> Template:
    """A template by name (``budget``) or by path to a ``.toml`` file."""
    if isinstance(name_or_path, Template):
        return name_or_path
    text_path = str(name_or_path)
    if text_path.endswith(".toml"):
        path = Path(text_path)
        try:
            text = path.read_text(encoding="utf-8")
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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path}: not valid TOML: {exc}") from None
    return _build(data, str(path))


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
                 "sheets", "charts", "checks"}


def _input(raw: dict, path: str) -> Input:
    raw = dict(raw)
    where = f"input {raw.get('name', '?')}"
    if "choices" in raw:
        raw["choices"] = tuple(raw["choices"])
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
    try:
        from .. import arguments
    except ImportError:
        return None
    lookup = getattr(arguments, "lookup", None)
    if lookup is None or not isinstance(name, str):
        return None
    try:
        return lookup(name)
    except (KeyError, LookupError, InputError):
        return None


def _build(data: dict, path: str) -> Template:
    from .. import formulas

    def need(mapping, key, where):
        if key not in mapping:
            raise TemplateError(f"{path}: {where} must have {key!r}")
        return mapping[key]

    unknown = sorted(set(data) - TEMPLATE_KEYS)
    if unknown:
        raise TemplateError(f"{path}: unknown keys {', '.join(unknown)}; known: {', '.join(sorted(TEMPLATE_KEYS))}")
    inputs = tuple(_input(raw, path) for raw in data.get("inputs", []))
    sheets = []
    for raw in need(data, "sheets", "the template"):
        name = need(raw, "name", "a sheet")
        extra = sorted(set(raw) - {"name", "description", "items", "rows", "first"})
        if extra:
            raise TemplateError(f"{path}: sheet {name} has unknown keys {', '.join(extra)}")
        items = tuple(_make(Item, i, path, f"item {i.get('name', '?')} of sheet {name}") for i in raw.get("items", []))
        rows = tuple(_make(Row, r, path, f"row {r.get('name', '?')} of sheet {name}") for r in raw.get("rows", []))
        sheets.append(Sheet(name, raw.get("description", ""), items, rows, raw.get("first", False)))
    checks = tuple(_make(Check, c, path, f"check {c.get('label', '?')!r}") for c in data.get("checks", []))
    axis_values = data.get("axis_values")
    axis = data.get("axis", "month")
    template = Template(
        name=need(data, "name", "the template"), title=need(data, "title", "the template"),
        description=data.get("description", ""), axis=axis, axis_label=data.get("axis_label", axis),
        axis_length=data.get("axis_length", "months"), inputs=inputs, sheets=tuple(sheets),
        charts=tuple(data.get("charts", [])), checks=checks,
        axis_values=tuple(axis_values) if axis_values else None, path=path)
    return _validate(template, formulas)


def _validate(t: Template, formulas) -> Template:
    names: dict[str, str] = {t.axis: "row"}
    for kind, values in (("input", [i.name for i in t.inputs]), ("item", list(t.items)), ("row", list(t.rows))):
        for n in values:
            if n in names:
                raise TemplateError(f"{t.path}: the name {n!r} is used twice ({names[n]} and {kind})")
            names[n] = kind
    if not t.axis.isidentifier():
        raise TemplateError(f"{t.path}: axis must be a name (letters, digits, _), got {t.axis!r}")
    if not t.axis_values and t.axis_length not in {i.name for i in t.inputs}:
        raise TemplateError(f"{t.path}: axis_length must name an input, got {t.axis_length!r}")
    for i in t.inputs:
        if i.type not in INPUT_TYPES:
            raise TemplateError(f"{t.path}: input {i.name} type must be one of {', '.join(INPUT_TYPES)}, got {i.type!r}")
        if i.type in ("number", "integer") and i.rule not in RULES:
            raise TemplateError(f"{t.path}: input {i.name} rule must be one of {', '.join(RULES)}, got {i.rule!r}")
        if i.type == "choice" and (not i.choices or i.default not in i.choices):
            raise TemplateError(f"{t.path}: input {i.name} must list its choices, the default among them")
    kinds = {n: ("text" if k == "input" and t.input(n).type in ("text", "gpu", "choice") else k)
             for n, k in names.items()}
    parsed: dict[int, Any] = {}

    def parse(obj, where, single_cell):
        expr = formulas.parse(obj.formula, f"{t.path}: {where}")
        formulas.check(expr, f"{t.path}: {where}", kinds, single_cell)
        object.__setattr__(obj, "expr", expr)
        parsed[id(obj)] = expr
        return expr

    for sheet, row in t.rows.values():
        if row.section not in SECTIONS:
            raise TemplateError(f"{t.path}: row {row.name} section must be one of {', '.join(SECTIONS)}, "
                                f"got {row.section!r}")
        expr = parse(row, f"row {row.name}", single_cell=False)
        for ref in _this_column_rows(expr, formulas, set(t.rows)):
            other = t.rows[ref][1].section
            # capex and opex are separate structures: no capex line reads an opex line, nor the reverse
            if {row.section, other} == {"capex", "opex"}:
                raise TemplateError(f"{t.path}: {row.section} row {row.name} must not refer to {other} row {ref}")
    for sheet, item in t.items.values():
        parse(item, f"item {item.name}", single_cell=True)
    for check in t.checks:
        parse(check, f"check {check.label!r}", single_cell=True)
    for chart in t.charts:
        for name in chart.get("rows", []):
            if name not in t.rows:
                raise TemplateError(f"{t.path}: chart {chart.get('title', '?')!r} refers to unknown row {name}")
    return t


def _this_column_rows(expr, formulas, rows: set[str]) -> set[str]:
    """Rows a formula reads in this column (not as a whole range or a running total)."""
    found: set[str] = set()

    def visit(n, whole):
        if isinstance(n, ast.Name):
            if not whole and n.id in rows:
                found.add(n.id)
        elif isinstance(n, ast.Call):
            twin = formulas.twins()[n.func.id]
            bound = twin.signature.bind(*n.args, **{k.arg: k.value for k in n.keywords if k.arg != "none"})
            for param, value in bound.arguments.items():
                for v in (value if isinstance(value, tuple) else (value,)):
                    visit(v, param in twin.ranges or param in twin.to_date)

    visit(expr, False)
    return found


# ---------------------------------------------------------------------------- user inputs

def _convert(inp: Input, value: Any) -> Any:
    if inp.type == "choice":
        text = str(value).strip().lower() if isinstance(value, str) else value
        if text not in inp.choices:
            raise UnknownNameError(f"{inp.name} must be one of {', '.join(inp.choices)}, got {value!r}",
                                   argument=inp.name)
        return text
    if inp.type in ("text", "gpu"):
        if not isinstance(value, str):
            raise InputTypeError(f"{inp.name} must be text, got {value!r}", argument=inp.name)
        if inp.type == "gpu":
            from ..catalogue import load

            return load("accelerators").find(value, inp.name)[0]["name"]
        return value
    if isinstance(value, str):
        text = value.replace("_", "").replace(",", "").strip()
        try:
            value = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
        except ValueError:
            raise InputTypeError(f"{inp.name} must be a number, got text {value!r}", argument=inp.name) from None
    from .. import _args

    number = _args.check(inp.name, _args.to_float_array(inp.name, value), inp.rule)
    number = float(number)
    if inp.type == "integer":
        if not number.is_integer():
            raise InputTypeError(f"{inp.name} must be a whole number, got {number:g}", argument=inp.name)
        number = int(number)
    return number


def resolve_inputs(template: Template, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template's defaults with ``overrides`` applied, each converted and checked.

    Raises UnknownNameError for a name the template does not have (closest names suggested),
    InputTypeError or OutOfRangeError for a bad value; the message names the input.
    """
    known = {i.name: i for i in template.inputs}
    values = dict(template.defaults())
    for name, value in (overrides or {}).items():
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else f"; inputs are {', '.join(known)}"
            raise UnknownNameError(f"{name!r} is not an input of the {template.name} template{hint}", argument=name)
        values[name] = value
    resolved = {name: _convert(known[name], value) for name, value in values.items()}
    for inp in template.inputs:
        if inp.maximum is None:
            continue
        limit = resolved[inp.maximum] if isinstance(inp.maximum, str) else inp.maximum
        if resolved[inp.name] > limit:
            bound = f"{inp.maximum} ({limit:g})" if isinstance(inp.maximum, str) else f"{limit:g}"
            raise OutOfRangeError(f"{inp.name} must be <= {bound}, got {resolved[inp.name]:g}", argument=inp.name)
    return resolved


def is_formula_like(text: str) -> bool:
    """True for text a spreadsheet would take as a formula: it starts with = + - or @."""
    return isinstance(text, str) and text.startswith(FORMULA_INJECTION)
