"""The worked examples of the briefing articles ([WaferZero2026], [ComparthingND], [FactorBeamND],
[LatereND]) and [DeepSeekAI2024]; see docs/references.md.

Each value carries its source on the same line. Tolerances follow how the documents round:
"about 4.4 M" is checked to the digits the document prints.
"""

import math

import pytest

import costlib


class TestTrainingExample:
    """[WaferZero2026] illustrative example: 70B on 15T tokens, H100 [NVIDIA2022] at ~40 % MFU; [Kaplan2020]."""

    def test_flops(self):
        assert costlib.train_flops(70e9, 15e12) == pytest.approx(6.3e24, rel=1e-12)  # [Kaplan2020] 6ND: 6 x 70e9 x 15e12 = 6.3e24; inputs [WaferZero2026]

    def test_gpu_seconds(self):
        hours = costlib.train_gpu_hours(70e9, 15e12, gpu="H100", mfu=0.4)
        assert hours * 3600 == pytest.approx(1.6e10, rel=0.01)  # [WaferZero2026] (illustrative): "~1.6e10 GPU-seconds"

    def test_gpu_hours(self):
        hours = costlib.train_gpu_hours(70e9, 15e12, gpu="H100", mfu=0.4)
        assert round(hours / 1e6, 1) == 4.4  # [WaferZero2026] (illustrative): "~4.4M GPU-hours"

    def test_realised_throughput(self):
        realised = costlib.gpu_spec("H100", "peak_tflops_bf16") * 0.4
        assert realised == pytest.approx(396, abs=1)  # identity: 989.4 [NVIDIA2022] x 0.4 = 396; [WaferZero2026]: "~400 realised"

    def test_cost(self):
        cost = costlib.train_cost(70e9, 15e12, 2.0, gpu="H100", mfu=0.4)
        assert 8e6 <= cost <= 9e6  # [WaferZero2026] (illustrative): "$8-9M at $2/GPU-hour"
        assert cost == pytest.approx(8.85e6, rel=0.005)  # identity: 6.3e24 / (989.4e12 x 0.4) / 3600 x $2 = 8.844e6


class TestServingExample:
    """[WaferZero2026] illustrative serving example: one H100 at $2.50/hour, ~2,000 tokens/s, $3.00 API."""

    @pytest.mark.parametrize("utilization, expected", [
        (1.00, 0.35),  # [WaferZero2026] (illustrative): "utilisation 100% -> $0.35 / M"
        (0.20, 1.75),  # [WaferZero2026] (illustrative): "utilisation 20% -> $1.75 / M"
        (0.05, 7.00),  # [WaferZero2026] (illustrative): "utilisation 5% -> $7.00 / M"
    ])
    def test_cost_per_million(self, utilization, expected):
        # the document rounds the full-load cost to $0.35 first, then divides: 1 % covers it
        assert costlib.token_cost(2.5, 2000, utilization) == pytest.approx(expected, rel=0.01)

    def test_done_when_value(self):
        assert costlib.token_cost(2.5, 2000, 0.2) == pytest.approx(1.736, abs=5e-4)  # identity: 1e6 / (2000 x 3600 x 0.2) x 2.5 = 1.736

    def test_five_percent_is_above_api(self):
        assert costlib.token_cost(2.5, 2000, 0.05) > 3.00  # [WaferZero2026] (illustrative): "now more expensive than the API"

    def test_full_load_nine_times_cheaper(self):
        assert 3.00 / costlib.token_cost(2.5, 2000) == pytest.approx(9, rel=0.05)  # [WaferZero2026] (illustrative): "≈ 9x cheaper than API"

    def test_utilization_breakeven(self):
        full = costlib.token_cost(2.5, 2000)
        assert round(costlib.utilization_breakeven(full, 3.00), 2) == 0.12  # [WaferZero2026] (illustrative): "roughly 12% sustained utilisation"
        assert costlib.utilization_breakeven(0.35, 3.00) == pytest.approx(0.1167, abs=1e-4)  # identity: 0.35 / 3.00 = 0.1167


class TestBreakevenExample:
    def test_done_when_values(self):
        assert costlib.breakeven(1000, 3.0, 0.35) == pytest.approx(377.4, abs=0.05)  # identity: 1000 / (3.00 - 0.35) = 377.4
        assert costlib.breakeven(1000, 0.3, 0.35) == math.inf  # identity: no V > 0 solves F + c V < p V when c >= p

    def test_equal_cost_and_price_has_no_breakeven(self):
        assert costlib.breakeven(1000, 0.35, 0.35) == math.inf  # identity: no break-even when c >= p


class TestDeepSeekV3:
    def test_final_run_cost(self):
        # An identity with the report's own figures, not an independent check: "180K H800 GPU hours"
        # per trillion tokens (sec. 1) sets the realised throughput; train_cost must then give Table 1.
        peak = costlib.gpu_spec("H800", "peak_tflops_bf16") * 1e12
        mfu = costlib.train_flops(37e9, 1e12) / (180e3 * 3600) / peak
        pre_training = costlib.train_cost(37e9, 14.8e12, 2.0, gpu="H800", mfu=mfu)
        assert pre_training == pytest.approx(5.328e6, rel=1e-3)  # report Table 1: pre-training $5.328M (2664K h)
        extension_and_post = (119e3 + 5e3) * 2.0  # report Table 1: context extension 119K h, post-training 5K h
        assert pre_training + extension_and_post == pytest.approx(5.576e6, rel=1e-3)  # [DeepSeekAI2024], Table 1: $5.576M


class TestUnitEconomicsExamples:
    def test_daily_queries(self):
        assert costlib.monthly_cogs(0.05, 10e6) == pytest.approx(500_000)  # identity; illustrative figures, [ComparthingND]: 10 M daily queries at $0.05 = $500,000/day

    def test_redesign_threshold(self):
        assert costlib.COGS_SHARE_REDESIGN == 0.30  # [FactorBeamND] (illustrative threshold): "If COGS exceeds 30% of ARPU ... need redesign"
        assert costlib.GROSS_MARGIN_FLOOR == 0.50  # [FactorBeamND] (illustrative threshold): "blended margin below 50% ... a services business"
        assert costlib.needs_redesign(6.01, 20.0) and not costlib.needs_redesign(6.0, 20.0)

    def test_hundred_x_users_hundred_x_spend(self):
        plan = costlib.scale_plan(0.0135, 300, 1_000, 20.0, multiples=(1, 100))
        # identity: COGS linear in users at a fixed cost per query (figures illustrative, [FactorBeamND])
        assert plan.loc[100, "monthly_cogs"] / plan.loc[1, "monthly_cogs"] == pytest.approx(100)

    def test_data_preparation_share(self):
        lines = costlib.programme_capex_breakdown(1e6, data_preparation_share=0.4)
        assert lines["data_preparation"] / lines["total"] == pytest.approx(0.4)  # assumption (illustrative figure), [ComparthingND]: data prep 30-50 % of total


class TestPriceDecline:
    def test_order_of_magnitude_per_year(self):
        assert costlib.price_after_decline(30.0, 0.9, 1) == pytest.approx(3.0)  # assumption 0.9/yr; [EpochAI2025] measures 9x-900x a year

    def test_breakeven_moves_against_build(self):
        now = costlib.breakeven(1000, 3.0, 0.35)
        later = costlib.breakeven_after_decline(1000, 3.0, 0.35, 0.5, 1)
        assert later > now  # identity: F / (p - c) rises as p falls
