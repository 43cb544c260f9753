"""Break-evens, amortisation and unit economics: where capex and opex meet a decision."""

from __future__ import annotations

import numpy as np

from . import _args
from .arguments import ARGUMENTS, documented
from .constants import constant_value
from .formulas import excel
from .inference import PRICES_OR_MODEL, TOKENS_PER_MILLION, api_cost_per_query

__all__ = [
    "breakeven", "utilization_breakeven", "months_to_breakeven", "price_after_decline",
    "breakeven_after_decline", "amortized_cost_per_m_tokens", "monthly_cogs", "cogs_share",
    "gross_margin", "needs_redesign", "scale_plan", "query_cost_quantiles",
    "COGS_SHARE_REDESIGN", "GROSS_MARGIN_FLOOR", "unit_economics_verdict", "VERDICTS", "lognormal_mean",
]

#: 2 z^2, z the standard normal's 95th percentile (costlib.constants): a lognormal's mean is its median times
#: exp(ln(p95 / median)^2 / (2 z^2))
LOGNORMAL_P95_DIVISOR = constant_value("lognormal_p95_divisor")

#: COGS above this share of ARPU means the feature needs redesign (assumption (illustrative
#: threshold), [FactorBeamND]).
COGS_SHARE_REDESIGN = 0.30
#: Gross margin below this with no path to improvement is a services business (assumption
#: (illustrative threshold), [FactorBeamND]).
GROSS_MARGIN_FLOOR = 0.50


def _divide_or_inf(numerator, denominator, blame: str | None = None):
    """numerator / denominator where denominator > 0, else inf (no value); no numpy warning.

    inf means "never": where a quotient too large for a float would wrongly read as that,
    ``blame`` names the arguments and an overflow raises an OutOfRangeError instead.
    """
    if type(numerator) is float and type(denominator) is float:  # single values: Python floats
        if not denominator > 0:
            return np.inf
        try:
            quotient = numerator / denominator
        except OverflowError:
            quotient = np.inf
        if quotient == np.inf and blame:
            raise _args.OutOfRangeError(f"{blame} make the result overflow (above 1.8e308): got {numerator:.6g} / "
                                        f"{denominator:.6g}", argument=blame.split(",")[0].strip())
        return quotient
    # One division into a buffer pre-filled with inf (no masked copies of the inputs).
    numerator, denominator = np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast_shapes(numerator.shape, denominator.shape), np.inf)
    with np.errstate(over="ignore"):
        quotient = np.divide(numerator, denominator, out=out, where=denominator > 0)
    overflow = np.isinf(quotient) & (denominator > 0)
    if blame and overflow.any():
        i = int(np.argmax(overflow.reshape(-1)))
        num, den = np.broadcast_to(numerator, overflow.shape).reshape(-1)[i], \
            np.broadcast_to(denominator, overflow.shape).reshape(-1)[i]
        where = f" at position {i}" if overflow.ndim == 1 else \
            f" at position {tuple(int(k) for k in np.unravel_index(i, overflow.shape))}" if overflow.ndim else ""
        raise _args.OutOfRangeError(f"{blame} make the result overflow (above 1.8e308): got {num:.6g} / "
                                    f"{den:.6g}{where}", argument=blame.split(",")[0].strip())
    return quotient


# ---------------------------------------------------------------------------- the two sides of a decision
# One definition of what building and serving costs, and of what buying costs, for every
# template's comparison, break-even and verdict: the same inputs give the same figure in
# the budget and in build-vs-buy (tests/test_budget_accounting.py, TestOneCostDefinition).

@excel("({one_time_cost} + {serving_cost} + {fixed_cost}) * (1 + {contingency_share})")
def cost_of_building_and_serving(one_time_cost, serving_cost, fixed_cost=0.0, contingency_share=0.0):
    """What building and serving costs [USD]: one-time build spend, serving, fixed costs, with contingency.

    ``one_time_cost`` is the build spend (training, setup, GPU purchases) before
    contingency, ``serving_cost`` the plan's serving (rented or owned GPUs), ``fixed_cost``
    what serving costs whatever the volume (the serving team, storage, operations), and
    ``contingency_share`` the reserve on all of it. Every comparison against the API, every
    break-even and every verdict reads this one definition, so none leaves a cost out.

    >>> cost_of_building_and_serving(1000.0, 200.0, 50.0, 0.1)
    1375.0
    """
    a = _args.parse(one_time_cost=(one_time_cost, "finite"), serving_cost=(serving_cost, "finite"),
                    fixed_cost=(fixed_cost, "finite"), contingency_share=(contingency_share, "share_below_one"))
    return a.wrap((a.one_time_cost + a.serving_cost + a.fixed_cost) * (1.0 + a.contingency_share))


