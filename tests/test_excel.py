"""costlib.excel: the Excel functions as cells see them, without any Excel runtime.

Cells are handed over as the runtimes hand them (a 2-D list per range, ``None`` for a blank,
COM error codes, Office.js error and data-type dicts); the adapters over this module are
tested in tests/test_addin*.py. TOKEN_COST(2.5, 2000, 0.2) by hand: 1e6 tokens take
1e6 / (2000 x 3600 x 0.2) = 0.69444 GPU-hours, at $2.50 that is $1.7361 per 1 M tokens.
"""

import datetime as dt
import inspect
from decimal import Decimal

import pytest

from costlib.excel import BY_NAME, COM_ERRORS, ERRORS, FUNCTIONS, MAX_YEARS, MESSAGE_OK, OFFICE_JS_ERRORS, CellError, \
    argument_help, error_of, evaluate, functions_markdown, message, numeric_text, read_cell

TOKEN_COST = BY_NAME["TOKEN_COST"]
PER_M = 1e6 / (2000 * 3600 * 0.2) * 2.5  # 1.7361... USD per 1 M tokens, by hand


def test_the_table_names_each_function_once_and_only_parameters_of_its_target():
    assert len(BY_NAME) == len(FUNCTIONS)
    for spec in FUNCTIONS:
        assert spec.name == spec.name.upper() and set(spec.arguments) <= set(inspect.signature(spec.target).parameters)


def test_every_error_code_stands_for_one_of_excels_seven_errors():
    assert len(ERRORS) == 7
    assert set(COM_ERRORS.values()) == set(OFFICE_JS_ERRORS.values()) == set(ERRORS)
    # COM: 0x800A0000 + Excel's xlErr constant, as a signed 32-bit integer; xlErrNA = 2042, xlErrDiv0 = 2007
    assert COM_ERRORS[0x800A0000 + 2042 - 2**32] == "#N/A"
    assert COM_ERRORS[0x800A0000 + 2007 - 2**32] == "#DIV/0!"


@pytest.mark.parametrize("value,error", [
    (-2146826246, "#N/A"),                                      # classic (COM)
    ({"type": "Error", "errorType": "Div0"}, "#DIV/0!"),        # Office.js
    ({"type": "Error", "basicValue": "#REF!"}, "#REF!"),
    (1.0, None),
    ("#N/A", None),                                             # text that looks like an error is text
])
def test_error_of(value, error):
    assert error_of(value) == error


@pytest.mark.parametrize("text,number", [
    ("1,000", 1000.0),
    ("$2.50", 2.5),
    ("40%", 0.4),
    ("(5)", -5.0),              # accounting parentheses
    ("-1.5e3", -1500.0),
    (" 7 ", 7.0),
    ("1\u00a0000", 1000.0),     # a no-break space, as some imports group thousands
    ("abc", None),
    ("(5", None),
    ("(-5)", None),
    ("1,00", None),             # not a thousands group
])
def test_numeric_text_as_excels_value_reads_it(text, number):
    assert numeric_text(text) == number


@pytest.mark.parametrize("value,read", [
    (2.5, 2.5),
    (3, 3.0),
    (Decimal("2.50"), 2.5),                                            # a Currency cell (classic add-in)
    ("1,000", 1000.0),
    ({"type": "FormattedNumber", "basicValue": 0.4, "numberFormat": "0%"}, 0.4),
])
def test_read_cell_reads_numbers_as_excel_does(value, read):
    assert read_cell("params", value) == read


@pytest.mark.parametrize("value,message_", [
    (True, "params must be a number, got True"),
    ("seventy", "params must be a number, got text 'seventy'"),
    (dt.datetime(2027, 1, 1), "params must be a number, got a date (2027-01-01)"),
    ({"type": "Entity"}, "params must be a number, got a data type value (Entity)"),
])
def test_read_cell_refuses_what_is_not_a_number(value, message_):
    with pytest.raises(CellError, match="^" + message_.replace("(", r"\(").replace(")", r"\)") + "$") as caught:
        read_cell("params", value)
    assert caught.value.excel_error == "#VALUE!" and caught.value.argument == "params"


def test_an_error_in_a_cell_passes_through_as_itself():
    with pytest.raises(CellError, match="params is the error #N/A in its cell") as caught:
        read_cell("params", -2146826246)
    assert caught.value.excel_error == "#N/A"


