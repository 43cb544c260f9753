"""Engine: N scenarios through one vectorised costlib call, against a per-scenario Python loop and
bare numpy.

``python bench/engine.py [--quick]`` prints this section; bench/run.py runs it with the others.
See bench/README.md for what each column means.
"""

from __future__ import annotations

import gc
import sys

import numpy as np

from _timing import fmt_s, md_table, measure

SECTION = "engine"
#: Goal name -> what it asks; :func:`goals` says whether a run meets it.
GOALS = {
    "engine_vs_loop": ">= 100x faster than a per-scenario Python loop (every N, every function)",
    "engine_vs_bare": "within 2x of the bare numpy expression at N = 1e6",
    "engine_linear": "per-row time grows no faster than bare numpy's from 1e6 to 1e7 rows (within 1.25x of it)",
}

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


def run(quick: bool = False, tiny: bool = False) -> dict:
    """Vectorised costlib calls against bare numpy and a per-scenario loop, N = 1e3 to 1e7 rows.

    ``tiny``: N = 1,000 only, two samples an arm (bench/README.md's figures need the full run).
    """
    sizes = [10**3] if tiny else [10**3, 10**4, 10**5, 10**6] + ([] if quick else [10**7])
    rows = []
    loop_cache: dict[tuple[str, int], dict] = {}
    for n in sizes:
        inputs = engine_inputs(n)
        for name in ("train_cost", "token_cost", "breakeven"):
            vec, bare, one, cols = engine_arms(name, inputs[name])
            # same numbers from both arms (a sanity check of the floor, not a test)
            same = bool(np.allclose(vec(), bare(), rtol=1e-12))
            repeat = 2 if tiny else 3 if n >= 10**7 else (5 if quick else 9)
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

                loop_cache[key] = measure(loop, repeat=2 if tiny else 3 if quick else 5, min_time=0)
            t_loop_rows = loop_cache[key]["median_s"]
            t_loop = t_loop_rows / k * n
            rows.append({
                "section": SECTION, "function": name, "n": n,
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
    return {"section": SECTION, "results": rows, "agree": all(r["same_numbers"] for r in rows)}


def goals(results: list[dict]) -> dict:
    out = {}
    eng = [r for r in results if r["section"] == SECTION]
    if eng:
        worst = min(eng, key=lambda r: r["speedup_vs_loop"])
        out["engine_vs_loop"] = {"met": worst["speedup_vs_loop"] >= 100,
                                   "worst": f"{worst['function']} N={worst['n']:,}: x{worst['speedup_vs_loop']:,.0f}"}
        at6 = [r for r in eng if r["n"] == 10**6]
        if at6:
            w = max(at6, key=lambda r: r["ratio_vs_bare"])
            out["engine_vs_bare"] = {"met": w["ratio_vs_bare"] <= 2.0,
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
            out["engine_linear"] = {"met": rel <= 1.25,
                                      "worst": f"{f}: per-row time 1e6 -> {n:,} rows x{g:.2f} (bare numpy x{gb:.2f})"}
    return out


def table(results: list[dict]) -> list[str]:
    eng = [r for r in results if r["section"] == SECTION]
    if eng:
        return md_table("**Engine** (median; loop marked * is timed on 10,000 rows and scaled linearly)",
                         ["function", "N", "vectorised", "per row", "bare numpy", "vs bare", "Python loop", "vs loop"],
                         [[f"`{r['function']}`", f"{r['n']:,}", fmt_s(r['vectorised_s']),
                           fmt_s(r['vectorised_per_row_s']), fmt_s(r['bare_numpy_s']), f"{r['ratio_vs_bare']:.2f}x",
                           fmt_s(r['loop_s']) + ("*" if r['loop_scaled'] else ""), f"x{r['speedup_vs_loop']:,.0f}"]
                          for r in eng])
    return []


if __name__ == "__main__":
    print("\n".join(table(run(quick="--quick" in sys.argv)["results"])))
