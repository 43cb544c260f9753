"""API prices from genai-prices: costlib's figures against the package's own calculation.

Every row: a model and provider the dataset [GenaiPrices2026] holds. costlib's cost of a
query (:func:`costlib.api_cost_per_query` on :func:`costlib.api_price`'s prices) must equal
``genai_prices.calc_price`` for the same token counts on the same date: the same data read
two ways, one number (identity).
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading

import genai_prices
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import costlib
from costlib import prices

DATE = "2026-11-01"
WHEN = dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone.utc)

# (provider, model): at least 20, across providers; all priced per token only
MODELS = [
    ("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("openai", "gpt-4.1"), ("openai", "gpt-4.1-mini"),
    ("openai", "gpt-4.1-nano"), ("openai", "o3"), ("openai", "o4-mini"), ("openai", "gpt-5"),
    ("openai", "gpt-5-mini"), ("anthropic", "claude-sonnet-4-0"), ("anthropic", "claude-opus-4-1"),
    ("anthropic", "claude-haiku-4-5"), ("anthropic", "claude-3-5-haiku-latest"), ("google", "gemini-2.5-pro"),
    ("google", "gemini-2.5-flash"), ("google", "gemini-2.0-flash"), ("deepseek", "deepseek-chat"),
    ("deepseek", "deepseek-reasoner"), ("mistral", "mistral-large-latest"), ("mistral", "mistral-small-latest"),
    ("x-ai", "grok-3"), ("x-ai", "grok-4"), ("groq", "llama-3.3-70b-versatile"),
    ("aws", "amazon.nova-pro-v1:0"), ("azure", "gpt-4o"),
]

# token counts per query (input, output, share of the input read from the prompt cache)
QUERIES = [(2000, 500, 0.0), (2000, 500, 0.5), (150_000, 4000, 0.2), (300_000, 2000, 0.0)]


@pytest.fixture(autouse=True)
def bundled_data(tmp_path, monkeypatch):
    """Every test reads the data bundled with genai-prices, whatever a refresh left in the cache."""
    monkeypatch.setenv("COSTLIB_CACHE_DIR", str(tmp_path))
    yield


def genai_total(provider, model, i, o, h):
    usage = genai_prices.Usage(input_tokens=i, cache_read_tokens=round(i * h), output_tokens=o)
    return float(genai_prices.calc_price(usage, model, provider_id=provider, genai_request_timestamp=WHEN).total_price)


def costlib_total(provider, model, i, o, h):
    p = prices.api_prices(model, provider, DATE, input_tokens=i)
    cached = p["cached_input"] if p["cached_input"] is not None else p["input"]
    return costlib.api_cost_per_query(i, o, p["input"], p["output"], h, cached)


CASES = [(provider, model, i, o, h) for provider, model in MODELS for i, o, h in QUERIES
         if not h or prices.api_prices(model, provider, DATE)["cached_input"] is not None]  # cache hits only where priced


def test_models_without_a_cache_price_are_the_few_we_know():
    missing = {m for p, m in MODELS if prices.api_prices(m, p, DATE)["cached_input"] is None}
    assert missing <= {"mistral-large-latest", "llama-3.3-70b-versatile"}, missing  # genai-prices data, 2026-11


@pytest.mark.parametrize("provider,model,i,o,h", CASES, ids=[f"{m}-{i}-{o}-{h}" for _, m, i, o, h in CASES])
def test_cost_of_a_query_equals_genai_prices_own_calculation(provider, model, i, o, h):
    assert costlib_total(provider, model, i, o, h) == pytest.approx(genai_total(provider, model, i, o, h),
                                                                    rel=1e-12, abs=1e-15)


def test_at_least_twenty_models_from_several_providers():
    assert len(set(MODELS)) >= 20 and len({p for p, _ in MODELS}) >= 8


# published list prices, read through the dataset
@pytest.mark.parametrize("model,kind,expected", [
    ("gpt-4o", "input", 2.5),             # OpenAI price page via [GenaiPrices2026]: $2.50 / 1M input
    ("gpt-4o", "cached_input", 1.25),     # $1.25 cached input
    ("gpt-4o", "output", 10.0),           # $10.00 output
    ("claude-sonnet-4", "input", 3.0),    # Anthropic pricing page [Anthropic2026]: $3 input
    ("claude-sonnet-4", "cached_input", 0.3),  # $0.30 cache hits
    ("claude-sonnet-4", "cache_write", 3.75),  # $3.75 5-minute cache writes
    ("claude-sonnet-4", "output", 15.0),  # $15 output
])
def test_published_list_prices(model, kind, expected):
    assert costlib.api_price(model, kind, price_date=DATE) == expected


def test_long_context_tier_applies_above_its_start():
    # Gemini 2.5 Pro: $1.25 up to 200k prompt tokens, $2.50 above, the whole prompt ([GenaiPrices2026])
    assert costlib.api_price("gemini-2.5-pro", "input", price_date=DATE, input_tokens=200_000) == 1.25
    assert costlib.api_price("gemini-2.5-pro", "input", price_date=DATE, input_tokens=200_001) == 2.5


def test_batch_tier_is_half_the_standard_price():
    # OpenAI Batch API: 50 % of the standard price ([GenaiPrices2026], gpt-4o batch variant)
    for kind in ("input", "output"):
        assert costlib.api_price("gpt-4o", kind, price_date=DATE, service_tier="batch") == \
            costlib.api_price("gpt-4o", kind, price_date=DATE) / 2


def test_prices_are_reproducible_by_date():
    # gpt-4o's priority tier starts on 2026-10-12 in the data: before it the standard price holds
    before = costlib.api_price("gpt-4o", "input", price_date="2026-10-11", service_tier="priority")
    after = costlib.api_price("gpt-4o", "input", price_date="2026-10-12", service_tier="priority")
    assert before == 2.5 and after == 4.25
    assert costlib.api_price("gpt-4o", "input", price_date="2026-03-31") == costlib.api_price("gpt-4o", "input",
                                                                                         price_date="2026-03-31")


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(MODELS), st.integers(0, 400_000), st.integers(0, 50_000))
def test_property_total_matches_for_any_token_counts(model, i, o):
    provider, name = model
    assert costlib_total(provider, name, i, o, 0.0) == pytest.approx(genai_total(provider, name, i, o, 0.0),
                                                                     rel=1e-12, abs=1e-15)


def test_unknown_model_suggests_close_names():
    with pytest.raises(costlib.UnknownNameError, match=r"model must be a name .* got 'gpt-4-o'; closest: .*gpt-4o"):
        costlib.api_price("gpt-4-o")


def test_unknown_provider_suggests_close_ids():
    with pytest.raises(costlib.UnknownNameError, match=r"provider .* got 'antropic'; closest: anthropic"):
        costlib.api_price("claude-sonnet-4", provider="antropic")


def test_date_before_the_data_is_refused_with_the_first_date():
    first = prices.first_date().isoformat()
    with pytest.raises(costlib.OutOfRangeError, match=rf"date must be on or after {first}, .* got 2020-01-01"):
        costlib.api_price("gpt-4o", price_date="2020-01-01")
    with pytest.raises(costlib.InputTypeError, match=r"price_date must be a date such as '2026-03-31', got '31/03/2026'"):
        costlib.api_price("gpt-4o", price_date="31/03/2026")


def test_unknown_service_tier_and_kind():
    with pytest.raises(costlib.UnknownNameError, match="service_tier must be one of standard, batch"):
        costlib.api_price("gpt-4o", service_tier="cheap")
    with pytest.raises(costlib.UnknownNameError, match="kind must be one of input, cached_input, cache_write, output"):
        costlib.api_price("gpt-4o", "reasoning")


def test_users_own_price_file_overrides_the_dataset(tmp_path):
    own = tmp_path / "api_prices_2026-12.csv"
    own.write_text("model,input_per_m_tokens,cached_input_per_m_tokens,output_per_m_tokens,source\n"
                   "gpt-4o,2.0,1.0,8.0,our negotiated contract\n", encoding="utf-8")
    with costlib.catalogue.use("api_prices", own):
        assert costlib.api_price("gpt-4o", "output") == 8.0
        with pytest.raises(costlib.InputTypeError, match="date cannot be used with a price file of your own"):
            costlib.api_price("gpt-4o", price_date=DATE)
    assert costlib.api_price("gpt-4o", "output", price_date=DATE) == 10.0


def test_runs_offline_from_the_bundled_data():
    assert prices.source() == f"genai-prices {genai_prices.__version__} bundled data"


def test_refresh_is_opt_in_and_checked(tmp_path):
    """A real HTTP server on localhost serves a small data file in genai-prices' own format."""
    payload = json.dumps([{
        "id": "acme", "name": "Acme", "api_pattern": "https://api\\.acme\\.example",
        "models": [{"id": "acme-1", "match": {"equals": "acme-1"},
                    "prices": {"input_mtok": 1.5, "output_mtok": 6}}],
    }]).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = payload if self.path == "/data.json" else b"not json"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        assert not prices.cache_path().exists()  # nothing is downloaded until asked
        with pytest.raises(costlib.CatalogueError, match="is not a genai-prices data file"):
            prices.refresh(f"{base}/broken")
        assert not prices.cache_path().exists()  # a bad download replaces nothing
        path = prices.refresh(f"{base}/data.json")
        assert path == prices.cache_path() and "refreshed" in prices.source()
        assert costlib.api_price("acme-1", "output", price_date=DATE) == 6.0
        prices.use_bundled()
        assert prices.source().endswith("bundled data")
    finally:
        prices.use_bundled(False)
        server.shutdown()


