"""costlib functions inside a user's own workbook: find them, freeze them, inline them.

A modeller puts ``=TRAIN_COST(B2, C2, 2)`` cells in a model of their own. Before sharing
it with someone who has no add-in, :func:`freeze` writes a copy whose costlib calls hold
their values, and :func:`inline` a copy whose costlib calls are the equivalent native
formulas (the engine's Excel twins, :mod:`costlib.formulas`), so the model keeps computing
anywhere. :func:`scan` lists every such cell with the value stored in the file, the value
costlib computes now from the file's own cell values, and whether the stored one is stale.

Every stored form of a call is found (:mod:`.formula`: plain, ``_xludf.``, external-book
``[1]!``, Office.js ``_xldudf_`` with or without a namespace, nested, embedded, array and
shared formulas) in any valid sheet (:mod:`.ooxml`: prefixed namespaces, cells without
``r=``, date cells, any declared encoding).

**freeze** writes the value costlib computes from the arguments' stored values, not the
value the file caches (which may be stale: a model saved before its inputs changed, or on
a machine without the add-in). Where the two differ, the cell is listed with both. A call
that cannot be evaluated from the file alone (an argument that is an expression, a stale
costlib cell or an error) is left as it is and named: :attr:`Call.action` is ``"left"``.
A costlib call inside a larger formula is replaced by its value inside that formula.

**inline** never changes a result: each argument is checked the way the add-in checks it
(a blank optional argument takes the default inside the formula; a required one missing,
text or an error gives ``#VALUE!``; a number outside its rule ``#NUM!``; "no break-even"
``#N/A``), in the add-in's order, so every cell shows the value or the error the add-in
shows. A call without a native twin, or whose argument holds a catalogue name, is frozen
with its reason.

A formula filled down or across is one shared formula in the file: each follower's formula
is the master's with its relative references moved (:func:`_shift`), and is scanned,
frozen and inlined as its own cell. Inline keeps a group shared where every member's
native formula is the master's, moved; otherwise each member gets its own formula or
value. Array formulas keep their range; data table cells (``t="dataTable"``) hold no
formula text and are left alone (a frozen cell that feeds one is noted).

The package is edited part by part: only the worksheets that hold costlib calls change,
plus, where a list sheet is added, the workbook part (which also asks Excel to recalculate
on opening), its relationships and the content types; ``xl/calcChain.xml`` (Excel's
calculation-order cache, which it rebuilds) is dropped when formulas are removed. Every
other part is copied byte for byte; a file without costlib calls is copied whole, byte for
byte. Each part that changes is read with an XML parser (:mod:`costlib.workbook.ooxml`) and
edited at the byte offsets it reports, keeping every other byte (quotes, prefixes,
whitespace). A VBA project is never carried into an ``.xlsx`` (refused: name an ``.xlsm``).
The output is written atomically, never over the input, never over another file without
``force``.

The add-in is reached through two seams only: :func:`_functions` (the table of Excel
functions) and :func:`_evaluate` (one call evaluated on cell values, as a cell shows it).
"""

from __future__ import annotations

import ast
import inspect
import math
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .. import excel
from ..errors import CostlibError
from .formula import Area, Span, area, call_spans, excel_number, shift as _shift, split as _split, tight_powers
from ..workbook.ooxml import Element, appended, elements, removed, spliced, with_attribute, without_attributes
from .ooxml import (ERRORS, MAIN_NAMESPACES, REL, REL_NAMESPACES, ErrorValue, ModelError, OutputExistsError, Package,
                    Sheet, address, copy_file, read_shared_strings, read_sheet, write_package)

__all__ = ["Call", "scan", "freeze", "inline", "inline_formula", "store_values", "ModelError", "OutputExistsError",
           "ErrorValue", "Rewritten", "LIST_SHEET"]

#: The sheet freeze and inline add, listing each cell they changed.
LIST_SHEET = "costlib frozen"

#: Array formulas whose range holds more cells than this are read by their top-left cell only.
MAX_ARRAY_CELLS = 1_000_000


# ---------------------------------------------------------------------------- the two seams

def _functions() -> dict[str, Any]:
    """The Excel functions' table (:mod:`costlib.excel`), by name (seam: the one place it is read)."""
    return dict(excel.BY_NAME)


def _evaluate(spec: Any, cells: tuple[Any, ...]) -> Any:
    """What the add-in's cell shows for ``spec`` on ``cells`` (seam: the one place a call is evaluated).

    A value, or a 2-D list for ranges; an error is an :class:`ErrorValue` with the add-in's
    Excel error and message, for the whole call or for one element.
    """
    try:
        result = excel.evaluate(spec, cells)
    except excel.CellError as exc:
        return ErrorValue(exc.excel_error, str(exc))
    if isinstance(result, list):
        return [[ErrorValue(v.excel_error, str(v)) if isinstance(v, excel.CellError) else v for v in row]
                for row in result]
    return result


# ---------------------------------------------------------------------------- calls

@dataclass
class Call:
    """One cell whose formula calls a costlib function."""

    sheet: str
    cell: str
    formula: str                   # without the leading "="
    stored: Any                    # the value stored in the file (for an array formula, its grid)
    computed: Any = None           # what costlib gives now from the file's own cell values
    stale: bool | None = None      # None: costlib could not compute it from the file alone
    note: str = ""
    ref: str | None = None         # an array formula's range
    shared: str | None = None      # a shared formula's master cell, for the master and each follower
    stored_as: str = "plain"       # how the file stores the call: plain, _xludf, external [1], _xldudf XLWINGS
    action: str = ""               # after freeze or inline: "frozen", "inlined" or "left"
    part: str = field(default="", repr=False)
    si: str | None = field(default=None, repr=False)  # the shared formula's group index
    spans: list[Span] = field(default_factory=list, repr=False)
    values: list[Any] = field(default_factory=list, repr=False)  # each span's value (None: not evaluated)
    reason: str | None = field(default=None, repr=False)  # why it cannot be evaluated from the file alone

    def row(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "cell": self.cell, "formula": "=" + self.formula, "stored": self.stored,
                "computed": self.computed, "stale": self.stale, "note": self.note, "stored_as": self.stored_as}


class _Unreadable(Exception):
    """An argument costlib cannot read from the file alone; the message says why."""


