"""The Excel functions inside a real model: the inputs its cells hold, one result per cell.

Driven through xlwings's own custom-function machinery (``xlwings.server``), as Excel
(xlwings Lite, xlwings Server) calls them; tests/test_addin.py holds the registration and
the table of bad single-cell inputs.
"""

import asyncio
import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
import xlwings as xw
from xlwings import server

import costlib
import costlib.excel
import costlib_udfs
from costlib_udfs import CellError

NUM = {"type": "Error", "errorType": "Num"}          # what Office.js shows as #NUM!
VALUE = {"type": "Error", "errorType": "Value"}      # #VALUE!
NA = {"type": "Error", "errorType": "NotAvailable"}  # #N/A


def xl_call(name, *args):
    data = {"func_name": name, "args": [a if a is None or isinstance(a, list) else [[a]] for a in args],
            "version": xw.__version__, "client": "Office.js", "runtime": "1.4", "caller_address": None}
    return asyncio.run(server.custom_functions_call(data, costlib_udfs))


def why(name, *args):
    """COSTLIB_MESSAGE with the same arguments (Office.js sends the repeating argument as one list)."""
    return xl_call("COSTLIB_MESSAGE", name, [a if isinstance(a, list) else [[a]] for a in args])


# --- one bad element: an error in its own cell only --------------------------------------

def test_bad_mfu_row_is_an_error_in_that_row_only():
    mfu = [[0.4], [1.4], [0.5]]  # the column
    got = xl_call("TRAIN_COST", 70e9, 15e12, 2, None, mfu)
    assert got[0][0] == pytest.approx(costlib.train_cost(70e9, 15e12, 2, mfu=0.4), rel=1e-12)
    assert got[1][0] == NUM
    assert got[2][0] == pytest.approx(costlib.train_cost(70e9, 15e12, 2, mfu=0.5), rel=1e-12)
    assert why("TRAIN_COST", 70e9, 15e12, 2, None, mfu) == [
        ["ok"], ["mfu must be in (0, 1], got 1.4"], ["ok"]]


def test_each_kind_of_bad_cell_keeps_its_own_error_and_message():
    params = [[7e9], [None], ["x"], [-5], [{"type": "Error", "basicValue": "#DIV/0!"}], [True]]
    got = xl_call("TRAIN_COST", params, 1e12, 2)
    assert got[0][0] == pytest.approx(costlib.train_cost(7e9, 1e12, 2))
    assert got[1:] == [[VALUE], [VALUE], [NUM], [{"type": "Error", "errorType": "Div0"}], [VALUE]]  # #DIV/0! passes through
    assert why("TRAIN_COST", params, 1e12, 2) == [
        ["ok"],
        ["params is required, got a blank cell (row 2, column 1 of its range)"],
        ["params must be a number, got text 'x' (row 3, column 1 of its range)"],
        ["params must be > 0, got -5"],
        ["params is the error #DIV/0! in its cell (row 5, column 1 of its range)"],
        ["params must be a number, got True (row 6, column 1 of its range)"],
    ]


def test_a_table_keeps_every_good_cell():
    # a column of sizes against a row of MFUs, one MFU out of range: only its column fails
    got = np.array(xl_call("TRAIN_GPU_HOURS", [[7e9], [70e9]], 1e12, None, [[0.4, 1.4, 0.5]]), dtype=object)
    assert got.shape == (2, 3)
    assert list(got[:, 1]) == [NUM, NUM]
    want = costlib.train_gpu_hours(np.array([[7e9], [70e9]]), 1e12, mfu=np.array([[0.4, 0.5]]))
    np.testing.assert_allclose(got[:, [0, 2]].astype(float), want, rtol=1e-12)


def test_sum_of_a_range_cannot_skip_an_error():
    """The property the classic add-in's text errors broke: no element is text."""
    got = xl_call("TOKEN_COST", [[2.5], [2.0]], [[2000], [0]], 0.6)
    assert all(isinstance(v, float) or v == NUM for row in got for v in row)
    assert got[1][0] == NUM


def test_shapes_that_do_not_fit_are_one_error_naming_both():
    with pytest.raises(CellError, match=r"^arguments do not broadcast to one shape: params 2x1 cells, "
                                        r"tokens 3x1 cells$"):
        xl_call("TRAIN_COST", [[1e9], [2e9]], [[1e12], [2e12], [3e12]], 2)


# --- blanks in an optional argument's range: that row takes the default -------------------

