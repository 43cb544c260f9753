"""costlib.workbook.writer: a template laid out as a workbook that computes nothing of its own.

One workbook of the tiny template (tests/tiny_template.py, with a chart), rendered once for
the module; expected numbers are that file's hand computation. The packaged templates'
workbooks are read in tests/test_workbooks_*.py and recalculated by LibreOffice and Gnumeric
in tests/test_workbooks_recalc.py.
"""

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter

import tiny_template
from costlib.plan import load_template, resolve_inputs, schedule
from costlib.errors import InputError
from costlib.workbook.writer import FORMATS, INPUT_FORMATS, RANGE_CELLS, RANGE_DRAWS, build_workbook, \
    comparison_bytes, inputs_fingerprint, range_draws, workbook_bytes

CHART = '\n[[charts]]\nsheet = "Plan"\ntitle = "Spend"\ny_title = "USD"\nrows = ["spend"]\n'


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_template(str(tiny_template.write(tmp_path_factory.mktemp("tiny"), tiny_template.TEXT + CHART)))


@pytest.fixture(scope="module")
def data(tiny):
    return workbook_bytes(build_workbook(tiny, resolve_inputs(tiny)))


@pytest.fixture(scope="module")
def book(data):
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def cached(data):
    return openpyxl.load_workbook(io.BytesIO(data), data_only=True)


def destination(book, name):
    (sheet, ref), = book.defined_names[name].destinations
    return sheet, ref


def test_the_first_sheet_first_then_inputs_then_what_costlib_adds(book):
    assert book.sheetnames == ["Plan", "Inputs", "Ranges", "Checks", "Catalogue", "About"]


def test_every_input_item_and_row_is_a_defined_name(book, tiny):
    names = set(book.defined_names.keys())
    assert {i.name for i in tiny.inputs} | set(tiny.items) | set(tiny.rows) | {"checks_ok"} <= names
    assert destination(book, "gpus")[0] == "Inputs"


def test_a_row_name_spans_its_timeline_from_column_c(book):
    sheet, ref = destination(book, "spend")
    first, last = ref.replace("$", "").split(":")
    assert sheet == "Plan" and first[0] == "C" and last[0] == "E"  # three months: C, D, E


def test_one_formula_across_each_row(book):
    ws = book["Plan"]
    for name in ("gpus_used", "spend"):
        _, ref = destination(book, name)
        row = int(re.sub(r"[^0-9:]", "", ref).split(":")[0])
        texts = [ws.cell(row, c).value for c in range(3, 6)]
        # the formula of column C with C written as that column's letter is each column's formula
        assert texts == [re.sub(r"\bC(?=\$?\d)", get_column_letter(c), texts[0]) for c in range(3, 6)]


def test_the_cached_values_are_the_hand_computation(book, cached):
    _, ref = destination(book, "spend")
    row = int(re.sub(r"[^0-9:]", "", ref).split(":")[0])
    ws = cached["Plan"]
    assert [ws.cell(row, c).value for c in range(3, 6)] == pytest.approx(tiny_template.SPEND, rel=1e-12)
    sheet, cell = destination(book, "total_spend")
    assert cached[sheet][cell.replace("$", "")].value == pytest.approx(tiny_template.TOTAL_SPEND, rel=1e-12)


def test_the_master_check_is_cached_true(book, cached):
    sheet, cell = destination(book, "checks_ok")
    assert cached[sheet][cell.replace("$", "")].value is True


def test_each_input_is_validated_in_its_cell(book, tiny):
    ws = book["Inputs"]
    validated = {str(cell) for dv in ws.data_validations.dataValidation for cell in dv.sqref}
    for inp in tiny.inputs:
        _, cell = destination(book, inp.name)
        if inp.range is None:
            assert cell.replace("$", "") in validated, inp.name


