"""What a finance team sees on opening, printing and reading a workbook, checked on the file itself.

No engine here: the cached values are read as a previewer, pandas or openpyxl with
``data_only=True`` reads them, and must equal the library's numbers. (The engines' own
results are compared in tests/test_workbooks_recalc.py.)
"""

from __future__ import annotations

import datetime
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from rendered import default_book, default_bytes

from costlib.accounting import to_serial
from costlib.formulas import none_text
from costlib.plan import schedule
from costlib.workbook import render
from costlib.plan import load_template, template_names

CASES = [(name, {}) for name in template_names()] + [
    ("budget", {"months": 12, "api_price_per_m_tokens": 0.2, "utilization": 1}),  # no break-even: words
    ("build-vs-buy", {"api_price_per_m_tokens": 0.1}),
    ("budget", {"fiscal_year_start_month": 7, "serving_plan": "own", "currency": "EUR"}),
]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}{'-' + '-'.join(c[1]) if c[1] else ''}")
def case(request):
    name, overrides = request.param
    data = render(name, overrides) if overrides else default_bytes(name)
    return (load_template(name), schedule(name, overrides), load_workbook(io.BytesIO(data), data_only=True),
            load_workbook(io.BytesIO(data)), data)


def _named(wb, name):
    (sheet, ref), = list(wb.defined_names[name].destinations)
    cells = wb[sheet][ref.replace("$", "")]
    return [_number(c.value) for row in cells for c in row] if isinstance(cells, tuple) else _number(cells.value)


def _number(value):
    """A date cell's value as the serial number it holds (openpyxl reads it as a datetime)."""
    return to_serial(value) if isinstance(value, datetime.datetime) else value


def test_every_formula_has_its_value(case):
    _, _, values, formulas, _ = case
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert values[ws.title][cell.coordinate].value is not None, f"{ws.title}!{cell.coordinate}"


def test_cached_values_are_the_library_numbers(case):
    # what the engines compute is compared cell by cell in tests/test_workbooks_recalc.py
    # (test_every_cached_value_is_what_the_engine_computes); here, that a reader without one
    # sees the library's numbers under every defined name
    t, s, values, _, _ = case
    for name, expected in s.items.items():
        got = _named(values, name)
        if isinstance(expected, (str, bool)):
            assert got == expected, name
        else:
            assert got == pytest.approx(expected, rel=1e-15), name
    for name, row in s.rows.iterrows():
        words = none_text(t.rows[name][1].expr)  # where a row has no value its cells say so in words
        got = _named(values, name)
        assert [g for g, v in zip(got, row) if v != v] == [words] * int(row.isna().sum()), name
        assert [g for g, v in zip(got, row) if v == v] == pytest.approx([v for v in row if v == v], rel=1e-15), name
    assert _named(values, "checks_ok") is all(s.checks.values())


def test_fiscal_tables_are_the_library_numbers(case):
    t, s, values, formulas, _ = case
    if t.calendar is None:
        return
    for title, table in (("Annual", s.annual), ("Quarterly", s.quarterly)):
        ws, seen = formulas[title], 0
        for row in ws.iter_rows(min_row=5):
            for cell in row:
                m = re.fullmatch(r"=SUMIF\(fiscal_year,[A-Z]+\$4,(\w+)\)", str(cell.value)) or re.fullmatch(
                    r"=SUMIFS\((\w+),fiscal_year,[A-Z]+\$4,fiscal_quarter,[A-Z]+\$5\)", str(cell.value))
                if m:
                    key = table.columns[cell.column - 3]
                    assert values[title][cell.coordinate].value == pytest.approx(table.loc[m[1], key], rel=1e-15)
                    seen += 1
        assert seen == table.size, title  # every line item in every period, by formula


def test_pandas_reads_the_numbers(case):
    t, s, _, _, data = case
    first = sorted(t.sheets, key=lambda x: not x.first)[0].name
    frame = pd.read_excel(io.BytesIO(data), sheet_name=first, header=None)
    numbers = pd.to_numeric(frame.stack(), errors="coerce").dropna()
    assert len(numbers) > 3


def test_the_decision_comes_first(case):
    t, s, values, _, _ = case
    first = values.worksheets[0]
    for r, name in enumerate(t.headline, start=4):
        assert first.cell(row=r, column=1).value == s.items[name]
        assert len(s.items[name]) > 60 and "." in s.items[name]  # a sentence, not a bare word
    # the master check follows the decision (and, where the template has a close call, its verdict line)
    check = 4 + len(t.headline) + (1 if t.close_call is not None else 0)
    assert first.cell(row=check, column=1).value == "All checks pass (sheet Checks)"
    assert first.cell(row=check, column=2).value is all(s.checks.values())


