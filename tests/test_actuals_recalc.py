"""The variance workbook recalculated by LibreOffice and Gnumeric equals what costlib wrote.

Every formula cell's cached value (costlib.actuals' own result) must be what each engine
computes (1e-9 relative), no cell may be an error value, the defined totals must equal the
exports' sums worked by hand, and the master check must be TRUE.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from costlib.actuals import actuals
from costlib.workbook.recalc import ENGINES, convert
from costlib.workbook.variance import NAMES, write_variance

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data" / "focus"
API_BUDGET = {"start_date": "2024-08", "serving_plan": "api", "api_price_decline": 0, "monthly_tokens": 20e6,
              "monthly_growth": 0, "months": 24}
CASES = {
    # 104.50 (multi-model) + 50.00 effective / 500,000 billed (drawdown): both in 2025-05
    "api-plan-two-exports": ([DATA / "multi_model_usage.csv", DATA / "drawdown_via_prepayment_foundation_model_api.csv"],
                             API_BUDGET, {"actual_billed_total": 104.50 + 500_000, "actual_effective_total": 154.50,
                                          "actual_list_total": 104.50 + 500_062.50}),
    # January 2025 caching examples (33.90 + 38.40) against the rent plan, fiscal year from July
    "rent-plan-fiscal-july": ([DATA / "ai_prompt_caching_a.csv", DATA / "ai_prompt_caching_b.csv"],
                              {"start_date": "2024-05", "fiscal_year_start_month": 7, "months": 12},
                              {"actual_billed_total": 72.30, "actual_effective_total": 72.30,
                               "actual_list_total": 72.30}),
}
ERROR_VALUE = re.compile(r"^(#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A)|Err:\d+)")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    src = tmp_path_factory.mktemp("variance")
    paths = []
    for case, (bills, overrides, _) in CASES.items():
        path = src / f"{case}.xlsx"
        write_variance(actuals(bills, "budget", overrides), path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module", params=ENGINES)
def recalculated(request, written, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"variance-{request.param}")
    convert(written, out, engine=request.param)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {p.stem: load_workbook(out / p.name, data_only=True) for p in written}


def named(wb, name):
    (sheet, ref), = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


@pytest.mark.parametrize("case", CASES)
def test_cached_values_are_what_the_engine_computes(written, recalculated, case):
    path = next(p for p in written if p.stem == case)
    mine = load_workbook(path, data_only=True)
    engine = recalculated[case]
    compared = 0
    for ws in mine.worksheets:
        other = engine[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                got = other[cell.coordinate].value
                assert not (isinstance(got, str) and ERROR_VALUE.match(got)), (ws.title, cell.coordinate, got)
                if cell.value is None:
                    continue
                if isinstance(cell.value, bool) or isinstance(got, bool):
                    assert bool(got) == cell.value, (ws.title, cell.coordinate, cell.value, got)
                elif isinstance(cell.value, (int, float)):
                    assert got == pytest.approx(cell.value, rel=1e-9, abs=1e-9), (ws.title, cell.coordinate)
                else:
                    assert got == cell.value, (ws.title, cell.coordinate, cell.value, got)
                compared += 1
    assert compared > 300


@pytest.mark.parametrize("case", CASES)
def test_totals_by_name_are_the_hand_sums(recalculated, case):
    wb = recalculated[case]
    for name, expected in CASES[case][2].items():
        assert named(wb, name) == pytest.approx(expected, abs=0.005), name  # to the cent
    assert named(wb, "variance_total") == pytest.approx(named(wb, "actual_effective_total")
                                                        - named(wb, "budget_total"))
    assert set(NAMES) <= set(wb.defined_names)
    assert named(wb, "checks_ok") in (True, 1)
