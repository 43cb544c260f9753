"""One portable dialect: every formula a workbook holds computes the same in every engine.

Two engines prove it cell by cell (tests/test_workbooks_recalc.py, tests/test_twins_recalc.py:
LibreOffice and Gnumeric). Excel and Google Sheets are covered by the dialect alone: only
the functions below, each documented by all four, and no form whose meaning differs between
engines. Each entry names where the four define it.
"""

from __future__ import annotations

import re

import pytest
from rendered import default_book

from costlib.plan import template_names

# Function -> what it is used for. Each is in the function references of Microsoft Excel
# 2016 ("Excel functions (alphabetical)", support.microsoft.com), LibreOffice Calc (Help,
# "Functions by category"), Gnumeric ("Gnumeric function reference", gnumeric.org) and
# Google Sheets ("Google Sheets function list", support.google.com/docs/table/25273).
PORTABLE = {
    "ABS": "reconciliation tolerance (agree)",
    "AND": "conditions (every, all_of)",
    "COLUMN": "the month axis header",
    "COUNT": "columns of a timeline (count_of)",
    "COUNTIF": "whether a flag ever turns 1 (first_where); a name in the catalogue (in_catalogue)",
    "IF": "branches: paid-in-month, no-value texts, decisions",
    "FIXED": "a number in a sentence, rounded, thousands separated (as_text)",
    "INT": "whole-number inputs (data validation)",
    "ISNUMBER": "number inputs (data validation)",
    "INDEX": "two-dimensional catalogue lookup (row and column given, never one argument over a row)",
    "ISERROR": "one per row, over SUM of the row (no_errors): no implicit array evaluation",
    "MATCH": "exact match (0) in the catalogue and of a flag",
    "SQRT": "the model width from its parameters and layers (time_per_output_token, serving_tokens_per_second)",
    "MAX": "reconciliation scale (agree)",
    "MOD": "periodic costs (every)",
    "NOT": "no_errors",
    "ROUND": "a number rounded to 9 places before FIXED writes it in a sentence (as_text)",
    "OR": "no_errors",
    "SUM": "totals, running totals, totals of the columns",
    "EOMONTH": "a timeline column's month-end date (month_end)",
    "YEAR": "the fiscal year of a date (fiscal_year)",
    "MONTH": "the fiscal year and quarter of a date (fiscal_year, fiscal_quarter)",
    "MIN": "a span's overlap with a month (spread); a row never below zero (never_negative)",
    "ROUNDUP": "whole GPUs, the first month after a run (whole_gpus, month_after), after ROUND to 9 places",
    "SUMIF": "a row's total over a fiscal year (by_period), before a period (straight_line, previous)",
    "SUMIFS": "a row's total over a fiscal quarter (by_quarter)",
    "LEN": "a currency code of three letters (data validation)",
    "NPV": "net present value of a cash row at the monthly rate (npv)",
    "LN": "discounted payback at a steady saving (discounted_months_to_breakeven); a lognormal's spread (lognormal_mean)",
    "EXP": "a lognormal's mean from its median and p95 (lognormal_mean)",
}

# Forms whose meaning depends on the engine, each with the reason it is out.
FORBIDDEN = {
    r"SUMPRODUCT\(": "array evaluation left to the engine (Gnumeric does not array-evaluate --ISERROR())",
    r"--": "coercion of arrays by double negation",
    r"\{": "array constants",
    r"@": "implicit intersection (Excel 365)",
    r"\$?[A-Z]{1,3}:\$?[A-Z]{1,3}\b": "whole-column references",
    r"INDEX\([^(),]+,[^(),]+\)": "INDEX with one index over a row: Microsoft's reading, not the standard's",
    r"\b(OFFSET|INDIRECT|NOW|TODAY|RAND|RANDBETWEEN|CELL|INFO)\(": "volatile functions: Excel recalculates them "
                                                                 "on every open and asks to save on every close",
}

FUNCTION = re.compile(r"([A-Z][A-Z0-9.]*)\(")


def _formulas():
    for name in template_names():
        wb = default_book(name)  # rendered once for the run (tests/rendered.py)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        yield f"{name} {ws.title}!{cell.coordinate}", cell.value
            for dv in ws.data_validations.dataValidation:
                yield f"{name} {ws.title} validation {dv.sqref}", dv.formula1
            for rng in ws.conditional_formatting:
                for rule in rng.rules:
                    for f in rule.formula or ():
                        yield f"{name} {ws.title} conditional format {rng.sqref}", f


FORMULAS = list(_formulas())


def _outside_quotes(formula: str) -> str:
    return re.sub(r'"[^"]*"', '""', formula)


def test_there_are_formulas_to_check():
    assert len(FORMULAS) > 1000


def test_only_portable_functions():
    used = {}
    for where, formula in FORMULAS:
        for fn in FUNCTION.findall(_outside_quotes(formula)):
            used.setdefault(fn, where)
    unknown = {fn: where for fn, where in used.items() if fn not in PORTABLE}
    assert not unknown, f"functions outside the portable dialect (add them with their sources, or avoid): {unknown}"


@pytest.mark.parametrize("pattern", FORBIDDEN)
def test_no_engine_dependent_form(pattern):
    found = [(where, f) for where, f in FORMULAS if re.search(pattern, _outside_quotes(f))]
    assert not found, f"{FORBIDDEN[pattern]}: {found[:3]}"


def test_validation_lists_are_written_as_excel_writes_them():
    # Excel's own files (and XlsxWriter) write a list source without a leading "=";
    # Gnumeric reports "=catalogue_name" as an invalid expression
    lists = [(w, f) for w, f in FORMULAS if "validation" in w and f and not f.startswith('"')]
    assert lists and all(not f.startswith("=") for _, f in lists), lists


def test_every_excel_twin_is_in_the_dialect():
    from costlib import formulas

    for name, twin in formulas.twins().items():
        params = twin.signature.parameters.values()
        text = twin.excel(**{p.name: ["x", "y"] if p.kind is p.VAR_POSITIONAL else "x" for p in params}) \
            if callable(twin.excel) else twin.excel
        unknown = set(FUNCTION.findall(_outside_quotes(text))) - set(PORTABLE)
        assert not unknown, f"{name}'s Excel twin uses {unknown}"
