"""Calendar and accounting glue: how a budget is phased, treated and reported.

What an FP&A team needs around the cost formulas: month-end dates, fiscal years and
quarters; spend spread over the months a run lasts; a launch after training ends; the
choice to capitalise or expense each line, straight-line amortisation and depreciation;
GPU prices that fall year by year; whole GPUs; the serving plan a budget carries. Each
function carries its Excel twin (:mod:`costlib.formulas`), as the timeline glue of
:mod:`costlib.timeline` does; none is a cost formula of the domain.

Dates are Excel serial numbers [days since 1899-12-30], the numbers a date cell holds,
so the library and the workbook compute on the same values; :func:`to_serial` and
:func:`from_serial` convert. A timeline row is an array whose last axis is the month.

Accounting conventions (cite in docs/references.md): research is expensed and development
may be capitalised ([FASB1974], [FASB2025], [IASB2004]); capitalised cost and
owned hardware are written off straight-line over a useful life.

>>> from_serial(month_end(to_serial("2027-01-15"), [1, 2, 14]))
['2027-01-31', '2027-02-28', '2028-02-29']
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from . import _args
from .constants import constant_value
from .errors import InputTypeError, UnknownNameError
from .formulas import excel
from .timeline import MONTHS_PER_YEAR, as_row, check_consecutive

__all__ = ["to_serial", "from_serial", "month_end", "fiscal_year", "fiscal_quarter", "run_months", "spread",
           "month_after", "given_or", "growth_from", "between", "declining", "ramp", "escalating", "per_month", "whole_gpus",
           "gpu_hours_in_month", "running_max", "previous", "capitalised", "expensed", "fiscal_year_end",
           "value_in_use", "held_flat_value", "recoverable_share", "running_min", "straight_line",
           "by_plan", "when_chosen", "cohort", "by_cohort", "unless_chosen", "words_when_chosen", "by_period", "by_quarter", "never_negative", "TREATMENTS", "PLANS", "HOURS_PER_MONTH"]

#: Hours in an average month, 8,760 / 12: a GPU rented or owned for a month [h] (costlib.constants)
HOURS_PER_MONTH = constant_value("hours_per_month")
#: The accounting treatments a one-time line can take
TREATMENTS = ("capitalise", "expense")
#: The serving plans a budget can carry
PLANS = ("rent", "own", "api")
_EPOCH = np.datetime64("1899-12-30", "D")  # Excel's day 0 in its 1900 date system (from 1 March 1900 on)


# ---------------------------------------------------------------------------- calendar

def to_serial(date) -> float:
    """A date (``2027-01``, ``2027-01-01``, a ``datetime.date``) as an Excel serial number [days].

    >>> to_serial("2027-01"), to_serial(_dt.date(2027, 1, 1))
    (46388.0, 46388.0)
    """
    if isinstance(date, _dt.datetime):
        date = date.date()
    if isinstance(date, str):
        text = date.strip()
        for fmt in ("%Y-%m-%d", "%Y-%m"):
            try:
                date = _dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise InputTypeError(f"must be a date such as 2027-01 or 2027-01-01, got {text!r:.60}")
    if not isinstance(date, _dt.date):
        raise InputTypeError(f"must be a date such as 2027-01 or 2027-01-01, got {date!r:.60}")
    if date < _dt.date(1900, 3, 1):
        raise InputTypeError(f"must be a date from 1900-03-01 on (Excel's calendar), got {date.isoformat()}")
    return float((np.datetime64(date, "D") - _EPOCH).astype(int))


def from_serial(serial):
    """Excel serial numbers as ISO dates (text), the inverse of :func:`to_serial`."""
    days = np.asarray(serial, dtype=float).astype("int64")
    out = (_EPOCH + days.astype("timedelta64[D]")).astype(str)
    return str(out) if out.ndim == 0 else out.tolist()


def _month_index(serial: np.ndarray) -> np.ndarray:
    return (_EPOCH + np.asarray(serial).astype("int64").astype("timedelta64[D]")).astype("datetime64[M]")


@excel("EOMONTH({start_date}, {period} - 1)")
def month_end(start_date, period):
    """The last day of month ``period`` of a timeline that starts in ``start_date``'s month [date serial].

    Examples
    --------
    >>> from_serial(month_end(to_serial("2027-07"), 1))
    '2027-07-31'
    """
    a = _args.parse(start_date=(start_date, "positive"), period=(period, "at_least_one"))
    first = _month_index(np.floor(np.asarray(a.start_date)))
    months = first + (np.asarray(a.period).astype("int64") - 1).astype("timedelta64[M]")
    ends = (months + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    return a.wrap((ends - _EPOCH).astype(float))


def _year_month(date) -> tuple[np.ndarray, np.ndarray]:
    months = _month_index(np.floor(np.asarray(date, dtype=float))).astype("int64")  # months since 1970-01
    return months // 12 + 1970, months % 12 + 1


@excel("YEAR({date}) + IF(AND({fiscal_year_start_month} > 1, MONTH({date}) >= {fiscal_year_start_month}), 1, 0)")
def fiscal_year(date, fiscal_year_start_month=1):
    """The fiscal year a date falls in, named by the calendar year it ends in [year].

    A fiscal year starting in July 2027 ends in June 2028: FY2028 (as Microsoft names its
    years). With ``fiscal_year_start_month`` 1 the fiscal year is the calendar year.

    >>> fiscal_year(to_serial("2027-07-31"), 7), fiscal_year(to_serial("2027-06-30"), 7)
    (2028.0, 2027.0)
    """
    a = _args.parse(date=(date, "positive"), fiscal_year_start_month=(fiscal_year_start_month, "at_least_one"))
    year, month = _year_month(a.date)
    later = (a.fiscal_year_start_month > 1) & (month >= a.fiscal_year_start_month)
    return a.wrap((year + later).astype(float))


@excel("INT(MOD(MONTH({date}) - {fiscal_year_start_month}, 12) / {#months_per_quarter}) + 1")
def fiscal_quarter(date, fiscal_year_start_month=1):
    """The quarter of its fiscal year a date falls in, 1 to 4 [quarter].

    >>> fiscal_quarter(to_serial("2027-07-31"), 7), fiscal_quarter(to_serial("2027-06-30"), 7)
    (1.0, 4.0)
    """
    a = _args.parse(date=(date, "positive"), fiscal_year_start_month=(fiscal_year_start_month, "at_least_one"))
    _, month = _year_month(a.date)
    return a.wrap(np.floor(np.mod(month - a.fiscal_year_start_month, 12) / 3) + 1.0)


# ---------------------------------------------------------------------------- timing

@excel("{gpu_hours} / {gpus} / {#hours_per_month}")
def run_months(gpu_hours, gpus):
    """Wall-clock months of a run of ``gpu_hours`` on a cluster of ``gpus`` [months of 730 h].

    >>> round(run_months(4.42e6, 2048), 2)
    2.96
    """
    a = _args.parse(gpu_hours=(gpu_hours, "non_negative"), gpus=(gpus, "at_least_one"))
    return a.wrap(a.gpu_hours / a.gpus / HOURS_PER_MONTH)


@excel("{amount} * MAX(0, MIN({period}, {start_period} - 1 + {duration}) - MAX({period} - 1, {start_period} - 1)) "
       "/ {duration}")
def spread(amount, period, start_period, duration):
    """``amount`` spread evenly over ``duration`` months from the start of ``start_period`` [unit of amount].

    Each month carries the share of the span that falls in it: a run of 2.5 months from
    month 3 puts 40 %, 40 % and 20 % of its cost in months 3, 4 and 5.

    >>> spread(100.0, [2, 3, 4, 5, 6], 3, 2.5)
    array([ 0., 40., 40., 20.,  0.])
    """
    a = _args.parse(amount=(amount, "finite"), period=(period, "at_least_one"),
                    start_period=(start_period, "at_least_one"), duration=(duration, "positive"))
    start = a.start_period - 1.0
    overlap = np.maximum(0.0, np.minimum(a.period, start + a.duration) - np.maximum(a.period - 1.0, start))
    return a.wrap(a.amount * overlap / a.duration)


@excel("ROUNDUP(ROUND({start_period} - 1 + {duration}, {#rounding_places}), 0) + 1")
def month_after(start_period, duration):
    """The first whole month after a span of ``duration`` months from the start of ``start_period`` [month].

    >>> month_after(3, 2.5), month_after(3, 2.0)
    (6.0, 5.0)
    """
    a = _args.parse(start_period=(start_period, "at_least_one"), duration=(duration, "non_negative"))
    return a.wrap(np.ceil(np.round(a.start_period - 1.0 + a.duration, 9)) + 1.0)


@excel("IF({value} = 0, {otherwise}, {value})")
def given_or(value, otherwise):
    """``value``, or ``otherwise`` where ``value`` is 0 (not given) [their unit]: an overridable default.

    >>> given_or(0, 5.0), given_or(8, 5.0)
    (5.0, 8.0)
    """
    a = _args.parse(value=(value, "finite"), otherwise=(otherwise, "finite"))
    return a.wrap(np.where(a.value == 0, a.otherwise, a.value))


@excel("IF({period} >= {start_period}, {first} * (1 + {growth_rate}) ^ ({period} - {start_period}), 0)")
def growth_from(first, growth_rate, period, start_period):
    """0 before ``start_period``, ``first`` in it, then ``growth_rate`` compound growth per period [unit of first].

    >>> growth_from(100.0, 0.1, [1, 2, 3, 4], 2)
    array([  0., 100., 110., 121.])
    """
    a = _args.parse(first=(first, "non_negative"), growth_rate=(growth_rate, "non_negative"),
                    period=(period, "at_least_one"), start_period=(start_period, "at_least_one"))
    grown = a.first * _args.power(1.0 + a.growth_rate, np.maximum(a.period - a.start_period, 0.0))
    return a.wrap(np.where(a.period >= a.start_period, grown, 0.0))


@excel("IF(AND({period} >= {first_period}, {period} <= {last_period}), {amount}, 0)")
def between(amount, period, first_period, last_period):
    """``amount`` in each period from ``first_period`` to ``last_period`` (both included), else 0 [unit of amount].

    >>> between(5.0, [1, 2, 3, 4], 2, 3)
    array([0., 5., 5., 0.])
    """
    a = _args.parse(amount=(amount, "finite"), period=(period, "finite"), first_period=(first_period, "finite"),
                    last_period=(last_period, "finite"))
    return a.wrap(np.where((a.period >= a.first_period) & (a.period <= a.last_period), a.amount, 0.0))


@excel("{first} * (1 - {decline_rate}) ^ (({period} - 1) / 12)")
def declining(first, decline_rate, period):
    """A price that falls by ``decline_rate`` a year, applied month by month, from ``first`` in period 1 [unit of first].

    >>> round(declining(2.0, 0.2, 13), 6), round(declining(2.0, 0.2, 7), 4)
    (1.6, 1.7889)
    """
    a = _args.parse(first=(first, "non_negative"), decline_rate=(decline_rate, "share_below_one"),
                    period=(period, "at_least_one"))
    return a.wrap(a.first * _args.power(1.0 - a.decline_rate, (a.period - 1.0) / MONTHS_PER_YEAR))


@excel("IF({period} < {start_period}, 0, {target} * MIN(1, ({period} - {start_period} + 1) / {ramp_months}))")
def ramp(target, period, start_period, ramp_months):
    """0 before ``start_period``, then a straight line up to ``target`` over ``ramp_months`` months [unit of target].

    A team hired over a few months: with a target of 9 over 3 months from month 4, months 4,
    5 and 6 hold 3, 6 and 9, and 9 from then on.

    >>> ramp(9.0, [3, 4, 5, 6, 7], 4, 3)
    array([0., 3., 6., 9., 9.])
    """
    a = _args.parse(target=(target, "finite"), period=(period, "finite"), start_period=(start_period, "finite"),
                    ramp_months=(ramp_months, "at_least_one"))
    share = np.minimum(1.0, (a.period - a.start_period + 1.0) / a.ramp_months)
    return a.wrap(np.where(a.period < a.start_period, 0.0, a.target * share))


@excel("{first} * (1 + {annual_rate}) ^ (({period} - 1) / 12)")
def escalating(first, annual_rate, period):
    """A cost that rises by ``annual_rate`` a year, applied month by month, from ``first`` in period 1 [unit of first].

    A loaded cost per person with an annual raise; :func:`declining` is its mirror for prices.

    >>> round(escalating(25000.0, 0.04, 13), 6), escalating(25000.0, 0.0, 7)
    (26000.0, 25000.0)
    """
    a = _args.parse(first=(first, "non_negative"), annual_rate=(annual_rate, "non_negative"),
                    period=(period, "at_least_one"))
    return a.wrap(a.first * _args.power(1.0 + a.annual_rate, (a.period - 1.0) / MONTHS_PER_YEAR))


@excel("{annual} / 12")
def per_month(annual):
    """An annual amount as a month's share [unit per month]: a loaded cost per person-year, monthly.

    >>> per_month(300000.0)
    25000.0
    """
    a = _args.parse(annual=(annual, "finite"))
    return a.wrap(a.annual / MONTHS_PER_YEAR)


@excel("ROUNDUP(ROUND({gpu_hours} / {#hours_per_month}, {#rounding_places}), 0)")
def whole_gpus(gpu_hours):
    """Whole GPUs that supply ``gpu_hours`` in a month of 730 hours [GPUs]: a part-used GPU is paid whole.

    >>> whole_gpus(730.0), whole_gpus(731.0), whole_gpus(0.0)
    (1.0, 2.0, 0.0)
    """
    a = _args.parse(gpu_hours=(gpu_hours, "non_negative"))
    return a.wrap(np.ceil(np.round(a.gpu_hours / HOURS_PER_MONTH, 9)))


@excel("{gpus} * {#hours_per_month}")
def gpu_hours_in_month(gpus):
    """GPU-hours of ``gpus`` held for a whole month of 730 hours [GPU-h].

    >>> gpu_hours_in_month(3)
    2190.0
    """
    a = _args.parse(gpus=(gpus, "non_negative"))
    return a.wrap(a.gpus * HOURS_PER_MONTH)


@excel("MAX({values})", to_date=("values",))
def running_max(values):
    """The largest value of a timeline row from its first column to each one [unit of values]: a fleet never sold.

    >>> running_max([1.0, 3.0, 2.0, 5.0])
    array([1., 3., 3., 5.])
    """
    return np.maximum.accumulate(as_row("values", values), axis=-1)


@excel("SUMIF({periods}, {period} - 1, {values})", ranges=("values", "periods"))
def previous(values, periods, period):
    """The value of a timeline row in the period before ``period``, 0 before the first [unit of values].

    >>> previous([4.0, 6.0, 9.0], [1, 2, 3], [1, 2, 3])
    array([0., 4., 6.])
    """
    v, p = as_row("values", values), as_row("periods", periods)
    check_consecutive("periods", p)
    index = np.asarray(_args.to_float_array("period", period)) - p.reshape(-1)[0] - 1  # -1: before the first
    out = np.where((index >= 0) & (index < v.shape[-1]), _at(v, index), 0.0)
    return float(out) if out.ndim == 0 else out


def _at(row: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``row``'s cells at column ``index`` (clipped), along the last axis, for a row of draws too."""
    index = np.clip(np.asarray(index), 0, row.shape[-1] - 1).astype(int)
    if row.ndim == 1:
        return row[index]
    lead = index.ndim == 0
    index = np.broadcast_to(index[..., None] if lead else index, row.shape[:-1] + ((1,) if lead else index.shape[-1:]))
    picked = np.take_along_axis(row, index, axis=-1)
    return picked[..., 0] if lead else picked


