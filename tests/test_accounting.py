"""costlib.accounting: dates as Excel serials, phasing, capitalise or expense, straight-line write-offs.

Serial numbers by hand: Excel's 2000-01-01 is 36526 (days since 1899-12-30); 2027-01-01 is
27 years and 7 leap days later, 36526 + 27 x 365 + 7 = 46388.
"""

import datetime as dt

import numpy as np
import pytest

from costlib.accounting import HOURS_PER_MONTH, between, by_period, by_plan, by_quarter, capitalised, declining, \
    expensed, fiscal_quarter, fiscal_year, from_serial, given_or, gpu_hours_in_month, growth_from, month_after, \
    month_end, never_negative, per_month, previous, run_months, running_max, spread, straight_line, to_serial, \
    when_chosen, whole_gpus
from costlib.errors import InputTypeError, OutOfRangeError, UnknownNameError


def test_hours_per_month():
    assert HOURS_PER_MONTH == 8760 / 12  # 365 x 24 hours a year over 12 months


@pytest.mark.parametrize("date,serial", [
    ("2000-01-01", 36526.0),          # Excel's own serial for 2000-01-01
    ("2027-01", 46388.0),             # 36526 + 27 x 365 + 7 leap days
    ("2027-01-01", 46388.0),
    (dt.date(2027, 1, 1), 46388.0),
    (dt.datetime(2027, 1, 1, 18, 30), 46388.0),  # the time of day is dropped
    ("1900-03-01", 61.0),             # the first day Excel's 1900 system counts right (after its 29 Feb 1900)
])
def test_to_serial(date, serial):
    assert to_serial(date) == serial


def test_from_serial_is_the_inverse():
    assert from_serial(46388) == "2027-01-01"
    assert from_serial([36526, 46388]) == ["2000-01-01", "2027-01-01"]
    for text in ("1900-03-01", "2024-02-29", "2099-12-31"):
        assert from_serial(to_serial(text)) == text  # round trip


@pytest.mark.parametrize("bad,fragment", [
    ("2027-13", "must be a date such as 2027-01 or 2027-01-01, got '2027-13'"),
    ("January", "got 'January'"),
    (46388, "got 46388"),
    ("1900-02-28", "from 1900-03-01 on (Excel's calendar)"),
])
def test_to_serial_refuses(bad, fragment):
    with pytest.raises(InputTypeError) as caught:
        to_serial(bad)
    assert fragment in str(caught.value)


def test_month_end_runs_through_leap_years():
    ends = month_end(to_serial("2027-01-15"), [1, 2, 14, 26])
    assert from_serial(ends) == ["2027-01-31", "2027-02-28", "2028-02-29", "2029-02-28"]


@pytest.mark.parametrize("date,start,year,quarter", [
    ("2027-01-31", 1, 2027, 1),   # calendar years
    ("2027-12-31", 1, 2027, 4),
    ("2027-06-30", 7, 2027, 4),   # July-to-June years, named by the year they end in: June 2027 ends FY2027
    ("2027-07-31", 7, 2028, 1),   # July 2027 begins FY2028
    ("2027-03-31", 4, 2027, 4),   # April-to-March (UK, Japan): March closes the year
    ("2027-04-30", 4, 2028, 1),
])
def test_fiscal_year_and_quarter(date, start, year, quarter):
    assert fiscal_year(to_serial(date), start) == year
    assert fiscal_quarter(to_serial(date), start) == quarter


def test_every_fiscal_year_has_twelve_months_and_four_quarters_of_three():
    serials = month_end(to_serial("2027-01"), np.arange(1, 37))  # 36 months
    years, quarters = fiscal_year(serials, 10), fiscal_quarter(serials, 10)
    for y in (2028.0, 2029.0):  # the whole fiscal years inside (October to September)
        assert (years == y).sum() == 12
        assert [((years == y) & (quarters == q)).sum() for q in (1, 2, 3, 4)] == [3, 3, 3, 3]


def test_run_months():
    assert run_months(2 * 730.0 * 8, 8) == 2.0  # 8 GPUs for 2 months of 730 h


def test_spread_puts_each_month_its_share_of_the_span():
    # 2.5 months from the start of month 3: all of 3 and 4, half of 5 -> 40 %, 40 %, 20 %
    assert spread(100.0, [2, 3, 4, 5, 6], 3, 2.5).tolist() == [0.0, 40.0, 40.0, 20.0, 0.0]


@pytest.mark.parametrize("start,duration", [(1, 1.0), (3, 2.5), (2, 0.3), (5, 7.75)])
def test_spread_adds_up_to_the_amount(start, duration):
    months = np.arange(1, 20)
    assert spread(123.0, months, start, duration).sum() == pytest.approx(123.0, rel=1e-14)  # identity


def test_month_after():
    assert month_after(3, 2.5) == 6.0  # months 3, 4 and half of 5 -> month 6
    assert month_after(3, 2.0) == 5.0  # months 3 and 4 -> month 5
    assert month_after(1, 0.1 + 0.2) == 2.0  # 0.30000000000000004: rounded to 9 places, not one month more


