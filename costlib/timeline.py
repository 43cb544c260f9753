"""Timeline glue: how a template lays engine results out on a monthly timeline.

Small functions, each with its Excel twin beside it (see :mod:`costlib.formulas`): a
series that grows each month, a cost paid in one month or every few months, running and
lifetime totals, the first month something happens, the cheaper of two options, and the
checks a workbook runs on itself. Templates call these by name; none of them is a cost
formula of the domain (those live in :mod:`costlib.training`, :mod:`costlib.inference`
and :mod:`costlib.economics`).

A timeline row is a 1-D array with one element per column (month); a single value is a
float. Every function broadcasts the two.

With a draw axis (:func:`costlib.simulate` evaluates every draw at once) a row is 2-D,
``(draws, months)``, and a drawn single value is a column, ``(draws, 1)``. The functions
that scan or reduce the month axis work along the last axis; those that reduce it to one
value per draw (``total``, ``last``, ``count_of``, ``first_where``) keep it as a column of
length 1, so their result broadcasts against rows as a drawn input does. A 1-D row gives
what it always gave, and the Excel twins are the same.

>>> growth(100.0, 0.05, [1, 2, 3])
array([100.  , 105.  , 110.25])
>>> cumulative([1.0, 2.0, 3.0])
array([1., 3., 6.])
"""

from __future__ import annotations

import operator
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np

from . import _args
from .catalogue import load
from .errors import UnknownNameError
from .formulas import excel

__all__ = ["growth", "in_month", "every", "elapsed_years", "cumulative", "total", "first", "last", "count_of",
           "first_where", "sum_of", "difference", "product", "share_of", "at_least", "below", "cheaper",
           "agree", "all_of", "no_errors", "in_catalogue"]

MONTHS_PER_YEAR = 12.0


def _fold(name: str, terms: tuple, combine, empty: float):
    """``combine`` the checked, broadcast ``terms`` left to right, as the Excel twin writes them."""
    parsed = _args.parse(**{f"{name}[{i}]": (v, "finite") for i, v in enumerate(terms)})
    out = None
    for arr in parsed.values.values():
        out = arr if out is None else combine(out, arr)
    return parsed.wrap(empty if out is None else out)


def as_row(name: str, values) -> np.ndarray:
    """``values`` (a timeline row, or rows) as a float array of at least one dimension; ``name`` for errors."""
    arr = _args.to_float_array(name, values)
    return np.atleast_1d(arr)


def check_consecutive(name: str, periods: np.ndarray) -> None:
    """Raise unless ``periods`` count up by one along the last axis (the month axis)."""
    if periods.shape[-1] > 1 and not np.all(np.diff(periods, axis=-1) == 1):
        first_row = periods.reshape(-1, periods.shape[-1])[0]
        raise _args.OutOfRangeError(f"{name} must count up by one (the month axis), got "
                                    f"{', '.join(f'{v:g}' for v in first_row[:4])}...", argument=name)


@excel("{first} * (1 + {growth_rate}) ^ ({period} - 1)")
def growth(first, growth_rate, period):
    """A quantity that grows by ``growth_rate`` each period from ``first`` in period 1 [unit of first].

    Parameters
    ----------
    first : array_like
        Value in the first period [any unit].
    growth_rate : array_like
        Growth per period [fraction >= 0], 0.05 for 5 % a month.
    period : array_like
        Period number, 1 for the first [count].

    Notes
    -----
    value = first x (1 + g)^(period - 1): compound growth.

    Examples
    --------
    100 B tokens in month 1 growing 5 % a month:

    >>> growth(100e9, 0.05, 3) / 1e9
    110.25
    """
    a = _args.parse(first=(first, "non_negative"), growth_rate=(growth_rate, "non_negative"),
                    period=(period, "at_least_one"))
    return a.wrap(a.first * _args.power(1.0 + a.growth_rate, a.period - 1.0))


@excel("IF({period} = {at_period}, {amount}, 0)")
def in_month(amount, period, at_period):
    """``amount`` in the period ``at_period``, 0 in every other [unit of amount].

    Examples
    --------
    A training run paid in month 2 of four:

    >>> in_month(8.8e6, [1, 2, 3, 4], 2)
    array([      0., 8800000.,       0.,       0.])
    """
    a = _args.parse(amount=(amount, "finite"), period=(period, "finite"), at_period=(at_period, "finite"))
    return a.wrap(np.where(a.period == a.at_period, a.amount, 0.0))