# ---------------------------------------------------------------------------- accounting

def _treatment(treatment) -> str:
    if not isinstance(treatment, str) or treatment not in TREATMENTS:
        raise UnknownNameError(f"treatment must be one of {', '.join(TREATMENTS)}, got {treatment!r:.60}",
                               argument="treatment")
    return treatment


@excel('IF(AND({treatment} = "capitalise", {period} >= {capitalisation_start}), {amount}, 0)', text=("treatment",))
def capitalised(amount, treatment, period=1, capitalisation_start=1):
    """``amount`` where the policy capitalises the line and ``period`` is from ``capitalisation_start`` on, else 0 [unit of amount].

    What reaches the balance sheet. Before ``capitalisation_start`` (the month technical
    feasibility is shown, [IASB2004] IAS 38.57; the application-development stage of
    [FASB2009] ASC 350-40-25-1 and 25-2) every line is research and expensed, whatever its treatment.

    >>> capitalised(5.0, "capitalise"), capitalised(5.0, "expense"), capitalised(5.0, "capitalise", 3, 7)
    (5.0, 0.0, 0.0)
    """
    keep = _treatment(treatment) == "capitalise"
    a = _args.parse(amount=(amount, "finite"), period=(period, "finite"),
                    capitalisation_start=(capitalisation_start, "finite"))
    return a.wrap(np.where(keep & (a.period >= a.capitalisation_start), a.amount, 0.0))