class _Model:
    def __init__(self, path: str | os.PathLike):
        self.package = Package(path)
        try:
            with _naming(self.package):
                self._read()
        except BaseException:
            self.package.close()
            raise

    def _read(self) -> None:
        structure = self.package.structure()
        self.structure = structure
        strings = []
        if structure.shared_strings:
            part = structure.shared_strings
            strings = read_shared_strings(self.package.read(part), self.package.where(part))
        self.sheets: dict[str, Sheet] = {}
        for name, part in structure.sheets:
            self.sheets[name] = read_sheet(name, part, self.package.read(part), strings, self.package.where(part))
        self.names = {}
        for name, scope, text in structure.defined_names:
            self.names[name.upper(), scope] = text
        self.functions = _functions()
        self.function_names = set(self.functions)
        self.by_cell: dict[tuple[str, int, int], Call] = {}
        self._busy: set[int] = set()

    def close(self) -> None:
        self.package.close()

    def calls(self) -> list[Call]:
        out = []
        names = self.function_names
        for sheet in self.sheets.values():
            masters = {}  # a shared formula group's index: (master cell, its formula)
            for cell in sheet.cells:
                if cell.formula and cell.fattrs.get("t") == "shared" and cell.fattrs.get("ref"):
                    masters.setdefault(cell.fattrs.get("si"), (cell, cell.formula))
            for cell in sheet.cells:
                if cell.formula is None:
                    continue
                kind, text, master = cell.fattrs.get("t"), cell.formula, None
                if kind == "dataTable":  # a what-if table's cells: Excel's own, left alone
                    continue
                if kind == "shared" and cell.fattrs.get("si") in masters:
                    master, first = masters[cell.fattrs.get("si")]
                    if master is not cell:  # a follower: the master's formula, shifted to this cell
                        text = _shift(first, cell.row - master.row, cell.col - master.col)
                if not text:
                    continue
                spans = call_spans(text, names)
                if not spans:
                    continue
                ref = cell.fattrs.get("ref") if kind == "array" else None
                forms = sorted({s.stored_as for s in spans})
                call = Call(sheet.name, cell.address, text, self.stored(sheet, cell, ref), ref=ref,
                            shared=master.address if master else None, part=sheet.part,
                            si=cell.fattrs.get("si") if master else None, spans=spans,
                            stored_as=", ".join(forms))
                out.append(call)
                self.by_cell[sheet.name, cell.row, cell.col] = call
        return out

    def stored(self, sheet: Sheet, cell, ref: str | None) -> Any:
        if not ref or ":" not in ref:
            return cell.value
        a = area(ref)
        if a is None or a.shape[0] * a.shape[1] > MAX_ARRAY_CELLS:
            return cell.value
        return self.window(sheet.name, a, a.shape)

    def window(self, sheet: str, a: Area, shape: tuple[int, int]) -> list[list[Any]]:
        """The top-left ``shape`` of area ``a``, read from the sheet's cells (nothing else is built)."""
        values = self.sheets[sheet].values
        rows, cols = min(a.shape[0], shape[0]), min(a.shape[1], shape[1])
        return [[values.get((r, c)) for c in range(a.c0, a.c0 + cols)] for r in range(a.r0, a.r0 + rows)]

    def holds_text(self, a: Area) -> bool:
        """True where a cell of area ``a`` holds text; only the sheet's own cells are looked at."""
        values = self.sheets[a.sheet].values
        if a.shape[0] * a.shape[1] <= len(values):
            return any(isinstance(values.get((r, c)), str) for r in range(a.r0, a.r1 + 1) for c in range(a.c0, a.c1 + 1))
        return any(isinstance(v, str) and a.r0 <= r <= a.r1 and a.c0 <= c <= a.c1 for (r, c), v in values.items())

    # -- evaluation

    def resolve(self, sheet: str, text: str, depth: int = 0) -> Any:
        """An argument text as an Area (with its sheet), a literal, None (blank); _Unreadable otherwise."""
        if text == "":
            return None
        if re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[Ee][-+]?\d+)?%?", text):
            return float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        if re.fullmatch(r'"(?:[^"]|"")*"', text):
            return text[1:-1].replace('""', '"')
        if text.upper() in ("TRUE", "FALSE"):
            return text.upper() == "TRUE"
        if text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
            return self.resolve(sheet, text[1:-1].strip(), depth)
        a = area(text)
        if a is not None:
            where = a.sheet or sheet
            if where not in self.sheets:
                if where.startswith("[") or (a.sheet or "").startswith("["):
                    raise _Unreadable(f"the argument {text} is in another workbook")
                raise _Unreadable(f"the argument {text} refers to a sheet {where!r} that is not a worksheet of "
                                  "this workbook")
            return Area(where, a.r0, a.c0, a.r1, a.c1)
        if re.fullmatch(r"[A-Za-z_\\][A-Za-z0-9_.\\]*", text) and depth < 8:
            name = self.names.get((text.upper(), sheet), self.names.get((text.upper(), None)))
            if name is not None:
                try:
                    return self.resolve(sheet, name.strip().lstrip("="), depth + 1)
                except _Unreadable:
                    raise _Unreadable(f"the argument {text} is a defined name for {name!r}, which is not a number, "
                                      "text or a reference") from None
            raise _Unreadable(f"the argument {text} is not a defined name of this workbook")
        if call_spans(text, self.function_names):
            raise _Unreadable(f"the argument {text} holds a costlib call of its own")
        raise _Unreadable(f"the argument {text!r} is an expression; costlib reads numbers, text, references and "
                          "defined names")

    def compute(self, call: Call) -> None:
        if call.values or call.reason is not None:
            return
        if id(call) in self._busy:
            raise _Unreadable(f"{call.sheet}!{call.cell} depends on itself (a circular reference)")
        self._busy.add(id(call))
        try:
            whole = len(call.spans) == 1 and call.spans[0].start == 0 and call.spans[0].end == len(call.formula)
            shape = (1, 1)
            if whole and call.ref and ":" in call.ref:
                a = area(call.ref)
                shape = a.shape if a and a.shape[0] * a.shape[1] <= MAX_ARRAY_CELLS else (1, 1)
            values = []
            for span in call.spans:
                try:
                    values.append(self.evaluate(call, span, shape))
                except _Unreadable as exc:
                    call.reason = str(exc)
                    call.values = []
                    call.note = str(exc)
                    return
            call.values = values
            if whole:
                call.computed = values[0]
                call.stale = not _same(call.stored, call.computed)
                if isinstance(call.computed, ErrorValue) and call.computed.message:
                    call.note = call.computed.message
            else:
                call.note = ("the costlib call is part of a larger formula: each costlib call in it evaluated "
                             f"({', '.join(_shown(v) for v in values)}); the formula's result needs a spreadsheet")
            if call.stored is None or (isinstance(call.stored, list) and call.stored[0][0] is None):
                call.note = (call.note + "; " if call.note else "") + "no value stored in the file"
        finally:
            self._busy.discard(id(call))

    def evaluate(self, call: Call, span: Span, shape: tuple[int, int]) -> Any:
        """One costlib call's value as the add-in computes it from the file's stored values."""
        spec = self.functions[span.name]
        if len(span.args) > len(spec.arguments):
            raise _Unreadable(f"{span.name} takes at most {len(spec.arguments)} arguments, got {len(span.args)}")
        resolved = [self.resolve(call.sheet, text) for text in span.args]
        areas = [r for r in resolved if isinstance(r, Area) and not r.single]
        for axis in (0, 1):  # ranges must broadcast, as the add-in requires: sizes equal or 1
            sizes = {a.shape[axis] for a in areas} - {1}
            if len(sizes) > 1:
                shown = ", ".join(f"{t} {r.shape[0]}x{r.shape[1]} cells" for t, r in zip(span.args, resolved)
                                  if isinstance(r, Area) and not r.single)
                return ErrorValue("#VALUE!", f"arguments do not broadcast to one shape: {shown}")
        cells = []
        for text, r in zip(span.args, resolved):
            if not isinstance(r, Area):
                cells.append(r)
                continue
            # a window, never the whole range: as many rows and columns as the result needs, at
            # least two where the range has two (so it stays a range), none beyond the range
            rows = 1 if r.shape[0] == 1 else min(r.shape[0], max(shape[0], 2))
            cols = 1 if r.shape[1] == 1 else min(r.shape[1], max(shape[1], 2))
            grid = self.window(r.sheet, r, (rows, cols))
            self._check_inputs(call, text, r, (min(rows, shape[0]), min(cols, shape[1])), grid)
            cells.append(grid)
        result = _evaluate(spec, tuple(cells))
        if isinstance(result, list):
            if shape == (1, 1):
                return result[0][0]
            rows = [row[:shape[1]] + [ErrorValue("#N/A")] * (shape[1] - len(row)) for row in result[:shape[0]]]
            width = shape[1]
            rows += [[ErrorValue("#N/A")] * width for _ in range(shape[0] - len(rows))]
            if len(result) == 1 and shape[0] > 1:  # a one-row result fills every row, as broadcasting does
                rows = [rows[0]] * shape[0]
            if all(len(row) == 1 for row in result) and shape[1] > 1:
                rows = [[row[0]] * shape[1] for row in rows]
            return rows
        if shape != (1, 1):
            return [[result] * shape[1] for _ in range(shape[0])]
        return result

    def _check_inputs(self, call: Call, text: str, a: Area, used: tuple[int, int], grid: list[list[Any]]) -> None:
        """_Unreadable where a cell the result uses is an error or a costlib cell whose value is not sure."""
        for i in range(used[0]):
            for j in range(used[1]):
                value = grid[i][j]
                r, c = a.r0 + i, a.c0 + j
                where = f"{a.sheet}!{address(r, c)}"
                if isinstance(value, ErrorValue):
                    raise _Unreadable(f"its argument {text} holds the error {value.code} in {where}")
                other = self.by_cell.get((a.sheet, r, c))
                if other is None:
                    continue
                if other.ref and ":" in other.ref:
                    continue
                self.compute(other)
                if other.reason is not None:
                    raise _Unreadable(f"its argument {text} is {where}, a costlib cell costlib cannot evaluate "
                                      f"({other.reason})")
                if other.stale:
                    raise _Unreadable(f"its argument {text} is {where}, a costlib cell whose stored value is stale "
                                      f"(stored {_shown(other.stored)}, costlib {_shown(other.computed)})")