@excel("IF(AND({period} >= {first_period}, MOD({period} - {first_period}, {interval}) = 0), {amount}, 0)")
def every(amount, period, first_period, interval):
    """``amount`` in ``first_period`` and every ``interval`` periods after it, else 0 [unit of amount].

    Examples
    --------
    A fine-tune every 3 months from month 2:

    >>> every(5e4, [1, 2, 3, 4, 5], 2, 3)
    array([    0., 50000.,     0.,     0., 50000.])
    """
    a = _args.parse(amount=(amount, "finite"), period=(period, "finite"), first_period=(first_period, "finite"),
                    interval=(interval, "positive"))
    due = (a.period >= a.first_period) & (np.mod(a.period - a.first_period, a.interval) == 0)
    return a.wrap(np.where(due, a.amount, 0.0))


@excel("({period} - 1) / 12")
def elapsed_years(period):
    """Years from the start of month 1 to the start of month ``period`` [years].

    >>> elapsed_years(13)
    1.0
    """
    a = _args.parse(period=(period, "at_least_one"))
    return a.wrap((a.period - 1.0) / MONTHS_PER_YEAR)


@excel("SUM({values})", to_date=("values",))
def cumulative(values):
    """Running total of a timeline row: the sum from the first column to each one [unit of values].

    >>> cumulative([5.0, 0.0, 2.5])
    array([5. , 5. , 7.5])
    >>> cumulative([[1.0, 2.0], [3.0, 4.0]])  # two draws: each row runs along its months
    array([[1., 3.],
           [3., 7.]])
    """
    return np.cumsum(as_row("values", values), axis=-1)


@excel("SUM({values})", ranges=("values",))
def total(values):
    """Sum of a timeline row over the whole timeline [unit of values].

    >>> total([5.0, 0.0, 2.5])
    7.5
    >>> total([[1.0, 2.0], [3.0, 4.0]])  # two draws: one total each, as a column
    array([[3.],
           [7.]])
    """
    arr = as_row("values", values)
    if arr.ndim == 1:
        return float(np.sum(arr))
    return np.sum(arr, axis=-1, keepdims=True)


@excel("{values:first}", ranges=("values",))
def first(values):
    """The first column's value of a timeline row [unit of values].

    >>> first([1.0, 3.0, 6.0])
    1.0
    """
    arr = as_row("values", values)
    return float(arr[0]) if arr.ndim == 1 else arr[..., :1].copy()


# the row's last cell itself: INDEX over a one-column row is #REF! in Gnumeric
@excel("{values:last}", ranges=("values",))
def last(values):
    """The last column's value of a timeline row [unit of values].

    >>> last([1.0, 3.0, 6.0])
    6.0
    >>> last([[1.0, 2.0], [3.0, 4.0]])
    array([[2.],
           [4.]])
    """
    arr = as_row("values", values)
    return float(arr[-1]) if arr.ndim == 1 else arr[..., -1:].copy()


@excel("COUNT({values})", ranges=("values",))
def count_of(values):
    """Columns of a timeline row that hold a number [count].

    >>> count_of([1.0, 2.0, 3.0])
    3.0
    """
    arr = as_row("values", values)
    if arr.ndim == 1:
        return float(np.count_nonzero(np.isfinite(arr)))
    return np.count_nonzero(np.isfinite(arr), axis=-1, keepdims=True).astype(float)


# the first period plus the flag's position: INDEX over a one-column row is #REF! in Gnumeric,
# and OFFSET is volatile (Excel would recalculate, and ask to save, on every open)
@excel("IF(COUNTIF({flags}, 1) = 0, {none}, {periods:first} + MATCH(1, {flags}, 0) - 1)",
       ranges=("flags", "periods"), none="not within the timeline")