@excel('IF(OR({treatment} = "expense", AND({treatment} = "capitalise", {period} < {capitalisation_start})), '
       '{amount}, 0)', text=("treatment",))
def expensed(amount, treatment, period=1, capitalisation_start=1):
    """``amount`` where the policy expenses the line, or the month is before ``capitalisation_start``, else 0 [unit of amount].

    What reaches the P&L when paid; with :func:`capitalised`, every amount once.

    >>> expensed(5.0, "capitalise"), expensed(5.0, "expense"), expensed(5.0, "capitalise", 3, 7)
    (0.0, 5.0, 5.0)
    """
    keep = _treatment(treatment) == "capitalise"
    a = _args.parse(amount=(amount, "finite"), period=(period, "finite"),
                    capitalisation_start=(capitalisation_start, "finite"))
    return a.wrap(np.where(keep & (a.period >= a.capitalisation_start), 0.0, a.amount))


@excel("IF(MONTH({date}) = IF({fiscal_year_start_month} = 1, 12, {fiscal_year_start_month} - 1), 1, 0)")
def fiscal_year_end(date, fiscal_year_start_month=1):
    """1 where ``date`` falls in the last month of its fiscal year, else 0 [flag]: when an impairment test is due.

    >>> fiscal_year_end(to_serial("2027-06-30"), 7), fiscal_year_end(to_serial("2027-12-31"), 7)
    (1.0, 0.0)
    >>> fiscal_year_end(to_serial("2027-12-31"), 1)
    1.0
    """
    a = _args.parse(date=(date, "positive"), fiscal_year_start_month=(fiscal_year_start_month, "at_least_one"))
    _, month = _year_month(a.date)
    last = np.mod(a.fiscal_year_start_month - 2, 12) + 1
    return a.wrap(np.where(month == last, 1.0, 0.0))


