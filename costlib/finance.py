"""Time value of money and contract tiers: what a finance team does to a cost timeline.

A decision between two options that spend at different times (a setup now against a bill
every month) is decided on present value, not on the sum of the months: money paid later
costs less today, by the discount rate, the return the money could earn elsewhere (a
corporate hurdle rate). The functions here discount a monthly timeline row, sum it as a
net present value and give the discounted payback of a one-time cost; one prices a
volume under a tiered contract with a monthly minimum. Each carries its Excel twin
(:mod:`costlib.formulas`), as the timeline glue of :mod:`costlib.timeline` and
:mod:`costlib.accounting` does.

Conventions: ``annual_rate`` is a rate per year [fraction/year], applied month by month
as (1 + rate)^(month / 12); each month's amount is paid at the end of its month, so month 1
is discounted by one twelfth of a year. This is Excel's NPV at the equivalent monthly rate,
(1 + rate)^(1/12) - 1, which is the same sum: (1 + (1 + r)^(1/12) - 1)^m = (1 + r)^(m/12).

A timeline row is an array whose last axis is the month; with a draw axis
(:func:`costlib.simulate`) a row is ``(draws, months)`` and a reduction (:func:`npv`) gives a
``(draws, 1)`` column, as :func:`costlib.timeline.total` does.

>>> round(npv(0.10, [1000.0] * 12), 2)      # 1,000 a month for a year at 10 % a year
11400.49
>>> npv(0.0, [1000.0] * 12)                 # no discounting: the plain sum
12000.0
"""

from __future__ import annotations

import numpy as np

from . import _args
from .errors import ShapeError
from .formulas import excel
from .timeline import MONTHS_PER_YEAR, as_row

__all__ = ["npv", "discounted", "discounted_months_to_breakeven", "tiered_cost", "MONTHS_PER_YEAR"]

def _finite_row(name: str, values) -> np.ndarray:
    """A timeline row every cell of which is a number (NPV skips a cell of words)."""
    return _args.check(name, as_row(name, values), "finite")


@excel("NPV((1 + {annual_rate}) ^ (1 / 12) - 1, {values})", ranges=("values",))
def npv(annual_rate, values):
    """Net present value of a monthly timeline row at ``annual_rate`` a year [unit of values].

    Parameters
    ----------
    annual_rate : float or array_like
        Discount rate per year [fraction/year >= 0]; 0.10 for a 10 % hurdle rate. With a
        draw axis, a ``(draws, 1)`` column.
    values : array_like
        A timeline row, one amount per month from month 1 [any unit, USD for cash], paid at
        the end of its month.

    Returns
    -------
    float or ndarray
        sum over months m = 1..n of values[m] / (1 + annual_rate)^(m / 12) [unit of
        values]; a float for a 1-D row and a single rate, else a ``(draws, 1)`` column.

    Notes
    -----
    End-of-month discounting, as Excel's NPV discounts its first value by one period.
    The Excel twin is NPV at the equivalent monthly rate (1 + r)^(1/12) - 1, the same sum
    term by term. Excel's NPV skips text and blank cells (it would shift the months): the
    rows it is given are the cash rows of a template, a number in every month. A rate of 0
    gives the plain sum.

    Examples
    --------
    A $100,000 setup in month 1 and a saving of $10,000 a month for the 23 months after it,
    at 10 % a year:

    >>> round(npv(0.10, [-100_000.0] + [10_000.0] * 23), 2)
    108515.89
    >>> npv([[0.0], [0.1]], [[1.0, 1.0], [1.0, 1.0]]).round(6)   # two draws: a column
    array([[2.      ],
           [1.976329]])
    """
    v = _finite_row("values", values)
    a = _args.parse(annual_rate=(annual_rate, "non_negative"))
    rate = np.asarray(a.annual_rate, dtype=float)
    if rate.ndim == 1 and v.ndim > 1:  # one rate a draw, given flat: the draws' column
        if rate.shape[0] != v.shape[0]:
            raise ShapeError(f"annual_rate must have one rate a draw ({v.shape[0]}) or a (draws, 1) column, got "
                             f"{rate.shape[0]} rates", argument="annual_rate")
        rate = rate[:, np.newaxis]
    months = np.arange(1, v.shape[-1] + 1, dtype=float)
    factor = np.power(1.0 + rate[..., np.newaxis] if rate.ndim == 0 else 1.0 + rate, months / MONTHS_PER_YEAR)
    present = np.sum(v / factor, axis=-1, keepdims=True)
    if present.shape == (1,):
        return float(present[0])
    return present


@excel("{amount} / (1 + {annual_rate}) ^ ({period} / 12)")
def discounted(amount, annual_rate, period):
    """``amount`` paid at the end of month ``period``, in today's money at ``annual_rate`` [unit of amount].

    A row of these, run through :func:`costlib.timeline.cumulative`, is a discounted
    cumulative line; its total is :func:`npv` of the row; the first month one discounted
    cumulative line passes another (:func:`costlib.timeline.first_where`) is the
    discounted payback.

    Notes
    -----
    amount / (1 + annual_rate)^(period / 12): end-of-month discounting, month 1 by a twelfth
    of a year, as :func:`npv`.

    Examples
    --------
    >>> round(discounted(1000.0, 0.10, 12), 6), discounted(1000.0, 0.0, 12)
    (909.090909, 1000.0)
    >>> discounted(1000.0, 0.10, [1, 12, 24]).round(2)
    array([992.09, 909.09, 826.45])
    """
    a = _args.parse(amount=(amount, "finite"), annual_rate=(annual_rate, "non_negative"),
                    period=(period, "finite"))
    return a.wrap(_args.divide(a.amount, _args.power(1.0 + a.annual_rate, a.period / MONTHS_PER_YEAR)))