class _naming:
    """Turn an unexpected failure inside into a ModelError naming the file and the part being read."""

    def __init__(self, package: Package):
        self.package = package

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, (CostlibError, OSError, KeyboardInterrupt, MemoryError)) or \
                not isinstance(exc, Exception):
            return False
        part = f" (part {self.package.last_part})" if self.package.last_part else ""
        raise ModelError(f"{self.package.path}{part}: cannot be read as an Excel workbook "
                         f"({type(exc).__name__}: {str(exc)[:200]})") from None


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list):
        return f"a {len(value)}x{len(value[0]) if value else 0} range"
    return repr(value) if isinstance(value, str) else str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return all(len(x) == len(y) and all(_same(p, q) for p, q in zip(x, y)) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0) or a == b
    if isinstance(a, ErrorValue) or isinstance(b, ErrorValue):
        return isinstance(a, ErrorValue) and isinstance(b, ErrorValue) and a.code == b.code
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------------------- public

def _notices(model: _Model) -> list[str]:
    out = []
    for link in model.structure.external_links:
        out.append(f"external link [{link.index}] ({link.part}) to {link.target or 'an unnamed book'}: "
                   "kept as it is")
    for part in model.structure.vba:
        out.append(f"macros: a VBA project ({part}); never run or read by costlib, copied byte for byte")
    return out


def scan(path: str | os.PathLike) -> list[Call]:
    """Every cell of the workbook at ``path`` whose formula calls a costlib function.

    Each :class:`Call` carries the value stored in the file, the value costlib computes now
    from the file's own stored cell values (``computed``; None with a ``note`` where an
    argument is an expression, an error or a stale costlib cell, or where the call is part
    of a larger formula), ``stale``, and how the file stores the call (``stored_as``).
    The returned list's ``notices`` name macros and external links.
    """
    model = _Model(path)
    try:
        with _naming(model.package):
            calls = model.calls()
            for call in calls:
                model.compute(call)
            return Rewritten(calls, notices=_notices(model))
    finally:
        model.close()


