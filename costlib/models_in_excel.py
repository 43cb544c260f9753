"""costlib functions inside a user's own workbook: find them, freeze them, inline them.

A modeller puts ``=TRAIN_COST(B2, C2, 2)`` cells in a model of their own. Before sharing
it with someone who has no add-in, :func:`freeze` writes a copy whose costlib cells hold
their values, and :func:`inline` a copy whose costlib calls are the equivalent native
formulas (the engine's Excel twins, :mod:`costlib.formulas`), so the model keeps computing
anywhere. :func:`scan` lists every such cell with the value stored in the file, the value
costlib computes now from the file's own cell values, and whether the stored one is stale.

A formula filled down or across is one shared formula in the file: each follower's formula
is the master's with its relative references moved (:func:`_shift`), and is scanned,
frozen and inlined as its own cell. Inline keeps a group shared where every member's
native formula is the master's, moved; otherwise each member gets its own formula or
value. Array formulas keep their range; data table cells (``t="dataTable"``) hold no
formula text and are left alone (a frozen cell that feeds one is noted).

The package (``.xlsx`` or ``.xlsm``) is edited part by part: only the worksheets that hold
costlib cells change, plus, where a list sheet is added, the workbook part, its
relationships and the content types; ``xl/calcChain.xml`` (Excel's calculation-order
cache, which it rebuilds) is dropped when formulas are removed. Every other part (charts,
images, pivot tables, comments, data validation, defined names, custom properties, VBA)
is copied byte for byte, and the output is written atomically, never over the input.
"""

from __future__ import annotations

import ast
import inspect
import math
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, unescape

from .errors import InputError

__all__ = ["Call", "scan", "freeze", "inline", "inline_formula", "store_values", "ModelError", "LIST_SHEET"]

#: The sheet freeze and inline add, listing each cell they changed.
LIST_SHEET = "costlib frozen"


class ModelError(InputError):
    """A workbook that cannot be read or written as asked; the message names the file."""