def test_search_lists_models_with_prices():
    rows = prices.search_models("claude-haiku-4-5", "anthropic", DATE)
    assert rows and rows[0]["input"] == 1.0 and rows[0]["output"] == 5.0  # [Anthropic2026]: $1 / $5


def test_costlib_prices_command(capsys):
    from costlib.cli import main

    assert main(["prices", "claude-haiku-4-5", "--provider", "anthropic", "--date", DATE]) == 0
    out, err = capsys.readouterr()
    assert "anthropic\tclaude-haiku-4-5\t1\t0.1\t1.25\t5" in out  # [Anthropic2026]: $1 / $0.10 / $1.25 / $5
    assert f"on {DATE}; genai-prices" in err
    assert main(["prices", "gpt", "--date", "2020-01-01"]) == 2
    assert "date must be on or after" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# The packaged catalogues: tiers in order, rows dated, no stale rows
# ---------------------------------------------------------------------------

#: Cheapest first: a preemptible hour, then longer commitments, then the list price.
TIER_ORDER = ("spot", "3_year", "1_year", "on_demand")


def _gpus_with_prices():
    return sorted({row["gpu"] for row in costlib.catalogue.load("gpu_prices").rows})


@pytest.mark.parametrize("gpu", _gpus_with_prices())
def test_price_tiers_are_in_order_for_every_gpu(gpu):
    # spot <= 3-year <= 1-year <= on-demand, and reserved <= on-demand, over the tiers the GPU has
    have = [t for t in TIER_ORDER if any(r["gpu"] == gpu and r["tier"] == t
                                         for r in costlib.catalogue.load("gpu_prices").rows)]
    quoted = [costlib.gpu_price(gpu, t) for t in have]
    assert quoted == sorted(quoted), f"{gpu}: {dict(zip(have, quoted))} is not in the order {TIER_ORDER}"
    if "on_demand" in have and any(r["gpu"] == gpu and r["tier"] == "reserved"
                                   for r in costlib.catalogue.load("gpu_prices").rows):
        assert costlib.gpu_price(gpu, "reserved") <= costlib.gpu_price(gpu, "on_demand")


