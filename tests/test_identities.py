"""Identities and properties that hold whatever the inputs (numpy-financial style)."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import costlib

positive = st.floats(min_value=1e-3, max_value=1e15, allow_nan=False, allow_infinity=False)
params_st = st.floats(min_value=1e6, max_value=2e12)
tokens_st = st.floats(min_value=1e8, max_value=1e14)
price_st = st.floats(min_value=0.01, max_value=100)
fraction_st = st.floats(min_value=1e-3, max_value=1.0)


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


class TestTrainingProperties:
    @given(n=params_st, d=tokens_st, price=price_st, mfu=fraction_st, k=st.floats(1.0, 10.0))
    def test_monotonic(self, n, d, price, mfu, k):
        base = costlib.train_cost(n, d, price, gpu="H100", mfu=mfu)
        assert costlib.train_cost(n * k, d, price, mfu=mfu) >= base
        assert costlib.train_cost(n, d * k, price, mfu=mfu) >= base
        assert costlib.train_cost(n, d, price * k, mfu=mfu) >= base
        assert costlib.train_cost(n, d, price, mfu=min(1.0, mfu * k)) <= base

    @given(n=params_st, d=tokens_st, price=price_st)
    def test_cost_is_hours_times_price(self, n, d, price):
        hours = costlib.train_gpu_hours(n, d, "A100 80GB", 0.5)
        assert costlib.train_cost(n, d, price, "A100 80GB", 0.5) == pytest.approx(hours * price, rel=1e-12)

    @settings(max_examples=25)
    @given(st.lists(st.tuples(params_st, tokens_st, price_st, fraction_st), min_size=1, max_size=20))
    def test_broadcast_equals_scalar_calls(self, rows):
        n, d, p, m = (np.array(col) for col in zip(*rows))
        vector = costlib.train_cost(n, d, p, "H100", m)
        scalars = [costlib.train_cost(n1, d1, p1, gpu="H100", mfu=m1) for n1, d1, p1, m1 in rows]
        np.testing.assert_allclose(vector, scalars, rtol=1e-15)

    def test_moe_uses_active_parameters(self):
        # DeepSeek-V3 report: 671B total, 37B activated per token; training FLOPs scale with the 37B
        assert costlib.train_flops(37e9, 14.8e12) / costlib.train_flops(671e9, 14.8e12) == pytest.approx(37 / 671)
        assert costlib.moe_active_params(5e9, 80e9, 8, 8) == 85e9  # all experts active: a dense model

    def test_chinchilla_20x(self):
        n = costlib.chinchilla_optimal_params(costlib.train_flops(70e9, costlib.chinchilla_tokens(70e9)))
        assert n == pytest.approx(70e9)  # N -> D = 20 N -> C = 6 N D -> back to N


class TestInferenceOptimal:
    def test_no_inference_is_loss_optimal(self):
        # with no inference demand, the cheapest model reaching a loss is the loss-optimal model
        # of that compute (the duality of Hoffmann et al. 2022, Approach 3)
        best = costlib.inference_optimal(costlib.chinchilla_loss(7e9, 140e9), 0.0)
        assert best.params == pytest.approx(costlib.loss_optimal_params(best.train_flops), rel=1e-6)

    @given(loss=st.floats(1.9, 3.0), demand=st.floats(1e9, 1e15))
    @settings(max_examples=40)
    def test_reaches_loss_and_is_a_minimum(self, loss, demand):
        best = costlib.inference_optimal(loss, demand)
        assert costlib.chinchilla_loss(best.params, best.train_tokens) == pytest.approx(loss, rel=1e-9)
        total = best.train_flops + best.inference_flops

        def total_at(n):  # any other size on the same loss costs at least as much
            f = costlib.CHINCHILLA_FIT
            d = (f["B"] / (loss - f["E"] - f["A"] / n ** f["alpha"])) ** (1 / f["beta"])
            return 6 * n * d + 2 * n * demand

        for factor in (0.9, 1.1):
            assert total_at(best.params * factor) >= total * (1 - 1e-9)

    def test_more_demand_smaller_model(self):
        demand = np.logspace(9, 15, 7)
        best = costlib.inference_optimal(costlib.chinchilla_loss(70e9, 1.4e12), demand)
        assert np.all(np.diff(best.params) < 0) and np.all(np.diff(best.train_tokens) > 0)  # Sardana et al. 2024

    def test_loss_below_irreducible_is_refused(self):
        with pytest.raises(costlib.OutOfRangeError, match=r"target_loss must be > 1.69 .*got 1.5"):
            costlib.inference_optimal(1.5, 1e12)


class TestInferenceProperties:
    def test_batching_raises_throughput_until_compute_bound(self):
        batches = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096])
        tps = costlib.decode_tokens_per_second(70e9, "H100", batches, gpus=2)
        assert np.all(np.diff(tps) >= 0) and np.all(np.diff(tps[:6]) > 0)  # grows, then flat once compute bound
        peak = costlib.gpu_spec("H100", "peak_tflops_bf16") * 1e12 * 2
        assert tps[-1] == pytest.approx(peak / (2 * 70e9), rel=1e-9)  # compute bound: peak / 2N

    def test_single_sequence_is_bandwidth_bound(self):
        tps = costlib.decode_tokens_per_second(70e9, "H100", 1, gpus=1)
        # one sequence reads all weights each step: bandwidth / (N x 2 bytes)
        assert tps == pytest.approx(costlib.gpu_spec("H100", "bandwidth") * 1e12 / 140e9, rel=1e-12)

    def test_quantisation_raises_throughput(self):
        bf16, fp8, int4 = (costlib.decode_tokens_per_second(8e9, "H100", 1, p) for p in ("bf16", "fp8", "int4"))
        assert fp8 == pytest.approx(2 * bf16) and int4 == pytest.approx(4 * bf16)  # bytes per parameter 2, 1, 0.5

    @given(price=price_st, tps=st.floats(1, 1e5), u=fraction_st)
    def test_token_cost_scales_inverse_with_utilization(self, price, tps, u):
        assert costlib.token_cost(price, tps, u) == pytest.approx(costlib.token_cost(price, tps) / u, rel=1e-12)

    @given(i=st.floats(0, 1e6), o=st.floats(0, 1e6), pi=price_st, po=price_st, h=st.floats(0, 1))
    def test_cache_never_costs_more(self, i, o, pi, po, h):
        full = costlib.api_cost_per_query(i, o, pi, po)
        cached = costlib.api_cost_per_query(i, o, pi, po, cached_share=h, cached_input_price_per_m_tokens=pi / 10)
        assert cached <= full * (1 + 1e-12)

    def test_blended_equals_parts(self):
        assert costlib.blended_cost_per_query(1.0, 0.1, 0.0, 0.0) == 1.0
        assert costlib.blended_cost_per_query(1.0, 0.1, 1.0, 0.0) == 0.1
        assert costlib.blended_cost_per_query(1.0, 0.1, 0.5, 1.0, 0.01) == 0.01


class TestShapes:
    def test_scalar_gives_float(self):
        assert type(costlib.train_cost(70e9, 15e12, 2.0)) is float
        assert type(costlib.token_cost(2.5, 2000)) is float

    def test_series_keeps_index(self):
        s = pd.Series([0.2, 0.5], index=pd.Index(["pilot", "launch"], name="phase"))
        out = costlib.token_cost(2.5, 2000, s)
        assert isinstance(out, pd.Series) and out.index.equals(s.index)

    def test_series_with_different_index_is_refused(self):
        a = pd.Series([1.0, 2.0], index=[0, 1])
        b = pd.Series([1.0, 2.0], index=[5, 6])
        with pytest.raises(costlib.ShapeError, match="must share one index"):
            costlib.token_cost(a, 2000, b)

    def test_million_rows_each_in_one_call(self):
        n = 1_000_000
        rng = np.random.default_rng(0)
        params, tokens = rng.uniform(1e9, 1e11, n), rng.uniform(1e11, 1e13, n)
        assert costlib.train_cost(params, tokens, 2.0).shape == (n,)
        assert costlib.token_cost(2.5, rng.uniform(100, 5000, n), 0.5).shape == (n,)
        be = costlib.breakeven(1000.0, 3.0, rng.uniform(0, 6, n))
        assert be.shape == (n,) and np.isinf(be).any() and np.isfinite(be).any()

    def test_dataframe_of_scenarios(self):
        frame = pd.DataFrame({"params": [7e9, 70e9], "tokens": [2e12, 15e12], "price_per_gpu_hour": [2.0, 2.0]},
                             index=["small", "large"])
        out = costlib.scenarios(frame, costlib.train_cost, costlib.train_gpu_hours)
        assert list(out.index) == ["small", "large"]
        assert out.loc["large", "train_cost"] == pytest.approx(costlib.train_cost(70e9, 15e12, 2.0))

    def test_gpu_names_broadcast(self):
        out = costlib.train_cost(70e9, 15e12, 2.0, gpu=["H100", "A100 80GB", "h100-sxm"])
        assert out[0] == out[2] and out[1] > out[0]
