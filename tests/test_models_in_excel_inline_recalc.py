"""Inline never changes a result: every inlined cell, recalculated by LibreOffice and Gnumeric,
shows what the add-in shows on the same inputs, errors included.

One model holds, for every add-in function that has a native twin, a valid call and a call
for each argument blank, text, TRUE and each kind of value its rule refuses (for a
fraction 1.4 and 0, for a price -2, ...), plus the cases of the issue: a blank override
cell, a literal mfu of 1.4, ``BREAKEVEN(-1000,3,0.35)``, no break-even, a defined name, a
cross-sheet reference, a name holding a GPU name, an array formula with a bad and a blank
element. The expected value of each cell is the add-in's own (``costlib_udfs.evaluate``
on the cells as Excel hands them over); the inlined file is recalculated by both engines
and compared cell by cell: a number to 1e-9, an error by its code.

Slow: runs LibreOffice and Gnumeric.
"""

import math

import pytest

import costlib_udfs
from costlib import models_in_excel as mx
from costlib.arguments import arguments_of
from costlib.formulas import twins
from costlib.workbook import recalc

pytestmark = pytest.mark.slow

#: A plausible value of each argument ([WaferZero2026]'s examples where it gives one; the rest assumption).
VALID = {
    "params": 70e9, "tokens": 15e12, "price_per_gpu_hour": 2.0, "gpu": 989.4, "mfu": 0.4,
    "flops_per_param_token": 6.0, "flops": 6.3e24, "gpu_hours": 4.4e6, "price_per_kwh": 0.1, "pue": 1.2,
    "shared_params": 1e9, "expert_params": 7e9, "experts_per_token": 2.0, "experts": 8.0, "tokens_per_param": 20.0,
    "tokens_per_second": 2000.0, "utilization": 0.2, "input_tokens": 1000.0, "output_tokens": 500.0,
    "input_price_per_m_tokens": 3.0, "output_price_per_m_tokens": 15.0, "cached_share": 0.3,
    "cached_input_price_per_m_tokens": 0.3, "large_model_cost": 0.01, "small_model_cost": 0.001,
    "small_model_share": 0.5, "cache_hit_rate": 0.2, "cache_hit_cost": 0.0001, "training_cost": 8.8e6,
    "lifetime_tokens": 1e13, "marginal_cost_per_m_tokens": 0.35, "fixed_cost": 1000.0, "price_per_unit": 3.0,
    "cost_per_unit": 0.35, "annual_decline": 0.5, "years": 2.0, "cost_per_m_tokens_at_full_load": 0.35,
    "api_price_per_m_tokens": 3.0, "monthly_saving": 100.0, "price": 3.0, "cost_per_query": 0.002,
    "queries_per_user_per_month": 300.0, "users": 1000.0, "cogs_per_user": 2.0, "arpu": 20.0, "revenue": 100.0,
    "cogs": 30.0, "cache_write_share": 0.2, "cache_write_price_per_m_tokens": 3.75, "reasoning_tokens": 200.0,
    "batch_discount": 0.5,
}
ENERGY_GPU = 700.0  # ENERGY_COST reads gpu as board power [W] (H100 SXM, NVIDIA 2022)

#: Values each rule refuses (costlib.rules.RULES).
REFUSED = {"positive": [0.0, -1.0], "non_negative": [-2.0], "fraction": [1.4, 0.0], "share": [1.5, -0.1],
           "share_below_one": [1.0], "at_least_one": [0.5], "finite": []}

BLANK = None


def _functions():
    table = twins()
    return [spec for spec in costlib_udfs.FUNCTIONS if spec.target.__name__ in table and not spec.pick]


