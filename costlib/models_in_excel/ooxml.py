"""Reading and writing an Excel package (.xlsx, .xlsm) part by part, safely.

- **Parts are streamed with declared caps** (:mod:`costlib.workbook.package`, the one capped
  reader, which also reads an existing output to tell whether it is unedited). A part is
  read only when needed, in chunks, and refused (:class:`ModelError` naming the part and the
  cap) above ``MAX_PART_BYTES`` uncompressed, above ``MAX_RATIO`` times its compressed size,
  or where the package's parts add up to more than ``MAX_TOTAL_BYTES``: a 1 MB file that
  unpacks to 1 GB is refused before anything is unpacked. Parts that are copied (an
  image, a chart) are streamed from the input to the output, never held whole.
- **XML is parsed with a real parser** (expat, the parser under :mod:`xml.etree`; the workbook
  part and relationships through :func:`costlib.workbook.ooxml.elements`), linear in
  the part: a cell inside an XML comment is no cell, a truncated or malformed part is an
  error naming it (never a partial scan), a DTD or entity declaration is refused (OOXML
  never has one: refusing it rules out entity expansion). Namespace prefixes
  (``<x:c>``), cells and rows without ``r=``, ``t="d"`` date cells and parts in any
  declared encoding (UTF-16 included) are read as Excel reads them.
- **Edits keep every other byte.** A sheet is parsed with each cell's byte span, so a
  change replaces exactly one ``<c>`` element (or its ``<f>``) and copies the rest; the
  workbook part, its relationships and the content types are edited the same way.
- **Writes are atomic and never surprise.** The output is written to a temporary file beside
  it and moved into place; an existing file is replaced only with ``force`` and keeps its
  mode; a new file gets the mode the umask gives; the input is never the output.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from xml.parsers import expat

from .._atomic import replacing
from ..workbook.ooxml import Element, elements, parse, parser as _parser, start_tag_end, utf8 as _decode
from ..workbook.package import CHUNK_BYTES, PackageError, check_sizes, read_part

_CHUNK = CHUNK_BYTES

MAIN_NAMESPACES = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                   "http://purl.oclc.org/ooxml/spreadsheetml/main")          # transitional, strict
REL_NAMESPACES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                  "http://purl.oclc.org/ooxml/officeDocument/relationships")
REL = REL_NAMESPACES[0]
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


#: A workbook that cannot be read or written as asked; the message names the file and the part. The
#: package reader's own error (its caps: costlib.workbook.package), so one class covers every refusal.
ModelError = PackageError


class OutputExistsError(ModelError):
    """The output file exists and ``force`` was not given: nothing was written."""


# ---------------------------------------------------------------------------- XML

def parser(where: str) -> expat.XMLParserType:
    """An expat parser reporting names as ``namespace localname``, refusing any DTD."""
    return _parser(where, namespace_separator=" ")


def _local(name: str) -> tuple[str, str]:
    ns, _, local = name.rpartition(" ")
    return ns, local


# ---------------------------------------------------------------------------- cells

_ADDRESS = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(col: int) -> str:
    out = ""
    while col:
        col, r = divmod(col - 1, 26)
        out = chr(65 + r) + out
    return out


def address(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


@dataclass(eq=False)
class Cell:
    """One ``<c>`` element: where it is, what it holds and where its bytes are."""

    row: int
    col: int
    start: int                      # byte span of the <c> element in the sheet's UTF-8 text
    end: int
    head: bytes                     # the start tag's qualified name and attributes: b'x:c r="A1" s="1"'
    kind: str                       # t=: n, s, b, e, str, inlineStr, d
    formula: str | None = None      # the <f> text (None: no <f>; "" for a shared follower)
    fattrs: dict[str, str] = field(default_factory=dict)
    fspan: tuple[int, int] | None = None
    fhead: bytes = b""
    raw: str | None = None          # the <v> text, or an inline string's text
    value: Any = None

    @property
    def address(self) -> str:
        return address(self.row, self.col)

    @property
    def prefix(self) -> str:
        name = self.head.split(None, 1)[0].decode("ascii", "replace")
        return name[:-1] if name.endswith("c") else ""  # "x:" of "x:c", "" of "c"


@dataclass
class Sheet:
    name: str
    part: str
    data: bytes                     # the sheet's XML as UTF-8 (transcoded where it was not)
    cells: list[Cell]
    values: dict[tuple[int, int], Any]
    transcoded: bool = False
    by_address: dict[tuple[int, int], Cell] = field(default_factory=dict)


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ModelError(f"{where}: a number cell holds {text[:40]!r}") from None


def _date(text: str) -> Any:
    try:
        return dt.datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return text


def read_sheet(name: str, part: str, data: bytes, strings: list[str], where: str) -> Sheet:
    """Every cell of a worksheet part, with byte spans; one pass of expat over the part."""
    utf8 = _decode(data, where)
    cells: list[Cell] = []
    values: dict[tuple[int, int], Any] = {}
    p = parser(where)
    state = {"row": 0, "col": 0, "cell": None, "in": None, "depth": 0, "rph": 0}
    text: list[str] = []
    path: list[str] = []

    def start(qname, attrs):
        ns, local = _local(qname)
        path.append(local)
        if ns not in MAIN_NAMESPACES:
            return
        if local == "row" and len(path) == 3:
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif local == "c" and len(path) == 4:
            at = p.CurrentByteIndex
            end = start_tag_end(utf8, at)
            ref = attrs.get("r")
            row, col = state["row"], state["col"] + 1
            if ref:
                m = _ADDRESS.match(ref)
                if not m:
                    raise ModelError(f"{where}: a cell's address r={ref!r} is not a cell address")
                col, row = column_number(m[1]), int(m[2])
            state["col"] = col
            head = utf8[at + 1:end - (2 if utf8[end - 2:end] == b"/>" else 1)].rstrip()
            cell = Cell(row, col, at, end if utf8[end - 2:end] == b"/>" else -1, head, attrs.get("t", "n"))
            state["cell"] = cell
            cells.append(cell)
        elif state["cell"] is not None:
            cell = state["cell"]
            if local == "f" and len(path) == 5:
                at = p.CurrentByteIndex
                end = start_tag_end(utf8, at)
                cell.fattrs = dict(attrs)
                cell.fhead = utf8[at + 1:end - (2 if utf8[end - 2:end] == b"/>" else 1)].rstrip()
                cell.fspan = (at, end if utf8[end - 2:end] == b"/>" else -1)
                cell.formula = ""
                state["in"] = "f"
                text.clear()
            elif local == "v" and len(path) == 5:
                state["in"] = "v"
                text.clear()
            elif local == "is" and len(path) == 5:
                state["in"] = "is"
                text.clear()
            elif local == "rPh":
                state["rph"] += 1

    def end(qname):
        ns, local = _local(qname)
        depth = len(path)
        path.pop()
        cell = state["cell"]
        if cell is None or ns not in MAIN_NAMESPACES:
            return
        if local == "f" and depth == 5:
            if cell.fspan[1] == -1:
                cell.fspan = (cell.fspan[0], utf8.index(b">", p.CurrentByteIndex) + 1)
            cell.formula = "".join(text)
            state["in"] = None
        elif local == "v" and depth == 5:
            cell.raw = "".join(text)
            state["in"] = None
        elif local == "is" and depth == 5:
            cell.raw = "".join(text)
            state["in"] = None
        elif local == "rPh":
            state["rph"] -= 1
        elif local == "c" and depth == 4:
            if cell.end == -1:
                cell.end = utf8.index(b">", p.CurrentByteIndex) + 1
            cell.value = _value(cell, strings, where)
            values[cell.row, cell.col] = cell.value
            state["cell"] = None

    def chars(data):
        if state["in"] in ("f", "v") and path[-1] == state["in"]:
            text.append(data)
        elif state["in"] == "is" and path[-1] == "t" and not state["rph"]:
            text.append(data)

    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    parse(p, utf8, where)
    sheet = Sheet(name, part, utf8, cells, values, transcoded=utf8 is not data)
    sheet.by_address = {(c.row, c.col): c for c in cells}
    return sheet


ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
          "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")


@dataclass(frozen=True)
class ErrorValue:
    """An Excel error value (``#N/A``), apart from text that reads the same; ``message`` says why."""

    code: str
    message: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return self.code


def _value(cell: Cell, strings: list[str], where: str) -> Any:
    """The value a cell stores (a formula's cached result): float, bool, text, datetime, ErrorValue, None."""
    raw, kind = cell.raw, cell.kind
    if raw is None:
        return None
    if kind == "inlineStr" or kind == "str":
        return raw
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            raise ModelError(f"{where}: {cell.address} points at shared string {raw[:20]!r}, which does not "
                             f"exist (the workbook has {len(strings)})") from None
    if kind == "b":
        return raw.strip() in ("1", "true")
    if kind == "e":
        return ErrorValue(raw.strip())
    if kind == "d":
        return _date(raw)
    if raw.strip() == "":
        return None
    return _number(raw, f"{where} {cell.address}")


def read_shared_strings(data: bytes, where: str) -> list[str]:
    out: list[str] = []
    p = parser(where)
    depth = {"si": False, "rph": 0, "t": False}
    text: list[str] = []

    def start(qname, attrs):
        _, local = _local(qname)
        if local == "si":
            depth["si"] = True
            text.clear()
        elif local == "rPh":
            depth["rph"] += 1
        elif local == "t":
            depth["t"] = True

    def end(qname):
        _, local = _local(qname)
        if local == "si":
            out.append("".join(text))
            depth["si"] = False
        elif local == "rPh":
            depth["rph"] -= 1
        elif local == "t":
            depth["t"] = False

    def chars(data):
        if depth["si"] and depth["t"] and not depth["rph"]:
            text.append(data)

    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    parse(p, _decode(data, where), where)
    return out


# ---------------------------------------------------------------------------- the package

@dataclass
class ExternalLink:
    index: int          # the n of [n] in formulas
    part: str
    target: str         # the linked workbook or add-in, as the file names it


class Package:
    """An open package: its parts' names and sizes; parts read on demand, within the caps."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        try:
            with open(self.path, "rb") as handle:
                magic = handle.read(8)
        except IsADirectoryError:
            raise ModelError(f"{self.path}: is a folder, not a workbook") from None
        except OSError as exc:
            raise ModelError(f"{self.path}: cannot be read ({exc.strerror or exc})") from None
        if magic == _OLE_MAGIC:
            raise ModelError(_ole_message(self.path))
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ModelError(f"{self.path}: not an .xlsx or .xlsm package (not a zip file: {exc})") from None
        self.infos = self.zip.infolist()
        self.names = {i.filename: i for i in self.infos}
        self.last_part = ""  # the part read last: an unexpected failure names it
        if len(self.names) != len(self.infos):
            twice = sorted({i.filename for i in self.infos if sum(j.filename == i.filename for j in self.infos) > 1})
            self.close()
            raise ModelError(f"{self.path}: part {twice[0]} appears twice in the package; the file is damaged")
        try:
            check_sizes(self.path, self.infos)  # the caps, from the declared sizes: nothing unpacked yet
        except PackageError:
            self.close()
            raise
        if "xl/workbook.xml" not in self.names:
            found = next((n for n in self.names if n.endswith("workbook.xml")), None)
            self.close()
            raise ModelError(f"{self.path}: not an Excel workbook (no xl/workbook.xml"
                             + (f"; it has {found}" if found else "") + ")")

    def close(self) -> None:
        self.zip.close()

    def where(self, part: str) -> str:
        return f"{self.path}: part {part}"

    def read(self, part: str) -> bytes:
        """One part, streamed within the caps; ModelError naming the part otherwise."""
        self.last_part = part
        if part not in self.names:
            raise ModelError(f"{self.path}: has no part {part}; the file is damaged or not an Excel workbook")
        return read_part(self.path, self.zip, self.names[part])

    # -- the workbook's structure

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (target part or URL, type) of ``part``'s relationships."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        if rels not in self.names:
            return {}
        out = {}
        for e in self.elements(rels):
            get = e.attributes.get
            if e.local == "Relationship" and get("Id") and get("Target") is not None:
                target = get("Target")
                if get("TargetMode") != "External":
                    target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                        posixpath.join(folder, target))
                out[get("Id")] = (target, get("Type") or "")
        return out

    def xml(self, part: str) -> bytes:
        """One part as UTF-8 XML (transcoded where it declares another encoding; otherwise its own bytes)."""
        return _decode(self.read(part), self.where(part))

    def elements(self, part: str, text_of: Iterable[str] = ()) -> list[Element]:
        """Every element of one part, with its namespace and byte span (:func:`costlib.workbook.ooxml.elements`)."""
        return elements(self.xml(part), self.where(part), text_of)

    def structure(self) -> "Structure":
        items = self.elements("xl/workbook.xml", text_of=("definedName",))
        rels = self._rels("xl/workbook.xml")
        sheets, names, links = [], [], []
        workbook_sheets = []
        for e in items:
            if e.namespace not in MAIN_NAMESPACES:
                continue
            get, rel_id = e.attributes.get, e.attribute(REL_NAMESPACES, "id")
            if e.local == "sheet":
                workbook_sheets.append(get("name"))
                target = rels.get(rel_id or "", ("", ""))[0]
                if target in self.names and target.startswith("xl/") and "worksheet" in \
                        rels[rel_id][1].rsplit("/", 1)[-1]:
                    sheets.append((get("name"), target))
            elif e.local == "definedName":
                scope = get("localSheetId")
                scope_name = (workbook_sheets[int(scope)] if scope is not None and scope.isdigit()
                              and int(scope) < len(workbook_sheets) else None)
                names.append((get("name") or "", scope_name, e.text))
            elif e.local == "externalReference":
                part = rels.get(rel_id or "", ("", ""))[0]
                target = ""
                if part in self.names:
                    target = next((t for t, kind in self._rels(part).values() if kind.endswith("externalLinkPath")
                                   or "externalLink" in kind), "")
                links.append(ExternalLink(len(links) + 1, part, target))
        vba = sorted(n for n in self.names if n.lower().endswith("vbaproject.bin"))
        strings = next((t for t, kind in rels.values() if kind.endswith("/sharedStrings") and t in self.names),
                       "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in self.names else None)
        return Structure(sheets, names, links, vba, strings)


@dataclass
class Structure:
    sheets: list[tuple[str, str]]                    # (sheet name, worksheet part), workbook order
    defined_names: list[tuple[str, str | None, str]]  # (name, sheet it is local to or None, its text)
    external_links: list[ExternalLink]
    vba: list[str]                                    # VBA project parts (an .xlsm's macros)
    shared_strings: str | None = None                 # the shared string table's part


def _ole_message(path: Path) -> str:
    """What an OLE compound file (not a zip) is: an encrypted workbook or a legacy .xls."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        head = b""
    if "EncryptionInfo".encode("utf-16-le") in head or "EncryptedPackage".encode("utf-16-le") in head:
        return (f"{path}: is encrypted (password-protected); costlib cannot read it. Open it in Excel, "
                "remove the password (File > Info > Protect Workbook > Encrypt with Password), save, and try again")
    return f"{path}: an Excel 97-2003 (.xls) or other OLE file, not an .xlsx or .xlsm package; save it as .xlsx"


# ---------------------------------------------------------------------------- writing

def check_output(source: Path, out: Path, force: bool) -> None:
    """Refuse an output that is the input, is a folder, or exists without ``force``."""
    if out.exists() or out.is_symlink():
        try:
            same = out.resolve() == source.resolve() or os.path.samefile(out, source)
        except OSError:
            same = False
        if same:
            raise ModelError(f"-o {out}: the output must not be the input file {source}; name another file")
        if out.is_dir():
            raise ModelError(f"-o {out}: is a folder; name the file to write")
        if not force:
            raise OutputExistsError(f"-o {out}: exists; nothing was written; choose another file or pass --force "
                                    "to replace it")


def write_package(package: Package, out: str | os.PathLike, parts: dict[str, bytes], drop: Iterable[str] = (),
                  add: Iterable[str] = (), force: bool = False) -> None:
    """The package with ``parts`` replaced, ``drop`` left out and ``add`` appended, written atomically.

    Parts not replaced are streamed across (never held whole). A new file gets the mode the
    umask gives (0666 less the umask), a replaced one keeps its mode (:func:`costlib._atomic.replacing`).
    """
    out = Path(out)
    check_output(package.path, out, force)
    drop = set(drop)
    with replacing(out) as tmp, zipfile.ZipFile(tmp, "w") as z:
        for info in package.infos:
            if info.filename in drop:
                continue
            if info.filename in parts:
                z.writestr(info, parts[info.filename])
                continue
            try:
                with package.zip.open(info) as src, z.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, _CHUNK)
            except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
                raise ModelError(f"{package.where(info.filename)}: cannot be unpacked ({exc})") from None
        for name in add:
            z.writestr(zipfile.ZipInfo(name, date_time=package.infos[0].date_time), parts[name],
                       compress_type=zipfile.ZIP_DEFLATED)


def copy_file(source: Path, out: str | os.PathLike, force: bool = False) -> None:
    """``source`` copied byte for byte to ``out``, with the same care as :func:`write_package`."""
    out = Path(out)
    check_output(source, out, force)
    with replacing(out) as tmp, open(tmp, "wb") as dst, open(source, "rb") as src:
        shutil.copyfileobj(src, dst, _CHUNK)
