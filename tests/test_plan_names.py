"""costlib.plan.names: a template's names, sheets and file stem, refused where a spreadsheet or a system
would read them as something else (Microsoft, "Names in formulas"; Excel specifications and limits)."""

import pytest

from costlib.errors import TemplateError
from costlib.plan.names import GRID_COLUMNS, GRID_ROWS, NAME_LIMIT, SHEET_NAME_LIMIT, check_file_stem, check_name, \
    check_sheet_names, reading


def test_the_grid_is_excels():
    assert GRID_COLUMNS == 24 * 26**2 + 6 * 26 + 4  # column XFD: X=24, F=6, D=4 in base 26, 16,384
    assert GRID_ROWS == 2**20  # 1,048,576 rows, Excel 2007 and later
    assert (NAME_LIMIT, SHEET_NAME_LIMIT) == (255, 31)  # Excel specifications and limits


@pytest.mark.parametrize("name,why", [
    ("TRUE", "the boolean TRUE"),
    ("false", "the boolean FALSE"),
    ("A1", "A1 style (within"),
    ("XFD1048576", "A1 style (within"),         # the last cell of the grid
    ("XFD1048577", "A1 style (beyond"),         # one row past it
    ("XFE1", "A1 style (beyond"),               # one column past XFD
    ("R1C1", "R1C1 style"),
    ("rc", "R1C1 style"),
    ("R", "R1C1 style"),
    ("C", "R1C1 style"),
    ("SUM", "spreadsheet function"),
    ("webservice", "spreadsheet function"),
])
def test_what_a_spreadsheet_reads_instead(name, why):
    assert why in reading(name)


@pytest.mark.parametrize("name", ["params", "gpu_hours", "A1B", "XFDX1", "R1C1X", "_x", "monthly_tokens"])
def test_a_name_is_read_as_a_name(name):
    assert reading(name) is None
    assert check_name(name, "input", "t.toml") == name


@pytest.mark.parametrize("name,fragment", [
    ("2x", "must be an identifier"),
    ("a b", "must be an identifier"),
    (3, "name must be text, got 3"),
    ("x" * 256, "at most 255 characters (Excel's limit), got 256"),
    ("lambda", "reserved word of the formula language"),
    ("None", "reserved word of the formula language"),
    ("A1", "cannot be a workbook name: it is a cell reference in A1 style"),
    ("checks_ok", "is reserved: costlib's workbooks define it"),
    ("Catalogue_h100", "is reserved"),
])
def test_check_name_refuses_naming_what_and_the_file(name, fragment):
    with pytest.raises(TemplateError, match=r"^t\.toml: input ") as caught:
        check_name(name, "input", "t.toml")
    assert fragment in str(caught.value)


def test_the_axis_may_share_a_functions_name_but_not_a_cells():
    assert check_name("month", "axis", "t.toml", function_ok=True) == "month"
    with pytest.raises(TemplateError, match="spreadsheet function"):
        check_name("SUM", "input", "t.toml")
    assert check_name("SUM", "axis", "t.toml", function_ok=True) == "SUM"
    with pytest.raises(TemplateError, match="A1 style"):
        check_name("B2", "axis", "t.toml", function_ok=True)


def test_sheet_names_by_excels_rules():
    check_sheet_names(["Summary", "Capex", "x" * 31], "t.toml")  # 31 characters is the limit, allowed


@pytest.mark.parametrize("names,fragment", [
    ([""], "1 to 31 characters"),
    (["x" * 32], "at most 31 characters (Excel's limit), got 32"),
    (["a/b"], "with '/'"),
    (["a[1]"], "with '['"),
    (["'quoted'"], "apostrophe"),
    (["History"], "Excel reserves it"),
    (["checks"], "costlib adds the sheet 'Checks' itself"),
    (["Plan", "PLAN"], "used twice ('Plan'"),
    (["tab\there"], "control character"),
])
def test_sheet_names_refused(names, fragment):
    with pytest.raises(TemplateError, match=r"^t\.toml: sheet name") as caught:
        check_sheet_names(names, "t.toml")
    assert fragment in str(caught.value)


@pytest.mark.parametrize("stem", ["budget", "my-plan.v2", "plan_2027"])
def test_a_file_stem_that_names_a_file(stem):
    assert check_file_stem(stem, "name", "t.toml") == stem


@pytest.mark.parametrize("stem,fragment", [
    ("../x", "folder separator"),
    ("a\\b", "folder separator"),
    ("C:x", "folder separator, a drive"),
    ("~x", "~"),
    ("a..b", "'..'"),
    ("a|b", "'|'"),
    ("plan.", "end with a dot"),
    (" plan", "begin or end with a space"),
    ("CON", "reserved device name on Windows"),
    ("lpt1.txt", "reserved device name on Windows"),
    ("x" * 101, "at most 100 characters"),
    ("", "must be text"),
])
def test_a_file_stem_that_could_escape_or_name_a_device_is_refused(stem, fragment):
    with pytest.raises(TemplateError) as caught:
        check_file_stem(stem, "name", "t.toml")
    assert fragment in str(caught.value)
