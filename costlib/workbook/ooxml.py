"""Office Open XML parts read with an XML parser, and edited where the parser says.

A generated part is changed in place, at the byte offsets an expat parser reports, so that
every other byte stays as the writer wrote it (the workbooks are reproducible, byte for
byte, and their fingerprint covers those bytes). No regular expression reads the XML.
Documents with a DTD or entity declarations are refused, as defusedxml does: a part of a
workbook never needs one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

__all__ = ["Element", "elements", "content", "with_content", "insert_missing"]


@dataclass
class Element:
    """One element as written: its tag with its prefix (``c:catAx``), attributes, where it sits."""

    tag: str
    attributes: dict[str, str]
    start: int                    # byte offset of its start tag's "<"
    end: int = -1                 # byte offset just past its end tag (or of its "/>")
    parent: int | None = None     # index of the enclosing element in the list, None for the root
    children: list[int] = field(default_factory=list)


def elements(xml: bytes) -> list[Element]:
    """Every element of ``xml`` in document order, with the byte span it occupies."""
    parser = expat.ParserCreate()  # no namespace processing: tags keep their prefixes as written
    out: list[Element] = []
    stack: list[int] = []

    def refuse(*_):
        raise ValueError("an OOXML part with a DTD or entity declarations: refused (it never needs one)")

    def start(tag, attributes):
        parent = stack[-1] if stack else None
        out.append(Element(tag, attributes, parser.CurrentByteIndex, parent=parent))
        if parent is not None:
            out[parent].children.append(len(out) - 1)
        stack.append(len(out) - 1)

    def end(tag):
        element = out[stack.pop()]
        closed = _start_tag_end(xml, element.start)
        if xml[closed - 2:closed] == b"/>":  # <tag/>: its start tag is the whole element
            element.end = closed
        else:                                # </tag>: expat reports its "<"
            element.end = xml.index(b">", parser.CurrentByteIndex) + 1

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(xml, True)
    return out


def _start_tag_end(xml: bytes, start: int) -> int:
    """The offset just past the start tag that begins at ``start`` (a ">" inside quotes is text)."""
    quote = None
    for i in range(start, len(xml)):
        ch = xml[i:i + 1]
        if quote:
            quote = None if ch == quote else quote
        elif ch in (b'"', b"'"):
            quote = ch
        elif ch == b">":
            return i + 1
    raise ValueError(f"an unclosed start tag at byte {start}")


def content(xml: bytes, element: Element) -> tuple[int, int]:
    """The byte span of ``element``'s content, between its start and end tags (empty for ``<tag/>``)."""
    inside = _start_tag_end(xml, element.start)
    if xml[inside - 2:inside] == b"/>":
        return inside, inside
    return inside, element.end - len(f"</{element.tag}>".encode())


def with_content(xml: bytes, spans: list[tuple[int, int]], text: bytes) -> bytes:
    """``xml`` with each byte span replaced by ``text`` (already escaped XML)."""
    for start, end in sorted(spans, reverse=True):
        xml = xml[:start] + text + xml[end:]
    return xml


def insert_missing(xml: bytes, parents: set[str], after: str, missing: str, text: bytes) -> bytes:
    """``xml`` with ``text`` written after the ``after`` child of each ``parents`` element that has
    no ``missing`` child; every other byte unchanged.

    >>> insert_missing(b'<r><a><s>1</s></a><a><s/><d/></a></r>', {"a"}, "s", "d", b'<d v="0"/>')
    b'<r><a><s>1</s><d v="0"/></a><a><s/><d/></a></r>'
    """
    found = elements(xml)
    offsets = []
    for element in found:
        if element.tag not in parents:
            continue
        tags = [found[i].tag for i in element.children]
        if missing not in tags and after in tags:
            offsets.append(found[element.children[tags.index(after)]].end)
    for at in sorted(offsets, reverse=True):
        xml = xml[:at] + text + xml[at:]
    return xml
