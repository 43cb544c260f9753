"""The Excel functions, called directly and through xlwings's custom-function machinery.

``xlwings.server.custom_functions_meta`` is what registers the functions in Excel
(xlwings Lite and xlwings Server), and ``custom_functions_call`` is what runs them when a
cell recalculates; the arguments here are shaped as Excel sends them: a 2-D list per
argument, ``None`` for an empty optional argument, whole ranges as nested lists.
Root conftest.py sets XLWINGS_ON_SERVER before xlwings is imported.
"""

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xlwings as xw
from xlwings import server

import costlib
import costlib.excel
import costlib_udfs
import twin_cases
from costlib_udfs import FUNCTIONS, CellError

NAMES = [f.name for f in FUNCTIONS]
REGISTERED = NAMES + ["COSTLIB_MESSAGE"]  # and the function that explains an error cell


def excel_args(args):
    """Arguments as Office.js sends them: a range is a 2-D list, an omitted argument None."""
    return [a if a is None or isinstance(a, list) else [[a]] for a in args]


def xl_call(name, *args):
    data = {"func_name": name, "args": excel_args(args), "version": xw.__version__,
            "client": "Office.js", "runtime": "1.4", "caller_address": None}
    return asyncio.run(server.custom_functions_call(data, costlib_udfs))


# --- registration -------------------------------------------------------------------

@pytest.fixture(scope="module")
def meta():
    return {f["name"]: f for f in server.custom_functions_meta(costlib_udfs)["functions"]}


def test_every_function_is_registered_once(meta):
    assert sorted(meta) == sorted(REGISTERED)
    assert len(REGISTERED) == len(set(REGISTERED))


def test_issue_family_is_present():
    required = {"TRAIN_COST", "TOKEN_COST", "BREAKEVEN", "TRAIN_FLOPS", "TRAIN_GPU_HOURS", "ENERGY_COST",
                "DECODE_TOKENS_PER_SECOND", "API_COST_PER_QUERY", "AMORTIZED_COST_PER_M_TOKENS",
                "UTILIZATION_BREAKEVEN", "MONTHS_TO_BREAKEVEN", "MONTHLY_COGS", "COGS_SHARE",
                "PRICE_AFTER_DECLINE", "INFERENCE_OPTIMAL_PARAMS", "GPU_SPEC"}  # the add-in's function set (addin/README.md)
    assert required <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_function_and_every_argument_documented_with_unit(meta, name):
    func = meta[name]
    assert "[" in func["description"] and "]" in func["description"], func["description"]
    for param in func["parameters"]:
        assert "Positional argument" not in param["description"]
        assert "[" in param["description"] or '"' in param["description"], (name, param)


def test_required_signatures(meta):
    def sig(name):
        return [(p["name"], p.get("optional", False)) for p in meta[name]["parameters"]]
    assert sig("TRAIN_COST") == [("params", False), ("tokens", False), ("price_per_gpu_hour", False),
                                 ("gpu", True), ("mfu", True)]  # signature in addin/README.md
    assert sig("TOKEN_COST") == [("price_per_gpu_hour", False), ("tokens_per_second", False),
                                 ("utilization", True)]  # signature in addin/README.md
    assert sig("BREAKEVEN") == [("fixed_cost", False), ("price_per_unit", False), ("cost_per_unit", False)]


# --- numbers: the reference documents' worked examples --------------------------------

