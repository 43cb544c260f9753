"""costlib.training: properties of the training cost and the inference-optimal model size."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import fraction_st, params_st, price_st, tokens_st

import costlib


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
        # (loss_optimal_params has the rounded Hoffmann fit: give inference_optimal the same constants)
        f = costlib.CHINCHILLA_FIT
        best = costlib.inference_optimal(costlib.chinchilla_loss(7e9, 140e9), 0.0, **f)
        assert best.params == pytest.approx(costlib.loss_optimal_params(best.train_flops), rel=1e-6)

    @given(loss=st.floats(1.9, 3.0), demand=st.floats(1e9, 1e15))
    @settings(max_examples=40)
    def test_reaches_loss_and_is_a_minimum(self, loss, demand):
        f = costlib.SARDANA_FIT  # the defaults of inference_optimal
        best = costlib.inference_optimal(loss, demand)
        assert costlib.chinchilla_loss(best.params, best.train_tokens, **f) == pytest.approx(loss, rel=1e-9)
        total = best.train_flops + best.inference_flops

        def total_at(n):  # any other size on the same loss costs at least as much
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
