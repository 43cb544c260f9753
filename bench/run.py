"""costlib's measured-speed benchmark: ``python bench/run.py [--quick] [--only SECTION ...]``.

Six sections, each a comparison of things measured side by side in the same run:

1. engine     vectorised costlib call vs a per-scenario Python loop and vs bare numpy
1b. scalar    one call with Python floats (the fast path) vs a bare Python function of the
              same formula, and vs the 0-d array path the fast path replaced
2. addin      one 10,000-row range call vs 10,000 single-cell calls, both through
              xlwings's custom-function machinery (``xlwings.server``); costlib's own share
              of a single-cell call
3. generator  ``costlib.workbook.generate`` vs an openpyxl write-only floor; LibreOffice
              recalculation time
4. startup    ``costlib --help`` / ``costlib templates`` vs ``python -c pass``
5. simulate   ``costlib.simulate`` of the budget's key outputs, 100,000 draws in one call, vs
              the same draws evaluated one at a time (``costlib.plan.schedule`` and the bare
              evaluator) in a loop; growth from 1e3 to 1e6 draws

Every figure is the median of several timed runs after a warm-up. The table is printed
and everything (machine info included) goes to ``bench/results.json``. This is a
benchmark, not a test: nothing here asserts; goals are reported as met or missed.
See bench/README.md.
"""

from __future__ import annotations

import os

# xlwings's custom-function machinery is only active when these are set before xlwings
# is first imported (the same as the test suite's conftest.py).
os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"

import argparse  # noqa: E402
import asyncio  # noqa: E402
import datetime as dt  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"

# --------------------------------------------------------------------------- timing


def measure(fn, repeat: int = 5, warmup: int = 1, min_time: float = 0.02) -> dict:
    """Median seconds per call of ``fn`` over ``repeat`` samples, after ``warmup`` calls.

    A sample times ``number`` back-to-back calls, ``number`` chosen during the warm-up so
    that one sample lasts at least ``min_time`` (so a 50 us call is not timed alone).
    """
    for _ in range(max(warmup, 1)):
        t0 = time.perf_counter()
        fn()
        once = time.perf_counter() - t0
    number = 1 if once >= min_time else min(10_000, math.ceil(min_time / max(once, 1e-9)))
    samples = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples.append((time.perf_counter() - t0) / number)
    finally:
        if gc_was:
            gc.enable()
    return {"median_s": statistics.median(samples), "min_s": min(samples), "max_s": max(samples),
            "repeat": repeat, "number": number}


def fmt_s(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e9:.1f} ns"


# --------------------------------------------------------------------------- machine


def machine_info() -> dict:
    import openpyxl
    import pandas
    import xlwings

    import costlib

    lo = None
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe:
        try:
            lo = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            lo = None
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": mem_gb,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pandas.__version__,
        "openpyxl": openpyxl.__version__,
        "xlwings": xlwings.__version__,
        "costlib": costlib.__version__,
        "libreoffice": lo,
    }


# --------------------------------------------------------------------------- 1. engine

PEAK_H100_BF16 = 989.4  # TFLOP/s, dense; the catalogue's H100 figure
LOOP_SUBSAMPLE = 10_000


def engine_inputs(n: int, seed: int = 0) -> dict:
    """Random but realistic scenarios: log-uniform model sizes and token counts, market prices."""
    rng = np.random.default_rng(seed)
    loguniform = lambda lo, hi: np.exp(rng.uniform(np.log(lo), np.log(hi), n))  # noqa: E731
    return {
        "train_cost": dict(params=loguniform(1e8, 1e12), tokens=loguniform(1e10, 3e13),
                           price_per_gpu_hour=rng.uniform(1.0, 6.0, n), mfu=rng.uniform(0.2, 0.6, n)),
        "token_cost": dict(price_per_gpu_hour=rng.uniform(1.0, 6.0, n),
                           tokens_per_second=loguniform(200, 10_000), utilization=rng.uniform(0.05, 1.0, n)),
        # about one scenario in ten has cost >= price: no break-even (inf)
        "breakeven": dict(fixed_cost=loguniform(1e3, 1e7), price_per_unit=rng.uniform(0.5, 20.0, n),
                          cost_per_unit=rng.uniform(0.05, 12.0, n)),
    }


def engine_arms(name: str, a: dict):
    """(vectorised costlib call, bare numpy floor, per-row scalar call) for function ``name``."""
    import costlib

    if name == "train_cost":
        P, D, price, mfu = a["params"], a["tokens"], a["price_per_gpu_hour"], a["mfu"]
        vec = lambda: costlib.train_cost(P, D, price, gpu="H100", mfu=mfu)  # noqa: E731
        bare = lambda: 6 * P * D / (PEAK_H100_BF16 * 1e12 * mfu) / 3600 * price  # noqa: E731
        one = lambda p, d, pr, m: costlib.train_cost(p, d, pr, gpu="H100", mfu=m)  # noqa: E731
        cols = (P, D, price, mfu)
    elif name == "token_cost":
        price, tps, util = a["price_per_gpu_hour"], a["tokens_per_second"], a["utilization"]
        vec = lambda: costlib.token_cost(price, tps, util)  # noqa: E731
        bare = lambda: price / (tps * 3600 * util) * 1e6  # noqa: E731
        one = costlib.token_cost
        cols = (price, tps, util)
    else:
        F, p, c = a["fixed_cost"], a["price_per_unit"], a["cost_per_unit"]

        def bare():
            d = p - c
            return np.divide(F, d, out=np.full_like(F, np.inf), where=d > 0)

        vec = lambda: costlib.breakeven(F, p, c)  # noqa: E731
        one = costlib.breakeven
        cols = (F, p, c)
    return vec, bare, one, cols


