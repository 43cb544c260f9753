"""costlib.workbook.variance: the variance workbook as written (cached values, names, the dialect).

tests/test_actuals.py reads and bridges the bills; tests/test_actuals_recalc.py recalculates
this workbook in LibreOffice and Gnumeric.
"""

from __future__ import annotations

import pytest
from test_actuals import API_BUDGET, CACHING_A, DRAWDOWN, MULTI_MODEL, PER_TOKEN

from costlib.actuals import actuals


class TestVarianceWorkbook:
    """The workbook as written (cached values); tests/test_actuals_recalc.py recalculates it in two engines."""

    def test_names_and_cached_totals(self, tmp_path):
        from openpyxl import load_workbook

        from costlib.workbook.variance import NAMES, write_variance

        a = actuals([MULTI_MODEL, DRAWDOWN], "budget", API_BUDGET)
        assert write_variance(a, tmp_path / "v.xlsx") == "written"
        wb = load_workbook(tmp_path / "v.xlsx", data_only=True)
        assert wb.sheetnames[0] == "Summary"
        assert set(NAMES) <= set(wb.defined_names)

        def named(name):
            (sheet, ref), = list(wb.defined_names[name].destinations)
            return wb[sheet][ref.replace("$", "")].value

        assert named("actual_billed_total") == pytest.approx(500_104.50)  # 104.50 + 500,000.00 purchase + 0 + 0
        assert named("actual_effective_total") == pytest.approx(154.50)  # 104.50 + 20.00 + 30.00
        assert named("actual_list_total") == pytest.approx(500_167.00)  # 104.50 + 500,000 + 25.00 + 37.50
        assert named("checks_ok") is True
        drawn = [r for r in wb["Summary"].iter_rows(values_only=True) if r[0] and "drawn from commitments" in r[0]]
        assert drawn[0][1] == pytest.approx(50.00)  # the drawdown's usage: 20.00 + 30.00 effective
        formulas = load_workbook(tmp_path / "v.xlsx")
        assert str(formulas["Variance"]["C7"].value).startswith("=")  # live: variance = actual - budget

    def test_same_bills_same_bytes(self, tmp_path):
        from costlib.workbook import is_unedited
        from costlib.workbook.variance import variance_bytes, write_variance

        a = actuals(CACHING_A, "budget", {"start_date": "2025-01", "months": 12})
        assert variance_bytes(a) == variance_bytes(actuals(CACHING_A, "budget", {"start_date": "2025-01",
                                                                                 "months": 12}))
        write_variance(a, tmp_path / "v.xlsx")
        assert is_unedited(tmp_path / "v.xlsx")  # a later close may replace it without --force

    def test_refuses_to_replace_an_edited_file(self, tmp_path):
        from costlib.workbook.files import FileExistsCostlibError
        from costlib.workbook.variance import write_variance

        (tmp_path / "v.xlsx").write_bytes(b"a user's own file")
        with pytest.raises(FileExistsCostlibError):
            write_variance(actuals(PER_TOKEN, "budget", {"start_date": "2025-01"}), tmp_path / "v.xlsx")
        assert (tmp_path / "v.xlsx").read_bytes() == b"a user's own file"

    def test_portable_formulas_only(self, tmp_path):
        """The variance workbook keeps to the one portable dialect of the budget workbooks."""
        import re

        from openpyxl import load_workbook
        from test_portable_dialect import FORBIDDEN, PORTABLE

        from costlib.workbook.variance import write_variance

        write_variance(actuals([MULTI_MODEL, DRAWDOWN], "budget", API_BUDGET), tmp_path / "v.xlsx")
        wb = load_workbook(tmp_path / "v.xlsx")
        formulas = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
                    if isinstance(c.value, str) and c.value.startswith("=")]
        assert len(formulas) > 300
        used = {f for text in formulas for f in re.findall(r"([A-Z][A-Z0-9.]*)\(", text)}
        assert used <= set(PORTABLE), used - set(PORTABLE)
        for pattern, why in FORBIDDEN.items():
            assert not [f for f in formulas if re.search(pattern, f.split('"')[0])], why