@excel("MAX(0, ({discounted_savings_total} - {discounted_savings_to_date} + {discounted_tail}) "
       "* (1 + {annual_rate}) ^ ({period} / 12))")
def value_in_use(discounted_savings_total, discounted_savings_to_date, discounted_tail, annual_rate, period):
    """Value in use at the end of month ``period``: the savings still to come, in that month's money, at least 0 [USD].

    The savings of the months after ``period``, each discounted to month 0, are the row's
    total less its running total to ``period``; ``discounted_tail`` adds what lies past the
    timeline (:func:`held_flat_value`); compounding by ``period`` months at ``annual_rate``
    values them at ``period``. A use that saves nothing is worth 0, never less: the
    recoverable amount of [IASB2004b] IAS 36.18 is the higher of value in use and fair value
    less costs of disposal, and the latter is not below 0.

    Notes
    -----
    A total and a running total that agree to 1e-14 (the last column, summed in another
    order) leave 0, as a spreadsheet's subtraction of two equal sums does.

    >>> round(value_in_use(1909.090909, 1000.0, 0.0, 0.10, 12), 3), value_in_use(950.0, 1000.0, 0.0, 0.10, 12)
    (1000.0, 0.0)
    """
    a = _args.parse(discounted_savings_total=(discounted_savings_total, "finite"),
                    discounted_savings_to_date=(discounted_savings_to_date, "finite"),
                    discounted_tail=(discounted_tail, "finite"),
                    annual_rate=(annual_rate, "non_negative"), period=(period, "finite"))
    after = a.discounted_savings_total - a.discounted_savings_to_date
    scale = np.maximum(np.abs(a.discounted_savings_total), np.abs(a.discounted_savings_to_date))
    after = np.where(np.abs(after) <= 1e-14 * scale, 0.0, after)
    grown = (after + a.discounted_tail) * _args.power(1.0 + a.annual_rate, a.period / MONTHS_PER_YEAR)
    return a.wrap(np.maximum(grown, 0.0))