def first_where(flags, periods):
    """The first period whose flag is 1; ``inf`` where none is [unit of periods].

    ``periods`` count up by one (the month axis), so the period is the first one plus the
    flag's position: no lookup, nothing volatile.

    Examples
    --------
    >>> first_where([0, 0, 1, 1], [1, 2, 3, 4])
    3.0
    >>> first_where([0, 0], [1, 2])
    inf
    >>> first_where([[0, 1, 1], [0, 0, 0]], [1, 2, 3])  # two draws
    array([[ 2.],
           [inf]])
    """
    f, p = as_row("flags", flags), as_row("periods", periods)
    check_consecutive("periods", p)
    if f.ndim == 1 and p.ndim == 1:
        hits = np.flatnonzero(f == 1)
        return float(p[hits[0]]) if hits.size else float("inf")
    shaped = _args.broadcast({"flags": f, "periods": p})
    hit = shaped["flags"] == 1
    at = np.argmax(hit, axis=-1)[..., np.newaxis]
    found = np.take_along_axis(shaped["periods"], at, axis=-1)
    return np.where(np.any(hit, axis=-1, keepdims=True), found, np.inf)


@excel(lambda values: " + ".join(values) if values else "0")
def sum_of(*values):
    """The sum of the arguments, element by element [their common unit].

    >>> sum_of(1.0, 2.0, 3.5)
    6.5
    """
    return _fold("values", values, operator.add, 0.0)


@excel("{value} - {subtracted}")
def difference(value, subtracted):
    """``value - subtracted`` [their common unit]: a saving, a margin.

    >>> difference(0.0135, 0.006)
    0.0075
    """
    a = _args.parse(value=(value, "finite"), subtracted=(subtracted, "finite"))
    return a.wrap(a.value - a.subtracted)


@excel(lambda factors: " * ".join(factors) if factors else "1")
def product(*factors):
    """The product of the arguments, element by element [product of their units]: hours x price.

    >>> product(69444.4, 2.5)
    173611.0
    """
    return _fold("factors", factors, operator.mul, 1.0)


@excel("{part} / {whole}")
def share_of(part, whole):
    """``part`` as a share of ``whole`` [fraction].

    >>> share_of(25.0, 100.0)
    0.25
    """
    a = _args.parse(part=(part, "finite"), whole=(whole, "positive"))
    return a.wrap(a.part / a.whole)


@excel("IF({value} >= {reference}, 1, 0)")
def at_least(value, reference):
    """1 where ``value >= reference``, else 0 [flag].

    >>> at_least([1.0, 5.0], 2.0)
    array([0., 1.])
    """
    a = _args.parse(value=(value, "finite"), reference=(reference, "finite"))
    return a.wrap(np.asarray(a.value >= a.reference, dtype=float))


@excel("IF({value} < {reference}, 1, 0)")
def below(value, reference):
    """1 where ``value < reference``, else 0 [flag].

    >>> below([1.0, 5.0], 2.0)
    array([1., 0.])
    """
    a = _args.parse(value=(value, "finite"), reference=(reference, "finite"))
    return a.wrap(np.asarray(a.value < a.reference, dtype=float))


@excel("IF({cost} < {other_cost}, {label}, {other_label})", text=("label", "other_label"))
def cheaper(cost, other_cost, label, other_label):
    """``label`` where ``cost < other_cost``, else ``other_label`` [text]: a decision in words.

    Examples
    --------
    >>> cheaper(1.2e6, 1.5e6, "build", "buy")
    'build'
    """
    a = _args.parse(cost=(cost, "finite"), other_cost=(other_cost, "finite"))
    chosen = np.where(a.cost < a.other_cost, str(label), str(other_label))
    return str(chosen) if chosen.ndim == 0 else chosen


@excel("ABS({value} - {expected}) <= {tolerance} * MAX(ABS({value}), ABS({expected}), 1)")
def agree(value, expected, tolerance=1e-9):
    """True where ``value`` and ``expected`` agree within ``tolerance`` relative [bool]: a reconciliation.

    Notes
    -----
    |value - expected| <= tolerance x max(|value|, |expected|, 1): relative, so a total of
    1e17 reconciles as a total of 1e3 does, however each engine orders its additions.

    >>> agree(100.0000000001, 100.0), agree(100.01, 100.0)
    (True, False)
    """
    a = _args.parse(value=(value, "finite"), expected=(expected, "finite"), tolerance=(tolerance, "non_negative"))
    scale = np.maximum(np.maximum(np.abs(a.value), np.abs(a.expected)), 1.0)
    ok = np.abs(a.value - a.expected) <= a.tolerance * scale
    return bool(ok) if np.ndim(ok) == 0 else ok


