"""Every Excel twin, recalculated by LibreOffice and Gnumeric over a grid of inputs, equals its function.

One workbook holds every case: a row per case, the arguments in cells, the twin's formula
rendered against those cells (the same renderer the generator uses), beside the accelerator
catalogue the catalogue twins look up. Each engine recalculates it once; each cell must equal
what :func:`costlib.formulas.evaluate` gives for the same call, to 1e-9 relative, text and
booleans exactly. The grid includes each twin's edges: zeros, boundaries, the branch where
the result does not exist. The cases are tests/twin_cases.py's; a twin without one fails tests/test_registries.py.
"""

from __future__ import annotations

import ast
import datetime
import math
import warnings

import pytest
import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

import twin_cases
from costlib import formulas
from costlib.accounting import to_serial
from costlib.workbook.recalc import ENGINES, convert
from costlib.workbook.writer import _strip_outside_quotes, write_catalogue

def _cases():
    for name, cases in twin_cases.cases().items():
        for i, case in enumerate(cases):
            yield f"{name}-{i}", name, case


class _Cells:
    """A formulas.Context over one grid row: each argument's cell or cells."""

    def __init__(self, spans: dict[str, tuple[int, int]], row: int, col: str | None = None):
        self.spans, self.row, self.col = spans, row, col

    def _cell(self, c: int) -> str:
        return f"{get_column_letter(c)}{self.row}"

    def value(self, name):
        return self._cell(self.spans[name][0])

    def range(self, name):
        first, last = self.spans[name]
        return f"{self._cell(first)}:{self._cell(last)}"

    def end(self, name, which):
        first, last = self.spans[name]
        return self._cell(first if which == "first" else last)

    def to_date(self, name):
        return f"{self._cell(self.spans[name][0])}:{self.col}{self.row}"


def _call(twin, case) -> tuple[ast.expr, dict, dict]:
    """The call as a template would write it, argument names standing for cells."""
    args, keywords, cells = [], [], {}
    for param, p in twin.signature.parameters.items():
        if param not in case:
            continue
        value = case[param]
        if p.kind is p.VAR_POSITIONAL:
            for j, v in enumerate(value):
                args.append(f"{param}_{j}")
                cells[f"{param}_{j}"] = v
        else:
            keywords.append(f"{param}={param}")
            cells[param] = value
    text = f"{twin.name}({', '.join(args + keywords)})"
    return formulas.parse(text), cells, {}


@pytest.fixture(scope="module", params=ENGINES)
def grid(request, tmp_path_factory):
    registry = formulas.twins()
    src = tmp_path_factory.mktemp("twins") / "twins.xlsx"
    wb = xlsxwriter.Workbook(str(src), {"strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    ws = wb.add_worksheet("Grid")
    layout = {}

    def put(r, c, v):  # 1-based row and column, as the Context renders them
        if isinstance(v, bool):
            ws.write_boolean(r - 1, c - 1, v)
        elif isinstance(v, str):
            ws.write_string(r - 1, c - 1, v)
        else:
            ws.write_number(r - 1, c - 1, v)

    for r, (case_id, name, case) in enumerate(_cases(), start=1):
        twin = registry[name]
        expr, cells, _ = _call(twin, case)
        spans, c = {}, 2
        put(r, 1, case_id)
        for key, value in cells.items():
            values = value if isinstance(value, list) else [value]
            spans[key] = (c, c + len(values) - 1)
            for v in values:
                put(r, c, v)
                c += 1
        c += 1
        to_date = [p for p in twin.to_date if p in case]
        results = []
        if to_date:  # a running total: one result per column of its row
            first, last = spans[to_date[0]]
            for k in range(last - first + 1):
                col = get_column_letter(first + k)
                text = formulas.render(expr, _Cells(spans, r, col))
                ws.write_formula(r - 1, c + k - 1, "=" + _strip_outside_quotes(text))
                results.append(c + k)
        else:
            ws.write_formula(r - 1, c - 1, "=" + _strip_outside_quotes(formulas.render(expr, _Cells(spans, r))))
            results.append(c)
        layout[case_id] = (name, case, expr, cells, r, results)
    write_catalogue(wb)
    wb.close()
    out = convert([src], tmp_path_factory.mktemp(f"twins-{request.param}"), engine=request.param)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "no default style" in Gnumeric's files
        return layout, load_workbook(out, data_only=True)["Grid"]


@pytest.mark.parametrize("case_id", [c for c, _, _ in _cases()])
def test_twin_matches_its_function_in_libreoffice(grid, case_id):
    layout, ws = grid
    name, case, expr, cells, r, results = layout[case_id]
    expected = formulas.evaluate(expr, cells.__getitem__, text=True)
    got = [ws.cell(row=r, column=c).value for c in results]
    if formulas.twins()[name].to_date:  # a running total: one result per column
        assert [float(g) for g in got] == pytest.approx([float(e) for e in expected], rel=1e-9, abs=1e-12), case_id
        return
    got = got[0]
    if isinstance(got, datetime.datetime):  # Gnumeric formats EOMONTH's result as a date: its serial number
        got = to_serial(got)
    if isinstance(expected, (bool,)) or type(expected).__name__ == "bool_":
        assert got is bool(expected), (case_id, got, expected)
    elif isinstance(expected, str):
        assert got == expected, (case_id, got, expected)
    else:
        expected = float(expected)
        assert isinstance(got, (int, float)) and not isinstance(got, bool), (case_id, got)
        assert not math.isinf(expected), f"{case_id}: inf without a none text"
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), case_id
