"""Every check in a workbook can fail: a user's edit that breaks the model turns it FALSE, with a reason.

Each case edits one input cell of a generated workbook as a user would (typing past data
validation, which a file edit does), lets LibreOffice recalculate, and reads the Checks
sheet: the check named fails with its reason, no check cell is an error value, and the
master check on the first sheet is FALSE.
"""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from costlib.workbook import generate
from costlib.workbook.recalc import convert

RULE = "Every input obeys its rule, even typed past data validation"
EDITS = {  # case -> (template, {input: typed value}, the check that must fail)
    "months-edited": ("budget", {"months": 24}, "The timeline has one column per month"),
    "launch-after-the-timeline": ("budget", {"launch_month": 40}, "The model launches inside the timeline"),
    "launch-before-the-run-ends": ("budget", {"launch_month": 3}, "Serving launches after the final run ends"),
    "unknown-gpu": ("budget", {"gpu": "Z100"}, "The accelerators are in the catalogue"),
    "treatment-typed-wrong": ("budget", {"final_run_treatment": "defer"}, "Every build line is capitalised or expensed, once"),
    # 36 months from February 2027 run into FY2030: the Annual sheet's three years miss January 2030
    "start-moved-across-a-fiscal-year": ("budget", {"start_date": 46419}, "Fiscal-year and quarter totals reconcile "
                                                                          "with the months"),
    "useful-life-zero": ("budget", {"useful_life_months": 0}, RULE),
    "negative-params": ("budget", {"params": -5}, RULE),
    "fraction-above-one": ("build-vs-buy", {"utilization": 1.4}, RULE),
    "unknown-serving-gpu": ("build-vs-buy", {"serving_gpu": "Z100"}, "The serving accelerator is in the catalogue"),
    "p95-below-median": ("unit-economics", {"p95_input_tokens": 10, "p95_output_tokens": 10},
                         "The p95 query costs at least the median query"),
    "text-in-a-number": ("finetune-vs-prompt", {"queries_per_month": "lots"}, RULE),
}
ERROR = re.compile(r"^(#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A)|Err:\d+)")


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    src = tmp_path_factory.mktemp("edited")
    paths = []
    for case, (template, typed, _) in EDITS.items():
        path = src / f"{case}.xlsx"
        generate(template, {}, path)
        wb = load_workbook(path)
        for name, value in typed.items():
            (_, ref), = list(wb.defined_names[name].destinations)
            wb["Inputs"][ref.replace("$", "")].value = value
        wb.save(path)
        paths.append(path)
    out = tmp_path_factory.mktemp("edited-recalculated")
    convert(paths, out)
    return {case: load_workbook(out / f"{case}.xlsx", data_only=True) for case in EDITS}


@pytest.mark.parametrize("case", EDITS)
def test_the_check_fails_with_its_reason(edited, case):
    wb = edited[case]
    ws = wb["Checks"]
    results = {ws.cell(row=r, column=1).value: (ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value)
               for r in range(6, ws.max_row + 1) if ws.cell(row=r, column=1).value}
    check = EDITS[case][2]
    value, why = results[check]
    assert value is False, (check, value)
    assert why and why != "passes", why
    for label, (value, why) in results.items():
        assert isinstance(value, bool), f"{label}: {value!r} is not TRUE or FALSE"
    assert ws["B5"].value is False  # the master check
    first = wb.worksheets[0]
    label = next(c for row in first.iter_rows(max_row=8) for c in row if c.value == "All checks pass (sheet Checks)")
    assert first.cell(row=label.row, column=2).value in (False, 0)  # LibreOffice saves it as a formatted 0
    assert first["A4"].value.startswith("A check fails")  # the sentence gives way to the warning


def test_no_check_cell_is_an_error(edited):
    for case, wb in edited.items():
        for row in wb["Checks"].iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and ERROR.match(cell.value)), (case, cell.coordinate)