@excel("({api_bill} + {fixed_cost}) * (1 + {contingency_share})")
def cost_of_buying(api_bill, fixed_cost=0.0, contingency_share=0.0):
    """What buying costs [USD]: the API bill and the fixed costs buying keeps, with contingency.

    The other side of :func:`cost_of_building_and_serving`, with the same contingency: an
    API plan still has what it keeps whatever the volume (an integration team, monitoring),
    0 unless a plan says otherwise.

    >>> cost_of_buying(1000.0, 0.0, 0.1)
    1100.0
    """
    a = _args.parse(api_bill=(api_bill, "finite"), fixed_cost=(fixed_cost, "finite"),
                    contingency_share=(contingency_share, "share_below_one"))
    return a.wrap((a.api_bill + a.fixed_cost) * (1.0 + a.contingency_share))


@excel("IF({cost_per_unit} >= {price_per_unit}, {none}, {fixed_cost} / ({price_per_unit} - {cost_per_unit}))",
       none="no break-even: own cost >= price")
@documented(returns="unit")
def breakeven(fixed_cost, price_per_unit, cost_per_unit):
    """Volume above which building beats buying [units the prices are per].

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Break-even volume F / (p - c) [unit]; ``inf`` where ``cost_per_unit >= price_per_unit``.

    Notes
    -----
    Buying costs p V and building F + c V; building wins once V > F / (p - c)
    (identity: p V = F + c V; as stated in [LatereND]). Where c >= p building never catches
    up: the result is ``inf``, a
    decision rather than a division by zero, and numpy warns of nothing. The same shape
    decides fine-tune vs prompt (F = fine-tune cost, p - c = saving per call).

    Examples
    --------
    $1,000 of standing capacity, $3.00 API price against $0.35 own cost per 1 M tokens:

    >>> round(breakeven(1000, 3.0, 0.35), 1)
    377.4
    >>> breakeven(1000, 0.3, 0.35)
    inf
    """
    a = _args.parse(fixed_cost=(fixed_cost, "non_negative"), price_per_unit=(price_per_unit, "non_negative"),
                    cost_per_unit=(cost_per_unit, "non_negative"))
    return a.wrap(_divide_or_inf(a.fixed_cost, a.price_per_unit - a.cost_per_unit,
                                 "fixed_cost, price_per_unit and cost_per_unit"))


@excel("IF({api_price_per_m_tokens} <= 0, {none}, IF({cost_per_m_tokens_at_full_load} / {api_price_per_m_tokens} > 1, {none}, {cost_per_m_tokens_at_full_load} / {api_price_per_m_tokens}))",
       none="never: full load costs more than the price")
@documented(returns="fraction")
def utilization_breakeven(cost_per_m_tokens_at_full_load, api_price_per_m_tokens):
    """Utilisation above which self-hosting beats the API [fraction].

    {parameters}

    Returns
    -------
    float, ndarray or Series
        c_full / p [fraction]; ``inf`` where even full load cannot beat the API (c_full > p).

    Notes
    -----
    Self-hosting costs c_full / u per token at utilisation u, so it wins once u > c_full / p
    (identity; worked example in [WaferZero2026]). :func:`costlib.token_cost` at utilisation 1
    gives c_full.

    Examples
    --------
    Illustrative example ([WaferZero2026]): $0.35 at full load against a $3.00 API price, roughly 12 %:

    >>> round(utilization_breakeven(0.35, 3.0), 3)
    0.117
    """
    a = _args.parse(cost_per_m_tokens_at_full_load=(cost_per_m_tokens_at_full_load, "non_negative"),
                    api_price_per_m_tokens=(api_price_per_m_tokens, "non_negative"))
    ratio = _divide_or_inf(a.cost_per_m_tokens_at_full_load, a.api_price_per_m_tokens)  # overflow > 1: never
    if type(ratio) is float:
        return a.wrap(np.inf if ratio > 1.0 else ratio)
    return a.wrap(np.where(ratio > 1.0, np.inf, ratio))


