"""Errors like Excel's own, in both runtimes: tables of cases.

Each case runs three ways: directly (``costlib.excel.evaluate``, the runtime-free meaning),
through xlwings's Office.js custom-function machinery (xlwings Lite and Server, as
tests/test_addin.py drives it) and through the add-in's classic representation (the
classic desktop runtime, XLWINGS_ON_SERVER unset; tests/test_addin_classic.py follows it
through xlwings's classic code to Excel).
"""

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import xlwings as xw
from xlwings import server

import costlib
import costlib.excel
import costlib_udfs
from costlib.excel import BY_NAME, CellError, evaluate

#: Office.js error values (xlwings.pro._xlofficejs.errorstr_to_errortype) and the COM codes the
#: classic runtime hands over (xlwings._xlwindows.cell_errors), per Excel error.
OFFICE_JS = {"#DIV/0!": "Div0", "#N/A": "NotAvailable", "#NAME?": "Name", "#NULL!": "Null", "#NUM!": "Num",
             "#REF!": "Ref", "#VALUE!": "Value"}
COM = {"#DIV/0!": -2146826281, "#N/A": -2146826246, "#NAME?": -2146826259, "#NULL!": -2146826288,
       "#NUM!": -2146826252, "#REF!": -2146826265, "#VALUE!": -2146826273}


def xl_call(name, *args):
    data = {"func_name": name, "args": [a if a is None or isinstance(a, list) else [[a]] for a in args],
            "version": xw.__version__, "client": "Office.js", "runtime": "1.4", "caller_address": None}
    return asyncio.run(server.custom_functions_call(data, costlib_udfs))


def office_js_error(code):
    return {"type": "Error", "errorType": OFFICE_JS[code]}


def shown_by_office_js(name, *args):
    """What an Office.js cell shows: a value, an error value, or #VALUE! raised with its message."""
    try:
        return xl_call(name, *args)
    except CellError as exc:
        assert exc.excel_error == "#VALUE!"  # only #VALUE! is raised: Excel shows it with the message
        return [[office_js_error("#VALUE!")]]


def shown_by_classic(monkeypatch, name, *args):
    monkeypatch.delenv("XLWINGS_ON_SERVER")
    result = getattr(costlib_udfs, name)(*args)
    monkeypatch.setenv("XLWINGS_ON_SERVER", "true")
    return result


# --- an error in passes through as itself ------------------------------------------------------

@pytest.mark.parametrize("code", list(OFFICE_JS))
@pytest.mark.parametrize("runtime", ["officejs", "com"])
def test_an_error_value_in_gives_the_same_error_out(code, runtime):
    """``#N/A`` in gives ``#N/A`` out, so IFNA around a lookup-fed call works (Excel's own
    functions propagate an argument's error the same way)."""
    cell = {"type": "Error", "basicValue": code, "errorType": OFFICE_JS[code]} if runtime == "officejs" else COM[code]
    with pytest.raises(CellError) as info:
        evaluate(BY_NAME["TOKEN_COST"], (cell, 2000))
    assert info.value.excel_error == code
    assert str(info.value) == f"price_per_gpu_hour is the error {code} in its cell"
    assert shown_by_office_js("TOKEN_COST", cell, 2000) == [[office_js_error(code)]]
    ranged = shown_by_office_js("TOKEN_COST", [[2.5], [cell]], 2000)
    assert ranged[1] == [office_js_error(code)] and isinstance(ranged[0][0], float)


def test_an_error_value_in_the_classic_runtime_is_its_null(monkeypatch):
    assert shown_by_classic(monkeypatch, "TOKEN_COST", COM["#N/A"], 2000) is None  # Excel: #VALUE! (no #N/A there)


# --- one error code per condition, whatever the shape ----------------------------------------------

CONDITIONS = [
    # (condition, function, arguments of a single cell, the argument at fault, a good value of it, Excel error);
    # in the range form the argument at fault is a column: its bad cell, then a good one
    ("no break-even", "BREAKEVEN", (1000, 0.3, 0.35), 1, 3.0, "#N/A"),
    ("no utilisation break-even", "UTILIZATION_BREAKEVEN", (5, 3), 0, 0.35, "#N/A"),
    ("never paid back", "MONTHS_TO_BREAKEVEN", (1e6, 0), 1, 5e4, "#N/A"),
    ("value outside its rule", "TRAIN_COST", (70e9, 15e12, 2, "H100", 1.4), 4, 0.4, "#NUM!"),
    ("negative price", "TOKEN_COST", (-1, 2000), 0, 2.5, "#NUM!"),
    ("years that look like a date", "PRICE_AFTER_DECLINE", (3.0, 0.9, 46023), 2, 2, "#NUM!"),
    ("result overflows", "TOKEN_COST", (1e308, 1e-300), 0, 2.5, "#NUM!"),
    ("unknown accelerator", "GPU_SPEC", ("H1000", "bandwidth"), 0, "H100", "#N/A"),
    ("text where a number is meant", "TOKEN_COST", ("abc", 2000), 0, 2.5, "#VALUE!"),
    ("TRUE where a number is meant", "TOKEN_COST", (True, 2000), 0, 2.5, "#VALUE!"),
    ("a date where a number is meant", "TOKEN_COST", (dt.datetime(2026, 1, 1), 2000), 0, 2.5, "#VALUE!"),
    ("a required blank", "TOKEN_COST", ([[None]], 2000), 0, 2.5, "#VALUE!"),
]
IDS = [c[0] for c in CONDITIONS]