@excel("IF({annual_rate} = 0, {monthly_amount} * MAX(0, {months}), {monthly_amount} * (1 - (1 + {annual_rate}) ^ "
       "(-MAX(0, {months}) / 12)) / ((1 + {annual_rate}) ^ (1 / 12) - 1)) / (1 + {annual_rate}) ^ ({after_period} / 12)")
def held_flat_value(monthly_amount, annual_rate, months, after_period):
    """``monthly_amount`` in each of ``months`` months after ``after_period``, discounted to month 0 [USD].

    The value of a saving held flat past the end of a timeline, for the months of the
    asset's life the timeline does not show, so that a test at the last month does not
    read the end of the plan as the end of the asset's use. ``months`` below 0 counts as 0.

    Notes
    -----
    sum over k = 1..n of a / (1 + r)^((after + k) / 12) = a (1 - (1 + r)^(-n/12)) / ((1 + r)^(1/12) - 1)
    / (1 + r)^(after / 12); n a / 1 when r = 0.

    >>> held_flat_value(100.0, 0.0, 9, 36), held_flat_value(100.0, 0.10, -3, 36)
    (900.0, 0.0)
    >>> round(held_flat_value(100.0, 0.10, 12, 0), 4)  # twelve months of 100 at 10 % a year
    1140.0488
    """
    a = _args.parse(monthly_amount=(monthly_amount, "finite"), annual_rate=(annual_rate, "non_negative"),
                    months=(months, "finite"), after_period=(after_period, "finite"))
    n = np.maximum(a.months, 0.0)
    growth = 1.0 + a.annual_rate
    monthly = _args.power(growth, 1.0 / MONTHS_PER_YEAR) - 1.0
    safe = np.where(monthly > 0, monthly, 1.0)
    annuity = np.where(monthly > 0, (1.0 - _args.power(growth, -n / MONTHS_PER_YEAR)) / safe, n)
    return a.wrap(a.monthly_amount * annuity / _args.power(growth, a.after_period / MONTHS_PER_YEAR))