def test_an_inverted_tier_is_caught(tmp_path):
    # the check above can fail: a spot quote above on-demand is reported
    own = tmp_path / "gpu_prices_2026-11.csv"
    own.write_text("gpu,tier,price_per_gpu_hour,provider,as_of,source\n"
                   "H100,on_demand,2.0,x,2026-11,test\nH100,spot,2.5,x,2026-11,test\n", encoding="utf-8")
    with costlib.catalogue.use("gpu_prices", own):
        with pytest.raises(AssertionError, match="not in the order"):
            test_price_tiers_are_in_order_for_every_gpu("H100")


def _months(text):
    year, month = text.split("-")[:2]
    return int(year) * 12 + int(month)


@pytest.mark.parametrize("kind", ["accelerators", "gpu_prices", "api_prices"])
def test_every_row_is_dated_on_or_before_its_file(kind):
    catalogue = costlib.catalogue.load(kind)
    for row in catalogue.rows:
        assert row.get("as_of"), f"{kind}: {row} has no as_of date"
        assert _months(row["as_of"]) <= _months(catalogue.as_of), f"{kind}: {row['as_of']} is after the file's date"


def test_no_price_quote_is_older_than_a_year_before_its_file():
    # prices go stale (specs do not): a quote more than 12 months before the file's date is a stale row
    catalogue = costlib.catalogue.load("gpu_prices")
    stale = [(r["gpu"], r["tier"], r["as_of"]) for r in catalogue.rows if _months(catalogue.as_of) - _months(r["as_of"]) > 12]
    assert not stale


