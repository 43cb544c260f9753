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
           "month_after", "given_or", "growth_from", "between", "declining", "per_month", "whole_gpus",
           "gpu_hours_in_month", "running_max", "previous", "capitalised", "expensed", "straight_line",
           "by_plan", "when_chosen", "by_period", "by_quarter", "never_negative", "TREATMENTS", "PLANS", "HOURS_PER_MONTH"]

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


def _treated(amount, treatment, kept: str):
    """``amount`` where the line's treatment is ``kept``, else 0."""
    keep = _treatment(treatment) == kept
    a = _args.parse(amount=(amount, "finite"))
    return a.wrap(np.where(keep, a.amount, 0.0))


@excel('IF({treatment} = "capitalise", {amount}, 0)', text=("treatment",))
def capitalised(amount, treatment):
    """``amount`` where the policy capitalises the line, else 0 [unit of amount]: what reaches the balance sheet.

    >>> capitalised(5.0, "capitalise"), capitalised(5.0, "expense")
    (5.0, 0.0)
    """
    return _treated(amount, treatment, "capitalise")


@excel('IF({treatment} = "expense", {amount}, 0)', text=("treatment",))
def expensed(amount, treatment):
    """``amount`` where the policy expenses the line, else 0 [unit of amount]: what reaches the P&L when paid.

    >>> expensed(5.0, "capitalise"), expensed(5.0, "expense")
    (0.0, 5.0)
    """
    return _treated(amount, treatment, "expense")


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
