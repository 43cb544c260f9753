"""costlib.simulate: ranges in, samples and P10/P50/P90 out.

Identities (a single-value range gives the template's own number; the vectorised pass
equals a loop of costlib.plan.schedule), closed forms (the PERT and triangular means and
variances), properties (percentiles in order, outputs that move the way their formula says,
the same seed giving the same draws) and the errors a bad range gets.
"""

import math

import numpy as np
import pytest

import costlib
from costlib import timeline
from costlib.errors import InputError, InputTypeError, OutOfRangeError, UnknownNameError
from costlib.plan import evaluate_template, schedule
from costlib.plan import load_template, resolve_inputs

TEMPLATES = ["budget", "build-vs-buy", "finetune-vs-prompt", "unit-economics"]
FRACTION_RULES = {"fraction", "share", "share_below_one"}


def spread(template):
    """A range around the default of every number input that can take one: -20 % / +20 % (+2 for a count)."""
    ranges = {}
    defaults = template.defaults()
    for inp in template.inputs:
        if inp.type not in ("number", "integer") or inp.structural or not inp.default or inp.name in (
                template.axis_values or ()):  # the axis (unit-economics' multiples) is shared by every draw
            continue
        v = inp.default
        low, high = (v, v + 2) if inp.type == "integer" else sorted((v * 0.8, v * 1.2))
        if inp.rule == "at_least_one":
            low = max(low, 1.0)
        if inp.rule in FRACTION_RULES or inp.plausible == 1:
            high = min(high, 0.99 if inp.rule == "share_below_one" else 1.0)
        if inp.maximum is not None:  # a number, or another input's default (training_month <= months)
            high = min(high, defaults[inp.maximum] if isinstance(inp.maximum, str) else inp.maximum)
        ranges[inp.name] = (low, v, max(high, v))
    return ranges


def as_number(value):
    """A schedule's item as the simulation holds it: the words of a cell with no value are inf."""
    return math.inf if isinstance(value, str) else float(value)


# --- the timeline's month axis with a draw axis ----------------------------------------------

ROWS = np.array([[1.0, 0.0, 2.5, 4.0, -1.0], [0.5, 0.25, 0.125, 3.0, 9.0], [7.0, 7.0, 7.0, 7.0, 7.0]])


@pytest.mark.parametrize("function", [timeline.cumulative, timeline.total, timeline.last, timeline.count_of])
def test_each_draw_gives_what_its_own_row_gives(function):
    together = function(ROWS)
    for i, row in enumerate(ROWS):
        assert np.array_equal(np.reshape(together[i], -1), np.reshape(function(row), -1)), (function.__name__, i)
    # a reduction keeps the draw axis as a column, so it broadcasts against the rows
    assert np.ndim(together) == 2 and np.shape(together)[0] == len(ROWS)


def test_count_of_and_first_where_by_draw():
    with_gaps = np.array([[1.0, np.inf, 2.0], [np.nan, 1.0, 1.0]])
    assert timeline.count_of(with_gaps).tolist() == [[2.0], [2.0]]
    flags = np.array([[0, 0, 1, 1], [0, 0, 0, 0], [1, 0, 0, 0]])
    months = np.array([1.0, 2.0, 3.0, 4.0])
    got = timeline.first_where(flags, months)
    assert got.tolist() == [[3.0], [math.inf], [1.0]]
    assert [timeline.first_where(f, months) for f in flags] == [3.0, math.inf, 1.0]  # 1-D: floats, as before
    with pytest.raises(OutOfRangeError, match="periods must count up by one"):
        timeline.first_where(flags, np.array([[1.0, 2.0, 4.0, 5.0]]))


# --- identities ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", TEMPLATES)
def test_vectorised_pass_equals_a_loop_of_schedule(name):
    t = load_template(name)
    ranges = spread(t)
    sim = costlib.simulate(name, ranges, n=6, seed=3)
    assert set(sim.inputs) == set(ranges)
    for i in range(sim.n):
        drawn = {k: sim.samples[k].iloc[i] for k in sim.inputs}
        drawn = {k: int(v) if t.input(k).type == "integer" else float(v) for k, v in drawn.items()}
        one = schedule(name, drawn)
        for out in sim.outputs:
            expected, got = as_number(one.items[out]), sim.samples[out].iloc[i]
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-12) or got == expected, (name, out, i)


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_single_value_range_gives_the_template_value_exactly(name):
    t = load_template(name)
    fixed_points = {k: (v[1], v[1], v[1]) for k, v in spread(t).items()}
    sim = costlib.simulate(name, fixed_points, n=4)
    base = schedule(name)
    for out in sim.outputs:
        assert (sim.samples[out] == as_number(base.items[out])).all(), out
        assert sim.percentiles.loc[out].tolist() == [as_number(base.items[out])] * 3, out
    # the template's own checks (schedule may add more, outside the template's formulas)
    assert sim.checks == {c.label: base.checks[c.label] for c in t.checks}