class Rewritten(list):
    """A list of (call, what was done) pairs, or of calls for :func:`scan`, with the file's notices."""

    def __init__(self, items=(), notices: list[str] | None = None):
        super().__init__(items)
        self.notices = notices or []

    @property
    def left(self) -> list[Call]:
        """Calls left as they are: costlib could not evaluate them from the file alone."""
        return [item[0] for item in self if isinstance(item, tuple) and item[0].action == "left"]


# ---------------------------------------------------------------------------- writing cells

def _literal(value: Any) -> str:
    """A value as formula text: 8843743.68, TRUE, "text", #N/A."""
    if isinstance(value, ErrorValue):
        return "NA()" if value.code == "#N/A" else value.code
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return excel_number(float(value))
    return '"' + str(value).replace('"', '""') + '"'


def _drop_attrs(head: bytes, *names: str) -> bytes:
    """A start tag's name and attributes as written (``cell.head``), less the attributes ``names``."""
    return without_attributes(b"<" + head, names)[1:]


def _value_xml(cell, value: Any) -> bytes:
    """A value cell: the cell's own style and attributes, the value in place of the formula."""
    head = _drop_attrs(cell.head, "t", "cm", "vm")
    p = cell.prefix
    if value is None:
        return b"<" + head + b"/>"
    if isinstance(value, ErrorValue):
        kind, inner = 'e', f"<{p}v>{escape(value.code)}</{p}v>"
    elif isinstance(value, bool):
        kind, inner = "b", f"<{p}v>{int(value)}</{p}v>"
    elif isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number):
            kind, inner = "e", f"<{p}v>#NUM!</{p}v>"
        else:
            text = repr(number) if not number.is_integer() else str(int(number))
            kind, inner = "", f"<{p}v>{text}</{p}v>"
    elif hasattr(value, "isoformat"):
        kind, inner = "d", f"<{p}v>{value.isoformat()}</{p}v>"
    else:
        kind, inner = "inlineStr", f'<{p}is><{p}t xml:space="preserve">{escape(str(value))}</{p}t></{p}is>'
    t = f' t="{kind}"'.encode() if kind else b""
    return b"<" + head + t + b">" + inner.encode("utf-8") + b"</" + p.encode() + b"c>"


def _formula_xml(cell, text: str, unshare: bool) -> bytes:
    """The cell with its <f> holding ``text`` (its own formula where ``unshare``), the rest as it was."""
    fhead = _drop_attrs(cell.fhead, "t", "ref", "si") if unshare else cell.fhead
    fname = fhead.split(None, 1)[0]
    return b"<" + fhead + b">" + escape(text).encode("utf-8") + b"</" + fname + b">"


_apply = spliced  # each (start, end) span of a part replaced; one pass, linear in the part


# ---------------------------------------------------------------------------- the package's other parts

_RELS = "xl/_rels/workbook.xml.rels"
_TYPES = "[Content_Types].xml"
_WORKBOOK = "xl/workbook.xml"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
#: The children of <workbook> that come after <calcPr>, in the schema's order ([ECMA2016], Part 1 §18.2.27)
_AFTER_CALC_PR = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                  "fileRecoveryPr", "webPublishObjects", "extLst")


def _attr(value: str) -> str:
    """``value`` for a double-quoted attribute."""
    return escape(value, {'"': "&quot;"})


def _part_xml(package: Package, parts: dict[str, bytes], part: str) -> bytes:
    """A part as UTF-8 XML: as edited so far, or as the file holds it."""
    return parts[part] if part in parts else package.xml(part)


def _read(package: Package, parts: dict[str, bytes], part: str, root: str) -> tuple[bytes, list[Element]]:
    """A part's XML and its elements, its root checked to be ``root``."""
    xml = _part_xml(package, parts, part)
    found = elements(xml, package.where(part))
    if found[0].local != root:
        raise ModelError(f"{package.where(part)}: its root is <{found[0].tag}>, not <{root}>; the file is damaged")
    return xml, found


def _add_sheet(package: Package, structure, parts: dict[str, bytes], rows) -> list[str]:
    """Add the list sheet: its part, its relationship, its content type and its <sheet> entry.

    Each part is read with the parser and gains one element, written with the prefix its
    neighbours use, at the offset the parser reports; every other byte stays as it was.
    """
    existing = {name for name, _ in structure.sheets}
    if LIST_SHEET in existing:
        raise ModelError(f"{package.path}: already has a sheet {LIST_SHEET!r}; freeze the original model instead")
    n = 1
    while f"xl/worksheets/costlib_frozen{n}.xml" in package.names:
        n += 1
    part = f"xl/worksheets/costlib_frozen{n}.xml"
    parts[part] = _list_sheet(rows)

    rels, found = _read(package, parts, _RELS, "Relationships")
    links = [e for e in found if e.local == "Relationship"]
    ids = {e.attributes.get("Id") for e in links}
    rid = next(f"rIdCostlib{i}" for i in range(1, 10000) if f"rIdCostlib{i}" not in ids)
    kind = next((e.attributes["Type"] for e in links if e.attributes.get("Type", "").endswith("/worksheet")),
                f"{REL}/worksheet")  # the file's own spelling: transitional or strict
    p = found[0].prefix
    new = f'<{p}Relationship Id="{rid}" Type="{_attr(kind)}" Target="/{part}"/>'
    parts[_RELS] = spliced(rels, [appended(rels, found[0], new.encode("utf-8"))])

    workbook, found = _read(package, parts, _WORKBOOK, "workbook")
    root = found[0]
    sheets = next((found[i] for i in root.children if found[i].local == "sheets"), None)
    if sheets is None:
        raise ModelError(f"{package.where(_WORKBOOK)}: has no <sheets>; the file is damaged")
    entries = [found[i] for i in sheets.children if found[i].local == "sheet"]
    ids = [int(e.attributes["sheetId"]) for e in entries if e.attributes.get("sheetId", "").isdigit()]
    sheet_id = max(ids, default=0) + 1  # ids need not be contiguous: one above the highest is free
    edits = []
    # the prefix the sheets use for r:id, where <sheets> has it in scope (not one declared on a <sheet> itself)
    used = [name.rpartition(":")[0] for e in entries for name in e.attributes if name.endswith(":id")]
    rprefix = next((p for p in used if sheets.scope.get(p) in REL_NAMESPACES), None)
    rprefix = rprefix or sheets.prefix_for(REL_NAMESPACES)
    if rprefix is None:  # declare one on the root, under a name nothing in scope uses
        rprefix = next(name for name in ("r", *(f"r{i}" for i in range(1, 100))) if name not in sheets.scope)
        strict = root.namespace == MAIN_NAMESPACES[1]
        edits.append(with_attribute(workbook, root, f"xmlns:{rprefix}", REL_NAMESPACES[1] if strict else REL))
    p = sheets.prefix
    new = f'<{p}sheet name="{_attr(LIST_SHEET)}" sheetId="{sheet_id}" {rprefix}:id="{rid}"/>'
    edits.append(appended(workbook, sheets, new.encode("utf-8")))
    parts[_WORKBOOK] = spliced(workbook, edits)

    types, found = _read(package, parts, _TYPES, "Types")
    p = found[0].prefix
    new = f'<{p}Override PartName="/{part}" ContentType="{_WORKSHEET_TYPE}"/>'
    parts[_TYPES] = spliced(types, [appended(types, found[0], new.encode("utf-8"))])
    return [part]