REFERENCE = [
    # (function, args, expected, rel, source)
    ("TRAIN_FLOPS", (70e9, 15e12), 6.3e24, 1e-12, "[Kaplan2020] 6ND; inputs illustrative, [WaferZero2026]"),
    # tolerances: the rounding of the printed figure ("~4.4M" is 4.35M-4.45M: 1.2 %)
    ("TRAIN_GPU_HOURS", (70e9, 15e12), 4.4e6, 0.012, "[WaferZero2026] (illustrative): ~4.4M GPU-hours; identity with [NVIDIA2022] peak"),
    ("TRAIN_COST", (70e9, 15e12, 2), 8.85e6, 0.005, "identity: 8.844e6; [WaferZero2026]: $8-9M (illustrative inputs)"),
    ("TOKEN_COST", (2.5, 2000), 0.35, 0.015, "[WaferZero2026] (illustrative): ~$0.35 per 1M tokens at full load"),
    ("TOKEN_COST", (2.5, 2000, 0.2), 1.736, 0.001, "identity: 1e6 / (2000 x 3600 x 0.2) x 2.5 = 1.736; [WaferZero2026] rounds to $1.75"),
    ("TOKEN_COST", (2.5, 2000, 0.05), 7.00, 0.01, "[WaferZero2026] (illustrative): $7.00 at 5 % (0.35 / 0.05)"),
    ("BREAKEVEN", (1000, 3.0, 0.35), 377.4, 0.001, "identity: 1000 / (3.00 - 0.35) = 377.4"),
    ("UTILIZATION_BREAKEVEN", (0.35, 3.0), 0.12, 0.042, "identity: 0.35 / 3.00 = 0.117; [WaferZero2026]: roughly 12 % (11.5-12.5 %)"),
    ("COMPUTE_GPU_HOURS", (6.3e24,), 4.4e6, 0.012, "[WaferZero2026] (illustrative): 6.3e24 FLOPs ~4.4M GPU-hours"),
]


@pytest.mark.parametrize("name,args,expected,rel,source", REFERENCE, ids=[r[0] + str(i) for i, r in enumerate(REFERENCE)])
def test_reference_examples_direct(name, args, expected, rel, source):
    assert getattr(costlib_udfs, name)(*args) == pytest.approx(expected, rel=rel), source


@pytest.mark.parametrize("name,args,expected,rel,source", REFERENCE, ids=[r[0] + str(i) for i, r in enumerate(REFERENCE)])
def test_reference_examples_through_xlwings(name, args, expected, rel, source):
    assert xl_call(name, *args) == [[pytest.approx(expected, rel=rel)]], source


def test_deepseek_v3_pre_training_cost_identity():
    # An identity, not an independent figure: the MFU is set from the report's own 180K H800
    # GPU-hours per trillion tokens (sec. 1), so 14.8T tokens must come to its 2664K hours x $2.
    mfu = costlib.train_flops(37e9, 1e12) / (180e3 * 3600) / (costlib.gpu_spec("H800", "tflops") * 1e12)
    got = xl_call("TRAIN_COST", 37e9, 14.8e12, 2, "H800", mfu)[0][0]
    assert got == pytest.approx(5.328e6, rel=1e-3)  # report Table 1: pre-training 2664K GPU-hours, $5.328M


def test_cost_per_query_by_model_is_the_providers_bill_through_xlwings():
    # a 300k-token prompt to Claude Sonnet 4.5, above its 200k tier: every token at $6 / $22.50 per 1M
    # [GenaiPrices2026], genai-prices' own calc_price on the same usage
    import datetime as dt

    import genai_prices

    when = dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone.utc)
    want = float(genai_prices.calc_price(genai_prices.Usage(input_tokens=300_000, output_tokens=2000),
                                         "claude-sonnet-4-5", provider_id="anthropic",
                                         genai_request_timestamp=when).total_price)
    got = xl_call("API_COST_PER_QUERY", 300_000, 2000, None, None, None, None, "claude-sonnet-4-5", "anthropic",
                  "2026-11-01")
    assert got == [[pytest.approx(want, rel=1e-12)]]
    assert want == pytest.approx((300_000 * 6 + 2000 * 22.5) / 1e6, rel=1e-12)  # by hand, the tier's prices


