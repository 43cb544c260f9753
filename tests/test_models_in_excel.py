"""scan, freeze and inline on models that hold more than costlib cells.

Each model carries a chart, a comment, data validation, a conditional format, a defined
name, custom document properties, an image part and (for .xlsm) a VBA part; every part
that is not a worksheet with costlib cells (or the parts a list sheet needs) must come out
byte for byte. LibreOffice's recalculation of the inlined files: test_models_in_excel_recalc.py.
"""

import zipfile
from pathlib import Path

import pytest

import costlib
from costlib import cli, models_in_excel as mx

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")
VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4  # an OLE header and bytes: copied, never read

#: (cell, formula, what costlib gives): the model's costlib cells
CALLS = {
    "C1": ("=TRAIN_COST(B1, B2, B3)", costlib.train_cost(70e9, 15e12, 2)),
    "C2": ('=TRAIN_COST(B1, B2, B3, "A100", 0.5)', costlib.train_cost(70e9, 15e12, 2, gpu="A100", mfu=0.5)),
    "C3": ("=TOKEN_COST(D1, E1, 0.2)*2", 2 * costlib.token_cost(2.5, 2000, 0.2)),
    "C4": ("=BREAKEVEN(1000, D1, 0.35)", costlib.breakeven(1000, 2.5, 0.35)),
    "C5": ('=GPU_SPEC("H100", "bandwidth")', costlib.gpu_spec("H100", "bandwidth")),
    "C6": ("=PROGRAMME_CAPEX(C1, 1, 0.1, 0.3)", costlib.programme_capex(costlib.train_cost(70e9, 15e12, 2), 1, 0.1, 0.3)),
    "C7": ("=ENERGY_COST(4.4E6, 0.1)", costlib.energy_cost(4.4e6, 0.1)),
}
ARRAY = ("F1:F3", "=TOKEN_COST(D1:D3, E1:E3, 0.6)")


def build_model(path: Path, vba: bool = False) -> Path:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.formula import ArrayFormula

    wb = Workbook()
    ws = wb.active
    ws.title = "Model"
    for cell, value in {"B1": 70e9, "B2": 15e12, "B3": 2, "D1": 2.5, "D2": 2.0, "D3": 3.0,
                        "E1": 2000, "E2": 1000, "E3": 2500}.items():
        ws[cell] = value
    for cell, (formula, _) in CALLS.items():
        ws[cell] = formula
    ws["F1"] = ArrayFormula(ARRAY[0], ARRAY[1])
    ws["A1"] = "params"
    ws["A1"].comment = Comment("70B parameters", "modeller")
    dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1")
    ws.add_data_validation(dv)
    dv.add("G1")
    ws.conditional_formatting.add("C1:C7", CellIsRule(operator="greaterThan", formula=["1000000"],
                                                      fill=PatternFill("solid", fgColor="FFC7CE")))
    wb.defined_names["price_per_gpu_hour"] = DefinedName("price_per_gpu_hour", attr_text="Model!$B$3")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=1, max_row=3))
    ws.add_chart(chart, "H2")
    other = wb.create_sheet("Notes")
    other["A1"] = "nothing costlib here"
    wb.save(path)
    # parts openpyxl does not write: custom properties, an image, a VBA project
    extra = {"docProps/custom.xml": b'<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/custom-properties"/>',
             "xl/media/image1.png": PNG}
    if vba:
        extra["xl/vbaProject.bin"] = VBA
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts.update(extra)
    if vba:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    # the values the add-in computed, as Excel stores them beside each formula
    stored = {("Model", c): v for c, (_, v) in CALLS.items()}
    stored["Model", "F1"] = costlib.token_cost(2.5, 2000, 0.6)
    out = path.with_name("stored-" + path.name)
    mx.store_values(path, out, stored)
    out.replace(path)
    return path


