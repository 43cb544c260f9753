"""The one engine that turns any template into a finance workbook (.xlsx).

Conventions (FAST Standard, ICAEW Financial Modelling Code): inputs only on the Inputs
sheet, styled as inputs (blue font on a light fill) with unit, rule, source and data
validation; every input and output a defined name; one formula across each timeline row;
native classic formulas only (the portable dialect of tests/test_portable_dialect.py);
capex and opex on separate sheets; a Checks sheet whose master check, ``checks_ok``, stands
at the top of the first sheet, beside the decision in words.

Every formula is written with its result (XlsxWriter's cached value), computed by the
library through the same definitions (:mod:`costlib.plan`), so a previewer, Protected
View, pandas or Power Query shows the numbers before any engine recalculates; the tests
prove the cached values equal what LibreOffice and Gnumeric compute. Every sheet prints
landscape, one page wide, with its labels and headers repeated and a footer.

The file is reproducible: the same template and inputs give the same bytes
(:mod:`costlib.workbook.files`).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import numpy as np
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell

from .. import __version__
from ..accounting import from_serial
from ..catalogue import PRECISIONS, load as load_catalogue
from ..errors import InputError
from ..formulas import none_text, parse, render
from ..plan.tables import RECONCILES, schedule as compute, summable
from ..timeline import as_text
from .files import (FINGERPRINT_NAME, FIXED_TIME, PLACEHOLDER, FileExistsCostlibError, is_unedited,  # noqa: F401
                    reproducible, write_workbook)
from ..plan import ResolvedInputs, resolve_inputs
from ..uncertainty import close_call, close_call_places, simulate, tornado
from .ooxml import insert_missing
from .xlsx import new_workbook
from ..constants import CONSTANTS
from ..plan.template import CALENDAR_ROWS, SCENARIO, SCENARIO_WORDS, VERIFY_SHEET, Template, TemplateError

__all__ = ["build_workbook", "workbook_bytes", "comparison_bytes", "write_workbook", "FileExistsCostlibError",
           "is_unedited", "FORMATS"]

_DASH = '"–"'  # zero shown as a dash, as finance reports show it
FORMATS = {
    "usd": f'"$"#,##0;-"$"#,##0;{_DASH}',
    "usd_cents": f'"$"#,##0.00;-"$"#,##0.00;{_DASH}',
    "usd_small": f'"$"#,##0.0000;-"$"#,##0.0000;{_DASH}',  # per-query costs: $0.0135, not $0.01
    "pct": f"0.0%;-0.0%;{_DASH}",
    "millions": f'#,##0.0,," M";-#,##0.0,," M";{_DASH}',
    "billions": f'#,##0.0,,," B";-#,##0.0,,," B";{_DASH}',
    "trillions": f'#,##0.00,,,," T";-#,##0.00,,,," T";{_DASH}',
    "mtok": f'#,##0" M";-#,##0" M";{_DASH}',  # a volume already in millions of tokens
    "usd_thousands": f"#,##0,;-#,##0,;{_DASH}",  # a timeline's money: the label says [USD thousands]
    "millions_whole": f"#,##0,,;-#,##0,,;{_DASH}",  # a timeline's tokens: the label says [M tokens]
    "count": f"#,##0;-#,##0;{_DASH}",
    "integer": "0",
    "number": f"#,##0.00;-#,##0.00;{_DASH}",
    "ratio": '0.00"x"',
    "sci": "0.00E+00",
    "text": "@",
    "month": "mmm-yy",  # a timeline column's month-end date: Jan-27
    "fiscal_year": '"FY"0',
    "quarter": '"Q"0',
    "date": "yyyy-mm-dd",
}
#: An input shows its value the way it is typed, in the unit of the command line and the
#: library: no display scaling (a cell showing "70.0 B" that must be typed 70000000000
#: invites a typo), no dash for zero.
INPUT_FORMATS = {**FORMATS, "millions": "#,##0", "billions": "#,##0", "trillions": "#,##0", "count": "#,##0",
                 "usd": '"$"#,##0', "usd_cents": '"$"#,##0.00', "usd_small": '"$"#,##0.0000', "pct": "0.0%",
                 "number": "#,##0.00", "mtok": "#,##0", "date": "yyyy-mm-dd"}
#: A money format's symbol by currency; other ISO codes are written as the code and a space
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

FIRST_COL = 3  # timeline columns start at C: A the label with its unit, B the total (1-based, as Excel counts)
#: A timeline sheet's frozen columns and its months: twelve months visible at 1366 px
LABEL_WIDTH, TOTAL_WIDTH, MONTH_WIDTH = 36, 12, 9
DEFAULT_WIDTH = 8.43  # a column's width where none is set (Excel's default, in character units)
#: Money on a timeline in thousands, so a month column stays narrow; totals and items in full
TIMELINE_FORMATS = {"usd": "usd_thousands", "millions": "millions_whole"}
MONTHS_PER_PAGE = 12  # a printed timeline: twelve months a landscape page, the labels repeated on each
BLUE, LIGHT_FILL, HEADER_FILL = "#0000FF", "#FFF2CC", "#1F4E78"
SECTION_FILLS = {"capex": "#DDEBF7", "opex": "#E2EFDA"}
FOOTER = "&L&F&C&A&RPage &P of &N"
REPORT_SHEETS_GRIDLINES = 2  # hide gridlines on screen and in print
CHECKS_FAIL = "A check fails: see the Checks sheet before reading any figure"
BOOLEAN = '"TRUE";"TRUE";"FALSE"'  # LibreOffice shows a formula's TRUE as 1 without it; Excel ignores it


class _Layout:
    """Where every name lives: item cells, timeline rows, the axis row of each sheet (1-based rows)."""

    def __init__(self, months: int, axis: str):
        self.months = months
        self.axis_name = axis
        self.first_col = xl_col_to_name(FIRST_COL - 1)
        self.last_col = xl_col_to_name(FIRST_COL + months - 2)
        self.rows: dict[str, tuple[str, int]] = {}
        self.items: dict[str, tuple[str, int]] = {}
        self.axis: dict[str, int] = {}    # the row of the axis (month numbers) on each timeline sheet
        self.header: dict[str, int] = {}  # the header line of each timeline sheet (dates, with a calendar)
        self.home: str | None = None      # the sheet whose calendar rows the others refer to
        self.headlines: list[tuple[str, int]] = []
        self.checks_row: int | None = None
        self.charts_at: dict[str, int] = {}     # a sheet whose charts are placed above its timeline: their first row
        self.printed_to: dict[str, int] = {}    # a sheet printed only to this row (the first sheet: its summary)
        self.verdict_row: int | None = None  # the first sheet's line: too close to call, or clear
        self.scenario_row: int | None = None  # the first sheet's line naming the active scenario
        self.range_row: int | None = None     # the first sheet's line of the key output's P10/P50/P90

    def ref(self, sheet: str, cell: str, here: str) -> str:
        return cell if sheet == here else f"{quote_sheetname(sheet)}!{cell}"

    def formula(self, expr, here: str, col: str | None = None) -> str:
        """``expr`` as native Excel text for a cell of sheet ``here`` in column ``col``."""
        return "=" + _strip_outside_quotes(render(expr, _Context(self, here, col)))

    def row_formulas(self, expr, here: str) -> list[str]:
        """The formula of a timeline row in each of its columns: rendered once, column filled in."""
        text = self.formula(expr, here, _COL)
        return [text.replace(_COL, xl_col_to_name(FIRST_COL - 1 + i)) for i in range(self.months)]


def _strip_outside_quotes(formula: str) -> str:
    """Excel's own files hold formulas without spaces; text in quotes keeps its spaces."""
    parts = formula.split('"')
    return '"'.join(p.replace(" ", "") if i % 2 == 0 else p for i, p in enumerate(parts))


_COL = "\x00"  # stands for the column letter while a row's formula is rendered once


class _Context:
    """A :class:`costlib.formulas.Context`: names as seen from one cell."""

    def __init__(self, layout: _Layout, here: str, col: str | None):
        self.layout, self.here, self.col = layout, here, col

    def _where(self, name: str) -> tuple[str, int]:
        if name == self.layout.axis_name:
            sheet = self.here if self.here in self.layout.axis else next(iter(self.layout.axis))
            return sheet, self.layout.axis[sheet]
        return self.layout.rows[name]

    @staticmethod
    def constant(name: str) -> str:
        """A named constant of costlib.constants: its defined name on the Constants block."""
        return name

    def value(self, name: str) -> str:
        if name != self.layout.axis_name and name not in self.layout.rows:
            return name  # an input, an item or a named constant: its defined name
        sheet, r = self._where(name)
        if self.col is None:
            raise TemplateError(f"{name} is a timeline row; a single cell takes total({name}) or last({name})")
        return self.layout.ref(sheet, f"{self.col}${r}", self.here)

    def range(self, name: str) -> str:
        sheet, r = self._where(name)
        return self.layout.ref(sheet, f"${self.layout.first_col}${r}:${self.layout.last_col}${r}", self.here)

    def end(self, name: str, which: str) -> str:
        sheet, r = self._where(name)
        col = self.layout.first_col if which == "first" else self.layout.last_col
        return self.layout.ref(sheet, f"${col}${r}", self.here)

    def to_date(self, name: str) -> str:
        sheet, r = self._where(name)
        if self.col is None:
            raise TemplateError(f"a running total of {name} needs a column")
        return self.layout.ref(sheet, f"${self.layout.first_col}${r}:{self.col}${r}", self.here)


