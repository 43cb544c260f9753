"""costlib.plan.plausible: the range a typed number is taken in without an override."""

import math
from types import SimpleNamespace

import pytest

from costlib.plan.plausible import UNIT_RANGES, outside, plausible_range


def inp(unit="", plausible=None, type="number"):
    """An input as plausible_range reads it: its type, unit and own ``plausible``."""
    return SimpleNamespace(type=type, unit=unit, plausible=plausible)


def test_an_input_without_its_own_range_takes_its_units():
    assert plausible_range(inp("USD/GPU-h")) == UNIT_RANGES["USD/GPU-h"]


def test_a_unit_with_no_range_gives_none_and_nothing_is_outside():
    assert plausible_range(inp("widgets")) is None
    assert not outside(inp("widgets"), 1e300)


@pytest.mark.parametrize("kind", ["text", "gpu", "choice", "date", "currency"])
def test_only_numbers_have_a_plausible_range(kind):
    assert plausible_range(inp("USD/GPU-h", type=kind)) is None


def test_an_own_pair_is_low_and_high():
    assert plausible_range(inp("USD", plausible=(5, 50)))[:2] == (5.0, 50.0)


def test_an_own_number_is_the_top_from_zero_for_a_unit_that_starts_at_zero():
    assert plausible_range(inp("USD/GPU-h", plausible=20))[:2] == (0.0, 20.0)


def test_an_own_number_is_the_top_from_zero_for_a_unit_without_a_range_too():
    assert plausible_range(inp("USD", plausible=20))[:2] == (0.0, 20.0)  # an unknown unit is taken to start at 0
    # a unit whose range starts below zero would get no floor: none of UNIT_RANGES does today
    assert all(low >= 0 for low, _, _ in UNIT_RANGES.values())


@pytest.mark.parametrize("value,expected", [
    (0.0, False),              # the low bound is inclusive
    (100.0, False),            # so is the high bound: USD/GPU-h runs 0 to 100
    (math.nextafter(100.0, 200.0), True),
    (2500.0, True),            # 2500 typed for $2.50 (plausible.py's own example)
    (-1.0, True),
])
def test_outside_is_strictly_beyond_the_inclusive_bounds(value, expected):
    assert outside(inp("USD/GPU-h"), value) is expected


def test_every_unit_range_is_ordered_and_says_why():
    for unit, (low, high, why) in UNIT_RANGES.items():
        assert low < high and why, unit


@pytest.mark.parametrize("unit,typed", [
    ("USD/GPU-h", 2.5),          # a typical rental rate (costlib/data/gpu_prices_2026-11.csv runs ~$1-$12)
    ("parameters", 70e9),        # Llama 2 70B
    ("tokens", 15e12),           # Llama 3: 15 T training tokens
    ("fraction/month", 0.08),    # 8 % growth a month
])
def test_an_ordinary_plan_is_inside(unit, typed):
    assert not outside(inp(unit), typed)


@pytest.mark.parametrize("unit,slip", [
    ("USD/GPU-h", 250.0),        # $2.50 typed in cents
    ("parameters", 70.0),        # 70 typed for 70 B
    ("fraction/month", 8.0),     # 8 typed for 8 %
])
def test_a_slip_of_a_factor_100_or_more_is_outside(unit, slip):
    assert outside(inp(unit), slip)