def test_h800_has_a_board_power_and_energy_cost():
    assert costlib.gpu_spec("H800", "power") == 700   # assumption: the H100 SXM5's 700 W (catalogue source column)
    assert costlib.energy_cost(1000, 0.1, gpu="H800") == pytest.approx(1000 * 0.7 * 0.1)  # identity


def test_b200_bandwidth_is_its_sources():
    assert costlib.gpu_spec("B200", "bandwidth") == 8.0  # Vultr HGX B200 hardware overview (2026-03-11): 8.0 TB/s


def test_the_packaged_api_price_file_agrees_with_genai_prices():
    # genai-prices is the API source: every row of the sample file is a model it knows, at the same prices
    catalogue = costlib.catalogue.load("api_prices")
    for row in catalogue.rows:
        found = prices.api_prices(row["model"], price_date="2026-11-01")
        for kind in ("input", "cached_input", "output"):
            if row[f"{kind}_per_m_tokens"] is not None:
                assert found[kind] == pytest.approx(row[f"{kind}_per_m_tokens"]), (row["model"], kind)


# ---------------------------------------------------------------------------
# api_bill: a request billed as the provider bills it, against genai-prices' own calc_price
# ---------------------------------------------------------------------------

def provider_total(provider, model, service_tier=None, **usage):
    """genai-prices' own bill for a usage built here by hand, independently of costlib."""
    context = None if service_tier is None else (
        {"processing": "batch"} if service_tier == "batch" else {"service_tier": service_tier})
    return float(genai_prices.calc_price(genai_prices.Usage(**usage), model, provider_id=provider,
                                         genai_request_timestamp=WHEN, price_context=context).total_price)


#: (provider, model, api_bill keywords, the same request as genai-prices usage)
BILLS = [
    # a 300k-token prompt to models with a long-context price: the tier above 200k prices every token
    ("anthropic", "claude-sonnet-4-5", dict(input_tokens=300_000, output_tokens=2000),
     dict(input_tokens=300_000, output_tokens=2000)),
    ("google", "gemini-2.5-pro", dict(input_tokens=300_000, output_tokens=2000, cached_share=0.5),
     dict(input_tokens=300_000, output_tokens=2000, cache_read_tokens=150_000)),
    # cache reads and writes, 5-minute and 1-hour
    ("anthropic", "claude-sonnet-4-0", dict(input_tokens=10_000, output_tokens=500, cached_share=0.6,
                                            cache_write_share=0.5),
     dict(input_tokens=10_000, output_tokens=500, cache_read_tokens=6000, cache_write_tokens=2000)),
    ("anthropic", "claude-sonnet-4-0", dict(input_tokens=10_000, output_tokens=500, cache_write_share=1.0,
                                            cache_write_ttl="1h"),
     dict(input_tokens=10_000, output_tokens=500, cache_write_tokens=10_000, cache_write_1h_tokens=10_000)),
    # reasoning tokens: at the output price, or at a reasoning price where the provider has one
    ("openai", "gpt-5", dict(input_tokens=2000, output_tokens=500, reasoning_tokens=3000),
     dict(input_tokens=2000, output_tokens=3500, output_reasoning_tokens=3000)),
    ("perplexity", "sonar-deep-research", dict(input_tokens=2000, output_tokens=500, reasoning_tokens=3000),
     dict(input_tokens=2000, output_tokens=3500, output_reasoning_tokens=3000)),
]
TIERED = [  # service tiers
    ("openai", "gpt-5", "flex"), ("openai", "gpt-5", "priority"), ("openai", "gpt-4o", "batch"),
    ("anthropic", "claude-sonnet-4-5", "batch"), ("google", "gemini-2.5-flash", "batch"),
]