@excel("IF({api_cost} - {fixed_cost} <= 0, {none}, IF({serving_cost_at_full_load} / ({api_cost} - {fixed_cost}) > 1, "
       "{none}, {serving_cost_at_full_load} / ({api_cost} - {fixed_cost})))",
       none="never: even at full load building and serving costs more than the API")
def utilization_breakeven_with_fixed_cost(serving_cost_at_full_load, api_cost, fixed_cost):
    """Utilisation above which building and serving a volume beats buying it, fixed costs included [fraction].

    ``serving_cost_at_full_load`` is what serving the volume would cost at full load [USD],
    ``api_cost`` what the API charges for it [USD], ``fixed_cost`` what building costs
    whatever the volume (build spend, the serving team, operations) [USD]; contingency on
    both sides as :func:`cost_of_building_and_serving` and :func:`cost_of_buying` add it.

    Notes
    -----
    Serving at utilisation u costs S / u, so building wins once F + S / u < A, that is
    u > S / (A - F); ``inf`` (never) where A <= F or the result is above 1. With F = 0 it is
    :func:`utilization_breakeven` on totals (identity).

    >>> round(utilization_breakeven_with_fixed_cost(35.0, 300.0, 0.0), 3), utilization_breakeven_with_fixed_cost(35.0, 300.0, 290.0)
    (0.117, inf)
    >>> round(utilization_breakeven_with_fixed_cost(35.0, 300.0, 100.0), 3)
    0.175
    """
    a = _args.parse(serving_cost_at_full_load=(serving_cost_at_full_load, "non_negative"),
                    api_cost=(api_cost, "non_negative"), fixed_cost=(fixed_cost, "non_negative"))
    margin = a.api_cost - a.fixed_cost
    ratio = _args.divide(a.serving_cost_at_full_load, np.where(margin > 0, margin, 1.0))
    return a.wrap(np.where((margin <= 0) | (ratio > 1.0), np.inf, ratio))


@excel("IF({monthly_saving} <= 0, {none}, {fixed_cost} / {monthly_saving})", none="never: no monthly saving")
@documented(returns="months", fixed_cost="One-time cost to pay back [USD]")
def months_to_breakeven(fixed_cost, monthly_saving):
    """Months until a one-time cost is paid back by a monthly saving [months].

    {parameters}

    Returns
    -------
    float, ndarray or Series
        fixed_cost / monthly_saving [months]; ``inf`` where the saving is zero or negative:
        it is never paid back.

    Examples
    --------
    A $50,000 fine-tune that saves $8,000 a month:

    >>> months_to_breakeven(50_000, 8_000)
    6.25
    """
    a = _args.parse(fixed_cost=(fixed_cost, "non_negative"), monthly_saving=(monthly_saving, "finite"))
    return a.wrap(_divide_or_inf(a.fixed_cost, a.monthly_saving, "fixed_cost and monthly_saving"))


@excel("{price} * (1 - {annual_decline}) ^ {years}")
@documented(returns="same unit as price")
def price_after_decline(price, annual_decline, years):
    """A price after ``years`` of decline at ``annual_decline`` per year [same unit as price].

    {parameters}

    Notes
    -----
    price x (1 - annual_decline)^years. A decline of 0.9 a year (10x) is an assumption at
    the slow end of the 9x-900x a year [EpochAI2025] measures at fixed performance.

    Examples
    --------
    >>> round(price_after_decline(3.00, 0.9, 1), 2)
    0.3
    """
    a = _args.parse(price=(price, "non_negative"), annual_decline=(annual_decline, "share_below_one"),
                    years=(years, "non_negative"))
    return a.wrap(a.price * (1.0 - a.annual_decline) ** a.years)


@excel("IF({cost_per_unit} >= {price_per_unit} * (1 - {annual_decline}) ^ {years}, {none}, {fixed_cost} / ({price_per_unit} * (1 - {annual_decline}) ^ {years} - {cost_per_unit}))",
       none="no break-even at the price after the decline")
@documented(returns="unit", price_per_unit="What buying costs per unit today, before the decline [USD/unit]",
            years="Years of decline; fractions allowed [years]")
