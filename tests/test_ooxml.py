"""costlib.workbook.ooxml: OOXML read with a parser, edited at the offsets it reports."""

import pytest

from costlib.workbook.ooxml import elements, insert_missing

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
