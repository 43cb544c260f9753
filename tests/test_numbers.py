"""costlib.numbers: numbers as people type them, read one way or refused with both readings."""

import math

import numpy as np
import pytest

from costlib.errors import InputTypeError, OutOfRangeError
from costlib.numbers import TEXT_LIMIT, engineering, parse_number, read_number, read_text, short_number, \
    show_number

READ = [  # (typed, value, meant): meant is True for a unit (%) or a trailing !
    ("70e9", 70e9, False),
    ("70B", 70 * 10**9, False),           # B = 1e9 (billion)
    ("70bn", 70e9, False),
    ("15T", 15e12, False),                # T = 1e12
    ("2.5k", 2500.0, False),              # k = 1e3
    ("3M", 3e6, False),
    ("$2.50", 2.5, False),
    ("2.50 USD", 2.5, False),
    ("1,000,000", 1e6, False),            # commas grouping thousands in threes
    ("1 000", 1000.0, False),             # a space grouping thousands
    ("60%", 0.6, True),                   # 60 / 100, a unit: meant
    ("2500!", 2500.0, True),              # ! says "I mean it"
    ("\u22123", -3.0, False),             # U+2212 MINUS SIGN reads as -
    (".5", 0.5, False),
    ("  7  ", 7.0, False),
]


@pytest.mark.parametrize("text,value,meant", READ)
def test_what_is_read(text, value, meant):
    assert parse_number("x", text) == (value, meant)


REFUSED = [  # (typed, fragment of the message)
    ("2,5", "the comma is ambiguous (2.5 or 25?)"),
    ("50.000", "it reads as 50000 (the point grouping thousands) or 50 (a decimal point), 1,000 times apart"),
    ("2,500", "it reads as 2500 (the comma grouping thousands) or 2.5 (a decimal comma)"),
    ("1.000,50", "European number"),
    ("1,0,0", "groups of three digits"),
    ("€5", "without the currency sign (5)"),
    ("inf", "it must be a finite number"),
    ("nan", "it must be a finite number"),
    ("$60%", "a share takes % or a price $, not both"),
    ("seventy", "type a number such as 70e9"),
]


@pytest.mark.parametrize("text,fragment", REFUSED)
def test_what_could_be_read_two_ways_is_refused_naming_the_input(text, fragment):
    with pytest.raises(InputTypeError, match=r"^price must be a number, got text ") as caught:
        parse_number("price", text)
    assert fragment in str(caught.value)
    assert caught.value.argument == "price"


def test_a_suggested_reading_keeps_what_was_typed_around_it():
    with pytest.raises(InputTypeError, match=r"\$2\.5 or \$25\?"):
        parse_number("price", "$2,5")


@pytest.mark.parametrize("value", [3, 2.5, np.float64(0.25), np.int64(7)])
def test_read_number_takes_a_number_as_it_is(value):
    assert read_number("x", value) == (float(value), False)


def test_read_number_reads_text_as_parse_number_does():
    assert read_number("x", "70B") == parse_number("x", "70B") == (70e9, False)


@pytest.mark.parametrize("value,fragment", [
    (True, "must be a number, got True"),
    (None, "must be a number, got None"),
    ([1, 2], "must be one number, got a list"),
    (np.array([1.0, 2.0]), "must be one number, got a ndarray"),
    (object(), "must be a number, got object"),
])
def test_read_number_refuses_what_is_not_one_number(value, fragment):
    with pytest.raises(InputTypeError, match="^x ") as caught:
        read_number("x", value)
    assert fragment in str(caught.value)


def test_an_integer_too_big_for_a_float_is_out_of_range_with_its_digits():
    with pytest.raises(OutOfRangeError, match="x must be a finite number, got one of 400 digits"):
        read_number("x", 10**399)  # 10**399 has 400 digits


def test_read_text_refuses_a_control_character_at_its_position():
    with pytest.raises(InputTypeError, match="control character U\\+0007 at position 2"):
        read_text("label", "ab\x07c")


def test_read_text_refuses_more_than_a_cell_holds():
    assert TEXT_LIMIT == 32_767  # Excel specifications and limits: 32,767 characters in a cell
    assert read_text("label", "a" * TEXT_LIMIT) == "a" * TEXT_LIMIT
    with pytest.raises(OutOfRangeError, match="at most 32,767 characters"):
        read_text("label", "a" * (TEXT_LIMIT + 1))


@pytest.mark.parametrize("x,shown", [
    (1.5e17, "150e15"),    # 1.5e17 = 150 x 10^15
    (1e300, "1e300"),
    (-2.5e-7, "-250e-9"),  # -2.5e-7 = -250 x 10^-9
    (1234.0, "1.234e3"),
])
def test_engineering_form_has_an_exponent_that_is_a_multiple_of_three(x, shown):
    assert engineering(x) == shown
    assert int(shown.split("e")[1]) % 3 == 0 and float(shown) == x


@pytest.mark.parametrize("x,shown", [
    (36.0, "36"),                     # whole numbers bare
    (36.000000001, "36.000000001"),   # every digit kept
    (1e16, "10e15"),                  # engineering from 1e16 (ENGINEERING_FROM)
    (9999999999999998.0, "9999999999999998"),  # just below 1e16: every digit
    (1e-5, "10e-6"),                  # below 1e-4 repr has an exponent: engineering
    (math.inf, "inf"),
])
def test_show_number(x, shown):
    assert show_number(x) == shown


@pytest.mark.parametrize("x", [36.000000001, 0.1, 1 / 3, 2.5e-7, 7e22, 123456789.125])
def test_show_number_reads_back_to_the_same_float(x):
    assert parse_number("x", show_number(x))[0] == x  # round trip: no digit lost


@pytest.mark.parametrize("x,shown", [(70e9, "70e9"), (1e6, "1e6"), (999999.0, "999999"), (0.5, "0.5")])
def test_short_number_is_engineering_from_a_million(x, shown):
    assert short_number(x) == shown
