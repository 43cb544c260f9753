"""costlib.inference: properties of serving throughput and the cost of a token."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import fraction_st, price_st

import costlib


class TestInferenceProperties:
    def test_batching_raises_throughput_until_compute_bound(self):
        batches = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096])
        tps = costlib.decode_tokens_per_second(70e9, "H100", batches, gpus=2, bandwidth_utilization=1, mfu=1)
        assert np.all(np.diff(tps) >= 0) and np.all(np.diff(tps[:6]) > 0)  # grows, then flat once compute bound
        peak = costlib.gpu_spec("H100", "peak_tflops_bf16") * 1e12 * 2
        assert tps[-1] == pytest.approx(peak / (2 * 70e9), rel=1e-9)  # compute bound: peak / 2N

    def test_single_sequence_is_bandwidth_bound(self):
        tps = costlib.decode_tokens_per_second(70e9, "H100", 1, gpus=1, bandwidth_utilization=1, mfu=1)
        # the bound: one sequence reads all weights each step, bandwidth / (N x 2 bytes)
        assert tps == pytest.approx(costlib.gpu_spec("H100", "bandwidth") * 1e12 / 140e9, rel=1e-12)

    def test_the_default_is_the_expected_rate_not_the_bound(self):
        # the default reaches DECODE_BANDWIDTH_UTILIZATION (0.70, measured decoders) of the bound
        bound = costlib.decode_tokens_per_second(70e9, "H100", 1, bandwidth_utilization=1, mfu=1)
        assert costlib.decode_tokens_per_second(70e9, "H100", 1) == pytest.approx(0.70 * bound, rel=1e-12)

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
