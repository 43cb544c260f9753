"""Every template's workbook, recalculated by two engines, equals costlib's own schedule.

LibreOffice and Gnumeric (``ssconvert --recalc``) each recalculate every case; a complaint
Gnumeric prints while reading a workbook fails the run. All cases are generated into one
folder and converted in one LibreOffice run (its start-up dominates the time). Every named
output, every timeline row and every check is compared to 1e-9 relative; no cell may be an
error value; the master check must say what the library's checks say.
"""

import datetime
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from costlib.accounting import to_serial
from costlib.plan import schedule
from costlib.workbook import generate
from costlib.plan import load_template
from costlib.workbook.writer import CHECKS_FAIL
from costlib.workbook.recalc import ENGINES, convert

USER_TEMPLATE = str(Path(__file__).parent / "data" / "my-serving-plan.toml")  # a user's own, not packaged
CASES = {
    "budget-defaults": ("budget", {}),
    "budget-1-month": ("budget", {"months": 1, "development_months": 1}),
    "budget-120-months": ("budget", {"months": 120}),
    # 600 months at 1 % a month: at the default 5 % the fleet reaches 1e10 GPUs, where the engines' ceilings of a
    # count within a few ulps of a whole number part by one GPU
    "budget-600-months": ("budget", {"months": 600, "monthly_growth": 0.01}),
    "budget-zero-growth": ("budget", {"monthly_growth": 0}),
    "budget-huge-volumes": ("budget", {"monthly_tokens": "1e18!", "params": 2e12, "train_tokens": 1e15,
                                       "monthly_growth": 0.2, "months": 120, "training_gpus": 1_000_000}),
    "budget-no-breakeven": ("budget", {"api_price_per_m_tokens": 0.2, "utilization": 1}),
    "budget-late-training-a100": ("budget", {"development_months": 3, "gpu": "A100 80GB", "finetune_interval_months": 1,
                                             "months": 24}),
    "budget-throughput-from-shape": ("budget", {"serving_precision": "fp8",
                                                "gpus_per_replica": 1, "serving_gpu": "H200", "batch_size": 128}),
    "budget-fiscal-july": ("budget", {"fiscal_year_start_month": 7, "start_date": "2027-03"}),
    "budget-fiscal-december-from-december": ("budget", {"fiscal_year_start_month": 12, "start_date": "2026-12-15"}),
    "budget-life-beyond-the-timeline": ("budget", {"useful_life_months": 120, "months": 24}),
    "budget-training-over-a-year": ("budget", {"training_gpus": 256, "months": 48}),
    "budget-owned-gpus": ("budget", {"serving_plan": "own", "gpu_useful_life_months": 24, "months": 60,
                                     "serving_gpu": "MI300X"}),
    "budget-api-plan-no-staff": ("budget", {"serving_plan": "api", "training_headcount": 0, "serving_headcount": 0}),
    "budget-everything-expensed-eur": ("budget", {t: "expense" for t in (
        "final_run_treatment", "data_preparation_treatment", "finetune_treatment")} | {"currency": "EUR"}),
    "budget-late-launch-all-capitalised": ("budget", {"launch_month": 20, "research_treatment": "capitalise",
                                                      "failed_runs_treatment": "capitalise",
                                                      "training_staff_treatment": "capitalise",
                                                      "contingency_treatment": "capitalise"}),
    # the capitalisation policy and plans without training, in both engines: development capitalised only from month 4
    # (research-phase spend before it expensed whatever the line), an API-only company (no launch, no book
    # value, n/a break-evens, no fixed serving costs) and a bought model fine-tuned every 6 months and rented
    "budget-capitalised-from-month-4": ("budget", {"capitalisation_start_month": 4}),
    "budget-no-training-api-only": ("budget", {"training": "none", "serving_plan": "api"}),
    "budget-no-training-bought-model-fine-tuned": ("budget", {"training": "none"}),
    "budget-opex-passes-capex": ("budget", {"monthly_tokens": 2e12, "monthly_growth": 0.1}),
    "budget-formula-like-text": ("budget", {"model_name": "=HYPERLINK(\"http://example.invalid\")"}),
    "build-vs-buy-defaults": ("build-vs-buy", {}),
    "build-vs-buy-no-decline": ("build-vs-buy", {"annual_price_decline": 0, "utilization": 0.8, "months": 120}),
    "build-vs-buy-1-month": ("build-vs-buy", {"months": 1}),
    "build-vs-buy-never": ("build-vs-buy", {"api_price_per_m_tokens": 0.1}),
    "build-vs-buy-throughput-from-shape": ("build-vs-buy", {"serving_precision": "fp8", "gpus_per_replica": 1,
                                                            "serving_gpu": "H200", "batch_size": 128}),
    "finetune-vs-prompt-defaults": ("finetune-vs-prompt", {}),
    "finetune-vs-prompt-no-saving": ("finetune-vs-prompt", {"finetuned_input_tokens": 4000, "months": 1}),
    "finetune-vs-prompt-120-months": ("finetune-vs-prompt", {"months": 120, "monthly_growth": 0.03,
                                                             "refresh_interval_months": 5}),
    "unit-economics-defaults": ("unit-economics", {}),
    "unit-economics-levers": ("unit-economics", {"cached_share": 0.5, "small_model_share": 0.6,
                                                 "cache_hit_rate": 0.2}),
    "unit-economics-redesign": ("unit-economics", {"queries_per_user_per_month": 3000, "users": 1e6}),
    "budget-fp8-h200": ("budget", {"precision": "fp8", "gpu": "H200", "months": 24}),
    "budget-training-only": ("budget", {"monthly_tokens": 0, "months": 12}),  # legal: n/a, never an error
    "unit-economics-cache-hit-cost": ("unit-economics", {"cache_hit_rate": 0.4, "cache_hit_cost": 0.002}),
    # time value of money and fair comparisons: each new branch
    "budget-discount-zero": ("budget", {"discount_rate": 0}),
    "budget-build-beats-the-api": ("budget", {"api_price_per_m_tokens": 15, "api_price_decline": 0.2,
                                               "monthly_tokens": 1e12, "months": 60, "discount_rate": 0.3}),
    "build-vs-buy-discount-zero": ("build-vs-buy", {"discount_rate": 0}),
    # a typed 2,000 tok/s (the override) keeps these two about the verdict: from the 70B shape building never wins
    "build-vs-buy-build-wins-discounted": ("build-vs-buy", {"annual_price_decline": 0.2, "discount_rate": 0.15,
                                                            "gpu_price_decline": 0.3, "tokens_per_second": 2000}),
    "build-vs-buy-operations-turn-it": ("build-vs-buy", {"annual_price_decline": 0.2, "operations_cost_per_month": 200000,
                                                         "tokens_per_second": 2000}),
    "finetune-vs-prompt-late-first-finetune": ("finetune-vs-prompt", {"first_finetune_month": 7, "discount_rate": 0}),
    "finetune-vs-prompt-hosting-turns-it": ("finetune-vs-prompt", {"hosting_cost_per_month": 8000}),
    "finetune-vs-prompt-first-in-the-last-month": ("finetune-vs-prompt", {"first_finetune_month": 24}),
    "unit-economics-fixed-costs-turn-it": ("unit-economics", {"team_cost_per_month": 10000}),
    "unit-economics-minimum-commitment": ("unit-economics", {"minimum_commitment_per_month": 20000}),
    "unit-economics-no-tier": ("unit-economics", {"tier_discount": 0, "team_cost_per_month": 0,
                                                  "tier_start_queries": 0}),
    "unit-economics-fails-at-scale": ("unit-economics", {"arpu": 8, "tier_discount": 0}),
    # each template's downside and upside scenario: every uncertain input at its declared downside end, then upside
    **{f"{t}-scenario-{end}": (t, {"scenario": end}) for t in ("budget", "build-vs-buy", "finetune-vs-prompt",
                                                                "unit-economics") for end in ("downside", "upside")},
    # a named API model: its genai-prices prices and long-context tier as inputs; the p95 (and mean) prompt above
    # the 200k tier, cache reads and writes (PROVIDER_BILLS checks them against genai-prices' own calc_price)
    "unit-economics-claude-sonnet-4-5-long-prompt": ("unit-economics", {
        "api_model": "claude-sonnet-4-5", "p95_input_tokens": 300_000, "cached_share": 0.25,
        "cache_write_share": 0.5}),
    "finetune-vs-prompt-gemini-2.5-pro-long-prompt": ("finetune-vs-prompt", {
        "api_model": "gemini-2.5-pro", "api_provider": "google", "prompt_input_tokens": 250_000,
        "prompt_cached_share": 0.2}),
    "user-template-defaults": (USER_TEMPLATE, {}),
    "user-template-never": (USER_TEMPLATE, {"api_price_per_m_tokens": 0.5, "months": 3}),
}
ERROR_VALUE = re.compile(r"^(#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A)|Err:\d+)")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    src = tmp_path_factory.mktemp("generated")
    paths = []
    for case, (template, overrides) in CASES.items():
        path = src / f"{case}.xlsx"
        generate(template, overrides, path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def cached(generated):
    """What each generated file itself holds: the cached value of every cell (no engine)."""
    return {path.stem: load_workbook(path, data_only=True) for path in generated}


@pytest.fixture(scope="module", params=ENGINES)
def recalculated(request, generated, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"recalculated-{request.param}")
    convert(generated, out, engine=request.param)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "no default style" in Gnumeric's files
        return {case: load_workbook(out / f"{case}.xlsx", data_only=True) for case in CASES}


def named_value(wb, name):
    (sheet, ref), = list(wb.defined_names[name].destinations)
    cells = wb[sheet][ref.replace("$", "")]
    if isinstance(cells, tuple):
        return [_serial(c.value) for row in cells for c in row]
    return _serial(cells.value)


def _serial(value):
    """A date cell as the serial number it holds (openpyxl reads a date-formatted cell as a datetime)."""
    return to_serial(value) if isinstance(value, datetime.datetime) else value


NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def same_sentence(got, expected) -> bool:
    """The same words, and each number the same to its last shown digit.

    A sentence shows numbers through FIXED; engines round a value that lies on a half
    differently (the double itself, or its 15 significant digits first) and Gnumeric shows
    more than 15 digits: one unit of the last shown place, or 1e-13 relative, is allowed.
    """
    if not isinstance(got, str) or NUMBER.sub("#", got) != NUMBER.sub("#", expected):
        return False
    for a, b in zip(NUMBER.findall(got), NUMBER.findall(expected)):
        x, y = float(a.replace(",", "")), float(b.replace(",", ""))
        places = len(b.split(".")[1]) if "." in b else 0
        if abs(x - y) > max(10.0 ** -places * 1.0000001, 1e-13 * abs(y)):
            return False
    return True


@pytest.mark.parametrize("case", CASES)
def test_named_outputs_match_library(recalculated, case):
    template, overrides = CASES[case]
    expected = schedule(template, overrides)
    wb = recalculated[case]
    headline = load_template(template).headline
    for name, value in expected.items.items():
        got = named_value(wb, name)
        if name in headline and not all(expected.checks.values()):
            value = CHECKS_FAIL  # the first sheet's sentence gives way to the warning
        if value is None:  # the library's "none" (no break-even, not within the timeline) is text in a cell
            assert isinstance(got, str), name
        elif isinstance(value, str):  # a decision, or what a cell says where a value does not exist
            assert same_sentence(got, value), (name, got, value)
        else:
            assert got == pytest.approx(value, rel=1e-9, abs=1e-12), name


#: case -> (output, prompt tokens, output tokens, cached share, cache write share, model, provider, date): each
#: named query of a case with a named API model, and genai-prices' own calc_price on that query's usage
PROVIDER_BILLS = {
    "unit-economics-claude-sonnet-4-5-long-prompt": [
        ("p95_cost_per_query", 300_000, 2000, 0.25, 0.5, "claude-sonnet-4-5", "anthropic", "2026-11-01"),
        ("median_cost_per_query", 2000, 500, 0.25, 0.5, "claude-sonnet-4-5", "anthropic", "2026-11-01")],
    "finetune-vs-prompt-gemini-2.5-pro-long-prompt": [
        ("prompt_cost_per_query", 250_000, 300, 0.2, 0.0, "gemini-2.5-pro", "google", "2027-01-01")],
}


def calc_price(i, o, h, w, model, provider, day):
    """genai-prices' own bill of one query, built here from its usage, apart from costlib."""
    import genai_prices

    usage = genai_prices.Usage(input_tokens=i, output_tokens=o, cache_read_tokens=i * h,
                               cache_write_tokens=i * (1 - h) * w)
    when = datetime.datetime.fromisoformat(day).replace(hour=12, tzinfo=datetime.timezone.utc)
    return float(genai_prices.calc_price(usage, model, provider_id=provider, genai_request_timestamp=when).total_price)


@pytest.mark.parametrize("case", PROVIDER_BILLS)
def test_a_named_api_models_workbook_bills_as_the_provider(recalculated, case):
    for name, *query in PROVIDER_BILLS[case]:
        assert named_value(recalculated[case], name) == pytest.approx(calc_price(*query), rel=1e-12), name
    # by hand, Claude Sonnet 4.5 above its 200k tier [GenaiPrices2026]: $6 in, $0.60 cache read, $7.50 cache write,
    # $22.50 out per 1M for every token: 300k prompt, a quarter read, half the rest written, 2,000 out
    if case.startswith("unit-economics"):
        by_hand = (300_000 * 0.75 * 0.5 * 6 + 300_000 * 0.25 * 0.6 + 300_000 * 0.75 * 0.5 * 7.5 + 2000 * 22.5) / 1e6
        assert named_value(recalculated[case], "p95_cost_per_query") == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_timeline_rows_match_library(recalculated, case):
    template, overrides = CASES[case]
    expected = schedule(template, overrides)
    wb = recalculated[case]
    for name, row in expected.rows.iterrows():
        cells = named_value(wb, name)
        cells = cells if isinstance(cells, list) else [cells]  # Gnumeric names a one-cell row as $C$5
        want = row.to_numpy()
        assert len(cells) == len(want), name
        words = [c for c, w in zip(cells, want) if np.isnan(w)]  # the library's NaN: the cell says n/a
        assert all(isinstance(c, str) and c.startswith("n/a") for c in words), (name, words)
        got = np.array([c for c, w in zip(cells, want) if not np.isnan(w)], dtype=float)
        np.testing.assert_allclose(got, want[~np.isnan(want)], rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("case", CASES)
def test_no_error_values_and_master_check(recalculated, case):
    wb = recalculated[case]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and ERROR_VALUE.match(cell.value)), \
                    f"{ws.title}!{cell.coordinate} = {cell.value}"
    template, overrides = CASES[case]
    # every case passes its checks but one: a 1-month budget cannot launch the model it trains
    assert named_value(wb, "checks_ok") is all(schedule(template, overrides).checks.values()) is (
        case != "budget-1-month")


@pytest.mark.parametrize("case", CASES)
def test_each_check_matches_library(recalculated, case):
    template, overrides = CASES[case]
    expected = schedule(template, overrides)
    ws = recalculated[case]["Checks"]
    cells = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(6, ws.max_row + 1)
             if ws.cell(row=r, column=1).value}
    assert {label: cells.get(label) for label in expected.checks} == expected.checks
    generated = {label: value for label, value in cells.items() if label not in expected.checks}
    # the generator's own: every input obeys its rule, and (with uncertain inputs) low <= base <= high
    assert generated and all(value is True for value in generated.values()), generated


