"""The variance workbook: budget against the bills (FOCUS), laid out with live formulas.

It presents :class:`costlib.actuals.Actuals` and computes nothing of its own: the budget's
lines (from the plan) and the bills' sums by line and month (from the exports) are data
cells; every variance, bridge step, total, re-forecast and check is a formula over them,
written with its cached value taken from the library's own result, so a previewer shows
the numbers and LibreOffice and Gnumeric agree (tests/test_actuals_recalc.py).

Sheets: Summary (what happened and why, the totals by name, the master check), Variance
(budget, actual, variance per line and month, fiscal year to date), Bridge (volume, mix,
price, timing, other), Actuals (effective, billed, list, list less effective, quantities),
Budget (the plan's lines), Reforecast (actuals for the closed months, budget after), By
model (tokens by model and kind, unit prices), Checks, About.
"""

from __future__ import annotations

import io
import os
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell

from .. import __version__
from ..actuals import BRIDGE, LINES, MONEY_TOLERANCE, VOLUME_LINES, Actuals
from .files import write_workbook
from .xlsx import new_workbook
from .writer import BOOLEAN, CHECKS_FAIL, print_setup, section_header, stamp, Styles, sheet_title, workbook_bytes

__all__ = ["variance_bytes", "write_variance", "NAMES"]

FIRST = 2  # the first month's column (0-based: C); A the label, B the fiscal year to date
#: The defined names the workbook carries, each with what it holds [budget currency]
NAMES = {
    "actual_billed_total": "the AI rows' sum of BilledCost (what the invoices charge)",
    "actual_effective_total": "the AI rows' sum of EffectiveCost (amortised: what the budget compares with)",
    "actual_list_total": "the AI rows' sum of ListCost (the same usage at list prices)",
    "budget_total": "the budget's AI lines over the closed months",
    "variance_total": "actual_effective_total - budget_total",
    "checks_ok": "TRUE when every check on the Checks sheet passes",
}
#: Sheet -> what it holds, in the workbook's order (the About sheet lists them)
SHEETS = {
    "Summary": "What happened and why, the master check, the named totals, the bridge over the closed months.",
    "Variance": "Budget, actual (effective cost) and variance per line and month, and fiscal year to date.",
    "Bridge": "From budget to actual each month: volume, mix, price, timing, other; a check that they add up.",
    "Actuals": "The bills' sums by line and month: effective, billed, list, late corrections, commitments drawn, "
               "quantities; list less effective.",
    "Budget": "The plan's AI lines by month (data from the plan): cost and quantity.",
    "Reforecast": "Actuals for the closed months, the budget after; each fiscal year's total.",
    "By model": "API tokens by model and kind, with list and effective price per million tokens.",
    "Checks": "The workbook's totals against the exports' own sums, to the cent; the master check checks_ok.",
    "About": "This sheet.",
}
ACTUAL_BLOCKS = (("effective", "Effective cost (amortised)"), ("billed", "Billed cost (invoiced)"),
                 ("list", "List cost"), ("timing", "Of which effective cost of late corrections (timing)"),
                 ("timing_list", "Of which list cost of late corrections"),
                 ("committed", "Of which effective cost drawn from commitments and prepayments"),
                 ("quantity", "Quantity (late corrections excluded)"))


class _Sheet:
    """One timeline sheet: its name, the row each (block, line) sits on (1-based), its month columns."""

    def __init__(self, wb, name: str, months: int):
        self.ws = wb.add_worksheet(name)
        self.name = name
        self.rows: dict[tuple[str, str], int] = {}
        self.months = months

    def cell(self, block: str, line: str, col: int, here: str, absolute: bool = False) -> str:
        ref = xl_rowcol_to_cell(self.rows[(block, line)] - 1, col, row_abs=absolute, col_abs=absolute)
        return ref if here == self.name else f"{quote_sheetname(self.name)}!{ref}"

    def span(self, block: str, line: str, first: int, last: int, here: str) -> str:
        r = self.rows[(block, line)] - 1
        ref = f"{xl_rowcol_to_cell(r, first)}:{xl_rowcol_to_cell(r, last)}"
        return ref if here == self.name else f"{quote_sheetname(self.name)}!{ref}"