# ---------------------------------------------------------------------------- the package

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_F = re.compile(r"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_V = re.compile(r"<v>(.*?)</v>", re.S)
_IS = re.compile(r"<is>(.*?)</is>", re.S)


def _attr(attrs: str, name: str) -> str | None:
    m = re.search(rf'\b{name}="([^"]*)"', attrs)
    return unescape(m[1], {"&quot;": '"'}) if m else None


class _Package:
    def __init__(self, path: Path):
        self.path = path
        try:
            with zipfile.ZipFile(path) as z:
                self.infos = z.infolist()
                self.parts = {i.filename: z.read(i.filename) for i in self.infos}
        except (OSError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{path}: not a readable .xlsx or .xlsm package ({exc})") from None
        if "xl/workbook.xml" not in self.parts:
            raise ModelError(f"{path}: not an Excel workbook (no xl/workbook.xml)")
        self.text = lambda name: self.parts[name].decode("utf-8")

    def sheets(self) -> list[tuple[str, str]]:
        """(sheet name, worksheet part) in the workbook's order."""
        rels = {m[2]: m[1] for m in re.finditer(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"',
                                                 self.text("xl/_rels/workbook.xml.rels"))}
        rels.update({m[1]: m[2] for m in re.finditer(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"',
                                                      self.text("xl/_rels/workbook.xml.rels"))})
        out = []
        for m in re.finditer(r"<sheet\b([^>]*?)/?>", self.text("xl/workbook.xml")):
            rid = re.search(r'\b\w+:id="([^"]+)"', m[1])[1]
            target = rels[rid]
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            if part in self.parts and b"<worksheet" in self.parts[part][:2000]:
                out.append((_attr(m[1], "name"), part))
        return out

    def shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.parts:
            return []
        return ["".join(unescape(t) for t in re.findall(r"<t\b[^>]*>(.*?)</t>", si, re.S))
                for si in re.findall(r"<si>(.*?)</si>", self.text("xl/sharedStrings.xml"), re.S)]

    def write(self, out: Path, parts: dict[str, bytes], drop: set[str] = frozenset(), add: list[str] = ()) -> None:
        """The package with ``parts`` replaced, ``drop`` left out and ``add`` appended; atomically."""
        out = Path(out)
        if out.exists() and out.resolve() == self.path.resolve():
            raise ModelError(f"-o {out}: the output must not be the input file")
        from ._atomic import replacing  # atomic; keeps an existing file's mode; errors name ``out``

        with replacing(out) as tmp:
            with zipfile.ZipFile(tmp, "w") as z:
                for info in self.infos:
                    if info.filename in drop:
                        continue
                    z.writestr(info, parts.get(info.filename, self.parts[info.filename]))
                for name in add:
                    z.writestr(zipfile.ZipInfo(name, date_time=self.infos[0].date_time), parts[name],
                               compress_type=zipfile.ZIP_DEFLATED)


# ---------------------------------------------------------------------------- formulas

def _functions() -> dict[str, Any]:
    import costlib_udfs

    return {spec.name: spec for spec in costlib_udfs.FUNCTIONS}


def _call_spans(formula: str, names: set[str]) -> list[tuple[int, int, str, list[str]]]:
    """Each top-level-or-nested costlib call in ``formula``: (start, end, name, argument texts)."""
    spans = []
    i, n = 0, len(formula)
    while i < n:
        ch = formula[i]
        if ch == '"':
            i = formula.index('"', i + 1) + 1 if '"' in formula[i + 1:] else n
            while i < n and formula[i] == '"':  # a doubled quote inside text
                i = formula.index('"', i + 1) + 1
            continue
        m = re.compile(r"(?:_xludf\.)?([A-Za-z_][A-Za-z0-9_.]*)\(").match(formula, i)
        if m and (i == 0 or not (formula[i - 1].isalnum() or formula[i - 1] in "_.!$'")):
            if m[1].upper() in names:
                depth, j, quoted, start_arg, args = 1, m.end(), False, m.end(), []
                while j < n and depth:
                    c = formula[j]
                    if c == '"':
                        quoted = not quoted
                    elif not quoted and c in "({":
                        depth += 1
                    elif not quoted and c in ")}":
                        depth -= 1
                        if depth == 0:
                            args.append(formula[start_arg:j].strip())
                    elif not quoted and c == "," and depth == 1:
                        args.append(formula[start_arg:j].strip())
                        start_arg = j + 1
                    j += 1
                if args == [""]:
                    args = []
                spans.append((i, j, m[1].upper(), args))
                i = j
                continue
            i = m.end() - 1
        i += 1
    return spans


_REF = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([A-Za-z_][A-Za-z0-9_.]*))!)?\$?([A-Z]{1,3})\$?(\d+)"
                  r"(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(col: int) -> str:
    out = ""
    while col:
        col, r = divmod(col - 1, 26)
        out = chr(65 + r) + out
    return out


def _split(address: str) -> tuple[int, int]:
    m = re.match(r"([A-Z]+)(\d+)$", address)
    return int(m[2]), _column(m[1])


# ---------------------------------------------------------------------------- shared formulas

