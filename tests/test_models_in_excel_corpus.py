"""scan, freeze and inline on workbooks Excel itself saved (tests/data/xlsx_corpus, from XlsxWriter).

Each file goes through ``scan`` with no error, and through ``freeze`` and ``inline`` byte
for byte (it holds no costlib call). Then the same file with costlib calls injected into
its first worksheet, one in each stored form, comes out with every call found, frozen to
costlib's value, and every other part (and every other byte of that sheet) unchanged.
"""

import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import costlib
from costlib import models_in_excel as mx
from costlib.models_in_excel.ooxml import Package

CORPUS = Path(__file__).parent / "data" / "xlsx_corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xlsm"))
ROW = 1048570  # below anything the corpus uses: rows stay in order

#: One call per stored form (tests/test_models_in_excel_forms.py says where each comes from).
FORMS = {"D": "TRAIN_COST(A{r},B{r},C{r})", "E": "_xludf.TRAIN_COST(A{r},B{r},C{r})",
         "F": "[1]!TRAIN_COST(A{r},B{r},C{r})", "G": "_xldudf_XLWINGS_TRAIN_COST(A{r},B{r},C{r})",
         "H": "XLWINGS.TRAIN_COST(A{r},B{r},C{r})", "I": "TRAIN_COST(A{r},B{r},C{r})/1E6"}
TRAIN = costlib.train_cost(70e9, 15e12, 2)  # USD: 70B parameters, 15T tokens, $2/GPU-h, H100 at 40 % MFU [WaferZero2026]


def parts(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def test_the_corpus_is_there():
    assert len(FILES) >= 25 and (CORPUS / "LICENSE.txt").exists()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_file_without_costlib_calls_passes_through_byte_for_byte(tmp_path, path):
    assert list(mx.scan(path)) == []
    for action in (mx.freeze, mx.inline):
        out = tmp_path / f"{action.__name__}{path.suffix}"
        assert list(action(path, out)) == []
        assert out.read_bytes() == path.read_bytes()


def _row(prefix: str) -> str:
    p, r = prefix, ROW
    cells = [f'<{p}c r="A{r}"><{p}v>70000000000</{p}v></{p}c>', f'<{p}c r="B{r}"><{p}v>15000000000000</{p}v></{p}c>',
             f'<{p}c r="C{r}"><{p}v>2</{p}v></{p}c>']
    cells += [f'<{p}c r="{col}{r}"><{p}f>{f.format(r=r)}</{p}f><{p}v>0</{p}v></{p}c>' for col, f in FORMS.items()]
    return f'<{p}row r="{r}">{"".join(cells)}</{p}row>'


def inject(path: Path, out: Path) -> tuple[str, str, bytes]:
    """``path`` with a row of costlib calls at the end of its first worksheet: (sheet, part, that row)."""
    package = Package(path)
    try:
        name, part = package.structure().sheets[0]
    finally:
        package.close()
    members = parts(path)
    xml = members[part].decode("utf-8")
    prefix = "x:" if "<x:sheetData" in xml else ""
    row = _row(prefix)
    if f"<{prefix}sheetData/>" in xml:
        xml = xml.replace(f"<{prefix}sheetData/>", f"<{prefix}sheetData>{row}</{prefix}sheetData>")
    else:
        xml = xml.replace(f"</{prefix}sheetData>", f"{row}</{prefix}sheetData>")
    members[part] = xml.encode("utf-8")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            z.writestr(info, members[info.filename])
    return name, part, row.encode("utf-8")


#: Parts freeze and inline may change: the sheet with the calls, and what the list sheet needs.
MAY_CHANGE = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_injected_calls_in_every_stored_form_are_found_and_nothing_else_changes(tmp_path, path):
    model = tmp_path / ("injected" + path.suffix)
    sheet, part, row = inject(path, model)
    calls = {c.cell: c for c in mx.scan(model)}
    assert set(calls) == {f"{col}{ROW}" for col in FORMS}
    assert {calls[f"{col}{ROW}"].stored_as for col in "DEFGH"} == {
        "plain", "_xludf", "external [1]", "_xldudf XLWINGS", "namespace XLWINGS"}
    for col in "DEFGH":
        assert calls[f"{col}{ROW}"].computed == pytest.approx(TRAIN, rel=1e-12) and calls[f"{col}{ROW}"].stale
    before = parts(model)
    for action in (mx.freeze, mx.inline):
        out = tmp_path / f"{action.__name__}{path.suffix}"
        done = action(model, out)
        assert len(done) == len(FORMS) and not done.left
        after = parts(out)
        dropped = {"xl/calcChain.xml"} if action is mx.freeze else set()
        added = set(after) - set(before)
        assert len(added) == 1 and added.pop().startswith("xl/worksheets/costlib_frozen")
        for name in before:
            if name in dropped and name not in after:
                continue
            if name not in MAY_CHANGE and name != part:
                assert after[name] == before[name], name  # byte for byte
        head, _, tail = before[part].partition(row)  # every byte of the sheet but the injected row
        assert after[part].startswith(head) and after[part].endswith(tail)
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / f"freeze{path.suffix}", keep_vba=path.suffix == ".xlsm")[sheet]
    for col in "DEFGH":
        assert ws[f"{col}{ROW}"].value == pytest.approx(TRAIN, rel=1e-15)
    assert ws[f"I{ROW}"].value == f"={TRAIN!r}/1E6"


