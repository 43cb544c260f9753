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


def test_one_default_per_phase():
    # every function taking a decode MFU or MBU has the same default; prefill and training take their
    # precision's own (PREFILL_MFU, TRAINING_MFU), so no 0.4 sits beside a 0.5 for the same phase
    import inspect

    decode = (costlib.decode_tokens_per_second, costlib.time_per_output_token, costlib.serving_tokens_per_second,
              costlib.requests_per_second)
    for f in decode:
        params = inspect.signature(f).parameters
        assert params["mfu"].default == costlib.SERVING_MFU, f.__name__
        assert params["bandwidth_utilization"].default == costlib.DECODE_BANDWIDTH_UTILIZATION, f.__name__
    assert inspect.signature(costlib.prefill_seconds).parameters["mfu"].default is None
    assert inspect.signature(costlib.requests_per_second).parameters["prefill_mfu"].default is None
    # training: not given, mfu is the precision's own default
    fp8 = costlib.TRAINING_MFU["fp8"]
    assert costlib.train_cost(1e9, 1e12, 2.0, precision="fp8") == costlib.train_cost(1e9, 1e12, 2.0, precision="fp8", mfu=fp8)
    assert costlib.train_gpu_hours(1e9, 1e12, precision="fp8") == costlib.train_gpu_hours(1e9, 1e12, precision="fp8", mfu=fp8)
    assert costlib.compute_gpu_hours(6e21, precision="fp8") == costlib.compute_gpu_hours(6e21, precision="fp8", mfu=fp8)


def test_context_tier_price_is_the_cliff_rule():
    # Claude Sonnet 4.5 [GenaiPrices2026]: $3 input up to 200,000 prompt tokens, $6 above, for every token
    assert costlib.context_tier_price(200_000, 3.0, 200_000, 6.0) == 3.0   # exactly the start: the base price
    assert costlib.context_tier_price(200_001, 3.0, 200_000, 6.0) == 6.0   # one above: the tier's, for all of it
    # and the request priced at it is genai-prices' bill (api_bill's), the whole prompt at the tier's price
    price_in = costlib.context_tier_price(300_000, 3.0, 200_000, 6.0)
    price_out = costlib.context_tier_price(300_000, 15.0, 200_000, 22.5)
    assert costlib.api_cost_per_query(300_000, 1000, price_in, price_out) == pytest.approx(
        costlib.api_bill(300_000, 1000, "claude-sonnet-4-5", price_date="2026-11-01"), rel=1e-12)


def test_the_workbooks_tier_rule_is_the_price_datas_for_every_one_tier_model():
    """context_tier_price (the workbooks' twin) and api_prices' own choice of tier (prices._value, the
    package's rule) bill the same price for every model with one long-context tier, on both sides of its start."""
    from costlib.prices import api_prices, search_models

    checked = 0
    for row in search_models("", limit=10_000, price_date="2026-11-01"):
        prices = api_prices(row["model"], row["provider"], "2026-11-01")
        if len(prices["context_tiers"]) != 1:
            continue
        tier = prices["context_tiers"][0]
        start = tier["start"]
        for prompt in (start - 1, start, start + 1, 2 * start):
            at = api_prices(row["model"], row["provider"], "2026-11-01", input_tokens=prompt)
            for kind in ("input", "cached_input", "cache_write", "output"):
                if prices[kind] is None:
                    continue
                assert costlib.context_tier_price(prompt, prices[kind], start, tier[kind]) == at[kind], \
                    (row, prompt, kind)
        checked += 1
    assert checked > 100  # 139 models with one tier in the bundled data on 2026-11-01


def test_prefill_counts_attention_flops_over_the_prompt():
    # [Kaplan2020] Table 1: a forward pass costs 2 N + 2 n_layer n_ctx d_attn FLOPs a token; over a prompt of
    # n tokens (n_ctx = n) the attention adds 2 L d n^2, with d = sqrt(N / 12 L) (its sec. 2.1: N = 12 L d^2)
    params, layers, n = 70e9, 80, 32_768
    d = (params / (12 * layers)) ** 0.5
    peak = costlib.gpu_spec("H100", "peak_tflops_bf16") * 1e12
    matmuls = costlib.prefill_seconds(params, n, "H100", mfu=0.5)
    with_attention = costlib.prefill_seconds(params, n, "H100", mfu=0.5, layers=layers)
    assert matmuls == pytest.approx(2 * params * n / (peak * 0.5), rel=1e-12)                    # identity: 2 N n
    assert with_attention - matmuls == pytest.approx(2 * layers * d * n * n / (peak * 0.5), rel=1e-9)  # identity
    # quadratic in the prompt: twice the prompt, more than twice the time once attention counts
    assert costlib.prefill_seconds(params, 2 * n, "H100", mfu=0.5, layers=layers) > 2 * with_attention
