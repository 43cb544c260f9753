"""costlib.workbook.recalc: a workbook recalculated by LibreOffice and by Gnumeric, and what either says.

Slow (LibreOffice and Gnumeric start): tiny workbooks only; the templates' workbooks are
recalculated in tests/test_workbooks_recalc.py.
"""

import shutil

import pytest
import xlsxwriter
from openpyxl import Workbook, load_workbook

from costlib.errors import CostlibError
from costlib.workbook import recalc

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Workbook contains no default style")]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A workbook whose cached values are wrong on purpose: only a recalculation gives 7 and 12."""
    path = tmp_path_factory.mktemp("tiny") / "tiny.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.write_number("A1", 3)
        ws.write_number("A2", 4)
        ws.write_formula("A3", "=A1+A2", None, 0)  # cached 0; 3 + 4 = 7
        ws.write_formula("A4", "=A1*A2", None, 0)  # cached 0; 3 * 4 = 12
    return path


@pytest.mark.parametrize("engine", recalc.ENGINES)
def test_each_engine_computes_the_formulas(tiny, tmp_path, engine):
    out = recalc.convert([tiny], tmp_path, engine=engine)
    assert out == [tmp_path / "tiny.xlsx"]
    ws = load_workbook(out[0], data_only=True).active
    assert (ws["A3"].value, ws["A4"].value) == (7, 12)  # 3 + 4, 3 * 4


def test_recalculated_values_reads_libreoffices_results(tiny, tmp_path):
    ws = recalculated = recalc.recalculated_values(tiny, tmp_path).active
    assert recalculated is ws and ws["A3"].value == 7  # 3 + 4


def test_an_unknown_engine_is_refused_naming_both():
    with pytest.raises(ValueError, match="engine must be one of libreoffice, gnumeric, got 'excel'"):
        recalc.convert([], ".", engine="excel")


def test_anything_gnumeric_says_while_reading_is_a_complaint(tmp_path):
    # openpyxl writes a <workbookProtection/> element that Gnumeric does not expect, and says so
    path = tmp_path / "odd.xlsx"
    wb = Workbook()
    wb.active["A1"] = "=1+1"
    wb.save(path)
    with pytest.raises(CostlibError, match="Gnumeric on odd.xlsx: Unexpected element 'workbookProtection'"):
        recalc.convert([path], tmp_path / "out", engine="gnumeric")


@pytest.mark.parametrize("find,missing,hint", [
    (recalc.soffice, recalc.LibreOfficeMissing, "libreoffice-calc-nogui"),
    (recalc.ssconvert, recalc.GnumericMissing, "apt-get install gnumeric"),
])
def test_a_missing_engine_says_what_to_install(monkeypatch, find, missing, hint):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(missing, match=hint):
        find()