def bench_engine(quick: bool) -> list[dict]:
    sizes = [10**3, 10**4, 10**5, 10**6] + ([] if quick else [10**7])
    rows = []
    loop_cache: dict[tuple[str, int], dict] = {}
    for n in sizes:
        inputs = engine_inputs(n)
        for name in ("train_cost", "token_cost", "breakeven"):
            vec, bare, one, cols = engine_arms(name, inputs[name])
            # same numbers from both arms (a sanity check of the floor, not a test)
            same = bool(np.allclose(vec(), bare(), rtol=1e-12))
            repeat = 3 if n >= 10**7 else (5 if quick else 9)
            t_vec = measure(vec, repeat=repeat)
            t_bare = measure(bare, repeat=repeat)
            # the loop: every row for N <= 1e4, a 1e4-row subsample scaled linearly above
            k = min(n, LOOP_SUBSAMPLE)
            key = (name, k)
            if key not in loop_cache:
                scalars = list(zip(*(c[:k].tolist() for c in cols)))

                def loop(scalars=scalars, one=one):
                    for args in scalars:
                        one(*args)

                loop_cache[key] = measure(loop, repeat=3 if quick else 5, min_time=0)
            t_loop_rows = loop_cache[key]["median_s"]
            t_loop = t_loop_rows / k * n
            rows.append({
                "section": "engine", "function": name, "n": n,
                "vectorised_s": t_vec["median_s"], "bare_numpy_s": t_bare["median_s"],
                "loop_s": t_loop, "loop_rows_timed": k, "loop_scaled": k < n,
                "vectorised_per_row_s": t_vec["median_s"] / n, "bare_per_row_s": t_bare["median_s"] / n,
                "loop_per_row_s": t_loop_rows / k,
                "speedup_vs_loop": t_loop / t_vec["median_s"],
                "ratio_vs_bare": t_vec["median_s"] / t_bare["median_s"],
                "same_numbers": same, "timing": {"vectorised": t_vec, "bare": t_bare, "loop": loop_cache[key]},
            })
            print(f"  engine {name:<10} N={n:>9,}  vec {fmt_s(t_vec['median_s']):>9}  "
                  f"bare {fmt_s(t_bare['median_s']):>9}  loop {fmt_s(t_loop):>9}"
                  f"{'*' if k < n else ' '}  x{rows[-1]['speedup_vs_loop']:,.0f} vs loop  "
                  f"{rows[-1]['ratio_vs_bare']:.2f}x bare", flush=True)
        del inputs
        gc.collect()
    return rows


# --------------------------------------------------------------------------- 1b. scalar

SCALAR_CASES = 1_000


def _bare_python() -> dict:
    """The same formulas in plain Python, no checks and no catalogue: a scalar call's floor."""
    peak = PEAK_H100_BF16 * 1e12

    def train_cost(params, tokens, price, gpu, mfu):  # gpu: the H100, as a constant
        return 6.0 * params * tokens / (peak * mfu) / 3600.0 * price

    def token_cost(price, tps, util):
        return 1e6 / (tps * 3600.0 * util) * price

    def breakeven(fixed, price, cost):
        margin = price - cost
        return fixed / margin if margin > 0 else math.inf

    return {"train_cost": train_cost, "token_cost": token_cost, "breakeven": breakeven}


def _scalar_cases(n: int) -> dict:
    """``n`` argument tuples of Python floats per function, from the engine's scenarios."""
    inputs = engine_inputs(n, seed=2)
    t, k, b = inputs["train_cost"], inputs["token_cost"], inputs["breakeven"]
    return {
        "train_cost": list(zip(t["params"].tolist(), t["tokens"].tolist(), t["price_per_gpu_hour"].tolist(),
                               ["H100"] * n, t["mfu"].tolist())),
        "token_cost": list(zip(k["price_per_gpu_hour"].tolist(), k["tokens_per_second"].tolist(),
                               k["utilization"].tolist())),
        "breakeven": list(zip(b["fixed_cost"].tolist(), b["price_per_unit"].tolist(), b["cost_per_unit"].tolist())),
    }


