"""costlib.plan.tables (costlib.plan.schedule): a template's numbers as DataFrames, with fiscal totals that add up to the months."""

import numpy as np
import pytest

import tiny_template
from costlib.plan.tables import RECONCILES, fiscal_periods, reconciles, schedule, summable
from costlib.plan.template import load_template


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    return str(tiny_template.write(tmp_path_factory.mktemp("tiny")))


@pytest.fixture(scope="module")
def budget():
    return schedule("budget")


def test_the_rows_are_a_frame_of_row_by_axis_value(tiny_path):
    s = schedule(tiny_path)
    assert list(s.rows.index) == ["gpus_used", "spend"]
    assert list(s.rows.columns) == [1, 2, 3] and s.rows.columns.name == "month"
    assert s.rows.loc["spend"].tolist() == pytest.approx(tiny_template.SPEND, rel=1e-15)  # 11,680, 12,848, 14,132.8
    assert s.items["total_spend"] == pytest.approx(tiny_template.TOTAL_SPEND, rel=1e-15)  # 38,660.8


def test_overrides_reach_the_numbers(tiny_path):
    s = schedule(tiny_path, {"months": 1, "price_per_gpu_hour": 3.0})
    assert s.rows.loc["spend"].tolist() == [8 * 730 * 3.0]  # 8 GPUs x 730 h x $3 = 17,520
    assert s.inputs["price_per_gpu_hour"] == 3.0


def test_sections(tiny_path):
    s = schedule(tiny_path)
    assert s.sections == {"gpus_used": "memo", "spend": "opex"}
    assert list(s.opex.index) == ["spend"] and s.capex.empty
    assert list(s.section("memo").index) == ["gpus_used"]


def test_a_template_without_a_calendar_has_no_fiscal_totals(tiny_path):
    s = schedule(tiny_path)
    assert s.annual is None and s.quarterly is None
    assert s.monthly is s.rows  # no month_end row: the rows as they are
    assert RECONCILES not in s.checks


def test_summable_rows_are_those_with_a_total(tiny_path):
    assert summable(load_template(tiny_path)) == ["spend"]


def test_fiscal_periods_in_order_of_first_appearance():
    rows = {"fiscal_year": np.array([2027.0, 2027.0, 2028.0, 2028.0]),
            "fiscal_quarter": np.array([4.0, 4.0, 1.0, 1.0])}
    assert fiscal_periods(rows) == ([2027.0, 2028.0], [(2027.0, 4.0), (2028.0, 1.0)])


def test_the_budgets_fiscal_years_add_up_to_its_months(budget):
    names = summable(load_template("budget"))
    months = budget.rows.loc[names].sum(axis=1)
    assert np.allclose(budget.annual.sum(axis=1), months, rtol=1e-12, atol=0)      # identity
    assert np.allclose(budget.quarterly.sum(axis=1), months, rtol=1e-12, atol=0)   # identity
    assert budget.checks[RECONCILES] is True


def test_the_budgets_quarters_add_up_to_its_years(budget):
    by_year = budget.quarterly.T.groupby(level="fiscal_year").sum().T
    assert np.allclose(by_year[budget.annual.columns], budget.annual, rtol=1e-12, atol=0)  # identity


def test_reconciles_fails_when_a_total_is_off(budget):
    t = load_template("budget")
    rows = {name: budget.rows.loc[name].to_numpy() for name in budget.rows.index}
    assert reconciles(t, rows, budget.annual, budget.quarterly)
    off = budget.annual.copy()
    off.iloc[0, 0] += abs(off.iloc[0, 0]) * 1e-6 + 1.0  # one year's total off by a millionth and a dollar
    assert not reconciles(t, rows, off, budget.quarterly)


def test_monthly_shows_month_end_dates_without_the_calendar_rows(budget):
    # the budget starts 2027-01 (templates/budget.toml): its first month ends on 2027-01-31
    assert str(budget.monthly.columns[0].date()) == "2027-01-31"
    assert not {"month_end", "fiscal_year", "fiscal_quarter"} & set(budget.monthly.index)
    assert len(budget.monthly.columns) == len(budget.rows.columns)