def test_a_single_value_range_of_a_function_is_the_scalar_call():
    sim = costlib.simulate(costlib.train_cost, {"mfu": (0.4, 0.4, 0.4)}, n=3,
                           fixed={"params": 70e9, "tokens": 15e12, "price_per_gpu_hour": 2.0, "gpu": "H100"})
    assert sim.samples["train_cost"].tolist() == [costlib.train_cost(70e9, 15e12, 2.0, gpu="H100", mfu=0.4)] * 3


def test_evaluate_template_with_draws_shapes():
    t = load_template("budget")
    values = dict(resolve_inputs(t))
    values["mfu"] = np.array([[0.3], [0.4], [0.5]])
    items, rows, checks = evaluate_template(t, values, draws=3)
    length = t.length(values)
    assert all(r.shape == (3, length) for r in rows.values())
    assert all(v.shape == (3,) for v in items.values())
    assert "decision" not in items  # text: left out
    assert items["training_cost"][1] == schedule("budget").items["training_cost"]
    assert all(checks.values())


def test_evaluate_template_leaves_nothing_for_the_garbage_collector():
    import gc

    t = load_template("budget")
    values = dict(resolve_inputs(t))
    values["mfu"] = np.array([[0.3], [0.5]])
    evaluate_template(t, values, draws=2)  # warm-up: caches filled
    gc.collect()
    gc.disable()
    try:
        # its recursive closure was a cycle: every (draws, months) row held until a collection
        evaluate_template(t, values, draws=2)
        assert gc.collect() == 0
    finally:
        gc.enable()


# --- properties ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wide():
    return {name: costlib.simulate(name, spread(load_template(name)), n=500, seed=1) for name in TEMPLATES}


@pytest.mark.parametrize("name", TEMPLATES)
def test_percentiles_are_in_order_and_within_the_samples(wide, name):
    sim = wide[name]
    p = sim.percentiles
    assert list(p.columns) == ["P10", "P50", "P90"] and list(p.index) == list(sim.outputs)
    assert (p["P10"] <= p["P50"]).all() and (p["P50"] <= p["P90"]).all()
    assert (p["P10"] >= sim.samples[list(sim.outputs)].min()).all()
    assert (p["P90"] <= sim.samples[list(sim.outputs)].max()).all()
    # P50 is the median: numpy's, where no draw is infinite (numpy gives NaN between two infinities)
    finite = [o for o in sim.outputs if np.isfinite(sim.samples[o]).all()]
    assert np.array_equal(p.loc[finite, "P50"], sim.samples[finite].median())


def test_percentiles_of_a_break_even_that_never_comes_are_inf():
    # an own cost of $0.35/Mtok at full load [WaferZero2026] against an API price below it: never
    sim = costlib.simulate(costlib.utilization_breakeven, {"api_price_per_m_tokens": (0.1, 0.2, 0.3)}, n=100,
                           fixed={"cost_per_m_tokens_at_full_load": 0.35})
    assert sim.percentiles.loc["utilization_breakeven"].tolist() == [math.inf] * 3


@pytest.mark.parametrize("drawn, output, direction", [
    ("train_price_per_gpu_hour", "training_cost", +1),  # cost = GPU-hours x price
    ("mfu", "training_cost", -1),                       # GPU-hours = C / (peak x MFU)
    ("utilization", "self_host_cost_per_m_tokens", -1),  # price / (tokens per hour x utilisation)
    ("serve_price_per_gpu_hour", "self_host_cost_per_m_tokens", +1),
])
def test_monotone_outputs_move_the_right_way(drawn, output, direction):
    base = schedule("budget").inputs[drawn]
    sim = costlib.simulate("budget", {drawn: (base * 0.5, base, min(base * 1.5, 1.0) if drawn in ("mfu", "utilization")
                                              else base * 1.5)}, n=400, outputs=[output])
    ordered = sim.samples.sort_values(drawn)[output].to_numpy() * direction
    assert np.all(np.diff(ordered) >= 0)
    assert ordered[-1] > ordered[0]


N_MOMENTS = 200_000
TOLERANCE_SE = 5  # standard errors: a seeded draw, and a 5-sigma miss has odds of about 1 in 1.7 million


