"""Office Open XML parts read with an XML parser, and edited where the parser says.

One reader serves every part costlib reads or edits: the parts it generates (a chart, the
custom properties that hold a workbook's fingerprint) and the parts of a user's own
workbook that the model tools change (:mod:`costlib.models_in_excel`: the workbook part,
its relationships, the content types, a cell's start tag). :func:`elements` gives each
element as written (its prefix, its attributes), the namespace its prefix is bound to, and
the byte span it occupies; an edit replaces, inserts or removes bytes at those offsets
(:func:`spliced`), so every other byte stays as it was written: a generated workbook stays
reproducible byte for byte, a user's file keeps its quoting, prefixes and whitespace.
No regular expression reads the XML. Expat does not report where an attribute sits, so a
start tag that expat has accepted is walked once more (:func:`attribute_spans`): a name,
``=``, a quoted value, whatever the quote and whatever the value holds (``>`` included).

Documents with a DTD or entity declarations are refused, as defusedxml does: no part of a
workbook needs one, and refusing it rules out entity expansion. A malformed part is an
error naming it (:class:`~costlib.workbook.package.PackageError`), never a partial read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable
from xml.parsers import expat
from xml.sax.saxutils import escape

from .package import PackageError

__all__ = ["Element", "elements", "content", "with_content", "insert_missing", "utf8", "parser", "parse",
           "start_tag_end", "attribute_spans", "spliced", "appended", "with_attribute", "without_attributes",
           "removed"]

_SPACE = b" \t\r\n"


@dataclass
class Element:
    """One element as written: its tag with its prefix (``x:sheet``), attributes, where it sits."""

    tag: str
    attributes: dict[str, str]    # as written: {"r:id": "rId1", "name": "Model"}
    start: int                    # byte offset of its start tag's "<"
    end: int = -1                 # byte offset just past its end tag (or of its "/>")
    parent: int | None = None     # index of the enclosing element in the list, None for the root
    children: list[int] = field(default_factory=list)
    namespace: str = ""           # the namespace its prefix (or the default namespace) is bound to
    scope: dict[str, str] = field(default_factory=dict, repr=False)  # prefix ("" the default) -> namespace
    text: str = ""                # its own character data, where :func:`elements` was asked for it

    @property
    def prefix(self) -> str:
        """The prefix as written, with its colon: ``"x:"`` of ``x:sheet``, ``""`` of ``sheet``."""
        head, colon, _ = self.tag.rpartition(":")
        return head + colon

    @property
    def local(self) -> str:
        return self.tag.rpartition(":")[2]

    def attribute(self, namespaces: Iterable[str], local: str) -> str | None:
        """The value of the attribute ``local`` whose prefix is bound to one of ``namespaces`` (``r:id``)."""
        namespaces = tuple(namespaces)
        for name, value in self.attributes.items():
            prefix, colon, rest = name.rpartition(":")
            if colon and rest == local and self.scope.get(prefix) in namespaces:
                return value
        return None

    def prefix_for(self, namespaces: Iterable[str]) -> str | None:
        """A prefix bound, where this element sits, to one of ``namespaces`` (``"r"``); None where none is."""
        namespaces = tuple(namespaces)
        return next((p for p, ns in self.scope.items() if p and ns in namespaces), None)


def utf8(data: bytes, where: str = "an OOXML part") -> bytes:
    """``data`` as UTF-8 XML, whatever encoding it declares (the declaration then says UTF-8).

    A UTF-8 part comes back as it is (a byte-order mark included: expat reads it, and counts
    offsets from the first byte), so offsets into it are its own and an edit keeps every other byte.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data
    encoding = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"<\x00?\x00"):
        encoding = "utf-16-le"
    elif data.startswith(b"\x00<\x00?"):
        encoding = "utf-16-be"
    else:  # the declaration, before any parser can run: <?xml version="1.0" encoding="..."?>
        m = re.match(rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']", data)
        if m and m[1].lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            encoding = m[1].decode("ascii")
    if encoding is None:
        return data
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise PackageError(f"{where}: cannot read its text as {encoding} ({exc})") from None
    text = text.lstrip("\ufeff")
    text = re.sub(r"^(<\?xml[^>]{0,200}?encoding\s*=\s*)[\"'][^\"']*[\"']", r'\1"UTF-8"', text, count=1)
    return text.encode("utf-8")


def parser(where: str = "an OOXML part", namespace_separator: str | None = None) -> expat.XMLParserType:
    """An expat parser that refuses any DTD; with ``namespace_separator`` names come as ``namespace<sep>local``."""
    p = expat.ParserCreate() if namespace_separator is None else expat.ParserCreate(
        namespace_separator=namespace_separator)

    def refuse(*_):
        raise PackageError(f"{where}: declares a DTD or an entity; no OOXML part does, and costlib reads none")

    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.buffer_text = True
    return p


def parse(p: expat.XMLParserType, data: bytes, where: str = "an OOXML part") -> None:
    """Feed ``data`` to ``p`` whole; a malformed or truncated part is a PackageError naming ``where``."""
    try:
        p.Parse(data, True)
    except expat.ExpatError as exc:
        what = "truncated" if exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS] else "not well-formed"
        raise PackageError(f"{where}: the XML is {what} ({expat.errors.messages[exc.code]}, line {exc.lineno}, "
                           f"column {exc.offset}); the file is damaged: nothing was read from it") from None