def bench_scalar(quick: bool) -> list[dict]:
    """One call per scenario with Python floats: costlib's fast path vs the bare formula.

    Three arms, timed in alternation (so drift on a busy machine hits each alike) over the
    same 1,000 distinct argument tuples: costlib as a user calls it; the bare Python
    formula; costlib with the fast path switched off (the 0-d array path every scalar took
    before it), to show what the fast path saves.
    """
    import costlib
    from costlib import _args

    bare = _bare_python()
    cases = _scalar_cases(SCALAR_CASES)
    rounds = 5 if quick else 11
    rows = []
    for name, args_list in cases.items():
        fn, floor = getattr(costlib, name), bare[name]
        same = all(math.isclose(fn(*a), floor(*a), rel_tol=1e-12) or fn(*a) == floor(*a) for a in args_list)

        def loop(f=fn):
            for a in args_list:
                f(*a)

        def loop_bare(f=floor):
            for a in args_list:
                f(*a)

        def loop_array_path(f=fn):
            saved = _args._plain_scalars
            _args._plain_scalars = lambda like, named: None
            try:
                for a in args_list:
                    f(*a)
            finally:
                _args._plain_scalars = saved

        samples: dict[str, list[float]] = {"costlib": [], "bare": [], "array_path": []}
        for _ in range(rounds):
            for arm, f in (("costlib", loop), ("bare", loop_bare), ("array_path", loop_array_path)):
                samples[arm].append(measure(f, repeat=1, warmup=1, min_time=0.01)["median_s"] / SCALAR_CASES)
        med = {arm: statistics.median(s) for arm, s in samples.items()}
        rows.append({
            "section": "scalar", "function": name, "cases": SCALAR_CASES, "rounds": rounds,
            "costlib_per_call_s": med["costlib"], "bare_per_call_s": med["bare"],
            "array_path_per_call_s": med["array_path"], "ratio_vs_bare": med["costlib"] / med["bare"],
            "speedup_vs_array_path": med["array_path"] / med["costlib"], "same_numbers": same,
            "timing": {arm: {"median_s": med[arm], "min_s": min(s), "max_s": max(s), "samples": len(s)}
                       for arm, s in samples.items()},
        })
        print(f"  scalar {name:<10} costlib {fmt_s(med['costlib']):>9}  bare {fmt_s(med['bare']):>9}  "
              f"{rows[-1]['ratio_vs_bare']:.1f}x bare   0-d array path {fmt_s(med['array_path']):>9} "
              f"(x{rows[-1]['speedup_vs_array_path']:.1f})", flush=True)
    return rows


# --------------------------------------------------------------------------- 2. add-in

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


