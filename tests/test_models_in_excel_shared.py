"""scan, freeze and inline on shared formulas (a formula filled down or across in Excel).

Excel stores a filled range as one shared formula: the first cell holds
``<f t="shared" ref="C2:C5" si="0">TRAIN_COST(A2,B2,2)</f>`` and each other cell only
``<f t="shared" si="0"/>`` beside its value; a follower's formula is the master's with its
relative references moved by the follower's offset. The model here is written part by
part as Excel writes it (no library in between), with costlib groups (relative
references, ``$`` parts, a quoted sheet name and a text that looks like a reference), a
group whose members end up split by inline, a shared group of a native formula that must
come out byte for byte, and a data table (What-If analysis) fed by a costlib cell.
"""

import re
import zipfile
from pathlib import Path

import pytest

import costlib
from costlib import models_in_excel as mx

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")

PARAMS = [70e9, 8e9, 1e9, 405e9]           # Model!A2:A5
TOKENS = [15e12, 2e12, 0.5e12, 15.6e12]    # Model!B2:B5
MFU = {"D": 0.4, "E": 0.5}                 # Model!D1:E1
PRICE = 2.0                                # Model!H1
Q1 = [7e9, 13e9]                           # 'Q1 A2'!A2:A3
GPU = {2: 989.4, 3: "A100"}                # Model!L2:L3: a number, then a name
TABLE_INPUTS = [0.3, 0.6]                  # Model!I3:I4, the data table's column input values for H2


def _expected() -> dict[str, tuple[str, float]]:
    """Each costlib cell: (its formula as Excel shows it, what costlib gives)."""
    out = {}
    for i, (p, t) in enumerate(zip(PARAMS, TOKENS), start=2):
        out[f"C{i}"] = (f"TRAIN_COST(A{i},B{i},2)", costlib.train_cost(p, t, 2))
    for i in (2, 3):
        for col in "DE":
            out[f"{col}{i}"] = (f'_xludf.TRAIN_COST($A{i},$B{i},$H$1,"A100",{col}$1)',
                                costlib.train_cost(PARAMS[i - 2], TOKENS[i - 2], PRICE, gpu="A100", mfu=MFU[col]))
        out[f"F{i}"] = (f"TRAIN_COST('Q1 A2'!A{i},B{i},2,\"A100\")",
                        costlib.train_cost(Q1[i - 2], TOKENS[i - 2], 2, gpu="A100"))
        out[f"K{i}"] = (f"TRAIN_COST(A{i},B{i},2,L{i})", costlib.train_cost(PARAMS[i - 2], TOKENS[i - 2], 2, gpu=GPU[i]))
    out["J2"] = ('TRAIN_COST(A2,B2,2,"H100",H2)', costlib.train_cost(PARAMS[0], TOKENS[0], 2, "H100", 0.4))
    return out


EXPECTED = _expected()
#: the native shared group G2:G5 and what it stores
NATIVE = {f"G{i}": p * t / sum(PARAMS) for i, (p, t) in enumerate(zip(PARAMS, TOKENS), start=2)}
MASTERS = {"C2": ("C2:C5", "0"), "D2": ("D2:E3", "1"), "F2": ("F2:F3", "2"), "G2": ("G2:G5", "3"), "K2": ("K2:K3", "4")}
STRINGS = ["params", "tokens", "A100", "mfu", "price"]


def _v(x: float) -> str:
    return repr(float(x)).replace("e+", "E+").replace("e-", "E-")