@excel("IF(AND({test} = 1, {carrying_amount} > 0), MIN(1, {recoverable_amount} / {carrying_amount}), 1)")
def recoverable_share(carrying_amount, recoverable_amount, test):
    """Where ``test`` is 1, the share of ``carrying_amount`` that ``recoverable_amount`` covers, at most 1; else 1 [fraction].

    [IASB2004b] IAS 36.59: a carrying amount above the recoverable amount is reduced to it.
    The running minimum of these shares (:func:`running_min`) is the share of the
    unimpaired book value still carried: each test writes down only what an earlier one has
    not, and the loss is spread pro rata over what was capitalised (IAS 36.104), each part
    then amortised over its own remaining life (IAS 36.63).

    >>> recoverable_share(100.0, 30.0, 1), recoverable_share(100.0, 130.0, 1), recoverable_share(100.0, 30.0, 0)
    (0.3, 1.0, 1.0)
    >>> recoverable_share(0.0, 30.0, 1)
    1.0
    """
    a = _args.parse(carrying_amount=(carrying_amount, "finite"), recoverable_amount=(recoverable_amount, "finite"),
                    test=(test, "finite"))
    positive = a.carrying_amount > 0
    share = np.minimum(1.0, _args.divide(a.recoverable_amount, np.where(positive, a.carrying_amount, 1.0)))
    return a.wrap(np.where((a.test == 1) & positive, share, 1.0))


@excel("MIN({values})", to_date=("values",))
def running_min(values):
    """The smallest value of a timeline row from its first column to each one [unit of values]: a write-down kept.

    >>> running_min([1.0, 0.5, 1.0, 0.25])
    array([1.  , 0.5 , 0.5 , 0.25])
    """
    return np.minimum.accumulate(as_row("values", values), axis=-1)


@excel('(IF({period} >= {in_service}, SUMIF({periods}, "<=" & {period}, {amounts}), 0) '
       '- IF({period} - {life} >= {in_service}, SUMIF({periods}, "<=" & ({period} - {life}), {amounts}), 0)) / {life}',
       ranges=("amounts", "periods"))
