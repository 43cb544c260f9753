"""Excel calls: one range call of 10,000 rows against 10,000 single-cell calls, both through
xlwings's custom-function machinery (``xlwings.server``); costlib's own share of a
single-cell call; a range call's growth from 1e3 to 1e6 rows.

``python bench/excel_calls.py [--quick]`` prints this section; bench/run.py runs it with the others.
See bench/README.md for what each column means.
"""

from __future__ import annotations

import os

# xlwings's custom-function machinery is only active when these are set before xlwings
# is first imported (the same as the test suite's conftest.py).
os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import asyncio  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import types  # noqa: E402

import numpy as np  # noqa: E402

from _timing import fmt_s, md_table, measure  # noqa: E402


SECTION = "excel_calls"
GROWTH = "excel_calls_growth"  # the rows of one range call's growth
#: Goal name -> what it asks; :func:`goals` says whether a run meets it.
GOALS = {
    "addin_range": ">= 50x: one 10,000-row range call vs 10,000 single-cell calls",
}

ADDIN_ROWS = 10_000


def _xl_data(func: str, args: list) -> dict:
    import xlwings

    return {"func_name": func, "args": args, "version": xlwings.__version__, "client": "Office.js",
            "runtime": "1.4", "caller_address": None}


def _addin_cases(n: int) -> dict:
    rng = np.random.default_rng(1)
    price = np.round(rng.uniform(1.0, 6.0, n), 2).tolist()
    tps = np.round(np.exp(rng.uniform(np.log(200), np.log(10_000), n))).tolist()
    params = np.round(np.exp(rng.uniform(np.log(1e8), np.log(1e12), n)), -6).tolist()
    tokens = np.round(np.exp(rng.uniform(np.log(1e10), np.log(3e13), n)), -8).tolist()
    col = lambda xs: [[x] for x in xs]  # noqa: E731  a column range: [[v1], [v2], ...]
    return {
        "TOKEN_COST": (
            [col(price), col(tps), [[0.6]]],
            [[[[p]], [[t]], [[0.6]]] for p, t in zip(price, tps)],
        ),
        "TRAIN_COST": (
            [col(params), col(tokens), col(price), [["H100"]], [[0.4]]],
            [[[[a]], [[b]], [[p]], [["H100"]], [[0.4]]] for a, b, p in zip(params, tokens, price)],
        ),
    }


def _identity_module():
    """A pass-through custom function on xlwings's default converters (ndim=2), which costlib_udfs
    does not use: it shows what per-cell conversion would cost without the raw converters."""
    import xlwings as xw

    mod = types.ModuleType("bench_identity_udfs")

    @xw.func
    @xw.arg("a", ndim=2)
    @xw.arg("b", ndim=2)
    @xw.arg("c", ndim=2)
    def IDENTITY(a, b, c):  # noqa: N802
        return a

    IDENTITY.__module__ = mod.__name__
    mod.IDENTITY = IDENTITY
    return mod