def _sheet1() -> str:
    cells: dict[int, list[str]] = {r: [] for r in range(1, 6)}

    def s(ref, text):
        cells[int(ref[1:])].append(f'<c r="{ref}" t="s"><v>{STRINGS.index(text)}</v></c>')

    def n(ref, x):
        cells[int(ref[1:])].append(f'<c r="{ref}"><v>{_v(x)}</v></c>')

    s("A1", "params"), s("B1", "tokens"), n("D1", MFU["D"]), n("E1", MFU["E"]), n("H1", PRICE)
    for i, (p, t) in enumerate(zip(PARAMS, TOKENS), start=2):
        n(f"A{i}", p), n(f"B{i}", t)
    n("H2", 0.4)
    for i, gpu in GPU.items():
        (s if isinstance(gpu, str) else n)(f"L{i}", gpu)
    for ref, x in zip(("I3", "I4"), TABLE_INPUTS):
        n(ref, x)
    formula = {}
    for ref, (text, value) in EXPECTED.items():
        formula[ref] = value
    for ref, value in NATIVE.items():
        formula[ref] = value
    formula["J3"] = costlib.train_cost(PARAMS[0], TOKENS[0], 2, "H100", TABLE_INPUTS[0])
    formula["J4"] = costlib.train_cost(PARAMS[0], TOKENS[0], 2, "H100", TABLE_INPUTS[1])
    texts = {ref: text for ref, (text, _) in EXPECTED.items()}
    texts["G2"] = "A2*B2/SUM(A:A)"
    for ref, value in formula.items():
        if ref in MASTERS:
            span, si = MASTERS[ref]
            f = f'<f t="shared" ref="{span}" si="{si}">{texts[ref].replace("&", "&amp;")}</f>'
        elif ref == "J2":
            f = f"<f>{texts[ref]}</f>"
        elif ref == "J3":
            f = '<f t="dataTable" ref="J3:J4" dt2D="0" dtr="0" r1="H2"/>'
        elif ref == "J4":
            f = ""
        else:
            si = next(si for m, (span, si) in MASTERS.items() if m[0] == ref[0] or (m == "D2" and ref[0] == "E"))
            f = f'<f t="shared" si="{si}"/>'
        cells[int(ref[1:])].append(f'<c r="{ref}" s="1">{f}<v>{_v(value)}</v></c>')
    order = lambda c: mx._split(re.search(r'r="([A-Z]+\d+)"', c)[1])[::-1]
    rows = "".join(f'<row r="{r}" spans="1:12">' + "".join(sorted(cs, key=order)) + "</row>" for r, cs in cells.items())
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:L5"/><sheetViews>'
            '<sheetView tabSelected="1" workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<sheetData>{rows}</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
            'header="0.3" footer="0.3"/></worksheet>')


def _sheet2() -> str:
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + "".join(
        f'<row r="{i}"><c r="A{i}"><v>{_v(x)}</v></c></row>' for i, x in enumerate(Q1, start=2))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:A3"/><sheetData>{rows}</sheetData>'
            '</worksheet>')