def breakeven_after_decline(fixed_cost, price_per_unit, cost_per_unit, annual_decline, years=1.0):
    """The build-vs-buy break-even volume re-checked against the price after ``years`` of decline [unit].

    {parameters}

    Notes
    -----
    breakeven(F, p (1 - d)^years, c): the break-even moves against a build decision as the
    market price p falls (identity on F / (p - c); pace [EpochAI2025]). ``inf`` once the price
    has fallen to own cost.

    Examples
    --------
    The illustrative self-host case ([WaferZero2026]), re-checked a year on at a 10x cheaper API
    ([EpochAI2025] pace, assumption):

    >>> breakeven_after_decline(1000, 3.0, 0.35, 0.9, 1)
    inf
    """
    _args.parse(price_per_unit=price_per_unit)  # a message that names price_per_unit, not price
    future_price = price_after_decline(price_per_unit, annual_decline, years)
    return breakeven(fixed_cost, future_price, cost_per_unit)


@excel("{training_cost} / {lifetime_tokens} * 1E6 + {marginal_cost_per_m_tokens}")
@documented(returns="USD/Mtok")
def amortized_cost_per_m_tokens(training_cost, lifetime_tokens, marginal_cost_per_m_tokens):
    """The honest unit cost [USD/Mtok]: training spread over every token served, plus marginal.

    {parameters}

    Notes
    -----
    cost per token ~ training cost / lifetime tokens + inference cost per token (identity:
    capex spread over lifetime tokens plus marginal cost; stated in [WaferZero2026]). At low
    volume the first term dominates; at high volume it vanishes.

    Examples
    --------
    The illustrative $8.84 M run ([WaferZero2026] inputs, identity) served for 10T tokens
    (assumption) at $0.35 marginal:

    >>> round(amortized_cost_per_m_tokens(8.84e6, 10e12, 0.35), 3)
    1.234
    """
    a = _args.parse(training_cost=(training_cost, "non_negative"), lifetime_tokens=(lifetime_tokens, "positive"),
                    marginal_cost_per_m_tokens=(marginal_cost_per_m_tokens, "non_negative"))
    return a.wrap(a.training_cost / a.lifetime_tokens * TOKENS_PER_MILLION + a.marginal_cost_per_m_tokens)


@excel("{cost_per_query} * {queries_per_user_per_month} * {users}")
@documented(returns="USD/month", users="Users; 1 (the default) gives COGS per user [users]")
def monthly_cogs(cost_per_query, queries_per_user_per_month, users=1.0):
    """Inference cost of goods sold per month [USD/month]; ``users=1`` gives COGS per user.

    {parameters}

    Notes
    -----
    COGS = cost per query x queries per user per month x users (identity).

    Examples
    --------
    Identity: 10 million daily queries at $0.05 each is $500,000 a day (illustrative figures,
    [ComparthingND]):

    >>> monthly_cogs(0.05, 10e6, 1) / 1e3
    500.0
    """
    a = _args.parse(cost_per_query=(cost_per_query, "non_negative"),
                    queries_per_user_per_month=(queries_per_user_per_month, "non_negative"),
                    users=(users, "non_negative"))
    return a.wrap(a.cost_per_query * a.queries_per_user_per_month * a.users)


@excel("{cogs_per_user} / {arpu}")
@documented(returns="fraction")
def cogs_share(cogs_per_user, arpu):
    """Inference COGS as a share of revenue per user [fraction]; above 0.30 needs redesign.

    {parameters}

    Examples
    --------
    $6 of inference per user against a $20 subscription:

    >>> cogs_share(6.0, 20.0)
    0.3
    """
    a = _args.parse(cogs_per_user=(cogs_per_user, "non_negative"), arpu=(arpu, "positive"))
    return a.wrap(a.cogs_per_user / a.arpu)


@excel("({revenue} - {cogs}) / {revenue}")
@documented(returns="fraction")
def gross_margin(revenue, cogs):
    """Gross margin (revenue - COGS) / revenue [fraction]; below 0.5 is a services business.

    {parameters}

    Examples
    --------
    >>> gross_margin(20.0, 6.0)
    0.7
    """
    a = _args.parse(revenue=(revenue, "positive"), cogs=(cogs, "non_negative"))
    return a.wrap((a.revenue - a.cogs) / a.revenue)