def _recalculate_on_open(package: Package, parts: dict[str, bytes]) -> None:
    """Ask Excel to recalculate every formula on opening: cells downstream of a changed value follow it.

    ``fullCalcOnLoad="1"`` on the workbook's <calcPr>: set where it is absent or false, kept
    where it is already true; a workbook without <calcPr> gains one where the schema puts it.
    """
    workbook, found = _read(package, parts, _WORKBOOK, "workbook")
    root = found[0]
    children = [found[i] for i in root.children if found[i].namespace == root.namespace]
    calc = next((e for e in children if e.local == "calcPr"), None)
    if calc is not None:
        if calc.attributes.get("fullCalcOnLoad", "").strip() in ("1", "true"):
            return
        edit = with_attribute(workbook, calc, "fullCalcOnLoad", "1")
    else:
        new = f'<{root.prefix}calcPr fullCalcOnLoad="1"/>'.encode("utf-8")
        later = next((e for e in children if e.local in _AFTER_CALC_PR), None)
        edit = (later.start, later.start, new) if later else appended(workbook, root, new)
    parts[_WORKBOOK] = spliced(workbook, [edit])


def _drop_calc_chain(package: Package, parts: dict[str, bytes]) -> set[str]:
    """Drop Excel's calculation chain (it rebuilds it), its relationship and its content type."""
    rels, found = _read(package, parts, _RELS, "Relationships")
    links = [e for e in found if e.local == "Relationship"
             and e.attributes.get("Type", "").rpartition("/")[2] == "calcChain"]
    chains = {_target("xl", e.attributes.get("Target", "")) for e in links} | {"xl/calcChain.xml"}
    chains &= set(package.names)
    if not chains:
        return set()
    if links:
        parts[_RELS] = spliced(rels, removed(links))
    types, found = _read(package, parts, _TYPES, "Types")
    named = {"/" + c.lower() for c in chains}  # part names compare without case ([ECMA2016], Part 2)
    overrides = [e for e in found if e.local == "Override" and e.attributes.get("PartName", "").lower() in named]
    if overrides:
        parts[_TYPES] = spliced(types, removed(overrides))
    return chains