@pytest.mark.parametrize("provider,model,kwargs,usage", BILLS, ids=[f"{b[1]}-{i}" for i, b in enumerate(BILLS)])
def test_a_bill_equals_genai_prices_own_calculation(provider, model, kwargs, usage):
    got = costlib.api_bill(model=model, provider=provider, price_date=DATE, **kwargs)
    assert got == pytest.approx(provider_total(provider, model, **usage), rel=1e-12)


@pytest.mark.parametrize("provider,model,tier", TIERED)
def test_a_service_tier_bill_equals_genai_prices_own_calculation(provider, model, tier):
    got = costlib.api_bill(20_000, 1000, model, provider, DATE, service_tier=tier, cached_share=0.25)
    want = provider_total(provider, model, tier, input_tokens=20_000, output_tokens=1000, cache_read_tokens=5000)
    assert got == pytest.approx(want, rel=1e-12)
    assert got != costlib.api_bill(20_000, 1000, model, provider, DATE, cached_share=0.25)  # the tier changes the bill


def test_the_long_context_cliff_by_hand():
    # Claude Sonnet 4.5 [GenaiPrices2026]: $3 in / $15 out per 1M up to 200k prompt tokens, $6 / $22.50 above,
    # for every token of the request (cliff): by hand
    assert costlib.api_bill(200_000, 1000, "claude-sonnet-4-5", price_date=DATE) == \
        pytest.approx((200_000 * 3 + 1000 * 15) / 1e6, rel=1e-12)
    assert costlib.api_bill(300_000, 1000, "claude-sonnet-4-5", price_date=DATE) == \
        pytest.approx((300_000 * 6 + 1000 * 22.5) / 1e6, rel=1e-12)
    # a flat price list would have billed the base rates: the tier more than doubles the 300k request
    flat = costlib.api_cost_per_query(300_000, 1000, 3.0, 15.0)
    assert costlib.api_bill(300_000, 1000, "claude-sonnet-4-5", price_date=DATE) > 1.9 * flat


def test_one_hour_cache_writes_by_hand():
    # Claude Sonnet 4 [GenaiPrices2026]: writes $3.75 (5-minute) or $6 (1-hour) per 1M, reads $0.30, input $3
    five = costlib.api_bill(10_000, 0, "claude-sonnet-4-0", "anthropic", DATE, cache_write_share=1.0)
    hour = costlib.api_bill(10_000, 0, "claude-sonnet-4-0", "anthropic", DATE, cache_write_share=1.0,
                            cache_write_ttl="1h")
    assert (five, hour) == (pytest.approx(10_000 * 3.75 / 1e6), pytest.approx(10_000 * 6 / 1e6))


def test_batch_discount_for_what_the_data_does_not_carry():
    # DeepSeek lists no batch price in the data: a discount given by the user applies to the whole bill
    base = costlib.api_bill(2000, 500, "deepseek-chat", "deepseek", DATE)
    assert costlib.api_bill(2000, 500, "deepseek-chat", "deepseek", DATE, batch_discount=0.5) == \
        pytest.approx(0.5 * base, rel=1e-12)
    with pytest.raises(costlib.InputTypeError, match="batch_discount must be 0 with service_tier='batch'"):
        costlib.api_bill(2000, 500, "gpt-4o", price_date=DATE, service_tier="batch", batch_discount=0.5)


def test_bills_broadcast_like_every_function():
    i = np.array([1000, 300_000])
    got = costlib.api_bill(i, 500, "gemini-2.5-pro", price_date=DATE)
    assert list(got) == [costlib.api_bill(1000, 500, "gemini-2.5-pro", price_date=DATE),
                         costlib.api_bill(300_000, 500, "gemini-2.5-pro", price_date=DATE)]
    assert type(costlib.api_bill(1000, 500, "gpt-4o", price_date=DATE)) is float


def test_bill_errors_name_the_argument():
    with pytest.raises(costlib.UnknownNameError, match=r"^model must be a name in the api_prices catalogue"):
        costlib.api_bill(1000, 500, "gpt-99", price_date=DATE)
    with pytest.raises(costlib.UnknownNameError, match=r'^cache_write_ttl must be "5m" or "1h", got \'2h\''):
        costlib.api_bill(1000, 500, "gpt-4o", cache_write_ttl="2h")
    with pytest.raises(costlib.OutOfRangeError, match=r"^cache_write_share must be in \[0, 1\], got 1.5"):
        costlib.api_bill(1000, 500, "gpt-4o", cache_write_share=1.5)