class Styles:
    """The workbook's named formats, made once each."""

    def __init__(self, wb, currency: str = "USD"):
        self.wb = wb
        self.currency = currency
        self._made: dict[tuple, Any] = {}
        symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
        # a number format with this currency's symbol in place of "$"
        self.money = (lambda f: f) if currency == "USD" else (lambda f: f.replace('"$"', f'"{symbol}"'))

    def unit(self, unit: str) -> str:
        """A unit as the workbook's currency writes it: USD/GPU-h is EUR/GPU-h in a euro plan."""
        return unit if self.currency == "USD" else unit.replace("USD", self.currency)

    def get(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._made:
            self._made[key] = self.wb.add_format({"font_name": "Calibri", "font_size": 11, **props})
        return self._made[key]

    def number(self, name: str, **extra):
        return self.get(num_format=self.money(FORMATS[name]), **extra)

    def input(self, name: str):
        return self.get(num_format=self.money(INPUT_FORMATS[name]), font_color=BLUE, bg_color=LIGHT_FILL, border=1,
                        border_color="#BFBFBF")

    @property
    def title(self):
        return self.get(bold=True, font_size=14)

    @property
    def note(self):
        return self.get(italic=True, font_color="#595959")

    @property
    def header(self):
        return self.get(bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL)

    @property
    def group(self):
        return self.get(bold=True, italic=True)

    @property
    def name(self):
        return self.get(font_color="#808080")

    @property
    def headline(self):
        return self.get(bold=True, font_size=12, text_wrap=True, valign="top")


# ---------------------------------------------------------------------------- layout

def _plan_layout(t: Template, months: int) -> _Layout:
    layout = _Layout(months, t.axis)
    layout.expr = {name: row.expr for name, (_, row) in t.rows.items()}
    for i, sheet in enumerate(_ordered(t)):
        r = 4
        if i == 0:  # the decision in words, then the master check, first
            for item in sheet.items:
                if item.name in _headline_names(t):
                    layout.headlines.append((item.name, r))
                    layout.items[item.name] = (sheet.name, r)
                    r += 1
            if t.close_call is not None and any(inp.range is not None for inp in t.inputs):
                layout.verdict_row = r  # the close call, under the decision
                r += 1
            layout.checks_row = r
            if any(inp.range is not None for inp in t.inputs):  # the scenario named, then the ranges' line
                layout.scenario_row, layout.range_row = r + 1, r + 2
                r += 2
            r += 2
        body = [item for item in sheet.items if item.name not in layout.items]
        if body:
            for item in body:
                r += 1
                layout.items[item.name] = (sheet.name, r)
            r += 2
        charts = sum(1 for c in t.charts if c["sheet"] == sheet.name)
        if i == 0 and charts and sheet.rows:
            # the first sheet prints as the pack's summary: the decision and key figures, then its charts, on
            # two pages; its timeline rows (the workings of the figures) follow below the printed area
            layout.charts_at[sheet.name] = r + 1
            r += CHART_ROWS * -(-charts // 2) + 2  # two charts a row
            layout.printed_to[sheet.name] = r - 2
        if sheet.rows:
            layout.header[sheet.name] = r
            if t.calendar is not None:  # dates on the header line; fiscal year, quarter and month beneath
                if layout.home is None:
                    layout.home = sheet.name
                    for k, name in enumerate(CALENDAR_ROWS):
                        layout.rows[name] = (sheet.name, r + k)
                r += CALENDAR_LINES
            layout.axis[sheet.name] = r
            for row in sheet.rows:
                if row.section == "calendar":
                    continue
                r += 1
                layout.rows[row.name] = (sheet.name, r)
    return layout


CALENDAR_LINES = 3  # below the header line of dates: fiscal year, fiscal quarter, then the month numbers
CHART_ROWS = 18  # rows a chart takes (320 px at 15 pt a row, and a spare row)
CHART_WIDTH = 900  # px: a chart across a sheet's first columns; two side by side on the first sheet
#: Paper by currency: a US dollar pack on US Letter, any other on A4 (XlsxWriter's paper codes)
PAPER = {"USD": 1}
A4 = 9
CHARS_PER_WIDTH = 1.0  # characters of Calibri 11 a column-width unit holds, rounded down: a wrapped label never cut
HEADLINE_CHARS_PER_WIDTH = 0.8  # the same for the bold 12 pt headline


def _ordered(t: Template) -> list:
    return t.ordered_sheets


def _headline_names(t: Template) -> list[str]:
    return [name for name in t.headline if name in t.items]


def section_header(ws, styles, r: int, labels: list[str]) -> None:
    for c, label in enumerate(labels):
        ws.write_string(r - 1, c, label, styles.header)


def sheet_title(ws, styles, title: str, description: str, span: tuple[int, float] | None = None) -> None:
    """The sheet's title and description; with ``span`` (last column, width in character units) the description
    wraps across those columns in a row tall enough to print it whole."""
    ws.write_string(0, 0, title, styles.title)
    if description and span is not None:
        style = styles.get(italic=True, font_color="#595959", text_wrap=True, valign="top")
        ws.merge_range(1, 0, 1, span[0], description, style)
        ws.set_row(1, _height(description, span[1]))
    elif description:
        ws.write_string(1, 0, description, styles.note)


def _height(text: str, width: float, per_line: float = 15.0, chars_per_width: float = CHARS_PER_WIDTH,
            spare: int = 0) -> float:
    """Points a wrapped ``text`` needs in cells ``width`` character units wide: every line whole, never cut."""
    lines = max(1, -(-len(text) // max(1, int(width * chars_per_width)))) + spare
    return per_line * lines


def _value(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, str):
        return v
    return float(v)


def print_setup(ws, last_col: int, last_row: int, repeat_row: int | None, gridlines: bool = False,
                 months: int = 0, pages_tall: int = 0) -> None:
    """Landscape, a footer; a sheet one page wide with its header row repeated, or a timeline
    twelve months a page with its label and total columns repeated (Gnumeric reads one of the
    two in a file's print titles, not both)."""
    ws.set_landscape()  # the paper follows the currency: set for every sheet once the workbook is laid out
    ws.print_area(0, 0, max(last_row - 1, 0), max(last_col - 1, 0))
    if months:
        ws.fit_to_pages(-(-months // MONTHS_PER_PAGE), 0)
        ws.repeat_columns(0, FIRST_COL - 2)
    else:
        ws.fit_to_pages(1, pages_tall)  # one page wide, as many tall as it takes (or at most pages_tall)
        if repeat_row is not None:
            ws.repeat_rows(repeat_row - 1)
    ws.set_footer(FOOTER)
    if not gridlines:
        ws.hide_gridlines(REPORT_SHEETS_GRIDLINES)


# ---------------------------------------------------------------------------- sheets

def _validation_formula(inp, name: str) -> str:
    rule = {
        "positive": f"{name}>0", "non_negative": f"{name}>=0", "fraction": f"AND({name}>0,{name}<=1)",
        "share": f"AND({name}>=0,{name}<=1)", "share_below_one": f"AND({name}>=0,{name}<1)",
        "at_least_one": f"{name}>=1", "finite": "TRUE",
    }
    if inp.type == "gpu":
        return f"COUNTIF(catalogue_name,{name})=1"
    if inp.type == "choice":
        return "OR(" + ",".join(f'{name}="{c}"' for c in inp.choices) + ")"
    if inp.type == "text":
        return "TRUE"
    if inp.type == "currency":
        return f"LEN({name})=currency_code_length"
    if inp.type == "date":
        return f"AND(ISNUMBER({name}),{name}>=first_date_serial)"  # from 1 March 1900, where serial numbers agree
    parts = [f"ISNUMBER({name})", rule[inp.rule]]
    if inp.type == "integer":
        parts.append(f"{name}=INT({name})")
    if inp.maximum is not None:  # another input's name, or the maximum's named constant (Constants)
        parts.append(f"{name}<={inp.maximum if isinstance(inp.maximum, str) else maximum_name(inp)}")
    return f"AND({','.join(parts)})"


def maximum_name(inp) -> str:
    """The defined name of an input's numeric maximum on the Constants block: maximum_months."""
    return f"maximum_{inp.name}"


#: The Inputs sheet's columns: label, value, unit, rule, source, defined name [character units]
INPUT_WIDTHS = (52, 18, 16, 26, 70, 28)
#: An uncertain input's Low, Base and High cells on the Inputs sheet (0-based columns G, H, I)
RANGE_COLS = (6, 7, 8)


def _write_inputs(wb, styles, t: Template, values: dict[str, Any], defaults: dict[str, Any]) -> list:
    """The Inputs sheet; returns the uncertain inputs' rows as (input, row) for the range check, and each input's
    row (name -> row) for the Ranges sheet's stamp."""
    ws = wb.add_worksheet("Inputs")
    ranges = getattr(values, "ranges", {})
    sheet_title(ws, styles, f"Inputs: {t.title}", "Blue cells on a light fill are the only inputs; every other cell is "
                                             "calculated. Each input is a defined name used by the formulas."
           + (" An uncertain input takes its Base column, or in the downside scenario the end its source names as "
              "the downside (Low or High), in the upside the other end, as the scenario at the top says."
              if ranges else ""))
    section_header(ws, styles, 4, ["Input", "Value", "Unit", "Rule", "Source or comment", "Defined name"]
                    + (["Low", "Base", "High"] if ranges else []))
    r, group, ranged = 5, None, []
    rows = {}
    for inp in t.inputs:
        if inp.group != group:
            group = inp.group
            ws.write_string(r - 1, 0, group, styles.group)
            r += 1
        ws.write_string(r - 1, 0, inp.label)
        value = values[inp.name]
        if inp.name in ranges:  # the scenario's value, by formula; the three ends are the inputs
            g, h, i = (xl_rowcol_to_cell(r - 1, c) for c in RANGE_COLS)
            down, up = (g, i) if inp.downside == "low" else (i, g)  # the template's downside end, never a mix
            ws.write_formula(r - 1, 1, f'=IF(scenario="downside",{down},IF(scenario="upside",{up},{h}))',
                             styles.get(num_format=styles.money(INPUT_FORMATS[inp.format])), value)
            for c, end in zip(RANGE_COLS, ranges[inp.name]):
                ws.write_number(r - 1, c, end, styles.input(inp.format))
            ranged.append((inp, r))
        elif isinstance(value, str):
            ws.write_string(r - 1, 1, value, styles.input("text"))  # text stays text, even "=..."
        elif inp.type == "date":
            ws.write_number(r - 1, 1, value, styles.input("date"))
        else:
            ws.write_number(r - 1, 1, value, styles.input(inp.format))
        ws.write_string(r - 1, 2, styles.unit(inp.unit))
        priced = getattr(values, "sources", {}).get(inp.name)  # a named API model's price, with its source
        source = (priced or inp.source) + (" (structural: regenerate the workbook to change it)"
                                           if inp.structural else "")
        if inp.name in ranges:
            source += f". Downside at its {inp.downside}: {inp.downside_reason}"
        set_here = not priced and (ranges[inp.name] != defaults.ranges[inp.name] if inp.name in ranges
                                   else values[inp.name] != defaults[inp.name])
        if set_here:  # said in the cell: Gnumeric cannot read cell notes
            shown = defaults[inp.name] if isinstance(defaults[inp.name], str) else (
                from_serial(defaults[inp.name]) if inp.type == "date" else f"{defaults[inp.name]:g}")
            if inp.name in ranges:
                shown = " / ".join(f"{v:g}" for v in defaults.ranges[inp.name]) + " (low / base / high)"
            source = f"Set for this plan; the default {shown} has the source: {source}"
        ws.write_string(r - 1, 4, source, styles.get(text_wrap=True, valign="top"))  # a range's reason, whole
        if len(inp.label) > INPUT_WIDTHS[0] * CHARS_PER_WIDTH:
            ws.write_string(r - 1, 0, inp.label, styles.get(text_wrap=True, valign="top"))
        ws.set_row(r - 1, max(_height(source, INPUT_WIDTHS[4]), _height(inp.label, INPUT_WIDTHS[0]),
                              _height(inp.describe_rule(), INPUT_WIDTHS[3])))
        ws.write_string(r - 1, 3, inp.describe_rule(), styles.get(text_wrap=True, valign="top"))
        ws.write_string(r - 1, 5, inp.name, styles.name)
        wb.define_name(inp.name, f"=Inputs!$B${r}")
        rows[inp.name] = r
        cells = [RANGE_COLS[k] for k in range(3)] if inp.name in ranges else [1]
        for c in cells:
            cell = xl_rowcol_to_cell(r - 1, c)
            if inp.type == "gpu":
                options = {"validate": "list", "source": "=catalogue_name"}
            elif inp.type == "choice":
                options = {"validate": "list", "source": list(inp.choices)}
            elif inp.type == "text":
                options = None
            else:
                options = {"validate": "custom", "value": "=" + _validation_formula(inp, cell)}
            if options is not None:
                options.update(error_title=f"Invalid {inp.name}"[:32],
                               error_message=f"{inp.name} must be {inp.describe_rule()}"[:255], ignore_blank=False)
                ws.data_validation(r - 1, c, r - 1, c, options)
        r += 1
    r = _write_constants(wb, ws, styles, t, r + 1)
    for col, width in enumerate(INPUT_WIDTHS + ((14, 14, 14) if ranges else ())):
        ws.set_column(col, col, width)
    ws.freeze_panes(4, 0)
    print_setup(ws, 9 if ranges else 6, r - 1, 4, gridlines=True)
    return ranged, rows


def _write_constants(wb, ws, styles, t: Template, r: int) -> int:
    """The Constants block under the inputs: every fixed number the formulas read by name, with its unit and
    source (costlib.constants), and each input's numeric maximum. Not inputs: grey, not blue. Returns the next row."""
    ws.write_string(r - 1, 0, "Constants (not inputs: fixed by definition or convention; each formula reads them "
                              "by their defined name, never as a bare number)", styles.group)
    r += 1
    section_header(ws, styles, r, ["Constant", "Value", "Unit", "Key", "Source: an identity, an assumption or a "
                                    "reference", "Defined name"])
    shade = styles.get(bg_color="#EDEDED", num_format="General")
    entries = [(c.name, c.name.replace("_", " ").capitalize(), c.value, c.unit, c.source) for c in CONSTANTS.values()]
    entries += [(maximum_name(i), f"Maximum of {i.label[0].lower()}{i.label[1:]}", float(i.maximum), i.unit,
                 f"Assumption: the template's maximum for {i.name}") for i in t.inputs
                if i.maximum is not None and not isinstance(i.maximum, str)]
    for name, label, value, unit, source in entries:
        keys = list(value.items()) if isinstance(value, dict) else [(None, value)]
        first = r + 1
        for key, v in keys:
            r += 1
            ws.write_string(r - 1, 0, label)
            ws.write_number(r - 1, 1, float(v), shade)
            ws.write_string(r - 1, 2, unit)
            if key is not None:
                ws.write_string(r - 1, 3, key)
            ws.write_string(r - 1, 4, source, styles.get(text_wrap=True, valign="top"))
            ws.write_string(r - 1, 5, name, styles.name)
            ws.set_row(r - 1, max(_height(source, INPUT_WIDTHS[4]), _height(label, INPUT_WIDTHS[0])))
            if len(label) > INPUT_WIDTHS[0] * CHARS_PER_WIDTH:
                ws.write_string(r - 1, 0, label, styles.get(text_wrap=True, valign="top"))
        if isinstance(value, dict):
            wb.define_name(name, f"=Inputs!$B${first}:$B${r}")
            wb.define_name(f"{name}_key", f"=Inputs!$D${first}:$D${r}")
        else:
            wb.define_name(name, f"=Inputs!$B${r}")
    return r + 1


def _range_check(ranged: list) -> tuple[str, str, bool, str] | None:
    """The generated check that each uncertain input runs low <= base <= high, each end within its rule."""
    if not ranged:
        return None
    parts = []
    for inp, r in ranged:
        g, h, i = (f"Inputs!{xl_rowcol_to_cell(r - 1, c, row_abs=True, col_abs=True)}" for c in RANGE_COLS)
        parts += [f"{g}<={h}", f"{h}<={i}"] + [_validation_formula(inp, c) for c in (g, h, i)]
    return (RANGE_CHECK, f"AND({','.join(parts)})", True,
            "an uncertain input's Low, Base and High do not run low <= base <= high within its rule (Inputs)")


RANGE_CHECK = "Each uncertain input runs low <= base <= high, each within its rule"


def _write_sheet(wb, styles, sheet, layout: _Layout, axis_values: list, schedule, first: bool,
                 charts: tuple = (), ranges=None) -> None:
    ws = wb.get_worksheet_by_name(sheet.name)
    body = [item for item in sheet.items if item.name not in dict(layout.headlines)]
    labels = [len(_labelled(i.label, styles.unit(i.unit))) for i in body] + [len(_labelled(r.label, r.unit)) + 8 for r in sheet.rows]
    fitted = min(max(labels + [30]) + 2, 70)
    # a long timeline keeps twelve months in view: its labels wrap in a narrower column; the first sheet, printed
    # as the pack's summary, keeps its labels whole
    label_width = LABEL_WIDTH if len(axis_values) >= MONTHS_PER_PAGE and sheet.rows and not first else fitted
    # the width of columns A to H, where the first sheet's sentences are merged
    span = label_width + (TOTAL_WIDTH if sheet.rows else 16) + 6 * (MONTH_WIDTH if sheet.rows else DEFAULT_WIDTH)
    sheet_title(ws, styles, sheet.name, sheet.description, (7, span) if first else None)
    if first:
        for name, r in layout.headlines:
            item = next(i for i in sheet.items if i.name == name)
            ws.merge_range(r - 1, 0, r - 1, 7, "", styles.headline)
            # a sentence is only as good as the checks: where one fails it says so, never an error value
            sentence = layout.formula(item.expr, sheet.name)[1:]
            ok = all(schedule.checks.values())
            cached = _value(schedule.items[name])
            ws.write_formula(r - 1, 0, f'=IF(checks_ok,{sentence},"{CHECKS_FAIL}")', styles.headline,
                             cached if ok else CHECKS_FAIL)
            longest = max(len(str(cached)), len(CHECKS_FAIL))
            ws.set_row(r - 1, _height("x" * longest, span, 16.0, HEADLINE_CHARS_PER_WIDTH, spare=1))
        if layout.verdict_row is not None and ranges is not None:
            # under the decision: too close to call (the probability each way), or clear, from the ranges
            r = layout.verdict_row
            _, words = close_call(layout.template, schedule.items, schedule.inputs, ranges[0])
            ws.merge_range(r - 1, 0, r - 1, 7, "", styles.headline)
            ws.write_formula(r - 1, 0, f'=IF(checks_ok,IF(ranges_current,{_close_call_formula(layout.template)},'
                                       f'"How close the call is: not known, the ranges were drawn for other inputs; '
                                       f'regenerate the workbook"),"")', styles.headline,
                             words if all(schedule.checks.values()) else "")
            ws.set_row(r - 1, _height("x" * max(len(words), 260), span, 16.0, HEADLINE_CHARS_PER_WIDTH, spare=1))
        r = layout.checks_row
        ws.write_string(r - 1, 0, "All checks pass (sheet Checks)", styles.get(bold=True))
        ok = all(schedule.checks.values())
        ws.write_formula(r - 1, 1, "=checks_ok", styles.get(bold=True, num_format=BOOLEAN, align="center"), ok)
        for criteria, colour in (("TRUE", "#C6EFCE"), ("FALSE", "#FFC7CE")):
            ws.conditional_format(r - 1, 1, r - 1, 1, {"type": "cell", "criteria": "==", "value": criteria,
                                                       "format": styles.get(bg_color=colour)})
        if layout.scenario_row is not None:  # the active scenario, named by formula: it follows the dropdown
            r = layout.scenario_row
            words = ",".join(f'IF({SCENARIO}="{k}","{v}"' for k, v in SCENARIO_WORDS.items() if k != "base")
            text = f'="Scenario: "&{words},"{SCENARIO_WORDS["base"]}"))'
            active = schedule.inputs.get(SCENARIO, "base")
            ws.merge_range(r - 1, 0, r - 1, 7, "", styles.get(bold=True, text_wrap=True, valign="top"))
            ws.write_formula(r - 1, 0, text, styles.get(bold=True, text_wrap=True, valign="top"),
                             f"Scenario: {SCENARIO_WORDS[active]}")
            longest = max(len(v) for v in SCENARIO_WORDS.values()) + len("Scenario: ")
            ws.set_row(r - 1, _height("x" * longest, span, 15.0, HEADLINE_CHARS_PER_WIDTH))
        if ranges is not None:  # across the first columns, as the sentence above it, so it prints whole
            r = layout.range_row
            line = _range_line(layout.template, styles, ranges[0])
            style = styles.get(italic=True, font_color="#595959", text_wrap=True, valign="top")
            ws.merge_range(r - 1, 0, r - 1, 7, "", style)
            # generated values: where an input has changed since, the line says so instead
            ws.write_formula(r - 1, 0, f'=IF(ranges_current,ranges_line,"Warning: {STALE_RANGES}.")', style, line)
            ws.set_row(r - 1, _height("x" * max(len(line), len(STALE_RANGES) + 10), span, spare=1))
    last_row = max([layout.range_row or layout.scenario_row or layout.checks_row or 0] + [layout.items[i.name][1] for i in sheet.items])
    if body:
        hdr = layout.items[body[0].name][1] - 1
        section_header(ws, styles, hdr, ["Item [unit]", "Value"])
        for item in body:
            _, r = layout.items[item.name]
            _label(ws, styles, r, _labelled(item.label, styles.unit(item.unit)), label_width)
            value = _value(schedule.items[item.name])
            fmt = styles.number(item.format, align="left") if isinstance(value, str) else styles.number(item.format)
            ws.write_formula(r - 1, 1, layout.formula(item.expr, sheet.name), fmt, value)
    repeat = None
    if sheet.rows:
        hdr = layout.header[sheet.name]
        repeat = layout.axis[sheet.name]
        section_header(ws, styles, hdr, ["Line item [unit]", "Total"])
        if layout.home is not None:
            _write_calendar(ws, styles, sheet.name, layout, schedule)
        else:
            before = xl_col_to_name(FIRST_COL - 2)
            for i, value in enumerate(axis_values):
                if value is None:  # the month axis is one formula across the row
                    ws.write_formula(hdr - 1, FIRST_COL - 1 + i, f"=COLUMN()-COLUMN(${before}${hdr})",
                                     styles.header, i + 1)
                elif isinstance(value, str):  # an input's value (a plan's multiple): by formula, it follows the input
                    ws.write_formula(hdr - 1, FIRST_COL - 1 + i, f"={value}", styles.header,
                                     float(schedule.inputs[value]))
                else:  # explicit axes are labels
                    ws.write_number(hdr - 1, FIRST_COL - 1 + i, value, styles.header)
        for row in sheet.rows:
            if row.section == "calendar":
                continue
            _, rr = layout.rows[row.name]
            values = schedule.rows.loc[row.name].to_numpy(dtype=float)
            fill = SECTION_FILLS.get(row.section)
            shade = {"bg_color": fill} if fill else {}
            timeline_format = TIMELINE_FORMATS.get(row.format, row.format)
            unit = styles.unit({"usd_thousands": "USD thousands", "millions_whole": f"M {row.unit}"}.get(
                timeline_format, row.unit))
            _label(ws, styles, rr, _labelled(row.label, unit), label_width, bold=bool(row.emphasis), **shade)
            if row.total:
                # in the row's unit as its label says it: thousands where the months are in thousands
                ws.write_formula(rr - 1, 1, f"=SUM({row.name})", styles.number(timeline_format, bold=True, **shade),
                                 float(np.nansum(values)))  # SUM passes over the words of an n/a cell
            elif fill:
                ws.write_blank(rr - 1, 1, None, styles.get(**shade))
            cell_style = styles.number(timeline_format,
                                       **({"bold": True, "top": 1, "bottom": 6} if row.emphasis else {}))
            words = none_text(row.expr)  # what a cell says where the row has no value (NaN here)
            for i, text in enumerate(layout.row_formulas(row.expr, sheet.name)):
                cached = words if np.isnan(values[i]) and words else float(values[i])
                ws.write_formula(rr - 1, FIRST_COL - 1 + i, text, cell_style, cached)
            last_row = max(last_row, rr)
        ws.freeze_panes(0 if body or first else layout.axis[sheet.name], FIRST_COL - 1)
        ws.set_column(FIRST_COL - 1, FIRST_COL - 2 + len(axis_values), MONTH_WIDTH)
        ws.set_column(1, 1, TOTAL_WIDTH)
    else:
        ws.set_column(1, 1, 16)
    ws.set_column(0, 0, label_width)
    if sheet.name in layout.printed_to:  # the first sheet: its summary and charts, one page wide, two tall
        print_setup(ws, 8, layout.printed_to[sheet.name], None)
        return
    if sheet.name == VERIFY_SHEET:  # checked, not read: its title and what it does print; its rows stay on screen
        print_setup(ws, 8, 3, None)  # (their results print on Checks, one named line a row)
        return
    last_col = FIRST_COL - 1 + len(axis_values) if sheet.rows else 8
    charted = CHART_ROWS * sum(1 for c in charts if c["sheet"] == sheet.name)
    print_setup(ws, last_col, last_row + charted, repeat, months=len(axis_values) if sheet.rows else 0,
                 pages_tall=2 if first else 0)


def _write_calendar(ws, styles, here: str, layout: _Layout, schedule) -> None:
    """The header block of a timeline sheet: month-end dates, fiscal year, quarter and month number.

    The home sheet holds the formulas (the calendar rows and a month counter that survives
    an inserted column); every other timeline sheet refers to them.
    """
    home, hdr = layout.home, layout.header[here]
    lines = [(name, label, fmt) for name, (label, _, fmt, _) in CALENDAR_ROWS.items()] + [("month", "Month", "integer")]
    for k, (name, label, fmt) in enumerate(lines):
        r = hdr + k
        style = styles.get(bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL, num_format=FORMATS[fmt]) \
            if k == 0 else styles.get(num_format=FORMATS[fmt], italic=True, font_color="#595959")
        if k:
            ws.write_string(r - 1, 0, label, styles.get(italic=True, font_color="#595959"))
        values = (np.arange(1, layout.months + 1, dtype=float) if name == "month"
                  else schedule.rows.loc[name].to_numpy(dtype=float))
        if here == home:
            if name == "month":  # a counter, one formula across from the Total column's blank cell: an
                # inserted column is blank and leaves every month after it where it was
                before = xl_col_to_name(FIRST_COL - 2)
                texts = [f"=MAX(${before}{r}:{xl_col_to_name(FIRST_COL - 2 + i)}{r})+1" for i in range(layout.months)]
            else:
                texts = layout.row_formulas(layout.expr[name], here)
        else:
            texts = [f"={quote_sheetname(home)}!{xl_col_to_name(FIRST_COL - 1 + i)}${layout.header[home] + k}"
                     for i in range(layout.months)]
        for i, text in enumerate(texts):
            ws.write_formula(r - 1, FIRST_COL - 1 + i, text, style, float(values[i]))


def _label(ws, styles, r: int, text: str, width: int, **style) -> None:
    """A row's label in column A; one that does not fit wraps, its row made tall enough to show it."""
    if len(text) > width * CHARS_PER_WIDTH:
        ws.write_string(r - 1, 0, text, styles.get(text_wrap=True, valign="top", **style))
        ws.set_row(r - 1, _height(text, width))
    else:
        ws.write_string(r - 1, 0, text, styles.get(**style) if style else None)


def _labelled(label: str, unit: str) -> str:
    return f"{label} [{unit}]" if unit and unit != "text" else label


def _write_charts(wb, styles, t: Template, layout: _Layout) -> None:
    anchors: dict[str, int] = {}
    placed: dict[str, int] = {}
    for spec in t.charts:
        sheet = spec["sheet"]
        ws = wb.get_worksheet_by_name(sheet)
        start = anchors.get(sheet, layout.charts_at.get(sheet) or max(r for s, r in layout.rows.values() if s == sheet) + 3)
        chart = wb.add_chart({"type": "line"})
        hdr = layout.header[sheet]
        first, last = FIRST_COL - 1, FIRST_COL - 2 + layout.months
        for name in spec["rows"]:
            row_sheet, r = layout.rows[name]
            label = t.rows[name][1].label
            chart.add_series({"name": label, "values": [row_sheet, r - 1, first, r - 1, last],
                              "categories": [sheet, hdr - 1, first, hdr - 1, last], "smooth": False,
                              "marker": {"type": "none"}})
        chart.set_title({"name": spec["title"], "name_font": {"size": 12}})
        fmt = t.rows[spec["rows"][0]][1].format
        y_axis = {"name": styles.unit(spec.get("y_title", "")), "visible": True, "major_gridlines": {"visible": True},
                  "num_format": styles.money(FORMATS[fmt]).split(";")[0]}
        if spec.get("y_log"):
            y_axis["log_base"] = 10
        chart.set_y_axis(y_axis)
        x_axis = {"name": t.axis_label, "visible": True, "label_position": "low"}
        if t.calendar is not None:  # the header line holds month-end dates: the axis shows months, not serials
            x_axis.update(date_axis=True, num_format=FORMATS["month"], major_unit=max(1, -(-layout.months // 6)),
                          major_unit_type="months")  # at most six labels: level, whole, never overprinted
            x_axis["name"] = "Month ending"
        chart.set_x_axis(x_axis)
        chart.set_legend({"position": "bottom"})
        if sheet in layout.charts_at:  # the first sheet's charts, two a row, all on its second printed page
            k = placed.get(sheet, 0)
            placed[sheet] = k + 1
            chart.set_size({"width": CHART_WIDTH // 2 - 5, "height": 320})
            ws.insert_chart(start - 1 + (k // 2) * CHART_ROWS, 0, chart, {"x_offset": (k % 2) * (CHART_WIDTH // 2)})
            if k == 0:
                ws.set_h_pagebreaks([start - 2])
            continue
        chart.set_size({"width": CHART_WIDTH, "height": 320})
        ws.insert_chart(start - 1, 0, chart)
        if sheet not in anchors:  # the charts start a printed page of their own
            ws.set_h_pagebreaks([start - 2])
        anchors[sheet] = start + CHART_ROWS


#: The draws and seed of the outcome ranges a workbook shows (generated when it is written): 10,000
#: draws up to three years of months, fewer on longer timelines (the work grows with draws x months)
RANGE_DRAWS, RANGE_SEED, RANGE_CELLS = 10_000, 0, 360_000


def range_draws(months: int) -> int:
    """Draws of a workbook's outcome ranges on a timeline of ``months``: 10,000 to 36 months, at least 1,000."""
    return max(1_000, min(RANGE_DRAWS, RANGE_CELLS // max(months, 1)))
TORNADO_OUTPUTS = 3  # key outputs in the sensitivity table; the chart draws the first


def outcome_ranges(t: Template, values) -> tuple[Any, Any] | None:
    """(simulation, tornado) of a template's key outputs over its uncertain inputs, or None without any.

    The simulation draws each uncertain input from a PERT distribution over its low, base
    and high (:func:`costlib.simulate`); the tornado moves one input at a time
    (:func:`costlib.uncertainty.tornado`); every other input is held at the plan's value.
    """
    ranges = getattr(values, "ranges", {})
    if not ranges:
        return None

    def read(mapping):  # values read already: one above its plausible range was typed with its unit
        out = ResolvedInputs(mapping, template=t.name)
        out.taken = values.taken
        return out

    fixed = read({k: v for k, v in values.items() if k not in ranges and k != SCENARIO})
    ends = {f"{k}_{end}": r[i] for k, r in ranges.items() for i, end in ((0, "low"), (2, "high"))}
    sim = simulate(t, {k: r for k, r in ranges.items()}, n=range_draws(t.length(values)), seed=RANGE_SEED,
                   outputs=t.key_numbers,
                   fixed=fixed)
    table = tornado(t, read({**fixed, **{k: r[1] for k, r in ranges.items()}, **ends}),
                    outputs=t.key_numbers[:TORNADO_OUTPUTS])
    return sim, table


def _close_call_formula(t: Template) -> str:
    """The Excel twin of :func:`costlib.uncertainty.close_call`: the words before the decision, "" when it is clear."""
    cc = t.close_call
    key, total, share = cc["key"], cc["total"], cc["share"]

    def fixed(value: str, places: int) -> str:  # as_text's FIXED(ROUND(value, 9), places)
        return f"FIXED(ROUND({value},rounding_places),{places})"

    money = "currency&\" \"&" if t.currency_input else ""
    places = close_call_places(t)
    words = (f'"Too close to call: {cc["above"]} {cc["verb"]} in "&{fixed("ranges_key_above_zero*100", 0)}&" % of '
             f'draws, {cc["below"]} in "&{fixed("(1-ranges_key_above_zero)*100", 0)}&" % (P10 "&{money}'
             f'{fixed("ranges_key_p10", places)}&" to P90 "&{money}{fixed("ranges_key_p90", places)}&"; the difference is "&'
             f'{fixed(f"ABS({key})/MAX(ABS({total}),check_tolerance)*100", 1)}&" % of the total). The decision '
             'above is at the base inputs."')
    spread = (f'"P10 "&{money}{fixed("ranges_key_p10", places)}&" to P90 "&{money}{fixed("ranges_key_p90", places)}')
    clear = (f'"Clear: "&IF({key}>0,"{cc["above"]}","{cc["below"]}")&" {cc["verb"]} in "&'
             f'{fixed("IF(" + key + ">0,ranges_key_above_zero,1-ranges_key_above_zero)*100", 0)}&" % of draws ("&'
             f'{spread}&")."')
    return f'IF(OR(AND(ranges_key_p10<0,ranges_key_p90>0),ABS({key})<{share}*ABS({total})),{words},{clear})'


def _generated_note(sim) -> str:
    return (f"Generated by costlib.simulate when the file was written: {sim.n:,} draws, each uncertain input from a "
            f"PERT distribution over its low, base and high (Inputs), seed {sim.seed}. These are values; they do "
            "not recalculate when an input changes (the live result does): below the printed page, the inputs they "
            "were drawn for, and ranges_current, FALSE once any differs (the first sheet then warns).")


def _stamp_cells(t: Template, values, rows: dict[str, int]) -> list[tuple[str, str, Any, str | None]]:
    """What the ranges were drawn for: (what, Inputs cell, value) of every input's value cell, and of an
    uncertain input's Low, Base and High cells (the scenario apart: the draws do not read it)."""
    out = []
    ranges = getattr(values, "ranges", {})
    for inp in t.inputs:
        if inp.name == SCENARIO:
            continue
        r = rows[inp.name]
        if inp.name in ranges:
            for c, end, v in zip(RANGE_COLS, ("low", "base", "high"), ranges[inp.name]):
                out.append((f"{inp.name} ({end})", f"Inputs!${xl_col_to_name(c)}${r}", v, None))
        else:  # a date shown as a date, as engines format a reference to one
            out.append((inp.name, f"Inputs!$B${r}", values[inp.name], "date" if inp.type == "date" else None))
    return out


STALE_RANGES = ("An input differs from the inputs the ranges were drawn for (Ranges): the ranges, the tornado and the "
                "close call describe another plan; regenerate the workbook with costlib")


RANGES_CURRENT = "These figures were drawn for the inputs now on Inputs (ranges_current is TRUE)."


def _write_ranges(wb, styles, t: Template, schedule, sim, table, stamp=()) -> None:
    """The Ranges sheet: P10/P50/P90 of the key outputs beside the live result, and the tornado."""
    ws = wb.add_worksheet("Ranges")
    sheet_title(ws, styles, "Ranges: the outcome as the uncertain inputs move", _generated_note(sim))
    ws.write_formula(2, 0, f'=IF(ranges_current,"{RANGES_CURRENT}","Warning: {STALE_RANGES}.")',
                     styles.get(bold=True), RANGES_CURRENT)
    section_header(ws, styles, 4, ["Output [unit]", "Live (the scenario)", "P10", "P50", "P90",
                                    "Share of draws above zero"])
    r = 5
    key_row = r
    for name in t.key_numbers:
        _, item = t.items[name]
        ws.write_string(r - 1, 0, _labelled(item.label, styles.unit(item.unit)))
        fmt = styles.number(item.format)
        ws.write_formula(r - 1, 1, f"={name}", fmt, _value(schedule.items[name]) if not isinstance(
            schedule.items[name], str) else schedule.items[name])
        for c, p in enumerate(("P10", "P50", "P90"), start=2):
            v = float(sim.percentiles.loc[name, p])
            if np.isfinite(v):
                ws.write_number(r - 1, c, v, fmt)
            else:
                ws.write_string(r - 1, c, "none" if np.isinf(v) else "n/a", styles.get(align="right"))
        ws.write_number(r - 1, 5, float(np.mean(sim.samples[name].to_numpy(dtype=float) > 0)), styles.number("pct"))
        r += 1
    # the key output's generated figures, by name: a close call reads them
    for suffix, col in (("p10", "C"), ("p90", "E"), ("above_zero", "F")):
        wb.define_name(f"ranges_key_{suffix}", f"=Ranges!${col}${key_row}")
    key = t.key_numbers[0]
    _, item = t.items[key]
    base = table.attrs["base"][key]
    r += 1
    ws.write_string(r - 1, 0, f"Sensitivity of {item.label} [{styles.unit(item.unit)}]: each uncertain "
                              f"input alone at its low and its high, the others at base (generated with the file; "
                              f"base {_short(base, item, styles.currency)})", styles.group)
    r += 1
    others = t.key_numbers[1:TORNADO_OUTPUTS]
    heads = ["Input", "Low", "High", "At low", "At high", "Swing", "Change at low", "Change at high"] + [
        f"{t.items[o][1].label}: at {end}" for o in others for end in ("low", "high")]
    wrapped = styles.get(text_wrap=True, bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL, valign="top")
    for c, head in enumerate(heads):  # each cell styled, never the whole row (a spreadsheet would fill 16,384 cells)
        ws.write_string(r - 1, c, head, wrapped)
    ws.set_row(r - 1, max(_height(h, 16) for h in heads[1:]))
    first = r + 1
    fmt = styles.number(item.format)
    for name, row in table.iterrows():
        r += 1
        inp = t.input(name)
        ws.write_string(r - 1, 0, inp.label)
        for c, v in enumerate((row["input", "low"], row["input", "high"]), start=1):
            ws.write_number(r - 1, c, float(v), styles.number(inp.format) if inp.format in FORMATS else None)
        cells = [(v, fmt) for v in (row[key, "at low"], row[key, "at high"], row[key, "swing"],
                                    row[key, "at low"] - base, row[key, "at high"] - base)]
        cells += [(row[o, end], styles.number(t.items[o][1].format)) for o in others for end in ("at low", "at high")]
        for c, (v, style) in enumerate(cells, start=3):
            if np.isfinite(v):
                ws.write_number(r - 1, c, float(v), style)
            else:
                ws.write_string(r - 1, c, "none", styles.get(align="right"))
    last = r
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for c, label in ((6, "at its low"), (7, "at its high")):
        chart.add_series({"name": f"Each input {label}", "categories": ["Ranges", first - 1, 0, last - 1, 0],
                          "values": ["Ranges", first - 1, c, last - 1, c], "overlap": 100, "gap": 40})
    chart.set_title({"name": f"Tornado: change in {item.label} from base", "name_font": {"size": 12}})
    chart.set_x_axis({"name": styles.unit(item.unit), "num_format": _compact(styles.money(FORMATS[item.format])) if item.format == "usd" else
                      styles.money(FORMATS[item.format]).split(";")[0],
                      "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True, "label_position": "low"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": max(240, 24 * len(table) + 120)})
    ws.insert_chart(last + 1, 0, chart)
    ws.set_h_pagebreaks([last])  # the chart prints on a page of its own
    ws.set_column(0, 0, 60)
    ws.set_column(1, 7 + 2 * len(others), 16)
    printed = last + 2 + (24 * len(table) + 120) // 20
    print_setup(ws, 8 + 2 * len(others), printed, 4)
    # below the printed area: the inputs these figures were drawn for, each beside its live cell
    r = printed + 3
    ws.write_string(r - 1, 0, "The inputs these ranges were drawn for: where any differs from its cell on Inputs, "
                              "ranges_current is FALSE and the first sheet warns", styles.group)
    r += 1
    section_header(ws, styles, r, ["Input", "Drawn for", "Now", "Same"])
    first = r + 1
    for what, cell, value, fmt in stamp:
        r += 1
        ws.write_string(r - 1, 0, what)
        style = styles.number(fmt) if fmt else None
        if isinstance(value, str):
            ws.write_string(r - 1, 1, value)
        else:
            ws.write_number(r - 1, 1, float(value), style)
        ws.write_formula(r - 1, 2, f"={cell}", style, value if isinstance(value, str) else float(value))
        ws.write_formula(r - 1, 3, f"=B{r}=C{r}", styles.get(num_format=BOOLEAN), True)
    r += 1
    ws.write_string(r - 1, 0, "Every input is the one the ranges were drawn for", styles.get(bold=True))
    ws.write_string(r, 0, "The first sheet's line on the ranges (shown while they are current):")
    ws.write_string(r, 1, _range_line(t, styles, sim))
    wb.define_name("ranges_line", f"=Ranges!$B${r + 1}")
    ws.write_formula(r - 1, 3, f"=AND(D{first}:D{r - 1})", styles.get(bold=True, num_format=BOOLEAN), True)
    wb.define_name("ranges_current", f"=Ranges!$D${r}")


def _compact(num_format: str) -> str:
    """A money axis's number format in millions (a tornado's bars run to millions)."""
    first = num_format.split(";")[0]
    return first.replace("#,##0", "#,##0.0,,\" M\"", 1) if "#,##0" in first and "0.00" not in first else first


def _short(value: float, item, currency: str) -> str:
    """A value in a sentence, as the first sheet's sentences write it: USD 40.8 M, 11.6 %, 1,234."""

    money = item.format.startswith("usd")
    if not np.isfinite(value):
        return "none"
    if money and abs(value) >= 1e6:
        return as_text(value, 1, 1e-6, " M", f"{currency} ")
    if item.format == "pct":
        return as_text(value, 1, 100, " %")
    places = {"usd_cents": 2, "usd_small": 4}.get(item.format, 0)
    return as_text(value, places, 1, "", f"{currency} " if money else "")


def _range_line(t: Template, styles, sim) -> str:
    """One line for the first sheet: the key output's P10, P50 and P90, said to be generated."""
    key = t.key_numbers[0]
    _, item = t.items[key]
    shown = [f"{p} {_short(float(sim.percentiles.loc[key, p]), item, styles.currency)}" for p in ("P10", "P50", "P90")]
    draws = sim.samples[key].to_numpy(dtype=float)
    above = float(np.mean(draws > 0))
    if key.startswith("npv_saving") or 0 < above < 1:  # a verdict that turns on the sign says how often it holds
        share = ("no draw" if above == 0 else "every draw" if above == 1 else "under 1 % of draws" if above < 0.01
                 else "over 99 % of draws" if above > 0.99 else f"{above * 100:.0f} % of draws")
        shown[-1] += f"; above zero in {share}"
    return (f"Range of {item.label[0].lower() + item.label[1:] if item.label[1:2].islower() else item.label}: "
            f"{', '.join(shown)} (generated with the file by costlib.simulate, "
            f"{sim.n:,} draws, seed {sim.seed}: values, not live; sheet Ranges)")


class _Refs:
    """A :class:`costlib.formulas.Context` over given cell texts: the fiscal sheets' formulas."""

    def __init__(self, cells: dict[str, str]):
        self.cells = cells

    def value(self, name: str) -> str:
        return self.cells.get(name, name) if name in CONSTANTS else self.cells[name]

    @staticmethod
    def constant(name: str) -> str:
        return name  # the Constants block's defined name

    range = value

    def end(self, name: str, which: str) -> str:
        return self.cells[name]

    to_date = value


_BY_YEAR = "by_period(values, fiscal_year, year)"
_BY_QUARTER = "by_quarter(values, fiscal_year, year, fiscal_quarter, quarter)"
_RECONCILES = "agree(total(here), total(values), check_tolerance)"


def _write_fiscal(wb, styles, t: Template, layout: _Layout, schedule) -> list[str]:
    """The Annual and Quarterly sheets: every summable row by fiscal year and by quarter, by formula.

    Returns the cells that say, row by row, whether the periods add up to the months.
    """

    home, hdr = layout.home, layout.header[layout.home]
    first_year = f"{quote_sheetname(home)}!${layout.first_col}${hdr + 1}"
    first_quarter = f"{quote_sheetname(home)}!${layout.first_col}${hdr + 2}"
    names = summable(t)
    reconcile_cells = []
    by_year, by_quarter, reconciled = parse(_BY_YEAR), parse(_BY_QUARTER), parse(_RECONCILES)  # parsed once
    for title, table, heads in (("Annual", schedule.annual, 1), ("Quarterly", schedule.quarterly, 2)):
        ws = wb.add_worksheet(title)
        what = "fiscal year" if heads == 1 else "fiscal quarter"
        sheet_title(ws, styles, f"{title}: every line item by {what}",
                    f"Each cell sums the monthly row over the months of its {what} (SUMIF{'S' if heads == 2 else ''} "
                    "on the calendar rows); the last column says whether the periods add up to the months.")
        columns = list(table.columns)
        section_header(ws, styles, 4, ["Line item [unit]", "Total", *[""] * len(columns), "Reconciles"])
        if heads == 2:
            ws.write_string(4, 0, "Fiscal quarter", styles.get(italic=True, font_color="#595959"))
        year_style = styles.get(bold=True, font_color="#FFFFFF", bg_color=HEADER_FILL, num_format=FORMATS["fiscal_year"])
        for i, key in enumerate(columns):
            prev = xl_col_to_name(FIRST_COL - 2 + i)
            if heads == 1:
                text = f"={first_year}" if i == 0 else f"={prev}4+1"
                ws.write_formula(3, FIRST_COL - 1 + i, text, year_style, float(key))
            else:
                year, quarter = key
                ws.write_formula(3, FIRST_COL - 1 + i, f"={first_year}" if i == 0 else f"=IF({prev}5=quarters_per_year,{prev}4+1,{prev}4)",
                                 year_style, float(year))
                ws.write_formula(4, FIRST_COL - 1 + i, f"={first_quarter}" if i == 0 else f"=IF({prev}5=quarters_per_year,1,{prev}5+1)",
                                 styles.get(num_format=FORMATS["quarter"], italic=True, font_color="#595959"),
                                 float(quarter))
        last_period = xl_col_to_name(FIRST_COL - 2 + len(columns))
        check_col = FIRST_COL - 1 + len(columns)
        r, sheet = 4 + heads, None
        for name in names:
            row_sheet, row = t.rows[name]
            if row_sheet.name != sheet:
                sheet = row_sheet.name
                r += 1
                ws.write_string(r - 1, 0, sheet, styles.group)
            r += 1
            _label(ws, styles, r, _labelled(row.label, styles.unit(row.unit)), 52, bold=bool(row.emphasis))
            fmt = styles.number(row.format, **({"bold": True} if row.emphasis else {}))
            for i, key in enumerate(columns):
                col = xl_col_to_name(FIRST_COL - 1 + i)
                cells = {"values": name, "fiscal_year": "fiscal_year", "fiscal_quarter": "fiscal_quarter",
                         "year": f"{col}$4", "quarter": f"{col}$5"}
                text = render(by_year if heads == 1 else by_quarter, _Refs(cells))
                ws.write_formula(r - 1, FIRST_COL - 1 + i, "=" + _strip_outside_quotes(text), fmt,
                                 float(table.loc[name, key]))
            here = f"${layout.first_col}{r}:${last_period}{r}"
            ws.write_formula(r - 1, 1, f"=SUM({here})", fmt, float(table.loc[name].sum()))
            text = render(reconciled, _Refs({"here": here, "values": name}))
            ws.write_formula(r - 1, check_col, "=" + _strip_outside_quotes(text), styles.get(num_format=BOOLEAN),
                             bool(schedule.checks.get(RECONCILES, True)))
            reconcile_cells.append(f"{title}!${xl_col_to_name(check_col)}${r}")
        ws.set_column(0, 0, 52)
        ws.set_column(1, check_col - 1, 15)
        ws.set_column(check_col, check_col, 11)
        ws.freeze_panes(4 + heads, FIRST_COL - 1)
        print_setup(ws, check_col + 1, r, 4 + heads)
    return reconcile_cells


def _write_checks(wb, styles, t: Template, layout: _Layout, schedule, generated=(), ranges: bool = False) -> None:
    ws = wb.add_worksheet("Checks")
    sheet_title(ws, styles, "Checks", "Each check is TRUE when the model is consistent; an error anywhere shows FALSE "
                                 "with its reason. The master check, checks_ok, is TRUE only when all are.",
           (2, 70 + 12 + 60))
    section_header(ws, styles, 4, ["Check", "Result", "Why"])
    ws.write_string(4, 0, "Master check: all checks pass", styles.get(bold=True))
    first = 6
    checks = [(c.label, layout.formula(c.expr, "Checks")[1:], schedule.checks[c.label], c.fails) for c in t.checks]
    checks += list(generated)
    rules = ",".join(_validation_formula(i, i.name) for i in t.inputs if i.type != "text")
    checks.append(("Every input obeys its rule, even typed past data validation", f"AND({rules})", True,
                   "an input breaks its rule (see the Rule column of Inputs)"))
    for i, (label, formula, value, fails) in enumerate(checks):
        r = first + i
        ws.write_string(r - 1, 0, label, styles.get(text_wrap=True, valign="top"))
        ws.set_row(r - 1, max(_height(label, 70), _height(fails, 60)))
        guarded = f"=IF(ISERROR({formula}),FALSE,{formula})"
        ws.write_formula(r - 1, 1, guarded, None, bool(value))
        why = (f'=IF(ISERROR({formula}),"an input or a calculation it reads is an error",'
               f'IF({formula},"passes","{fails}"))')
        ws.write_formula(r - 1, 2, why, styles.get(text_wrap=True, valign="top"), "passes" if value else fails)
    last = first + len(checks) - 1
    ws.write_formula(4, 1, f"=AND(B{first}:B{last})", styles.get(bold=True), all(v for _, _, v, _ in checks))
    wb.define_name("checks_ok", "=Checks!$B$5")
    green, red = styles.get(bg_color="#C6EFCE"), styles.get(bg_color="#FFC7CE")
    for criteria, fmt in (("TRUE", green), ("FALSE", red)):
        ws.conditional_format(f"B5:B{last}", {"type": "cell", "criteria": "==", "value": criteria, "format": fmt})
    ws.set_column(0, 0, 70)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 60)
    if ranges:  # generated figures going stale is a warning, not a wrong model: outside the master check
        last += 2
        ws.write_string(last - 1, 0, "Advisory, outside the master check: the Ranges sheet's figures were drawn for "
                                     "the inputs now on Inputs", styles.get(text_wrap=True, valign="top"))
        ws.write_formula(last - 1, 1, "=IF(ISERROR(ranges_current),FALSE,AND(ranges_current))", None, True)
        ws.write_formula(last - 1, 2, f'=IF(ranges_current,"passes","{STALE_RANGES}")',
                         styles.get(text_wrap=True, valign="top"), "passes")
        ws.set_row(last - 1, 45)
    print_setup(ws, 3, last, 4)


def write_catalogue(wb, styles=None) -> None:
    """The Catalogue sheet and its defined names (``catalogue_name``, ``catalogue_peak_tflops``...)."""

    styles = styles or Styles(wb)
    catalogue = load_catalogue("accelerators")
    ws = wb.add_worksheet("Catalogue")
    sheet_title(ws, styles, f"Accelerator catalogue as of {catalogue.as_of}",
                "Dense peak figures (not sparsity), from costlib's dated catalogue; each row has its source.")
    ws.write_string(2, 1, "Dense peak [TFLOP/s] by precision", styles.group)
    peaks = [f"peak_tflops_{p}" for p in PRECISIONS]
    columns = ["name", *peaks, "hbm_gb", "bandwidth_tb_per_s", "board_power_w", "link_gb_per_s", "as_of", "source"]
    section_header(ws, styles, 4, ["name", *PRECISIONS, *columns[1 + len(peaks):]])
    rows = [row for row in catalogue.rows if row.get("peak_tflops_bf16") is not None]
    for r, row in enumerate(rows, start=5):
        for c, column in enumerate(columns):
            value = row.get(column)
            if isinstance(value, str):
                ws.write_string(r - 1, c, value)
            elif value is not None:
                ws.write_number(r - 1, c, value)
    last = 4 + len(rows)
    for c, column in enumerate(columns[:-2]):
        letter = xl_col_to_name(c)
        wb.define_name(f"catalogue_{column}", f"=Catalogue!${letter}$5:${letter}${last}")
    first_peak, last_peak = xl_col_to_name(1), xl_col_to_name(len(peaks))
    wb.define_name("catalogue_peak_tflops", f"=Catalogue!${first_peak}$5:${last_peak}${last}")
    wb.define_name("catalogue_precision", f"=Catalogue!${first_peak}$4:${last_peak}$4")
    ws.set_column(0, 0, 16)
    ws.set_column(1, len(columns) - 2, 12)
    ws.set_column(len(columns) - 1, len(columns) - 1, 90)
    print_setup(ws, len(columns), last, 4)


def inputs_fingerprint(values: dict[str, Any]) -> str:
    """A short fingerprint of the resolved inputs: the same plan, the same 12 characters."""
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _write_about(wb, styles, t: Template, values: dict[str, Any]) -> None:

    ws = wb.add_worksheet("About")
    sheet_title(ws, styles, f"About this workbook: {t.title}", t.description)
    lines = [
        ("Template", t.name),
        ("Model", str(values.get("model_name", t.title))),
        ("Written by", f"costlib {__version__}"),
        ("Accelerator catalogue", load_catalogue("accelerators").as_of),
        ("Inputs fingerprint", inputs_fingerprint(values)),
        ("How to use", "Type only in the blue cells of Inputs; every other cell is a formula that recalculates. "
                       "Inputs marked structural change the workbook's shape: regenerate it with costlib. The "
                       "first sheet gives the answer and whether every check passes."),
        ("Sources", "Each input's source is on Inputs; keys in [brackets] are listed in costlib's "
                    "docs/references.md."),
    ]
    r = 4
    for label, text in lines:
        ws.write_string(r - 1, 0, label, styles.get(bold=True))
        ws.write_string(r - 1, 1, text, styles.get(text_wrap=True, valign="top"))
        ws.set_row(r - 1, _height(text, 100))
        r += 1
    r += 1
    section_header(ws, styles, r, ["Sheet", "What it holds"])
    sheets = [(s.name, s.description) for s in _ordered(t)]
    sheets[1:1] = [("Inputs", "The only cells to type in, each with unit, rule, source and a defined name.")]
    if getattr(values, "ranges", None):
        sheets += [("Ranges", "P10, P50 and P90 of the key outputs over the uncertain inputs (generated values) "
                              "beside the live result, and the tornado: each input alone at its low and high.")]
    if t.calendar is not None:
        sheets += [("Annual", "Every line item totalled by fiscal year, by formula from the months."),
                   ("Quarterly", "Every line item totalled by fiscal quarter, by formula from the months.")]
    sheets += [("Checks", "Each consistency check, its result and why it fails; the master check checks_ok."),
               ("Catalogue", "The accelerator figures the formulas look up, with as-of dates and sources."),
               ("About", "This sheet.")]
    for name, description in sheets:
        r += 1
        ws.write_url(r - 1, 0, f"internal:{quote_sheetname(name)}!A1", string=name)
        if description:
            ws.write_string(r - 1, 1, description)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 100)
    print_setup(ws, 2, r, None)


def build_workbook(t: Template, values: dict[str, Any], schedule=None) -> bytes:
    """The workbook of template ``t`` for resolved input ``values``, as .xlsx bytes (not yet reproducible).

    ``schedule`` (the library's numbers, :func:`costlib.plan.schedule`) fills every
    formula's cached value; it is computed here when not given.
    """

    schedule = schedule if schedule is not None else compute(t, values)
    months = t.length(values)
    axis_values = list(t.axis_values) if t.axis_values else [None] * months
    layout = _plan_layout(t, months)
    layout.template = t
    ranges = outcome_ranges(t, values)
    out = io.BytesIO()
    wb = new_workbook(out)
    wb.calc_on_load = False  # the cached values are the library's: no forced recalculation on open
    styles = Styles(wb, values[t.currency_input] if t.currency_input else "USD")
    ordered = _ordered(t)
    wb.add_worksheet(ordered[0].name)
    defaults = resolve_inputs(t, None, refuse=False)
    ranged, input_rows = _write_inputs(wb, styles, t, values, defaults)
    for s in ordered[1:]:
        wb.add_worksheet(s.name)
    for i, sheet in enumerate(ordered):
        _write_sheet(wb, styles, sheet, layout, axis_values, schedule, first=i == 0, charts=t.charts, ranges=ranges)
    for name, (sheet, r) in layout.items.items():
        wb.define_name(name, f"={quote_sheetname(sheet)}!${'A' if name in dict(layout.headlines) else 'B'}${r}")
    for name, (sheet, r) in layout.rows.items():
        wb.define_name(name, f"={quote_sheetname(sheet)}!${layout.first_col}${r}:${layout.last_col}${r}")
    _write_charts(wb, styles, t, layout)
    if ranges is not None:
        _write_ranges(wb, styles, t, schedule, *ranges, stamp=_stamp_cells(t, values, input_rows))
    generated = [c for c in (_range_check(ranged),) if c is not None]
    if layout.home is not None:
        cells = _write_fiscal(wb, styles, t, layout, schedule)
        generated.append((RECONCILES, f"AND({','.join(cells)})", schedule.checks[RECONCILES],
                          "a fiscal-year or quarter total differs from its months: start_date or "
                          "fiscal_year_start_month moved the timeline across another fiscal year; regenerate the "
                          "workbook"))
    _write_checks(wb, styles, t, layout, schedule, generated, ranges=ranges is not None)
    write_catalogue(wb, styles)
    _write_about(wb, styles, t, values)
    wb.get_worksheet_by_name(ordered[0].name).activate()
    paper = PAPER.get(styles.currency, A4)  # Letter for a US dollar pack, A4 otherwise
    for ws in wb.worksheets():
        ws.set_paper(paper)
    stamp(wb, t.title, t.name)
    wb.close()
    return out.getvalue()


def stamp(wb, title: str, template: str) -> None:
    """Fixed document dates, the template's name and a fingerprint placeholder (see files.reproducible)."""
    wb.set_properties({"title": title, "author": f"costlib {__version__}", "created": FIXED_TIME,
                       "comments": "Generated by costlib; the cached values are costlib's own results."})
    wb.set_custom_property("costlib_template", template)
    wb.set_custom_property(FINGERPRINT_NAME, PLACEHOLDER)


def workbook_bytes(data: bytes) -> bytes:
    """The workbook's bytes made reproducible: fixed dates, fixed zip entry times, a content fingerprint."""
    return reproducible(_visible_axes(data))


def _visible_axes(data: bytes) -> bytes:
    """Each chart axis says <c:delete val="0"/> as Excel's own files do, so no Excel hides it.

    XlsxWriter writes <c:delete> only for a hidden axis (``visible: False``) and has no
    option for a shown one, so it is added here, where an XML parser finds the axes.
    """

    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, body in members:
            if info.filename.startswith("xl/charts/chart"):
                body = insert_missing(body, {"c:catAx", "c:valAx", "c:dateAx", "c:serAx"}, "c:scaling", "c:delete",
                                      b'<c:delete val="0"/>')
            zout.writestr(info, body)
    return out.getvalue()


def comparison_bytes(t: Template, schedules: list[tuple[str, Any]]) -> bytes:
    """One workbook comparing scenarios: inputs and outputs side by side, one column each.

    The values are costlib's own (each scenario's workbook holds the live formulas that
    compute them), with the same words as the workbooks; scenario names are always text.
    """
    codes = sorted({str(s.inputs[t.currency_input]) for _, s in schedules}) if t.currency_input else ["USD"]
    if len(codes) > 1:

        raise InputError(f"currency must be the same in every scenario of one comparison (its rows share one "
                         f"unit), got {', '.join(codes)}", argument="currency")
    out = io.BytesIO()
    wb = new_workbook(out)
    styles = Styles(wb, codes[0])
    ws = wb.add_worksheet("Comparison")
    sheet_title(ws, styles, f"Scenario comparison: {t.title}",
                "Values as costlib computes them; each scenario's own workbook holds the live formulas.")
    section_header(ws, styles, 4, ["Quantity", "Unit", "Defined name", *[str(name) for name, _ in schedules]])
    r = 5
    ws.write_string(r - 1, 0, "Inputs", styles.group)
    for inp in t.inputs:
        r += 1
        ws.write_string(r - 1, 0, inp.label)
        ws.write_string(r - 1, 1, styles.unit(inp.unit))
        ws.write_string(r - 1, 2, inp.name, styles.name)
        for c, (_, s) in enumerate(schedules, start=3):
            value = s.inputs[inp.name]
            if isinstance(value, str):
                ws.write_string(r - 1, c, value)
            else:
                ws.write_number(r - 1, c, value, styles.get(num_format=styles.money(INPUT_FORMATS[inp.format])))
    r += 2
    ws.write_string(r - 1, 0, "Outputs", styles.group)
    for sheet in t.sheets:
        for item in sheet.items:
            r += 1
            ws.write_string(r - 1, 0, item.label)
            ws.write_string(r - 1, 1, styles.unit(item.unit))
            ws.write_string(r - 1, 2, item.name, styles.name)
            for c, (_, s) in enumerate(schedules, start=3):
                value = _value(s.items[item.name])
                if isinstance(value, str):
                    ws.write_string(r - 1, c, value, styles.get(text_wrap=True, valign="top"))
                elif isinstance(value, bool):
                    ws.write_boolean(r - 1, c, value)
                else:
                    ws.write_number(r - 1, c, value, styles.number(item.format))
    ws.set_column(0, 0, 58)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 2, 28)
    ws.set_column(3, 2 + len(schedules), 22)
    ws.freeze_panes(4, 3)
    print_setup(ws, 3 + len(schedules), r, 4)
    ws.set_paper(PAPER.get(codes[0], A4))
    stamp(wb, f"Scenario comparison: {t.title}", t.name)
    wb.close()
    return reproducible(out.getvalue())
