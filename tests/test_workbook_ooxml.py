"""costlib.workbook.ooxml: OOXML read with a parser, edited at the offsets it reports."""

import pytest

from costlib.workbook.ooxml import (appended, attribute_spans, elements, insert_missing, removed, spliced,
                                    start_tag_end, utf8, with_attribute, without_attributes)
from costlib.workbook.package import PackageError

CHART = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         b'<c:chartSpace xmlns:c="x"><c:catAx><c:axId val="1"/><c:scaling><c:orientation val="minMax"/>'
         b'</c:scaling><c:axPos val="b"/></c:catAx><c:valAx><c:axId val="2"/><c:scaling/><c:delete val="1"/>'
         b'</c:valAx></c:chartSpace>')


def test_spans_are_the_bytes_of_each_element():
    found = elements(CHART)
    for e in found:
        text = CHART[e.start:e.end]
        assert text.startswith(b"<" + e.tag.encode()) and text.endswith((b"/>", f"</{e.tag}>".encode()))
    assert [found[i].tag for i in found[0].children] == ["c:catAx", "c:valAx"]


def test_an_axis_without_delete_gets_one_and_nothing_else_changes():
    out = insert_missing(CHART, {"c:catAx", "c:valAx"}, "c:scaling", "c:delete", b'<c:delete val="0"/>')
    assert out == CHART.replace(b'</c:scaling><c:axPos', b'</c:scaling><c:delete val="0"/><c:axPos')
    # the hidden axis keeps its own <c:delete val="1"/>, untouched
    assert out.count(b'<c:delete val="1"/>') == 1


def test_a_dtd_is_refused():
    with pytest.raises(ValueError, match="DTD"):
        elements(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')


# ---------------------------------------------------------------------------- namespaces, attributes, edits

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK = (f'<x:workbook xmlns:x="{MAIN}" xmlns:rel="{REL}"><x:sheets><x:sheet name=\'a>b\' sheetId="3" '
            f'rel:id="rId1"/></x:sheets><x:calcPr calcId="1"/></x:workbook>').encode()


def test_each_element_knows_its_namespace_whatever_its_prefix():
    found = elements(WORKBOOK)
    assert [(e.prefix, e.local, e.namespace) for e in found] == [
        ("x:", "workbook", MAIN), ("x:", "sheets", MAIN), ("x:", "sheet", MAIN), ("x:", "calcPr", MAIN)]
    sheet = found[2]
    assert sheet.attribute([REL], "id") == "rId1" and sheet.prefix_for([REL]) == "rel"
    assert sheet.attributes["name"] == "a>b" and WORKBOOK[sheet.start:sheet.end].endswith(b'rel:id="rId1"/>')


def test_a_default_namespace_declared_inside_applies_below_it_only():
    found = elements(f'<a xmlns="{MAIN}"><b xmlns="urn:other"><c/></b><d/></a>'.encode())
    assert [e.namespace for e in found] == [MAIN, "urn:other", "urn:other", MAIN]


def test_attribute_spans_read_either_quote_and_a_greater_than_sign_inside_a_value():
    tag = b"<c r='A1'  s=\"x>y\"\tt = 'str' />"
    spans = attribute_spans(tag)
    assert [(name, tag[start:end]) for name, _, start, end in spans] == [("r", b"A1"), ("s", b"x>y"), ("t", b"str")]
    assert start_tag_end(tag + b"<d/>", 0) == len(tag)


def test_attributes_are_dropped_with_the_space_before_them_and_nothing_else():
    assert without_attributes(b'<c r="A1" t=\'str\' s="x>y" cm="1">', {"t", "cm"}) == b'<c r="A1" s="x>y">'
    assert without_attributes(b"<f t='shared' ref='D2:D9' si='0'/>", {"t", "ref", "si"}) == b"<f/>"


@pytest.mark.parametrize(("xml", "wanted"), [
    (b'<w><calcPr calcId="1"/></w>', b'<w><calcPr calcId="1" fullCalcOnLoad="1"/></w>'),      # added after the last
    (b"<w><calcPr fullCalcOnLoad='0' calcId='1'/></w>", b"<w><calcPr fullCalcOnLoad='1' calcId='1'/></w>"),
    (b"<w><calcPr></calcPr></w>", b'<w><calcPr fullCalcOnLoad="1"></calcPr></w>'),            # no attributes yet
])
def test_an_attribute_is_set_within_its_own_quotes_or_added_after_the_last(xml, wanted):
    calc = elements(xml)[1]
    assert spliced(xml, [with_attribute(xml, calc, "fullCalcOnLoad", "1")]) == wanted


@pytest.mark.parametrize(("xml", "wanted"), [
    (b"<x:s a='1'><x:t/></x:s>", b"<x:s a='1'><x:t/><x:t n=\"2\"/></x:s>"),
    (b"<x:s a='1' />", b"<x:s a='1' ><x:t n=\"2\"/></x:s>"),                                    # written out
])
def test_a_child_is_appended_before_the_end_tag_or_the_empty_element_written_out(xml, wanted):
    assert spliced(xml, [appended(xml, elements(xml)[0], b'<x:t n="2"/>')]) == wanted


def test_removed_elements_leave_every_other_byte():
    xml = b'<T>\n <O P="/a"/>\n <O P="/b"></O>\n</T>'
    found = elements(xml)
    assert spliced(xml, removed([found[2]])) == b'<T>\n <O P="/a"/>\n \n</T>'


def test_offsets_count_a_byte_order_mark_and_utf8_keeps_it():
    xml = b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?><a><b/></a>'
    assert utf8(xml) is xml
    b = elements(xml)[1]
    assert xml[b.start:b.end] == b"<b/>"


def test_a_utf16_part_is_read_as_utf8_with_its_declaration_saying_so():
    xml = '<?xml version="1.0" encoding="UTF-16"?><a n="é"/>'.encode("utf-16")
    assert utf8(xml) == '<?xml version="1.0" encoding="UTF-8"?><a n="é"/>'.encode()


def test_a_malformed_part_is_an_error_naming_it():
    with pytest.raises(PackageError, match=r"^m.xlsx: part x.xml: the XML is not well-formed \(mismatched tag"):
        elements(b"<a><b></a>", "m.xlsx: part x.xml")


@pytest.mark.parametrize("tag", [
    b"<c>", b"<c/>", b'<c r="A1">', b"<c r='A1'/>", b"<c s='x>y'>", b'<c s="x>y" t="n">', b"<c a=\"it's\" b='>'>",
    b"<c a=\"it's>\" />", b"<c\n r = 'A1' \n>",
])
def test_a_start_tag_ends_at_its_own_closing_bracket(tag):
    assert start_tag_end(b"<r>" + tag + b"</c><d e='>'/></r>", 3) == 3 + len(tag)