def bench_addin(quick: bool) -> list[dict]:
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
    cases = _addin_cases(ADDIN_ROWS)
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
        t_range = measure(lambda: asyncio.run(one_range(range_data, module)), repeat=5 if quick else 9)
        # warm-up on a slice; then the 10,000 single-cell calls, in one event loop per sample
        asyncio.run(many_cells(single_data[:500], module))
        t_single = measure(lambda: asyncio.run(many_cells(single_data, module)), repeat=3 if quick else 5,
                           warmup=0 if not quick else 0, min_time=0)
        rows.append({
            "section": "addin", "function": func, "rows": ADDIN_ROWS,
            "range_call_s": t_range["median_s"], "single_calls_s": t_single["median_s"],
            "per_single_call_s": t_single["median_s"] / ADDIN_ROWS,
            "per_row_in_range_s": t_range["median_s"] / ADDIN_ROWS,
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

            t_layer = measure(layer, repeat=3 if quick else 5, min_time=0)
            t_engine = measure(engine, repeat=3 if quick else 5, min_time=0)
            per_call = t_single["median_s"] / ADDIN_ROWS
            rows[-1].update({
                "addin_layer_per_call_s": t_layer["median_s"] / ADDIN_ROWS,
                "engine_per_call_s": t_engine["median_s"] / ADDIN_ROWS,
                "costlib_share": t_layer["median_s"] / ADDIN_ROWS / per_call,
                "engine_share": t_engine["median_s"] / ADDIN_ROWS / per_call,
            })
            rows[-1]["timing"].update({"addin_layer": t_layer, "engine": t_engine})
            share = (f"   costlib {rows[-1]['costlib_share']:.0%} of a single call "
                     f"(engine {rows[-1]['engine_share']:.0%})")
        print(f"  addin {func:<10} 1 x {ADDIN_ROWS:,} rows {fmt_s(t_range['median_s']):>9}   "
              f"{ADDIN_ROWS:,} x 1 cell {fmt_s(t_single['median_s']):>9}   x{rows[-1]['speedup']:.1f}{share}",
              flush=True)
    # growth: one range call from 1e3 to 1e6 rows (single-cell calls are measured at 10,000)
    for n in (1_000, 10_000, 100_000) if quick else (1_000, 10_000, 100_000, 1_000_000):
        data = _xl_data("TOKEN_COST", _addin_cases(n)["TOKEN_COST"][0])
        t = measure(lambda: asyncio.run(one_range(data, costlib_udfs)), repeat=3 if n >= 100_000 else 7)
        rows.append({"section": "addin_growth", "function": "TOKEN_COST", "rows": n,
                     "range_call_s": t["median_s"], "per_row_s": t["median_s"] / n, "timing": t})
        print(f"  addin growth TOKEN_COST range of {n:>9,} rows {fmt_s(t['median_s']):>9}  "
              f"{fmt_s(t['median_s'] / n)} per row", flush=True)
    return rows


# --------------------------------------------------------------------------- 3. generator


def _cells_of(data: bytes) -> list[tuple[str, list[list]]]:
    """Every sheet's cells (values and formula strings) of a generated workbook, in order."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        out.append((ws.title, rows))
    return out


def _write_floor(sheets, path) -> None:
    """The floor: the same cells, same sheets, openpyxl write-only, no styles/charts/names."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def _write_values_only(sheets, path) -> None:
    """Same sheets and cell positions, every formula replaced by a number: LO's load/save cost."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([1.0 if isinstance(v, str) and v.startswith("=") else v for v in row])
    wb.save(path)


def _lo_time(path: Path, repeat: int) -> dict:
    """Seconds of one LibreOffice start that opens, recalculates and saves ``path`` (one file per start)."""
    from costlib.workbook.recalc import convert

    def run():
        with tempfile.TemporaryDirectory(prefix="bench-lo-out-") as out:
            convert([path], out, "xlsx")

    return measure(run, repeat=repeat, warmup=1, min_time=0)


def _count_cells(sheets) -> tuple[int, int]:
    cells = formulas = 0
    for _, rows in sheets:
        for row in rows:
            for v in row:
                if v is not None:
                    cells += 1
                    formulas += isinstance(v, str) and v.startswith("=")
    return cells, formulas


def bench_generator(quick: bool, with_lo: bool) -> list[dict]:
    from costlib.workbook import generate, render
    from costlib.plan import load_template, template_names

    budget = load_template("budget")
    maximum = budget.input("months").maximum
    wanted = [12, 36, 120, 600]
    months_list = sorted({min(m, maximum) for m in wanted})
    cases = [("budget", {"months": m}, f"months={m}") for m in months_list]
    cases += [(name, None, "defaults") for name in template_names() if name != "budget"]
    # budget at its defaults (36 months) is already among the growth cases
    default_months = budget.input("months").default
    rows = []
    lo_repeat = 2 if quick else 3
    gen_repeat = 5 if quick else 9
    with tempfile.TemporaryDirectory(prefix="bench-gen-") as tmpdir:
        tmp = Path(tmpdir)
        lo_empty = None
        if with_lo:
            empty = tmp / "empty.xlsx"
            _write_floor([("Sheet", [[1.0]])], empty)
            lo_empty = _lo_time(empty, lo_repeat)
            print(f"  LibreOffice start-up (one-cell workbook): {fmt_s(lo_empty['median_s'])}", flush=True)
        for template, overrides, label in cases:
            data = render(template, overrides)
            sheets = _cells_of(data)  # not timed
            cells, formulas = _count_cells(sheets)
            out = tmp / f"{template}-{label.replace('=', '')}.xlsx"
            floor_path = tmp / f"floor-{template}-{label.replace('=', '')}.xlsx"
            t_gen = measure(lambda: generate(template, overrides, out, force=True), repeat=gen_repeat)
            t_render = measure(lambda: render(template, overrides), repeat=gen_repeat)
            t_floor = measure(lambda: _write_floor(sheets, floor_path), repeat=gen_repeat)
            row = {
                "section": "generator", "template": template, "case": label,
                "months": (overrides or {}).get("months", default_months if template == "budget" else None),
                "cells": cells, "formulas": formulas, "file_bytes": out.stat().st_size,
                "floor_file_bytes": floor_path.stat().st_size,
                "generate_s": t_gen["median_s"], "render_s": t_render["median_s"], "floor_s": t_floor["median_s"],
                "ratio_vs_floor": t_gen["median_s"] / t_floor["median_s"],
                "timing": {"generate": t_gen, "render": t_render, "floor": t_floor},
            }
            if template == "budget":
                row["months"] = overrides["months"]
            if with_lo:
                values_path = tmp / f"values-{template}-{label.replace('=', '')}.xlsx"
                _write_values_only(sheets, values_path)
                t_lo = _lo_time(out, lo_repeat)
                t_lo_values = _lo_time(values_path, lo_repeat)
                row.update({
                    "lo_generated_s": t_lo["median_s"], "lo_values_only_s": t_lo_values["median_s"],
                    "lo_startup_s": lo_empty["median_s"],
                    "lo_recalc_s": max(t_lo["median_s"] - t_lo_values["median_s"], 0.0),
                    "values_only_file_bytes": values_path.stat().st_size,
                })
                row["timing"].update({"lo_generated": t_lo, "lo_values_only": t_lo_values})
            rows.append(row)
            lo_text = (f"  LO {fmt_s(row['lo_generated_s']):>8} (values-only {fmt_s(row['lo_values_only_s'])})"
                       if with_lo else "")
            print(f"  generator {template:<18} {label:<11} {cells:>6,} cells {row['file_bytes'] / 1024:>6.0f} KiB  "
                  f"gen {fmt_s(t_gen['median_s']):>9}  floor {fmt_s(t_floor['median_s']):>9}  "
                  f"{row['ratio_vs_floor']:.2f}x{lo_text}", flush=True)
    return rows


# --------------------------------------------------------------------------- 4. start-up


def bench_startup(quick: bool) -> list[dict]:
    exe = shutil.which("costlib")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "costlib --help": [exe, "--help"] if exe else [sys.executable, "-m", "costlib", "--help"],
        "costlib templates": [exe, "templates"] if exe else [sys.executable, "-m", "costlib", "templates"],
    }
    runs = 5 if quick else 11
    samples: dict[str, list[float]] = {k: [] for k in commands}
    env = {**os.environ}
    for cmd in commands.values():  # warm-up: the file cache
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    for _ in range(runs):  # round-robin, so drift hits every command alike
        for name, cmd in commands.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
            samples[name].append(time.perf_counter() - t0)
    base = statistics.median(samples["python -c pass"])
    rows = []
    for name, s in samples.items():
        med = statistics.median(s)
        rows.append({"section": "startup", "command": name, "median_s": med, "min_s": min(s), "max_s": max(s),
                     "runs": runs, "over_python_s": med - base})
        print(f"  startup {name:<18} {fmt_s(med):>9}  (+{fmt_s(med - base)} over python)", flush=True)
    return rows


# --------------------------------------------------------------------------- 5. simulate

#: Uncertain inputs of the budget for the simulation section: (low, base, high) around the defaults.
SIMULATE_RANGES = {"mfu": (0.3, 0.4, 0.5), "train_price_per_gpu_hour": (1.8, 2.0, 3.0),
                   "utilization": (0.1, 0.2, 0.4), "serve_price_per_gpu_hour": (2.0, 2.5, 3.5),
                   "monthly_growth": (0.02, 0.05, 0.08)}
SIMULATE_DRAWS = 100_000
SIMULATE_LOOP = 200  # single evaluations timed in the loop; the per-draw time is scaled to 100,000


def bench_simulate(quick: bool) -> list[dict]:
    from costlib import simulate
    from costlib.cli import _key_outputs
    from costlib.plan import evaluate_template, schedule
    from costlib.plan import load_template, resolve_inputs

    t = load_template("budget")
    outputs = _key_outputs(t)
    run = lambda n: simulate(t, SIMULATE_RANGES, n=n, outputs=outputs)  # noqa: E731
    sim = run(SIMULATE_DRAWS)
    draws = [{k: float(sim.samples[k].iloc[i]) for k in sim.inputs} for i in range(SIMULATE_LOOP)]
    resolved = [resolve_inputs(t, d) for d in draws]  # the bare evaluator's inputs, resolved untimed

    def loop_schedule():
        return [schedule(t, d).items for d in draws]

    def loop_evaluator():
        return [evaluate_template(t, dict(v))[0] for v in resolved]

    # same numbers from the one call and the loop (a sanity check, not a test)
    looped = loop_schedule()
    same = all(np.isclose(sim.samples[o].iloc[i], v if isinstance(v, float) else np.inf, rtol=1e-9)
               for i, items in enumerate(looped) for o, v in items.items() if o in outputs)
    repeat = 3 if quick else 5
    t_vec = measure(lambda: run(SIMULATE_DRAWS), repeat=repeat, min_time=0)
    t_sched = measure(loop_schedule, repeat=3, min_time=0)
    t_eval = measure(loop_evaluator, repeat=3, min_time=0)
    per_draw = t_vec["median_s"] / SIMULATE_DRAWS
    sched_draw, eval_draw = t_sched["median_s"] / SIMULATE_LOOP, t_eval["median_s"] / SIMULATE_LOOP
    rows = [{"section": "simulate", "template": "budget", "n": SIMULATE_DRAWS, "inputs": list(SIMULATE_RANGES),
             "outputs": len(outputs), "months": t.length(resolve_inputs(t)),
             "simulate_s": t_vec["median_s"], "per_draw_s": per_draw,
             "schedule_per_draw_s": sched_draw, "evaluator_per_draw_s": eval_draw, "loop_draws_timed": SIMULATE_LOOP,
             "schedule_loop_scaled_s": sched_draw * SIMULATE_DRAWS, "evaluator_loop_scaled_s": eval_draw * SIMULATE_DRAWS,
             "speedup_vs_schedule": sched_draw / per_draw, "speedup_vs_evaluator": eval_draw / per_draw,
             "same_numbers": bool(same), "timing": {"simulate": t_vec, "schedule_loop": t_sched,
                                                    "evaluator_loop": t_eval}}]
    r = rows[0]
    print(f"  simulate budget {SIMULATE_DRAWS:,} draws x {len(outputs)} outputs  {fmt_s(r['simulate_s']):>9}  "
          f"({fmt_s(per_draw)} a draw)  loop: schedule {fmt_s(sched_draw)} a draw (x{r['speedup_vs_schedule']:,.0f}), "
          f"evaluator {fmt_s(eval_draw)} a draw (x{r['speedup_vs_evaluator']:,.0f})", flush=True)
    del sim
    gc.collect()
    for n in (10**3, 10**4, 10**5, 10**6):
        t_n = measure(lambda n=n: run(n), repeat=1 if n >= 10**6 and quick else 3, min_time=0)
        rows.append({"section": "simulate_growth", "template": "budget", "n": n, "simulate_s": t_n["median_s"],
                     "per_draw_s": t_n["median_s"] / n, "timing": t_n})
        print(f"  simulate growth N={n:>9,}  {fmt_s(t_n['median_s']):>9}  ({fmt_s(t_n['median_s'] / n)} a draw)",
              flush=True)
        gc.collect()
    return rows


# --------------------------------------------------------------------------- goals and table

GOALS = {
    "engine_vs_loop": ">= 100x faster than a per-scenario Python loop (every N, every function)",
    "engine_vs_bare": "within 2x of the bare numpy expression at N = 1e6",
    "engine_linear": "per-row time grows no faster than bare numpy's from 1e6 to 1e7 rows (within 1.25x of it)",
    "scalar_vs_bare": "scalar train_cost / token_cost / breakeven within 25x of a bare Python function (no checks)",
    "addin_range": ">= 50x: one 10,000-row range call vs 10,000 single-cell calls",
    "generator_floor": "generate() within 3x of the openpyxl write-only floor (every case)",
    "generator_linear": "budget 12 -> largest months: linear or better (log-log slope 120 -> max <= 1.1)",
    "startup": "costlib --help and costlib templates at most 0.3 s over python -c pass",
    "simulate_seconds": "100,000 draws of the budget's key outputs in seconds (at most 10 s)",
    "simulate_vs_loop": ">= 100x faster a draw than the same draws through costlib.plan.schedule in a loop",
    "simulate_linear": "per-draw time 1e5 -> 1e6 draws grows at most 1.5x",
}


def evaluate_goals(results: list[dict]) -> dict:
    goals = {}
    eng = [r for r in results if r["section"] == "engine"]
    if eng:
        worst = min(eng, key=lambda r: r["speedup_vs_loop"])
        goals["engine_vs_loop"] = {"met": worst["speedup_vs_loop"] >= 100,
                                   "worst": f"{worst['function']} N={worst['n']:,}: x{worst['speedup_vs_loop']:,.0f}"}
        at6 = [r for r in eng if r["n"] == 10**6]
        if at6:
            w = max(at6, key=lambda r: r["ratio_vs_bare"])
            goals["engine_vs_bare"] = {"met": w["ratio_vs_bare"] <= 2.0,
                                       "worst": f"{w['function']}: {w['ratio_vs_bare']:.2f}x bare"}
        lin = []
        for f in sorted({r["function"] for r in eng}):
            rs = sorted((r for r in eng if r["function"] == f), key=lambda r: r["n"])
            mid = next((r for r in rs if r["n"] == 10**6), None)
            if mid and rs[-1]["n"] > mid["n"]:
                grow = rs[-1]["vectorised_per_row_s"] / mid["vectorised_per_row_s"]
                grow_bare = rs[-1]["bare_per_row_s"] / mid["bare_per_row_s"]
                lin.append((grow / grow_bare, grow, grow_bare, f, rs[-1]["n"]))
        if lin:
            rel, g, gb, f, n = max(lin)
            goals["engine_linear"] = {"met": rel <= 1.25,
                                      "worst": f"{f}: per-row time 1e6 -> {n:,} rows x{g:.2f} (bare numpy x{gb:.2f})"}
    sca = [r for r in results if r["section"] == "scalar"]
    if sca:
        w = max(sca, key=lambda r: r["ratio_vs_bare"])
        goals["scalar_vs_bare"] = {"met": w["ratio_vs_bare"] <= 25.0,
                                   "worst": f"{w['function']}: {w['ratio_vs_bare']:.1f}x bare "
                                            f"({fmt_s(w['costlib_per_call_s'])} a call)"}
    add = [r for r in results if r["section"] == "addin" and not r.get("diagnostic")]
    if add:
        w = min(add, key=lambda r: r["speedup"])
        goals["addin_range"] = {"met": w["speedup"] >= 50, "worst": f"{w['function']}: x{w['speedup']:.1f}"}
    gen = [r for r in results if r["section"] == "generator"]
    if gen:
        w = max(gen, key=lambda r: r["ratio_vs_floor"])
        goals["generator_floor"] = {"met": w["ratio_vs_floor"] <= 3.0,
                                    "worst": f"{w['template']} {w['case']}: {w['ratio_vs_floor']:.2f}x floor"}
        bud = sorted((r for r in gen if r["template"] == "budget"), key=lambda r: r["months"])
        mid = next((r for r in bud if r["months"] == 120), None)
        if mid and bud[-1]["months"] > 120:
            slope = math.log(bud[-1]["generate_s"] / mid["generate_s"]) / math.log(bud[-1]["months"] / 120)
            goals["generator_linear"] = {"met": slope <= 1.1,
                                         "worst": f"slope {slope:.2f} (120 -> {bud[-1]['months']} months); "
                                                  f"{bud[-1]['generate_s'] / bud[0]['generate_s']:.1f}x time for "
                                                  f"{bud[-1]['months'] / bud[0]['months']:.0f}x months"}
    st = [r for r in results if r["section"] == "startup" and r["command"] != "python -c pass"]
    if st:
        w = max(st, key=lambda r: r["over_python_s"])
        goals["startup"] = {"met": w["over_python_s"] <= 0.3, "worst": f"{w['command']}: +{w['over_python_s']:.3f} s"}
    sim = [r for r in results if r["section"] == "simulate"]
    if sim:
        r = sim[0]
        goals["simulate_seconds"] = {"met": r["simulate_s"] <= 10.0,
                                     "worst": f"{r['n']:,} draws x {r['outputs']} outputs: {fmt_s(r['simulate_s'])}"}
        goals["simulate_vs_loop"] = {"met": r["speedup_vs_schedule"] >= 100,
                                     "worst": f"x{r['speedup_vs_schedule']:,.0f} vs schedule, "
                                              f"x{r['speedup_vs_evaluator']:,.0f} vs the bare evaluator"}
    growth = {r["n"]: r for r in results if r["section"] == "simulate_growth"}
    if 10**5 in growth and 10**6 in growth:
        g = growth[10**6]["per_draw_s"] / growth[10**5]["per_draw_s"]
        goals["simulate_linear"] = {"met": g <= 1.5, "worst": f"per-draw time 1e5 -> 1e6 x{g:.2f}"}
    for k in goals:
        goals[k]["goal"] = GOALS[k]
    return goals


def _md_table(title: str, columns: list[str], lines: list[list[str]], text_columns: int = 1) -> list[str]:
    """A titled markdown table; the first ``text_columns`` columns left-aligned, the rest right."""
    align = ["---"] * text_columns + ["---:"] * (len(columns) - text_columns)
    return [title, "", "| " + " | ".join(columns) + " |", "|" + "|".join(align) + "|",
            *("| " + " | ".join(line) + " |" for line in lines), ""]


def markdown_tables(results: list[dict], goals: dict, info: dict) -> str:
    out = [f"Machine: {info['cpu_count']} cores ({info.get('cpu_model') or 'unknown CPU'}), "
           f"{info.get('memory_gb')} GB; Python {info['python']}, numpy {info['numpy']}, pandas {info['pandas']}, "
           f"openpyxl {info['openpyxl']}, xlwings {info['xlwings']}, {info.get('libreoffice') or 'no LibreOffice'}; "
           f"{info['date']}.", ""]
    def section(name):
        return [r for r in results if r["section"] == name]

    if eng := section("engine"):
        out += _md_table("**Engine** (median; loop marked * is timed on 10,000 rows and scaled linearly)",
                         ["function", "N", "vectorised", "per row", "bare numpy", "vs bare", "Python loop", "vs loop"],
                         [[f"`{r['function']}`", f"{r['n']:,}", fmt_s(r['vectorised_s']),
                           fmt_s(r['vectorised_per_row_s']), fmt_s(r['bare_numpy_s']), f"{r['ratio_vs_bare']:.2f}x",
                           fmt_s(r['loop_s']) + ("*" if r['loop_scaled'] else ""), f"x{r['speedup_vs_loop']:,.0f}"]
                          for r in eng])
    if sca := section("scalar"):
        out += _md_table("**Scalar** (one call with Python floats, median per call over 1,000 distinct "
                         "scenarios)", ["function", "costlib", "bare Python", "vs bare", "0-d array path",
                                        "fast path saves"],
                         [[f"`{r['function']}`", fmt_s(r['costlib_per_call_s']), fmt_s(r['bare_per_call_s']),
                           f"{r['ratio_vs_bare']:.1f}x", fmt_s(r['array_path_per_call_s']),
                           f"x{r['speedup_vs_array_path']:.1f}"] for r in sca])
    if add := section("addin"):
        out += _md_table("**Add-in** through `xlwings.server.custom_functions_call` (10,000 rows)",
                         ["function", "1 call, 10,000-row range", "10,000 single-cell calls", "per single call",
                          "speed-up", "costlib's share of a single call (engine)"],
                         [["IDENTITY (pass-through, default converters)" if r.get("diagnostic") else
                           f"`{r['function']}`", fmt_s(r['range_call_s']), fmt_s(r['single_calls_s']),
                           fmt_s(r['per_single_call_s']), f"x{r['speedup']:.1f}",
                           "-" if "costlib_share" not in r else
                           f"{fmt_s(r['addin_layer_per_call_s'])}, {r['costlib_share']:.0%} "
                           f"({fmt_s(r['engine_per_call_s'])}, {r['engine_share']:.0%})"] for r in add])
    if growth := section("addin_growth"):
        out += _md_table("**Add-in growth**: one `TOKEN_COST` range call", ["rows", "1 call", "per row"],
                         [[f"{r['rows']:,}", fmt_s(r['range_call_s']), fmt_s(r['per_row_s'])] for r in growth])
    if gen := section("generator"):
        lo = "lo_generated_s" in gen[0]
        columns = ["template", "case", "cells (formulas)", "file", "generate", "floor", "vs floor"]
        columns += ["LO total", "LO values-only", "LO recalc ≈"] if lo else []
        lines = [[r['template'], r['case'], f"{r['cells']:,} ({r['formulas']:,})", f"{r['file_bytes'] / 1024:.0f} KiB",
                  fmt_s(r['generate_s']), fmt_s(r['floor_s']), f"{r['ratio_vs_floor']:.2f}x"]
                 + ([fmt_s(r['lo_generated_s']), fmt_s(r['lo_values_only_s']), fmt_s(r['lo_recalc_s'])] if lo else [])
                 for r in gen]
        out += _md_table("**Generator** (generate = render + atomic write; floor = same cells in openpyxl "
                         "write-only mode)", columns, lines, text_columns=2)
        if lo:
            out += [f"LibreOffice start-up (one-cell workbook, open + save): {fmt_s(gen[0]['lo_startup_s'])}.", ""]
    if st := section("startup"):
        out += _md_table("**Start-up** (subprocess, median of %d runs)" % st[0]["runs"],
                         ["command", "median", "over `python -c pass`"],
                         [[f"`{r['command']}`", fmt_s(r['median_s']),
                           "-" if r["command"] == "python -c pass" else f"+{fmt_s(max(r['over_python_s'], 0))}"]
                          for r in st])
    if sim := section("simulate"):
        out += _md_table("**Simulate**: the budget's key outputs, one call against single evaluations in a loop "
                         f"(the loop timed on {sim[0]['loop_draws_timed']} draws, per draw)",
                         ["draws", "inputs", "outputs", "one call", "per draw", "schedule loop, per draw", "vs schedule",
                          "bare evaluator, per draw", "vs evaluator"],
                         [[f"{r['n']:,}", str(len(r['inputs'])), str(r['outputs']), fmt_s(r['simulate_s']),
                           fmt_s(r['per_draw_s']), fmt_s(r['schedule_per_draw_s']), f"x{r['speedup_vs_schedule']:,.0f}",
                           fmt_s(r['evaluator_per_draw_s']), f"x{r['speedup_vs_evaluator']:,.0f}"] for r in sim],
                         text_columns=0)
    if growth := section("simulate_growth"):
        out += _md_table("**Simulate growth**: one `costlib.simulate` call of the budget", ["draws", "1 call", "per draw"],
                         [[f"{r['n']:,}", fmt_s(r['simulate_s']), fmt_s(r['per_draw_s'])] for r in growth])
    if goals:
        out += _md_table("**Goals**", ["goal", "result", "worst case"],
                         [[g["goal"], "met" if g["met"] else "**missed**", g["worst"]] for g in goals.values()],
                         text_columns=3)
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller, faster run (no N=1e7, fewer repeats)")
    parser.add_argument("--only", nargs="+", choices=["engine", "scalar", "addin", "generator", "startup", "simulate"],
                        help="run only these sections")
    parser.add_argument("--no-lo", action="store_true", help="skip the LibreOffice recalculation timings")
    parser.add_argument("--output", default=str(RESULTS), help="where to write the JSON (default bench/results.json)")
    parser.add_argument("--rerender", action="store_true",
                        help="re-evaluate the goals and reprint the table of an existing --output file")
    args = parser.parse_args(argv)
    if args.rerender:
        payload = json.loads(Path(args.output).read_text(encoding="utf-8"))
        payload["goals"] = evaluate_goals(payload["results"])
        payload["table_markdown"] = markdown_tables(payload["results"], payload["goals"], payload["machine"])
        Path(args.output).write_text(json.dumps(payload, indent=2, default=float) + "\n", encoding="utf-8")
        print(payload["table_markdown"])
        return 0
    sections = args.only or ["engine", "scalar", "addin", "generator", "startup", "simulate"]
    with_lo = not args.no_lo and bool(shutil.which("soffice") or shutil.which("libreoffice"))

    info = machine_info()
    print(f"costlib benchmark{' (quick)' if args.quick else ''}: {info['cpu_count']} cores, Python {info['python']}, "
          f"numpy {info['numpy']}, openpyxl {info['openpyxl']}, xlwings {info['xlwings']}", flush=True)
    t0 = time.perf_counter()
    results: list[dict] = []
    if "engine" in sections:
        results += bench_engine(args.quick)
    if "scalar" in sections:
        results += bench_scalar(args.quick)
    if "addin" in sections:
        results += bench_addin(args.quick)
    if "generator" in sections:
        results += bench_generator(args.quick, with_lo)
    if "startup" in sections:
        results += bench_startup(args.quick)
    if "simulate" in sections:
        results += bench_simulate(args.quick)
    goals = evaluate_goals(results)
    table = markdown_tables(results, goals, info)
    print()
    print(table)
    payload = {"machine": info, "quick": args.quick, "sections": sections, "libreoffice_timed": with_lo,
               "wall_s": time.perf_counter() - t0, "goals": goals, "results": results, "table_markdown": table}
    Path(args.output).write_text(json.dumps(payload, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({payload['wall_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
