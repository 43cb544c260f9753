"""scan, freeze and inline on every stored form of a costlib call and every valid way to write a sheet.

Models are written part by part (no library in between) the way Excel and other writers
store them: the stored forms of a call from ECMA-376 and real files (``_xludf.``, an
external-book ``[1]!`` with its externalLink part, Office.js ``_xldudf_`` with and without
a namespace), prefixed namespaces, cells without ``r=``, date cells, a UTF-16 part, a cell
inside an XML comment; and the files that must be refused: truncated, encrypted, a zip
bomb, macros into an .xlsx.
"""

import os
import re
import stat
import zipfile
from pathlib import Path

import pytest

import costlib
from costlib import cli, models_in_excel as mx
from costlib.workbook import package

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'

TRAIN = costlib.train_cost(70e9, 15e12, 2)                      # 8,843,743.68 USD: the reference run
TRAIN_A100 = costlib.train_cost(70e9, 15e12, 2, gpu="A100", mfu=0.5)


def sheet_xml(rows: str, prefix: str = "", extra: str = "") -> str:
    """A worksheet part; ``prefix`` "x:" writes every element with a namespace prefix."""
    p = prefix
    ns = f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'
    return f'{DECL}<{p}worksheet {ns} xmlns:r="{REL}"><{p}sheetData>{rows}</{p}sheetData>{extra}</{p}worksheet>'


def inputs_row(prefix: str = "") -> str:
    p = prefix
    return (f'<{p}row r="1"><{p}c r="A1"><{p}v>70000000000</{p}v></{p}c><{p}c r="B1"><{p}v>15000000000000</{p}v>'
            f'</{p}c><{p}c r="C1"><{p}v>2</{p}v></{p}c></{p}row>')


def cell(ref: str, formula: str, value: float | None = None, prefix: str = "", attrs: str = "") -> str:
    p = prefix
    v = "" if value is None else f"<{p}v>{value!r}</{p}v>"
    f = formula.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return f'<{p}c r="{ref}"{attrs}><{p}f>{f}</{p}f>{v}</{p}c>'