def build_model(path: Path) -> Path:
    ct = "application/vnd.openxmlformats-officedocument"
    chain = "".join(f'<c r="{ref}" i="1"/>' for ref in [*EXPECTED, *NATIVE])
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.spreadsheetml.worksheet+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{ct}.spreadsheetml.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{ct}.spreadsheetml.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.spreadsheetml.sharedStrings+xml"/>'
            f'<Override PartName="/xl/calcChain.xml" ContentType="{ct}.spreadsheetml.calcChain+xml"/>'
            f'<Override PartName="/docProps/custom.xml" ContentType="{ct}.custom-properties+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/custom-properties" Target="docProps/custom.xml"/></Relationships>'),
        "docProps/custom.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="owner">'
            '<vt:lpwstr>finance</vt:lpwstr></property></Properties>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView/></bookViews><sheets>'
            '<sheet name="Model" sheetId="1" r:id="rId1"/><sheet name="Q1 A2" sheetId="2" r:id="rId2"/></sheets>'
            '<definedNames><definedName name="price">Model!$H$1</definedName></definedNames>'
            '<calcPr calcId="191029"/></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId4" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId5" Type="{REL}/calcChain" Target="calcChain.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": _sheet1(),
        "xl/worksheets/sheet2.xml": _sheet2(),
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<sst xmlns="{MAIN}" count="{len(STRINGS)}" uniqueCount="{len(STRINGS)}">'
            + "".join(f"<si><t>{t}</t></si>" for t in STRINGS) + "</sst>"),
        "xl/calcChain.xml": ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                             f'<calcChain xmlns="{MAIN}">{chain}</calcChain>'),
        "xl/media/image1.png": PNG,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def parts(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def cell_xml(xml: bytes, ref: str) -> str:
    return re.search(rf'<c r="{ref}"(?:[^>]*?/>|[^>]*>.*?</c>)', xml.decode("utf-8"))[0]


@pytest.fixture
def model(tmp_path):
    return build_model(tmp_path / "shared.xlsx")


MAY_CHANGE = {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}


def native(formula: str) -> str:
    """A call's native formula on its own (its text is pinned in test_models_in_excel.py)."""
    return mx.inline_formula(formula)[0]


def assert_other_parts_unchanged(before, after, dropped=()):
    assert set(after) == (set(before) - set(dropped)) | {"xl/worksheets/costlib_frozen1.xml"}
    for name in before:
        if name not in MAY_CHANGE and name not in dropped:
            assert after[name] == before[name], name  # byte for byte
    for ref in [*NATIVE, "J3", "J4", "A2", "H1", "L3"]:  # the native group, the data table, inputs
        assert cell_xml(after["xl/worksheets/sheet1.xml"], ref) == cell_xml(before["xl/worksheets/sheet1.xml"], ref)


@pytest.mark.parametrize(("formula", "rows", "cols", "shifted"), [
    ("TRAIN_COST(A2,B2,2)", 3, 0, "TRAIN_COST(A5,B5,2)"),
    ('_xludf.TRAIN_COST($A2,$B2,$H$1,"A100",D$1)', 1, 1, '_xludf.TRAIN_COST($A3,$B3,$H$1,"A100",E$1)'),
    ("TRAIN_COST('Q1 A2'!A2,B2,2,\"A100\")", 1, 0, "TRAIN_COST('Q1 A2'!A3,B3,2,\"A100\")"),
    ("SUM(A2:A10)+SUM($A2:B$10)+SUM(A:A)+SUM($B:C)+SUM(2:2)+SUM($3:4)", 2, 1,
     "SUM(B4:B12)+SUM($A4:C$10)+SUM(B:B)+SUM($B:D)+SUM(4:4)+SUM($3:6)"),
    ("LOG10(A1)*1E6+Sheet2!C3+.5+price+Table1[Col]+[1]Other!A1+#N/A", 1, 1,
     "LOG10(B2)*1E6+Sheet2!D4+.5+price+Table1[Col]+[1]Other!B2+#N/A"),
    ("IF(A1=\"B2\",'It''s A1'!B2,A1:A3)", 1, 0, "IF(A2=\"B2\",'It''s A1'!B3,A2:A4)"),
    ("A1+B$1+A1:B2", -1, 0, "#REF!+B$1+#REF!"),
    ("XFD1+A1048576", 1, 1, "#REF!+#REF!"),
])
def test_shift_moves_relative_references_only(formula, rows, cols, shifted):
    assert mx._shift(formula, rows, cols) == shifted


def test_scan_derives_each_followers_formula_and_value(model):
    from openpyxl import load_workbook

    calls = {c.cell: c for c in mx.scan(model)}
    assert set(calls) == set(EXPECTED)  # not the native group G2:G5, not the data table J3:J4
    for ref, (formula, value) in EXPECTED.items():
        call = calls[ref]
        assert call.formula == formula, ref
        assert call.stored == pytest.approx(value, rel=1e-15), ref
        assert call.computed == pytest.approx(value, rel=1e-12), ref
        assert call.stale is False, ref
    assert {ref: calls[ref].shared for ref in ("C2", "C5", "E3", "F3", "K3", "J2")} == {
        "C2": "C2", "C5": "C2", "E3": "D2", "F3": "F2", "K3": "K2", "J2": None}
    # openpyxl's own translation of the followers agrees
    ws = load_workbook(model)["Model"]
    for ref, call in calls.items():
        assert ws[ref].value == "=" + call.formula, ref


def test_scan_finds_a_stale_follower(tmp_path, model):
    out = tmp_path / "stale.xlsx"
    mx.store_values(model, out, {("Model", "C4"): 1.0})
    assert cell_xml(parts(out)["xl/worksheets/sheet1.xml"], "C4") == '<c r="C4" s="1"><f t="shared" si="0"/><v>1</v></c>'
    stale = {c.cell: c.stale for c in mx.scan(out)}
    assert stale["C4"] is True and stale["C3"] is False and stale["C2"] is False


def test_freeze_stores_every_members_value_and_leaves_the_rest(tmp_path, model):
    from openpyxl import load_workbook

    out = tmp_path / "frozen.xlsx"
    done = {c.cell: note for c, note in mx.freeze(model, out)}
    assert set(done) == set(EXPECTED)
    assert done["C2"] == "frozen: its value (the file's and costlib's agree)"
    assert done["C3"] == "frozen: its value (the file's and costlib's agree); it followed the shared formula of C2"
    assert "feeds the data table J3:J4" in done["J2"]
    before, after = parts(model), parts(out)
    assert_other_parts_unchanged(before, after, dropped={"xl/calcChain.xml"})
    sheet = after["xl/worksheets/sheet1.xml"].decode("utf-8")
    assert re.findall(r'<f t="shared" ref=[^>]*>', sheet) == ['<f t="shared" ref="G2:G5" si="3">']
    assert cell_xml(after["xl/worksheets/sheet1.xml"], "C3") == f'<c r="C3" s="1"><v>{_v(EXPECTED["C3"][1])}</v></c>'
    wb = load_workbook(out)
    ws = wb["Model"]
    for ref, (_, value) in EXPECTED.items():
        assert ws[ref].data_type == "n" and ws[ref].value == pytest.approx(value, rel=1e-15), ref
    for ref in NATIVE:
        assert ws[ref].value == mx._shift("=A2*B2/SUM(A:A)", int(ref[1:]) - 2, 0), ref
    listed = {(row[1].value): row[2].value for row in wb[mx.LIST_SHEET].iter_rows(min_row=2)}
    assert listed == {ref: "=" + formula for ref, (formula, _) in EXPECTED.items()}


def test_inline_keeps_a_group_whole_or_writes_it_out_cell_by_cell(tmp_path, model):
    from openpyxl import load_workbook

    out = tmp_path / "inlined.xlsx"
    done = {c.cell: note for c, note in mx.inline(model, out)}
    before, after = parts(model), parts(out)
    assert_other_parts_unchanged(before, after, dropped={"xl/calcChain.xml"})  # K3 is frozen
    old, new = before["xl/worksheets/sheet1.xml"], after["xl/worksheets/sheet1.xml"]
    # C2:C5, D2:E3 and F2:F3 stay shared groups: the master's formula is native, the followers untouched
    assert cell_xml(new, "C2") == ('<c r="C2" s="1"><f t="shared" ref="C2:C5" si="0">'
                                   + native("TRAIN_COST(A2,B2,2)").replace("<", "&lt;") + '</f>'
                                   f'<v>{_v(EXPECTED["C2"][1])}</v></c>')
    for ref in ("C3", "C4", "C5", "D3", "E2", "E3", "F3"):
        assert cell_xml(new, ref) == cell_xml(old, ref), ref
        assert "kept as one shared formula with" in done[ref]
    assert cell_xml(new, "D2").startswith('<c r="D2" s="1"><f t="shared" ref="D2:E3" si="1">IF(NOT(ISNUMBER($A2))+ISLOGICAL($A2)')
    assert "6 * $A2 * $B2 / (312 * 1E12 * IF(D$1=\"\",0.4,D$1)) / 3600 * $H$1" in cell_xml(new, "D2")
    assert cell_xml(new, "F2").startswith('<c r="F2" s="1"><f t="shared" ref="F2:F3" si="2">IF(NOT(ISNUMBER(\'Q1 A2\'!A2))+ISLOGICAL(\'Q1 A2\'!A2)')
    # K2:K3: K3's gpu cell holds a name, so K3 is frozen and K2 gets its own formula
    assert cell_xml(new, "K2") == (f'<c r="K2" s="1"><f>{native("TRAIN_COST(A2,B2,2,L2)").replace("<", "&lt;")}</f>'
                                   f'<v>{_v(EXPECTED["K2"][1])}</v></c>')
    assert cell_xml(new, "K3") == f'<c r="K3" s="1"><v>{_v(EXPECTED["K3"][1])}</v></c>'
    assert "written out in this cell" in done["K2"] and done["K3"].startswith("frozen: gpu L3 holds a catalogue name")
    assert re.findall(r'<f t="shared" ref=[^>]*>', new.decode("utf-8")) == [
        '<f t="shared" ref="C2:C5" si="0">', '<f t="shared" ref="D2:E3" si="1">',
        '<f t="shared" ref="F2:F3" si="2">', '<f t="shared" ref="G2:G5" si="3">']
    ws = load_workbook(out)["Model"]
    # a follower's formula is the master's moved (Excel's rule), and is what inlining its own call gives
    assert ws["C5"].value == "=" + native("TRAIN_COST(A5,B5,2)") == "=" + mx._shift(native("TRAIN_COST(A2,B2,2)"), 3, 0)
    assert ws["E3"].value == "=" + native('TRAIN_COST($A3,$B3,$H$1,"A100",E$1)')
    assert ws["F3"].value == "=" + native("TRAIN_COST('Q1 A2'!A3,B3,2,\"A100\")")
    assert "6 * $A3 * $B3 / (312 * 1E12 * IF(E$1=\"\",0.4,E$1)) / 3600 * $H$1" in ws["E3"].value
    for ref, note in done.items():
        if ref != "K3":
            assert ws[ref].value == note.split("; ")[0].removeprefix("inlined: "), ref


@pytest.mark.slow
def test_inlined_shared_groups_recalculate_to_costlib_values(tmp_path, model):
    from costlib.workbook import recalc

    out = tmp_path / "inlined.xlsx"
    mx.inline(model, out)
    ws = recalc.recalculated_values(out, tmp_path / "lo")["Model"]
    for ref, (_, value) in EXPECTED.items():
        assert ws[ref].value == pytest.approx(value, rel=1e-9), ref
    for ref, value in NATIVE.items():
        assert ws[ref].value == pytest.approx(value, rel=1e-9), ref
    for ref, mfu in zip(("J3", "J4"), TABLE_INPUTS):  # the data table, left alone, follows the inlined J2
        assert ws[ref].value == pytest.approx(costlib.train_cost(PARAMS[0], TOKENS[0], 2, "H100", mfu), rel=1e-9)


@pytest.mark.slow
def test_a_frozen_cell_feeding_a_data_table_makes_the_table_constant_as_its_note_says(tmp_path, model):
    from costlib.workbook import recalc

    out = tmp_path / "frozen.xlsx"
    assert "no longer follows its input" in {c.cell: n for c, n in mx.freeze(model, out)}["J2"]
    ws = recalc.recalculated_values(out, tmp_path / "lo")["Model"]
    assert ws["J3"].value == ws["J4"].value == pytest.approx(EXPECTED["J2"][1], rel=1e-9)