def drawn_price(spec, n=N_MOMENTS, **kwargs):
    sim = costlib.simulate(costlib.token_cost, {"price_per_gpu_hour": spec}, n=n, seed=11,
                           fixed={"tokens_per_second": 2000.0}, **kwargs)
    return sim.samples["price_per_gpu_hour"].to_numpy()


@pytest.mark.parametrize("a, b, c", [(1.0, 2.0, 6.0), (2.0, 2.0, 3.0), (1.5, 2.5, 2.5)])
def test_pert_and_triangular_means_are_the_closed_forms(a, b, c):
    pert = drawn_price((a, b, c))
    triangular = drawn_price((a, b, c), dist="triangular")
    # PERT (Malcolm et al. 1959): mean (a + 4b + c) / 6, variance (mean - a)(c - mean) / 7
    mean = (a + 4 * b + c) / 6
    se = math.sqrt((mean - a) * (c - mean) / 7 / N_MOMENTS)
    assert abs(pert.mean() - mean) <= TOLERANCE_SE * se
    assert pert.var() == pytest.approx((mean - a) * (c - mean) / 7, rel=0.02)
    # triangular: mean (a + b + c) / 3, variance (a^2 + b^2 + c^2 - ab - ac - bc) / 18
    var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    assert abs(triangular.mean() - (a + b + c) / 3) <= TOLERANCE_SE * math.sqrt(var / N_MOMENTS)
    assert triangular.var() == pytest.approx(var, rel=0.02)
    for x in (pert, triangular):
        assert x.min() >= a and x.max() <= c


@pytest.mark.parametrize("dist", ["normal", "lognormal"])
def test_normal_and_lognormal_take_the_mean_and_sd_of_the_value(dist):
    x = drawn_price({"dist": dist, "mean": 2.5, "sd": 0.4})
    assert abs(x.mean() - 2.5) <= TOLERANCE_SE * 0.4 / math.sqrt(N_MOMENTS)
    assert x.std() == pytest.approx(0.4, rel=0.02)
    if dist == "lognormal":
        assert x.min() > 0


def test_a_range_object_and_a_dict_are_the_same_range():
    as_dict = drawn_price({"low": 1.0, "base": 2.0, "high": 3.0, "dist": "triangular"}, n=50)
    as_range = drawn_price(costlib.Range(1.0, 2.0, 3.0, dist="triangular"), n=50)
    as_tuple = drawn_price((1.0, 2.0, 3.0), n=50, dist="triangular")
    assert np.array_equal(as_dict, as_range) and np.array_equal(as_dict, as_tuple)


def test_integer_inputs_draw_whole_numbers():
    sim = costlib.simulate("budget", {"finetune_interval_months": (3, 6, 12)}, n=300)
    x = sim.samples["finetune_interval_months"]
    assert (x == np.round(x)).all() and x.min() >= 3 and x.max() <= 12 and x.nunique() > 3


# --- seeds -----------------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_draws_and_another_seed_others():
    ranges = {"mfu": (0.3, 0.4, 0.5), "utilization": (0.1, 0.2, 0.4)}
    first = costlib.simulate("budget", ranges, n=200, seed=7)
    again = costlib.simulate("budget", ranges, n=200, seed=7)
    other = costlib.simulate("budget", ranges, n=200, seed=8)
    assert first.samples.equals(again.samples) and first.percentiles.equals(again.percentiles)
    assert not np.array_equal(first.samples["mfu"], other.samples["mfu"])


def test_each_input_keeps_its_draws_whatever_else_is_drawn():
    alone = costlib.simulate("budget", {"mfu": (0.3, 0.4, 0.5)}, n=100, seed=5)
    more = costlib.simulate("budget", {"utilization": (0.1, 0.2, 0.4), "mfu": (0.3, 0.4, 0.5)}, n=100, seed=5)
    assert np.array_equal(alone.samples["mfu"], more.samples["mfu"])
    assert not np.array_equal(more.samples["mfu"], more.samples["utilization"] * 2)


def test_blocks_of_draws_give_the_same_numbers_as_one_pass(monkeypatch):
    import sys

    ranges = {"mfu": (0.3, 0.4, 0.5), "utilization": (0.1, 0.2, 0.4)}
    whole = costlib.simulate("budget", ranges, n=50)
    monkeypatch.setattr(sys.modules["costlib.uncertainty"], "BLOCK_CELLS", 7 * 36)  # blocks of 7 draws
    seen = []
    blocks = costlib.simulate("budget", ranges, n=50, progress=lambda done, n: seen.append((done, n)))
    assert blocks.samples.equals(whole.samples)
    assert seen[0] == (7, 50) and seen[-1] == (50, 50)