def straight_line(amounts, periods, period, in_service, life):
    """Straight-line amortisation (or depreciation) in ``period`` of the ``amounts`` row [unit of amounts].

    Each period's amount is written off in equal parts over ``life`` periods, from the
    later of its own period and ``in_service`` (the launch, for a model's development
    cost; period 1, for hardware bought as it is needed).

    Notes
    -----
    With P(m) the amounts placed in service by period m (the running total where
    m >= in_service, else 0), the write-off in m is (P(m) - P(m - life)) / life: each
    amount in equal parts for exactly ``life`` periods, summed without a lookup.

    Examples
    --------
    12 spent in period 1 and 6 in period 4, in service from period 2, over 3 periods:

    >>> straight_line([12.0, 0, 0, 6.0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7], 2, 3)
    array([0., 4., 4., 6., 2., 2., 0.])
    """
    c, p = as_row("amounts", amounts), as_row("periods", periods)
    check_consecutive("periods", p)
    a = _args.parse(period=(period, "finite"), in_service=(in_service, "finite"), life=(life, "at_least_one"))
    running = np.cumsum(c, axis=-1)
    first = p.reshape(-1)[0]

    def placed(m):
        upto = np.where(m - first >= 0, _at(running, m - first), 0.0)  # the running total to period m
        return np.where(m >= a.in_service, upto, 0.0)

    out = (placed(np.asarray(a.period, dtype=float)) - placed(np.asarray(a.period - a.life, dtype=float))) / a.life
    return float(out) if np.ndim(out) == 0 else out


@excel('IF({plan} = "rent", {rent}, IF({plan} = "own", {own}, {api}))', text=("plan",))
def by_plan(plan, rent, own, api):
    """The figure of the chosen serving ``plan``: ``rent``, ``own`` or ``api`` [their unit].

    >>> by_plan("own", 3.0, 2.0, 5.0)
    2.0
    """
    if not isinstance(plan, str) or plan not in PLANS:
        raise UnknownNameError(f"plan must be one of {', '.join(PLANS)}, got {plan!r:.60}", argument="plan")
    a = _args.parse(rent=(rent, "finite"), own=(own, "finite"), api=(api, "finite"))
    return a.wrap({"rent": a.rent, "own": a.own, "api": a.api}[plan])


@excel("IF({choice} = {option}, {value}, {otherwise})", text=("choice", "option"))
def when_chosen(choice, option, value, otherwise):
    """``value`` where ``choice`` is ``option``, else ``otherwise`` [their unit]: an input that picks a source.

    >>> when_chosen("model shape", "typed", 2000.0, 665.0)
    665.0
    """
    a = _args.parse(value=(value, "finite"), otherwise=(otherwise, "finite"))
    return a.wrap(a.value if str(choice) == str(option) else a.otherwise)


@excel("IF({choice} = {option}, {none}, {value})", text=("choice", "option"), none="n/a for this choice")
def unless_chosen(choice, option, value):
    """``value``, except where ``choice`` is ``option``: then no value (``inf``; the cell shows the ``none`` words) [unit of value].

    A figure that means nothing for one choice, as a break-even against the API for a plan
    that is the API. ``value`` may already be words (a break-even that does not exist).

    >>> unless_chosen("rent", "api", 0.12), unless_chosen("api", "api", 0.12)
    (0.12, inf)
    """
    if str(choice) == str(option):
        return np.inf if np.ndim(value) == 0 else np.full(np.shape(value), np.inf)
    return value


@excel("IF({choice} = {option}, {words}, {otherwise})", text=("choice", "option", "words", "otherwise"))
def words_when_chosen(choice, option, words, otherwise):
    """``words`` where ``choice`` is ``option``, else ``otherwise`` (words or a number) [text]: a sentence that
    says "no training" rather than a launch month that means nothing.

    >>> words_when_chosen("none", "none", "no training of our own", 10.0)
    'no training of our own'
    """
    return words if str(choice) == str(option) else otherwise


@excel("MOD({period} - 1, {interval})")
def cohort(period, interval):
    """Which of ``interval`` cohorts ``period`` falls in, 0 to interval - 1 [index]: periods a life apart share one.

    >>> cohort([1, 2, 13, 14], 12)
    array([0., 1., 0., 1.])
    """
    a = _args.parse(period=(period, "finite"), interval=(interval, "at_least_one"))
    return a.wrap(np.mod(a.period - 1.0, a.interval))


@excel('SUMIFS({values}, {cohorts}, {cohort_of_period}, {periods}, "<=" & {period})',
       ranges=("values", "cohorts", "periods"))