def run(quick: bool = False, tiny: bool = False) -> dict:
    """One range call of many rows against as many single-cell calls, through xlwings's machinery."""
    from xlwings import server

    import costlib_udfs

    call = server.custom_functions_call

    async def one_range(data, module):
        return await call(data, module)

    async def many_cells(datas, module):
        out = []
        for d in datas:  # one event loop, the calls awaited in sequence
            out.append(await call(d, module))
        return out

    rows = []
    n_rows = 50 if tiny else ADDIN_ROWS
    cases = _addin_cases(n_rows)
    identity = _identity_module()
    cases["IDENTITY"] = (cases["TOKEN_COST"][0], cases["TOKEN_COST"][1])
    for func, (range_args, single_args) in cases.items():
        module = identity if func == "IDENTITY" else costlib_udfs
        name = "IDENTITY" if func == "IDENTITY" else func
        range_data = _xl_data(name, range_args)
        single_data = [_xl_data(name, a) for a in single_args]
        # sanity: the two arms give the same numbers
        got_range = asyncio.run(one_range(range_data, module))
        got_single = asyncio.run(many_cells(single_data[:50], module))
        same = all(math.isclose(r[0], s[0][0], rel_tol=1e-12) for r, s in zip(got_range[:50], got_single))
        t_range = measure(lambda: asyncio.run(one_range(range_data, module)), repeat=2 if tiny else 5 if quick else 9)
        # warm-up on a slice; then the 10,000 single-cell calls, in one event loop per sample
        asyncio.run(many_cells(single_data[:500], module))
        t_single = measure(lambda: asyncio.run(many_cells(single_data, module)), repeat=1 if tiny else 3 if quick else 5,
                           warmup=0, min_time=0)
        rows.append({
            "section": SECTION, "function": func, "rows": n_rows,
            "range_call_s": t_range["median_s"], "single_calls_s": t_single["median_s"],
            "per_single_call_s": t_single["median_s"] / n_rows,
            "per_row_in_range_s": t_range["median_s"] / n_rows,
            "speedup": t_single["median_s"] / t_range["median_s"], "same_numbers": same,
            "diagnostic": func == "IDENTITY",
            "timing": {"range": t_range, "single": t_single},
        })
        share = ""
        if func != "IDENTITY":
            # costlib's own share of a single-cell call: the add-in layer (cells in, costlib
            # called, cells out: costlib_udfs.evaluate) and, inside it, the engine function
            spec = costlib_udfs.BY_NAME[func]
            values = [[cell[0][0] for cell in a] for a in single_args]

            def layer(spec=spec):
                for a in single_args:
                    costlib_udfs.evaluate(spec, tuple(a))

            def engine(spec=spec):
                for v in values:
                    spec.target(**dict(zip(spec.arguments, v)))

            t_layer = measure(layer, repeat=1 if tiny else 3 if quick else 5, min_time=0)
            t_engine = measure(engine, repeat=1 if tiny else 3 if quick else 5, min_time=0)
            per_call = t_single["median_s"] / n_rows
            rows[-1].update({
                "addin_layer_per_call_s": t_layer["median_s"] / n_rows,
                "engine_per_call_s": t_engine["median_s"] / n_rows,
                "costlib_share": t_layer["median_s"] / n_rows / per_call,
                "engine_share": t_engine["median_s"] / n_rows / per_call,
            })
            rows[-1]["timing"].update({"addin_layer": t_layer, "engine": t_engine})
            share = (f"   costlib {rows[-1]['costlib_share']:.0%} of a single call "
                     f"(engine {rows[-1]['engine_share']:.0%})")
        print(f"  excel calls {func:<10} 1 x {n_rows:,} rows {fmt_s(t_range['median_s']):>9}   "
              f"{n_rows:,} x 1 cell {fmt_s(t_single['median_s']):>9}   x{rows[-1]['speedup']:.1f}{share}",
              flush=True)
    # growth: one range call from 1e3 to 1e6 rows (single-cell calls are measured at 10,000)
    for n in (100,) if tiny else (1_000, 10_000, 100_000) if quick else (1_000, 10_000, 100_000, 1_000_000):
        data = _xl_data("TOKEN_COST", _addin_cases(n)["TOKEN_COST"][0])
        t = measure(lambda: asyncio.run(one_range(data, costlib_udfs)), repeat=3 if n >= 100_000 else 7)
        rows.append({"section": GROWTH, "function": "TOKEN_COST", "rows": n,
                     "range_call_s": t["median_s"], "per_row_s": t["median_s"] / n, "timing": t})
        print(f"  excel calls growth TOKEN_COST range of {n:>9,} rows {fmt_s(t['median_s']):>9}  "
              f"{fmt_s(t['median_s'] / n)} per row", flush=True)
    return {"section": SECTION, "results": rows, "agree": all(r["same_numbers"] for r in rows if "same_numbers" in r)}




def goals(results: list[dict]) -> dict:
    out = {}
    add = [r for r in results if r["section"] == SECTION and not r.get("diagnostic")]
    if add:
        w = min(add, key=lambda r: r["speedup"])
        out["addin_range"] = {"met": w["speedup"] >= 50, "worst": f"{w['function']}: x{w['speedup']:.1f}"}
    return out


def table(results: list[dict]) -> list[str]:
    out = []
    add = [r for r in results if r["section"] == SECTION]
    if add:
        out += md_table("**Add-in** through `xlwings.server.custom_functions_call` (10,000 rows)",
                         ["function", "1 call, 10,000-row range", "10,000 single-cell calls", "per single call",
                          "speed-up", "costlib's share of a single call (engine)"],
                         [["IDENTITY (pass-through, default converters)" if r.get("diagnostic") else
                           f"`{r['function']}`", fmt_s(r['range_call_s']), fmt_s(r['single_calls_s']),
                           fmt_s(r['per_single_call_s']), f"x{r['speedup']:.1f}",
                           "-" if "costlib_share" not in r else
                           f"{fmt_s(r['addin_layer_per_call_s'])}, {r['costlib_share']:.0%} "
                           f"({fmt_s(r['engine_per_call_s'])}, {r['engine_share']:.0%})"] for r in add])
    growth = [r for r in results if r["section"] == GROWTH]
    if growth:
        out += md_table("**Add-in growth**: one `TOKEN_COST` range call", ["rows", "1 call", "per row"],
                         [[f"{r['rows']:,}", fmt_s(r['range_call_s']), fmt_s(r['per_row_s'])] for r in growth])
    return out


if __name__ == "__main__":
    print("\n".join(table(run(quick="--quick" in sys.argv)["results"])))
