"""No bare numbers in a generated formula: every argument is a named input or a named constant.

Over every template's workbook (the packaged ones and a user's), every formula cell, data
validation and defined name is read token by token: the only numeric literals allowed are
0, 1, 12 and 100 and unit scales (a power of ten of 1,000 or more, or of 1/1,000 or less:
1E6 tokens in a million, 1E12 FLOP in a TFLOP). Everything else (730 hours a month, 3,600
seconds an hour, bytes per parameter, a default left out) is read by name from the Constants
block, whose rows carry each constant's value, unit and source from costlib.constants.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.formula.tokenizer import Tokenizer

from costlib import formulas
from costlib.constants import CONSTANTS, constant_value
from costlib.errors import TemplateError
from costlib.plan import load_template, template_names
from costlib.workbook import render
from rendered import default_bytes

PLAN = str(Path(__file__).parent / "data" / "my-serving-plan.toml")
ALLOWED = {0.0, 1.0, 12.0, 100.0}


def _unit_scale(x: float) -> bool:
    """1E3, 1E6, 1E-6 ...: a power of ten at least a thousand away from 1 (a change of unit)."""
    exponent = math.log10(x) if x > 0 else 0.5
    return exponent == round(exponent) and abs(exponent) >= 3


def _literals(formula: str) -> list[str]:
    return [tok.value for tok in Tokenizer(formula).items if tok.type == "OPERAND" and tok.subtype == "NUMBER"
            and float(tok.value) not in ALLOWED and not _unit_scale(float(tok.value))]


def test_the_literal_reader_can_fail():
    assert _literals("=a/b/730") == ["730"] and _literals("=x*3600*u") == ["3600"]
    assert _literals('=IF(p="fp32",4,IF(p="int4",0.5,2))') == ["4", "0.5", "2"]
    assert _literals('=1E6/(t*seconds_per_hour)+0*1-12/100+"730"') == []  # unit scale, allowed numbers, text


@pytest.mark.parametrize("template", template_names() + [PLAN])
def test_no_generated_formula_holds_a_bare_number(template):
    data = default_bytes(template) if template in template_names() else render(template)
    wb = load_workbook(io.BytesIO(data))
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    found += [f"{ws.title}!{cell.coordinate}: {v}" for v in _literals(cell.value)]
        for dv in ws.data_validations.dataValidation:
            for text in (dv.formula1, dv.formula2):
                if text and dv.type == "custom":
                    found += [f"{ws.title} validation {dv.sqref}: {v}" for v in _literals("=" + text)]
    for name, defined in wb.defined_names.items():
        found += [f"name {name}: {v}" for v in _literals("=" + defined.attr_text)]
    assert not found, f"{len(found)} bare numbers, e.g. {found[:5]}"


@pytest.mark.parametrize("template", template_names())
def test_the_constants_block_holds_each_constant_with_its_unit_and_source(template):
    wb = load_workbook(io.BytesIO(default_bytes(template)))
    ws = wb["Inputs"]
    for name, c in CONSTANTS.items():
        (sheet, ref), = list(wb.defined_names[name].destinations)
        assert sheet == "Inputs"
        cells = [row[0] for row in ws[ref.replace("$", "")]] if ":" in ref else [ws[ref.replace("$", "")]]
        keys = list(c.value) if c.table else [None]
        assert len(cells) == len(keys), name
        for cell, key in zip(cells, keys):
            assert cell.value == constant_value(name, key), (name, key)
            assert ws.cell(row=cell.row, column=3).value == c.unit and ws.cell(row=cell.row, column=5).value == c.source
            assert ws.cell(row=cell.row, column=6).value == name
            if key is not None:
                assert ws.cell(row=cell.row, column=4).value == key


@pytest.mark.parametrize("name, value", [
    ("hours_per_month", 365 * 24 / 12),   # 8,760 h a year over 12 months
    ("seconds_per_hour", 60 * 60),
    ("months_per_quarter", 12 / 4),
])
def test_constants_are_what_their_sources_say(name, value):
    assert constant_value(name) == value


def test_bytes_per_parameter_are_the_formats_widths():
    widths = {"fp32": 32, "bf16": 16, "fp16": 16, "fp8": 8, "int8": 8, "int4": 4}  # bits of each format
    assert {k: constant_value("bytes_per_parameter", k) for k in widths} == {k: b / 8 for k, b in widths.items()}


def test_outside_a_workbook_a_twin_writes_the_number():
    # a formula inlined into a user's own workbook has no Constants block: the twin writes 730 there

    class Inline:
        def value(self, name):
            return name

    call = formulas.parse("run_months(gpu_hours, gpus)")
    assert formulas.render(call, Inline()) == "gpu_hours / gpus / 730"
    step = formulas.render(formulas.parse("time_per_output_token(n, l, h, d, c, g, b, p, 1, u, m, v)"), Inline())
    assert 'IF(p = "fp32", 4, IF(p = "bf16", 2,' in step and "INDEX(bytes_per_parameter" not in step

    class Workbook(Inline):
        @staticmethod
        def constant(name):
            return name

    step = formulas.render(formulas.parse("time_per_output_token(n, l, h, d, c, g, b, p, 1, u, m, v)"), Workbook())
    assert "INDEX(bytes_per_parameter, MATCH(p, bytes_per_parameter_key, 0), 1)" in step and "kv_tensors_per_layer" in step


def test_a_default_left_out_is_refused_by_name(tmp_path):
    text = Path(PLAN).read_text(encoding="utf-8")
    formula = load_template(PLAN).items["own_cost_per_m_tokens"][1].formula  # any item's formula will do
    broken = text.replace(f'formula = "{formula}"', 'formula = "token_cost(price_per_gpu_hour, tokens_per_second)"', 1)
    assert broken != text
    path = tmp_path / "defaulted.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(TemplateError, match="token_cost leaves utilization at its default 1.0") as raised:
        load_template(str(path))
    assert "which a workbook would write as a bare number" in str(raised.value)