def test_cost_per_query_with_cache_writes_and_reasoning_through_xlwings():
    # the cell form's last four arguments: a 300k prompt to Claude Sonnet 4.5 with half read from the cache,
    # 40 % of the rest written to it (5 minutes) and 500 reasoning tokens, against genai-prices' calc_price
    import datetime as dt

    import genai_prices

    when = dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone.utc)
    usage = genai_prices.Usage(input_tokens=300_000, cache_read_tokens=150_000, cache_write_tokens=60_000,
                               output_tokens=1500, output_reasoning_tokens=500)
    want = float(genai_prices.calc_price(usage, "claude-sonnet-4-5", provider_id="anthropic",
                                         genai_request_timestamp=when).total_price)
    got = xl_call("API_COST_PER_QUERY", 300_000, 1000, None, None, 0.5, None, "claude-sonnet-4-5", "anthropic",
                  "2026-11-01", None, 0.4, None, 500)
    assert got == [[pytest.approx(want, rel=1e-12)]]
    # above the 200k tier every token at the tier's prices [GenaiPrices2026]: 90k x $6 + 150k x $0.60 + 60k x
    # $7.50 + 1,500 x $22.50 per 1M = $1.1138
    assert want == pytest.approx((90_000 * 6 + 150_000 * 0.6 + 60_000 * 7.5 + 1500 * 22.5) / 1e6, rel=1e-12)
    # a price list of one's own: 2,000 in (half written to the cache at $3.75) and 500 out, 50 % batch discount
    typed = xl_call("API_COST_PER_QUERY", 2000, 500, 3.0, 15.0, 0, 0.3, None, None, None, None, 0.5, 3.75, 0, 0.5)
    assert typed == [[pytest.approx(0.5 * (1000 * 3 + 1000 * 3.75 + 500 * 15) / 1e6, rel=1e-12)]]  # by hand


def test_api_bill_with_cache_writes_reasoning_and_a_batch_discount_through_xlwings():
    # what API_COST_PER_QUERY's cell form leaves out, API_BILL takes: a 300k prompt to Claude Sonnet 4.5 with
    # half read from the cache, 40 % of the rest written to it for 1 hour and 500 reasoning tokens, against
    # genai-prices' own calc_price on that usage built here by hand
    import datetime as dt

    import genai_prices

    when = dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone.utc)
    usage = genai_prices.Usage(input_tokens=300_000, cache_read_tokens=150_000, cache_write_tokens=60_000,
                               cache_write_1h_tokens=60_000, output_tokens=1500, output_reasoning_tokens=500)
    want = float(genai_prices.calc_price(usage, "claude-sonnet-4-5", provider_id="anthropic",
                                         genai_request_timestamp=when).total_price)
    got = xl_call("API_BILL", 300_000, 1000, "claude-sonnet-4-5", "anthropic", "2026-11-01", None, 0.5, 0.4, 500,
                  None, "1h")
    assert got == [[pytest.approx(want, rel=1e-12)]]
    # by hand, Anthropic's prices above 200k prompt tokens: $6 input, $0.60 cache read, $12 1-hour cache write,
    # $22.50 output (reasoning billed as output) per 1M [GenaiPrices2026]
    assert want == pytest.approx((90_000 * 6 + 150_000 * 0.6 + 60_000 * 12 + 1500 * 22.5) / 1e6, rel=1e-12)
    # a batch discount the data does not carry for DeepSeek: half of the standard bill
    full = xl_call("API_BILL", 300_000, 1000, "deepseek-chat", None, "2026-11-01")[0][0]
    assert xl_call("API_BILL", 300_000, 1000, "deepseek-chat", None, "2026-11-01", None, None, None, None,
                   0.5) == [[pytest.approx(full / 2, rel=1e-12)]]  # identity: (1 - 0.5) x the bill


def test_breakeven_none_is_an_error_with_its_reason():
    # identity: no break-even when c >= p; an #N/A error, so MIN and SUM cannot skip it
    assert xl_call("BREAKEVEN", 1000, 0.3, 0.35) == [[{"type": "Error", "errorType": "NotAvailable"}]]
    assert xl_call("COSTLIB_MESSAGE", "BREAKEVEN", [[[1000]], [[0.3]], [[0.35]]]) == [
        ["no break-even: cost >= price (own cost 0.35, price 0.3)"]]


