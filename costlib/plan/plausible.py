"""Plausible ranges: where a typed number stops being a plan and starts being a typo.

A value outside its input's plausible range is legal (it obeys the input's rule) but far
more often a slip: ``2500`` typed for a GPU-hour price of $2.50, ``70`` for 70 B parameters,
``1`` for a growth of 1 % a month. Such a value is refused with the range named, unless it
is typed with an explicit override: a trailing ``!`` (``2500!``), or for a fraction its
unit (``100%``).

The range of an input is its template's ``plausible`` (a number, the top, or ``[low,
high]``), else the range of its unit below. The bounds are deliberately wide (an order of
magnitude or more beyond any price or size in the reference documents and the packaged
catalogues); they catch slips of a factor 100 or 1,000, not unusual plans.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["UNIT_RANGES", "plausible_range", "outside"]

#: unit -> (low, high, why): the range a value of that unit is taken in without an override
UNIT_RANGES: dict[str, tuple[float, float, str]] = {
    # rental rates run $1-$12 per GPU-hour (costlib/data/gpu_prices_*.csv)
    "USD/GPU-h": (0.0, 100.0, "rental rates run about $1 to $12 per GPU-hour"),
    # API list prices run $0.02-$600 per 1 M tokens (genai-prices, 2026)
    "USD/Mtok": (0.0, 1000.0, "API list prices run about $0.02 to $600 per 1 M tokens"),
    "USD/kWh": (0.0, 2.0, "electricity costs about $0.03 to $0.50 per kWh"),
    "USD/GPU": (0.0, 1e6, "an accelerator costs about $10,000 to $70,000"),
    "USD/GPU-month": (0.0, 1e5, "colocation costs about $100 to $1,000 per GPU-month"),
    "USD/person-year": (0.0, 1e7, "a fully loaded salary is about $100,000 to $1,000,000 a year"),
    "USD/user/month": (0.0, 1e5, "a subscription costs about $1 to $1,000 a month"),
    # model sizes: 1 M parameters (a toy) to 100 T (far above any published model)
    "parameters": (1e6, 1e14, "published models have 100 M to 2 T parameters"),
    "tokens": (0.0, 1e16, "frontier models train on 1 T to 40 T tokens"),
    "tokens/month": (0.0, 1e17, "the largest services serve about 1e15 tokens a month"),
    "tokens/s": (0.0, 1e7, "one accelerator decodes about 100 to 100,000 tokens/s"),
    "FLOP": (0.0, 1e3, "training takes 6 FLOP per parameter per token"),
    "fraction/month": (0.0, 0.5, "growth above 50 % a month is a typo for a percentage more often than a plan"),
    "fraction/year": (0.0, 1.0, "a rate above 100 % a year is a typo for a percentage more often than a plan"),
    "GPUs": (0.0, 1e6, "the largest clusters hold about 100,000 to 200,000 accelerators"),
    "users": (0.0, 1e10, "there are about 8e9 people"),
}


def plausible_range(inp: Any) -> tuple[float, float, str] | None:
    """The (low, high, why) of a template input: its own ``plausible``, else its unit's; None for none."""
    if inp.type not in ("number", "integer"):
        return None
    own = inp.plausible
    if own is None:
        return UNIT_RANGES.get(inp.unit)
    if isinstance(own, (list, tuple)):
        return float(own[0]), float(own[1]), "the template's plausible range"
    low = 0.0 if UNIT_RANGES.get(inp.unit, (0.0,))[0] >= 0 else -math.inf
    return low, float(own), "the template's plausible range"


def outside(inp: Any, value: float) -> bool:
    """True where ``value`` lies outside ``inp``'s plausible range (inclusive bounds)."""
    bounds = plausible_range(inp)
    return bounds is not None and not bounds[0] <= value <= bounds[1]
