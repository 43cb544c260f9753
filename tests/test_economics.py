"""costlib.economics: break-even and amortisation identities (numpy-financial style)."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import costlib


class TestBreakevenIdentities:
    @given(fixed=st.floats(0, 1e9), price=st.floats(0.01, 100), share=st.floats(0, 0.99))
    def test_build_equals_buy_at_breakeven(self, fixed, price, share):
        cost = price * share
        volume = costlib.breakeven(fixed, price, cost)
        # buy p V == build F + c V at V = F / (p - c)
        assert price * volume == pytest.approx(fixed + cost * volume, rel=1e-9, abs=1e-6)

    @given(fixed=st.floats(0, 1e9), price=st.floats(0, 100), excess=st.floats(0, 100))
    def test_no_breakeven_when_cost_at_or_above_price(self, fixed, price, excess):
        assert costlib.breakeven(fixed, price, price + excess) == math.inf

    def test_no_numpy_warning_on_arrays(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = costlib.breakeven(np.array([1000.0, 1000.0, 0.0]), np.array([3.0, 0.3, 0.35]), 0.35)
        assert out[1] == math.inf and out[2] == math.inf and out[0] == pytest.approx(377.358, rel=1e-5)

    @given(full=st.floats(0.001, 100), price=st.floats(0.001, 100))
    def test_utilization_breakeven_equates_costs(self, full, price):
        u = costlib.utilization_breakeven(full, price)
        if full > price:
            assert u == math.inf
        else:
            assert full / u == pytest.approx(price, rel=1e-9)  # self-host c_full / u equals the API price

    @given(fixed=st.floats(1, 1e9), saving=st.floats(1, 1e8))
    def test_months_to_breakeven_pays_back(self, fixed, saving):
        assert costlib.months_to_breakeven(fixed, saving) * saving == pytest.approx(fixed)


class TestAmortisation:
    @given(train=st.floats(1, 1e9), marginal=st.floats(0, 100))
    def test_tends_to_marginal(self, train, marginal):
        volumes = np.logspace(6, 30, 25)
        costs = costlib.amortized_cost_per_m_tokens(train, volumes, marginal)
        assert np.all(np.diff(costs) <= 0)  # identity (training cost / lifetime tokens); as stated in [WaferZero2026]
        assert costs[-1] == pytest.approx(marginal, abs=1e-9 * max(1.0, train))

    def test_low_volume_dominated_by_training(self):
        cost = costlib.amortized_cost_per_m_tokens(8.84e6, 1e9, 0.35)
        assert cost - 0.35 > 100 * 0.35  # identity; [WaferZero2026]: "Low volume: the first term dominates"


def test_query_cost_quantiles_bill_each_query_as_its_provider_does():
    # a tail query with a 300k prompt crosses Claude Sonnet 4.5's 200k tier: genai-prices' own bill of it
    import datetime as dt

    import genai_prices

    when = dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone.utc)
    q = costlib.query_cost_quantiles([1000, 2000, 300_000], [100, 200, 500], model="claude-sonnet-4-5",
                                     price_date="2026-11-01", quantiles=(0.0, 1.0))
    tail = genai_prices.calc_price(genai_prices.Usage(input_tokens=300_000, output_tokens=500), "claude-sonnet-4-5",
                                   provider_id="anthropic", genai_request_timestamp=when).total_price
    head = genai_prices.calc_price(genai_prices.Usage(input_tokens=1000, output_tokens=100), "claude-sonnet-4-5",
                                   provider_id="anthropic", genai_request_timestamp=when).total_price
    assert q == {0.0: pytest.approx(float(head), rel=1e-12), 1.0: pytest.approx(float(tail), rel=1e-12)}
    # a flat list at the base rates ($3 / $15 [GenaiPrices2026]) misses the tier: half the tail's bill
    flat = costlib.query_cost_quantiles([1000, 2000, 300_000], [100, 200, 500], 3.0, 15.0, quantiles=(1.0,))
    assert flat[1.0] < 0.51 * float(tail)


def test_query_cost_quantiles_refuse_prices_beside_a_model():
    with pytest.raises(costlib.InputTypeError, match="^input_price_per_m_tokens must be left out where model is given"):
        costlib.query_cost_quantiles([1000], [100], 3.0, model="gpt-4o")
    with pytest.raises(costlib.InputTypeError, match="^output_price_per_m_tokens must be given where model is not"):
        costlib.query_cost_quantiles([1000], [100], 3.0)
