"""scan, freeze and inline on workbooks Excel itself saved (tests/data/xlsx_corpus, from XlsxWriter).

Each file goes through ``scan`` with no error, and through ``freeze`` and ``inline`` byte
for byte (it holds no costlib call). Then the same file with costlib calls injected into
its first worksheet, one in each stored form, comes out with every call found, frozen to
costlib's value, and every other part (and every other byte of that sheet) unchanged.
"""

import zipfile
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