def test_prints_landscape_one_page_wide_with_titles_and_footer(case):
    t, s, _, wb, _ = case
    first = t.ordered_sheets[0].name  # printed as the pack's summary: its figures and charts, one page wide
    # Verify prints its title only, one page wide: its rows are for the checks (costlib/workbook/writer.py)
    timelines = {sheet.name for sheet in t.sheets if sheet.rows} - {first, "Verify"}
    months = len(s.rows.columns)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        wide = -(-months // 12) if ws.title in timelines else 1  # twelve months a page
        assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth or 1) == wide, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.print_area, ws.title
        footer = ws.oddFooter
        assert "&A" in (footer.center.text or "") and "&P" in (footer.right.text or ""), ws.title
        if ws.title in timelines:
            assert ws.print_title_cols == "$A:$B", ws.title  # labels and totals on every page


def test_reads_at_a_glance(case):
    t, s, _, wb, _ = case
    for ws in wb.worksheets:
        if ws.title != "Inputs":
            assert ws.sheet_view.showGridLines is False, ws.title
    for sheet in t.sheets:
        ws = wb[sheet.name]
        for row in sheet.rows:
            (_, ref), = list(wb.defined_names[row.name].destinations)
            cell = ws[ref.split(":")[0].replace("$", "")]
            fmt = cell.number_format
            if row.format not in ("integer", "ratio", "sci", "text", "month", "fiscal_year", "quarter"):
                assert fmt.count(";") == 2 and fmt.endswith('"–"'), (row.name, fmt)  # zero as a dash
        for item in sheet.items:  # an answer in words runs on over empty cells, never cut off
            (_, ref), = list(wb.defined_names[item.name].destinations)
            cell = ws[ref.replace("$", "")]
            if isinstance(s.items[item.name], str) and item.name not in t.headline:
                right = [ws.cell(row=cell.row, column=c).value for c in range(cell.column + 1, cell.column + 5)]
                assert ws.column_dimensions[cell.column_letter].width >= len(s.items[item.name]) or \
                    right == [None] * 4, f"{sheet.name}: {item.name} is cut off"
        if sheet.rows:
            assert ws.freeze_panes.startswith("C"), sheet.name


def test_inputs_show_values_as_they_are_typed(case):
    t, _, _, wb, _ = case
    ws = wb["Inputs"]
    for inp in t.inputs:
        (_, ref), = list(wb.defined_names[inp.name].destinations)
        fmt = ws[ref.replace("$", "")].number_format
        assert not re.search(r'[0#],(?=[,"\s]|$)', fmt.replace("#,##", "")), (inp.name, fmt)  # no display scaling


def test_an_overridden_input_says_so():
    # the smallest template (the writer words every template's inputs alike): a plain input
    # (arpu) and an uncertain one (users, its low / base / high)
    wb = load_workbook(io.BytesIO(render("unit-economics", {"arpu": 25, "users": 2000})))

    def source(name):
        (_, ref), = list(wb.defined_names[name].destinations)
        return wb["Inputs"].cell(row=int(re.search(r"(\d+)$", ref).group(1)), column=5).value

    assert source("arpu").startswith("Set for this plan; the default 20 has the source:")
    assert source("users").startswith("Set for this plan; the default 500 / 1000 / 2000 (low / base / high) has the "
                                      "source:")


def test_a_named_api_models_prices_say_where_they_come_from():
    wb = load_workbook(io.BytesIO(render("unit-economics", {"api_model": "claude-sonnet-4-5",
                                                            "api_price_date": "2026-11-01"})))

    def cell(name, column):
        (_, ref), = list(wb.defined_names[name].destinations)
        return wb["Inputs"].cell(row=int(re.search(r"(\d+)$", ref).group(1)), column=column).value

    # Claude Sonnet 4.5 on 2026-11-01 [GenaiPrices2026]: $6 input above its 200,000-token tier
    assert (cell("context_tier_start_tokens", 2), cell("context_tier_input_price_per_m_tokens", 2)) == (200_000, 6)
    for name in ("input_price_per_m_tokens", "context_tier_input_price_per_m_tokens", "context_tier_start_tokens"):
        source = cell(name, 5)  # model, provider, date and the price data, not "Set for this plan"
        assert source.startswith("claude-sonnet-4-5 (anthropic) on 2026-11-01, genai-prices "), (name, source)
        assert "[GenaiPrices2026]" in source, name
    assert cell("api_model", 5).startswith("Set for this plan; the default none has the source:")


def test_about_sheet_names_the_versions_and_the_inputs():
    import costlib
    from costlib.workbook.writer import inputs_fingerprint

    s = schedule("budget")
    ws = default_book("budget")["About"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert f"costlib {costlib.__version__}" in text and inputs_fingerprint(s.inputs) in text
    assert all(name in text for name in ("Summary", "Inputs", "Checks", "Catalogue"))


def test_timeline_columns_leave_twelve_months_visible():
    ws = default_book("budget")["Build"]
    # Excel's default font: about 7 px a character plus 5 of padding; 1366 px less ~60 of row headers and borders
    frozen = sum(ws.column_dimensions[c].width for c in "AB")
    month = ws.column_dimensions["C"].width
    assert (1366 - 60 - (7 * frozen + 5 * 2)) / (7 * month + 5) >= 12