def test_formula_like_text_stays_text(recalculated):
    wb = recalculated["budget-formula-like-text"]
    assert named_value(wb, "model_name") == "=HYPERLINK(\"http://example.invalid\")"


def test_edge_cases_mean_what_they_say(recalculated):
    # the cases above were chosen to exercise the degenerate branches: check they did
    assert named_value(recalculated["budget-no-breakeven"], "breakeven_m_tokens").startswith("none (own cost")
    assert isinstance(named_value(recalculated["budget-opex-passes-capex"], "opex_passes_build_month"), (int, float))
    assert named_value(recalculated["unit-economics-redesign"], "verdict").startswith("redesign")
    assert named_value(recalculated["finetune-vs-prompt-no-saving"], "breakeven_queries").startswith("no break-even")
    assert named_value(recalculated["build-vs-buy-never"], "utilization_breakeven").startswith("never")
    assert named_value(recalculated["build-vs-buy-build-wins-discounted"], "decision") == "build"
    bvb_shape, bvb_default = (named_value(recalculated[c], "serving_tokens_per_gpu_second")
                              for c in ("build-vs-buy-throughput-from-shape", "build-vs-buy-defaults"))
    assert bvb_shape > bvb_default > 0  # FP8 weights on one H200 (no all-reduce), a batch of 128: faster than the default
    assert not math.isnan(named_value(recalculated["budget-huge-volumes"], "total_opex"))
    assert named_value(recalculated["user-template-never"], "breakeven_m_tokens") == "never: the API is cheaper"
    fp8, bf16 = (named_value(recalculated[c], "gpu_peak_tflops") for c in ("budget-fp8-h200", "budget-defaults"))
    assert fp8 == pytest.approx(2 * 989.4, rel=0.01) and bf16 == pytest.approx(989.4)  # NVIDIA H100/H200: FP8 twice BF16


@pytest.mark.parametrize("case", CASES)
def test_every_cached_value_is_what_the_engine_computes(recalculated, cached, case):
    """Every formula cell of the file as written equals the engine's result: a preview shows the truth."""
    written, engine = cached[case], recalculated[case]
    compared = 0
    for ws in written.worksheets:
        other = engine[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                got = other[cell.coordinate].value
                if isinstance(cell.value, bool) or isinstance(got, bool):
                    assert got == cell.value, (ws.title, cell.coordinate, cell.value, got)
                elif isinstance(cell.value, (int, float)):
                    assert isinstance(got, (int, float)), (ws.title, cell.coordinate, cell.value, got)
                    assert got == pytest.approx(cell.value, rel=1e-9, abs=1e-12), (ws.title, cell.coordinate)
                elif isinstance(cell.value, str) and NUMBER.search(cell.value) and ws.title != "Catalogue":
                    assert same_sentence(got, cell.value), (ws.title, cell.coordinate, cell.value, got)
                else:
                    assert got == cell.value, (ws.title, cell.coordinate, cell.value, got)
                compared += 1
    assert compared > 200
