"""Coherent scenarios: each uncertain input declares its downside end, and the scenarios keep their order.

A template's uncertain input (``range = [low, high]``) says which end hurts the template's
decision (``downside = "low"`` or ``"high"``) and why (``downside_reason``). The downside
scenario sets every such input at that end, the upside at the other: never a mix of
directions. Properties, over every template: the first key output runs downside <= base <=
upside (the other way for a key output where lower is better), and each input alone at its
downside end does not help the decision, nor alone at its upside end hurt it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from costlib import cli
from costlib.errors import TemplateError
from costlib.plan import load_template, resolve_inputs, schedule, template_names
from costlib.plan.template import SCENARIO_WORDS
from costlib.workbook import render

PLAN = str(Path(__file__).parent / "data" / "my-serving-plan.toml")
RANGED = [name for name in template_names() if any(i.range is not None for i in load_template(name).inputs)] + [PLAN]


def _better(t, a: float, b: float) -> bool:
    """True where ``a`` is at least as good for the decision as ``b`` on the first key output (a tolerance of 1e-9)."""
    slack = 1e-9 * max(abs(a), abs(b), 1.0)
    return a >= b - slack if t.key_output_better == "higher" else a <= b + slack


def test_every_packaged_template_has_ranges():
    assert set(template_names()) <= set(RANGED)  # the ordering below is a test over every template


@pytest.mark.parametrize("template", RANGED)
def test_downside_base_upside_are_ordered_on_the_key_output(template):
    t = load_template(template)
    key = t.key_numbers[0]
    down, base, up = (schedule(t, {"scenario": s}).items[key] for s in ("downside", "base", "upside"))
    assert _better(t, base, down) and _better(t, up, base), (key, down, base, up)
    assert _better(t, up, down) and not _better(t, down, up), "the scenarios must differ"


@pytest.mark.parametrize("template", RANGED)
def test_each_declared_downside_hurts_the_decision_alone(template):
    t = load_template(template)
    key = t.key_numbers[0]
    base = schedule(t).items[key]
    values = resolve_inputs(t)
    for inp in t.inputs:
        if inp.range is None:
            continue
        low, _, high = values.ranges[inp.name]
        down, up = (low, high) if inp.downside == "low" else (high, low)
        at_down = schedule(t, {inp.name: down}).items[key]
        at_up = schedule(t, {inp.name: up}).items[key]
        assert _better(t, base, at_down), f"{inp.name} at its downside ({down}) improves {key}: {at_down} vs {base}"
        assert _better(t, at_up, base), f"{inp.name} at its upside ({up}) worsens {key}: {at_up} vs {base}"
        assert inp.downside_reason.strip()


@pytest.mark.parametrize("field, value, fragment", [
    ("downside", None, "has a range, so downside must say which end hurts the decision"),
    ("downside", "middle", "got 'middle'"),
    ("downside_reason", None, "downside_reason must say why its high end hurts the decision"),
])
def test_a_range_without_its_direction_is_refused_by_name(tmp_path, field, value, fragment):
    text = Path(PLAN).read_text(encoding="utf-8")  # the first uncertain input is price_per_gpu_hour
    text = re.sub(rf"^{field} = .*$", "" if value is None else f'{field} = "{value}"', text, count=1, flags=re.M)
    path = tmp_path / "undirected.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match="input price_per_gpu_hour") as raised:
        load_template(str(path))
    assert fragment in str(raised.value)


@pytest.mark.parametrize("scenario", ["downside", "upside"])
def test_the_first_sheet_names_the_active_scenario(scenario):
    data = render("finetune-vs-prompt", {"scenario": scenario})
    formulas, values = (load_workbook(io.BytesIO(data), data_only=d) for d in (False, True))
    first = formulas.sheetnames[0]
    row = next(r for r in range(1, 12) if str(formulas[first].cell(row=r, column=1).value).startswith(
        '="Scenario: "'))
    assert 'scenario="downside"' in formulas[first].cell(row=row, column=1).value  # it follows the dropdown
    assert values[first].cell(row=row, column=1).value == f"Scenario: {SCENARIO_WORDS[scenario]}"
    assert values[first].cell(row=row, column=1).value.startswith(f"Scenario: {scenario.capitalize()}:")


def test_a_scenario_column_of_downside_base_upside_selects_them(tmp_path):
    csv = tmp_path / "three.csv"
    csv.write_text("scenario,hosting_cost_per_month\nDownside,\nbase,\nupside,2000\nsmall,\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["generate", "finetune-vs-prompt", "--scenarios", str(csv), "-o", str(out)]) == 0
    expected = {"Downside": {"scenario": "downside"}, "base": {}, "upside": {"scenario": "upside",
                                                                           "hosting_cost_per_month": 2000},
                "small": {}}  # a name that is no scenario only names the file
    for name, overrides in expected.items():
        wb = load_workbook(out / f"finetune-vs-prompt-{name}.xlsx", data_only=True)
        (sheet, ref), = list(wb.defined_names["npv_saving"].destinations)
        assert wb[sheet][ref.replace("$", "")].value == pytest.approx(
            schedule("finetune-vs-prompt", overrides).items["npv_saving"], rel=1e-12), name
        (sheet, ref), = list(wb.defined_names["scenario"].destinations)
        assert wb[sheet][ref.replace("$", "")].value == overrides.get("scenario", "base")


def test_costlib_templates_lists_each_range_with_its_downside(capsys):
    assert cli.main(["templates", "finetune-vs-prompt"]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.strip().startswith("finetune_cost "))
    # the TOML's range = [10000, 100000], downside = "high" and its reason
    assert line.endswith("range 10000 to 100000, downside at its high: a dearer fine-tune: more to pay back")
