"""Names that only look like something else are read as names by a real spreadsheet.

The template check (costlib.plan.names) refuses names a spreadsheet reads as a boolean, a
cell, an R1C1 reference or a function; the names it lets through must then be read as the
defined names they are. A user's template with such near misses is generated and
recalculated by LibreOffice: every named output equals costlib's own (cached) value.
"""

from pathlib import Path

import pytest
from openpyxl import load_workbook

from costlib import cli
from costlib.workbook.recalc import recalculated_values

pytestmark = pytest.mark.slow  # LibreOffice

PLAN = (Path(__file__).parent / "data" / "my-serving-plan.toml").read_text(encoding="utf-8")
NEAR_MISSES = {  # a name of the user's template -> a legal name that looks like a cell, a function or a boolean
    "breakeven_m_tokens": "tier2",  # four letters and a digit: beyond any column (XFD has three)
    "own_cost_per_m_tokens": "r1c1_rate",
    "total_api_cost": "sum_of_costs",
    "total_own_cost": "TRUE_cost",
}


def test_near_miss_names_recalculate_to_the_librarys_values(tmp_path):
    text = PLAN
    for old, new in NEAR_MISSES.items():
        text = text.replace(old, new)
    template = tmp_path / "near.toml"
    template.write_text(text, encoding="utf-8")
    out = tmp_path / "near.xlsx"
    assert cli.main(["generate", str(template), "-o", str(out)]) == 0
    cached, recalculated = load_workbook(out, data_only=True), recalculated_values(out, tmp_path / "recalc")
    for name in NEAR_MISSES.values():
        sheet, ref = list(cached.defined_names[name].destinations)[0]
        want = cached[sheet][ref.replace("$", "")].value
        got = recalculated[sheet][ref.replace("$", "")].value
        assert isinstance(want, float) and got == pytest.approx(want, rel=1e-9), (name, want, got)
