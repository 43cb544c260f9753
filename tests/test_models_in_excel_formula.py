"""costlib.models_in_excel.formula: costlib calls found in formula text in every stored form,
references read as areas, shared formulas moved as Excel moves them (ECMA-376 Part 1, 18.17).

The files around these texts (scan, freeze, inline) are tests/test_models_in_excel*.py.
"""

import pytest

from costlib.models_in_excel.formula import MAX_COL, MAX_ROW, Area, area, call_spans, excel_number, shift, split, \
    tight_powers

NAMES = {"TRAIN_COST", "TOKEN_COST", "BREAKEVEN"}


def test_the_grid():
    assert (MAX_ROW, MAX_COL) == (2**20, 2**14)  # Excel 2007 on: 1,048,576 rows, 16,384 columns (XFD)


@pytest.mark.parametrize("formula,stored_as", [
    ("TRAIN_COST(A1,B1,2)", "plain"),
    ("train_cost(A1,B1,2)", "plain"),                          # Excel's names are case-blind
    ("_xludf.TRAIN_COST(A1,B1,2)", "_xludf"),                  # saved where the add-in was not loaded
    ("[1]!TRAIN_COST(A1,B1,2)", "external [1]"),               # through externalLink1
    ("'C:\\addins\\[costlib.xlam]'!TRAIN_COST(A1,B1,2)", "external 'C:\\addins\\[costlib.xlam]'"),
    ("costlib.xlam!TRAIN_COST(A1,B1,2)", "external costlib.xlam"),
    ("_xldudf_TRAIN_COST(A1,B1,2)", "_xldudf"),                # Office.js, no namespace
    ("_xldudf_XLWINGS_TRAIN_COST(A1,B1,2)", "_xldudf XLWINGS"),
    ("XLWINGS.TRAIN_COST(A1,B1,2)", "namespace XLWINGS"),
])
def test_every_stored_form_is_found(formula, stored_as):
    (span,) = call_spans(formula, NAMES)
    assert (span.start, span.end) == (0, len(formula))
    assert (span.name, span.args, span.stored_as) == ("TRAIN_COST", ("A1", "B1", "2"), stored_as)


def test_a_call_inside_an_expression_is_found_at_its_place():
    formula = "ROUND(TOKEN_COST(2.5, 2000, 0.2), 2) + 1"
    (span,) = call_spans(formula, NAMES)
    assert formula[span.start:span.end] == "TOKEN_COST(2.5, 2000, 0.2)"
    assert span.args == ("2.5", "2000", "0.2")


def test_only_the_outermost_call_is_a_span_and_the_inner_stays_in_its_argument():
    (span,) = call_spans("TRAIN_COST(BREAKEVEN(1,2,3), B1, 2)", NAMES)
    assert span.name == "TRAIN_COST" and span.args[0] == "BREAKEVEN(1,2,3)"


@pytest.mark.parametrize("formula", [
    '"TRAIN_COST(1,2,3)"',                 # text
    "'TRAIN_COST(1'!A1",                   # a sheet name
    "MY_TRAIN_COST(1,2,3)",                # another function whose name ends in one
    "_xlfn.TRAIN_COST(1,2,3)",             # Excel's own future-function prefix is not a namespace
    "TRAIN_COST",                          # a name, not a call
    "SUM(A1:A3)",
])
def test_what_is_not_a_costlib_call(formula):
    assert call_spans(formula, NAMES) == []


def test_commas_inside_text_brackets_and_arrays_do_not_split_arguments():
    (span,) = call_spans('TRAIN_COST("a,b", Table1[[#This Row],[x,y]], {1,2;3,4})', NAMES)
    assert span.args == ('"a,b"', "Table1[[#This Row],[x,y]]", "{1,2;3,4}")


def test_no_arguments():
    assert call_spans("TOKEN_COST()", NAMES)[0].args == ()


@pytest.mark.parametrize("text,expected", [
    ("A1", Area(None, 1, 1, 1, 1)),
    ("$B$2:C9", Area(None, 2, 2, 9, 3)),
    ("C9:B2", Area(None, 2, 2, 9, 3)),                          # corners in any order
    ("A:C", Area(None, 1, 1, MAX_ROW, 3)),                      # whole columns
    ("2:5", Area(None, 2, 1, 5, MAX_COL)),                      # whole rows
    ("'Q1 A2'!A1", Area("Q1 A2", 1, 1, 1, 1)),
    ("'It''s'!B1", Area("It's", 1, 2, 1, 2)),                   # a doubled quote in a sheet name
    ("Inputs!XFD1048576", Area("Inputs", MAX_ROW, MAX_COL, MAX_ROW, MAX_COL)),
    ("XFE1", None),                                             # past the last column
    ("A1048577", None),                                         # past the last row
    ("params", None),
])
def test_area(text, expected):
    assert area(text) == expected


def test_area_shape_and_single():
    assert area("B2:D5").shape == (4, 3) and not area("B2:D5").single  # rows 2-5, columns B-D
    assert area("C3").single


def test_split():
    assert split("$AB$12") == (12, 28)  # AB = 1 x 26 + 2


@pytest.mark.parametrize("formula,rows,cols,moved", [
    ("A1+B2", 1, 0, "A2+B3"),
    ("A1+B2", 0, 2, "C1+D2"),
    ("$A$1+A$1+$A1", 3, 3, "$A$1+D$1+$A4"),                    # $ parts stay
    ("SUM(A2:A10)", 1, 0, "SUM(A3:A11)"),
    ("SUM(A:C)", 5, 1, "SUM(B:D)"),                             # whole columns move across only
    ("SUM(2:5)", 1, 9, "SUM(3:6)"),                             # whole rows move down only
    ('"A1"&A1', 1, 0, '"A1"&A2'),                               # text is copied
    ("'A1 B2'!A1", 1, 0, "'A1 B2'!A2"),                         # a quoted sheet name is copied
    ("LOG10(A1)+ATAN2(A1,1)", 1, 0, "LOG10(A2)+ATAN2(A2,1)"),   # names that look like cells are names
    ("A1*1E5", 1, 0, "A2*1E5"),                                 # a number with an exponent stays
    ("A1", -1, 0, "#REF!"),                                     # moved off the sheet
    ("XFD1", 0, 1, "#REF!"),
    ("Table1[@x]+A1", 1, 0, "Table1[@x]+A2"),                   # a structured reference is copied
])
def test_shift(formula, rows, cols, moved):
    assert shift(formula, rows, cols) == moved


def test_shift_by_nothing_is_the_formula():
    formula = "TRAIN_COST($A2, B$3, 'My sheet'!C4:D5) + \"x\" & #N/A"
    assert shift(formula, 0, 0) == formula  # identity


@pytest.mark.parametrize("value,text", [
    (989.4, "989.4"),
    (1e12, "1000000000000"),   # every digit below 1e16, as Python's repr writes it
    (1e22, "1E22"),            # repr's exponent form, in Excel's letters
    (2.5e-7, "2.5E-07"),
    (-2.0, "(-2)"),            # bracketed, so that 2^-2 style text stays one operand
    (3.0, "3"),
])
def test_excel_number(value, text):
    assert excel_number(value) == text


def test_tight_powers_outside_text():
    assert tight_powers('(1 + A1) ^ (B1 - 1) & " ^ "') == '(1 + A1)^(B1 - 1) & " ^ "'