def _ranged(args, at, good):
    bad = args[at][0][0] if isinstance(args[at], list) else args[at]
    return args[:at] + ([[bad], [good]],) + args[at + 1:]


@pytest.mark.parametrize("condition,name,args,at,good,code", CONDITIONS, ids=IDS)
def test_one_code_per_condition_in_a_single_cell_and_in_a_range(condition, name, args, at, good, code):
    spec = BY_NAME[name]
    with pytest.raises(CellError) as single:
        evaluate(spec, args)
    ranged = evaluate(spec, _ranged(args, at, good))
    assert single.value.excel_error == ranged[0][0].excel_error == code, condition
    assert not isinstance(ranged[1][0], CellError)  # the good cell keeps its value
    # through Office.js: the same error value in one cell and in its cell of the spilled range
    if not isinstance(args[at], dt.datetime):  # Office.js sends dates as numbers: see the data-type cases
        assert shown_by_office_js(name, *args) == [[office_js_error(code)]]
        assert shown_by_office_js(name, *_ranged(args, at, good))[0] == [office_js_error(code)]


@pytest.mark.parametrize("condition,name,args,at,good,code", CONDITIONS, ids=IDS)
def test_every_condition_is_a_null_in_the_classic_runtime(monkeypatch, condition, name, args, at, good, code):
    assert shown_by_classic(monkeypatch, name, *args) is None, condition
    assert shown_by_classic(monkeypatch, name, *_ranged(args, at, good))[0] == [None], condition


# --- Office.js data-type values are read as their value ---------------------------------------------

FORMATTED = {"type": "FormattedNumber", "basicValue": 2.5, "numberFormat": "$#,##0.00"}
DATA_TYPES = [
    # (argument cell as Office.js sends it, what it is read as, or the refusal)
    (FORMATTED, 2.5, None),
    ({"type": "FormattedNumber", "basicValue": 2.5}, 2.5, None),
    ({"type": "Double", "basicValue": 2.5, "numberFormat": "0.00"}, 2.5, None),
    ({"type": "FormattedNumber", "basicValue": 0.25, "numberFormat": "0%"}, 0.25, None),
    ({"type": "String", "basicValue": "2.5"}, 2.5, None),  # numeric text, as Excel's own functions read it
    ({"type": "FormattedNumber", "basicValue": 46023, "numberFormat": "m/d/yyyy"}, None,
     "price_per_gpu_hour must be a number, got a date (2026-01-01)"),  # the classic runtime's message, word for word
    ({"type": "FormattedNumber", "basicValue": 46023, "numberFormat": "yyyy-mm-dd"}, None,
     "price_per_gpu_hour must be a number, got a date (2026-01-01)"),
    ({"type": "Boolean", "basicValue": True}, None, "price_per_gpu_hour must be a number, got True"),
    ({"type": "Entity", "text": "H100", "properties": {}}, None,
     "price_per_gpu_hour must be a number, got a data type value (Entity)"),
]


@pytest.mark.parametrize("cell,number,refusal", DATA_TYPES, ids=[str(i) for i in range(len(DATA_TYPES))])
def test_data_type_values_are_read_as_their_value(cell, number, refusal):
    if refusal is None:
        assert xl_call("TOKEN_COST", cell, 2000) == [[pytest.approx(costlib.token_cost(number, 2000))]]
        assert xl_call("TOKEN_COST", [[cell], [2.0]], 2000)[0][0] == pytest.approx(costlib.token_cost(number, 2000))
    else:
        with pytest.raises(CellError, match=f"^{refusal.replace('(', '[(]').replace(')', '[)]')}$"):
            xl_call("TOKEN_COST", cell, 2000)


