"""Switching the scenario in the workbook moves the model: LibreOffice and Gnumeric recalculate it.

A workbook generated at base is edited as a user would: the scenario dropdown set to downside
or upside, a Low cell typed; each engine recalculates, and every number item must equal costlib's
schedule for the same choice. A Low typed above its Base turns the range check FALSE.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from costlib.plan import schedule
from costlib.workbook import generate
from costlib.plan import load_template
from costlib.workbook.recalc import ENGINES, convert
from costlib.workbook.writer import RANGE_CHECK, RANGES_CURRENT, STALE_RANGES

PLAN = str(Path(__file__).parent / "data" / "my-serving-plan.toml")
EDITS = {  # case -> (cells typed on Inputs: input -> value, or (input, "low"/"high") -> value; the same as overrides)
    "downside": ({"scenario": "downside"}, {"scenario": "downside"}),
    "upside": ({"scenario": "upside"}, {"scenario": "upside"}),
    # utilization's downside is its low: the typed Low is the downside's value
    "downside-edited": ({"scenario": "downside", ("utilization", "low"): 0.3},
                        {"scenario": "downside", "utilization_low": 0.3}),
    "base-edited": ({("monthly_growth", "base"): 0.1}, {"monthly_growth": 0.1}),
}
COLUMN = {"low": 7, "base": 8, "high": 9}


@pytest.fixture(scope="module", params=ENGINES)
def switched(request, tmp_path_factory):
    src = tmp_path_factory.mktemp("switched")
    paths = []
    for case, (typed, _) in {**EDITS, "low-above-base": ({("utilization", "low"): 0.5}, None)}.items():
        path = src / f"{case}.xlsx"
        generate(PLAN, {}, path)
        wb = load_workbook(path)
        for key, value in typed.items():
            name, end = key if isinstance(key, tuple) else (key, None)
            (_, ref), = list(wb.defined_names[name].destinations)
            row = int(ref.split("$")[-1])
            wb["Inputs"].cell(row=row, column=COLUMN[end] if end else 2).value = value
        wb.save(path)
        _as_excel_writes_it(path)
        paths.append(path)
    out = tmp_path_factory.mktemp(f"switched-{request.param}")
    convert(paths, out, engine=request.param)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "no default style" in Gnumeric's files
        return {p.stem: load_workbook(out / p.name, data_only=True) for p in paths}


def _as_excel_writes_it(path: Path) -> None:
    """openpyxl saves empty even/first page headers that Gnumeric reports as unexpected: leave them out."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, body in members:
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"<(even|first)(Header|Footer)\s*/>", b"", body)
            zout.writestr(info, body)


def _named(wb, name):
    (sheet, ref), = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


@pytest.mark.parametrize("case", EDITS)
def test_the_model_follows_the_scenario(switched, case):
    wb = switched[case]
    expected = schedule(PLAN, EDITS[case][1])
    for name, value in expected.items.items():
        if isinstance(value, str):
            assert _named(wb, name) == value, name
        else:
            assert _named(wb, name) == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert _named(wb, "checks_ok") is True
    live = wb["Ranges"]  # the Ranges sheet's live column moves with the scenario
    for r, name in enumerate(load_template(PLAN).key_numbers, start=5):
        assert live.cell(row=r, column=2).value == pytest.approx(expected.items[name], rel=1e-9, abs=1e-12)


def test_a_low_above_its_base_fails_the_range_check(switched):
    ws = switched["low-above-base"]["Checks"]
    results = {ws.cell(row=r, column=1).value: (ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value)
               for r in range(6, ws.max_row + 1)}
    value, why = results[RANGE_CHECK]
    assert value is False and "low <= base <= high" in why
    assert ws["B5"].value is False


def test_ranges_go_stale_when_an_input_differs_and_the_first_sheet_warns(switched):
    # TRUE as LibreOffice and Gnumeric save a boolean cell: True, or 1 under a number format
    assert _named(switched["downside"], "ranges_current") in (True, 1)  # the scenario alone: the draws are the same
    edited = switched["base-edited"]  # monthly_growth's Base typed: the ranges were drawn for another plan
    assert _named(edited, "ranges_current") in (False, 0)
    assert _named(edited, "checks_ok") is True  # the live model is right; only the generated figures are stale
    first = edited.worksheets[0]
    lines = [c.value for row in first.iter_rows(max_row=12) for c in row if isinstance(c.value, str)]
    assert any(line == f"Warning: {STALE_RANGES}." for line in lines)
    assert edited["Ranges"]["A3"].value == f"Warning: {STALE_RANGES}."  # the Ranges sheet says so too
    assert switched["downside"]["Ranges"]["A3"].value == RANGES_CURRENT
    assert not any(line.startswith("Range of") for line in lines)
    checks = edited["Checks"]
    advisory = next(r for r in range(1, checks.max_row + 1)
                    if str(checks.cell(row=r, column=1).value).startswith("Advisory"))
    assert checks.cell(row=advisory, column=2).value is False
    assert checks.cell(row=advisory, column=3).value == STALE_RANGES
