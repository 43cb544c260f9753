"""Inlined models recalculated by LibreOffice give costlib's own values (to 1e-9).

Slow: runs LibreOffice (tests/conftest.py marks modules importing costlib.workbook.recalc).
"""

import importlib.util
from pathlib import Path

import pytest

import costlib
from costlib import models_in_excel as mx
from costlib.workbook import recalc

_spec = importlib.util.spec_from_file_location("models_in_excel_cases", Path(__file__).with_name("test_models_in_excel.py"))
_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cases)
CALLS, build_model = _cases.CALLS, _cases.build_model


@pytest.mark.parametrize("name", ["model.xlsx", "model.xlsm"])
def test_inlined_model_recalculates_to_costlib_values(tmp_path, name):
    model = build_model(tmp_path / name, vba=name.endswith(".xlsm"))
    out = tmp_path / ("inlined-" + name)
    mx.inline(model, out)
    ws = recalc.recalculated_values(out, tmp_path / "lo")["Model"]
    for cell, (_, value) in CALLS.items():
        assert ws[cell].value == pytest.approx(value, rel=1e-9), cell
    for i, (p, t) in enumerate([(2.5, 2000), (2.0, 1000), (3.0, 2500)], start=1):  # the array formula F1:F3
        assert ws[f"F{i}"].value == pytest.approx(costlib.token_cost(p, t, 0.6), rel=1e-9)