def by_cohort(values, cohorts, cohort_of_period, periods, period):
    """The sum of a timeline row over the columns of ``cohort_of_period`` up to ``period`` [unit of values].

    With :func:`cohort` of a useful life, what was bought in a period and every life before
    it: the GPUs added then and the replacements of those that reached the end of their life.

    >>> by_cohort([5.0, 2.0, 0.0, 0.0, 0.0], [0, 1, 0, 1, 0], [0, 1, 0, 1, 0], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    array([5., 2., 5., 2., 5.])
    """
    v, c, p = as_row("values", values), as_row("cohorts", cohorts), as_row("periods", periods)
    a = _args.parse(cohort_of_period=(cohort_of_period, "finite"), period=(period, "finite"))
    at_c, at_p = np.asarray(a.cohort_of_period, dtype=float), np.asarray(a.period, dtype=float)
    if at_c.ndim == 0 and at_p.ndim == 0:  # one cell
        return float(np.sum(np.where((c == at_c) & (p <= at_p), v, 0.0), axis=-1)) if v.ndim == 1 else \
            np.sum(np.where((c == at_c) & (p <= at_p), v, 0.0), axis=-1, keepdims=True)
    # a row: the cells of column j summed over the columns k of its cohort up to it, as one matrix product
    cols = np.broadcast_arrays(at_c, at_p)
    if any(x.ndim > 1 and not np.all(x == x.reshape(-1, x.shape[-1])[:1]) for x in (*cols, c, p)):
        return np.stack([by_cohort(v_i, c_i, q_i, p_i, r_i) for v_i, c_i, q_i, p_i, r_i in
                         zip(*np.broadcast_arrays(v, c, *cols, p))])  # draws that differ in the cohorts
    at_c, at_p = (x.reshape(-1, x.shape[-1])[0] for x in cols)
    c1, p1 = c.reshape(-1, c.shape[-1])[0], p.reshape(-1, p.shape[-1])[0]
    mask = (c1[None, :] == at_c[:, None]) & (p1[None, :] <= at_p[:, None])
    return v @ mask.T.astype(float)


@excel("SUMIF({labels}, {label}, {values})", ranges=("values", "labels"))
def by_period(values, labels, label):
    """The sum of a timeline row over the columns whose ``labels`` equal ``label`` [unit of values]: a year's total.

    >>> by_period([1.0, 2.0, 4.0], [2027, 2027, 2028], 2027)
    3.0
    """
    v, lab = as_row("values", values), as_row("labels", labels)
    a = _args.parse(label=(label, "finite"))
    at = np.asarray(a.label, dtype=float)[..., None]
    out = np.sum(np.where(lab == at, v, 0.0), axis=-1, keepdims=v.ndim > 1)  # draws: a (draws, 1) column
    return float(out) if out.ndim == 0 else out


@excel("SUMIFS({values}, {years}, {year}, {quarters}, {quarter})", ranges=("values", "years", "quarters"))
def by_quarter(values, years, year, quarters, quarter):
    """The sum of a timeline row over the columns of fiscal ``year`` and ``quarter`` [unit of values].

    >>> by_quarter([1.0, 2.0, 4.0, 8.0], [2027, 2027, 2027, 2028], 2027, [1, 1, 2, 1], 1)
    3.0
    """
    v, y, q = as_row("values", values), as_row("years", years), as_row("quarters", quarters)
    a = _args.parse(year=(year, "finite"), quarter=(quarter, "finite"))
    at_y, at_q = np.asarray(a.year, dtype=float)[..., None], np.asarray(a.quarter, dtype=float)[..., None]
    out = np.sum(np.where((y == at_y) & (q == at_q), v, 0.0), axis=-1, keepdims=v.ndim > 1)
    return float(out) if out.ndim == 0 else out


@excel("MIN({values}) >= -0.000001 * MAX(ABS(MAX({values})), 1)", ranges=("values",))
def never_negative(values):
    """True where no cell of a timeline row is below zero, beyond rounding (1e-6 relative) [bool].

    >>> never_negative([3.0, 0.0, -1e-12]), never_negative([3.0, -1.0])
    (True, False)
    """
    v = as_row("values", values)
    keep = v.ndim > 1  # draws: a (draws, 1) column, as the timeline's reductions give
    scale = np.maximum(np.abs(np.max(v, axis=-1, keepdims=keep)), 1.0)
    ok = np.min(v, axis=-1, keepdims=keep) >= -1e-6 * scale
    return bool(ok) if np.ndim(ok) == 0 else ok
