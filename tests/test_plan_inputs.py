"""costlib.plan.inputs: a user's inputs converted, checked against their rules and ranges, probed for overflow.

On the tiny template (tests/tiny_template.py): months 3, gpus 8, price_per_gpu_hour 2.0 with the
range [1.5, 3.0], monthly_growth 0.1.
"""

import pytest

import tiny_template
from costlib.errors import InputTypeError, OutOfRangeError, UnknownNameError
from costlib.plan.inputs import TIMELINE_LIMIT, ResolvedInputs, closest, resolve_inputs
from costlib.plan.template import load_template


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_template(str(tiny_template.write(tmp_path_factory.mktemp("tiny"))))


def test_the_defaults_come_back_converted(tiny):
    got = resolve_inputs(tiny)
    assert got == {"scenario": "base", "months": 3, "gpus": 8.0, "price_per_gpu_hour": 2.0, "monthly_growth": 0.1}
    assert type(got["months"]) is int  # an integer input is an int
    assert isinstance(got, ResolvedInputs) and got.template == "tiny"
    assert got.ranges == {"price_per_gpu_hour": (1.5, 2.0, 3.0)}  # (low, base, high)


def test_text_is_read_as_people_type_it(tiny):
    got = resolve_inputs(tiny, {"gpus": "1,000,000", "price_per_gpu_hour": "$2.50", "monthly_growth": "5%"})
    assert (got["gpus"], got["price_per_gpu_hour"], got["monthly_growth"]) == (1e6, 2.5, 0.05)


def test_resolved_inputs_pass_through_unchanged(tiny):
    once = resolve_inputs(tiny, {"gpus": 16})
    assert resolve_inputs(tiny, once) is once


def test_an_unknown_input_suggests_the_closest(tiny):
    with pytest.raises(UnknownNameError, match="'gpu' is not an input of the tiny template; closest: gpus") as caught:
        resolve_inputs(tiny, {"gpu": 4})
    assert caught.value.argument == "gpu"


def test_overrides_must_be_a_mapping(tiny):
    with pytest.raises(InputTypeError, match="overrides must be a mapping of input name to value, got list"):
        resolve_inputs(tiny, [("gpus", 4)])