def test_blank_override_cell_takes_the_default_for_that_row():
    # the "override column, blank means default" pattern: utilization blank in row 2
    got = xl_call("TOKEN_COST", [[2.5], [2.5], [2.5]], 2000, [[0.2], [None], [""]])
    assert got == [[pytest.approx(costlib.token_cost(2.5, 2000, 0.2))], [pytest.approx(costlib.token_cost(2.5, 2000))],
                   [pytest.approx(costlib.token_cost(2.5, 2000))]]


def test_blank_in_an_optional_range_whose_default_is_not_a_number():
    # cached_input_price_per_m_tokens: blank means "the input price", per row
    cached = [[0.3], [None]]
    got = xl_call("API_COST_PER_QUERY", 1500, 500, 3.0, 15.0, 0.5, cached)
    assert got[0][0] == pytest.approx(costlib.api_cost_per_query(1500, 500, 3.0, 15.0, 0.5, 0.3), rel=1e-12)
    assert got[1][0] == pytest.approx(costlib.api_cost_per_query(1500, 500, 3.0, 15.0, 0.5), rel=1e-12)


def test_blank_gpu_name_in_a_range_takes_the_default_gpu():
    got = xl_call("TRAIN_GPU_HOURS", 70e9, 15e12, [["A100"], [None]])
    assert got == [[pytest.approx(costlib.train_gpu_hours(70e9, 15e12, gpu="A100"))],
                   [pytest.approx(costlib.train_gpu_hours(70e9, 15e12))]]


# --- the inputs real models hold ------------------------------------------------------------

@pytest.mark.parametrize("text,number", [
    ("2", 2.0), (" 2.5 ", 2.5), ("1,000", 1000.0), ("$2.50", 2.5), ("40%", 0.4), ("(3)", -3.0),
    ("-1.5E3", -1500.0), ("1\u00a0000", 1000.0), (".5", 0.5),
])  # as Excel's VALUE reads them (en-US)
def test_numeric_text_from_imports_is_its_number(text, number):
    assert xl_call("TOKEN_COST", text, 2000) == [[pytest.approx(costlib.token_cost(number, 2000))]] \
        if number >= 0 else True
    assert costlib.excel.numeric_text(text) == pytest.approx(number)


@pytest.mark.parametrize("text", ["abc", "1,00", "2 dollars", "(3", "--2", "1.2.3", "$", "%"])
def test_other_text_is_refused_naming_the_argument(text):
    with pytest.raises(CellError, match=rf"^price_per_gpu_hour must be a number, got text "):
        xl_call("TOKEN_COST", text, 2000)


def test_currency_cells_arrive_as_decimal_in_the_classic_add_in():
    # Range.Value of a Currency- or Accounting-formatted cell is a COM CY: decimal.Decimal
    assert costlib_udfs.TOKEN_COST(Decimal("2.5"), 2000) == costlib.token_cost(2.5, 2000)
    got = costlib_udfs.TOKEN_COST(((Decimal("2.5"),), (Decimal("2"),)), 2000)
    np.testing.assert_allclose(np.array(got)[:, 0], costlib.token_cost(np.array([2.5, 2.0]), 2000), rtol=1e-15)


def test_a_date_where_a_number_is_meant_is_refused_naming_the_argument():
    with pytest.raises(CellError, match=r"^price_per_gpu_hour must be a number, got a date \(2026-01-01\)$"):
        costlib_udfs.TOKEN_COST(dt.datetime(2026, 1, 1), 2000)


def test_a_date_as_years_is_refused_never_read_as_zero():
    # the classic add-in reads a date cell as a datetime
    with pytest.raises(CellError, match=r"^years must be a number of years, got a date \(2026-01-01\)$"):
        costlib_udfs.PRICE_AFTER_DECLINE(3.0, 0.9, dt.datetime(2026, 1, 1))
    # Office.js sends it as its serial number: 46023 is 2026-01-01 (Excel's 1900 date system)
    assert xl_call("PRICE_AFTER_DECLINE", 3.0, 0.9, 46023) == [[NUM]]
    assert why("PRICE_AFTER_DECLINE", 3.0, 0.9, 46023) == [[
        "years must be a number of years (at most 200), got 46023, which looks like a date (2026-01-01)"]]
    # a number of years too large to be a plan, and too small to be a date: no talk of dates
    assert why("PRICE_AFTER_DECLINE", 3.0, 0.01, 250) == [["years must be a number of years (at most 200), got 250"]]
    assert xl_call("PRICE_AFTER_DECLINE", 3.0, 0.9, 2) == [[pytest.approx(0.03)]]  # 3 x 0.1^2