def parts(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


@pytest.fixture(params=["model.xlsx", "model.xlsm"])
def model(tmp_path, request):
    return build_model(tmp_path / request.param, vba=request.param.endswith(".xlsm"))


#: Parts that freeze and inline may change: the sheet with costlib cells, and what adding
#: the list sheet needs (the workbook, its relationships, the content types).
MAY_CHANGE = {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}


def test_scan_lists_every_costlib_cell_with_stored_and_computed_values(model):
    calls = {c.cell: c for c in mx.scan(model)}
    assert set(calls) == set(CALLS) | {"F1"}
    for cell, (formula, value) in CALLS.items():
        assert "=" + calls[cell].formula == formula
        assert calls[cell].stored == pytest.approx(value, rel=1e-15)
    assert calls["C1"].computed == pytest.approx(CALLS["C1"][1], rel=1e-12) and calls["C1"].stale is False
    assert calls["C3"].computed is None and calls["C3"].stale is None  # a call inside a larger formula
    assert "larger formula" in calls["C3"].note
    assert calls["F1"].ref == "F1:F3" and calls["F1"].stale is True  # only F1 of the spill is stored
    assert calls["F1"].computed[2][0] == pytest.approx(costlib.token_cost(3.0, 2500, 0.6))


def test_scan_finds_a_stale_value(tmp_path, model):
    out = tmp_path / ("stale" + model.suffix)
    mx.store_values(model, out, {("Model", "C1"): 1.0})
    assert {c.cell: c.stale for c in mx.scan(out)}["C1"] is True


def test_freeze_holds_values_lists_formulas_and_keeps_every_other_part(tmp_path, model):
    from openpyxl import load_workbook

    out = tmp_path / ("frozen" + model.suffix)
    done = mx.freeze(model, out)
    assert len(done) == len(CALLS) + 1
    before, after = parts(model), parts(out)
    assert set(after) == set(before) | {"xl/worksheets/costlib_frozen1.xml"}
    for name in before:
        if name not in MAY_CHANGE:
            assert after[name] == before[name], name  # byte for byte
    wb = load_workbook(out, keep_vba=model.suffix == ".xlsm")
    ws = wb["Model"]
    for cell, (_, value) in CALLS.items():
        if cell == "C3":  # TOKEN_COST inside a larger formula: the call is its value there, the formula stays
            assert ws[cell].value == f"={costlib.token_cost(2.5, 2000, 0.2)!r}*2"
            continue
        assert ws[cell].data_type == "n" and ws[cell].value == pytest.approx(value, rel=1e-15), cell
    listed = [[c.value for c in row] for row in wb[mx.LIST_SHEET].iter_rows(min_row=2)]
    assert ["Model", "C1", "=TRAIN_COST(B1, B2, B3)", "frozen: its value (the file's and costlib's agree)"] in listed
    assert wb.defined_names["price_per_gpu_hour"].attr_text == "Model!$B$3"


def test_inline_writes_native_formulas_and_freezes_the_rest_with_reasons(tmp_path, model):
    from openpyxl import load_workbook

    out = tmp_path / ("inlined" + model.suffix)
    done = {call.cell: what for call, what in mx.inline(model, out)}
    # each argument checked as the add-in checks it: type first (#VALUE!), then its rule (#NUM!)
    c1 = ("IF(NOT(ISNUMBER(B1))+ISLOGICAL(B1),#VALUE!,IF(NOT(ISNUMBER(B2))+ISLOGICAL(B2),#VALUE!,IF(NOT(ISNUMBER(B3))+ISLOGICAL(B3),#VALUE!,"
          "IF(B1<=0,#NUM!,IF(B2<=0,#NUM!,IF(B3<0,#NUM!,6 * B1 * B2 / (989.4 * 1E12 * 0.4) / 3600 * B3))))))")
    assert done["C1"] == f"inlined: ={c1}; gpu left out: the catalogue figure of H100 (989.4)"
    assert "6 * B1 * B2 / (312 * 1E12 * 0.5) / 3600 * B3" in done["C2"] and 'gpu "A100": the catalogue figure 312' in done["C2"]
    assert done["C3"].startswith("inlined: =(IF(NOT(ISNUMBER(D1))+ISLOGICAL(D1),#VALUE!,") and done["C3"].endswith(
        "1E6 / (E1 * 3600 * 0.2) * D1)))))*2")
    assert done["C4"] == "inlined: =IF(NOT(ISNUMBER(D1))+ISLOGICAL(D1),#VALUE!,IF(D1<0,#NUM!,IF(0.35 >= D1, NA(), 1000 / (D1 - 0.35))))"
    assert done["C5"].startswith("frozen: GPU_SPEC has no native Excel formula")
    assert done["C6"].startswith("frozen: PROGRAMME_CAPEX has no native Excel formula")
    assert done["C7"] == "inlined: =4.4E6 * (700 / 1000) * 1 * 0.1; gpu left out: the catalogue figure of H100 (700)"
    assert done["F1"] == ("inlined: =IF(NOT(ISNUMBER(D1:D3))+ISLOGICAL(D1:D3),#VALUE!,IF(NOT(ISNUMBER(E1:E3))+ISLOGICAL(E1:E3),#VALUE!,IF(D1:D3<0,#NUM!,"
                          "IF(E1:E3<=0,#NUM!,1E6 / (E1:E3 * 3600 * 0.6) * D1:D3))))")
    before, after = parts(model), parts(out)
    for name in before:
        if name not in MAY_CHANGE:
            assert after[name] == before[name], name
    ws = load_workbook(out)["Model"]
    assert ws["C1"].value == "=" + c1
    assert ws["F1"].value.ref == "F1:F3"
    assert ws["C5"].value == pytest.approx(3.35)


def test_never_writes_over_the_input(model):
    with pytest.raises(mx.ModelError, match="must not be the input"):
        mx.freeze(model, model)


def test_inline_formula_of_a_gpu_name_held_in_a_cell_is_refused():
    with pytest.raises(ValueError, match="no Excel twin"):
        mx.inline_formula("WEIGHT_BYTES(B1)")
    assert mx.inline_formula("TOKEN_COST(B2:B9, C2:C9)")[0] == (
        "IF(NOT(ISNUMBER(B2:B9))+ISLOGICAL(B2:B9),#VALUE!,IF(NOT(ISNUMBER(C2:C9))+ISLOGICAL(C2:C9),#VALUE!,"
        "IF(B2:B9<0,#NUM!,IF(C2:C9<=0,#NUM!,1E6 / (C2:C9 * 3600 * 1) * B2:B9))))")


def test_cli_scan_freeze_inline(tmp_path, model, capsys):
    assert cli.main(["scan", str(model)]) == 0
    out = capsys.readouterr().out
    assert "Model!C1\t=TRAIN_COST(B1, B2, B3)" in out and "fresh" in out
    assert cli.main(["freeze", str(model), "-o", str(tmp_path / ("f" + model.suffix))]) == 0
    assert cli.main(["inline", str(model), "-o", str(tmp_path / ("i" + model.suffix))]) == 0
    assert cli.main(["scan", str(tmp_path / "missing.xlsx")]) == 2