def _cases():
    """(function, argument values as cells, argument texts or None for cell references, label)."""
    out = []
    for spec in _functions():
        described = arguments_of(spec.target)
        # the arguments a workbook cannot compute (API_COST_PER_QUERY's model: genai-prices) stay blank, as omitted;
        # a call that gives one is frozen with its reason, not inlined (tests/test_models_in_excel.py)
        beyond = set(twins()[spec.target.__name__].unrendered)
        valid = [BLANK if a in beyond else ENERGY_GPU if (spec.name == "ENERGY_COST" and a == "gpu") else VALID[a]
                 for a in spec.arguments]
        out.append((spec, valid, None, "valid"))
        for k, name in enumerate(spec.arguments):
            if name in beyond:
                continue
            rule = described[name].rule if name != "gpu" else "positive"
            for bad in [BLANK, "abc", True, *REFUSED.get(rule or "finite", [])]:
                if name == "gpu" and bad == "abc":
                    continue  # a name in a gpu cell is frozen, not inlined: its own case below
                values = list(valid)
                values[k] = bad
                out.append((spec, values, None, f"{name}={bad!r}"))
    by = {s.name: s for s in costlib_udfs.FUNCTIONS}
    no = [(by["BREAKEVEN"], [1000.0, 0.3, 0.35], None, "no break-even"),
          (by["BREAKEVEN"], [1000.0, 0.35, 0.35], None, "cost equals price"),
          (by["BREAKEVEN_AFTER_DECLINE"], [1000.0, 3.0, 1.0, 0.5, 2.0], None, "price falls below cost"),
          (by["UTILIZATION_BREAKEVEN"], [5.0, 3.0], None, "full load costs more"),
          (by["MONTHS_TO_BREAKEVEN"], [1000.0, 0.0], None, "no saving"),
          (by["MONTHS_TO_BREAKEVEN"], [1000.0, -5.0], None, "a loss")]
    literal = [(by["TRAIN_COST"], [70e9, 15e12, 2.0, BLANK, 1.4], ["A{r}", "B{r}", "C{r}", "", "1.4"], "mfu 1.4 typed"),
               (by["TRAIN_COST"], [70e9, 15e12, -2.0], ["A{r}", "B{r}", "-2"], "price -2 typed"),
               (by["BREAKEVEN"], [-1000.0, 3.0, 0.35], ["-1000", "3", "0.35"], "BREAKEVEN(-1000,3,0.35)"),
               (by["TRAIN_COST"], [70e9, 15e12, 2.0, BLANK, BLANK], ["A{r}", "B{r}", "C{r}", "", "Inputs!B11"],
                "blank override on another sheet"),
               (by["TRAIN_COST"], [70e9, 15e12, 2.0, "A100", 0.5], ["A{r}", "B{r}", "C{r}", '"A100"', "0.5"], "gpu typed"),
               (by["TRAIN_COST"], [70e9, 15e12, 2.0, "H100", 0.4], ["Params", "Tokens", "Price", "GPU", "MFU"],
                "defined names, a GPU name among them"),
               (by["TOKEN_COST"], [2.5, 2000.0], ["Inputs!B1", "Inputs!B2"], "cross-sheet"),
               (by["API_COST_PER_QUERY"], [1000.0, 500.0, 3.0, 15.0, 0.5, BLANK],
                ["A{r}", "B{r}", "C{r}", "D{r}", "E{r}", "F{r}"], "cached price blank: the input price")]
    return out + no + literal


INPUTS = {"B1": 2.5, "B2": 2000.0, "B3": 70e9, "B4": 15e12, "B5": 2.0, "B6": "H100", "B7": 0.4}  # Inputs!B11 blank
NAMES = {"Params": "Inputs!$B$3", "Tokens": "Inputs!$B$4", "Price": "Inputs!$B$5", "GPU": "Inputs!$B$6",
         "MFU": "Inputs!$B$7"}
ARRAY_ROWS = [(70e9, 15e12, 2.0, 0.4), (8e9, 2e12, 2.0, BLANK), (1e9, 5e11, 2.0, 1.4)]


def _expected(spec, values):
    """What the add-in's cell shows: a number, or the Excel error code."""
    try:
        result = costlib_udfs.evaluate(spec, tuple(values))
    except costlib_udfs.CellError as exc:
        return exc.excel_error
    return result


