"""Templates as wiring: a user's own template works with every command; a broken one is named.

Identities rather than stored outputs: the library's schedule of a template equals the
engine functions called directly, and a user's template computes as a packaged one does.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from openpyxl import load_workbook

import costlib
from costlib import cli, formulas
from rendered import default_bytes

from costlib.plan import schedule
from costlib.plan import TemplateError, load_template, template_names

USER = Path(__file__).parent / "data" / "my-serving-plan.toml"
ROOT = Path(__file__).resolve().parents[1]


def test_budget_numbers_are_the_engine_functions():
    s = schedule("budget", {"months": 24, "precision": "fp8", "gpu": "H200",
                            "hiring_ramp_months": 1, "annual_raise": 0, "finetune_team_headcount": 0,
                            "tokens_per_second": 2000, "finetune_tokens": 0})  # flat teams, typed throughput
    v, i = s.inputs, s.items
    # the budget's mfu is the BF16 figure; at FP8 the run is costed at the library's FP8 default, the same
    # realised FLOP/s (TRAINING_MFU: 0.40 in BF16, 0.20 of the twice-as-high FP8 peak)
    run = costlib.train_cost(v["params"], v["train_tokens"], v["train_price_per_gpu_hour"], gpu="H200", precision="fp8")
    assert i["training_cost"] == pytest.approx(run, rel=1e-12)  # identity: one formula, two callers
    bf16 = schedule("budget", {"months": 24, "gpu": "H200"}).items["training_cost"]
    assert i["training_cost"] == pytest.approx(bf16, rel=1e-3)  # H200: 1,978.9 FP8 against 989.4 BF16 TFLOP/s (the catalogue row)
    lines = costlib.programme_capex_breakdown(run, v["research_multiplier"], v["failed_run_share"],
                                              v["data_preparation_share"])
    staff = v["training_headcount"] * v["training_cost_per_person_year"] / 12 * (i["launch"] - 1)
    finetunes = v["finetune_cost"] * ((24 - i["launch"]) // v["finetune_interval_months"])
    assert s.capex.loc["build_total"].sum() == pytest.approx(
        (lines["total"] + staff + finetunes) * (1 + v["contingency_share"]), rel=1e-12)  # every build line, once
    hours = costlib.serving_gpu_hours(v["monthly_tokens"], v["tokens_per_second"], v["utilization"])
    gpus = math.ceil(hours / 730)  # whole GPUs, rented for the month's 730 hours
    price = v["serve_price_per_gpu_hour"] * (1 - v["gpu_price_decline"]) ** ((i["launch"] - 1) / 12)
    assert s.opex.loc["opex_serving", i["launch"]] == pytest.approx(gpus * 730 * price, rel=1e-12)


def test_unit_economics_blend_keeps_the_cache_hit_cost():
    s = schedule("unit-economics", {"cache_hit_rate": 0.5, "cache_hit_cost": 0.004})
    v = s.inputs
    expected = costlib.blended_cost_per_query(s.items["mean_cost_per_query"], s.items["small_model_cost_per_query"],
                                              v["small_model_share"], 0.5, 0.004)
    assert s.items["blended_cost_per_query"] == pytest.approx(expected, rel=1e-12)
    assert s.items["blended_cost_per_query"] > schedule("unit-economics", {"cache_hit_rate": 0.5}).items[
        "blended_cost_per_query"]


def test_a_named_api_model_bills_each_query_as_its_provider(tmp_path, monkeypatch):
    """The schedule (the workbook's numbers; tests/test_workbooks_recalc.py recalculates them) of a named model
    is genai-prices' own calc_price on each query's usage, a p95 prompt above the long-context tier included."""
    import datetime as dt

    import genai_prices

    monkeypatch.setenv("COSTLIB_CACHE_DIR", str(tmp_path))  # the bundled price data
    s = schedule("unit-economics", {"api_model": "gemini-2.5-pro", "p95_input_tokens": 300_000, "cached_share": 0.5})
    when = dt.datetime(2026, 11, 1, 12, tzinfo=dt.timezone.utc)  # api_price_date's default, 2026-11
    for name, i, o in (("p95_cost_per_query", 300_000, 2000), ("median_cost_per_query", 2000, 500)):
        usage = genai_prices.Usage(input_tokens=i, output_tokens=o, cache_read_tokens=i // 2)
        want = genai_prices.calc_price(usage, "gemini-2.5-pro", provider_id="google", genai_request_timestamp=when)
        assert s.items[name] == pytest.approx(float(want.total_price), rel=1e-12), name
    # by hand, Gemini 2.5 Pro above 200,000 prompt tokens [GenaiPrices2026]: $2.50 in, $0.25 cache read, $15 out
    assert s.items["p95_cost_per_query"] == pytest.approx((150_000 * 2.5 + 150_000 * 0.25 + 2000 * 15) / 1e6,
                                                          rel=1e-12)


def test_user_template_schedule(tmp_path):
    s = schedule(str(USER))
    own = costlib.token_cost(1.9, 2400, 0.35)
    assert s.items["own_cost_per_m_tokens"] == pytest.approx(own)
    assert s.items["breakeven_m_tokens"] == pytest.approx(costlib.breakeven(250000, 2.0, own))
    assert schedule(str(USER), {"api_price_per_m_tokens": 0.5}).items["breakeven_m_tokens"] == \
        "never: the API is cheaper"
    assert list(s.capex.index) == ["reservation"] and "serving" in s.opex.index


def test_user_template_with_every_command(tmp_path, capsys):
    out = tmp_path / "plan.xlsx"
    assert cli.main(["generate", str(USER), "-o", str(out), "--set", "months=6"]) == 0
    assert load_workbook(out)["Plan"].max_column == 2 + 6  # label, total, six months
    scenarios = tmp_path / "s.csv"
    with open(scenarios, "w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["scenario", "utilization", "api_price_per_m_tokens"])
        w.writerow(["busy", "0.8", "2.0"])
        w.writerow(["idle", "0.1", "0.5"])
    folder = tmp_path / "out"
    assert cli.main(["generate", str(USER), "--scenarios", str(scenarios), "-o", str(folder)]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["my-serving-plan-busy.xlsx", "my-serving-plan-comparison.xlsx", "my-serving-plan-idle.xlsx"]
    comparison = load_workbook(folder / "my-serving-plan-comparison.xlsx")["Comparison"]
    cells = [c.value for row in comparison.iter_rows() for c in row]
    assert "never: the API is cheaper" in cells  # the idle scenario's words, as its workbook says them
    capsys.readouterr()
    assert cli.main(["templates", str(USER)]) == 0
    assert "reservation_cost" in capsys.readouterr().out


def _write(tmp_path, text: str) -> str:
    base = USER.read_text(encoding="utf-8")
    path = tmp_path / "broken.toml"
    path.write_text(base + text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("extra, message", [
    ('\n[[sheets.items]]\nname = "x"\nlabel = "x"\nunit = "USD"\nformula = "reservation_cost * 2"\n',
     "a template formula is wiring"),
    ('\n[[sheets.items]]\nname = "x"\nlabel = "x"\nunit = "USD"\nformula = "token_cots(1, 2)"\n',
     "token_cots is not a costlib function with an Excel twin; closest: token_cost"),
    ('\n[[sheets.items]]\nname = "x"\nlabel = "x"\nunit = "USD"\nformula = "total(reservaton)"\n',
     "'reservaton' is not an input, item or row of this template; closest: reservation"),
    ('\n[[sheets.items]]\nname = "x"\nlabel = "x"\nunit = "USD"\nformula = "product(serving, 2)"\n',
     "serving is a timeline row and this is a single cell; use total(serving) or last(serving)"),
    ('\n[[sheets.items]]\nname = "x"\nlabel = "x"\nunit = "USD"\nformula = "total(reservation_cost)"\n',
     "reservation_cost is a single value; this argument takes a timeline row"),
    ('\n[[sheets.items]]\nname = "x"\nlabel = "x"\nunit = "USD"\nformula = "token_cost(1)"\n',
     "token_cost: missing a required argument: 'tokens_per_second'"),
    ('\n[[sheets.items]]\nname = "x"\nlabel = "x"\nunit = "USD"\nformula = "total_api_cost"\ncolour = "red"\n',
     "item x of sheet Summary has unknown keys colour"),
    ('\n[[sheets.items]]\nname = "x"\nlabel = "x"\nunit = "USD"\nformula = \'token_cost(1, 2, none="n/a")\'\n',
     "token_cost always has a value; it takes no none= text"),
    ('\n[[sheets.items]]\nname = "x"\nlabel = "x"\nunit = "USD"\nformula = "product(2, breakeven(1, 2, 1))"\n',
     "breakeven may have no value (it then shows words); give it an item or a row of its own"),
])
def test_broken_template_names_the_entry(tmp_path, extra, message):
    # TOML appends these to the last sheet (Plan) unless a [[sheets]] header precedes them
    path = _write(tmp_path, "\n[[sheets]]\nname = \"Summary2\"\n" + extra)
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert message.replace(" of sheet Summary", " of sheet Summary2") in str(info.value)
    assert str(path) in str(info.value)


def test_capex_row_must_not_read_an_opex_row(tmp_path):
    text = USER.read_text(encoding="utf-8").replace('formula = "in_month(reservation_cost, month, 1)"',
                                                    'formula = "in_month(serving, month, 1)"')
    path = tmp_path / "mixed.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match="capex row reservation must not refer to opex row serving"):
        load_template(str(path))


def test_a_formula_that_fails_names_its_item(tmp_path):
    text = USER.read_text(encoding="utf-8").replace('formula = "total(api_memo)"',
                                                    'formula = "share_of(total(api_memo), total(reservation))"')
    path = tmp_path / "share.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(costlib.InputError, match=r"item total_api_cost: whole must be > 0, got 0"):
        schedule(str(path), {"reservation_cost": 0})


def test_a_training_only_plan_says_n_a_where_no_token_is_served():
    s = schedule("budget", {"monthly_tokens": 0, "months": 12})
    assert s.items["amortized_cost_per_m_tokens"] == "n/a: no tokens served"
    assert s.rows.loc["marginal_cost_by_month"].isna().all() and all(s.checks.values())


def test_a_row_may_not_read_a_row_that_says_n_a(tmp_path):
    text = USER.read_text(encoding="utf-8") + (
        '\n[[sheets]]\nname = "More"\n\n[[sheets.rows]]\nname = "per_token"\nlabel = "x"\nsection = "summary"\n'
        'unit = "USD/Mtok"\nformula = "cost_per_m_tokens(serving, tokens)"\n\n[[sheets.rows]]\nname = "twice"\n'
        'label = "y"\nsection = "summary"\nunit = "USD/Mtok"\nformula = "product(per_token, 2)"\n')
    path = tmp_path / "words.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match="row twice must not read row per_token in its column"):
        load_template(str(path))


@pytest.mark.parametrize("name", template_names())
def test_packaged_templates_render_and_evaluate(name):
    assert default_bytes(name)[:2] == b"PK"
    assert all(schedule(name).checks.values())


def test_every_row_formula_is_one_call():
    # templates hold wiring: each formula is a single call (or a bare name), never arithmetic
    for name in template_names():
        t = load_template(name)
        for _, row in t.rows.values():
            assert type(row.expr).__name__ in ("Call", "Name"), (name, row.name)


def test_template_reference_is_current():
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    assert formulas.with_functions(text) == text, "docs/templates.md is stale: run python scripts/make_docs.py"


@pytest.mark.parametrize("name", ["build-vs-buy", "finetune-vs-prompt", "unit-economics"])
def test_capex_is_said_only_where_a_policy_capitalises(name):
    # "capex" means spend put on the balance sheet; only the budget holds a capitalisation policy, so the
    # decision templates call their one-time spend what it is (IAS 16.7, IAS 38.21: capitalised only where
    # recognised as an asset)
    t = load_template(name)
    words = [t.title, t.description] + [s.name for s in t.sheets] + [s.description for s in t.sheets]
    words += [r.label for _, r in t.rows.values()] + [i.label for _, i in t.items.values()]
    words += [c.get("title", "") for c in t.charts]
    said = [w for w in words if "capex" in w.lower() or "capital expense" in w.lower()]
    assert not said, said
