"""Formula text as Excel stores it: costlib calls in every stored form, references, shared formulas.

Excel does not store an add-in call as the user typed it (ECMA-376 Part 1, 18.17 Formulas;
[MS-XLSX] 2.2.2 Formulas). A costlib call in a file is one of:

- ``TRAIN_COST(...)``: a function of a loaded add-in (an ``.xlam``, or the classic xlwings
  add-in), written as typed;
- ``_xludf.TRAIN_COST(...)``: a name Excel did not know when the file was saved (the
  add-in was not loaded) or that another program wrote;
- ``[1]!TRAIN_COST(...)``: a function of another workbook or add-in file, through the
  external reference numbered 1 (an ``xl/externalLinks/externalLink1.xml`` part says which);
- ``_xldudf_XLWINGS_TRAIN_COST(...)``: an Office.js custom function (xlwings Lite, xlwings
  Server), its namespace (``XLWINGS``) joined to its name; with or without a namespace;
- ``XLWINGS.TRAIN_COST(...)``: the same as shown in the formula bar, as some writers store it.

Any of these may be nested in another function, embedded in a larger expression, the
text of an array formula or the master of a shared formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .ooxml import column_letters, column_number

_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.\\")
_IDENT = re.compile(r"[A-Za-z_\\][A-Za-z0-9_.\\]*")


@dataclass(frozen=True)
class Span:
    """One costlib call inside a formula."""

    start: int
    end: int
    name: str            # the costlib Excel function: TRAIN_COST
    args: tuple[str, ...]
    stored_as: str       # "plain", "_xludf", "external [1]", "_xldudf", "_xldudf XLWINGS", "namespace XLWINGS"


def _function(identifier: str, names: set[str]) -> tuple[str, str] | None:
    """(costlib name, stored form) of a called identifier, or None where it is not a costlib call."""
    upper = identifier.upper()
    if upper in names:
        return upper, "plain"
    if upper.startswith("_XLUDF.") and upper[7:] in names:
        return upper[7:], "_xludf"
    if upper.startswith("_XLDUDF_"):
        rest = upper[8:]
        if rest in names:
            return rest, "_xldudf"
        for i, ch in enumerate(rest):
            if ch == "_" and rest[i + 1:] in names:  # the longest name after a namespace
                return rest[i + 1:], f"_xldudf {identifier[8:8 + i]}"
        return None
    if "." in upper:
        namespace, _, last = upper.rpartition(".")
        if last in names and not namespace.startswith("_XLFN") and not namespace.startswith("_XLWS"):
            return last, f"namespace {identifier[:len(namespace)]}"
    return None


def _skip_quoted(formula: str, i: int, quote: str) -> int:
    """Index just past the quoted run starting at ``i`` (a doubled quote stays inside)."""
    n = len(formula)
    j = i + 1
    while j < n:
        if formula[j] == quote:
            if j + 1 < n and formula[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return n


def _skip_brackets(formula: str, i: int) -> int:
    depth, j, n = 0, i, len(formula)
    while j < n:
        ch = formula[j]
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j + 1
        elif ch == "'" and depth:  # an escaped bracket in a structured reference: '[ or ']
            j += 1
        j += 1
    return n


def _arguments(formula: str, i: int) -> tuple[int, list[str]]:
    """From just past an opening parenthesis: (index past its closing one, the argument texts)."""
    depth, j, n, start, args = 1, i, len(formula), i, []
    while j < n:
        ch = formula[j]
        if ch == '"' or ch == "'":
            j = _skip_quoted(formula, j, ch)
            continue
        if ch == "[":
            j = _skip_brackets(formula, j)
            continue
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
            if depth == 0:
                args.append(formula[start:j].strip())
                return j + 1, ([] if args == [""] else args)
        elif ch == "," and depth == 1:
            args.append(formula[start:j].strip())
            start = j + 1
        j += 1
    return n, [a.strip() for a in args + [formula[start:]]]


def call_spans(formula: str, names: set[str]) -> list[Span]:
    """Each outermost costlib call in ``formula`` (calls inside its arguments stay in the argument text)."""
    spans: list[Span] = []
    i, n = 0, len(formula)
    while i < n:
        ch = formula[i]
        if ch == '"':
            i = _skip_quoted(formula, i, '"')
            continue
        if ch == "'":  # a quoted sheet or book name: 'Q1 A2'!A1, '[1]Sheet 1'!A1
            j = _skip_quoted(formula, i, "'")
            if formula.startswith("!", j):
                m = _IDENT.match(formula, j + 1)
                if m and formula.startswith("(", m.end()):
                    found = _function(m[0], names)
                    if found:
                        end, args = _arguments(formula, m.end() + 1)
                        spans.append(Span(i, end, found[0], tuple(args), f"external {formula[i:j]}"))
                        i = end
                        continue
            i = j
            continue
        if ch == "[":
            j = _skip_brackets(formula, i)
            if formula.startswith("!", j):  # [1]!TRAIN_COST( : a function of an external book or add-in
                m = _IDENT.match(formula, j + 1)
                if m and formula.startswith("(", m.end()):
                    found = _function(m[0], names)
                    if found:
                        end, args = _arguments(formula, m.end() + 1)
                        spans.append(Span(i, end, found[0], tuple(args), f"external {formula[i:j]}"))
                        i = end
                        continue
            i = j
            continue
        if (ch.isalpha() or ch in "_\\") and (i == 0 or formula[i - 1] not in _NAME_CHARS):
            m = _IDENT.match(formula, i)
            if formula.startswith("!", m.end()):  # Book.xlam!TRAIN_COST( : an unquoted book prefix
                f = _IDENT.match(formula, m.end() + 1)
                if f and formula.startswith("(", f.end()):
                    found = _function(f[0], names)
                    if found:
                        end, args = _arguments(formula, f.end() + 1)
                        spans.append(Span(i, end, found[0], tuple(args), f"external {m[0]}"))
                        i = end
                        continue
            if formula.startswith("(", m.end()):
                found = _function(m[0], names)
                if found:
                    end, args = _arguments(formula, m.end() + 1)
                    spans.append(Span(i, end, found[0], tuple(args), found[1]))
                    i = end
                    continue
            i = m.end()
            continue
        i += 1
    return spans


# ---------------------------------------------------------------------------- references

MAX_ROW, MAX_COL = 1048576, 16384

_SHEET = r"(?:'((?:[^']|'')+)'|([A-Za-z_\\][A-Za-z0-9_.\\ ]*?))!"
_REF = re.compile(rf"^(?:{_SHEET})?\$?([A-Za-z]{{1,3}})\$?([0-9]{{1,7}})(?::\$?([A-Za-z]{{1,3}})\$?([0-9]{{1,7}}))?$")
_COLS = re.compile(rf"^(?:{_SHEET})?\$?([A-Za-z]{{1,3}}):\$?([A-Za-z]{{1,3}})$")
_ROWS = re.compile(rf"^(?:{_SHEET})?\$?([0-9]{{1,7}}):\$?([0-9]{{1,7}})$")


@dataclass(frozen=True)
class Area:
    """A rectangle of one sheet: rows r0..r1 and columns c0..c1, inclusive; never materialised."""

    sheet: str | None
    r0: int
    c0: int
    r1: int
    c1: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.r1 - self.r0 + 1, self.c1 - self.c0 + 1

    @property
    def single(self) -> bool:
        return self.r0 == self.r1 and self.c0 == self.c1


def area(text: str) -> Area | None:
    """A reference ``text`` (A1, $A$1:B9, A:C, 2:5, 'Q1 A2'!A1) as an Area; None where it is no reference."""
    for pattern, kind in ((_REF, "cells"), (_COLS, "columns"), (_ROWS, "rows")):
        m = pattern.match(text)
        if not m:
            continue
        sheet = m[1].replace("''", "'") if m[1] else m[2]
        if kind == "cells":
            c0, r0 = column_number(m[3]), int(m[4])
            c1, r1 = (column_number(m[5]), int(m[6])) if m[5] else (c0, r0)
        elif kind == "columns":
            c0, c1, r0, r1 = column_number(m[3]), column_number(m[4]), 1, MAX_ROW
        else:
            r0, r1, c0, c1 = int(m[3]), int(m[4]), 1, MAX_COL
        r0, r1 = sorted((r0, r1))
        c0, c1 = sorted((c0, c1))
        if not (1 <= r0 and r1 <= MAX_ROW and 1 <= c0 and c1 <= MAX_COL):
            return None
        return Area(sheet, r0, c0, r1, c1)
    return None


def split(address: str) -> tuple[int, int]:
    """(row, column) of ``A1``."""
    m = re.match(r"\$?([A-Za-z]+)\$?(\d+)$", address)
    return int(m[2]), column_number(m[1])


# ---------------------------------------------------------------------------- shared formulas

_CELL_REF = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)([0-9]+)(?::(\$?)([A-Za-z]{1,3})(\$?)([0-9]+))?")
_COLUMNS = re.compile(r"(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})")
_ROW_RANGE = re.compile(r"(\$?)([0-9]+):(\$?)([0-9]+)")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[Ee][-+]?[0-9]+)?|\.[0-9]+(?:[Ee][-+]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_\\][A-Za-z0-9_.\\]*")
_TEXT = re.compile(r'"(?:[^"]|"")*"?')
_QUOTED_SHEET = re.compile(r"'(?:[^']|'')*'?")
_ERROR = re.compile(r"#[A-Za-z0-9/]+[!?]?")
_NOT_AFTER_REF = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.(![")


def _moved(index: int, fixed: str, by: int, most: int) -> int | None:
    """A row or column index shifted by ``by`` unless ``$``-fixed; None where it leaves the sheet."""
    if fixed:
        return index
    index += by
    return index if 1 <= index <= most else None


def shift(formula: str, rows: int, cols: int) -> str:
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
            m = _QUOTED_SHEET.match(formula, i)
        elif ch == "[":
            j = _skip_brackets(formula, i)
            out.append(formula[i:j])
            i = j
            continue
        elif ch == "#":
            m = _ERROR.match(formula, i)
        elif free and (ch == "$" or ch.isalnum() or ch in "_.\\"):
            m = _CELL_REF.match(formula, i)
            if m and (m.end() == n or formula[m.end()] not in _NOT_AFTER_REF):
                ends = [(m[1], column_number(m[2]), m[3], int(m[4]))]
                if m[5] is not None:
                    ends.append((m[5], column_number(m[6]), m[7], int(m[8])))
                if all(1 <= col <= MAX_COL and 1 <= row <= MAX_ROW for _, col, _, row in ends):
                    moved = [(cf, _moved(col, cf, cols, MAX_COL), rf, _moved(row, rf, rows, MAX_ROW))
                             for cf, col, rf, row in ends]
                    if any(col is None or row is None for _, col, _, row in moved):
                        out.append("#REF!")
                    else:
                        out.append(":".join(f"{cf}{column_letters(col)}{rf}{row}" for cf, col, rf, row in moved))
                    i = m.end()
                    continue
            m = _COLUMNS.match(formula, i)
            if m and (m.end() == n or formula[m.end()] not in _NOT_AFTER_REF):
                ends = [(m[1], column_number(m[2])), (m[3], column_number(m[4]))]
                if all(col <= MAX_COL for _, col in ends):
                    moved = [(fixed, _moved(col, fixed, cols, MAX_COL)) for fixed, col in ends]
                    out.append("#REF!" if any(col is None for _, col in moved) else
                               ":".join(f"{fixed}{column_letters(col)}" for fixed, col in moved))
                    i = m.end()
                    continue
            m = _ROW_RANGE.match(formula, i)
            if m and (m.end() == n or formula[m.end()] not in _NOT_AFTER_REF):
                ends = [(m[1], int(m[2])), (m[3], int(m[4]))]
                if all(1 <= row <= MAX_ROW for _, row in ends):
                    moved = [(fixed, _moved(row, fixed, rows, MAX_ROW)) for fixed, row in ends]
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


def excel_number(value: float) -> str:
    """A number as formula text, as Python's shortest round-trip form writes it.

    >>> [excel_number(v) for v in (989.4, 1e12, 1e16, -2)]
    ['989.4', '1000000000000', '1E16', '(-2)']
    """
    text = repr(float(value)).upper().replace("E+", "E")
    text = text[:-2] if text.endswith(".0") else text
    return f"({text})" if text.startswith("-") else text


def tight_powers(formula: str) -> str:
    """``a ^ b`` as ``a^b`` outside text: Gnumeric refuses a space after ``^`` in a file's formula."""
    out, i, n = [], 0, len(formula)
    while i < n:
        ch = formula[i]
        if ch == '"' or ch == "'":
            j = _skip_quoted(formula, i, ch)
            out.append(formula[i:j])
            i = j
            continue
        if ch == "^":
            while out and out[-1] == " ":
                out.pop()
            out.append("^")
            i += 1
            while i < n and formula[i] == " ":
                i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)