@pytest.mark.parametrize("name", NAMES)
def test_every_function_equals_the_library_through_xlwings(name):
    """Each function through xlwings's call path gives exactly costlib's number."""
    spec = next(f for f in FUNCTIONS if f.name == name)
    args = _sample(spec)
    want = spec.target(**dict(zip(spec.arguments, args)))
    if spec.pick:
        want = getattr(want, spec.pick)
    if isinstance(want, float) and np.isinf(want):  # no result (a break-even never reached): an #N/A cell
        assert xl_call(name, *args) == [[{"type": "Error", "errorType": "NotAvailable"}]]
        return
    got = xl_call(name, *args)[0][0]
    if isinstance(want, (bool, np.bool_)):
        assert got is bool(want)
    elif isinstance(want, str):
        assert got == want
    else:
        assert got == pytest.approx(float(want), rel=1e-12)


#: Calls a person chose where the argument registry cannot derive one (tests/twin_cases.py's
#: sample_call): a target loss above the fit's floor of 1.69, a field or tier name, a catalogue model.
SAMPLE_ARGS = {
    "INFERENCE_OPTIMAL_PARAMS": (2.0, 2e12), "INFERENCE_OPTIMAL_TOKENS": (2.0, 2e12),
    "GPU_SPEC": ("H100", "bandwidth"), "GPU_PRICE": ("H100", "on_demand"), "API_PRICE": (None, None),
    "API_BILL": (2000, 500, "gpt-4o", None, "2026-11-01"),
    "API_COST_PER_QUERY": (2000, 500, 3.0, 15.0, 0.5, 0.3),  # the price list; the model form has tests of its own
}


@pytest.fixture(autouse=True)
def _api_model():
    # API_PRICE's sample model is the first row of whatever catalogue is packaged
    SAMPLE_ARGS["API_PRICE"] = (costlib.catalogue.load("api_prices").rows[0]["model"], "output")


def _sample(spec):
    """A call of ``spec``: SAMPLE_ARGS's where a person chose one, else one from the argument registry."""
    return SAMPLE_ARGS.get(spec.name) or twin_cases.sample_call(spec.target, spec.arguments,
                                                                as_names=("gpu", "precision"))


def test_sample_args_cover_every_function():
    # a new function is covered by the registry's sample; one the registry cannot sample needs SAMPLE_ARGS
    assert not set(SAMPLE_ARGS) - set(NAMES), "SAMPLE_ARGS names a function the add-in lacks"
    assert [spec.name for spec in FUNCTIONS if _sample(spec) is None] == [], "give these a SAMPLE_ARGS entry"


# --- ranges broadcast and spill -------------------------------------------------------

def test_column_range_spills_as_a_column():
    prices = [[2.5], [2.0], [3.0]]
    tps = [[2000], [1000], [2500]]
    got = xl_call("TOKEN_COST", prices, tps, 0.6)
    want = costlib.token_cost(np.array([2.5, 2.0, 3.0]), np.array([2000, 1000, 2500]), 0.6)
    assert np.asarray(got).shape == (3, 1)
    np.testing.assert_allclose(np.asarray(got)[:, 0], want, rtol=1e-12)


def test_row_against_column_broadcasts_to_a_table():
    got = xl_call("TRAIN_COST", [[7e9], [70e9]], [[1e12, 15e12]], 2.0)
    want = costlib.train_cost(np.array([[7e9], [70e9]]), np.array([[1e12, 15e12]]), 2.0)
    np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=1e-12)


def test_ten_thousand_rows_in_one_call():
    rng = np.random.default_rng(0)
    prices = rng.uniform(1, 4, 10_000)
    tps = rng.uniform(500, 3000, 10_000)
    got = xl_call("TOKEN_COST", prices[:, None].tolist(), tps[:, None].tolist(), 0.6)
    np.testing.assert_allclose(np.asarray(got)[:, 0], costlib.token_cost(prices, tps, 0.6), rtol=1e-12)