def test_a_date_serial_as_years_is_called_a_date():
    assert MAX_YEARS == 200
    assert read_cell("years", 200) == 200.0
    # 46023 is 2026-01-01 in Excel's 1900 system (36526 for 2000-01-01 + 26 x 365 + 7 leap days)
    with pytest.raises(CellError, match=r"years must be a number of years \(at most 200\), got 46023, which looks "
                                        r"like a date \(2026-01-01\)") as caught:
        read_cell("years", 46023)
    assert caught.value.excel_error == "#NUM!"


def test_a_single_call():
    assert evaluate(TOKEN_COST, (2.5, 2000, 0.2)) == pytest.approx(PER_M, rel=1e-15)


def test_a_blank_optional_argument_takes_the_default():
    # utilization's default is 1.0: 1e6 / (2000 x 3600) x 2.5
    assert evaluate(TOKEN_COST, (2.5, 2000, None)) == pytest.approx(1e6 / (2000 * 3600) * 2.5, rel=1e-15)
    assert evaluate(TOKEN_COST, (2.5, 2000, [[None]])) == evaluate(TOKEN_COST, (2.5, 2000))


def test_a_range_gives_one_value_or_one_error_per_cell():
    out = evaluate(TOKEN_COST, ([[2.5], ["abc"], [5.0]], 2000, 0.2))
    assert out[0][0] == pytest.approx(PER_M, rel=1e-15) and out[2][0] == pytest.approx(2 * PER_M, rel=1e-15)
    assert isinstance(out[1][0], CellError)
    assert str(out[1][0]) == "price_per_gpu_hour must be a number, got text 'abc' (row 2, column 1 of its range)"


def test_a_rule_broken_in_one_cell_is_that_cells_num_error():
    out = evaluate(TOKEN_COST, (2.5, 2000, [[0.2], [1.4]]))  # utilization 1.4 > 1
    assert out[0][0] == pytest.approx(PER_M, rel=1e-15)
    assert out[1][0].excel_error == "#NUM!" and "utilization" in str(out[1][0])


def test_a_whole_column_gives_blanks_past_its_data():
    column = [[2.5], [5.0]] + [[None]] * 6  # a whole column: two used rows, the rest empty
    out = evaluate(TOKEN_COST, (column, 2000, 0.2))
    assert len(out) == 8 and [row[0] for row in out[2:]] == [""] * 6
    assert out[1][0] == pytest.approx(2 * PER_M, rel=1e-15)


def test_no_break_even_is_na_with_its_reason():
    with pytest.raises(CellError, match=r"no break-even: cost >= price \(own cost 0.35, price 0.3\)") as caught:
        evaluate(BY_NAME["BREAKEVEN"], (1000, 0.3, 0.35))
    assert caught.value.excel_error == "#N/A"
    # below the price there is one: 1000 / (0.35 - 0.3) = 20,000 units
    assert evaluate(BY_NAME["BREAKEVEN"], (1000, 0.35, 0.3)) == pytest.approx(20_000, rel=1e-12)


def test_too_many_arguments_are_named():
    with pytest.raises(CellError, match="TOKEN_COST takes at most 3 arguments, got 4"):
        evaluate(TOKEN_COST, (2.5, 2000, 0.2, 1))


def test_message_says_why_or_ok():
    assert message("TOKEN_COST", 2.5, 2000, 0.2) == MESSAGE_OK
    assert message("token_cost", 2.5, 2000, 1.4).startswith("utilization must be in (0, 1], got 1.4")
    assert message("TOKEN_COST", [[2.5], ["x"]], 2000) == [
        [MESSAGE_OK], ["price_per_gpu_hour must be a number, got text 'x' (row 2, column 1 of its range)"]]
    assert message("NO_SUCH", 1).startswith("function_name must be the name of a costlib function")


def test_argument_help_of_years_says_the_limit():
    assert argument_help(BY_NAME["PRICE_AFTER_DECLINE"], "years").endswith(
        f"; at most {MAX_YEARS} (a larger number is a date cell's serial number).")


def test_the_functions_table_has_a_row_per_function_with_its_optional_arguments_bracketed():
    lines = functions_markdown().splitlines()
    assert len(lines) == 2 + len(FUNCTIONS)  # a header, a rule, one row each
    token = next(line for line in lines if line.startswith("| `TOKEN_COST`"))
    assert token.endswith("| price_per_gpu_hour, tokens_per_second, [utilization=1.0] |")