# --- bad input -------------------------------------------------------------------------------

MFU = {"mfu": (0.3, 0.4, 0.5)}


@pytest.mark.parametrize("kwargs, error, argument, message", [
    (dict(ranges={"mfuu": (0.3, 0.4, 0.5)}), UnknownNameError, "mfuu",
     "ranges: 'mfuu' is not an input of the budget template; closest: mfu"),
    (dict(ranges={"mfu": (0.5, 0.4, 0.6)}), OutOfRangeError, "mfu",
     "ranges['mfu'] must have low <= base <= high, got low 0.5, base 0.4, high 0.6"),
    (dict(ranges={"mfu": (0.3, 0.4, 1.4)}), OutOfRangeError, "mfu", "ranges['mfu'] high: mfu must be in (0, 1], got 1.4"),
    (dict(ranges={"mfu": ("low", 0.4, 0.5)}), InputTypeError, "mfu",
     "ranges['mfu'] low: mfu must be a number, got text 'low'"),
    (dict(ranges={"gpu": ("A100", "H100", "B200")}), InputTypeError, "gpu", "only number inputs take a range"),
    (dict(ranges={"months": (12, 24, 36)}), InputError, "months", "sets the template's timeline"),
    (dict(ranges={"mfu": (0.3, 0.5)}), InputError, "mfu", "ranges['mfu'] must be (low, base, high), three values, got 2"),
    (dict(ranges={"mfu": 0.4}), InputTypeError, "mfu", "ranges['mfu'] must be (low, base, high)"),
    (dict(ranges={"mfu": {"dist": "uniform", "low": 0.3, "high": 0.5}}), UnknownNameError, "mfu",
     "ranges['mfu'] dist must be one of pert, triangular, normal, lognormal, got 'uniform'"),
    (dict(ranges={"mfu": {"dist": "normal", "mean": 0.4}}), InputError, "mfu",
     "a normal range needs mean, sd; sd missing"),
    (dict(ranges={"mfu": {"dist": "normal", "mean": 0.4, "sd": 0.3}}), OutOfRangeError, "mfu",
     "normal draws break the rule of mfu (in (0, 1])"),
    (dict(ranges={"mfu": {"dist": "normal", "mean": 0.4, "sd": -0.1}}), OutOfRangeError, "mfu",
     "ranges['mfu'] sd must be >= 0, got -0.1"),
    (dict(ranges={}), InputTypeError, "ranges", "ranges must be a dict"),
    (dict(ranges=MFU, n=0), OutOfRangeError, "n", "n must be >= 1, got 0"),
    (dict(ranges=MFU, n=2.5), InputTypeError, "n", "n must be a whole number of draws, got 2.5"),
    (dict(ranges=MFU, n=True), InputTypeError, "n", "n must be a whole number of draws"),
    (dict(ranges=MFU, seed=-1), InputTypeError, "seed", "seed must be a whole number >= 0"),
    (dict(ranges=MFU, dist="normal"), UnknownNameError, "dist", "dist must be pert or triangular"),
    (dict(ranges=MFU, fixed={"mfu": 0.5}), InputError, "mfu", "mfu is both in ranges and in fixed"),
    (dict(ranges=MFU, fixed={"utilization": 1.5}), OutOfRangeError, "utilization", "utilization must be in (0, 1]"),
    (dict(ranges=MFU, outputs=["training_cots"]), UnknownNameError, "training_cots", "closest: training_cost"),
    (dict(ranges=MFU, outputs=["decision"]), InputError, "decision", "decision is text (a sentence)"),
    (dict(ranges=MFU, outputs=["build_total"]), InputError, "build_total", "build_total is a timeline row"),
])
def test_bad_input_names_the_argument_the_rule_and_the_value(kwargs, error, argument, message):
    with pytest.raises(error) as caught:
        costlib.simulate("budget", **kwargs)
    assert message in str(caught.value)
    assert caught.value.argument == argument


@pytest.mark.parametrize("ranges, fixed, error, message", [
    ({"mfuu": (0.3, 0.4, 0.5)}, {}, UnknownNameError, "ranges: 'mfuu' is not an argument of train_cost; closest: mfu"),
    ({"mfu": (0.3, 0.4, 1.2)}, {}, OutOfRangeError, "ranges['mfu'] high: mfu must be in (0, 1], got 1.2"),
    ({"mfu": ("0.3", 0.4, 0.5)}, {}, InputTypeError, "ranges['mfu'] low must be a number, got text '0.3'"),
    ({"mfu": (0.3, 0.4, 0.5)}, {}, InputError, "train_cost: missing a required argument: 'params'"),
])
def test_bad_input_for_a_function(ranges, fixed, error, message):
    with pytest.raises(error, match=None) as caught:
        costlib.simulate(costlib.train_cost, ranges, fixed=fixed)
    assert message in str(caught.value)