# ---------------------------------------------------------------------------- the parts the list sheet edits
#
# freeze adds its list sheet to three parts (the workbook, its relationships, the content
# types), asks for recalculation on opening (calcPr) and drops the calculation chain. Each
# edit is made where the parser says, so the part comes out as the input with exactly these
# bytes added or removed; the inputs are Excel-saved files of the corpus rewritten the way
# other writers and later Excel versions write them.

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK, RELS, TYPES = "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"
NEW_RELATIONSHIP = (f'<Relationship Id="rIdCostlib1" Type="{REL}/worksheet" '
                    'Target="/xl/worksheets/costlib_frozen1.xml"/>').encode()
NEW_OVERRIDE = (b'<Override PartName="/xl/worksheets/costlib_frozen1.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
CALC_CHAIN_OVERRIDE = (b'<Override PartName="/xl/calcChain.xml" '
                       b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>')


def new_sheet(sheet_id: int, prefix: str = "") -> bytes:
    return f'<{prefix}sheet name="costlib frozen" sheetId="{sheet_id}" r:id="rIdCostlib1"/>'.encode()


def variant(path: Path, tmp_path: Path, edits: dict) -> tuple[Path, dict[str, bytes]]:
    """``path`` with a row of costlib calls injected, then each part of ``edits`` rewritten by its function."""
    model = tmp_path / ("injected" + path.suffix)
    inject(path, model)
    members = parts(model)
    for part, edit in edits.items():
        members[part] = edit(members[part])
        ET.fromstring(members[part])  # the variant is well-formed XML
    out = tmp_path / ("variant" + path.suffix)
    with zipfile.ZipFile(model) as src, zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            z.writestr(info, members[info.filename])
    return out, members


def frozen(model: Path, tmp_path: Path) -> dict[str, bytes]:
    """The parts of ``model`` frozen; each edited part parses and holds the list sheet's entry once."""
    out = tmp_path / ("frozen" + model.suffix)
    mx.freeze(model, out)
    after = parts(out)
    for part in MAY_CHANGE:
        ET.fromstring(after[part])
    assert after[WORKBOOK].count(b'"costlib frozen"') == 1
    assert after[RELS].count(b"rIdCostlib1") == 1 and after[TYPES].count(b"costlib_frozen1.xml") == 1
    assert after[WORKBOOK].count(b"fullCalcOnLoad") == 1
    from openpyxl import load_workbook

    assert load_workbook(out).sheetnames[-1] == "costlib frozen"  # another reader opens the package
    return after


def _prefixed(xml: bytes) -> bytes:
    """A workbook part (XlsxWriter's: no comments, no text) with its main namespace under the prefix x:."""
    head, _, body = xml.partition(b"?>")
    body = body.replace(b"<", b"<x:").replace(b"<x:/", b"</x:").replace(b'xmlns="', b'xmlns:x="')
    return head + b"?>" + body


def test_a_workbook_part_with_a_prefixed_main_namespace(tmp_path):
    model, before = variant(CORPUS / "types06.xlsx", tmp_path, {WORKBOOK: _prefixed})
    assert ET.fromstring(before[WORKBOOK]).tag == f"{{{MAIN}}}workbook" and b"<x:sheets>" in before[WORKBOOK]
    after = frozen(model, tmp_path)
    assert after[WORKBOOK] == (before[WORKBOOK]
                               .replace(b"</x:sheets>", new_sheet(2, "x:") + b"</x:sheets>")
                               .replace(b'<x:calcPr calcId="124519"/>', b'<x:calcPr calcId="124519" fullCalcOnLoad="1"/>'))
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "frozen.xlsx").sheetnames == ["Sheet1", "costlib frozen"]  # under x: too


EXT_LST = (b'<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDB9D}" '  # as Excel 2013 and later end a workbook part
           b'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
           b'<x15:workbookPr chartTrackingRefBase="1"/></ext></extLst>')


@pytest.mark.parametrize(("name", "calc", "wanted"), [
    ("off, single-quoted", b"<calcPr fullCalcOnLoad='0' calcId=\"124519\"/>",
     b"<calcPr fullCalcOnLoad='1' calcId=\"124519\"/>"),                         # its value, within its own quotes
    ("false, with an end tag", b'<calcPr calcId="124519" fullCalcOnLoad="false" ></calcPr>',
     b'<calcPr calcId="124519" fullCalcOnLoad="1" ></calcPr>'),
    ("none", b"", b'<calcPr fullCalcOnLoad="1"/>'),                             # the last child of <workbook>
    ("none, before extLst", EXT_LST, b'<calcPr fullCalcOnLoad="1"/>' + EXT_LST),  # ECMA-376 Part 1 §18.2.27's order
])
def test_calc_pr_asks_for_recalculation_on_opening_whatever_it_held(tmp_path, name, calc, wanted):
    model, before = variant(CORPUS / "types06.xlsx", tmp_path,
                            {WORKBOOK: lambda xml: xml.replace(b'<calcPr calcId="124519"/>', calc)})
    after = frozen(model, tmp_path)
    assert after[WORKBOOK] == before[WORKBOOK].replace(b"</sheets>", new_sheet(2) + b"</sheets>").replace(
        calc + b"</workbook>", wanted + b"</workbook>")


def test_calc_pr_already_asking_for_recalculation_is_kept_as_it_is(tmp_path):
    model, before = variant(CORPUS / "dynamic_array01.xlsx", tmp_path, {})  # Excel saved it with fullCalcOnLoad="1"
    assert b'<calcPr calcId="124519" fullCalcOnLoad="1"/>' in before[WORKBOOK]
    after = frozen(model, tmp_path)
    assert after[WORKBOOK] == before[WORKBOOK].replace(b"</sheets>", new_sheet(2) + b"</sheets>")


def _single_quoted(xml: bytes) -> bytes:
    head, _, body = xml.partition(b"?>")
    return head + b"?>" + body.replace(b'"', b"'")


LINK = (f"<Relationship Id='rIdLink' Type='{REL}/hyperlink' Target='https://example.com/?q=a>b&amp;c=\"d\"' "
        "TargetMode='External'/>").encode()


def test_relationships_and_content_types_with_single_quotes_and_a_greater_than_sign_in_a_value(tmp_path):
    def rels(xml):
        return _single_quoted(xml).replace(b"</Relationships>", LINK + b"</Relationships>")

    def workbook(xml):  # a sheet name may hold ">" (Excel refuses only : \ / ? * [ ])
        return xml.replace(b'name="Sheet1"', b"name='Costs > 2026'")

    model, before = variant(CORPUS / "types06.xlsx", tmp_path, {RELS: rels, TYPES: _single_quoted, WORKBOOK: workbook})
    chain_id = next(e.get("Id") for e in ET.fromstring(before[RELS]) if e.get("Type") == f"{REL}/calcChain")
    chain = f"<Relationship Id='{chain_id}' Type='{REL}/calcChain' Target='calcChain.xml'/>".encode()
    override = CALC_CHAIN_OVERRIDE.replace(b'"', b"'")
    assert before[RELS].count(chain) == 1 and before[TYPES].count(override) == 1
    after = frozen(model, tmp_path)
    assert "xl/calcChain.xml" not in after
    assert after[RELS] == before[RELS].replace(chain, b"").replace(b"</Relationships>",
                                                                   NEW_RELATIONSHIP + b"</Relationships>")
    assert after[TYPES] == before[TYPES].replace(override, b"").replace(
        b"</Types>", NEW_OVERRIDE + b"</Types>")
    assert after[WORKBOOK] == before[WORKBOOK].replace(b"</sheets>", new_sheet(2) + b"</sheets>").replace(
        b'<calcPr calcId="124519"/>', b'<calcPr calcId="124519" fullCalcOnLoad="1"/>')
    assert [c.sheet for c in mx.scan(model)] == ["Costs > 2026"] * len(FORMS)


def test_sheet_ids_that_are_not_contiguous(tmp_path):
    def workbook(xml):  # Excel keeps a sheet's id when others are deleted or moved: 2, 7, 5 is a valid file
        return (xml.replace(b'sheetId="1"', b'sheetId="2"', 1)
                .replace(b'sheetId="2" r:id="rId2"', b'sheetId="7" r:id="rId2"').replace(b'sheetId="3"', b'sheetId="5"'))

    model, before = variant(CORPUS / "comment04.xlsx", tmp_path, {WORKBOOK: workbook})
    assert [s.get("sheetId") for s in ET.fromstring(before[WORKBOOK]).iter(f"{{{MAIN}}}sheet")] == ["2", "7", "5"]
    after = frozen(model, tmp_path)
    assert after[WORKBOOK] == before[WORKBOOK].replace(b"</sheets>", new_sheet(8) + b"</sheets>").replace(
        b'<calcPr calcId="124519"/>', b'<calcPr calcId="124519" fullCalcOnLoad="1"/>')  # 8: one above the highest


def test_a_relationships_prefix_declared_on_each_sheet_only_is_declared_once_on_the_root(tmp_path):
    def workbook(xml):  # legal XML: each <sheet> binds r: itself, so the new one cannot borrow it
        return xml.replace(f' xmlns:r="{REL}"'.encode(), b"").replace(b'r:id="', f'xmlns:r="{REL}" r:id="'.encode())

    model, before = variant(CORPUS / "types06.xlsx", tmp_path, {WORKBOOK: workbook})
    after = frozen(model, tmp_path)
    root = f'<workbook xmlns="{MAIN}"'.encode()
    assert after[WORKBOOK] == (before[WORKBOOK]
                               .replace(root, root + f' xmlns:r="{REL}"'.encode())
                               .replace(b"</sheets>", new_sheet(2) + b"</sheets>")
                               .replace(b'<calcPr calcId="124519"/>', b'<calcPr calcId="124519" fullCalcOnLoad="1"/>'))