@documented(returns="flag (1 = true)")
def needs_redesign(cogs_per_user, arpu, threshold=COGS_SHARE_REDESIGN):
    """True where COGS per user [USD] exceeds ``threshold`` [fraction] of ARPU [USD] (default 30 %, an assumption).

    {parameters}

    Notes
    -----
    The 30 % threshold is an illustrative one, not a standard ([FactorBeamND]).

    Examples
    --------
    >>> needs_redesign(6.5, 20.0)
    True
    """
    share = cogs_share(cogs_per_user, arpu)
    t = _args.parse(threshold=(threshold, "share")).threshold
    flag = np.asarray(share) > t
    if _args.is_series(share):
        return share > float(t)
    return bool(flag) if flag.ndim == 0 else flag


@documented(cost_per_query=ARGUMENTS["cost_per_query"].but(type="float"),
            queries_per_user_per_month=ARGUMENTS["queries_per_user_per_month"].but(type="float"),
            users=ARGUMENTS["users"].but(meaning="Today's users", type="float"),
            arpu=ARGUMENTS["arpu"].but(type="float"),
            multiples=("Plans to show, as multiples of today's users; default 10x and 100x, an assumption "
                       "as [FactorBeamND] suggests [ratio > 0]"))
def scale_plan(cost_per_query, queries_per_user_per_month, users, arpu, multiples=(1, 10, 100)):
    """Monthly COGS, revenue and margin at today's users and at each multiple of them.

    {parameters}

    Returns
    -------
    pandas.DataFrame
        One row per multiple: ``users``, ``monthly_cogs`` [USD], ``monthly_revenue`` [USD],
        ``cogs_share`` [fraction], ``gross_margin`` [fraction], ``needs_redesign`` [bool].

    Examples
    --------
    >>> plan = scale_plan(0.0135, 300, 1_000, 20.0)
    >>> plan["monthly_cogs"].round(2).tolist()
    [4050.0, 40500.0, 405000.0]
    """
    import pandas as pd  # pandas loads where a DataFrame is made, not with costlib

    m = _args.parse(multiples=(list(multiples), "positive")).multiples
    users_now = _args.parse(users=(users, "non_negative")).users
    plan_users = users_now * m
    cogs = np.asarray(monthly_cogs(cost_per_query, queries_per_user_per_month, plan_users), dtype=float)
    per_user = np.asarray(monthly_cogs(cost_per_query, queries_per_user_per_month, 1.0), dtype=float)
    revenue = plan_users * _args.parse(arpu=(arpu, "positive")).arpu
    share = cogs_share(per_user, arpu)
    return pd.DataFrame({
        "multiple": m, "users": plan_users, "monthly_cogs": cogs, "monthly_revenue": revenue,
        "cogs_share": np.full(m.shape, share), "gross_margin": np.full(m.shape, gross_margin(arpu, per_user)),
        "needs_redesign": np.full(m.shape, share > COGS_SHARE_REDESIGN),
    }).set_index("multiple")


@documented(returns="USD", input_tokens="Prompt tokens of observed or simulated queries, one element per query [tokens]",
            output_tokens="Generated tokens of the same queries, one element per query [tokens]",
            **PRICES_OR_MODEL,
            model=ARGUMENTS["model"].but(
                meaning='API model name in the price data (genai-prices); given, each query is billed as its '
                        "provider bills it (api_bill), long-context tiers included [name]", type="str, optional"))
def query_cost_quantiles(input_tokens, output_tokens, input_price_per_m_tokens=None, output_price_per_m_tokens=None,
                         quantiles=(0.5, 0.95), cached_share=0.0, cached_input_price_per_m_tokens=None, model=None,
                         provider=None, price_date=None, service_tier=None):
    """Quantiles of cost per query [USD] over samples of token lengths (median and p95).

    {parameters}

    Returns
    -------
    dict
        ``{quantile: cost per query [USD]}``.

    Notes
    -----
    The quantile of the cost is taken over the costs of the queries, not computed from the
    quantile token counts: a long prompt and a long answer need not come together. Given
    ``model``, each query is :func:`costlib.api_bill`'s: a p95 prompt above a long-context
    tier's start is billed at the tier's price for all its tokens, which a flat price list
    misses.

    Examples
    --------
    Five queries, the last with a long answer, at $3 / $15 per 1 M tokens:

    >>> q = query_cost_quantiles([1000, 2000, 3000, 4000, 5000], [100, 200, 300, 400, 5000], 3.0, 15.0)
    >>> round(q[0.5], 4), round(q[0.95], 4)
    (0.0135, 0.0756)

    The same shape with a 300,000-token prompt at the tail, billed by Anthropic for Claude Sonnet
    4.5 [GenaiPrices2026] (above 200,000 prompt tokens every token costs double):

    >>> q = query_cost_quantiles([1000, 2000, 3000, 4000, 300_000], [100, 200, 300, 400, 500],
    ...                          model="claude-sonnet-4-5", price_date="2026-11-01", quantiles=(1.0,))
    >>> round(q[1.0], 4)
    1.8113
    """
    q = _args.parse(quantiles=(list(quantiles), "share")).quantiles  # every rule is checked before a missing price
    # the prices or the model, never both: api_cost_per_query's rule, its bill (api_bill's with a model)
    costs = api_cost_per_query(input_tokens, output_tokens, input_price_per_m_tokens, output_price_per_m_tokens,
                               cached_share, cached_input_price_per_m_tokens, model=model, provider=provider,
                               price_date=price_date, service_tier=service_tier)
    costs = np.asarray(costs, dtype=float).reshape(-1)
    values = np.quantile(costs, q)
    return {float(k): float(v) for k, v in zip(q, values)}


