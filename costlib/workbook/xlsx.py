"""One way an XlsxWriter workbook is made: in memory, text kept as text, formulas prepared fast.

XlsxWriter 3 prefixes Excel 365's dynamic-array functions (FILTER, SORT, XLOOKUP...) with
``_xlfn.`` by running one regular expression per function over every formula it writes: about
30 substitutions a formula, 0.5 s of the budget's 1.2 s. Each of them needs the function's name
followed by "(", so where no such name is in a formula all of them leave it unchanged; the
worksheet below then skips them, and hands every other formula to XlsxWriter's own method.
tests/test_workbook_xlsx.py holds the two to the same output.
"""

from __future__ import annotations

import re
from typing import IO

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

# every name XlsxWriter 3.x expands when future functions are off, without its word boundary (a
# superset of its matches: a formula that holds one goes to XlsxWriter); "INGLE" covers its
# "\SINGLE\(", a pattern that matches any non-space character before INGLE
_DYNAMIC = re.compile(r"(ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|MAP"
                      r"|RANDARRAY|REDUCE|SCAN|INGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE"
                      r"|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\(")


class PortableWorksheet(Worksheet):
    """An XlsxWriter worksheet that writes a formula without dynamic-array functions as XlsxWriter would, faster."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        if self.use_future_functions or expand_future_functions or "_xlfn." in formula or _DYNAMIC.search(formula):
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):  # XlsxWriter's own first steps: the array braces and the leading =
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula


class _Workbook(xlsxwriter.Workbook):
    worksheet_class = PortableWorksheet


def new_workbook(out: IO[bytes]) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook writing into ``out``: in memory, and text stays text (no number, formula or link
    made of a string a user typed)."""
    return _Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                           "strings_to_urls": False})
