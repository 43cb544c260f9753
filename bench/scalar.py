"""Scalar: one call with Python floats (the fast path) against a bare Python function of the
same formula, and against the 0-d array path the fast path replaced.

``python bench/scalar.py [--quick]`` prints this section; bench/run.py runs it with the others.
See bench/README.md for what each column means.
"""

from __future__ import annotations

import math
import statistics
import sys

from _timing import fmt_s, md_table, measure
from engine import PEAK_H100_BF16, engine_inputs


SECTION = "scalar"
#: Goal name -> what it asks; :func:`goals` says whether a run meets it.
GOALS = {
    "scalar_vs_bare": "scalar train_cost / token_cost / breakeven within 25x of a bare Python function (no checks)",
}

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


def run(quick: bool = False, tiny: bool = False) -> dict:
    """One call per scenario with Python floats: costlib's fast path vs the bare formula.

    Three arms, timed in alternation (so drift on a busy machine hits each alike) over the
    same 1,000 distinct argument tuples: costlib as a user calls it; the bare Python
    formula; costlib with the fast path switched off (the 0-d array path every scalar took
    before it), to show what the fast path saves.
    """
    import costlib
    from costlib import _args

    n_cases = 20 if tiny else SCALAR_CASES
    bare = _bare_python()
    cases = _scalar_cases(n_cases)
    rounds = 1 if tiny else 5 if quick else 11
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
                samples[arm].append(measure(f, repeat=1, warmup=1, min_time=0.01)["median_s"] / n_cases)
        med = {arm: statistics.median(s) for arm, s in samples.items()}
        rows.append({
            "section": SECTION, "function": name, "cases": n_cases, "rounds": rounds,
            "costlib_per_call_s": med["costlib"], "bare_per_call_s": med["bare"],
            "array_path_per_call_s": med["array_path"], "ratio_vs_bare": med["costlib"] / med["bare"],
            "speedup_vs_array_path": med["array_path"] / med["costlib"], "same_numbers": same,
            "timing": {arm: {"median_s": med[arm], "min_s": min(s), "max_s": max(s), "samples": len(s)}
                       for arm, s in samples.items()},
        })
        print(f"  scalar {name:<10} costlib {fmt_s(med['costlib']):>9}  bare {fmt_s(med['bare']):>9}  "
              f"{rows[-1]['ratio_vs_bare']:.1f}x bare   0-d array path {fmt_s(med['array_path']):>9} "
              f"(x{rows[-1]['speedup_vs_array_path']:.1f})", flush=True)
    return {"section": SECTION, "results": rows, "agree": all(r["same_numbers"] for r in rows)}




def goals(results: list[dict]) -> dict:
    out = {}
    sca = [r for r in results if r["section"] == "scalar"]
    if sca:
        w = max(sca, key=lambda r: r["ratio_vs_bare"])
        out["scalar_vs_bare"] = {"met": w["ratio_vs_bare"] <= 25.0,
                                   "worst": f"{w['function']}: {w['ratio_vs_bare']:.1f}x bare "
                                            f"({fmt_s(w['costlib_per_call_s'])} a call)"}
    return out


def table(results: list[dict]) -> list[str]:
    out = []
    sca = [r for r in results if r["section"] == "scalar"]
    if sca:
        out += md_table("**Scalar** (one call with Python floats, median per call over 1,000 distinct "
                         "scenarios)", ["function", "costlib", "bare Python", "vs bare", "0-d array path",
                                        "fast path saves"],
                         [[f"`{r['function']}`", fmt_s(r['costlib_per_call_s']), fmt_s(r['bare_per_call_s']),
                           f"{r['ratio_vs_bare']:.1f}x", fmt_s(r['array_path_per_call_s']),
                           f"x{r['speedup_vs_array_path']:.1f}"] for r in sca])
    return out


if __name__ == "__main__":
    print("\n".join(table(run(quick="--quick" in sys.argv)["results"])))