def test_price_list_form_with_cache_writes_reasoning_and_batch():
    # identity: (1 - b) (I (1 - h) (1 - w) p_in + I h p_c + I (1 - h) w p_w + (O + R) p_out) / 1e6
    got = costlib.api_cost_per_query(10_000, 500, 3.0, 15.0, cached_share=0.6, cached_input_price_per_m_tokens=0.3,
                                     cache_write_share=0.5, cache_write_price_per_m_tokens=3.75,
                                     reasoning_tokens=1000, batch_discount=0.5)
    assert got == pytest.approx(0.5 * (2000 * 3 + 6000 * 0.3 + 2000 * 3.75 + 1500 * 15) / 1e6, rel=1e-12)
    # and it is the provider's bill where the list is the provider's (Claude Sonnet 4, no tier crossed)
    bill = costlib.api_bill(10_000, 500, "claude-sonnet-4-0", "anthropic", DATE, cached_share=0.6,
                            cache_write_share=0.5, reasoning_tokens=1000)
    assert bill == pytest.approx(got / 0.5, rel=1e-12)


def test_link_bandwidth_is_one_way_per_gpu():
    assert costlib.gpu_spec("H100", "link") == 450   # NVLink 4: 900 GB/s bidirectional (catalogue source), one way
    assert costlib.gpu_spec("H800", "link") == 200   # NVLink 400 GB/s bidirectional (Philisun, catalogue source)
    assert costlib.gpu_spec("B200", "link") == 900   # NVLink 5: 1.8 TB/s bidirectional (Vultr, catalogue source)


def test_an_accelerator_file_without_the_link_column_still_serves_one_gpu(tmp_path):
    own = tmp_path / "accelerators_2026-12.csv"
    own.write_text("name,aliases,vendor,peak_tflops_bf16,peak_tflops_fp16,peak_tflops_fp8,peak_tflops_tf32,hbm_gb,"
                   "bandwidth_tb_per_s,board_power_w,as_of,source\n"
                   "MyGPU,,X,1000,1000,2000,500,96,4.0,700,2026-12,test\n", encoding="utf-8")
    with costlib.catalogue.use("accelerators", own):
        one = costlib.time_per_output_token(7e9, 32, 8, 128, 1024, "MyGPU")
        assert one > 0
        with pytest.raises(costlib.UnknownNameError, match="gpu MyGPU has no link bandwidth"):
            costlib.time_per_output_token(7e9, 32, 8, 128, 1024, "MyGPU", batch_size=8, gpus=2)


# ---------------------------------------------------------------------------
# api_cost_per_query(model=...): the price list left out, the provider's bill (api_bill's)
# ---------------------------------------------------------------------------

#: (provider, model, api_cost_per_query keywords, the same request as genai-prices usage, service tier)
BY_MODEL = [
    # a 300k-token prompt above the 200k tier: Claude Sonnet 4.5 $6 / $22.50 for every token, not $3 / $15
    ("anthropic", "claude-sonnet-4-5", dict(input_tokens=300_000, output_tokens=2000),
     dict(input_tokens=300_000, output_tokens=2000), None),
    # Gemini 2.5 Pro above 200k: $2.50 in, $15 out, cache reads at the tier's price
    ("google", "gemini-2.5-pro", dict(input_tokens=300_000, output_tokens=2000, cached_share=0.5),
     dict(input_tokens=300_000, output_tokens=2000, cache_read_tokens=150_000), None),
    # cache reads and (5-minute) writes
    ("anthropic", "claude-sonnet-4-0", dict(input_tokens=10_000, output_tokens=500, cached_share=0.6,
                                            cache_write_share=0.5),
     dict(input_tokens=10_000, output_tokens=500, cache_read_tokens=6000, cache_write_tokens=2000), None),
    # reasoning tokens billed as output
    ("openai", "gpt-5", dict(input_tokens=2000, output_tokens=500, reasoning_tokens=3000),
     dict(input_tokens=2000, output_tokens=3500, output_reasoning_tokens=3000), None),
    # service tiers: batch (the data's batch prices), flex
    ("anthropic", "claude-sonnet-4-5", dict(input_tokens=20_000, output_tokens=1000, cached_share=0.25),
     dict(input_tokens=20_000, output_tokens=1000, cache_read_tokens=5000), "batch"),
    ("openai", "gpt-5", dict(input_tokens=20_000, output_tokens=1000), dict(input_tokens=20_000, output_tokens=1000),
     "flex"),
]


