"""The rules an argument can be held to, as text a message and a cell can quote.

Kept apart from ``_args`` (which needs numpy) so that listing templates stays light.
"""

import math

# rule -> (lower bound, lower inclusive, upper bound, upper inclusive, text of the rule)
RULES: dict[str, tuple[float, bool, float, bool, str]] = {
    "positive": (0.0, False, math.inf, False, "must be > 0"),
    "non_negative": (0.0, True, math.inf, False, "must be >= 0"),
    "fraction": (0.0, False, 1.0, True, "must be in (0, 1]"),
    "share": (0.0, True, 1.0, True, "must be in [0, 1]"),
    "share_below_one": (0.0, True, 1.0, False, "must be in [0, 1)"),
    "at_least_one": (1.0, True, math.inf, False, "must be >= 1"),
    "finite": (-math.inf, False, math.inf, False, "must be a finite number"),
}


def obeys(rule: str, value):
    """True where ``value`` (a number, or a numpy array element-wise) lies within ``rule``'s bounds."""
    lo, lo_incl, hi, hi_incl, _ = RULES[rule]
    return ((value >= lo) if lo_incl else (value > lo)) & ((value <= hi) if hi_incl else (value < hi))