def test_given_or_growth_from_between():
    assert given_or(0, 5.0) == 5.0 and given_or(8, 5.0) == 8.0
    assert growth_from(100.0, 0.1, [1, 2, 3, 4], 2).tolist() == pytest.approx([0.0, 100.0, 110.0, 121.0])
    assert between(5.0, [1, 2, 3, 4], 2, 3).tolist() == [0.0, 5.0, 5.0, 0.0]  # both ends included


def test_declining():
    assert declining(2.0, 0.2, 13) == pytest.approx(1.6, rel=1e-15)  # one year on: 2 x 0.8
    assert declining(2.0, 0.2, 7) == pytest.approx(2.0 * 0.8**0.5, rel=1e-15)  # half a year: 2 x 0.8^(6/12)


def test_declining_refuses_a_full_decline():
    with pytest.raises(OutOfRangeError, match=r"decline_rate must be in \[0, 1\), got 1"):
        declining(2.0, 1.0, 2)


def test_per_month_and_gpu_hours():
    assert per_month(300_000.0) == 25_000.0  # 300,000 / 12
    assert gpu_hours_in_month(3) == 2190.0   # 3 x 730


@pytest.mark.parametrize("hours,gpus", [(0.0, 0.0), (730.0, 1.0), (731.0, 2.0), (730.0 * 3 * (1 + 1e-12), 3.0)])
def test_whole_gpus_rounds_up_but_not_a_rounding_error(hours, gpus):
    assert whole_gpus(hours) == gpus


def test_running_max_and_previous():
    assert running_max([1.0, 3.0, 2.0, 5.0]).tolist() == [1.0, 3.0, 3.0, 5.0]
    assert previous([4.0, 6.0, 9.0], [1, 2, 3], [1, 2, 3]).tolist() == [0.0, 4.0, 6.0]  # 0 before the first


@pytest.mark.parametrize("amount", [5.0, -2.0, 0.0])
def test_capitalised_plus_expensed_is_the_amount(amount):
    for treatment in ("capitalise", "expense"):
        assert capitalised(amount, treatment) + expensed(amount, treatment) == amount  # identity


def test_an_unknown_treatment_is_refused():
    with pytest.raises(UnknownNameError, match="treatment must be one of capitalise, expense, got 'capitalize'"):
        capitalised(5.0, "capitalize")


def test_straight_line_by_hand():
    # 12 spent in period 1 and 6 in period 4, in service from period 2, over 3 periods:
    # 12/3 = 4 in periods 2, 3, 4; 6/3 = 2 in periods 4, 5, 6
    got = straight_line([12.0, 0, 0, 6.0, 0, 0, 0], range(1, 8), range(1, 8), 2, 3)
    assert got.tolist() == [0.0, 4.0, 4.0, 6.0, 2.0, 2.0, 0.0]


@pytest.mark.parametrize("in_service,life", [(1, 1), (1, 12), (4, 5), (7, 3)])
def test_straight_line_writes_off_exactly_what_was_spent(in_service, life):
    amounts = np.zeros(40)
    amounts[[0, 2, 9]] = [100.0, 30.0, 7.0]
    periods = np.arange(1, 41)
    assert straight_line(amounts, periods, periods, in_service, life).sum() == pytest.approx(137.0, rel=1e-14)


def test_by_plan_and_when_chosen():
    assert [by_plan(p, 3.0, 2.0, 5.0) for p in ("rent", "own", "api")] == [3.0, 2.0, 5.0]
    with pytest.raises(UnknownNameError, match="plan must be one of rent, own, api, got 'lease'"):
        by_plan("lease", 3.0, 2.0, 5.0)
    assert when_chosen("typed", "typed", 2000.0, 665.0) == 2000.0
    assert when_chosen("model shape", "typed", 2000.0, 665.0) == 665.0


def test_by_period_and_by_quarter_partition_the_row():
    values = [1.0, 2.0, 4.0, 8.0, 16.0]
    years, quarters = [2027, 2027, 2027, 2028, 2028], [1, 1, 2, 1, 2]
    assert by_period(values, years, 2027) == 7.0  # 1 + 2 + 4
    assert by_quarter(values, years, 2027, quarters, 1) == 3.0  # 1 + 2
    assert by_period(values, years, 2027) + by_period(values, years, 2028) == sum(values)  # identity
    assert sum(by_quarter(values, years, y, quarters, q) for y in (2027, 2028) for q in (1, 2)) == sum(values)
    assert by_period(values, years, 2030) == 0.0  # no column of that year


def test_never_negative_forgives_rounding_only():
    assert never_negative([3.0, 0.0, -1e-12]) is True
    assert never_negative([3.0, -1.0]) is False
    assert never_negative([1e9, -900.0]) is True    # -900 >= -1e-6 x 1e9 = -1,000: rounding at that scale
    assert never_negative([1e9, -1100.0]) is False