def test_range_with_a_missing_breakeven_has_an_error_in_that_cell_only():
    got = xl_call("BREAKEVEN", 1000, [[3.0], [0.3]], 0.35)
    assert got == [[pytest.approx(1000 / 2.65)], [{"type": "Error", "errorType": "NotAvailable"}]]


def test_gpu_names_as_a_range():
    got = xl_call("GPU_SPEC", [["H100"], ["A100"]], "bandwidth")
    assert got == [[costlib.gpu_spec("H100", "bandwidth")], [costlib.gpu_spec("A100", "bandwidth")]]


@pytest.mark.parametrize("omitted", [None, [[None]]], ids=["argument left out", "empty argument"])
def test_empty_optional_takes_the_default(omitted):
    assert xl_call("TRAIN_COST", 70e9, 15e12, 2, omitted, omitted) == [[costlib.train_cost(70e9, 15e12, 2)]]
    assert xl_call("TOKEN_COST", 2.5, 2000, omitted) == [[costlib.token_cost(2.5, 2000)]]


# --- bad input: a short message naming the argument and the rule ------------------------

BAD = [
    # (function, args as Excel sends them, Excel error, message)
    ("TRAIN_COST", ("abc", 15e12, 2), "#VALUE!", "params must be a number, got text 'abc'"),
    ("TRAIN_COST", (None, 15e12, 2), "#VALUE!", "params is required, got a blank cell"),
    ("TRAIN_COST", ([[None]], 15e12, 2), "#VALUE!", "params is required, got a blank cell"),
    ("TRAIN_COST", (-70e9, 15e12, 2), "#NUM!", "params must be > 0, got -7e+10"),
    ("TRAIN_COST", (0, 15e12, 2), "#NUM!", "params must be > 0, got 0"),
    ("TRAIN_COST", (70e9, 0, 2), "#NUM!", "tokens must be > 0, got 0"),
    ("TRAIN_COST", (70e9, 15e12, -2), "#NUM!", "price_per_gpu_hour must be >= 0, got -2"),
    ("TRAIN_COST", (70e9, 15e12, 2, "H100", 1.4), "#NUM!", "mfu must be in (0, 1], got 1.4"),
    ("TRAIN_COST", (70e9, 15e12, 2, "H100", 0), "#NUM!", "mfu must be in (0, 1], got 0"),
    ("TRAIN_COST", (70e9, 15e12, 2, "H100", -0.4), "#NUM!", "mfu must be in (0, 1], got -0.4"),
    ("TRAIN_COST", (70e9, 15e12, 2, "H1000"), "#N/A", "gpu must be a name in the accelerators catalogue"),
    ("TRAIN_COST", (70e9, 15e12, 2, -989), "#NUM!", "gpu must be > 0, got -989"),
    ("TRAIN_COST", (True, 15e12, 2), "#VALUE!", "params must be a number, got True"),
    ("TRAIN_COST", ([[1e9], [2e9]], [[1e12], [2e12], [3e12]], 2), "#VALUE!",
     "arguments do not broadcast to one shape: params 2x1 cells, tokens 3x1 cells"),
    # a bad cell inside a range is an error in its own result cell only: tests/test_addin_cells.py
    ("TOKEN_COST", (2.5, 2000, 1.5), "#NUM!", "utilization must be in (0, 1], got 1.5"),
    ("TOKEN_COST", (2.5, 2000, 0), "#NUM!", "utilization must be in (0, 1], got 0"),
    ("TOKEN_COST", (2.5, 0, 0.5), "#NUM!", "tokens_per_second must be > 0, got 0"),
    ("TOKEN_COST", (-1, 2000, 0.5), "#NUM!", "price_per_gpu_hour must be >= 0, got -1"),
    ("TOKEN_COST", (2.5, "fast", 0.5), "#VALUE!", "tokens_per_second must be a number, got text 'fast'"),
    ("TOKEN_COST", (2.5, None), "#VALUE!", "tokens_per_second is required, got a blank cell"),
    ("BREAKEVEN", (-1, 3, 0.35), "#NUM!", "fixed_cost must be >= 0, got -1"),
    ("BREAKEVEN", (1000, 3, -0.35), "#NUM!", "cost_per_unit must be >= 0, got -0.35"),
    ("BREAKEVEN", (1000, "3 dollars", 0.35), "#VALUE!", "price_per_unit must be a number, got text '3 dollars'"),
    ("GPU_SPEC", ("H100", "colour"), "#N/A", "field must be one of "),
    ("GPU_SPEC", ("X999", "bandwidth"), "#N/A", "gpu must be a name in the accelerators catalogue"),
    ("GPU_PRICE", ("H100", "weekly"), "#N/A", "tier must be one of reserved, on_demand, spot, 1_year, 3_year, got 'weekly'"),
    ("API_PRICE", ("gpt-99", "output"), "#N/A", "model must be a name in the api_prices catalogue"),
    ("ENERGY_COST", (1000, -0.1), "#NUM!", "price_per_kwh must be >= 0, got -0.1"),
    ("ENERGY_COST", (1000, 0.1, "H100", 0.5), "#NUM!", "pue must be >= 1, got 0.5"),
    ("DECODE_TOKENS_PER_SECOND", (70e9, "H100", 0), "#NUM!", "batch_size must be > 0, got 0"),
    ("WEIGHT_BYTES", (70e9, "fp7"), "#N/A", "precision must be one of fp32, bf16, fp16, fp8, int8, int4, got 'fp7'"),
    ("PRICE_AFTER_DECLINE", (3, 1.5, 1), "#NUM!", "annual_decline must be in [0, 1), got 1.5"),
    ("PRICE_AFTER_DECLINE", (3, 0.5, -1), "#NUM!", "years must be >= 0, got -1"),
    ("COGS_SHARE", (5, 0), "#NUM!", "arpu must be > 0, got 0"),
    ("MOE_ACTIVE_PARAMS", (1e9, 1e9, 9, 8), "#NUM!", "experts_per_token must be <= experts, got 9 > 8"),
    ("INFERENCE_OPTIMAL_PARAMS", (1.5, 1e12), "#NUM!", "target_loss must be > 1.69 (the fit's irreducible loss), got 1.5"),
    ("API_COST_PER_QUERY", (1000, 500, 3, 15, 1.2), "#NUM!", "cached_share must be in [0, 1], got 1.2"),
    ("API_COST_PER_QUERY", (1000, 500, 3, 15, None, None, "gpt-4o"), "#VALUE!",
     "input_price_per_m_tokens and output_price_per_m_tokens must be left out where model is given"),
    ("API_COST_PER_QUERY", (1000, 500), "#VALUE!",
     "input_price_per_m_tokens and output_price_per_m_tokens must be given where model is not"),
    ("API_COST_PER_QUERY", (1000, 500, None, None, None, None, "gpt-99"), "#N/A",
     "model must be a name in the api_prices catalogue"),
    ("BLENDED_COST_PER_QUERY", (0.01, 0.001, 1.1), "#NUM!", "small_model_share must be in [0, 1], got 1.1"),
    ("SERVING_GPU_HOURS", (1e9, 2000, 2), "#NUM!", "utilization must be in (0, 1], got 2"),
    ("AMORTIZED_COST_PER_M_TOKENS", (1e6, 0, 0.35), "#NUM!", "lifetime_tokens must be > 0, got 0"),
    ("NEEDS_REDESIGN", (5, 20, 2), "#NUM!", "threshold must be in [0, 1], got 2"),
    ("CHINCHILLA_TOKENS", ("seven",), "#VALUE!", "params must be a number, got text 'seven'"),
    ("TOKEN_COST", ([], 2000), "#VALUE!", "price_per_gpu_hour is required, got an empty range"),
    ("TOKEN_COST", (-2146826246, 2000), "#N/A", "price_per_gpu_hour is the error #N/A in its cell"),  # passes through
    ("TRAIN_COST", (70e9, 15e12, 2, {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}),
     "#N/A", "gpu is the error #N/A in its cell"),
    ("TRAIN_COST", (70e9, 15e12, 2, True), "#VALUE!", "gpu must be a name, got True"),
    ("GPU_SPEC", ("H100", [["tflops"], ["vendor"]]), "#VALUE!", "field must be a single cell, got a range of 2x1 cells"),
    ("GPU_PRICE", ([["H100"], ["A100"]], "on_demand"), "#VALUE!", "gpu must be a single cell, got a range of 2x1 cells"),
    ("TOKEN_COST", (1e308, 1e-300), "#NUM!", "token_cost: the arguments make the result overflow"),
]
BAD_IDS = [f"{b[0]}-{i}" for i, b in enumerate(BAD)]