_MAX_ROW, _MAX_COL = 1048576, 16384
_CELL_REF = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)(?::(\$?)([A-Za-z]{1,3})(\$?)([0-9]+))?")
_COLUMNS = re.compile(r"(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})")
_ROWS = re.compile(r"(\$?)([0-9]+):(\$?)([0-9]+)")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[Ee][-+]?[0-9]+)?|\.[0-9]+(?:[Ee][-+]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_\\][A-Za-z0-9_.\\]*")
_TEXT = re.compile(r'"(?:[^"]|"")*"?')
_SHEET = re.compile(r"'(?:[^']|'')*'?")
_ERROR = re.compile(r"#[A-Za-z0-9/]+[!?]?")
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.\\")
_NOT_AFTER_REF = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.(![")


def _moved(index: int, fixed: str, by: int, most: int) -> int | None:
    """A row or column index shifted by ``by`` unless ``$``-fixed; None where it leaves the sheet."""
    if fixed:
        return index
    index += by
    return index if 1 <= index <= most else None


def _shift(formula: str, rows: int, cols: int) -> str:
    """``formula`` as a shared formula's follower ``rows`` down and ``cols`` right of its master has it.

    Relative parts of cell references, ranges (``A2:A10``), whole columns (``A:C``) and
    whole rows (``2:5``) move; ``$`` parts stay. Text in double quotes, quoted sheet names,
    bracketed parts (structured and external references), error literals, numbers,
    function and defined names are copied as they are. A reference moved off the sheet
    becomes ``#REF!``, as in Excel.
    """
    out, i, n = [], 0, len(formula)
    while i < n:
        ch = formula[i]
        free = i == 0 or formula[i - 1] not in _NAME_CHARS
        if ch == '"':
            m = _TEXT.match(formula, i)
        elif ch == "'":
            m = _SHEET.match(formula, i)
        elif ch == "[":
            depth, j = 0, i
            while j < n:
                depth += {"[": 1, "]": -1}.get(formula[j], 0)
                j += 1
                if depth == 0:
                    break
            out.append(formula[i:j])
            i = j
            continue
        elif ch == "#":
            m = _ERROR.match(formula, i)
        elif free and (ch == "$" or ch.isalnum() or ch in "_.\\"):
            m = _CELL_REF.match(formula, i)
            if m and (m.end() == n or formula[m.end()] not in _NOT_AFTER_REF):
                ends = [(m[1], _column(m[2].upper()), m[3], int(m[4]))]
                if m[5] is not None:
                    ends.append((m[5], _column(m[6].upper()), m[7], int(m[8])))
                if all(1 <= col <= _MAX_COL and 1 <= row <= _MAX_ROW for _, col, _, row in ends):
                    moved = [(cf, _moved(col, cf, cols, _MAX_COL), rf, _moved(row, rf, rows, _MAX_ROW))
                             for cf, col, rf, row in ends]
                    if any(col is None or row is None for _, col, _, row in moved):
                        out.append("#REF!")
                    else:
                        out.append(":".join(f"{cf}{_letters(col)}{rf}{row}" for cf, col, rf, row in moved))
                    i = m.end()
                    continue
            m = _COLUMNS.match(formula, i)
            if m and (m.end() == n or formula[m.end()] not in _NOT_AFTER_REF):
                ends = [(m[1], _column(m[2].upper())), (m[3], _column(m[4].upper()))]
                if all(col <= _MAX_COL for _, col in ends):
                    moved = [(fixed, _moved(col, fixed, cols, _MAX_COL)) for fixed, col in ends]
                    out.append("#REF!" if any(col is None for _, col in moved) else
                               ":".join(f"{fixed}{_letters(col)}" for fixed, col in moved))
                    i = m.end()
                    continue
            m = _ROWS.match(formula, i)
            if m and (m.end() == n or formula[m.end()] not in _NOT_AFTER_REF):
                ends = [(m[1], int(m[2])), (m[3], int(m[4]))]
                if all(1 <= row <= _MAX_ROW for _, row in ends):
                    moved = [(fixed, _moved(row, fixed, rows, _MAX_ROW)) for fixed, row in ends]
                    out.append("#REF!" if any(row is None for _, row in moved) else
                               ":".join(f"{fixed}{row}" for fixed, row in moved))
                    i = m.end()
                    continue
            m = _NUMBER.match(formula, i) or _NAME.match(formula, i)
        else:
            m = _NAME.match(formula, i) if ch.isalpha() or ch in "_\\" else None
        if m and m.end() > i:
            out.append(m[0])
            i = m.end()
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _without(attrs: str, *names: str) -> str:
    for name in names:
        attrs = re.sub(rf'\s+{name}="[^"]*"', "", attrs)
    return attrs


# ---------------------------------------------------------------------------- cells

@dataclass
class _Cell:
    address: str
    attrs: str
    body: str
    span: tuple[int, int]       # where the <c> element is in the sheet's text

    @property
    def formula(self) -> tuple[str | None, str]:
        m = _F.search(self.body or "")
        if not m:
            return None, ""
        return unescape(m[2] or "", {"&quot;": '"'}), m[1]


def _cells(xml: str) -> list[_Cell]:
    return [_Cell(_attr(m[1], "r"), m[1], m[2] or "", m.span()) for m in _CELL.finditer(xml)]


def _value(cell: _Cell, strings: list[str]) -> Any:
    """The value a cell stores (its cached result for a formula): float, bool, text, an error text."""
    kind = _attr(cell.attrs, "t") or "n"
    if kind == "inlineStr":
        m = _IS.search(cell.body)
        return "".join(unescape(t) for t in re.findall(r"<t\b[^>]*>(.*?)</t>", m[1], re.S)) if m else None
    m = _V.search(cell.body)
    if not m:
        return None
    raw = unescape(m[1])
    if kind == "s":
        return strings[int(raw)]
    if kind == "b":
        return raw == "1"
    if kind in ("str", "e"):
        return raw
    return float(raw)


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
    part: str = field(default="", repr=False)
    si: str | None = field(default=None, repr=False)  # the shared formula's group index

    def row(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "cell": self.cell, "formula": "=" + self.formula, "stored": self.stored,
                "computed": self.computed, "stale": self.stale, "note": self.note}


class _Model:
    def __init__(self, path: str | os.PathLike):
        self.package = _Package(Path(path))
        self.strings = self.package.shared_strings()
        self.functions = _functions()
        self.sheets = self.package.sheets()
        self.xml = {part: self.package.text(part) for _, part in self.sheets}
        self.values: dict[str, dict[tuple[int, int], Any]] = {}
        for name, part in self.sheets:
            self.values[name] = {_split(c.address): _value(c, self.strings) for c in _cells(self.xml[part])}

    def calls(self) -> list[Call]:
        out = []
        names = set(self.functions)
        for sheet, part in self.sheets:
            cells = _cells(self.xml[part])
            masters = {}  # a shared formula group's index: (master cell, its formula)
            for cell in cells:
                text, fattrs = cell.formula
                if text and _attr(fattrs, "t") == "shared" and _attr(fattrs, "ref"):
                    masters.setdefault(_attr(fattrs, "si"), (cell.address, text))
            for cell in cells:
                text, fattrs = cell.formula
                kind, master = _attr(fattrs, "t"), None
                if text is None or kind == "dataTable":  # a what-if table's cells: Excel's own, left alone
                    continue
                if kind == "shared" and _attr(fattrs, "si") in masters:
                    master, first = masters[_attr(fattrs, "si")]
                    if master != cell.address:  # a follower: the master's formula, shifted to this cell
                        (r0, c0), (r, c) = _split(master), _split(cell.address)
                        text = _shift(first, r - r0, c - c0)
                if not text or not _call_spans(text, names):
                    continue
                ref = _attr(fattrs, "ref") if kind == "array" else None
                out.append(Call(sheet, cell.address, text, self.stored(sheet, cell.address, ref), ref=ref,
                                shared=master, part=part, si=_attr(fattrs, "si") if master else None))
        return out

    def stored(self, sheet: str, address: str, ref: str | None) -> Any:
        if not ref or ":" not in ref:
            return self.values[sheet].get(_split(address))
        return self.grid(sheet, ref)

    def grid(self, sheet: str, ref: str) -> list[list[Any]]:
        first, _, last = ref.replace("$", "").partition(":")
        (r0, c0), (r1, c1) = _split(first), _split(last or first)
        values = self.values[sheet]
        return [[values.get((r, c)) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]

    def argument(self, sheet: str, text: str) -> Any:
        """An argument's cells as Excel hands them to the function; ValueError if not a literal or a reference."""
        if text == "":
            return None
        if re.fullmatch(r"-?\d+(?:\.\d*)?(?:[Ee][-+]?\d+)?|-?\.\d+(?:[Ee][-+]?\d+)?", text):
            return float(text)
        if re.fullmatch(r'"(?:[^"]|"")*"', text):
            return text[1:-1].replace('""', '"')
        if text.upper() in ("TRUE", "FALSE"):
            return text.upper() == "TRUE"
        m = _REF.match(text)
        if not m:
            raise ValueError(f"the argument {text!r} is an expression; costlib reads only numbers, text and references")
        where = (m[1].replace("''", "'") if m[1] else m[2]) or sheet
        if where not in self.values:
            raise ValueError(f"the argument {text!r} refers to a sheet that is not in this workbook")
        if m[5]:
            return self.grid(where, f"{m[3]}{m[4]}:{m[5]}{m[6]}")
        value = self.values[where].get((int(m[4]), _column(m[3])))
        return [[value]]

    def compute(self, call: Call) -> None:
        import costlib_udfs

        spans = _call_spans(call.formula, set(self.functions))
        if len(spans) != 1 or spans[0][:2] != (0, len(call.formula)):
            call.note = "the costlib call is part of a larger formula: costlib computes only a whole-cell call"
            return
        _, _, name, texts = spans[0]
        spec = self.functions[name]
        if len(texts) > len(spec.arguments):
            call.note = f"{name} takes at most {len(spec.arguments)} arguments, got {len(texts)}"
            return
        try:
            cells = tuple(self.argument(call.sheet, t) for t in texts)
        except ValueError as exc:
            call.note = str(exc)
            return
        try:
            result = costlib_udfs.evaluate(spec, cells)
        except costlib_udfs.CellError as exc:
            call.computed, call.note = exc.excel_error, str(exc)
        else:
            call.computed = [[_shown(v) for v in row] for row in result] if isinstance(result, list) else result
        if isinstance(call.computed, list) and not call.ref:
            call.computed = call.computed[0][0]  # one cell shows the top-left of a spilled result
        if isinstance(call.computed, list) and call.ref and ":" not in call.ref:
            call.computed = call.computed[0][0]
        call.stale = not _same(call.stored, call.computed)
        if call.stored is None or (isinstance(call.stored, list) and call.stored[0][0] is None):
            call.note = (call.note + "; " if call.note else "") + "no value stored in the file"


def _shown(value: Any) -> Any:
    return value.excel_error if hasattr(value, "excel_error") else value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return all(len(x) == len(y) and all(_same(p, q) for p, q in zip(x, y)) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0) or a == b
    if isinstance(b, str) and isinstance(a, str) and b.startswith("#"):
        return a == b
    return a == b


# ---------------------------------------------------------------------------- public

def scan(path: str | os.PathLike) -> list[Call]:
    """Every cell of the workbook at ``path`` whose formula calls a costlib function.

    Each :class:`Call` carries the value stored in the file, the value costlib computes now
    from the file's own stored cell values (``computed``; None with a ``note`` where an
    argument is an expression or the call is part of a larger formula), and ``stale``.
    """
    model = _Model(path)
    calls = model.calls()
    for call in calls:
        model.compute(call)
    return calls


def _cell_xml(address: str, attrs: str, value: Any) -> str:
    """A value cell: the cell's own style and attributes, the value in place of the formula."""
    attrs = re.sub(r'\s+t="[^"]*"', "", attrs)
    attrs = re.sub(r'\s+cm="[^"]*"', "", attrs)  # cell metadata of a dynamic array formula
    if value is None:
        return f"<c{attrs}/>"
    if isinstance(value, bool):
        return f'<c{attrs} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f"<c{attrs}><v>{repr(float(value)) if not float(value).is_integer() else int(value)}</v></c>"
    text = str(value)
    if text in ("#N/A", "#NUM!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#REF!"):
        return f'<c{attrs} t="e"><v>{text}</v></c>'
    return f'<c{attrs} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _list_sheet(rows: list[tuple[str, str, str, str]]) -> bytes:
    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'

    header = ("sheet", "cell", "original formula", "what was done")
    lines = [f'<row r="{i}">' + "".join(cell(f"{c}{i}", t) for c, t in zip("ABCD", row)) + "</row>"
             for i, row in enumerate([header, *rows], start=1)]
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<cols><col min="1" max="2" width="14" customWidth="1"/><col min="3" max="4" width="70" customWidth="1"/>'
            f'</cols><sheetData>{"".join(lines)}</sheetData></worksheet>').encode("utf-8")


def _add_sheet(package: _Package, parts: dict[str, bytes], rows) -> list[str]:
    """Add the list sheet: its part, its relationship, its content type and its <sheet> entry."""
    existing = {name for name, _ in package.sheets()}
    if LIST_SHEET in existing:
        raise ModelError(f"{package.path}: already has a sheet {LIST_SHEET!r}; freeze the original model instead")
    n = 1
    while f"xl/worksheets/costlib_frozen{n}.xml" in package.parts:
        n += 1
    part = f"xl/worksheets/costlib_frozen{n}.xml"
    parts[part] = _list_sheet(rows)
    rels = package.text("xl/_rels/workbook.xml.rels")
    ids = {m for m in re.findall(r'Id="([^"]+)"', rels)}
    rid = next(f"rIdCostlib{i}" for i in range(1, 1000) if f"rIdCostlib{i}" not in ids)
    rels = rels.replace("</Relationships>", f'<Relationship Id="{rid}" Type="{_REL}/worksheet" '
                                            f'Target="/{part}"/></Relationships>')
    parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    workbook = parts.get("xl/workbook.xml", package.parts["xl/workbook.xml"]).decode("utf-8")
    prefix = re.search(rf'xmlns:(\w+)="{re.escape(_REL)}"', workbook)
    if not prefix:
        workbook = workbook.replace("<workbook ", f'<workbook xmlns:r="{_REL}" ', 1)
        prefix = "r"
    else:
        prefix = prefix[1]
    sheet_id = max([int(x) for x in re.findall(r'<sheet\b[^>]*?sheetId="(\d+)"', workbook)] or [0]) + 1
    workbook = workbook.replace("</sheets>", f'<sheet name="{LIST_SHEET}" sheetId="{sheet_id}" '
                                             f'{prefix}:id="{rid}"/></sheets>', 1)
    parts["xl/workbook.xml"] = workbook.encode("utf-8")
    types = package.text("[Content_Types].xml")
    types = types.replace("</Types>", f'<Override PartName="/{part}" ContentType="application/'
                                      'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    parts["[Content_Types].xml"] = types.encode("utf-8")
    return [part]


def _drop_calc_chain(package: _Package, parts: dict[str, bytes]) -> set[str]:
    if "xl/calcChain.xml" not in package.parts:
        return set()
    rels = parts.get("xl/_rels/workbook.xml.rels", package.parts["xl/_rels/workbook.xml.rels"]).decode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = re.sub(r'<Relationship\b[^>]*?calcChain[^>]*?/>', "", rels).encode("utf-8")
    types = parts.get("[Content_Types].xml", package.parts["[Content_Types].xml"]).decode("utf-8")
    parts["[Content_Types].xml"] = re.sub(r'<Override\b[^>]*?calcChain[^>]*?/>', "", types).encode("utf-8")
    return {"xl/calcChain.xml"}


def _data_table_fed(xml: str, address: str) -> str | None:
    """The range of a data table (What-If analysis) that ``address`` feeds as its formula cell, if any.

    A data table's cells (``<f t="dataTable" ...>``) hold no formula text: scan, freeze and
    inline leave them as they are; its formulas sit in the row above it (input down a
    column), the column left of it (input along a row) or its top-left corner (two inputs).
    """
    if 't="dataTable"' not in xml:
        return None
    r, c = _split(address)
    for m in _F.finditer(xml):
        if _attr(m[1], "t") != "dataTable" or not _attr(m[1], "ref"):
            continue
        first, _, last = _attr(m[1], "ref").replace("$", "").partition(":")
        (r0, c0), (r1, c1) = _split(first), _split(last or first)
        if (r == r0 - 1 and c0 - 1 <= c <= c1) or (c == c0 - 1 and r0 - 1 <= r <= r1):
            return _attr(m[1], "ref")
    return None


def _rewrite(path, out, decide) -> list[tuple[Call, str]]:
    """Apply ``decide(call, model) -> ("freeze", note) | ("inline", new formula, note)`` to each call."""
    model = _Model(path)
    calls = model.calls()
    for call in calls:
        model.compute(call)
    parts: dict[str, bytes] = {}
    done: list[tuple[Call, str]] = []
    frozen_any = False
    by_part: dict[str, list[tuple[_Cell, str]]] = {}
    cells = {part: {c.address: c for c in _cells(model.xml[part])} for part in model.xml}
    decisions = [(call, decide(call, model)) for call in calls]
    # A shared formula group stays one where every member inlines to the master's native
    # formula shifted to it; otherwise each member gets its own formula (or its value).
    groups: dict[tuple[str, str], list[tuple[Call, tuple]]] = {}
    for call, decision in decisions:
        if call.shared:
            groups.setdefault((call.part, call.si), []).append((call, decision))
    kept = set()
    for key, members in groups.items():
        master = next((d for c, d in members if c.cell == c.shared), None)
        if master is None or master[0] != "inline":
            continue
        r0, c0 = _split(members[0][0].shared)
        if all(d[0] == "inline" and d[1] == _shift(master[1], _split(c.cell)[0] - r0, _split(c.cell)[1] - c0)
               for c, d in members):
            kept.add(key)
    for call, decision in decisions:
        cell = cells[call.part][call.cell]
        group = (call.part, call.si) if call.shared else None
        if decision[0] == "inline":
            _, formula, note = decision
            note = note or "inlined: =" + formula
            f = _F.search(cell.body)
            if group in kept:
                note += f"; kept as one shared formula with {call.shared}"
                if call.cell != call.shared:  # a follower: Excel shifts the master's new formula to it
                    done.append((call, note))
                    continue
                fattrs = f[1]
            elif group:
                note += f"; the shared formula of {call.shared} written out in this cell"
                fattrs = _without(f[1], "t", "ref", "si")
            else:
                fattrs = f[1]
            new = f"{cell.body[:f.start()]}<f{fattrs}>{escape(formula)}</f>{cell.body[f.end():]}"
            by_part.setdefault(call.part, []).append((cell, f"<c{cell.attrs}>{new}</c>"))
            done.append((call, note))
            continue
        frozen_any = True
        note = decision[1]
        if call.shared and call.cell != call.shared:
            note += f"; it followed the shared formula of {call.shared}"
        table = _data_table_fed(model.xml[call.part], call.cell)
        if table:
            note += (f"; it feeds the data table {table}, whose cells Excel leaves alone here and which, "
                     "recalculated, no longer follows its input")
        empty = call.stored is None or (isinstance(call.stored, list) and call.stored[0][0] is None)
        value = call.computed if empty and call.computed is not None else call.stored
        if empty:
            note += ("; no value stored: costlib's value now" if call.computed is not None else
                     "; no value stored and costlib cannot compute it: left empty")
        if call.ref and ":" in call.ref:  # an array formula: its other cells already hold their values
            first = value[0][0] if isinstance(value, list) else value
            by_part.setdefault(call.part, []).append((cell, _cell_xml(call.cell, cell.attrs, first)))
        else:
            by_part.setdefault(call.part, []).append((cell, _cell_xml(call.cell, cell.attrs, value)))
        done.append((call, note))
    for part, edits in by_part.items():
        xml = model.xml[part]
        for cell, text in sorted(edits, key=lambda e: e[0].span[0], reverse=True):
            xml = xml[:cell.span[0]] + text + xml[cell.span[1]:]
        parts[part] = xml.encode("utf-8")
    drop = _drop_calc_chain(model.package, parts) if frozen_any else set()
    add = []
    if done:
        rows = [(c.sheet, c.cell, "=" + c.formula, note) for c, note in done]
        add = _add_sheet(model.package, parts, rows)
    model.package.write(Path(out), parts, drop, add)
    return done


def freeze(path: str | os.PathLike, out: str | os.PathLike) -> list[tuple[Call, str]]:
    """Write a copy of ``path`` to ``out`` whose costlib cells hold their values.

    The value is the one stored in the file (what the add-in last computed); where the file
    stores none, costlib's own. A sheet named :data:`LIST_SHEET` lists each frozen cell
    with its original formula. Returns each call with what was done to it.
    """
    return _rewrite(path, out, lambda call, model: ("freeze", "frozen: its value"))


# ---------------------------------------------------------------------------- inline

#: UDF arguments that a twin needs as a number, where the UDF also takes a catalogue name:
#: the catalogue figure that stands in for a name, by the costlib function's name.
def _catalogue_figure(function: str, name: str) -> float:
    from . import catalogue

    if function == "energy_cost":
        return float(catalogue.board_power_w(name))
    return float(catalogue.peak_flops(name, "bf16")) / 1e12


def _excel_number(value: float) -> str:
    text = repr(float(value)).upper().replace("E+", "E")
    return text[:-2] if text.endswith(".0") else text


class _Context:
    def __init__(self, texts: dict[str, str]):
        self.texts = texts

    def value(self, name: str) -> str:
        return self.texts[name]

    def range(self, name: str) -> str:  # no twin of a UDF takes a timeline row
        return self.texts[name]

    to_date = range


def inline_formula(formula: str, model: "_Model | None" = None, sheet: str = "") -> tuple[str, list[str]]:
    """``formula`` with each costlib call as its native Excel twin, and notes on what was assumed.

    Raises ValueError with the reason where a call cannot be inlined (no twin, or a name
    in a cell where the twin needs a number).
    """
    from . import formulas

    functions = _functions()
    twins = formulas.twins()
    notes: list[str] = []
    pieces, last = [], 0
    for start, end, name, texts in _call_spans(formula, set(functions)):
        spec = functions[name]
        twin = twins.get(spec.target.__name__)
        if twin is None or spec.pick:
            raise ValueError(f"{name} has no native Excel formula (no Excel twin of "
                             f"costlib.{spec.target.__name__}): frozen instead")
        for inner in texts:
            if _call_spans(inner, set(functions)):
                raise ValueError(f"{name} has a costlib call among its arguments: frozen instead")
        if len(texts) > len(spec.arguments):
            raise ValueError(f"{name} takes at most {len(spec.arguments)} arguments, got {len(texts)}")
        given = {arg: text for arg, text in zip(spec.arguments, texts) if text != ""}
        if "gpu" in spec.arguments:
            text = given.get("gpu")
            if text is None:
                default = inspect.signature(spec.target).parameters["gpu"].default
                given["gpu"] = _excel_number(_catalogue_figure(spec.target.__name__, default))
                notes.append(f"gpu left out: the catalogue figure of {default} ({given['gpu']})")
            elif re.fullmatch(r'"(?:[^"]|"")*"', text):
                gpu = text[1:-1].replace('""', '"')
                given["gpu"] = _excel_number(_catalogue_figure(spec.target.__name__, gpu))
                notes.append(f"gpu {text}: the catalogue figure {given['gpu']}")
            elif model is not None:
                try:
                    cells = model.argument(sheet, text)
                except ValueError:
                    cells = None
                flat = [v for row in cells for v in row] if isinstance(cells, list) else [cells]
                if any(isinstance(v, str) for v in flat):
                    raise ValueError(f"gpu {text} holds a catalogue name; a native formula needs the number "
                                     "(TFLOP/s or W): frozen instead")
        call = ast.Call(func=ast.Name(id=spec.target.__name__, ctx=ast.Load()),
                                 args=[], keywords=[ast.keyword(arg=a, value=ast.Name(
                                     id=f"_{a}", ctx=ast.Load())) for a in given])
        rendered = formulas.render(call, _Context({f"_{a}": t for a, t in given.items()}))
        if twin.none is not None:
            notes.append(f"{name}: where no value exists the native formula shows the words "
                         f"{twin.none!r} (the add-in shows #N/A)")
        pieces.append(formula[last:start] + (rendered if start == 0 and end == len(formula) else f"({rendered})"))
        last = end
    pieces.append(formula[last:])
    return "".join(pieces), notes


def inline(path: str | os.PathLike, out: str | os.PathLike) -> list[tuple[Call, str]]:
    """Write a copy of ``path`` to ``out`` whose costlib calls are native Excel formulas.

    Each call becomes its engine function's Excel twin with the call's own argument texts
    (a catalogue name such as "H100" becomes the catalogue's figure, noted); a call that
    cannot be inlined (no twin, a name held in a cell) is frozen, with its reason, and the
    sheet :data:`LIST_SHEET` lists every cell and what was done to it.
    """

    def decide(call: Call, model: _Model):
        try:
            formula, notes = inline_formula(call.formula, model, call.sheet)
        except ValueError as exc:
            return ("freeze", f"frozen: {exc}")
        return ("inline", formula, "inlined: =" + formula + ("; " + "; ".join(notes) if notes else ""))

    return _rewrite(path, out, decide)


def store_values(path: str | os.PathLike, out: str | os.PathLike, values: dict[tuple[str, str], Any]) -> None:
    """Write a copy of ``path`` whose formula cells ``(sheet, cell)`` store ``values`` as their cached results.

    The formulas stay; a spreadsheet without the add-in shows these values until it
    recalculates (how the demo workbook shows costlib's numbers to anyone).
    """
    model = _Model(path)
    parts: dict[str, bytes] = {}
    for sheet, part in model.sheets:
        xml = model.xml[part]
        for cell in sorted(_cells(xml), key=lambda c: c.span[0], reverse=True):
            if (sheet, cell.address) not in values:
                continue
            f = _F.search(cell.body or "")
            if not f:
                raise ModelError(f"{sheet}!{cell.address} holds no formula to store a value for")
            value = _cell_xml(cell.address, cell.attrs, values[sheet, cell.address])
            head, _, rest = value.partition(">")
            if rest:  # the value's own <v> or <is> after the formula
                inner = rest[:-len("</c>")]
                kind = re.search(r'\bt="([^"]+)"', head)
                if kind and kind[1] == "inlineStr":  # a formula's text result is t="str"
                    head = head.replace('t="inlineStr"', 't="str"')
                    inner = f"<v>{escape(str(values[sheet, cell.address]))}</v>"
                text = f"{head}>{f[0]}{inner}</c>"
            else:
                text = f"{value[:-2]}>{f[0]}</c>"
            xml = xml[:cell.span[0]] + text + xml[cell.span[1]:]
        if xml != model.xml[part]:
            parts[part] = xml.encode("utf-8")
    model.package.write(Path(out), parts)
