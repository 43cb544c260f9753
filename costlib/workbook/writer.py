"""The one engine that turns any template into a finance workbook (.xlsx).

Conventions (FAST Standard, ICAEW Financial Modelling Code): inputs only on the Inputs
sheet, styled as inputs (blue font on a light fill) with unit, source and data validation;
every input and output a defined name; one formula across each timeline row; native
classic formulas only (INDEX/MATCH, no XLOOKUP, LET, LAMBDA or dynamic arrays); capex and
opex on separate sheets; a Checks sheet with a master check.

The file is reproducible: the same template and inputs give the same bytes (fixed document
dates and zip entry dates), and it carries a fingerprint of its own content, so a later run
can tell a file it wrote from one a user has since edited.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .. import __version__
from .files import (FINGERPRINT_NAME, FIXED_TIME, PLACEHOLDER, FileExistsCostlibError, is_unedited,  # noqa: F401
                    reproducible, write_workbook)
from ..catalogue import load as load_catalogue
from ..formulas import render
from .template import Template, TemplateError, is_formula_like

__all__ = ["build_workbook", "workbook_bytes", "write_workbook", "FileExistsCostlibError", "is_unedited",
           "FORMATS"]

FORMATS = {
    "usd": '"$"#,##0',
    "usd_cents": '"$"#,##0.00',
    "pct": "0.0%",
    "millions": '#,##0.0,," M"',
    "billions": '#,##0.0,,," B"',
    "trillions": '#,##0.00,,,," T"',
    "count": "#,##0",
    "integer": "0",
    "number": "#,##0.00",
    "ratio": '0.00"x"',
    "sci": "0.00E+00",
    "text": "@",
}
FIRST_COL = 5  # timeline columns start at E: A label, B unit, C total, D spacer

INPUT_FONT = Font(color="0000FF")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
GROUP_FONT = Font(bold=True, italic=True)
SECTION_FILLS = {"capex": PatternFill("solid", fgColor="DDEBF7"), "opex": PatternFill("solid", fgColor="E2EFDA")}
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
GREEN = PatternFill("solid", fgColor="C6EFCE")
RED = PatternFill("solid", fgColor="FFC7CE")


class _Layout:
    """Where every name lives: defined-name cells, timeline rows, axis rows."""

    def __init__(self, months: int, axis: str):
        self.months = months
        self.axis_name = axis
        self.first_col = get_column_letter(FIRST_COL)
        self.last_col = get_column_letter(FIRST_COL + months - 1)
        self.rows: dict[str, tuple[str, int]] = {}
        self.axis: dict[str, int] = {}

    def ref(self, sheet: str, cell: str, here: str) -> str:
        return cell if sheet == here else f"{quote_sheetname(sheet)}!{cell}"

    def context(self, here: str, col: str | None) -> "_Context":
        return _Context(self, here, col)

    def formula(self, expr, here: str, col: str | None = None) -> str:
        """``expr`` as native Excel text for a cell of sheet ``here`` in column ``col``."""
        return "=" + _strip_outside_quotes(render(expr, self.context(here, col)))

    def row_formulas(self, expr, here: str) -> list[str]:
        """The formula of a timeline row in each of its columns: rendered once, column filled in."""
        text = self.formula(expr, here, _COL)
        return [text.replace(_COL, get_column_letter(FIRST_COL + i)) for i in range(self.months)]


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

    def value(self, name: str) -> str:
        if name != self.layout.axis_name and name not in self.layout.rows:
            return name  # an input or an item: its defined name
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


def _define(wb: Workbook, name: str, sheet: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(sheet)}!{ref}")


def _title(ws, title: str, description: str) -> None:
    ws["A1"] = title
    ws["A1"].font = TITLE_FONT
    ws["A2"] = description
    ws["A2"].font = Font(italic=True)


def _header(ws, row: int, labels: list[str]) -> None:
    for c, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=c, value=label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL


def _validation_formula(inp, cell: str) -> str:
    rule = {
        "positive": f"{cell}>0", "non_negative": f"{cell}>=0", "fraction": f"AND({cell}>0,{cell}<=1)",
        "share": f"AND({cell}>=0,{cell}<=1)", "share_below_one": f"AND({cell}>=0,{cell}<1)",
        "at_least_one": f"{cell}>=1", "finite": "TRUE",
    }[inp.rule]
    parts = [f"ISNUMBER({cell})", rule]
    if inp.type == "integer":
        parts.append(f"{cell}=INT({cell})")
    if inp.maximum is not None:
        parts.append(f"{cell}<={inp.maximum}")
    return f"AND({','.join(parts)})"


def _write_inputs(wb: Workbook, t: Template, values: dict[str, Any]) -> None:
    ws = wb.create_sheet("Inputs")
    _title(ws, f"Inputs: {t.title}", "Blue cells on a light fill are the only inputs; every other cell is "
                                     "calculated. Each input is a defined name used by the formulas.")
    _header(ws, 4, ["Input", "Value", "Unit", "Rule", "Source or comment", "Defined name"])
    r, group = 5, None
    for inp in t.inputs:
        if inp.group != group:
            group = inp.group
            ws.cell(row=r, column=1, value=group).font = GROUP_FONT
            r += 1
        ws.cell(row=r, column=1, value=inp.label)
        cell = ws.cell(row=r, column=2)
        value = values[inp.name]
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text, even "=..." (never a formula)
            if is_formula_like(value):
                cell.quotePrefix = True
        cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        cell.number_format = FORMATS["text" if inp.type in ("text", "gpu", "choice") else inp.format]
        ws.cell(row=r, column=3, value=inp.unit)
        ws.cell(row=r, column=4, value=inp.describe_rule())
        source = inp.source + (" (structural: regenerate the workbook to change it)" if inp.structural else "")
        ws.cell(row=r, column=5, value=source)
        ws.cell(row=r, column=6, value=inp.name).font = Font(color="808080")
        _define(wb, inp.name, "Inputs", f"$B${r}")
        if inp.type == "gpu":
            dv = DataValidation(type="list", formula1="catalogue_name", allow_blank=False)
        elif inp.type == "choice":
            dv = DataValidation(type="list", formula1='"' + ",".join(inp.choices) + '"', allow_blank=False)
        elif inp.type == "text":
            dv = None
        else:
            dv = DataValidation(type="custom", formula1=_validation_formula(inp, f"B{r}"), allow_blank=False)
        if dv is not None:
            dv.error = f"{inp.name} must be {inp.describe_rule()}"
            dv.errorTitle = f"Invalid {inp.name}"
            dv.showErrorMessage = True
            ws.add_data_validation(dv)
            dv.add(f"B{r}")
        r += 1
    for col, width in zip("ABCDEF", (52, 16, 16, 26, 70, 28)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"


def _write_sheet(wb: Workbook, sheet, layout: _Layout, axis_values: list) -> None:
    ws = wb[sheet.name]
    _title(ws, sheet.name, sheet.description)
    r = 4
    if sheet.items:
        _header(ws, r, ["Item", "Value", "Unit", "Defined name"])
        for item in sheet.items:
            r += 1
            ws.cell(row=r, column=1, value=item.label)
            cell = ws.cell(row=r, column=2, value=layout.formula(item.expr, sheet.name))
            cell.number_format = FORMATS[item.format]
            ws.cell(row=r, column=3, value=item.unit)
            ws.cell(row=r, column=4, value=item.name).font = Font(color="808080")
        r += 2
    if sheet.rows:
        hdr = layout.axis[sheet.name]
        _header(ws, hdr, ["Line item", "Unit", "Total", ""])
        for i, value in enumerate(axis_values):
            cell = ws.cell(row=hdr, column=FIRST_COL + i)
            # the month axis is one formula across the row; explicit axes (multiples) are labels
            cell.value = f"=COLUMN()-COLUMN($D${hdr})" if value is None else value
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        for row in sheet.rows:
            _, rr = layout.rows[row.name]
            ws.cell(row=rr, column=1, value=row.label)
            ws.cell(row=rr, column=2, value=row.unit)
            fill = SECTION_FILLS.get(row.section)
            if row.total:
                total = ws.cell(row=rr, column=3, value=f"=SUM({row.name})")
                total.number_format = FORMATS[row.format]
                total.font = Font(bold=True)
            for i, text in enumerate(layout.row_formulas(row.expr, sheet.name)):
                cell = ws.cell(row=rr, column=FIRST_COL + i, value=text)
                cell.number_format = FORMATS[row.format]
                if row.emphasis:
                    cell.font, cell.border = Font(bold=True), TOTAL_BORDER
            for c in range(1, 4):
                if fill is not None:
                    ws.cell(row=rr, column=c).fill = fill
                if row.emphasis:
                    ws.cell(row=rr, column=c).font = Font(bold=True)
        ws.freeze_panes = ws.cell(row=hdr + 1, column=FIRST_COL)
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 18 if sheet.items else 12
    ws.column_dimensions["C"].width = 16
    ws.column_dimensions["D"].width = 3 if not sheet.items else 30
    for i in range(len(axis_values) if sheet.rows else 0):
        ws.column_dimensions[get_column_letter(FIRST_COL + i)].width = 13


def _plan_layout(t: Template, months: int) -> _Layout:
    layout = _Layout(months, t.axis)
    for sheet in t.sheets:
        r = 4
        if sheet.items:
            r += len(sheet.items) + 2
        if sheet.rows:
            layout.axis[sheet.name] = r
            for row in sheet.rows:
                r += 1
                layout.rows[row.name] = (sheet.name, r)
    return layout


def _write_charts(wb: Workbook, t: Template, layout: _Layout) -> None:
    anchors: dict[str, int] = {}
    for spec in t.charts:
        ws = wb[spec["sheet"]]
        start = anchors.get(spec["sheet"], max(r for s, r in layout.rows.values() if s == spec["sheet"]) + 3)
        chart = LineChart()
        chart.title = spec["title"]
        chart.y_axis.title = spec.get("y_title", "")
        chart.x_axis.title = t.axis_label
        chart.height, chart.width = 8, 22
        hdr = layout.axis[spec["sheet"]]
        for name in spec["rows"]:
            sheet_name, r = layout.rows[name]
            data = Reference(wb[sheet_name], min_col=FIRST_COL, max_col=FIRST_COL + layout.months - 1,
                             min_row=r, max_row=r)
            label = next(row.label for s in t.sheets for row in s.rows if row.name == name)
            series = Series(data, title=label)
            chart.series.append(series)
        chart.set_categories(Reference(ws, min_col=FIRST_COL, max_col=FIRST_COL + layout.months - 1,
                                       min_row=hdr, max_row=hdr))
        ws.add_chart(chart, f"A{start}")
        anchors[spec["sheet"]] = start + 17


def _write_checks(wb: Workbook, t: Template, layout: _Layout) -> None:
    ws = wb.create_sheet("Checks")
    _title(ws, "Checks", "Each check is TRUE when the model is consistent; the master check is TRUE only "
                         "when all are.")
    _header(ws, 4, ["Check", "Result"])
    ws["A5"] = "Master check: all checks pass"
    ws["A5"].font = Font(bold=True)
    first = 6
    for i, check in enumerate(t.checks):
        ws.cell(row=first + i, column=1, value=check.label)
        ws.cell(row=first + i, column=2, value=layout.formula(check.expr, "Checks"))
    last = first + len(t.checks) - 1
    ws["B5"] = f"=AND(B{first}:B{last})"
    ws["B5"].font = Font(bold=True)
    _define(wb, "master_check", "Checks", "$B$5")
    ws.conditional_formatting.add(f"B5:B{last}", CellIsRule(operator="equal", formula=["TRUE"], fill=GREEN))
    ws.conditional_formatting.add(f"B5:B{last}", CellIsRule(operator="equal", formula=["FALSE"], fill=RED))
    ws.column_dimensions["A"].width = 70
    ws.column_dimensions["B"].width = 12


def _write_catalogue(wb: Workbook) -> None:
    from ..catalogue import PRECISIONS

    catalogue = load_catalogue("accelerators")
    ws = wb.create_sheet("Catalogue")
    _title(ws, f"Accelerator catalogue as of {catalogue.as_of}",
           "Dense peak figures (not sparsity), from costlib's dated catalogue; each row has its source.")
    ws.cell(row=3, column=2, value="Dense peak [TFLOP/s] by precision").font = GROUP_FONT
    peaks = [f"peak_tflops_{p}" for p in PRECISIONS]
    columns = ["name", *peaks, "hbm_gb", "bandwidth_tb_per_s", "board_power_w", "as_of", "source"]
    _header(ws, 4, ["name", *PRECISIONS, *columns[1 + len(peaks):]])
    rows = [row for row in catalogue.rows if row.get("peak_tflops_bf16") is not None]
    for r, row in enumerate(rows, start=5):
        for c, column in enumerate(columns, start=1):
            value = row.get(column)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    last = 4 + len(rows)
    for c, column in enumerate(columns[:-2], start=1):
        letter = get_column_letter(c)
        _define(wb, f"catalogue_{column}", "Catalogue", f"${letter}$5:${letter}${last}")
    first, final = get_column_letter(2), get_column_letter(1 + len(peaks))
    _define(wb, "catalogue_peak_tflops", "Catalogue", f"${first}$5:${final}${last}")
    _define(wb, "catalogue_precision", "Catalogue", f"${first}$4:${final}$4")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions[get_column_letter(len(columns))].width = 90


def build_workbook(t: Template, values: dict[str, Any]) -> Workbook:
    """An openpyxl Workbook for template ``t`` and resolved input ``values``."""
    months = t.length(values)
    axis_values = list(t.axis_values) if t.axis_values else [None] * months
    layout = _plan_layout(t, months)
    wb = Workbook()
    wb.remove(wb.active)
    ordered = sorted(t.sheets, key=lambda s: not s.first)
    firsts = [s for s in ordered if s.first]
    for s in firsts:
        wb.create_sheet(s.name)
    _write_inputs(wb, t, values)
    for s in ordered:
        if not s.first:
            wb.create_sheet(s.name)
    for sheet in t.sheets:
        _write_sheet(wb, sheet, layout, axis_values)
        for item in sheet.items:
            r = 4 + 1 + sheet.items.index(item)
            _define(wb, item.name, sheet.name, f"$B${r}")
        for row in sheet.rows:
            _, r = layout.rows[row.name]
            _define(wb, row.name, sheet.name, f"${get_column_letter(FIRST_COL)}${r}:${layout.last_col}${r}")
    _write_charts(wb, t, layout)
    _write_checks(wb, t, layout)
    _write_catalogue(wb)
    _stamp(wb, t)
    wb.calculation.fullCalcOnLoad = True
    return wb


def _stamp(wb: Workbook, t: Template) -> None:
    """Fixed document dates, the template's name and a fingerprint placeholder (see workbook_bytes)."""
    from openpyxl.packaging.custom import StringProperty

    wb.security = None  # no empty <workbookProtection/>: Excel writes none, Gnumeric reads it as an error
    props = wb.properties
    props.creator = props.lastModifiedBy = f"costlib {__version__}"
    props.title = t.title
    props.created = props.modified = FIXED_TIME
    wb.custom_doc_props.append(StringProperty(name="costlib_template", value=t.name))
    wb.custom_doc_props.append(StringProperty(name=FINGERPRINT_NAME, value=PLACEHOLDER))


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as reproducible bytes: fixed dates, fixed zip entry times, a content fingerprint."""
    raw = io.BytesIO()
    wb.save(raw)
    return reproducible(raw.getvalue())


def comparison_bytes(t: Template, schedules: list[tuple[str, Any]]) -> bytes:
    """One workbook comparing scenarios: inputs and outputs side by side, one column each.

    The values are costlib's own (each scenario's workbook holds the live formulas that
    compute them); the sheet says so.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Comparison"
    _title(ws, f"Scenario comparison: {t.title}",
           "Values as costlib computes them; each scenario's own workbook holds the live formulas.")
    _header(ws, 4, ["Quantity", "Unit", "Defined name", *[name for name, _ in schedules]])
    r = 5
    ws.cell(row=r, column=1, value="Inputs").font = GROUP_FONT
    for inp in t.inputs:
        r += 1
        ws.cell(row=r, column=1, value=inp.label)
        ws.cell(row=r, column=2, value=inp.unit)
        ws.cell(row=r, column=3, value=inp.name)
        for c, (_, s) in enumerate(schedules, start=4):
            cell = ws.cell(row=r, column=c, value=s.inputs[inp.name])
            if isinstance(s.inputs[inp.name], str):
                cell.data_type = "s"
            else:
                cell.number_format = FORMATS[inp.format]
    r += 2
    ws.cell(row=r, column=1, value="Outputs").font = GROUP_FONT
    for sheet in t.sheets:
        for item in sheet.items:
            r += 1
            ws.cell(row=r, column=1, value=item.label)
            ws.cell(row=r, column=2, value=item.unit)
            ws.cell(row=r, column=3, value=item.name)
            for c, (_, s) in enumerate(schedules, start=4):
                value = s.items[item.name]
                if value is None or (isinstance(value, float) and value in (float("inf"), float("-inf"))):
                    value = "none"
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                else:
                    cell.number_format = FORMATS[item.format]
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["C"].width = 28
    for c in range(len(schedules)):
        ws.column_dimensions[get_column_letter(4 + c)].width = 18
    ws.freeze_panes = "D5"
    _stamp(wb, t)
    return workbook_bytes(wb)