@excel(lambda conditions: "AND(" + ", ".join(conditions) + ")")
def all_of(*conditions):
    """True where every condition is true [bool].

    >>> all_of(True, True, False)
    False
    """
    return bool(all(bool(np.all(c)) for c in conditions))


@excel(lambda values: "NOT(OR(" + ", ".join(f"ISERROR(SUM({v}))" for v in values) + "))", ranges=("values",))
def no_errors(*values):
    """True where no cell of the timeline rows is an error [bool].

    In a workbook ``SUM`` passes an error in any cell of its range on, so one ``ISERROR``
    per row sees every cell without an array formula. In the library an error is an
    exception, raised before a number could be wrong; an infinite number fails here, NaN
    (a cell that says "n/a" in words) does not.

    >>> no_errors([1.0, 2.0], [3.0])
    True

    With a draw axis the rows are 2-D: True where no cell of any draw is an error.
    """
    # NaN is a cell that says "n/a" in words (SUM passes over text): not an error
    return bool(all(not np.any(np.isinf(np.asarray(v, dtype=float))) for v in values))


@excel("COUNTIF(catalogue_name, {gpu}) = 1", text=("gpu",))
def in_catalogue(gpu):
    """True where ``gpu`` names exactly one accelerator of the catalogue [bool].

    >>> in_catalogue("H100"), in_catalogue("No Such GPU")
    (True, False)
    """
    try:
        load("accelerators").find(gpu, "gpu")
    except (UnknownNameError, TypeError, ValueError):
        return False
    return True


def _round_half_away(value: float, places: int) -> float:
    """Excel's ROUND: half away from zero, on the 15 significant digits Excel keeps."""
    with localcontext(prec=800):  # 1.8e308 to 9 places still fits
        return float(Decimal(format(float(value), ".15g")).quantize(Decimal(1).scaleb(-places),
                                                                    rounding=ROUND_HALF_UP))


def _fixed(value: float, decimals: int) -> str:
    """A number as Excel's FIXED writes it: rounded half away from zero, thousands separated."""
    quantum = Decimal(1).scaleb(-decimals)
    with localcontext(prec=800):  # Excel and LibreOffice keep 15 significant digits, then round
        rounded = Decimal(format(float(value), ".15g")).quantize(quantum, rounding=ROUND_HALF_UP)
        rounded = abs(rounded) if rounded.is_zero() else rounded  # FIXED(-0.02, 0) is "0" in every engine: no "-0"
        return f"{rounded:,.{decimals}f}"


def _as_text_excel(value, decimals, scale, suffix, prefix):
    scaled = value if scale == "1" else f"{value} * {scale}"
    # ROUND to 9 places first: engines round 0.2025 x 100 = 20.249999... to one place differently
    parts = [p for p in (prefix, f"FIXED(ROUND({scaled}, {{#rounding_places}}), {decimals})", suffix) if p != '""']
    return f"IF(ISNUMBER({value}), {' & '.join(parts)}, {value})"


@excel(_as_text_excel, text=("prefix", "suffix"))
def as_text(value, decimals=0, scale=1.0, suffix="", prefix=""):
    """A number as words for a sentence, or the words a cell already shows [text].

    ``prefix``, then ``value`` x ``scale`` rounded to ``decimals`` places with thousands
    separators (Excel's FIXED), then ``suffix``; a text value (no break-even, not within the timeline) is given
    back as it is, so a sentence never shows an error.

    Examples
    --------
    >>> as_text(26781231.05, 1, 1e-6, " M", "$")
    '$26.8 M'
    >>> as_text("not within the timeline")
    'not within the timeline'
    """
    if isinstance(value, str):
        return value
    a = _args.parse(value=(value, "finite"), decimals=(decimals, "non_negative"), scale=(scale, "finite"))
    return str(prefix) + _fixed(_round_half_away(a.value * a.scale, 9), int(a.decimals)) + str(suffix)


@excel(lambda parts: " & ".join(parts) if parts else '""', text=("parts",))
def text_join(*parts):
    """The parts joined into one text [text]: a decision in a sentence (numbers through as_text).

    >>> text_join("Buy: ", as_text(6506682.5, 1, 1e-6, " M"), " over the timeline")
    'Buy: 6.5 M over the timeline'
    """
    return "".join(str(p) for p in parts)
