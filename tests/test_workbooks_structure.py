"""Finance conventions of the generated workbooks, checked on the file itself (no engine)."""

import re
from pathlib import Path

import pytest
from openpyxl.utils import column_index_from_string, get_column_letter

from rendered import default_book, default_bytes

from costlib.plan import schedule
from costlib.plan import load_template, template_names
from costlib.workbook.writer import BLUE, FIRST_COL, LIGHT_FILL

TEMPLATES = template_names()
ROOT = Path(__file__).resolve().parents[1]
# dynamic-array and modern functions that LibreOffice or older Excel cannot compute
MODERN = re.compile(r"\b(XLOOKUP|XMATCH|LET|LAMBDA|FILTER|SORT|SORTBY|UNIQUE|SEQUENCE|RANDARRAY|TEXTJOIN|IFS|"
                    r"SWITCH|MAXIFS|MINIFS|CONCAT)\(")
# universal constants and small positions (ROUND digits, INDEX positions) a formula may hold
# universal constants, and the relative tolerance 1E-9 of the checks' reconciliations (agree)
# and the display scales of a sentence's figures (as_text: millions, billions, trillions)
ALLOWED_LITERALS = {"0", "1", "2", "3", "4", "6", "9", "12", "1E6", "1E12", "3600", "100", "1E-9",
                    "1E-6", "0.001", "1E-12", "730", "1000", "0.000001", "61",
                    "0.5"}  # 730 h: an average month, 8,760 / 12; 0.5: bytes per int4 weight


@pytest.fixture(scope="module", params=TEMPLATES)
def book(request):
    return load_template(request.param), default_book(request.param)


def test_four_templates_exist():
    assert set(TEMPLATES) == {"budget", "build-vs-buy", "finetune-vs-prompt", "unit-economics"}  # the four templates in templates/ (README.md)


def test_budget_defined_names():
    wb = default_book("budget")
    required = ["params", "train_tokens", "gpu", "mfu", "train_price_per_gpu_hour", "serve_price_per_gpu_hour",
                "tokens_per_second", "utilization", "api_price_per_m_tokens", "monthly_tokens", "monthly_growth",
                "months", "training_cost", "total_capex", "total_opex", "self_host_cost_per_m_tokens",
                "utilization_breakeven"]  # requirement: at least these defined names
    assert not [n for n in required if n not in wb.defined_names]


def test_inputs_are_styled_named_validated_and_only_on_inputs(book):
    t, wb = book
    ws = wb["Inputs"]
    validated = {str(ref) for dv in ws.data_validations.dataValidation for ref in dv.sqref.ranges}
    for inp in t.inputs:
        (sheet, ref), = list(wb.defined_names[inp.name].destinations)
        assert sheet == "Inputs"
        cell = ws[ref.replace("$", "")]
        row = cell.row
        # an uncertain input's typed cells are its Low, Base and High; its value is chosen by formula
        typed = [ws.cell(row=row, column=c) for c in (7, 8, 9)] if inp.range else [cell]
        for c in typed:
            assert c.font.color.rgb.endswith(BLUE[1:]) and c.fill.fgColor.rgb.endswith(LIGHT_FILL[1:]), inp.name
            if inp.type != "text":
                assert c.coordinate in validated, (inp.name, c.coordinate)
        if inp.range:
            assert str(cell.value).startswith("=IF(scenario=") and not cell.fill.fgColor.rgb.endswith(LIGHT_FILL[1:])
        assert ws.cell(row=row, column=3).value == inp.unit and ws.cell(row=row, column=5).value  # unit, source
    for other in wb.worksheets:
        if other.title == "Inputs":
            continue
        for r in other.iter_rows():
            for c in r:
                assert not str(c.fill.fgColor.rgb).endswith(LIGHT_FILL[1:]), f"input-styled cell on {other.title}"


def test_one_formula_across_each_timeline_row(book):
    t, wb = book
    for name, (sheet, row) in t.rows.items():
        ws = wb[sheet.name]
        (_, ref), = list(wb.defined_names[name].destinations)
        r = int(re.search(r"\$(\d+):", ref).group(1))
        last = re.search(r":\$([A-Z]+)\$", ref).group(1)
        shapes = set()
        for c in range(FIRST_COL, column_index_from_string(last) + 1):
            letter = get_column_letter(c)
            formula = ws.cell(row=r, column=c).value
            assert isinstance(formula, str) and formula.startswith("="), f"{name} {letter}{r}"
            # relative references differ only by the column letter: fold it
            shapes.add(re.sub(rf"(?<![A-Z$0-9.]){letter}(?=\$?\d)", "<col>", formula))
        assert len(shapes) == 1, f"{name}: {shapes}"


def test_classic_formulas_without_hard_coded_numbers(book):
    t, wb = book
    for ws in wb.worksheets:
        for r in ws.iter_rows():
            for c in r:
                if isinstance(c.value, str) and c.value.startswith("="):
                    f = c.value
                    assert not MODERN.search(f.upper()), f"{ws.title}!{c.coordinate}: {f}"
                    bare = re.sub(r'"[^"]*"', "", f)  # text in quotes
                    bare = re.sub(r"\$?[A-Z]{1,3}\$?\d+", "", bare)  # cell references
                    bare = re.sub(r"[A-Za-z_][A-Za-z0-9_.]*", "", bare)  # names and functions
                    literals = set(re.findall(r"\d+(?:\.\d+)?(?:E-?\d+)?", bare))
                    bounds = {str(i.maximum) for i in t.inputs if isinstance(i.maximum, (int, float))}
                    assert literals <= ALLOWED_LITERALS | bounds, f"{ws.title}!{c.coordinate}: {f} has {literals}"


def test_capex_and_opex_never_share_a_sheet(book):
    t, _ = book
    for sheet in t.sheets:
        sections = {row.section for row in sheet.rows} - {"memo", "summary"}
        assert len(sections) <= 1, f"{sheet.name} mixes {sections}"


def test_timeline_frozen_and_charts_present(book):
    t, wb = book
    for sheet in t.sheets:
        if sheet.rows:
            assert wb[sheet.name].freeze_panes is not None, sheet.name
    for chart in t.charts:
        assert wb[chart["sheet"]]._charts, chart["title"]


def test_schedule_sections_are_separate():
    s = schedule("budget")
    assert set(s.capex.index) == {"build_final_run", "build_research", "build_failed_runs", "build_data_preparation",
                                  "build_finetune", "build_training_staff", "build_contingency", "gpu_purchases",
                                  "gpu_contingency", "gpus_capitalised",
                                  "build_total"}
    assert "opex_total" in s.opex.index and not set(s.capex.index) & set(s.opex.index)


@pytest.mark.parametrize("name", ["budget", "build-vs-buy", "finetune-vs-prompt", "unit-economics"])
def test_committed_example_workbooks_are_fresh(name):
    committed = ROOT / "workbooks" / f"{name}.xlsx"
    assert committed.exists(), f"run: python scripts/make_workbooks.py ({committed} is missing)"
    assert committed.read_bytes() == default_bytes(name), f"{committed} is stale: run python scripts/make_workbooks.py"