# --- reasons where no value exists -------------------------------------------------------------

@pytest.mark.parametrize("name,args,reason", [
    ("BREAKEVEN", (1000, 0.3, 0.35), "no break-even: cost >= price (own cost 0.35, price 0.3)"),
    ("UTILIZATION_BREAKEVEN", (5, 3), "never: full load costs 5 per 1 M tokens, more than the API price 3"),
    ("UTILIZATION_BREAKEVEN", (0.35, 0), "no break-even: the API price is 0"),
    ("BREAKEVEN_AFTER_DECLINE", (1000, 3.0, 0.35, 0.9, 1),
     "no break-even after the decline: the price falls to 0.3 in 1 years, at or below own cost 0.35"),
    ("BREAKEVEN_AFTER_DECLINE", (1000, 0.3, 0.35, 0.5, 1), "no break-even: cost >= price today (own cost 0.35, price 0.3)"),
    ("MONTHS_TO_BREAKEVEN", (1e6, 0), "never: the monthly saving is 0, not positive"),
])
def test_no_value_is_an_na_error_with_the_right_reason(name, args, reason):
    assert xl_call(name, *args) == [[NA]]
    with pytest.raises(CellError) as info:
        costlib.excel.evaluate(costlib.excel.BY_NAME[name], args)
    assert str(info.value) == reason
    assert info.value.excel_error == "#N/A"
    assert why(name, *args) == [[reason]]


def test_reason_per_row_in_a_range():
    got = why("UTILIZATION_BREAKEVEN", [[0.35], [5], [0.35]], [[3.0], [3.0], [0.0]])
    assert got == [["ok"], ["never: full load costs 5 per 1 M tokens, more than the API price 3"],
                   ["no break-even: the API price is 0"]]


# --- registration: category, dropdowns, caching --------------------------------------------------

@pytest.fixture(scope="module")
def meta():
    return {f["name"]: f for f in server.custom_functions_meta(costlib_udfs)["functions"]}


def test_choice_arguments_are_dropdowns(meta):
    enums = {e["id"]: [v["stringValue"] for v in e["values"]] for e in server.custom_functions_meta(costlib_udfs).get("enums", [])}
    assert enums["WEIGHT_BYTES.PRECISION"] == list(costlib.BYTES_PER_PARAM)
    assert enums["GPU_PRICE.TIER"] == ["reserved", "on_demand", "spot", "1_year", "3_year"]
    assert enums["API_PRICE.KIND"] == ["input", "cached_input", "cache_write", "output"]


def test_functions_are_pure_and_in_the_costlib_category():
    for spec in costlib_udfs.FUNCTIONS:
        info = getattr(costlib_udfs, spec.name).__xlfunc__
        assert info.get("cache") is True, spec.name
        assert info.get("category", "costlib") == "costlib", spec.name


def test_message_names_an_unknown_function():
    assert why("TRAIN_COSTS", 1) == [["function_name must be the name of a costlib function such as TRAIN_COST, "
                                      "got text 'TRAIN_COSTS'"]]


# --- whole columns: the used rows computed, blanks past them ------------------------------------

def test_a_whole_column_gives_its_rows_and_blanks_past_the_data():
    rows = 1_048_576  # a worksheet column (Excel 2007 and later)
    prices = [[2.5], [None], [2.0]] + [[None]] * (rows - 3)  # row 2 blank inside the data
    speeds = [[2000], [2000], [1000]] + [[None]] * (rows - 3)
    got = xl_call("TOKEN_COST", prices, speeds, 0.6)
    assert len(got) == rows
    assert got[0][0] == pytest.approx(costlib.token_cost(2.5, 2000, 0.6))
    assert got[1] == [VALUE]  # a required blank inside the data is still an error
    assert got[2][0] == pytest.approx(costlib.token_cost(2.0, 1000, 0.6))
    assert all(r == [""] for r in got[3:])  # blanks, not errors: SUM over the column is the data's
    assert why("TOKEN_COST", prices[:4], speeds[:4], 0.6)[1] == [
        "price_per_gpu_hour is required, got a blank cell (row 2, column 1 of its range)"]


def test_an_empty_whole_column_is_blank():
    assert xl_call("TOKEN_COST", [[None]] * 1000, [[None]] * 1000) == [[""]] * 1000
