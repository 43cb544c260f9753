"""The Excel functions where modellers feel their speed: whole columns and one bad cell.

``python bench/addin.py [--quick]``. Every call goes through xlwings's own custom-function
machinery (``xlwings.server.custom_functions_call``, what xlwings Lite and Server run when a
cell recalculates), with the arguments shaped as Excel sends them. Two comparisons, each
measured side by side in one run:

1. **Whole columns.** ``=TOKEN_COST(A:A, B:B)``: two columns of 1,048,576 cells whose first
   ``USED`` rows hold data, against its floor: the same call on the used rows alone, plus
   what the runtime itself costs to hand the two whole columns over and a whole column back
   (a trivial function over the same arguments, returning its first argument). Goal: within
   2x of that floor, and blanks (not errors) past the data.
2. **One bad cell.** A 100,000-row ``TRAIN_COST`` with one bad cell, against the same call
   with every cell good. Two kinds of bad cell: text the reader refuses (``"abc"``) and a
   value costlib itself refuses (an MFU of 1.4). Goal: within 2x of all-good.

Figures are medians after a warm-up; each result says whether its arms agree (the same
numbers where both have one). Nothing asserts: goals are reported as met or missed.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_ON_SERVER", "true")  # xlwings's custom-function machinery (as the tests)
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import asyncio  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "addin"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import numpy as np  # noqa: E402
import xlwings as xw  # noqa: E402
from xlwings import server  # noqa: E402

import costlib_udfs  # noqa: E402

EXCEL_ROWS = 1_048_576  # rows of a worksheet column (Excel 2007 and later)
GOAL = 2.0


def _median(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _call(module, name: str, *args):
    data = {"func_name": name, "args": [a if isinstance(a, list) else [[a]] for a in args],
            "version": xw.__version__, "client": "Office.js", "runtime": "1.4", "caller_address": None}
    return asyncio.run(server.custom_functions_call(data, module))


def _trivial_module():
    """The runtime's own floor: a function on the same raw arguments that computes nothing."""
    mod = types.ModuleType("bench_addin_trivial")

    @xw.func
    @xw.arg("a", "raw")
    @xw.arg("b", "raw")
    @xw.ret(costlib_udfs._Cells)
    def TRIVIAL(a, b):  # noqa: N802
        return a

    TRIVIAL.__module__ = mod.__name__
    mod.TRIVIAL = TRIVIAL
    return mod


def whole_columns(used: int, repeat: int) -> dict:
    rng = np.random.default_rng(0)
    prices = rng.uniform(1, 4, used).tolist()
    speeds = rng.uniform(500, 3000, used).tolist()
    column_a = [[p] for p in prices] + [[None]] * (EXCEL_ROWS - used)  # Office.js: an empty cell is null
    column_b = [[s] for s in speeds] + [[None]] * (EXCEL_ROWS - used)
    trivial = _trivial_module()
    whole = _call(costlib_udfs, "TOKEN_COST", column_a, column_b)
    part = _call(costlib_udfs, "TOKEN_COST", column_a[:used], column_b[:used])
    blanks = all(row == [""] for row in whole[used:])
    agree = len(whole) == EXCEL_ROWS and blanks and all(
        math.isclose(w[0], p[0], rel_tol=1e-15) for w, p in zip(whole[:used], part))
    t_whole = _median(lambda: _call(costlib_udfs, "TOKEN_COST", column_a, column_b), repeat)
    t_used = _median(lambda: _call(costlib_udfs, "TOKEN_COST", column_a[:used], column_b[:used]), repeat)
    t_handover = _median(lambda: _call(trivial, "TRIVIAL", column_a, column_b), repeat)
    floor = t_used + t_handover
    return {"case": f"TOKEN_COST(A:A, B:B), {used:,} used rows of {EXCEL_ROWS:,}", "whole_column_s": t_whole,
            "used_rows_s": t_used, "handover_s": t_handover, "floor_s": floor, "ratio": t_whole / floor,
            "goal": GOAL, "met": t_whole / floor <= GOAL, "blanks_past_the_data": blanks,
            "errors_past_the_data": sum(isinstance(r[0], dict) for r in whole[used:]), "agree": agree}


def one_bad_cell(rows: int, bad, where: str, repeat: int) -> dict:
    rng = np.random.default_rng(1)
    params = rng.uniform(1e9, 1e11, rows)
    mfu = rng.uniform(0.3, 0.5, rows)
    good_params = [[p] for p in params.tolist()]
    good_mfu = [[m] for m in mfu.tolist()]
    bad_params, bad_mfu = list(good_params), list(good_mfu)
    i = rows // 2
    if where == "params":
        bad_params[i] = [bad]
    else:
        bad_mfu[i] = [bad]

    def call(p, m):
        return _call(costlib_udfs, "TRAIN_COST", p, 15e12, 2.0, None, m)

    good = call(good_params, good_mfu)
    one_bad = call(bad_params, bad_mfu)
    agree = isinstance(one_bad[i][0], dict) and all(
        math.isclose(a[0], b[0], rel_tol=1e-15) for k, (a, b) in enumerate(zip(good, one_bad)) if k != i)
    t_good = _median(lambda: call(good_params, good_mfu), repeat)
    t_bad = _median(lambda: call(bad_params, bad_mfu), repeat)
    return {"case": f"TRAIN_COST over {rows:,} rows, {where} cell {i + 1} = {bad!r}", "all_good_s": t_good,
            "one_bad_s": t_bad, "ratio": t_bad / t_good, "goal": GOAL, "met": t_bad / t_good <= GOAL,
            "error_cell": one_bad[i][0], "agree": agree}


def run(quick: bool = False) -> dict:
    repeat = 3 if quick else 7
    used = 1_000 if quick else 10_000
    rows = 10_000 if quick else 100_000
    results = [whole_columns(used, repeat),
               one_bad_cell(rows, "abc", "params", repeat),
               one_bad_cell(rows, 1.4, "mfu", repeat)]
    return {"section": "addin", "results": results, "agree": all(r["agree"] for r in results)}


if __name__ == "__main__":
    out = run(quick="--quick" in sys.argv)
    for r in out["results"]:
        if "floor_s" in r:
            print(f"{r['case']}: {r['whole_column_s']:.3f} s against the floor {r['floor_s']:.3f} s "
                  f"(used rows {r['used_rows_s']:.3f} s + handover {r['handover_s']:.3f} s): x{r['ratio']:.2f}, "
                  f"goal <= x{r['goal']:g} {'met' if r['met'] else 'MISSED'}; blanks past the data: "
                  f"{r['blanks_past_the_data']}, error cells there: {r['errors_past_the_data']}")
        else:
            print(f"{r['case']}: {r['one_bad_s']:.3f} s against all good {r['all_good_s']:.3f} s: "
                  f"x{r['ratio']:.2f}, goal <= x{r['goal']:g} {'met' if r['met'] else 'MISSED'}; "
                  f"the bad cell: {r['error_cell']}")
    print(json.dumps({"section": out["section"], "agree": out["agree"]}))