@pytest.mark.parametrize("overrides,error,message", [
    ({"price_per_gpu_hour": 0}, OutOfRangeError, "price_per_gpu_hour must be > 0, got 0"),
    ({"gpus": -1}, OutOfRangeError, "gpus must be >= 0, got -1"),
    ({"months": 2.5}, InputTypeError, "months must be a whole number, got 2.5"),
    ({"months": 0}, OutOfRangeError, "months must be >= 1, got 0"),
    ({"gpus": float("nan")}, InputTypeError, "gpus must be a number, got NaN"),
    ({"gpus": float("inf")}, OutOfRangeError, "gpus must be a finite number (>= 0), got inf"),
    ({"scenario": "worst"}, UnknownNameError, "scenario must be one of downside, base, upside, got 'worst'"),
])
def test_a_value_that_breaks_its_rule_is_refused_naming_the_input(tiny, overrides, error, message):
    with pytest.raises(error, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$") as caught:
        resolve_inputs(tiny, overrides)
    assert caught.value.argument == next(iter(overrides))


def test_a_value_outside_the_plausible_range_needs_an_override(tiny):
    # USD/GPU-h is plausible from 0 to 100 (costlib.plan.plausible): 2500 is $25.00 typed in cents
    with pytest.raises(OutOfRangeError, match=r"price_per_gpu_hour is 2500 USD/GPU-h, above the plausible 0 to 100 "
                                              r"USD/GPU-h .*; type 2500! if you mean it"):
        resolve_inputs(tiny, {"price_per_gpu_hour": 2500})
    got = resolve_inputs(tiny, {"price_per_gpu_hour": "2500!"})
    assert got["price_per_gpu_hour"] == 2500.0 and "price_per_gpu_hour" in got.taken


def test_a_fraction_typed_as_a_percentage_says_so(tiny):
    with pytest.raises(OutOfRangeError, match=r"monthly_growth is fraction/month: 8 would be 800%, beyond the "
                                              r"plausible 0 to 0.5; type 8% for 8 %"):
        resolve_inputs(tiny, {"monthly_growth": 8})
    assert resolve_inputs(tiny, {"monthly_growth": "8%"})["monthly_growth"] == 0.08  # 8 / 100


# the template's range; a dearer GPU-hour is its downside (tiny_template: downside = "high")
@pytest.mark.parametrize("scenario,price", [("downside", 3.0), ("base", 2.0), ("upside", 1.5)])
def test_the_scenario_chooses_downside_base_or_upside(tiny, scenario, price):
    assert resolve_inputs(tiny, {"scenario": scenario})["price_per_gpu_hour"] == price


def test_a_base_outside_the_range_widens_it(tiny):
    assert resolve_inputs(tiny, {"price_per_gpu_hour": 4.0}).ranges["price_per_gpu_hour"] == (1.5, 4.0, 4.0)


def test_the_ends_of_a_range_may_be_set_and_must_bracket_the_base(tiny):
    got = resolve_inputs(tiny, {"price_per_gpu_hour_low": 1.0, "scenario": "upside"})  # upside: the low end
    assert got["price_per_gpu_hour"] == 1.0 and got.ranges["price_per_gpu_hour"] == (1.0, 2.0, 3.0)
    with pytest.raises(OutOfRangeError, match="price_per_gpu_hour_low <= price_per_gpu_hour <= price_per_gpu_hour_high "
                                              "must hold, got 2.5 <= 2 <= 3"):
        resolve_inputs(tiny, {"price_per_gpu_hour_low": 2.5})


def test_a_timeline_longer_than_the_grid_is_refused(tiny):
    assert TIMELINE_LIMIT == 16_384 - 2  # Excel's 16,384 columns, less the label and total columns
    with pytest.raises(OutOfRangeError, match="months must be <= 16,382"):
        resolve_inputs(tiny, {"months": TIMELINE_LIMIT + 1})


def test_an_overflow_names_the_inputs_to_blame(tiny):
    # spend = gpus * 730 * price: 1e300 * 730 * 1e10 = 7.3e312, beyond the largest float (1.8e308)
    with pytest.raises(OutOfRangeError, match=r"gpus = 1e300 \(default 8\) and price_per_gpu_hour = 10000000000 \(default 2\) "
                                              r"make the tiny template's results overflow") as caught:
        resolve_inputs(tiny, {"gpus": "1e300!", "price_per_gpu_hour": "1e10!"})
    assert caught.value.argument == "gpus"


def test_one_large_input_alone_is_no_overflow(tiny):
    assert resolve_inputs(tiny, {"gpus": "1e300!"})["gpus"] == 1e300  # 1e300 * 730 * 2 * 1.1^2 < 1.8e308


@pytest.mark.parametrize("name,names,found", [
    ("GPUS", ["gpus", "months"], ["gpus"]),             # the same but for case
    ("month", ["gpus", "months"], ["months"]),          # one letter short
    ("zzz", ["gpus", "months"], []),
])
def test_closest(name, names, found):
    assert closest(name, names) == found


# ---------------------------------------------------------------------------
# a named API model prices the inputs marked api_price (unit-economics, finetune-vs-prompt)
# ---------------------------------------------------------------------------

@pytest.fixture(autouse=False)
def bundled_prices(tmp_path, monkeypatch):
    """The price data bundled with genai-prices, whatever a refresh left in the cache."""
    monkeypatch.setenv("COSTLIB_CACHE_DIR", str(tmp_path))


def test_a_named_model_sets_the_prices_and_its_tier(bundled_prices):
    got = resolve_inputs(load_template("unit-economics"), {"api_model": "claude-sonnet-4-5"})
    # Claude Sonnet 4.5 on 2026-11-01 [GenaiPrices2026]: $3 / $15, cache read $0.30, write $3.75; above 200,000
    # prompt tokens $6 / $22.50, $0.60, $7.50
    assert [got[n] for n in ("input_price_per_m_tokens", "output_price_per_m_tokens",
                             "cached_input_price_per_m_tokens", "cache_write_price_per_m_tokens")] == [3, 15, 0.3, 3.75]
    assert [got[n] for n in ("context_tier_start_tokens", "context_tier_input_price_per_m_tokens",
                             "context_tier_output_price_per_m_tokens", "context_tier_cached_input_price_per_m_tokens",
                             "context_tier_cache_write_price_per_m_tokens")] == [200_000, 6, 22.5, 0.6, 7.5]
    assert got.sources["input_price_per_m_tokens"].startswith(
        "claude-sonnet-4-5 (anthropic) on 2026-11-01, genai-prices ")
    assert got.sources["input_price_per_m_tokens"].endswith("[GenaiPrices2026]")


def test_a_model_without_a_tier_and_without_a_cache_write_price(bundled_prices):
    # gpt-4o on 2026-11-01 [GenaiPrices2026]: $2.50 / $10, cache read $1.25, no cache-write price (billed as input),
    # no long-context tier: the tier's prices are the base prices
    got = resolve_inputs(load_template("unit-economics"), {"api_model": "gpt-4o", "api_provider": "openai"})
    assert [got[n] for n in ("input_price_per_m_tokens", "output_price_per_m_tokens",
                             "cached_input_price_per_m_tokens", "cache_write_price_per_m_tokens")] == [2.5, 10, 1.25, 2.5]
    assert [got[n] for n in ("context_tier_input_price_per_m_tokens", "context_tier_output_price_per_m_tokens",
                             "context_tier_cached_input_price_per_m_tokens",
                             "context_tier_cache_write_price_per_m_tokens")] == [2.5, 10, 1.25, 2.5]
    assert "no cache write price: billed at the input price" in got.sources["cache_write_price_per_m_tokens"]
    assert "no long-context tier" in got.sources["context_tier_start_tokens"]


def test_the_plan_start_is_the_price_date_without_a_date_input(bundled_prices):
    got = resolve_inputs(load_template("finetune-vs-prompt"), {"api_model": "gemini-2.5-pro", "start_date": "2026-06"})
    assert got.sources["input_price_per_m_tokens"].startswith("gemini-2.5-pro (google) on 2026-06-01")
    assert (got["input_price_per_m_tokens"], got["context_tier_input_price_per_m_tokens"]) == (1.25, 2.5)  # [GenaiPrices2026]


def test_without_a_model_the_typed_prices_stay_and_the_tier_follows_them():
    t = load_template("unit-economics")
    plain = resolve_inputs(t)
    assert plain.sources == {} and plain["input_price_per_m_tokens"] == 3.0  # the template's default
    got = resolve_inputs(t, {"input_price_per_m_tokens": 2.0, "output_price_per_m_tokens": 8.0})
    assert (got["context_tier_input_price_per_m_tokens"], got["context_tier_output_price_per_m_tokens"]) == (2.0, 8.0)
    set_both = resolve_inputs(t, {"input_price_per_m_tokens": 2.0, "context_tier_input_price_per_m_tokens": 4.0})
    assert set_both["context_tier_input_price_per_m_tokens"] == 4.0  # a tier typed stays


def test_a_price_set_with_a_model_stays_as_set(bundled_prices):
    got = resolve_inputs(load_template("unit-economics"), {"api_model": "claude-sonnet-4-5",
                                                           "output_price_per_m_tokens": 12.0})
    assert got["output_price_per_m_tokens"] == 12.0 and "output_price_per_m_tokens" not in got.sources
    assert got["input_price_per_m_tokens"] == 3.0 and "input_price_per_m_tokens" in got.sources


def test_a_service_tier_takes_its_prices(bundled_prices):
    # gpt-4o on 2026-11-01 [GenaiPrices2026]: $2.50 / $10 standard, $1.25 / $5 through the Batch API (OpenAI's
    # pricing page: batch 50 % off)
    got = resolve_inputs(load_template("unit-economics"), {"api_model": "gpt-4o", "api_service_tier": "batch"})
    assert (got["input_price_per_m_tokens"], got["output_price_per_m_tokens"]) == (1.25, 5.0)
    assert got.sources["output_price_per_m_tokens"].startswith("gpt-4o (openai, batch tier) on 2026-11-01")
    from costlib import api_bill
    from costlib.plan import schedule

    s = schedule("unit-economics", {"api_model": "gpt-4o", "api_service_tier": "batch", "p95_input_tokens": 2000,
                                    "p95_output_tokens": 500, "cached_share": 0, "cache_write_share": 0})
    # no spread: the mean query is 2,000 in and 500 out, billed as the provider bills a batch call
    assert s.items["mean_cost_per_query"] == pytest.approx(
        float(api_bill(2000, 500, "gpt-4o", price_date="2026-11-01", service_tier="batch")), rel=1e-12)
    assert s.items["mean_cost_per_query"] == pytest.approx(2000 * 1.25e-6 + 500 * 5e-6, rel=1e-12)  # $0.005


@pytest.mark.parametrize("overrides,error,message", [
    ({"api_service_tier": "batch"}, InputTypeError, r"^api_service_tier needs api_model: a service tier's prices"),
    ({"api_model": "gpt-4o", "api_service_tier": "batch", "batch_discount": 0.5}, OutOfRangeError,
     r"^batch_discount must be 0 where api_service_tier is batch"),
    ({"api_model": "gpt-99"}, UnknownNameError, r"^api_model: model must be a name in the api_prices catalogue"),
    ({"api_provider": "openai"}, InputTypeError, r"^api_provider needs api_model: without a model the prices are"),
    ({"api_model": "gpt-4o", "api_provider": "nobody"}, UnknownNameError,
     r"^api_provider: provider must be a provider in the price data"),
    ({"api_model": "gpt-4o", "api_price_date": "2019-01"}, OutOfRangeError,
     r"^api_price_date: price_date must be on or after"),
    # two tiers (qwen/qwen3-coder-flash at OpenRouter: 32,000 and 128,000 prompt tokens [GenaiPrices2026])
    ({"api_model": "qwen/qwen3-coder-flash"}, OutOfRangeError,
     r"^api_model: qwen/qwen3-coder-flash has 2 long-context tier\(s\) \(prompts above 32,000 and 128,000 tokens\)"),
])
def test_a_model_the_plan_cannot_price_is_refused_naming_the_input(bundled_prices, overrides, error, message):
    with pytest.raises(error, match=message) as caught:
        resolve_inputs(load_template("unit-economics"), overrides)
    assert caught.value.argument == message[1:].split(":")[0].split(" ")[0]
