"""Names a template declares, checked against what a spreadsheet would read instead.

Every name of a template (inputs, items, rows, the axis) becomes a workbook defined name
and is written into formulas; every sheet name is written into references
(``'Capex'!B4``); the template's ``name`` becomes a file name. Nothing a template says
reaches a formula or a path except through the checks below, made when the template is
loaded, so ``costlib templates X.toml`` refuses what ``costlib generate`` would.

A name must be an identifier (``[A-Za-z_][A-Za-z0-9_]*``, at most 255 characters, Excel's
limit) that a spreadsheet cannot read as something else: ``TRUE``/``FALSE``; a cell
reference in A1 style (``A1``, ``XFD1048576``, and beyond the grid's edge, ``XFD1048577``,
which LibreOffice and older Excel read differently) or R1C1 style (``R1C1``, ``RC``, ``R``,
``C``); a spreadsheet function (``SUM``, ``WEBSERVICE``), a name the workbook defines
itself, or a Python keyword (the formulas are parsed as Python expressions). Names differ
without regard to case, as Excel compares them. Source: Microsoft, "Names in formulas",
https://support.microsoft.com/office/names-in-formulas-fc2935f9-115d-4bef-a370-3aa8bb4c91f1.
"""

from __future__ import annotations

import functools
import keyword
import re

from ..errors import TemplateError
from ..constants import CONSTANTS

__all__ = ["check_name", "check_sheet_names", "check_file_stem", "GRID_COLUMNS", "GRID_ROWS", "NAME_LIMIT",
           "SHEET_NAME_LIMIT", "RESERVED_SHEETS", "RESERVED_NAMES", "SPREADSHEET_FUNCTIONS"]

GRID_COLUMNS = 16_384  # A to XFD, Excel 2007 and later
GRID_ROWS = 1_048_576
NAME_LIMIT = 255  # characters in a defined name
SHEET_NAME_LIMIT = 31  # characters in a sheet name

#: Sheets and names costlib's workbooks hold besides the template's own
RESERVED_SHEETS = ("Inputs", "Ranges", "Checks", "Catalogue", "About", "Annual", "Quarterly", "Comparison")
RESERVED_NAMES = ("checks_ok",) + tuple(CONSTANTS) + tuple(f"{n}_key" for n, c in CONSTANTS.items() if c.table)
#: catalogue_...: the Catalogue sheet's columns; maximum_...: an input's numeric maximum on the Constants block;
#: ranges_...: the generated figures of the Ranges sheet (the key output's P10, P90, share of draws above zero)
RESERVED_PREFIXES = ("catalogue_", "maximum_", "ranges_")

# Functions of Excel 365 and LibreOffice that openpyxl's list (Excel 2010) lacks
_NEWER_FUNCTIONS = (
    "WEBSERVICE", "FILTERXML", "ENCODEURL", "LET", "LAMBDA", "XLOOKUP", "XMATCH", "FILTER", "SORT", "SORTBY",
    "UNIQUE", "SEQUENCE", "RANDARRAY", "TEXTJOIN", "CONCAT", "IFS", "SWITCH", "MAXIFS", "MINIFS", "IFNA",
    "TEXTSPLIT", "TEXTBEFORE", "TEXTAFTER", "VSTACK", "HSTACK", "TAKE", "DROP", "CHOOSECOLS", "CHOOSEROWS",
    "TOCOL", "TOROW", "WRAPROWS", "WRAPCOLS", "EXPAND", "MAP", "REDUCE", "SCAN", "MAKEARRAY", "BYROW", "BYCOL",
    "ISOMITTED", "IMAGE", "DAYS", "ISOWEEKNUM", "SHEET", "SHEETS", "FORMULATEXT", "ISFORMULA", "ARABIC",
    "BASE", "DECIMAL", "XOR", "RRI", "PDURATION", "NUMBERVALUE", "UNICHAR", "UNICODE", "CALL", "REGISTER",
    "DDE", "EXEC", "RTD", "CUBEVALUE", "STOCKHISTORY", "PY", "REGEXTEST", "REGEXEXTRACT", "REGEXREPLACE",
    "GROUPBY", "PIVOTBY", "PERCENTOF", "TRIMRANGE", "HYPERLINK", "INDIRECT", "OFFSET",
)


@functools.cache
def spreadsheet_functions() -> frozenset[str]:
    """Every spreadsheet function name a defined name must not be: openpyxl's list and the newer ones, read on
    first use (openpyxl loads in 60 ms; listing templates needs none of it)."""
    try:
        from openpyxl.utils import FORMULAE
    except ImportError:  # openpyxl is a dependency; the list below still holds the dangerous ones
        FORMULAE = frozenset()
    return frozenset(f.upper() for f in FORMULAE) | frozenset(_NEWER_FUNCTIONS)


def __getattr__(name: str):
    if name == "SPREADSHEET_FUNCTIONS":
        return spreadsheet_functions()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_A1 = re.compile(r"([A-Za-z]{1,3})([0-9]+)")
