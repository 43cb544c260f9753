"""costlib.workbook.xlsx: a formula is written exactly as XlsxWriter itself prepares it, on its fast path too."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from rendered import default_book
from xlsxwriter.worksheet import Worksheet

from costlib.plan import template_names
from costlib.workbook.xlsx import PortableWorksheet, new_workbook


def _sheets(future: bool = False):
    ours = new_workbook(io.BytesIO()).add_worksheet("ours")
    theirs = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True}).add_worksheet("theirs")
    ours.use_future_functions = theirs.use_future_functions = future
    assert isinstance(ours, PortableWorksheet) and type(theirs) is Worksheet
    return ours, theirs


@pytest.mark.parametrize("name", template_names())
def test_every_formula_of_a_default_workbook_is_prepared_as_xlsxwriter_prepares_it(name):
    ours, theirs = _sheets()
    formulas = [c.value for ws in default_book(name).worksheets for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(formulas) > 100
    for f in formulas:
        assert ours._prepare_formula(f) == theirs._prepare_formula(f), f


@pytest.mark.parametrize("formula", [
    "=FILTER(A1:A3,B1:B3)",         # XlsxWriter: _xlfn._xlws.FILTER
    "=XLOOKUP(1,A1:A3,B1:B3)",
    "={SUM(A1:A3)}",                # array braces
    "=_xlfn.XLOOKUP(1,A1:A3,B1:B3)",  # already expanded by its author
    "=ASINGLE(A1)",                 # XlsxWriter's "\SINGLE\(" pattern: any non-space character before INGLE
    "=SORTBY(A1:A3,B1:B3)+SORT(A1:A3)",
    '=IF(A1>0,"FILTER(words)",SUM(A1:A3))',
])
@pytest.mark.parametrize("future", [False, True])
def test_a_formula_with_a_dynamic_function_goes_to_xlsxwriter(formula, future):
    ours, theirs = _sheets(future)
    assert ours._prepare_formula(formula) == theirs._prepare_formula(formula)
    assert ours._prepare_formula(formula, True) == theirs._prepare_formula(formula, True)


TOKENS = ["=", "{", "}", "SUM(", "FILTER(", "SORT(", "SORTBY(", "SINGLE(", "XSINGLE(", "IF(", "A1", ",", ")", " ",
          '"', "_xlfn.", "LAMBDA(", "MAP(", "XMAP(", "FIXED(", "ROUND(", "1.5"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=12).map("".join))
def test_any_text_is_prepared_as_xlsxwriter_prepares_it(formula):
    ours, theirs = _sheets()
    assert ours._prepare_formula(formula) == theirs._prepare_formula(formula)