@excel("IF({median} > 0, {median} * EXP(LN({p95} / {median}) * LN({p95} / {median}) / {#lognormal_p95_divisor}), 0)")
@documented(returns="unit of median")
def lognormal_mean(median, p95):
    """The mean of a lognormal quantity given its median and 95th percentile [unit of median].

    {parameters}

    Notes
    -----
    A lognormal with median m has ln X ~ N(ln m, s^2); its 95th percentile is m exp(z s) with
    z = 1.6449 (the standard normal's 95th percentile), so s = ln(p95 / m) / z, and its mean is
    m exp(s^2 / 2) (the lognormal's moments). Query sizes are right-skewed: the mean lies above
    the median, and a cost per query taken at the median understates COGS. The lognormal is
    an assumption of shape, fixed by the two figures a team measures. Cost per query is linear
    in tokens, so the mean cost is the cost at the mean tokens whatever the correlation of
    input and output lengths. A median of 0 gives 0 (no tokens of that kind); p95 = median
    gives the median (no spread).

    Examples
    --------
    Median 2,000 input tokens, p95 8,000: s = ln 4 / 1.6449 = 0.843, mean = 2,000 x
    exp(0.355) = 2,853 tokens, 43 % above the median:

    >>> round(lognormal_mean(2000.0, 8000.0))
    2853
    """
    a = _args.parse(median=(median, "non_negative"), p95=(p95, "non_negative"))
    log_ratio = np.log(np.where(a.median > 0, a.p95, 1.0) / np.where(a.median > 0, a.median, 1.0))
    return a.wrap(np.where(a.median > 0, a.median * np.exp(log_ratio * log_ratio / LOGNORMAL_P95_DIVISOR), 0.0))


#: What :func:`unit_economics_verdict` says, in the order it tests.
VERDICTS = ("redesign: COGS above the threshold share of ARPU", "services business: margin below the floor",
            "viable: COGS within the threshold")


@excel('IF({cogs_share} > {threshold}, "' + VERDICTS[0] + '", IF({gross_margin} < {margin_floor}, "' + VERDICTS[1]
       + '", "' + VERDICTS[2] + '"))')
@documented(returns="text")
def unit_economics_verdict(cogs_share, gross_margin, threshold=COGS_SHARE_REDESIGN, margin_floor=GROSS_MARGIN_FLOOR):
    """The unit-economics verdict in words [text]: redesign, services business or viable.

    {parameters}

    Notes
    -----
    Illustrative thresholds ([FactorBeamND]): above 30 % of ARPU the feature needs redesign; a gross
    margin below 50 %
    with no path to improvement is a services business.

    Examples
    --------
    >>> unit_economics_verdict(0.3375, 0.6625)
    'redesign: COGS above the threshold share of ARPU'
    >>> unit_economics_verdict(0.1, 0.9)
    'viable: COGS within the threshold'
    """
    a = _args.parse(cogs_share=(cogs_share, "finite"), gross_margin=(gross_margin, "finite"),
                    threshold=(threshold, "share"), margin_floor=(margin_floor, "finite"))
    words = np.where(a.cogs_share > a.threshold, VERDICTS[0],
                     np.where(a.gross_margin < a.margin_floor, VERDICTS[1], VERDICTS[2]))
    return str(words) if words.ndim == 0 else words
