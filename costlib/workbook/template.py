"""Templates as data: load a template, check its structure, resolve a user's inputs.

A template (``templates/NAME.toml``) declares inputs (name, unit, default, rule, source),
sheets of scalar items and timeline rows whose native formulas are written in the inputs'
defined names, charts and checks. :mod:`costlib.workbook.writer` is the one engine that
turns any template into a workbook; :mod:`costlib.models` computes the same numbers in
the library, and the tests prove the two agree after a real spreadsheet engine recalculates.

Formula tokens: a bare name is a defined name; ``{col}`` is this column's axis value;
``{NAME}`` is timeline row NAME in this column; ``{cum:NAME}`` sums NAME up to this
column; ``{range:NAME}`` is NAME's whole timeline; ``{axis:SHEET}`` is SHEET's axis row.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..rules import RULES
from ..errors import InputError, InputTypeError, OutOfRangeError, UnknownNameError

__all__ = ["Template", "Input", "Item", "Row", "Sheet", "load_template", "template_names", "resolve_inputs",
           "TemplateError"]

SECTIONS = ("capex", "opex", "memo", "summary")
INPUT_TYPES = ("number", "integer", "text", "gpu")
TOKEN = re.compile(r"\{(?:(cum|range|axis):)?([A-Za-z_][A-Za-z0-9_]*)\}")
FORMULA_INJECTION = ("=", "+", "-", "@")


class TemplateError(InputError):
    """A template file that breaks the template format (a developer's error, not a user's)."""


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    unit: str
    default: Any
    source: str
    group: str = "Inputs"
    type: str = "number"
    rule: str = "finite"
    format: str = "number"
    maximum: Any = None
    structural: bool = False

    def describe_rule(self) -> str:
        if self.type == "gpu":
            return "a catalogue accelerator name"
        if self.type == "text":
            return "text"
        text = RULES[self.rule][4].replace("must be ", "")
        if self.maximum is not None:
            text += f", <= {self.maximum}"
        return ("a whole number " if self.type == "integer" else "") + text


@dataclass(frozen=True)
class Item:
    name: str
    label: str
    unit: str
    formula: str
    format: str = "number"


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    unit: str
    formula: str
    section: str
    format: str = "number"
    total: bool = False
    emphasis: bool = False


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
    model: str
    axis: str
    axis_length: str
    inputs: tuple[Input, ...]
    sheets: tuple[Sheet, ...]
    charts: tuple[dict, ...] = ()
    checks: tuple[dict, ...] = ()
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


def template_names() -> list[str]:
    return sorted(Path(f.name).stem for f in resources.files("costlib.templates").iterdir()
                  if f.name.endswith(".toml"))


def load_template(name_or_path: str | Path) -> Template:
    """A template by name (``budget``) or by path to a ``.toml`` file."""
    text_path = str(name_or_path)
    if text_path.endswith(".toml"):
        path = Path(text_path)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    else:
        names = template_names()
        if text_path not in names:
            close = difflib.get_close_matches(text_path, names, n=3, cutoff=0.3)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise UnknownNameError(f"template must be one of {', '.join(names)}, got {text_path!r}{hint}",
                                   argument="template")
        res = resources.files("costlib.templates").joinpath(f"{text_path}.toml")
        path = Path(str(res))
        data = tomllib.loads(res.read_text(encoding="utf-8"))
    return _build(data, str(path))


def _build(data: dict, path: str) -> Template:
    def need(mapping, key, where):
        if key not in mapping:
            raise TemplateError(f"{path}: {where} must have {key!r}")
        return mapping[key]

    inputs = tuple(Input(**{k: v for k, v in raw.items()}) for raw in data.get("inputs", []))
    sheets = []
    for raw in need(data, "sheets", "the template"):
        items = tuple(Item(**i) for i in raw.get("items", []))
        rows = tuple(Row(**r) for r in raw.get("rows", []))
        sheets.append(Sheet(need(raw, "name", "a sheet"), raw.get("description", ""), items, rows,
                            raw.get("first", False)))
    axis_values = data.get("axis_values")
    template = Template(
        name=need(data, "name", "the template"), title=need(data, "title", "the template"),
        description=data.get("description", ""), model=need(data, "model", "the template"),
        axis=data.get("axis", "month"), axis_length=data.get("axis_length", "months"),
        inputs=inputs, sheets=tuple(sheets), charts=tuple(data.get("charts", [])),
        checks=tuple(data.get("checks", [])), axis_values=tuple(axis_values) if axis_values else None, path=path)
    _validate(template)
    return template


def _validate(t: Template) -> None:
    names: dict[str, str] = {}
    for kind, values in (("input", [i.name for i in t.inputs]), ("item", list(t.items)), ("row", list(t.rows))):
        for n in values:
            if n in names:
                raise TemplateError(f"{t.path}: the name {n!r} is used twice ({names[n]} and {kind})")
            names[n] = kind
    for i in t.inputs:
        if i.type not in INPUT_TYPES:
            raise TemplateError(f"{t.path}: input {i.name} type must be one of {', '.join(INPUT_TYPES)}, got {i.type!r}")
        if i.type in ("number", "integer") and i.rule not in RULES:
            raise TemplateError(f"{t.path}: input {i.name} rule must be one of {', '.join(RULES)}")
    rows = t.rows
    for sheet, row in rows.values():
        if row.section not in SECTIONS:
            raise TemplateError(f"{t.path}: row {row.name} section must be one of {', '.join(SECTIONS)}, "
                                f"got {row.section!r}")
        for kind, ref in TOKEN.findall(row.formula):
            if kind in ("", "cum", "range") and ref not in rows and ref != "col":
                raise TemplateError(f"{t.path}: row {row.name} refers to unknown row {{{ref}}}")
            if kind == "" and ref != "col":
                other = rows[ref][1].section
                # capex and opex are separate structures: no capex line reads an opex line, nor the reverse
                if {row.section, other} == {"capex", "opex"}:
                    raise TemplateError(f"{t.path}: {row.section} row {row.name} must not refer to "
                                        f"{other} row {ref}")
    for sheet, item in t.items.values():
        for kind, ref in TOKEN.findall(item.formula):
            if kind == "" or kind == "cum":
                raise TemplateError(f"{t.path}: item {item.name} is a single cell; use {{range:{ref}}}")
            if kind == "range" and ref not in rows:
                raise TemplateError(f"{t.path}: item {item.name} refers to unknown row {ref}")


# ---------------------------------------------------------------------------- user inputs

def _convert(inp: Input, value: Any) -> Any:
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