def test_bad_input_table_is_large_enough():
    assert len(BAD) >= 30  # requirement: at least 30 bad inputs


#: How Office.js shows each error: xlwings's own error values (xlwings.pro._xlofficejs.errorstr_to_errortype).
OFFICE_JS = {"#DIV/0!": "Div0", "#N/A": "NotAvailable", "#NAME?": "Name", "#NULL!": "Null", "#NUM!": "Num",
             "#REF!": "Ref", "#VALUE!": "Value"}


@pytest.mark.parametrize("name,args,error,message", BAD, ids=BAD_IDS)
def test_bad_input_direct_is_one_error_with_the_message(name, args, error, message):
    """The runtime-free semantics (costlib.excel): the error code and the short message."""
    with pytest.raises(CellError) as info:
        costlib.excel.evaluate(costlib.excel.BY_NAME[name], tuple(excel_args(args)))
    assert str(info.value).startswith(message)
    assert info.value.excel_error == error
    assert "Traceback" not in str(info.value) and "\n" not in str(info.value)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("name,args,error,message", BAD, ids=BAD_IDS)
def test_bad_input_through_xlwings_is_a_real_error(name, args, error, message):
    """Office.js runtimes: #VALUE! is raised (Excel shows it with the message under the cell's
    flag); every other code is returned as that Excel error; COSTLIB_MESSAGE gives the message."""
    if error == "#VALUE!":
        with pytest.raises(CellError, match=None) as info:
            xl_call(name, *args)
        assert str(info.value).startswith(message)
    else:
        assert xl_call(name, *args) == [[{"type": "Error", "errorType": OFFICE_JS[error]}]]
    why = xl_call("COSTLIB_MESSAGE", name, excel_args(args))
    assert why[0][0].startswith(message) if isinstance(why, list) else why.startswith(message)