@excel("IF({monthly_saving} <= 0, {none}, IF({annual_rate} = 0, {fixed_cost} / {monthly_saving}, "
       "IF({fixed_cost} * ((1 + {annual_rate}) ^ (1 / 12) - 1) >= {monthly_saving}, {none}, "
       "-12 * LN(1 - {fixed_cost} * ((1 + {annual_rate}) ^ (1 / 12) - 1) / {monthly_saving}) "
       "/ LN(1 + {annual_rate}))))",
       none="never: the discounted saving does not repay it")
def discounted_months_to_breakeven(fixed_cost, monthly_saving, annual_rate):
    """Months until a one-time cost is repaid by a steady monthly saving, in present value [months].

    The discounted counterpart of :func:`costlib.months_to_breakeven`: the n at which the
    saving's present value, paid at the end of each month, equals the cost paid today.

    Parameters
    ----------
    fixed_cost : array_like
        One-time cost to pay back, paid today [USD >= 0].
    monthly_saving : array_like
        Saving at the end of every month [USD/month]; zero or less never pays back.
    annual_rate : array_like
        Discount rate per year [fraction/year >= 0].

    Returns
    -------
    float or ndarray
        n = -ln(1 - F i / S) / ln(1 + i) with i = (1 + r)^(1/12) - 1 the monthly rate
        [months, fractions allowed]; F / S at a rate of 0; ``inf`` where S <= 0 or F i >= S
        (the saving, even forever, is worth no more than the cost today: never repaid).

    Notes
    -----
    The present value of S a month for n months is S (1 - (1 + i)^-n) / i; setting it to F
    and solving gives n. ln(1 + i) = ln(1 + r) / 12, which the Excel twin uses.

    Examples
    --------
    A $100,000 setup saving $10,000 a month: 10 months undiscounted, 10.5 at 10 % a year:

    >>> round(discounted_months_to_breakeven(100_000, 10_000, 0.10), 2), discounted_months_to_breakeven(100_000, 10_000, 0)
    (10.46, 10.0)
    >>> discounted_months_to_breakeven(100_000, 500, 0.10)      # 500 a month never repays it at 10 %
    inf
    """
    a = _args.parse(fixed_cost=(fixed_cost, "non_negative"), monthly_saving=(monthly_saving, "finite"),
                    annual_rate=(annual_rate, "non_negative"))
    f, s, r = (np.asarray(x, dtype=float) for x in (a.fixed_cost, a.monthly_saving, a.annual_rate))
    shape = np.broadcast_shapes(f.shape, s.shape, r.shape)
    f, s, r = (np.broadcast_to(x, shape) for x in (f, s, r))
    monthly = np.power(1.0 + r, 1.0 / MONTHS_PER_YEAR) - 1.0
    out = np.full(shape, np.inf)
    with np.errstate(all="ignore"):
        plain = (s > 0) & (r == 0)
        np.divide(f, s, out=out, where=plain)
        repaid = (s > 0) & (r > 0) & (f * monthly < s)
        n = -MONTHS_PER_YEAR * np.log1p(-f * monthly / np.where(repaid, s, 1.0)) / np.log1p(r)
    out = np.where(repaid, n, out)
    return a.wrap(out)


@excel("MAX({minimum}, {price_per_unit} * MIN({units}, {tier_start}) + {tier_price_per_unit} * MAX({units} - {tier_start}, 0))")
def tiered_cost(units, price_per_unit, tier_start, tier_price_per_unit, minimum=0.0):
    """What a volume-tiered contract with a monthly minimum charges for ``units`` [USD].

    The first ``tier_start`` units of the month at ``price_per_unit``, every unit above it
    at ``tier_price_per_unit`` (a provider's volume tier, usually cheaper), and never less
    than ``minimum`` (a committed spend, paid whether it is used or not).

    Parameters
    ----------
    units : array_like
        Volume this month: queries, or tokens, in the unit the prices are per [units >= 0].
    price_per_unit : array_like
        Price of each unit up to ``tier_start`` [USD/unit >= 0].
    tier_start : array_like
        Volume from which the tier's price applies [units >= 0].
    tier_price_per_unit : array_like
        Price of each unit above ``tier_start`` [USD/unit >= 0].
    minimum : array_like, optional
        The month's minimum charge [USD >= 0]; 0: none.

    Returns
    -------
    float or ndarray
        max(minimum, p min(V, T) + p_tier max(V - T, 0)) [USD].

    Examples
    --------
    3 M queries at $0.0135, 20 % off above 1 M, and a $5,000 minimum; 300 k queries pay the minimum:

    >>> round(tiered_cost(3e6, 0.0135, 1e6, 0.0108, 5000), 2), tiered_cost(3e5, 0.0135, 1e6, 0.0108, 5000)
    (35100.0, 5000.0)
    """
    a = _args.parse(units=(units, "non_negative"), price_per_unit=(price_per_unit, "non_negative"),
                    tier_start=(tier_start, "non_negative"), tier_price_per_unit=(tier_price_per_unit, "non_negative"),
                    minimum=(minimum, "non_negative"))
    below = np.minimum(a.units, a.tier_start)
    above = np.maximum(a.units - a.tier_start, 0.0)
    return a.wrap(np.maximum(a.minimum, a.price_per_unit * below + a.tier_price_per_unit * above))