def test_a_date_is_refused_with_the_same_message_in_both_runtimes(monkeypatch):
    classic = costlib.excel.message("TOKEN_COST", dt.datetime(2026, 1, 1), 2000)  # the COM runtime: a datetime
    office = costlib.excel.message("TOKEN_COST", {"type": "FormattedNumber", "basicValue": 46023,
                                                  "numberFormat": "d-mmm-yy"}, 2000)
    assert classic == office == "price_per_gpu_hour must be a number, got a date (2026-01-01)"


def test_a_date_cell_is_the_day_where_a_date_is_meant():
    cell = {"type": "FormattedNumber", "basicValue": 46100, "numberFormat": "yyyy-mm-dd"}  # 2026-03-19
    assert costlib.excel.read_cell("price_date", cell) == dt.datetime(2026, 3, 19)
    assert costlib.excel.read_cell("price_date", 46100) == dt.date(2026, 3, 19)  # a plain serial (Office.js)


# --- too many arguments --------------------------------------------------------------------------------

ARGUMENT_COUNTS = [
    # (function, number of arguments given, the message)
    ("TOKEN_COST", 5, "TOKEN_COST takes at most 3 arguments, got 5"),
    ("TRAIN_COST", 6, "TRAIN_COST takes at most 5 arguments, got 6"),
    ("GPU_SPEC", 3, "GPU_SPEC takes at most 2 arguments, got 3"),
]


@pytest.mark.parametrize("name,count,text", ARGUMENT_COUNTS)
def test_costlib_message_with_too_many_arguments_says_so(name, count, text):
    args = [[[1.0]]] * count
    assert xl_call("COSTLIB_MESSAGE", name, args) == [[text]]
    assert costlib.excel.message(name, *([1.0] * count)) == text


def test_costlib_message_of_an_unknown_or_error_name():
    assert costlib.excel.message("TRAIN_COSTS") == ("function_name must be the name of a costlib function such as "
                                                    "TRAIN_COST, got text 'TRAIN_COSTS'")
    assert costlib.excel.message(COM["#N/A"]).endswith("got the error #N/A")


# --- workbooks/udf-demo.xlsx states what each runtime shows --------------------------------------------

def test_the_demo_states_what_each_runtime_shows(monkeypatch):
    """Every row of the demo's error table (scripts/make_udf_demo.py RUNTIME_ERRORS) through both
    runtimes' own code: Office.js (xlwings's custom_functions_call) shows the Lite column's error
    value, or raises #VALUE! with its message; the classic runtime returns None (a Null variant,
    #VALUE! in the cell) for every error and the message as text for COSTLIB_MESSAGE."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "make_udf_demo.py"
    spec = importlib.util.spec_from_file_location("make_udf_demo", path)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    by_error_type = {v: k for k, v in OFFICE_JS.items()}
    for condition, name, args, classic in demo.RUNTIME_ERRORS:
        shown = demo._result(name, args)
        lite = shown_by_office_js(name, *args)
        if name == "COSTLIB_MESSAGE":
            assert lite == [[shown]] and shown_by_classic(monkeypatch, name, *args) == shown, condition
            continue
        assert lite == [[office_js_error(shown)]], condition
        assert by_error_type[lite[0][0]["errorType"]] == shown
        assert demo.lite_representation(shown).startswith("#VALUE! raised" if shown == "#VALUE!" else "the error value")
        assert shown_by_classic(monkeypatch, name, *args) is None, condition  # Null: #VALUE! in the cell
        assert demo.CLASSIC_ERROR == "#VALUE!"


def test_a_plain_date_cell_in_office_js_is_its_serial_number_a_documented_limitation():
    """Office.js hands a custom function a plain date cell as its serial number, with nothing that
    tells it from a typed number (addin/README.md, "Dates": the evidence from xlwings's code), so
    Lite computes with it; the classic runtime, which receives a date, refuses it."""
    serial = 46023  # 2026-01-01: (2026-01-01 - 1899-12-30) = 46023 days
    assert dt.date(1899, 12, 30) + dt.timedelta(days=serial) == dt.date(2026, 1, 1)
    got = xl_call("TRAIN_COST", 70e9, 15e12, serial)[0][0]
    assert got == pytest.approx(6 * 70e9 * 15e12 / (989.4e12 * 0.4) / 3600 * 46023, rel=1e-9)  # 2.035e11, H100 989.4 TFLOP/s
    assert got == pytest.approx(2.035e11, rel=1e-3)  # the figure
    with pytest.raises(CellError, match=r"^price_per_gpu_hour must be a number, got a date \(2026-01-01\)$"):
        evaluate(BY_NAME["TRAIN_COST"], (70e9, 15e12, dt.datetime(2026, 1, 1)))  # classic: a datetime
    text = (Path(__file__).resolve().parents[1] / "addin" / "README.md").read_text()
    assert "a plain date cell is a number there" in text and "_clean_value_data_element" in text