@pytest.mark.slow  # spawns an interpreter
def test_bad_input_in_the_classic_add_in_is_a_null_that_excel_shows_as_value():
    """Classic desktop runtime (no XLWINGS_ON_SERVER): the cell gets None, which pywin32 hands
    Excel as a Null variant, shown as #VALUE! (never text, which SUM would skip, nor a NaN, which
    Excel shows as a number); COSTLIB_MESSAGE gives the message."""
    code = (
        "import json, sys, costlib_udfs as u\n"
        "cases = json.loads(sys.argv[1])\n"
        "print(json.dumps([[repr(getattr(u, n)(*a)), u.COSTLIB_MESSAGE(n, *a)] for n, a, _, _ in cases]))\n"
    )
    import json
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_ON_SERVER"}
    cases = [(n, [a if not isinstance(a, float) or np.isfinite(a) else None for a in args], e, m)
             for n, args, e, m in BAD]
    # the classic (COM) add-in reads a range as a tuple of row tuples: the same cases that way
    code = code.replace("getattr(u, n)(*a)", "getattr(u, n)(*[tuple(map(tuple, x)) if isinstance(x, list) "
                                             "and x and isinstance(x[0], list) else x for x in a])")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(cases)], env=env,
                          capture_output=True, text=True, check=True)
    shown = json.loads(done.stdout)
    for (name, _, error, message), (cell, why) in zip(cases, shown):
        assert cell == "None", (name, cell)
        assert why.startswith(message), (name, why)