def build(path: Path, sheets: dict[str, str | bytes], *, names: dict[str, str] | None = None,
          externals: list[str] | None = None, extra_parts: dict[str, bytes] | None = None,
          workbook_prefix: str = "") -> Path:
    """A package of ``sheets`` (name -> worksheet XML) with defined names and external links."""
    p = workbook_prefix
    ns = f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'
    sheet_entries = "".join(f'<{p}sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheets, 1))
    rels = [f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)]
    types = [f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT}.worksheet+xml"/>'
             for i in range(1, len(sheets) + 1)]
    parts: dict[str, bytes] = {}
    external_refs = ""
    for k, target in enumerate(externals or [], start=1):
        rid = f"rIdX{k}"
        rels.append(f'<Relationship Id="{rid}" Type="{REL}/externalLink" Target="externalLinks/externalLink{k}.xml"/>')
        types.append(f'<Override PartName="/xl/externalLinks/externalLink{k}.xml" ContentType="{CT}.externalLink+xml"/>')
        external_refs += f'<{p}externalReference r:id="{rid}"/>'
        parts[f"xl/externalLinks/externalLink{k}.xml"] = (
            f'{DECL}<externalLink xmlns="{MAIN}" xmlns:r="{REL}"><externalBook r:id="rId1"><definedNames>'
            '<definedName name="TRAIN_COST"/></definedNames></externalBook></externalLink>').encode()
        parts[f"xl/externalLinks/_rels/externalLink{k}.xml.rels"] = (
            f'{DECL}<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/externalLinkPath" '
            f'Target="{target}" TargetMode="External"/></Relationships>').encode()
    defined = "".join(f'<{p}definedName name="{n}">{t}</{p}definedName>' for n, t in (names or {}).items())
    parts["xl/workbook.xml"] = (
        f'{DECL}<{p}workbook {ns} xmlns:r="{REL}"><{p}sheets>{sheet_entries}</{p}sheets>'
        + (f"<{p}externalReferences>{external_refs}</{p}externalReferences>" if external_refs else "")
        + (f"<{p}definedNames>{defined}</{p}definedNames>" if defined else "")
        + f'<{p}calcPr calcId="191029"/></{p}workbook>').encode()
    parts["xl/_rels/workbook.xml.rels"] = f'{DECL}<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'.encode()
    parts["[Content_Types].xml"] = (
        f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>{"".join(types)}</Types>').encode()
    parts["_rels/.rels"] = (f'{DECL}<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode()
    for i, xml in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml if isinstance(xml, bytes) else xml.encode()
    parts.update(extra_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def parts(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def one_call(tmp_path, formula: str, value=TRAIN, **kw) -> Path:
    return build(tmp_path / "m.xlsx", {"Model": sheet_xml(inputs_row() + f'<row r="2">{cell("D2", formula, value)}</row>')},
                 **kw)


# ---------------------------------------------------------------------------- stored forms

@pytest.mark.parametrize(("formula", "stored_as"), [
    ("TRAIN_COST(A1,B1,C1)", "plain"),
    ("_xludf.TRAIN_COST(A1,B1,C1)", "_xludf"),
    ("[1]!TRAIN_COST(A1,B1,C1)", "external [1]"),
    ("_xldudf_TRAIN_COST(A1,B1,C1)", "_xldudf"),
    ("_xldudf_XLWINGS_TRAIN_COST(A1,B1,C1)", "_xldudf XLWINGS"),
    ("_xldudf_xlwings_train_cost(A1,B1,C1)", "_xldudf xlwings"),   # Excel keeps the case the add-in registered
    ("XLWINGS.TRAIN_COST(A1,B1,C1)", "namespace XLWINGS"),
    ("costlib.xlam!TRAIN_COST(A1,B1,C1)", "external costlib.xlam"),
    ("'C:\\Add-ins\\[costlib.xlam]'!TRAIN_COST(A1,B1,C1)", "external 'C:\\Add-ins\\[costlib.xlam]'"),
])
def test_every_stored_form_is_found_evaluated_and_frozen(tmp_path, formula, stored_as):
    model = one_call(tmp_path, formula, value=0.0, externals=["file:///C:/Add-ins/costlib.xlam"])
    (call,) = mx.scan(model)
    assert (call.cell, call.stored_as, call.stored) == ("D2", stored_as, 0.0)
    assert call.computed == pytest.approx(TRAIN, rel=1e-12) and call.stale is True  # the file's 0 is stale
    out = tmp_path / "f.xlsx"
    ((frozen, note),) = mx.freeze(model, out)
    assert frozen.action == "frozen" and "stale" in note
    sheet = parts(out)["xl/worksheets/sheet1.xml"].decode()
    assert re.search(r'<c r="D2"><v>([^<]+)</v></c>', sheet)[1] == repr(TRAIN)  # costlib's value, not the file's 0


@pytest.mark.parametrize(("formula", "n"), [
    ("SUM(TRAIN_COST(A1,B1,C1),1)", 1),                        # nested in another function
    ("TRAIN_COST(A1,B1,C1)/1E6+_xludf.TRAIN_COST(A1,B1,C1)", 2),  # embedded, twice
    ('IF(A1>0,"TRAIN_COST(x)",TRAIN_COST(A1,B1,C1))', 1),      # the name inside text is no call
    ("Table1[[#This Row],[TRAIN_COST(]]+TRAIN_COST(A1,B1,C1)", 1),  # nor inside a structured reference
])
def test_nested_and_embedded_calls_are_found(tmp_path, formula, n):
    (call,) = mx.scan(one_call(tmp_path, formula))
    assert len(call.spans) == n and all(s.name == "TRAIN_COST" for s in call.spans)


def test_an_external_link_is_reported(tmp_path):
    model = one_call(tmp_path, "[1]!TRAIN_COST(A1,B1,C1)", externals=["file:///C:/Add-ins/costlib.xlam"])
    assert mx.scan(model).notices == [
        "external link [1] (xl/externalLinks/externalLink1.xml) to file:///C:/Add-ins/costlib.xlam: kept as it is"]


def test_array_and_shared_formulas_in_a_prefixed_sheet(tmp_path):
    p = "x:"
    rows = (inputs_row(p) + f'<{p}row r="2"><{p}c r="D2"><{p}f t="array" ref="D2:D3">TRAIN_COST(A1,B1,C1:C2)</{p}f>'
            f'<{p}v>1</{p}v></{p}c></{p}row><{p}row r="3"><{p}c r="D3"><{p}v>2</{p}v></{p}c></{p}row>'
            f'<{p}row r="4"><{p}c r="E4"><{p}f t="shared" ref="E4:E5" si="0">_xludf.TRAIN_COST($A$1,$B$1,F4)</{p}f>'
            f'<{p}v>3</{p}v></{p}c><{p}c r="F4"><{p}v>2</{p}v></{p}c></{p}row><{p}row r="5"><{p}c r="E5">'
            f'<{p}f t="shared" si="0"/><{p}v>4</{p}v></{p}c><{p}c r="F5"><{p}v>4</{p}v></{p}c></{p}row>')
    model = build(tmp_path / "m.xlsx", {"Model": sheet_xml(rows, p)}, workbook_prefix=p)
    calls = {c.cell: c for c in mx.scan(model)}
    assert set(calls) == {"D2", "E4", "E5"}
    assert calls["D2"].ref == "D2:D3" and calls["D2"].stored == [[1.0], [2.0]]
    (first,), (second,) = calls["D2"].computed  # C2 is blank past the range's data: a blank, as the add-in shows
    assert first == pytest.approx(TRAIN) and second == ""
    assert calls["E5"].formula == "_xludf.TRAIN_COST($A$1,$B$1,F5)"
    assert calls["E5"].computed == pytest.approx(2 * TRAIN)
    out = tmp_path / "f.xlsx"
    mx.freeze(model, out)
    sheet = parts(out)["xl/worksheets/sheet1.xml"].decode()
    assert f'<x:c r="E5"><x:v>{2 * TRAIN!r}</x:v></x:c>' in sheet
    from openpyxl import load_workbook

    ws = load_workbook(out)["Model"]
    assert ws["E4"].value == pytest.approx(TRAIN) and ws["E5"].value == pytest.approx(2 * TRAIN)


# ---------------------------------------------------------------------------- valid sheets of every shape

def test_cells_and_rows_without_r_take_their_place_in_order(tmp_path):
    rows = ('<row><c><v>70000000000</v></c><c><v>15000000000000</v></c><c><v>2</v></c></row>'
            '<row><c/><c/><c/><c><f>TRAIN_COST(A1,B1,C1)</f><v>1</v></c></row>')
    (call,) = mx.scan(build(tmp_path / "m.xlsx", {"Model": sheet_xml(rows)}))
    assert call.cell == "D2" and call.computed == pytest.approx(TRAIN)


def test_date_cells_are_read_as_dates(tmp_path):
    rows = (inputs_row() + '<row r="2"><c r="A2" t="d"><v>2026-01-01T00:00:00</v></c>'
            + cell("D2", "TRAIN_COST(A1,B1,A2)", 1) + "</row>")
    (call,) = mx.scan(build(tmp_path / "m.xlsx", {"Model": sheet_xml(rows)}))
    # the add-in refuses a date where a price is due: #VALUE!, and says why
    assert call.computed.code == "#VALUE!" and "date (2026-01-01)" in call.note


def test_a_utf16_part_is_read_and_written_back_as_utf8(tmp_path):
    xml = sheet_xml(inputs_row() + f'<row r="2">{cell("D2", "TRAIN_COST(A1,B1,C1)", TRAIN)}</row>')
    data = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    model = build(tmp_path / "m.xlsx", {"Model": data})
    (call,) = mx.scan(model)
    assert call.stale is False
    out = tmp_path / "f.xlsx"
    mx.freeze(model, out)
    written = parts(out)["xl/worksheets/sheet1.xml"]
    assert written.startswith(b'<?xml version="1.0" encoding="UTF-8"') and f"<v>{TRAIN!r}</v>".encode() in written


def test_a_cell_inside_an_xml_comment_is_no_cell(tmp_path):
    rows = inputs_row() + f'<row r="2"><!-- {cell("D2", "TRAIN_COST(A1,B1,C1)", 1)} --></row>'
    model = build(tmp_path / "m.xlsx", {"Model": sheet_xml(rows)})
    assert mx.scan(model) == []
    out = tmp_path / "f.xlsx"
    assert list(mx.freeze(model, out)) == []
    assert out.read_bytes() == model.read_bytes()  # nothing to do: the file, byte for byte


# ---------------------------------------------------------------------------- files refused, by name

def test_a_truncated_sheet_is_an_error_naming_the_part(tmp_path):
    xml = sheet_xml(inputs_row() + f'<row r="2">{cell("D2", "TRAIN_COST(A1,B1,C1)", 1)}</row>')
    model = build(tmp_path / "m.xlsx", {"Model": xml[:len(xml) // 2 + 40]})
    with pytest.raises(mx.ModelError, match=r"part xl/worksheets/sheet1.xml: the XML is (truncated|not well-formed)"):
        mx.scan(model)


def test_forty_thousand_unclosed_cells_fail_fast(tmp_path):
    model = build(tmp_path / "m.xlsx", {"Model": sheet_xml('<row r="1">' + "<c>" * 40000 + "</row>")})
    with pytest.raises(mx.ModelError, match="sheet1.xml: the XML is not well-formed"):
        mx.scan(model)


def test_a_dtd_is_refused(tmp_path):
    xml = sheet_xml(inputs_row()).replace(DECL, DECL + '<!DOCTYPE x [<!ENTITY a "aaaa">]>')
    with pytest.raises(mx.ModelError, match="declares a DTD or an entity"):
        mx.scan(build(tmp_path / "m.xlsx", {"Model": xml}))


def test_an_encrypted_workbook_is_named_as_such(tmp_path):
    ole = tmp_path / "secret.xlsx"  # an OLE compound file holding EncryptionInfo, as Excel writes one
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptionInfo".encode("utf-16-le") + bytes(100))
    with pytest.raises(mx.ModelError, match=r"is encrypted \(password-protected\)"):
        mx.scan(ole)
    assert cli.main(["scan", str(ole)]) == 2


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_is_unpacked(tmp_path):
    model = one_call(tmp_path, "TRAIN_COST(A1,B1,C1)",
                     extra_parts={"xl/media/image1.png": bytes(64 * 2**20)})  # 64 MB of zeros packs to ~64 KB
    with pytest.raises(mx.ModelError, match=r"part xl/media/image1.png unpacks [0-9,]+ times .* cap of 200"):
        mx.scan(model)


def test_a_part_above_the_size_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "MAX_PART_BYTES", 1000)
    with pytest.raises(mx.ModelError, match=r"part xl/worksheets/sheet1.xml unpacks to [0-9,]+ bytes, above the cap of 1,000 "
                                            r"\(costlib.workbook.package.MAX_PART_BYTES\)"):
        mx.scan(one_call(tmp_path, "TRAIN_COST(A1,B1,C1)" + "+0" * 600))


def test_macros_are_never_carried_into_an_xlsx(tmp_path):
    model = one_call(tmp_path, "TRAIN_COST(A1,B1,C1)", extra_parts={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    assert any("VBA project (xl/vbaProject.bin)" in n for n in mx.scan(model).notices)
    with pytest.raises(mx.ModelError, match=r"holds macros .* write to an .xlsm \(-o f.xlsm\)"):
        mx.freeze(model, tmp_path / "f.xlsx")
    assert not (tmp_path / "f.xlsx").exists()
    mx.freeze(model, tmp_path / "f.xlsm")
    assert parts(tmp_path / "f.xlsm")["xl/vbaProject.bin"] == b"\xd0\xcf\x11\xe0"


# ---------------------------------------------------------------------------- freeze: the right number

def test_freeze_writes_costlib_value_over_a_stale_cache_and_says_so(tmp_path):
    model = one_call(tmp_path, "TRAIN_COST(A1,B1,C1)", value=0.0)
    out = tmp_path / "f.xlsx"
    ((call, note),) = mx.freeze(model, out)
    assert note == f"frozen: costlib's value {TRAIN:.10g}; the file stored 0 (stale), which was not kept"
    workbook = parts(out)["xl/workbook.xml"].decode()
    assert '<calcPr calcId="191029" fullCalcOnLoad="1"/>' in workbook  # totals downstream follow on opening


def test_a_call_whose_argument_is_stale_or_an_error_is_left_and_named(tmp_path, capsys):
    rows = (inputs_row() + '<row r="2">' + cell("D2", "TRAIN_COST(A1,B1,C1)", 0.0)       # stale
            + cell("E2", "PROGRAMME_CAPEX(D2,1,0.1,0.3)", 5.0)                           # fed by the stale D2
            + '<c r="F2" t="e"><v>#NAME?</v></c>' + cell("G2", "TOKEN_COST(F2,2000)", 1.0)  # an error argument
            + cell("H2", "TOKEN_COST(A1*2,2000)", 1.0) + "</row>")                    # an expression
    model = build(tmp_path / "m.xlsx", {"Model": sheet_xml(rows)})
    out = tmp_path / "f.xlsx"
    done = {c.cell: (c.action, note) for c, note in mx.freeze(model, out)}
    assert done["D2"][0] == "frozen"
    assert done["E2"] == ("left", "left as it is: its argument D2 is Model!D2, a costlib cell whose stored value "
                                  f"is stale (stored 0, costlib {TRAIN:.10g})")
    assert done["G2"] == ("left", "left as it is: its argument F2 holds the error #NAME? in Model!F2")
    assert done["H2"][0] == "left" and "is an expression" in done["H2"][1]
    sheet = parts(out)["xl/worksheets/sheet1.xml"].decode()
    assert cell("G2", "TOKEN_COST(F2,2000)", 1.0) in sheet  # as it was
    assert cli.main(["freeze", str(model), "-o", str(tmp_path / "g.xlsx")]) == 1
    assert "3 costlib cells could not be evaluated" in capsys.readouterr().err
    assert cli.main(["freeze", str(model), "-o", str(tmp_path / "h.xlsx"), "--partial"]) == 0


def test_a_call_inside_a_larger_formula_is_replaced_by_its_value_there(tmp_path):
    model = one_call(tmp_path, "TRAIN_COST(A1,B1,C1)/1E6+1")
    ((call, note),) = mx.freeze(model, tmp_path / "f.xlsx")
    assert note == f"frozen: each costlib call replaced by its value: ={TRAIN!r}/1E6+1"


# ---------------------------------------------------------------------------- whole-sheet ranges

@pytest.mark.parametrize("ref", ["A1:XFD1048576", "A:XFD", "1:1048576", "A1:Z200000"])
def test_a_call_over_a_whole_sheet_is_evaluated_without_building_the_range(tmp_path, ref):
    import time
    import tracemalloc

    model = one_call(tmp_path, f"TRAIN_COST({ref},15E12,2)", value=0.0)
    tracemalloc.start()
    began = time.process_time()
    (call,) = mx.scan(model)
    spent, (_, peak) = time.process_time() - began, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert call.computed == pytest.approx(TRAIN)  # the top-left cell, A1 = 70e9, as a one-cell formula shows
    assert peak < 50 * 2**20  # bytes: the range is never built (17 billion cells would be ~140 GB)


# ---------------------------------------------------------------------------- files: never a surprise

def test_freeze_and_inline_refuse_an_existing_output_without_force(tmp_path, capsys):
    model = one_call(tmp_path, "TRAIN_COST(A1,B1,C1)")
    precious = tmp_path / "precious.xlsx"
    precious.write_bytes(b"the user's own work")
    for command in ("freeze", "inline"):
        assert cli.main([command, str(model), "-o", str(precious)]) == 2
        assert "precious.xlsx: exists; nothing was written" in capsys.readouterr().err
        assert precious.read_bytes() == b"the user's own work"
    assert cli.main(["freeze", str(model), "-o", str(model), "--force"]) == 2
    assert "must not be the input" in capsys.readouterr().err


def test_a_new_file_follows_the_umask_and_a_replaced_one_keeps_its_mode(tmp_path):
    model = one_call(tmp_path, "TRAIN_COST(A1,B1,C1)")
    old = os.umask(0o027)
    try:
        mx.freeze(model, tmp_path / "new.xlsx")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.xlsx").stat().st_mode) == 0o640  # 0666 less the umask 027
    kept = tmp_path / "kept.xlsx"
    kept.write_bytes(b"x")
    kept.chmod(0o604)
    mx.inline(model, kept, force=True)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604


# ---------------------------------------------------------------------------- names and other sheets

def test_names_and_cross_sheet_references_resolve_or_the_call_is_frozen_with_its_reason(tmp_path):
    rows = (inputs_row() + '<row r="2">' + cell("D2", "TRAIN_COST(Params,B1,Inputs!B1)", TRAIN)
            + cell("E2", "TRAIN_COST(Nowhere,B1,C1)", 1.0) + cell("F2", "TRAIN_COST(A1,B1,Missing!B1)", 1.0) + "</row>")
    model = build(tmp_path / "m.xlsx", {"Model": sheet_xml(rows), "Inputs": sheet_xml('<row r="1"><c r="B1"><v>2</v></c></row>')},
                  names={"Params": "Model!$A$1"})
    calls = {c.cell: c for c in mx.scan(model)}
    assert calls["D2"].computed == pytest.approx(TRAIN) and calls["D2"].stale is False
    assert calls["E2"].note == "the argument Nowhere is not a defined name of this workbook"
    assert calls["F2"].note == "the argument Missing!B1 refers to a sheet 'Missing' that is not a worksheet of this workbook"
    done = {c.cell: (c.action, note) for c, note in mx.inline(model, tmp_path / "i.xlsx")}
    assert done["D2"][0] == "inlined" and "6 * Params * B1 / (989.4 * 1E12 * 0.4) / 3600 * Inputs!B1" in done["D2"][1]
    assert done["E2"] == ("left", "left as it is: the argument Nowhere is not a defined name of this workbook")  # once
    assert done["F2"][0] == "left"


def test_a_call_neither_inlined_nor_frozen_names_both_reasons(tmp_path):
    model = one_call(tmp_path, "WEIGHT_BYTES(A1*2)", value=280e9)  # no twin, and an expression freeze cannot read
    ((call, note),) = mx.inline(model, tmp_path / "i.xlsx")
    assert call.action == "left"
    assert note == ("left as it is: WEIGHT_BYTES has no native Excel formula (no Excel twin of costlib.weight_bytes); "
                    "it cannot be frozen either: " + call.reason)
    assert "is an expression" in call.reason


def test_a_damaged_package_is_an_error_naming_the_part(tmp_path, capsys):
    model = one_call(tmp_path, "TRAIN_COST(A1,B1,C1)")
    damaged = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(model) as src, zipfile.ZipFile(damaged, "w") as z:
        for info in src.infolist():
            z.writestr(info, src.read(info))
        with pytest.warns(UserWarning, match="Duplicate name"):  # zipfile's own warning, writing the damage
            z.writestr("xl/workbook.xml", src.read("xl/workbook.xml"))
    with pytest.raises(mx.ModelError, match="part xl/workbook.xml appears twice"):
        mx.scan(damaged)
    strings = build(tmp_path / "s.xlsx", {"Model": sheet_xml('<row r="1"><c r="A1" t="s"><v>7</v></c></row>')})
    assert cli.main(["scan", str(strings)]) == 2
    err = capsys.readouterr().err
    assert "sheet1.xml: A1 points at shared string '7', which does not exist (the workbook has 0)" in err


def test_cli_scan_says_how_each_call_is_stored_and_what_the_file_holds(tmp_path, capsys):
    model = one_call(tmp_path, "[1]!TRAIN_COST(A1,B1,C1)", externals=["costlib.xlam"])
    assert cli.main(["scan", str(model)]) == 0
    out, err = capsys.readouterr()
    assert out == (f"Model!D2\t=[1]!TRAIN_COST(A1,B1,C1)\tstored {TRAIN!r}\tcostlib {TRAIN!r}\tfresh"
                   "\tstored as external [1]\n")
    assert "note: external link [1] (xl/externalLinks/externalLink1.xml) to costlib.xlam: kept as it is" in err


def test_a_gpu_range_over_whole_columns_is_checked_for_names_without_building_it(tmp_path):
    rows = (inputs_row() + '<row r="2"><c r="G2" t="inlineStr"><is><t>H100</t></is></c>'
            + cell("D2", "TRAIN_COST(A1,B1,C1,F:XFD)", 1.0) + cell("E2", "TRAIN_COST(A1,B1,C1,1:1)", 1.0) + "</row>")
    model = build(tmp_path / "m.xlsx", {"Model": sheet_xml(rows)})
    done = {c.cell: (c.action, note) for c, note in mx.inline(model, tmp_path / "i.xlsx")}
    assert done["D2"][1].startswith("frozen: gpu F:XFD holds a catalogue name")  # G2 holds "H100"
    assert done["E2"][0] == "inlined"  # row 1 holds numbers only


@pytest.mark.parametrize("formula, tight", [
    ("3 * (1 - B1) ^ C1", "3 * (1 - B1)^C1"),                   # Gnumeric refuses "^ C1" in a file's formula
    ("A1 ^  2 + B1", "A1^2 + B1"),
    ('IF(A1="2 ^ 3", 1 ^ 2, 0)', 'IF(A1="2 ^ 3", 1^2, 0)'),     # text in quotes is left as it is
    ("'My ^ Sheet'!A1 ^ 2", "'My ^ Sheet'!A1^2"),               # and a quoted sheet name
])
def test_inlined_powers_have_no_space_around_the_caret(formula, tight):
    from costlib.models_in_excel.formula import tight_powers

    assert tight_powers(formula) == tight