def elements(xml: bytes, where: str = "an OOXML part", text_of: Iterable[str] = ()) -> list[Element]:
    """Every element of ``xml`` (UTF-8: :func:`utf8`) in document order, with the byte span it occupies.

    Tags and attributes keep their prefixes as written; each element also carries the
    namespace its prefix is bound to and the bindings in scope. Elements whose local name
    is in ``text_of`` carry their own text.
    """
    p = parser(where)  # no namespace processing: tags keep their prefixes, bindings are followed here
    out: list[Element] = []
    stack: list[int] = []
    want = set(text_of)

    def start(tag, attributes):
        parent = stack[-1] if stack else None
        scope = out[parent].scope if parent is not None else {"xml": "http://www.w3.org/XML/1998/namespace"}
        declared = {name[6:]: value for name, value in attributes.items() if name.startswith("xmlns:")}
        if "xmlns" in attributes:
            declared[""] = attributes["xmlns"]
        if declared:
            scope = {**scope, **declared}
        prefix = tag.rpartition(":")[0]
        element = Element(tag, attributes, p.CurrentByteIndex, parent=parent, namespace=scope.get(prefix, ""),
                          scope=scope)
        out.append(element)
        if parent is not None:
            out[parent].children.append(len(out) - 1)
        stack.append(len(out) - 1)

    def end(tag):
        element = out[stack.pop()]
        closed = start_tag_end(xml, element.start)
        if xml[closed - 2:closed] == b"/>":  # <tag/>: its start tag is the whole element
            element.end = closed
        else:                                # </tag>: expat reports its "<"
            element.end = xml.index(b">", p.CurrentByteIndex) + 1

    def chars(text):
        if stack and out[stack[-1]].local in want:
            out[stack[-1]].text += text

    p.StartElementHandler, p.EndElementHandler = start, end
    if want:
        p.CharacterDataHandler = chars
    parse(p, xml, where)
    return out


def start_tag_end(xml: bytes, start: int) -> int:
    """The offset just past the start tag that begins at ``start`` (a ">" inside quotes is text)."""
    close = xml.find(b">", start)
    if close >= 0:  # the common case: quotes of one kind only, balanced before the first ">"
        double, single = xml.count(b'"', start, close), xml.count(b"'", start, close)
        if (not single and double % 2 == 0) or (not double and single % 2 == 0):
            return close + 1
    i = start  # a ">" inside a value, or both kinds of quote: from quote to quote
    while True:
        close = xml.find(b">", i)
        if close < 0:
            break
        quotes = [q for q in (xml.find(b'"', i, close), xml.find(b"'", i, close)) if q >= 0]
        if not quotes:
            return close + 1
        opened = min(quotes)
        shut = xml.find(xml[opened:opened + 1], opened + 1)
        if shut < 0:
            break
        i = shut + 1
    raise ValueError(f"an unclosed start tag at byte {start}")