def test_unexpected_failure_is_still_a_short_message():
    def broken(price_per_gpu_hour, tokens_per_second, utilization=1.0):
        return 1 / 0

    spec = costlib.excel.Function("TOKEN_COST", broken, ("price_per_gpu_hour", "tokens_per_second", "utilization"),
                                  summary="A function with a bug [USD].")
    with pytest.raises(CellError) as info:
        costlib_udfs._make(spec)(2.5, 2000, None)
    assert str(info.value) == "TOKEN_COST failed: division by zero"


def test_row_range_spills_as_a_row():
    got = xl_call("TOKEN_COST", [[2.5, 2.0, 3.0]], 2000, 0.6)
    assert np.asarray(got).shape == (1, 3)
    np.testing.assert_allclose(np.asarray(got)[0], costlib.token_cost(np.array([2.5, 2.0, 3.0]), 2000, 0.6))


def test_excel_error_value_in_a_range_is_named_in_that_cell():
    error_cell = {"type": "Error", "basicValue": "#DIV/0!", "errorType": "Div0"}  # Office.js error value
    got = xl_call("TOKEN_COST", [[2.5], [error_cell]], 2000, 0.6)
    assert got == [[pytest.approx(costlib.token_cost(2.5, 2000, 0.6))], [{"type": "Error", "errorType": "Div0"}]]
    # Office.js sends a repeating argument as one list of its values
    assert xl_call("COSTLIB_MESSAGE", "TOKEN_COST", [[[2.5], [error_cell]], [[2000]], [[0.6]]]) == [
        ["ok"], ["price_per_gpu_hour is the error #DIV/0! in its cell (row 2, column 1 of its range)"]]


# --- help texts that slipped (generated from the registry and the docstrings) ---------------------

HELP = [
    # (function, argument or None for the description, text that must be there, text that must not)
    ("GPU_PRICE", None, "reserved, on_demand, spot, 1_year, 3_year", None),  # it takes five tiers
    ("BREAKEVEN_AFTER_DECLINE", None, "after years of decline", "next year's"),  # it takes years
    ("PRICE_AFTER_DECLINE", "years", "at most 200", None),  # the cap on years, stated
    ("BREAKEVEN_AFTER_DECLINE", "years", "at most 200", None),
    ("GPU_SPEC", "field", '"tflops" (dense BF16 peak) [TFLOP/s]', None),
    ("NEEDS_REDESIGN", None, "default 30 %", "[FactorBeamND]"),  # no citation key in Excel's dialog
    ("API_PRICE", "price_date", "Day the price must be in force on", None),
]


@pytest.mark.parametrize("name,argument,present,absent", HELP, ids=[f"{h[0]}-{h[1]}" for h in HELP])
def test_help_texts_say_what_the_function_takes(meta, name, argument, present, absent):
    text = meta[name]["description"] if argument is None else next(
        p["description"] for p in meta[name]["parameters"] if p["name"] == argument)
    assert present in text, text
    assert absent is None or absent not in text, text


def test_no_excel_description_shows_a_citation_key(meta):
    for name in NAMES:
        assert not re.search(r"\[[A-Z][A-Za-z]+(\d{4}[a-z]?|ND)\]", meta[name]["description"]), name


def test_the_guide_says_api_price_reads_genai_prices():
    text = (Path(__file__).resolve().parents[1] / "addin" / "README.md").read_text()
    assert "`API_PRICE` reads the maintained price data genai-prices" in text