_R1C1 = re.compile(r"(?:R[0-9]*)?(?:C[0-9]*)?", re.IGNORECASE)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def reading(name: str) -> str | None:
    """What a spreadsheet would read ``name`` as instead of a defined name, or None where it is a name."""
    if name.upper() in ("TRUE", "FALSE"):
        return "a spreadsheet reads it as the boolean " + name.upper()
    a1 = _A1.fullmatch(name)
    if a1:
        col, row = _column_number(a1[1]), int(a1[2])
        where = "within" if col <= GRID_COLUMNS and 1 <= row <= GRID_ROWS else "beyond"
        return f"it is a cell reference in A1 style ({where} the grid's edge, XFD{GRID_ROWS})"
    if name and _R1C1.fullmatch(name):
        return "it is a cell reference in R1C1 style"
    if name.upper() in spreadsheet_functions():
        return "it is the name of a spreadsheet function"
    return None


def check_name(name: object, what: str, path: str, function_ok: bool = False) -> str:
    """``name`` if it is a safe workbook name, else TemplateError naming ``what`` and the rule broken.

    ``function_ok`` lets a name that never becomes a defined name (the axis) share a
    function's name (``month``).
    """
    if not isinstance(name, str):
        raise TemplateError(f"{path}: {what} name must be text, got {name!r:.60}")
    if not _IDENTIFIER.fullmatch(name):
        raise TemplateError(f"{path}: {what} name must be an identifier (a letter or _, then letters, digits or _; "
                            f"no spaces or symbols), got {name!r:.80}")
    if len(name) > NAME_LIMIT:
        raise TemplateError(f"{path}: {what} name must be at most {NAME_LIMIT} characters (Excel's limit), got "
                            f"{len(name)}")
    if keyword.iskeyword(name) or name in ("None", "True", "False"):
        raise TemplateError(f"{path}: {what} name {name!r} is a reserved word of the formula language; rename it")
    why = reading(name)
    if why and not (function_ok and why.endswith("spreadsheet function")):
        raise TemplateError(f"{path}: {what} name {name!r} cannot be a workbook name: {why}; rename it "
                            f"(e.g. {name.lower()}_value)")
    lowered = name.lower()
    if lowered in RESERVED_NAMES or lowered.startswith(RESERVED_PREFIXES):
        raise TemplateError(f"{path}: {what} name {name!r} is reserved: costlib's workbooks define it; rename it")
    return name


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def check_sheet_names(names: list[object], path: str) -> None:
    """Excel's rules for sheet names: 1 to 31 characters, none of ``[]:*?/\\``, no ``'`` at either end,
    not "History", distinct without regard to case, and none of the sheets costlib adds itself."""
    seen: dict[str, str] = {}
    reserved = {r.lower(): r for r in RESERVED_SHEETS}
    for name in names:
        where = f"{path}: sheet name"
        if not isinstance(name, str) or not name.strip():
            raise TemplateError(f"{where} must be text of 1 to {SHEET_NAME_LIMIT} characters, got {name!r:.60}")
        if len(name) > SHEET_NAME_LIMIT:
            raise TemplateError(f"{where} must be at most {SHEET_NAME_LIMIT} characters (Excel's limit), got "
                                f"{len(name)} in {name!r:.80}")
        bad = _SHEET_FORBIDDEN.search(name)
        if bad:
            raise TemplateError(f"{where} must not hold any of [ ] : * ? / \\ (Excel's rule), got {name!r} with "
                                f"{bad.group()!r}")
        if re.search(r"[\x00-\x1f\x7f]", name):
            raise TemplateError(f"{where} must not hold a control character, got {name!r}")
        if name.startswith("'") or name.endswith("'"):
            raise TemplateError(f"{where} must not begin or end with an apostrophe (Excel's rule), got {name!r}")
        key = name.lower()
        if key == "history":
            raise TemplateError(f"{where} must not be 'History': Excel reserves it")
        if key in reserved:
            raise TemplateError(f"{where} {name!r} is reserved: costlib adds the sheet {reserved[key]!r} itself")
        if key in seen:
            raise TemplateError(f"{where} {name!r} is used twice ({seen[key]!r}; Excel compares sheet names "
                                f"without regard to case)")
        seen[key] = name


_DEVICES = re.compile(r"(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$|CLOCK\$)", re.IGNORECASE)


def check_file_stem(stem: object, what: str, path: str) -> str:
    """``stem`` if it can name a file on every system (no folder, no ``..``, not absolute, not a device)."""
    if not isinstance(stem, str) or not stem.strip():
        raise TemplateError(f"{path}: {what} must be text, got {stem!r:.60}")
    if len(stem) > 100:
        raise TemplateError(f"{path}: {what} must be at most 100 characters (it names files), got {len(stem)}")
    if re.search(r"[/\\:]", stem) or stem.startswith("~"):
        raise TemplateError(f"{path}: {what} must not hold a folder separator, a drive or ~ (it names the file "
                            f"written, never its folder), got {stem!r}")
    if stem in (".", "..") or ".." in stem:
        raise TemplateError(f"{path}: {what} must not hold '..' (it names a file, never a folder), got {stem!r}")
    bad = re.search(r"[\x00-\x1f\x7f<>\"|?*]", stem)
    if bad:
        raise TemplateError(f"{path}: {what} must not hold {bad.group()!r} (not allowed in file names), got {stem!r}")
    if stem != stem.strip() or stem.endswith("."):
        raise TemplateError(f"{path}: {what} must not begin or end with a space or end with a dot, got {stem!r}")
    if _DEVICES.fullmatch(stem.split(".")[0]):
        raise TemplateError(f"{path}: {what} {stem!r} is a reserved device name on Windows; rename it")
    return stem