_WHITE = frozenset(_SPACE)
_NAME_END = frozenset(_SPACE + b"/>")


def attribute_spans(tag: bytes) -> list[tuple[str, int, int, int]]:
    """Each attribute of the start tag ``tag`` (from its "<", as a parser accepted it) as
    (name, start of the space before it, start of its value, end of its value), in order.

    >>> attribute_spans(b"<c r='A1' s=\\"x>y\\"/>")
    [('r', 2, 6, 8), ('s', 9, 13, 16)]
    """
    out = []
    i, n = 1, len(tag)
    while i < n and tag[i] not in _NAME_END:
        i += 1  # the tag's name
    while True:
        j = i
        while j < n and tag[j] in _WHITE:
            j += 1
        if j >= n or tag[j] in _NAME_END:
            return out
        equals = tag.index(b"=", j)
        k = equals + 1
        while tag[k] in _WHITE:
            k += 1
        value_end = tag.index(tag[k:k + 1], k + 1)
        out.append((tag[j:equals].rstrip().decode("utf-8"), i, k + 1, value_end))
        i = value_end + 1


def spliced(xml: bytes, edits: Iterable[tuple[int, int, bytes]]) -> bytes:
    """``xml`` with each (start, end) span replaced by its bytes (an insertion where start == end);
    the spans must not overlap. One pass, linear in the part."""
    out, last = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(xml[last:start])
        out.append(new)
        last = end
    out.append(xml[last:])
    return b"".join(out)


def content(xml: bytes, element: Element) -> tuple[int, int]:
    """The byte span of ``element``'s content, between its start and end tags (empty for ``<tag/>``)."""
    inside = start_tag_end(xml, element.start)
    if xml[inside - 2:inside] == b"/>":
        return inside, inside
    return inside, element.end - len(f"</{element.tag}>".encode())


def with_content(xml: bytes, spans: list[tuple[int, int]], text: bytes) -> bytes:
    """``xml`` with each byte span replaced by ``text`` (already escaped XML)."""
    return spliced(xml, [(start, end, text) for start, end in spans])


def appended(xml: bytes, element: Element, text: bytes) -> tuple[int, int, bytes]:
    """The edit that writes ``text`` as ``element``'s last content: before its end tag, or, for
    ``<tag .../>``, in place of its "/>" with the end tag written out."""
    inside, end = content(xml, element)
    if inside == end and xml[inside - 2:inside] == b"/>":
        return inside - 2, inside, b">" + text + b"</" + element.tag.encode() + b">"
    return end, end, text


def with_attribute(xml: bytes, element: Element, name: str, value: str) -> tuple[int, int, bytes]:
    """The edit that gives ``element``'s start tag ``name="value"``: its value replaced within its own
    quotes where it has one, or the attribute written after the last one."""
    tag = xml[element.start:start_tag_end(xml, element.start)]
    spans = attribute_spans(tag)
    for written, _, value_start, value_end in spans:
        if written == name:
            quote = tag[value_start - 1:value_start].decode()
            text = escape(value, {quote: "&quot;" if quote == '"' else "&apos;"})
            return element.start + value_start, element.start + value_end, text.encode("utf-8")
    at = element.start + (spans[-1][3] + 1 if spans else 1 + len(element.tag.encode()))
    text = escape(value, {'"': "&quot;"})
    return at, at, f' {name}="{text}"'.encode("utf-8")


def without_attributes(tag: bytes, names: Iterable[str]) -> bytes:
    """The start tag ``tag`` (from its "<") less the attributes ``names`` (each with the space before it)."""
    names = set(names)
    if not any(name.encode("utf-8") in tag for name in names):  # the common case: none of them is there
        return tag
    return spliced(tag, [(before, value_end + 1, b"") for name, before, _, value_end in attribute_spans(tag)
                         if name in names])


def removed(elements_: Iterable[Element]) -> list[tuple[int, int, bytes]]:
    """The edits that remove each of ``elements_``, start tag to end tag (nothing around them)."""
    return [(e.start, e.end, b"") for e in elements_]


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
    return spliced(xml, [(at, at, text) for at in offsets])
