"""costlib.rules: the bounds of each rule, at the bound and one float either side, and the text that quotes them."""

import math
import re

import numpy as np
import pytest

from costlib.rules import RULES, obeys

# (rule, value, obeys?): each bound itself, and the nearest float on the other side of it
EDGES = [
    ("positive", 0.0, False),                        # "must be > 0": 0 itself is out
    ("positive", 5e-324, True),                      # the smallest subnormal is > 0
    ("positive", math.inf, False),                   # the upper bound is open: inf is no positive number here
    ("non_negative", 0.0, True),                     # ">= 0"
    ("non_negative", -5e-324, False),
    ("fraction", 1.0, True),                         # "(0, 1]": 1 is in
    ("fraction", math.nextafter(1.0, 2.0), False),   # one ulp above 1 is out
    ("fraction", 0.0, False),                        # 0 is out
    ("share", 0.0, True),                            # "[0, 1]": both ends in
    ("share", 1.0, True),
    ("share_below_one", 1.0, False),                 # "[0, 1)": 1 is out
    ("share_below_one", math.nextafter(1.0, 0.0), True),
    ("at_least_one", 1.0, True),                     # ">= 1"
    ("at_least_one", math.nextafter(1.0, 0.0), False),
    ("finite", -1.7976931348623157e308, True),       # the most negative float is finite
    ("finite", math.inf, False),
    ("finite", -math.inf, False),
]


@pytest.mark.parametrize("rule,value,expected", EDGES)
def test_each_bound_is_in_or_out_as_the_rule_says(rule, value, expected):
    assert bool(obeys(rule, value)) is expected


@pytest.mark.parametrize("rule", sorted(RULES))
def test_nan_obeys_no_rule(rule):
    # every comparison with NaN is False, so NaN never passes a bound
    assert not obeys(rule, math.nan)


def test_an_array_is_judged_element_by_element():
    got = obeys("fraction", np.array([0.0, 0.5, 1.0, 1.5]))
    assert got.tolist() == [False, True, True, False]  # (0, 1]: 0 out, 0.5 and 1 in, 1.5 out


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_text_of_a_rule_says_its_bounds(rule):
    """The text a message quotes agrees with the bounds obeys() applies (brackets and >/>=)."""
    lo, lo_incl, hi, hi_incl, text = RULES[rule]
    interval = re.fullmatch(r"must be in ([\[(])(\S+), (\S+)([\])])", text)
    if interval:
        assert (interval[1] == "[") is lo_incl and (interval[4] == "]") is hi_incl
        assert float(interval[2]) == lo and float(interval[3]) == hi
    elif text.startswith("must be >"):
        assert text.startswith("must be >=") is lo_incl and hi == math.inf
        assert float(text.rsplit(" ", 1)[1]) == lo
    else:
        assert text == "must be a finite number" and (lo, hi) == (-math.inf, math.inf)
    # the bounds as obeys() applies them
    if math.isfinite(lo):
        assert bool(obeys(rule, lo)) is lo_incl
    if math.isfinite(hi):
        assert bool(obeys(rule, hi)) is hi_incl
