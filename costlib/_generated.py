"""Generated blocks inside hand-written documents: one way to find and refresh them."""

from __future__ import annotations


def with_block(text: str, begin: str, end: str, body: str, where: str = "the document") -> str:
    """``text`` with the lines between the marker lines ``begin`` and ``end`` replaced by ``body``."""
    if text.count(begin) != 1 or text.count(end) != 1:
        raise ValueError(f"{where} must hold the lines {begin!r} and {end!r} once each")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"