def _target(folder: str, target: str) -> str:
    """A relationship's target as a part name: absolute ("/xl/x.xml") or relative to ``folder``."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def _list_sheet(rows: list[tuple[str, str, str, str]]) -> bytes:
    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(_xml_safe(text))}</t></is></c>'

    header = ("sheet", "cell", "original formula", "what was done")
    lines = [f'<row r="{i}">' + "".join(cell(f"{c}{i}", t) for c, t in zip("ABCD", row)) + "</row>"
             for i, row in enumerate([header, *rows], start=1)]
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<cols><col min="1" max="2" width="14" customWidth="1"/><col min="3" max="4" width="70" customWidth="1"/>'
            f'</cols><sheetData>{"".join(lines)}</sheetData></worksheet>').encode("utf-8")


def _xml_safe(text: str) -> str:
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "?", text)
    return text[:32000]  # a cell holds at most 32,767 characters


def _data_tables(sheet: Sheet) -> list[tuple[str, Area]]:
    out = []
    for cell in sheet.cells:
        if cell.fattrs.get("t") == "dataTable" and cell.fattrs.get("ref"):
            a = area(cell.fattrs["ref"])
            if a:
                out.append((cell.fattrs["ref"], a))
    return out


def _data_table_fed(tables: list[tuple[str, Area]], row: int, col: int) -> str | None:
    """The range of a data table (What-If analysis) that the cell feeds as its formula cell, if any.

    A data table's cells (``<f t="dataTable" ...>``) hold no formula text: scan, freeze and
    inline leave them as they are; its formulas sit in the row above it (input down a
    column), the column left of it (input along a row) or its top-left corner (two inputs).
    """
    for ref, a in tables:
        if (row == a.r0 - 1 and a.c0 - 1 <= col <= a.c1) or (col == a.c0 - 1 and a.r0 - 1 <= row <= a.r1):
            return ref
    return None


# ---------------------------------------------------------------------------- freeze and inline

def _freeze_decision(call: Call) -> tuple:
    """("value", value, note) | ("formula", text, note) | ("left", note) for freezing ``call``."""
    if call.reason is not None:
        return ("left", f"left as it is: {call.reason}")
    whole = len(call.spans) == 1 and call.spans[0].start == 0 and call.spans[0].end == len(call.formula)
    if whole:
        value = call.computed
        if call.stored is None or (isinstance(call.stored, list) and call.stored and call.stored[0][0] is None):
            return ("value", value, f"frozen: costlib's value {_shown(value)} (the file stored none)")
        if _same(call.stored, value):
            return ("value", value, "frozen: its value (the file's and costlib's agree)")
        return ("value", value, f"frozen: costlib's value {_shown(value)}; the file stored {_shown(call.stored)} "
                                "(stale), which was not kept")
    if any(isinstance(v, list) for v in call.values):
        return ("left", "left as it is: a costlib call inside a larger formula gives a range here")
    pieces, last = [], 0
    for span, value in zip(call.spans, call.values):
        pieces.append(call.formula[last:span.start] + _literal(value))
        last = span.end
    text = "".join(pieces) + call.formula[last:]
    return ("formula", text, f"frozen: each costlib call replaced by its value: ={text}")


def _rewrite(path, out, decide, force: bool) -> Rewritten:
    """Apply ``decide(call, model)`` to each call and write the copy."""
    model = _Model(path)
    try:
        with _naming(model.package):
            return _rewrite_model(model, Path(out), decide, force)
    finally:
        model.close()


def _rewrite_model(model: _Model, out: Path, decide, force: bool) -> Rewritten:
    package = model.package
    notices = _notices(model)
    if model.structure.vba and out.suffix.lower() != ".xlsm":
        raise ModelError(f"{package.path}: holds macros (a VBA project, {model.structure.vba[0]}); an {out.suffix or 'output'} "
                         f"file cannot carry them and Excel would refuse it: write to an .xlsm (-o "
                         f"{out.with_suffix('.xlsm').name}), or save a copy without macros in Excel first")
    calls = model.calls()
    for call in calls:
        model.compute(call)
    if not calls:
        copy_file(package.path, out, force)
        return Rewritten([], notices + ["no cell calls a costlib function: copied byte for byte"])
    decisions = [(call, decide(call, model)) for call in calls]
    # A shared formula group stays one where every member's new formula is the master's moved
    # to it; where every member is left it stays as it is; otherwise each member is written out.
    groups: dict[tuple[str, str], list[tuple[Call, tuple]]] = {}
    for call, decision in decisions:
        if call.shared:
            groups.setdefault((call.part, call.si), []).append((call, decision))
    kept, untouched = set(), set()
    for key, members in groups.items():
        if all(d[0] == "left" for _, d in members):
            untouched.add(key)
            continue
        master = next((d for c, d in members if c.cell == c.shared), None)
        if master is None or master[0] != "formula":
            continue
        r0, c0 = _split(members[0][0].shared)
        if all(d[0] == "formula" and d[1] == _shift(master[1], _split(c.cell)[0] - r0, _split(c.cell)[1] - c0)
               for c, d in members):
            kept.add(key)
    edits: dict[str, list[tuple[int, int, bytes]]] = {}
    done = []
    removed = changed = False
    tables = {sheet.part: _data_tables(sheet) for sheet in model.sheets.values()}
    for call, decision in decisions:
        sheet = model.sheets[call.sheet]
        row, col = _split(call.cell)
        cell = sheet.by_address[row, col]
        group = (call.part, call.si) if call.shared else None
        note = decision[-1]
        if decision[0] == "left":
            call.action = "left"
            if group and group not in untouched:  # its group is broken up: it keeps its own formula
                note += f"; its shared formula of {call.shared} written out in this cell"
                edits.setdefault(call.part, []).append((*cell.fspan, _formula_xml(cell, call.formula, True)))
            done.append((call, note))
            continue
        changed = True
        if decision[0] == "formula":
            call.action = "inlined" if note.startswith("inlined") else "frozen"
            text = decision[1]
            if group in kept:
                note += f"; kept as one shared formula with {call.shared}"
                if call.cell != call.shared:  # a follower: Excel shifts the master's new formula to it
                    done.append((call, note))
                    continue
                edits.setdefault(call.part, []).append((*cell.fspan, _formula_xml(cell, text, False)))
            else:
                if group:
                    note += f"; the shared formula of {call.shared} written out in this cell"
                edits.setdefault(call.part, []).append((*cell.fspan, _formula_xml(cell, text, bool(group))))
            done.append((call, note))
            continue
        call.action = "frozen"
        removed = True
        value = decision[1]
        if call.shared and call.cell != call.shared:
            note += f"; it followed the shared formula of {call.shared}"
        table = _data_table_fed(tables[call.part], row, col)
        if table:
            note += (f"; it feeds the data table {table}, whose cells Excel leaves alone here and which, "
                     "recalculated, no longer follows its input")
        if isinstance(value, list):  # an array formula: every cell of its range gets its value
            a = area(call.ref)
            for i, line in enumerate(value):
                for j, v in enumerate(line):
                    other = sheet.by_address.get((a.r0 + i, a.c0 + j))
                    if other is not None:
                        edits.setdefault(call.part, []).append((other.start, other.end, _value_xml(other, v)))
        else:
            edits.setdefault(call.part, []).append((cell.start, cell.end, _value_xml(cell, value)))
        done.append((call, note))
    parts: dict[str, bytes] = {}
    for sheet in model.sheets.values():
        if sheet.part in edits:
            parts[sheet.part] = _apply(sheet.data, _nested_out(edits[sheet.part]))
    drop = _drop_calc_chain(package, parts) if removed else set()
    add = []
    if done:
        rows = [(c.sheet, c.cell, "=" + c.formula, note) for c, note in done]
        add = _add_sheet(package, model.structure, parts, rows)
    if changed:
        _recalculate_on_open(package, parts)
    write_package(package, out, parts, drop, add, force)
    return Rewritten(done, notices)


def _nested_out(edits: list[tuple[int, int, bytes]]) -> list[tuple[int, int, bytes]]:
    """Edits without overlaps: an edit of a whole cell wins over an edit of its <f> inside it."""
    edits = sorted(edits, key=lambda e: (e[0], -e[1]))
    out, reach = [], -1
    for e in edits:
        if e[0] < reach:
            continue
        out.append(e)
        reach = e[1]
    return out


def freeze(path: str | os.PathLike, out: str | os.PathLike, *, force: bool = False) -> Rewritten:
    """Write a copy of ``path`` to ``out`` whose costlib calls hold their values.

    The value written is the one costlib computes from the arguments' stored values; where
    the file caches another, the note says both and which was written. A call costlib
    cannot evaluate from the file alone is left as it is (``action == "left"``, listed in
    ``.left``). A sheet named :data:`LIST_SHEET` lists each cell with its original formula.
    Returns each call with what was done to it; ``.notices`` names macros and external links.

    Raises ModelError where ``out`` exists (unless ``force``), is the input, or is an
    ``.xlsx`` for a workbook with macros.
    """
    return _rewrite(path, out, lambda call, model: _freeze_decision(call), force)


# ---------------------------------------------------------------------------- inline

class _NotInlinable(ValueError):
    """A call that has no faithful native formula; the message says why."""


def _catalogue_figure(function: str, name: str) -> float:
    """The number a twin takes for a catalogue name: peak dense TFLOP/s, or board power [W] for energy."""
    from .. import catalogue

    if function == "energy_cost":
        return float(catalogue.board_power_w(name))
    return float(catalogue.peak_flops(name, "bf16")) / 1e12


class _Context:
    def __init__(self, texts: dict[str, str]):
        self.texts = texts

    def value(self, name: str) -> str:
        return self.texts[name]

    def range(self, name: str) -> str:  # no twin of an add-in function takes a timeline row
        return self.texts[name]

    to_date = range


_ATOM = re.compile(r"""^(?:[A-Za-z_\\][A-Za-z0-9_.\\]*|(?:'(?:[^']|'')+'!|[A-Za-z_][A-Za-z0-9_.]*!)?\$?[A-Za-z]{1,3}\$?
                   [0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?|[0-9.]+(?:[Ee][-+]?[0-9]+)?)$""", re.VERBOSE)


def _atomic(text: str) -> str:
    return text if _ATOM.match(text) else f"({text})"


def _breaks(rule: str, v: str) -> str | None:
    """Formula text TRUE (non-zero) where ``v`` breaks ``rule``; element-wise on a range."""
    from ..rules import RULES

    lo, lo_incl, hi, hi_incl, _ = RULES[rule]
    tests = []
    if math.isfinite(lo):
        tests.append(f"{v}{'<' if lo_incl else '<='}{excel_number(lo)}")
    if math.isfinite(hi):
        tests.append(f"{v}{'>' if hi_incl else '>='}{excel_number(hi)}")
    if not tests:
        return None
    return tests[0] if len(tests) == 1 else "+".join(f"({t})" for t in tests)


def _inline_call(span: Span, model: "_Model | None", sheet: str) -> tuple[str, list[str]]:
    """One costlib call as a native formula that gives what the add-in gives, errors included."""
    from .. import formulas
    from ..arguments import arguments_of
    from ..rules import obeys

    functions = _functions()
    spec = functions[span.name]
    twin = formulas.twins().get(spec.target.__name__)
    if twin is None or spec.pick:
        raise _NotInlinable(f"{span.name} has no native Excel formula (no Excel twin of "
                            f"costlib.{spec.target.__name__}): frozen instead")
    texts = list(span.args)
    if len(texts) > len(spec.arguments):
        raise _NotInlinable(f"{span.name} takes at most {len(spec.arguments)} arguments, got {len(texts)}")
    for inner in texts:
        if call_spans(inner, set(functions)):
            raise _NotInlinable(f"{span.name} has a costlib call among its arguments: frozen instead")
    params = inspect.signature(spec.target).parameters
    described = arguments_of(spec.target)
    given: dict[str, str] = {}
    type_checks: list[tuple[str, str]] = []   # (condition, error) in the add-in's order
    rule_checks: list[tuple[str, str]] = []
    late_checks: list[tuple[str, str]] = []
    notes: list[str] = []
    function = spec.target.__name__
    texts += [""] * (len(spec.arguments) - len(texts))
    for name, text in zip(spec.arguments, texts):
        default = params[name].default
        optional = default is not inspect.Parameter.empty
        if text == "":
            if not optional or (default is None and name not in twin.defaults and name not in twin.unrendered):
                # None and no stand-in: a value the function takes from elsewhere (api_cost_per_query's
                # prices, given model=, which a native formula cannot read): left out, the add-in's #VALUE!
                type_checks.append(("TRUE", "#VALUE!"))
                given[name] = "0"
                notes.append(f"{name} left out: #VALUE!, as in the add-in")
            elif name == "gpu":
                given[name] = excel_number(_catalogue_figure(function, default))
                notes.append(f"gpu left out: the catalogue figure of {default} ({given[name]})")
            continue
        resolved = None
        if model is not None:
            try:
                resolved = model.resolve(sheet, text)
            except _Unreadable as exc:
                if area(text) is not None or re.fullmatch(r"[A-Za-z_\\][A-Za-z0-9_.\\]*", text):
                    raise _NotInlinable(f"{exc}: frozen instead") from None
                resolved = None  # an expression: the native formula computes it, the checks apply to its value
        literal = _literal_kind(text)
        if name == "gpu":
            if literal == "text":
                gpu = text[1:-1].replace('""', '"')
                try:
                    given[name] = excel_number(_catalogue_figure(function, gpu))
                    notes.append(f"gpu {text}: the catalogue figure {given[name]}")
                except CostlibError as exc:
                    late_checks.append(("TRUE", exc.excel_error))
                    given[name] = "1"
                    notes.append(f"gpu {text}: {exc}")
                continue
            if literal == "number":
                given[name] = text
                if not float(text) > 0:
                    rule_checks.append(("TRUE", "#NUM!"))
                continue
            if model is not None and not isinstance(resolved, Area) and resolved is not None:
                if isinstance(resolved, str):
                    raise _NotInlinable(f"gpu {text} holds a catalogue name; a native formula needs the number "
                                        "(TFLOP/s or W): frozen instead")
            if isinstance(resolved, Area):
                if model.holds_text(resolved):
                    raise _NotInlinable(f"gpu {text} holds a catalogue name; a native formula needs the number "
                                        "(TFLOP/s or W): frozen instead")
            v = _atomic(text)
            figure = excel_number(_catalogue_figure(function, default))
            v = f'IF({v}="",{figure},{v})'
            type_checks.append((f"NOT(ISNUMBER({v}))+ISLOGICAL({v})", "#VALUE!"))
            rule_checks.append((f"{v}<=0", "#NUM!"))
            given[name] = v
            continue
        rule = described[name].rule if name in described else None
        if rule is None:
            raise _NotInlinable(f"{span.name}: {name} takes a name, which no native formula here reads: frozen instead")
        if literal == "number":
            given[name] = _atomic(text)
            if not obeys(rule, float(text.rstrip("%")) / (100 if text.endswith("%") else 1)):
                rule_checks.append(("TRUE", "#NUM!"))
            continue
        if literal in ("text", "bool"):
            number = _number_text(text[1:-1]) if literal == "text" else None
            if number is None:
                type_checks.append(("TRUE", "#VALUE!"))
                given[name] = "0"
                continue
            given[name] = excel_number(number)
            if not obeys(rule, number):
                rule_checks.append(("TRUE", "#NUM!"))
            continue
        v = _atomic(text)
        stand_in = None
        if optional and isinstance(default, (int, float)) and not isinstance(default, bool):
            stand_in = excel_number(default)
        elif optional and name in twin.defaults:
            other = twin.defaults[name]
            stand_in = given.get(other) or excel_number(params[other].default)
        if stand_in is not None:
            v = f'IF({v}="",{stand_in},{v})'
        type_checks.append((f"NOT(ISNUMBER({v}))+ISLOGICAL({v})", "#VALUE!"))
        broken = _breaks(rule, v)
        if broken:
            rule_checks.append((broken, "#NUM!"))
        given[name] = v
    call = ast.Call(func=ast.Name(id=function, ctx=ast.Load()), args=[],
                    keywords=[ast.keyword(arg=a, value=ast.Name(id=f"_{a}", ctx=ast.Load())) for a in given])
    body = formulas.render(call, _Context({f"_{a}": t for a, t in given.items()}))
    if twin.none is not None:  # no value: the add-in's #N/A, never words a SUM would skip
        body = body.replace('"' + twin.none.replace('"', '""') + '"', "NA()")
    for condition, error in reversed(type_checks + rule_checks + late_checks):
        body = f"IF({condition},{error},{body})"
    return tight_powers(body), notes


def _literal_kind(text: str) -> str | None:
    if re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[Ee][-+]?\d+)?%?", text):
        return "number"
    if re.fullmatch(r'"(?:[^"]|"")*"', text):
        return "text"
    if text.upper() in ("TRUE", "FALSE"):
        return "bool"
    return None


def _number_text(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def inline_formula(formula: str, model: "_Model | None" = None, sheet: str = "") -> tuple[str, list[str]]:
    """``formula`` with each costlib call as its native Excel twin, and notes on what was assumed.

    Raises ValueError with the reason where a call cannot be inlined (no twin, or a name
    in a cell where the twin needs a number).
    """
    names = set(_functions())
    notes: list[str] = []
    pieces, last = [], 0
    spans = call_spans(formula, names)
    for span in spans:
        rendered, said = _inline_call(span, model, sheet)
        notes += said
        whole = span.start == 0 and span.end == len(formula)
        pieces.append(formula[last:span.start] + (rendered if whole else f"({rendered})"))
        last = span.end
        if span.stored_as.startswith("external"):
            notes.append(f"{span.name} was called through {span.stored_as[9:]}")
    pieces.append(formula[last:])
    return "".join(pieces), notes


def inline(path: str | os.PathLike, out: str | os.PathLike, *, force: bool = False) -> Rewritten:
    """Write a copy of ``path`` to ``out`` whose costlib calls are native Excel formulas.

    Each call becomes its engine function's Excel twin on the call's own argument texts,
    guarded so that every cell shows what the add-in shows: a blank optional argument
    takes the default, an argument that breaks its rule gives the add-in's error, "no
    break-even" is ``#N/A``. A call that cannot be inlined (no twin, a name held in a
    cell) is frozen with its reason (:func:`freeze`'s rules: left as it is where costlib
    cannot evaluate it). The sheet :data:`LIST_SHEET` lists every cell and what was done.
    """

    def decide(call: Call, model: _Model):
        try:
            text, notes = inline_formula(call.formula, model, call.sheet)
        except _NotInlinable as exc:
            decision = _freeze_decision(call)
            if decision[0] == "left":  # neither inlined nor frozen: say each reason once
                reason = str(exc).removesuffix(": frozen instead")
                return ("left", f"left as it is: {reason}" if reason == call.reason else
                        f"left as it is: {reason}; it cannot be frozen either: {call.reason}")
            if decision[0] == "value":
                return ("value", decision[1], f"frozen: {exc}; " + decision[2].removeprefix("frozen: "))
            return ("formula", decision[1], f"frozen: {exc}; " + decision[2].removeprefix("frozen: "))
        return ("formula", text, "inlined: =" + text + ("; " + "; ".join(notes) if notes else ""))

    return _rewrite(path, out, decide, force)


# ---------------------------------------------------------------------------- test models

def store_values(path: str | os.PathLike, out: str | os.PathLike, values: dict[tuple[str, str], Any],
                 *, force: bool = True) -> None:
    """Write a copy of ``path`` whose formula cells ``(sheet, cell)`` store ``values`` as their cached results.

    The formulas stay; a spreadsheet without the add-in shows these values until it
    recalculates (how the demo workbook shows costlib's numbers to anyone).
    """
    model = _Model(path)
    try:
        parts: dict[str, bytes] = {}
        wanted = dict(values)
        for sheet in model.sheets.values():
            edits = []
            for cell in sheet.cells:
                key = (sheet.name, cell.address)
                if key not in wanted:
                    continue
                value = wanted.pop(key)
                if isinstance(value, str) and value in ERRORS:  # an error as its Excel code: an error cell
                    value = ErrorValue(value)
                if cell.formula is None:
                    raise ModelError(f"{sheet.name}!{cell.address} holds no formula to store a value for")
                fxml = sheet.data[cell.fspan[0]:cell.fspan[1]]
                shown = _value_xml(cell, value)
                head, _, rest = shown.partition(b">")
                if head.endswith(b"/"):
                    new = head[:-1] + b">" + fxml + b"</" + cell.prefix.encode() + b"c>"
                else:
                    if b't="inlineStr"' in head:  # a formula's text result is t="str"
                        head = head.replace(b't="inlineStr"', b't="str"')
                        p = cell.prefix
                        rest = f"<{p}v>{escape(str(value))}</{p}v></{p}c>".encode("utf-8")
                    new = head + b">" + fxml + rest
                edits.append((cell.start, cell.end, new))
            if edits:
                parts[sheet.part] = _apply(sheet.data, edits)
        if wanted:
            raise ModelError(f"no such formula cells: {', '.join(f'{s}!{c}' for s, c in wanted)}")
        write_package(model.package, out, parts, force=force)
    finally:
        model.close()