def _months_header(ws, styles, r: int, serials: list[float], first_label: str, b_label: str) -> None:
    ws.write_string(r - 1, 0, first_label, styles.header)
    ws.write_string(r - 1, 1, b_label, styles.header)
    fmt = styles.get(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", num_format="mmm-yy")
    for i, s in enumerate(serials):
        ws.write_number(r - 1, FIRST + i, s, fmt)


def _sum(cells: list[str]) -> str:
    return "SUM(" + ",".join(cells) + ")" if cells else "0"


def variance_bytes(a: Actuals) -> bytes:
    """The variance workbook of ``a`` as reproducible .xlsx bytes."""
    return workbook_bytes(_build(a))


def write_variance(a: Actuals, path: str | os.PathLike, force: bool = False) -> str:
    """Write the variance workbook of ``a`` to ``path`` atomically; "written", "replaced" or "unchanged"."""
    return write_workbook(variance_bytes(a), path, force=force)


def _build(a: Actuals) -> bytes:
    months = a.months
    n = len(months)
    last_col = FIRST + n - 1
    closed_cols = list(range(FIRST, FIRST + a.closed))
    ytd_cols = [FIRST + months.index(m) for m in a.ytd]
    serials = [float(v) for v in a.schedule.rows.loc["month_end"].to_numpy()]  # month-end dates, as the budget
    currency = a.bill.currency
    out = io.BytesIO()
    wb = new_workbook(out)
    wb.calc_on_load = False
    st = Styles(wb, currency)
    money = st.number("usd_cents")
    bold_money = st.number("usd_cents", bold=True)
    count = st.number("count")
    boolean = st.get(num_format=BOOLEAN)
    unit = f"[{currency}]"

    summary = wb.add_worksheet("Summary")
    variance = _Sheet(wb, "Variance", n)
    bridge = _Sheet(wb, "Bridge", n)
    actual = _Sheet(wb, "Actuals", n)
    budget = _Sheet(wb, "Budget", n)
    reforecast = _Sheet(wb, "Reforecast", n)
    lines = list(LINES)

    def ytd_of(sheet: _Sheet, block: str, line: str) -> str:
        return _sum([sheet.cell(block, line, c, sheet.name) for c in ytd_cols]) if ytd_cols else "0"

    def data_row(sheet: _Sheet, r: int, block: str, line: str, frame, fmt) -> None:
        """A line's months as values (data, from the plan or the bills) and its fiscal year to date by formula."""
        sheet.rows[(block, line)] = r
        sheet.ws.write_string(r - 1, 0, LINES[line][0])
        for i, v in enumerate(frame.loc[line, months].to_numpy(dtype=float)):
            sheet.ws.write_number(r - 1, FIRST + i, float(v), fmt)
        sheet.ws.write_formula(r - 1, 1, "=" + ytd_of(sheet, block, line), fmt, cached(frame.loc[line], 1))

    def cached(values, col: int, first: list | None = None) -> float:
        """What a cell computes: the months of ``first`` (default the fiscal year to date) in column B, else
        its month."""
        return float(values[a.ytd if first is None else first].sum()) if col == 1 else float(values.iloc[col - FIRST])

    # ---------------------------------------------------------------- Budget: the plan's lines (data)
    ws = budget.ws
    sheet_title(ws, st, f"Budget: the plan's AI lines by month {unit}",
                f"From the {a.schedule.template} plan (costlib.actuals maps its rows: the api plan's serving to API "
                "tokens; the rent plan's serving and the rented training compute to GPU-hours). Data, not formulas: "
                "regenerate with costlib actuals when the plan changes.")
    _months_header(ws, st, 4, serials, "Line", "FY to date")
    r = 5
    for block, frame, fmt, what in (("cost", a.budget, money, unit), ("quantity", a.budget_quantity, count, "")):
        ws.write_string(r - 1, 0, "Cost " + unit if block == "cost" else "Quantity [tokens; GPU-h]", st.group)
        r += 1
        for line in lines:
            if block == "quantity" and line not in VOLUME_LINES:
                continue
            data_row(budget, r, block, line, frame, fmt)
            r += 1
        r += 1
    budget_last = r
    # ---------------------------------------------------------------- Actuals: the bills' sums, list less effective
    ws = actual.ws
    sheet_title(ws, st, f"Actuals: the AI rows of the bills by line and month {unit}",
                "Sums of the FOCUS exports' rows by line and month (booked month: the charge period's; a correction "
                "to an earlier month in the month it arrives). List less effective shows discounts, commitments and "
                "credits apart from the cost the budget compares with.")
    _months_header(ws, st, 4, serials, "Line", "FY to date")
    tables = {"effective": a.effective, "billed": a.billed, "list": a.list, "timing": a.timing,
              "timing_list": a.timing_list, "committed": a.committed, "quantity": a.quantity}
    r = 5
    for block, label in ACTUAL_BLOCKS:
        ws.write_string(r - 1, 0, f"{label} {unit if block != 'quantity' else '[tokens; GPU-h]'}", st.group)
        r += 1
        fmt = count if block == "quantity" else money
        for line in lines:
            if block == "quantity" and line not in VOLUME_LINES:
                continue
            data_row(actual, r, block, line, tables[block], fmt)
            r += 1
        r += 1
    ws.write_string(r - 1, 0, f"List less effective: discounts, commitments, credits {unit}", st.group)
    r += 1
    for line in lines:
        actual.rows[("discount", line)] = r
        ws.write_string(r - 1, 0, LINES[line][0])
        values = (a.list.loc[line] - a.effective.loc[line])
        for c in [1] + list(range(FIRST, last_col + 1)):
            ws.write_formula(r - 1, c, f"={actual.cell('list', line, c, 'Actuals')}-"
                                       f"{actual.cell('effective', line, c, 'Actuals')}", money, cached(values, c))
        r += 1
    actual_last = r
    totals_row = {}
    r += 1
    for block, label in (("effective", "Total effective"), ("billed", "Total billed"), ("list", "Total list")):
        totals_row[block] = r
        ws.write_string(r - 1, 0, f"{label}, all months {unit}", st.get(bold=True))
        first_r, last_r = actual.rows[(block, lines[0])], actual.rows[(block, lines[-1])]
        ws.write_formula(r - 1, 1, f"=SUM({xl_rowcol_to_cell(first_r - 1, FIRST)}:"
                                   f"{xl_rowcol_to_cell(last_r - 1, last_col)})", bold_money,
                         float(tables[block].to_numpy().sum()))
        r += 1
    actual_last = r

    # ---------------------------------------------------------------- Variance: budget, actual, variance
    ws = variance.ws
    sheet_title(ws, st, f"Variance: budget, actual (effective cost) and variance by line and month {unit}",
                "Variance = actual - budget: positive is spend above the budget. FY to date: the fiscal year of the "
                f"last closed month ({months[a.closed - 1] if a.closed else 'none'}), from its first month to that "
                "one.")
    _months_header(ws, st, 4, serials, "Line", "FY to date")
    r = 5
    for line in lines + ["total"]:
        label = LINES[line][0] if line != "total" else "All AI lines"
        ws.write_string(r - 1, 0, label, st.group)
        r += 1
        for part in ("budget", "actual", "variance"):
            variance.rows[(part, line)] = r
            ws.write_string(r - 1, 0, f"  {part.capitalize()}")
            fmt = bold_money if part == "variance" else money
            sel = lines if line == "total" else [line]
            b = a.budget.loc[sel].sum()
            e = a.effective.loc[sel].sum()
            values = {"budget": b, "actual": e, "variance": e - b}[part]
            for c in [1] + list(range(FIRST, last_col + 1)):
                here = "Variance"
                if line == "total":
                    f = _sum([variance.cell(part, li, c, here) for li in lines])
                elif part == "budget":
                    f = budget.cell("cost", line, c, here)
                elif part == "actual":
                    f = actual.cell("effective", line, c, here)
                else:
                    f = f"{variance.cell('actual', line, c, here)}-{variance.cell('budget', line, c, here)}"
                ws.write_formula(r - 1, c, "=" + f, fmt, cached(values, c))
            r += 1
        r += 1
    variance_last = r

    # ---------------------------------------------------------------- Bridge
    ws = bridge.ws
    sheet_title(ws, st, f"Bridge: from budget to actual effective cost, by month {unit}",
                "Volume = (actual - budget quantity) x budget unit price; mix = list cost of the models and kinds "
                "used - actual quantity x budget unit price; price = effective - list cost; timing = late corrections; "
                "other = lines with no budget. Late corrections are left out of volume, mix and price.")
    _months_header(ws, st, 4, serials, "Step", "FY to date")
    r = 5
    for key, label in BRIDGE.items():
        bridge.rows[(key, "")] = r
        ws.write_string(r - 1, 0, label, st.get(bold=True) if key in ("budget", "actual") else None)
        values = a.bridge.loc[key]
        for c in [1] + list(range(FIRST, last_col + 1)):
            here = "Bridge"
            if c == 1:
                f = _sum([bridge.cell(key, "", k, here) for k in ytd_cols]) if ytd_cols else "0"
            else:
                B = lambda line: budget.cell("cost", line, c, here)  # noqa: E731
                Q = lambda line: budget.cell("quantity", line, c, here)  # noqa: E731
                A = lambda block, line: actual.cell(block, line, c, here)  # noqa: E731
                if key == "budget":
                    f = _sum([B(li) for li in lines])
                elif key == "volume":
                    f = "+".join(f"IF({Q(li)}>0,({A('quantity', li)}-{Q(li)})*{B(li)}/{Q(li)},-{B(li)})"
                                 for li in VOLUME_LINES)
                elif key == "mix":
                    f = "+".join(f"({A('list', li)}-{A('timing_list', li)})-IF({Q(li)}>0,{A('quantity', li)}*"
                                 f"{B(li)}/{Q(li)},0)" for li in VOLUME_LINES)
                elif key == "price":
                    f = "+".join(f"({A('effective', li)}-{A('timing', li)})-({A('list', li)}-{A('timing_list', li)})"
                                 for li in VOLUME_LINES)
                elif key == "timing":
                    f = _sum([A("timing", li) for li in lines])
                elif key == "other":
                    others = [li for li in lines if li not in VOLUME_LINES]
                    f = f"{_sum([A('effective', li) for li in others])}-{_sum([A('timing', li) for li in others])}" \
                        f"-{_sum([B(li) for li in others])}"
                else:
                    f = _sum([A("effective", li) for li in lines])
            ws.write_formula(r - 1, c, "=" + f, bold_money if key in ("budget", "actual") else money, cached(values, c))
        r += 1
    bridge.rows[("check", "")] = r
    ws.write_string(r - 1, 0, "Steps add up: budget + volume + mix + price + timing + other = actual")
    first_step, actual_step = bridge.rows[("budget", "")], bridge.rows[("actual", "")]
    for c in range(FIRST, last_col + 1):
        col = xl_col_to_name(c)
        ok = bool(abs(a.bridge.iloc[:-1, c - FIRST].sum() - a.bridge.iloc[-1, c - FIRST]) < MONEY_TOLERANCE)
        ws.write_formula(r - 1, c, f"=ABS(SUM({col}{first_step}:{col}{actual_step - 1})-{col}{actual_step})<"
                                   f"{MONEY_TOLERANCE}", boolean, ok)
    bridge_last = r + 1

    # ---------------------------------------------------------------- Reforecast
    ws = reforecast.ws
    sheet_title(ws, st, f"Re-forecast: actuals for the closed months, the budget after {unit}",
                f"Closed months: {months[0]} to {months[a.closed - 1] if a.closed else months[0]} (the last month the "
                "bills reach). Each fiscal year's total is the re-forecast for that year.")
    _months_header(ws, st, 4, serials, "Line", "Closed months")
    r = 5
    for line in lines + ["total"]:
        reforecast.rows[("reforecast", line)] = r
        ws.write_string(r - 1, 0, LINES[line][0] if line != "total" else "All AI lines",
                        st.get(bold=True) if line == "total" else None)
        sel = lines if line == "total" else [line]
        values = a.reforecast.loc[sel].sum()
        for c in [1] + list(range(FIRST, last_col + 1)):
            if line == "total":
                f = _sum([reforecast.cell("reforecast", li, c, "Reforecast") for li in lines])
            elif c == 1:
                f = _sum([reforecast.cell("reforecast", line, k, "Reforecast") for k in closed_cols]) \
                    if closed_cols else "0"
            elif c in closed_cols:
                f = actual.cell("effective", line, c, "Reforecast")
            else:
                f = budget.cell("cost", line, c, "Reforecast")
            ws.write_formula(r - 1, c, "=" + f, bold_money if line == "total" else money,
                             cached(values, c, months[:a.closed]))
        r += 1
    r += 1
    ws.write_string(r - 1, 0, "Re-forecast by fiscal year", st.group)
    fy = [int(y) for y in a.schedule.rows.loc["fiscal_year"].to_numpy()]
    total_row = reforecast.rows[("reforecast", "total")]
    for year in a.fiscal_years:
        r += 1
        cols = [FIRST + i for i, y in enumerate(fy) if y == year]
        ws.write_string(r - 1, 0, f"FY{year}")
        ws.write_formula(r - 1, 1, f"=SUM({xl_rowcol_to_cell(total_row - 1, cols[0])}:"
                                   f"{xl_rowcol_to_cell(total_row - 1, cols[-1])})", bold_money,
                         float(a.reforecast.sum()[[months[c - FIRST] for c in cols]].sum()))
    reforecast_last = r + 1

    # ---------------------------------------------------------------- By model
    bm = wb.add_worksheet("By model")
    sheet_title(bm, st, f"API tokens by model and kind {unit}",
                "Sums of the token rows; unit prices per million tokens are formulas over them.")
    heads = ["Model", "Kind", "Tokens", f"List {unit}", f"Effective {unit}", f"Billed {unit}",
             f"List per Mtok {unit}", f"Effective per Mtok {unit}"]
    section_header(bm, st, 4, heads)
    r = 5
    for (model, kind), row in a.by_model.iterrows():
        bm.write_string(r - 1, 0, str(model))
        bm.write_string(r - 1, 1, str(kind))
        bm.write_number(r - 1, 2, float(row["quantity"]), count)
        for c, k in ((3, "list"), (4, "effective"), (5, "billed")):
            bm.write_number(r - 1, c, float(row[k]), money)
        for c, k in ((6, "D"), (7, "E")):
            value = float(row["list" if k == "D" else "effective"]) / float(row["quantity"]) * 1e6 \
                if row["quantity"] > 0 else "no tokens"
            bm.write_formula(r - 1, c, f'=IF(C{r}>0,{k}{r}/C{r}*1000000,"no tokens")', st.number("usd_small"), value)
        r += 1
    bm.set_column(0, 0, 40)
    bm.set_column(1, 1, 14)
    bm.set_column(2, 7, 16)
    print_setup(bm, len(heads), r, 4)

    # ---------------------------------------------------------------- Checks
    ck = wb.add_worksheet("Checks")
    sheet_title(ck, st, "Checks", "Each check is TRUE when the workbook agrees with the bills; checks_ok is TRUE only "
                             "when all are.")
    section_header(ck, st, 4, ["Check", "Result", "The export's own sum", "Why it would fail"])
    ck.write_string(4, 0, "Master check: all checks pass", st.get(bold=True))
    checks = []
    for name, column, key in (("actual_billed_total", "BilledCost", "billed"),
                              ("actual_effective_total", "EffectiveCost", "effective"),
                              ("actual_list_total", "ListCost", "list")):
        checks.append((f"{name} equals the export's sum of {column} over the AI rows, to the cent",
                       f"ABS({name}-C{{r}})<{MONEY_TOLERANCE}", a.checks[key], float(a.bill.totals['ai'][column]),
                       "a row was lost or counted twice: compare the Actuals sheet with the export"))
    bridge_row = bridge.rows[("check", "")]
    checks.append(("The bridge adds up in every month",
                   f"AND(Bridge!{xl_col_to_name(FIRST)}{bridge_row}:Bridge!{xl_col_to_name(last_col)}{bridge_row})",
                   a.checks["bridge"], None, "a step of the bridge was edited"))
    for i, (label, formula, value, export, fails) in enumerate(checks):
        r = 6 + i
        ck.write_string(r - 1, 0, label)
        f = formula.replace("{r}", str(r))
        ck.write_formula(r - 1, 1, f"=IF(ISERROR({f}),FALSE,{f})", boolean, bool(value))
        if export is not None:
            ck.write_number(r - 1, 2, export, money)
        ck.write_string(r - 1, 3, fails)
    last_check = 6 + len(checks) - 1
    ck.write_formula(4, 1, f"=AND(B6:B{last_check})", st.get(bold=True, num_format=BOOLEAN),
                     all(v for _, _, v, _, _ in checks))
    wb.define_name("checks_ok", "=Checks!$B$5")
    green, red = st.get(bg_color="#C6EFCE"), st.get(bg_color="#FFC7CE")
    for criteria, fmt in (("TRUE", green), ("FALSE", red)):
        ck.conditional_format(f"B5:B{last_check}", {"type": "cell", "criteria": "==", "value": criteria,
                                                     "format": fmt})
    ck.set_column(0, 0, 80)
    ck.set_column(1, 2, 18)
    ck.set_column(3, 3, 70)
    print_setup(ck, 4, last_check, 4)

    # ---------------------------------------------------------------- Summary (first sheet)
    ws = summary
    sheet_title(ws, st, "Budget against actuals: the AI bills read against the budget",
                f"{a.bill.row_count:,} rows read from {len(set(a.bill.rows['source'])) or 0} export(s); "
                f"{len(a.bill.rows):,} AI rows kept; amounts in {currency}.")
    ws.write_formula(3, 0, f'=IF(checks_ok,"All checks pass","{CHECKS_FAIL}")', st.headline,
                     "All checks pass" if all(a.checks.values()) else CHECKS_FAIL)
    ws.write_string(4, 0, a.story, st.get(text_wrap=True, valign="top"))
    ws.set_row(4, 60)
    section_header(ws, st, 7, ["Figure", f"Value {unit}", "Name"])
    whole = lambda block: (f"SUM(Actuals!{xl_rowcol_to_cell(actual.rows[(block, lines[0])] - 1, FIRST)}:"  # noqa: E731
                           f"{xl_rowcol_to_cell(actual.rows[(block, lines[-1])] - 1, last_col)})")
    total_budget_row = variance.rows[("budget", "total")]
    closed_budget = (f"SUM(Variance!{xl_rowcol_to_cell(total_budget_row - 1, FIRST)}:"
                     f"{xl_rowcol_to_cell(total_budget_row - 1, FIRST + a.closed - 1)})") if a.closed else "0"
    figures = [
        ("actual_billed_total", "Actual billed (the invoices)", whole("billed"), a.totals["actual_billed_total"]),
        ("actual_effective_total", "Actual effective (amortised)", whole("effective"),
         a.totals["actual_effective_total"]),
        ("actual_list_total", "Actual at list prices", whole("list"), a.totals["actual_list_total"]),
        ("budget_total", "Budget over the closed months", closed_budget, a.totals["budget_total"]),
        ("variance_total", "Variance: actual effective - budget", "actual_effective_total-budget_total",
         a.totals["variance_total"]),
        (None, "List less effective: discounts, commitments, credits", "actual_list_total-actual_effective_total",
         a.totals["actual_list_total"] - a.totals["actual_effective_total"]),
        (None, "Of the effective cost, drawn from commitments and prepayments", whole("committed"),
         a.totals["committed_effective_total"]),
    ]
    r = 8
    for name, label, formula, value in figures:
        ws.write_string(r - 1, 0, label)
        ws.write_formula(r - 1, 1, "=" + formula, bold_money, float(value))
        if name:
            ws.write_string(r - 1, 2, name, st.name)
            wb.define_name(name, f"=Summary!$B${r}")
        r += 1
    r += 1
    section_header(ws, st, r, ["Bridge over the closed months", f"Value {unit}"])
    closed_b = a.bridge[months[:a.closed]].sum(axis=1)
    for key, label in BRIDGE.items():
        r += 1
        row = bridge.rows[(key, "")]
        f = (f"SUM(Bridge!{xl_rowcol_to_cell(row - 1, FIRST)}:{xl_rowcol_to_cell(row - 1, FIRST + a.closed - 1)})"
             if a.closed else "0")
        ws.write_string(r - 1, 0, label)
        ws.write_formula(r - 1, 1, "=" + f, bold_money if key in ("budget", "actual") else money,
                         float(closed_b[key]))
    ws.set_column(0, 0, 90)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 26)
    print_setup(ws, 3, r, 7)

    # ---------------------------------------------------------------- About
    ab = wb.add_worksheet("About")
    sheet_title(ab, st, "About this workbook", "What was read, how it was mapped, and what each sheet holds.")
    about = [
        ("Written by", f"costlib {__version__} (costlib actuals)"),
        ("Budget", f"{a.schedule.template}, {n} months from {months[0]}, currency {currency}"),
        ("Exports", ", ".join(sorted(set(a.bill.rows["source"]))) or "none"),
        ("Rows", f"{a.bill.row_count:,} read; {len(a.bill.rows):,} AI rows kept; {int(a.bill.skipped['rows']):,} "
                 f"not AI (BilledCost {a.bill.skipped['BilledCost']:,.2f}) counted, not mapped; "
                 f"{a.bill.dropped_duplicates:,} duplicate rows dropped"),
        ("Rates", ", ".join(f"1 {k} = {v} {currency}" for k, v in a.bill.rates.items()) or "none: one currency"),
        ("Cost compared", "EffectiveCost (amortised: commitment purchases spread over the usage they cover). "
                          "BilledCost is what the invoices charge; ListCost the same usage at list prices."),
        ("Corrections", "FOCUS ChargeClass Correction rows are added to what they correct; one for an earlier month "
                        "is booked in the month it arrives and shown as timing."),
        ("Names", "; ".join(f"{k}: {v}" for k, v in NAMES.items())),
    ]
    r = 4
    for label, text in about:
        ab.write_string(r - 1, 0, label, st.get(bold=True))
        ab.write_string(r - 1, 1, text, st.get(text_wrap=True, valign="top"))
        r += 1
    r += 1
    section_header(ab, st, r, ["Sheet", "What it holds"])
    for name, text in SHEETS.items():
        r += 1
        ab.write_url(r - 1, 0, f"internal:{quote_sheetname(name)}!A1", string=name)
        ab.write_string(r - 1, 1, text)
    ab.set_column(0, 0, 20)
    ab.set_column(1, 1, 110)
    print_setup(ab, 2, r, None)

    for sheet, last in ((variance, variance_last), (bridge, bridge_last), (actual, actual_last),
                        (budget, budget_last), (reforecast, reforecast_last)):
        sheet.ws.set_column(0, 0, 52)
        sheet.ws.set_column(1, last_col, 13)
        sheet.ws.freeze_panes(4, FIRST)
        print_setup(sheet.ws, last_col + 1, last, 4, months=n)
    summary.activate()
    stamp(wb, "Budget against actuals", "actuals")
    wb.close()
    return out.getvalue()