#: the cells a case's arguments sit in: every column but H (the call) and I (its label)
ARGUMENT_COLUMNS = [c for c in "ABCDEFGJKLMNOPQRSTUVW"]


def build(path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Cases")
    inputs = wb.add_worksheet("Inputs")
    for ref, value in INPUTS.items():
        inputs.write(ref, value)
    for name, ref in NAMES.items():
        wb.define_name(name, "=" + ref)
    expected = {}
    for i, (spec, values, texts, label) in enumerate(_cases()):
        r = i + 2
        assert len(values) <= len(ARGUMENT_COLUMNS), spec.name
        for col, value in zip(ARGUMENT_COLUMNS, values):
            if value is not None:
                ws.write(f"{col}{r}", value)
        if texts is None:
            texts = [f"{col}{{r}}" for col in ARGUMENT_COLUMNS[:len(values)]]
        args = ",".join(t.format(r=r) for t in texts)
        ws.write_formula(f"H{r}", f"={spec.name}({args})", None, 0)
        ws.write(f"I{r}", label)
        expected[f"H{r}"] = (_expected(spec, values), f"{spec.name}({args}) {label}")
    # an array formula: each row its own value or error, as the add-in spills it
    first = len(_cases()) + 3
    for k, (p, t, price, mfu) in enumerate(ARRAY_ROWS):
        for col, value in zip("ABCE", (p, t, price, mfu)):
            if value is not None:
                ws.write(f"{col}{first + k}", value)
    last = first + len(ARRAY_ROWS) - 1
    ws.write_array_formula(f"H{first}:H{last}",
                           f"{{=TRAIN_COST(A{first}:A{last},B{first}:B{last},C{first}:C{last},,E{first}:E{last})}}")
    spec = next(s for s in costlib_udfs.FUNCTIONS if s.name == "TRAIN_COST")
    grid = costlib_udfs.evaluate(spec, ([[p] for p, *_ in ARRAY_ROWS], [[t] for _, t, *_ in ARRAY_ROWS],
                                        [[c] for _, _, c, _ in ARRAY_ROWS], None, [[m] for *_, m in ARRAY_ROWS]))
    for k, (value,) in enumerate(grid):
        expected[f"H{first + k}"] = (value.excel_error if isinstance(value, costlib_udfs.CellError) else value,
                                     f"array row {k + 1}")
    wb.close()
    return expected


def _same(got, want) -> bool:
    if isinstance(want, str):
        return got == want
    return isinstance(got, (int, float)) and not isinstance(got, bool) and math.isclose(got, want, rel_tol=1e-9)


@pytest.mark.parametrize("engine", recalc.ENGINES)
def test_every_inlined_cell_shows_what_the_add_in_shows(tmp_path, engine):
    from openpyxl import load_workbook

    model = tmp_path / "cases.xlsx"
    expected = build(model)
    out = tmp_path / "inlined.xlsx"
    done = {c.cell: (c.action, note) for c, note in mx.inline(model, out)}
    assert len(done) == len(expected) - len(ARRAY_ROWS) + 1 and not any(a == "left" for a, _ in done.values())
    # the GPU name held in a defined name cannot be a number in a native formula: frozen, its reason said
    named = next(c for c, (_, note) in done.items() if "GPU holds a catalogue name" in note)
    assert done[named][0] == "frozen"
    converted = recalc.convert([out], tmp_path / engine, engine=engine)[0]
    ws = load_workbook(converted, data_only=True)["Cases"]
    wrong = [(ref, what, want, ws[ref].value) for ref, (want, what) in expected.items()
             if not _same(ws[ref].value, want)]
    assert wrong == []
    errors = {want for want, _ in expected.values() if isinstance(want, str)}
    assert errors == {"#VALUE!", "#NUM!", "#N/A"}  # the table reaches every error the add-in gives
