"""costlib.timeline: the glue that lays results out on a monthly timeline, computed by hand.

Each function's Excel twin is recalculated in tests/test_twins_recalc.py; here the Python side,
its edges and its draw axis (rows of shape (draws, months)).
"""

import math

import numpy as np
import pytest

from costlib.errors import InputError, OutOfRangeError
from costlib.timeline import agree, all_of, as_text, at_least, below, cheaper, count_of, cumulative, difference, \
    elapsed_years, every, first_where, growth, in_catalogue, in_month, last, no_errors, product, share_of, sum_of, \
    text_join, total

MONTHS = [1, 2, 3, 4, 5, 6]


def test_growth_compounds_from_month_one():
    assert growth(100.0, 0.05, [1, 2, 3]).tolist() == pytest.approx([100.0, 105.0, 110.25])  # 100 x 1.05^(m-1)
    assert growth(7.0, 0.0, 12) == 7.0  # no growth: the first value every month


def test_growth_refuses_a_period_before_the_first():
    with pytest.raises(OutOfRangeError, match="period must be >= 1, got 0"):
        growth(1.0, 0.1, 0)


def test_in_month_and_every():
    assert in_month(5.0, MONTHS, 2).tolist() == [0, 5, 0, 0, 0, 0]
    assert every(5.0, MONTHS, 2, 3).tolist() == [0, 5, 0, 0, 5, 0]  # months 2 and 2 + 3
    assert every(5.0, MONTHS, 1, 1).tolist() == [5.0] * 6  # every month


def test_every_refuses_a_zero_interval():
    with pytest.raises(OutOfRangeError, match="interval must be > 0, got 0"):
        every(5.0, MONTHS, 1, 0)


def test_elapsed_years():
    assert elapsed_years(13) == 1.0 and elapsed_years(1) == 0.0  # month 13 starts one year after month 1
    assert elapsed_years(7) == 0.5  # 6 / 12


def test_cumulative_total_last_and_count():
    row = [5.0, 0.0, 2.5, 1.0]
    assert cumulative(row).tolist() == [5.0, 5.0, 7.5, 8.5]
    assert total(row) == 8.5 == cumulative(row)[-1]  # identity: the total is the last running total
    assert last(row) == 1.0
    assert count_of([1.0, np.nan, 3.0]) == 2.0  # NaN is a cell in words, not a number


def test_reductions_keep_one_column_per_draw():
    rows = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert total(rows).tolist() == [[6.0], [15.0]]  # 1 + 2 + 3, 4 + 5 + 6
    assert last(rows).tolist() == [[3.0], [6.0]]
    assert count_of(rows).tolist() == [[3.0], [3.0]]
    assert cumulative(rows).tolist() == [[1.0, 3.0, 6.0], [4.0, 9.0, 15.0]]


def test_first_where():
    assert first_where([0, 0, 1, 1], [1, 2, 3, 4]) == 3.0
    assert first_where([0, 0, 1], [7, 8, 9]) == 9.0  # the first period plus the flag's position
    assert first_where([0, 0], [1, 2]) == math.inf  # none: "not within the timeline"
    assert first_where([[0, 1, 1], [0, 0, 0]], [1, 2, 3]).tolist() == [[2.0], [math.inf]]


def test_first_where_needs_periods_that_count_up_by_one():
    with pytest.raises(OutOfRangeError, match="periods must count up by one"):
        first_where([0, 1, 1], [1, 3, 5])


def test_sum_and_product_of_nothing_are_zero_and_one():
    assert sum_of() == 0.0 and product() == 1.0  # the empty sum and the empty product


def test_sum_product_difference_share():
    assert sum_of(1.0, 2.0, 3.5) == 6.5
    assert product(730.0, 2.0) == 1460.0 and type(product(730.0, 2.0)) is float  # scalars in, a float out
    assert product([1.0, 2.0], 3.0).tolist() == [3.0, 6.0]  # broadcast
    assert difference(10.0, 4.0) == 6.0
    assert share_of(25.0, 100.0) == 0.25


def test_share_of_nothing_is_refused():
    with pytest.raises(OutOfRangeError, match="whole must be > 0, got 0"):
        share_of(1.0, 0.0)


def test_sum_of_names_the_term_at_fault():
    with pytest.raises(InputError, match=r"values\[1\]"):
        sum_of(1.0, math.inf)


def test_flags():
    assert at_least([1.0, 2.0, 3.0], 2.0).tolist() == [0.0, 1.0, 1.0]  # >= : the reference itself is in
    assert below([1.0, 2.0, 3.0], 2.0).tolist() == [1.0, 0.0, 0.0]    # <  : the reference itself is out
    # identity: at_least and below split every value
    values = np.linspace(-3, 3, 13)
    assert (at_least(values, 0.5) + below(values, 0.5) == 1.0).all()


def test_cheaper_names_the_cheaper_and_the_other_on_a_tie():
    assert cheaper(1.2e6, 1.5e6, "build", "buy") == "build"
    assert cheaper(1.5e6, 1.5e6, "build", "buy") == "buy"  # a tie is not cheaper
    assert cheaper([1.0, 3.0], 2.0, "a", "b").tolist() == ["a", "b"]


@pytest.mark.parametrize("value,expected,ok", [
    (100.0 + 1e-7, 100.0, True),     # 1e-7 <= 1e-9 x 100 = 1e-7
    (100.0 + 2e-7, 100.0, False),
    (1e17 + 64, 1e17, True),         # relative: 64 <= 1e-9 x 1e17 = 1e8
    (0.0, 5e-10, True),              # near zero the scale is 1: 5e-10 <= 1e-9
    (0.0, 2e-9, False),
])
def test_agree_is_relative_with_a_floor_of_one(value, expected, ok):
    assert agree(value, expected) is ok


def test_all_of_and_no_errors():
    assert all_of(True, np.array([True, True])) is True
    assert all_of(True, np.array([True, False])) is False
    assert all_of() is True  # nothing to fail
    assert no_errors([1.0, np.nan], [2.0]) is True  # NaN is a cell in words
    assert no_errors([1.0, np.inf]) is False


def test_in_catalogue():
    assert in_catalogue("H100") is True
    assert in_catalogue("No Such GPU") is False
    assert in_catalogue(42) is False


@pytest.mark.parametrize("args,text", [
    ((26781231.05, 1, 1e-6, " M", "$"), "$26.8 M"),
    ((0.125, 2), "0.13"),              # half away from zero, as Excel's FIXED (Python's round gives 0.12)
    ((-2.5, 0), "-3"),                 # half away from zero below zero too
    ((-0.0247, 0), "0"),               # LibreOffice and Gnumeric: FIXED(-0.0247, 0) is "0", never "-0"
    ((1234567.891, 2), "1,234,567.89"),
    ((0.2025, 1, 100, "%"), "20.3%"),  # 0.2025 x 100 = 20.249999999999996 in floats; rounded to 9 places first
    (("not within the timeline",), "not within the timeline"),  # words pass through
])
def test_as_text_rounds_as_excel_does(args, text):
    assert as_text(*args) == text


def test_text_join():
    assert text_join("Buy: ", as_text(6506682.5, 1, 1e-6, " M"), " over the timeline") == "Buy: 6.5 M over the timeline"
    assert text_join() == ""
