"""costlib._generated: a generated block between two marker lines, replaced and nothing else."""

import pytest

from costlib._generated import with_block

BEGIN, END = "<!-- begin -->", "<!-- end -->"
DOC = f"# Title\nby hand\n{BEGIN}\nold line 1\nold line 2\n{END}\nafter, by hand\n"


def test_the_lines_between_the_markers_are_replaced():
    assert with_block(DOC, BEGIN, END, "new\n") == f"# Title\nby hand\n{BEGIN}\nnew\n{END}\nafter, by hand\n"


def test_refreshing_twice_changes_nothing_more():
    once = with_block(DOC, BEGIN, END, "new\n")
    assert with_block(once, BEGIN, END, "new\n") == once  # idempotent


def test_the_text_outside_the_markers_is_kept_byte_for_byte():
    out = with_block(DOC, BEGIN, END, "anything\nat all\n")
    assert out.split(BEGIN)[0] == DOC.split(BEGIN)[0]
    assert out.split(END)[1] == DOC.split(END)[1]


@pytest.mark.parametrize("text", [DOC.replace(BEGIN, ""), DOC.replace(END, ""), DOC + BEGIN + "\n"])
def test_a_marker_missing_or_twice_is_refused_naming_the_document(text):
    with pytest.raises(ValueError, match=r"README\.md must hold the lines '<!-- begin -->' and '<!-- end -->' once each"):
        with_block(text, BEGIN, END, "new\n", where="README.md")