def test_an_uncertain_input_has_low_base_and_high_and_its_value_by_scenario(book, cached):
    _, cell = destination(book, "price_per_gpu_hour")
    r = int(cell.split("$")[-1])
    ws = cached["Inputs"]
    assert [ws.cell(r, c).value for c in (7, 8, 9)] == [1.5, 2.0, 3.0]  # G, H, I: the template's range
    # the downside end is the high one (tiny_template: a dearer GPU-hour), the upside the low one
    assert book["Inputs"].cell(r, 2).value == f'=IF(scenario="downside",I{r},IF(scenario="upside",G{r},H{r}))'
    assert ws.cell(r, 2).value == 2.0  # base


def test_every_chart_axis_says_it_is_shown(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        for name in charts:
            xml = z.read(name)
            axes = xml.count(b"<c:catAx>") + xml.count(b"<c:valAx>")
            assert axes == 2 and xml.count(b'<c:delete val="0"/>') == axes


def test_the_about_sheet_carries_the_inputs_fingerprint(cached, tiny):
    fingerprint = inputs_fingerprint(resolve_inputs(tiny))
    assert any(row[1] == fingerprint for row in cached["About"].iter_rows(values_only=True, max_col=2))


def test_inputs_fingerprint():
    a = inputs_fingerprint({"gpus": 8.0, "months": 3})
    assert re.fullmatch(r"[0-9a-f]{12}", a)
    assert inputs_fingerprint({"months": 3, "gpus": 8.0}) == a  # the order of the keys does not matter
    assert inputs_fingerprint({"gpus": 8.000001, "months": 3}) != a


@pytest.mark.parametrize("months,draws", [
    (1, 10_000),      # capped at RANGE_DRAWS
    (36, 10_000),     # 360,000 cells / 36 months
    (120, 3_000),     # 360,000 / 120
    (1000, 1_000),    # never below 1,000 draws
])
def test_range_draws(months, draws):
    assert (RANGE_DRAWS, RANGE_CELLS) == (10_000, 360_000)
    assert range_draws(months) == draws


#: a thousands comma before a semicolon, a quote or the end scales the display by 1,000 per comma
SCALING = re.compile(r"0,+(?=[;\"]|$)")


def test_the_input_formats_templates_use_never_scale_what_is_typed():
    assert SCALING.search(FORMATS["millions"])  # the control: the report's millions do scale
    used = {i.format for name in ("budget", "build-vs-buy", "finetune-vs-prompt", "unit-economics")
            for i in load_template(name, formulas=False).inputs}
    assert not [f for f in used if SCALING.search(INPUT_FORMATS[f])]


@pytest.mark.xfail(strict=True, reason="INPUT_FORMATS = {**FORMATS, ...} keeps the timeline formats usd_thousands "
                                       "and millions_whole, which scale: an input given one would show 2,500 as 3")
def test_no_input_format_scales_what_is_typed():
    assert not [k for k, f in INPUT_FORMATS.items() if SCALING.search(f)]


def test_a_comparison_puts_scenarios_side_by_side(tiny):
    base, double = schedule(tiny), schedule(tiny, {"gpus": 16})
    ws = openpyxl.load_workbook(io.BytesIO(comparison_bytes(tiny, [("base", base), ("double", double)])))["Comparison"]
    rows = {row[2]: row[3:5] for row in ws.iter_rows(values_only=True) if row[2]}
    assert rows["Defined name"] == ("base", "double")
    assert rows["gpus"] == (8, 16)
    # spend is proportional to GPUs: twice the GPUs, twice the total (38,660.8 x 2)
    assert rows["total_spend"] == pytest.approx((tiny_template.TOTAL_SPEND, 2 * tiny_template.TOTAL_SPEND), rel=1e-12)


def test_a_comparison_refuses_two_currencies():
    usd, eur = schedule("budget"), schedule("budget", {"currency": "EUR"})
    with pytest.raises(InputError, match=r"currency must be the same in every scenario of one comparison \(its rows share one unit\), "
                                          r"got EUR, USD"):
        comparison_bytes(load_template("budget"), [("a", usd), ("b", eur)])