@pytest.mark.parametrize("provider,model,kwargs,usage,tier", BY_MODEL, ids=[f"{b[1]}-{i}" for i, b in enumerate(BY_MODEL)])
def test_cost_per_query_by_model_equals_genai_prices_own_calculation(provider, model, kwargs, usage, tier):
    got = costlib.api_cost_per_query(model=model, provider=provider, price_date=DATE, service_tier=tier, **kwargs)
    assert got == pytest.approx(provider_total(provider, model, tier, **usage), rel=1e-12)
    # one home: the bill is api_bill's
    assert got == costlib.api_bill(model=model, provider=provider, price_date=DATE, service_tier=tier, **kwargs)


def test_cost_per_query_by_model_above_the_tier_by_hand():
    # Claude Sonnet 4.5 [GenaiPrices2026]: above 200k prompt tokens $6 / $22.50 per 1M for every token
    assert costlib.api_cost_per_query(300_000, 2000, model="claude-sonnet-4-5", price_date=DATE) == \
        pytest.approx((300_000 * 6 + 2000 * 22.5) / 1e6, rel=1e-12)
    # the flat list at the base prices, (300,000 x 3 + 2,000 x 15) / 1e6 = $0.93, misses almost half of it
    assert 1.9 * costlib.api_cost_per_query(300_000, 2000, 3.0, 15.0) < costlib.api_cost_per_query(
        300_000, 2000, model="claude-sonnet-4-5", price_date=DATE)


def test_cost_per_query_by_model_with_a_batch_discount_the_data_does_not_carry():
    # DeepSeek lists no batch price in the data: the discount given applies to the whole bill
    base = provider_total("deepseek", "deepseek-chat", input_tokens=2000, output_tokens=500)
    assert costlib.api_cost_per_query(2000, 500, model="deepseek-chat", provider="deepseek", price_date=DATE,
                                      batch_discount=0.5) == pytest.approx(0.5 * base, rel=1e-12)


def test_cost_per_query_by_model_broadcasts():
    i = np.array([1000, 300_000])
    got = costlib.api_cost_per_query(i, 500, model="gemini-2.5-pro", price_date=DATE)
    assert list(got) == [pytest.approx(provider_total("google", "gemini-2.5-pro", input_tokens=n, output_tokens=500),
                                       rel=1e-12) for n in (1000, 300_000)]


@pytest.mark.parametrize("kwargs,message", [
    (dict(input_price_per_m_tokens=3.0, output_price_per_m_tokens=15.0, model="gpt-4o"),
     r"^input_price_per_m_tokens and output_price_per_m_tokens must be left out where model is given"),
    (dict(cached_input_price_per_m_tokens=0.3, model="gpt-4o"),
     r"^cached_input_price_per_m_tokens must be left out where model is given"),
    (dict(), r"^input_price_per_m_tokens and output_price_per_m_tokens must be given where model is not"),
    (dict(input_price_per_m_tokens=3.0), r"^output_price_per_m_tokens must be given where model is not \(a price"),
    (dict(input_price_per_m_tokens=3.0, output_price_per_m_tokens=15.0, provider="openai"),
     r"^provider needs model: without one the prices are the ones given, got provider='openai'"),
    (dict(input_price_per_m_tokens=3.0, output_price_per_m_tokens=15.0, service_tier="batch"),
     r"^service_tier needs model"),
])
def test_cost_per_query_takes_the_prices_or_the_model(kwargs, message):
    with pytest.raises(costlib.InputTypeError, match=message):
        costlib.api_cost_per_query(2000, 500, **kwargs)


def test_every_model_costlib_prices_lists_is_priced_by_its_id():
    # 2,344 (provider, model) rows in the bundled data on 2026-11-01; before the id fallback in _find, 85 of the
    # ids `costlib prices` lists were refused (genai-prices' match rules do not match them, e.g. AWS "regional.")
    from costlib.prices import api_prices, search_models

    rows = search_models("", limit=10_000, price_date="2026-11-01")
    assert len(rows) > 2000
    for row in rows:
        got = api_prices(row["model"], row["provider"], "2026-11-01")
        assert (got["model"], got["input"], got["output"]) == (row["model"], row["input"], row["output"]), row