def test_a_functions_outputs_carry_the_units_its_docstring_states():
    sim = costlib.simulate(costlib.energy_cost, {"gpu": (600.0, 700.0, 800.0)}, n=10,
                           fixed={"gpu_hours": 1e6, "price_per_kwh": 0.1})
    assert sim.units == {"gpu": "W", "energy_cost": "USD"}  # energy_cost reads gpu as board power
    parts = costlib.simulate(costlib.programme_capex_breakdown, {"final_run_cost": (5e6, 8.8e6, 12e6)}, n=10)
    assert set(parts.outputs) == {"final_run", "research", "failed_runs", "data_preparation", "total"}
    assert {parts.units[o] for o in parts.outputs} == {"USD"}
    assert (parts.samples["total"] >= parts.samples["final_run"]).all()
    flag = costlib.simulate(costlib.needs_redesign, {"cogs_per_user": (1.0, 5.0, 10.0)}, n=10, fixed={"arpu": 20.0})
    assert flag.units["needs_redesign"] == "flag (1 = true)"


def test_a_function_that_does_not_broadcast_is_named():
    with pytest.raises(InputTypeError, match="scale_plan cannot take 10 draws of users at once") as caught:
        costlib.simulate(costlib.scale_plan, {"users": (1e3, 1e4, 1e5)}, n=10,
                         fixed={"cost_per_query": 0.01, "queries_per_user_per_month": 30, "arpu": 20})
    assert caught.value.argument == "function_or_template"


def test_bad_first_argument():
    with pytest.raises(InputTypeError, match="function_or_template must be a costlib function"):
        costlib.simulate(42, MFU)
    with pytest.raises(UnknownNameError, match="template must be one of"):
        costlib.simulate("budgt", MFU)


# ---------------------------------------------------------------------------- a template's own ranges

def test_without_ranges_a_template_draws_the_ranges_it_declares():
    import tomllib
    from pathlib import Path

    path = Path(__file__).parent.parent / "templates" / "finetune-vs-prompt.toml"
    declared = {i["name"]: (i["range"][0], i["default"], i["range"][1])  # read from the TOML, not the library
                for i in tomllib.loads(path.read_text(encoding="utf-8"))["inputs"] if "range" in i}
    from costlib.uncertainty import declared_ranges

    assert declared_ranges("finetune-vs-prompt") == declared
    own = costlib.simulate("finetune-vs-prompt", n=3_000, seed=2)
    given = costlib.simulate("finetune-vs-prompt", declared, n=3_000, seed=2)
    assert list(own.inputs) == list(declared) and own.samples.equals(given.samples)  # identity: the same draws


def test_a_base_or_an_end_set_in_fixed_moves_the_declared_range():
    from costlib.uncertainty import declared_ranges

    ranges = declared_ranges("finetune-vs-prompt", {"finetune_cost": 30000, "hosting_cost_per_month_high": 5000})
    assert ranges["finetune_cost"] == (10000, 30000, 100000)  # the TOML's ends, the base as set
    assert ranges["hosting_cost_per_month"] == (0, 1000, 5000)
    sim = costlib.simulate("finetune-vs-prompt", n=2_000, fixed={"finetune_cost": 30000})
    drawn = sim.samples["finetune_cost"]
    assert drawn.min() >= 10000 and drawn.max() <= 100000 and "finetune_cost" in sim.inputs


def test_a_function_or_a_template_without_ranges_needs_them(tmp_path):
    with pytest.raises(InputTypeError, match="ranges must be a dict"):
        costlib.simulate(costlib.train_cost, fixed={"params": 70e9, "tokens": 15e12})
    from pathlib import Path

    plan = Path(__file__).parent / "data" / "my-serving-plan.toml"
    certain = tmp_path / "certain.toml"
    certain.write_text("".join(line for line in plan.read_text(encoding="utf-8").splitlines(keepends=True)
                               if not line.startswith(("range = ", "downside"))), encoding="utf-8")
    with pytest.raises(InputError, match="declares no uncertain input") as raised:
        costlib.simulate(str(certain))
    assert raised.value.argument == "ranges"
