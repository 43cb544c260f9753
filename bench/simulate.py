"""Simulate: ``costlib.simulate`` of the budget's key outputs, 100,000 draws in one call, against
the same draws evaluated one at a time (``costlib.plan.schedule`` and the bare evaluator) in
a loop; growth from 1e3 to 1e6 draws.

``python bench/simulate.py [--quick]`` prints this section; bench/run.py runs it with the others.
See bench/README.md for what each column means.
"""

from __future__ import annotations

import gc
import sys

import numpy as np

from _timing import fmt_s, md_table, measure
from costlib import simulate
from costlib.plan import evaluate_template, load_template, resolve_inputs, schedule


SECTION = "simulate"
#: Goal name -> what it asks; :func:`goals` says whether a run meets it.
GOALS = {
    "simulate_seconds": "100,000 draws of the budget's key outputs in seconds (at most 10 s)",
    "simulate_vs_loop": ">= 100x faster a draw than the same draws through costlib.plan.schedule in a loop",
    "simulate_linear": "per-draw time 1e5 -> 1e6 draws grows at most 1.5x",
}

#: Uncertain inputs of the budget for the simulation section: (low, base, high) around the defaults.
SIMULATE_RANGES = {"mfu": (0.3, 0.4, 0.5), "train_price_per_gpu_hour": (1.8, 2.0, 3.0),
                   "utilization": (0.1, 0.2, 0.4), "serve_price_per_gpu_hour": (2.0, 2.5, 3.5),
                   "monthly_growth": (0.02, 0.05, 0.08)}
SIMULATE_DRAWS = 100_000
SIMULATE_LOOP = 200  # single evaluations timed in the loop; the per-draw time is scaled to 100,000


def run(quick: bool = False, tiny: bool = False) -> dict:
    """``costlib.simulate`` of the budget's key outputs in one call against the same draws one at a time."""
    draws_n, loop_n = (1_000, 5) if tiny else (SIMULATE_DRAWS, SIMULATE_LOOP)
    t = load_template("budget")
    outputs = t.key_numbers
    run = lambda n: simulate(t, SIMULATE_RANGES, n=n, outputs=outputs)  # noqa: E731
    sim = run(draws_n)
    draws = [{k: float(sim.samples[k].iloc[i]) for k in sim.inputs} for i in range(loop_n)]
    resolved = [resolve_inputs(t, d) for d in draws]  # the bare evaluator's inputs, resolved untimed

    def loop_schedule():
        return [schedule(t, d).items for d in draws]

    def loop_evaluator():
        return [evaluate_template(t, dict(v))[0] for v in resolved]

    # same numbers from the one call and the loop (a sanity check, not a test)
    looped = loop_schedule()
    same = all(np.isclose(sim.samples[o].iloc[i], v if isinstance(v, float) else np.inf, rtol=1e-9)
               for i, items in enumerate(looped) for o, v in items.items() if o in outputs)
    repeat = 1 if tiny else 3 if quick else 5
    t_vec = measure(lambda: run(draws_n), repeat=repeat, min_time=0)
    t_sched = measure(loop_schedule, repeat=1 if tiny else 3, min_time=0)
    t_eval = measure(loop_evaluator, repeat=1 if tiny else 3, min_time=0)
    per_draw = t_vec["median_s"] / draws_n
    sched_draw, eval_draw = t_sched["median_s"] / loop_n, t_eval["median_s"] / loop_n
    rows = [{"section": SECTION, "template": "budget", "n": draws_n, "inputs": list(SIMULATE_RANGES),
             "outputs": len(outputs), "months": t.length(resolve_inputs(t)),
             "simulate_s": t_vec["median_s"], "per_draw_s": per_draw,
             "schedule_per_draw_s": sched_draw, "evaluator_per_draw_s": eval_draw, "loop_draws_timed": loop_n,
             "schedule_loop_scaled_s": sched_draw * draws_n, "evaluator_loop_scaled_s": eval_draw * draws_n,
             "speedup_vs_schedule": sched_draw / per_draw, "speedup_vs_evaluator": eval_draw / per_draw,
             "same_numbers": bool(same), "timing": {"simulate": t_vec, "schedule_loop": t_sched,
                                                    "evaluator_loop": t_eval}}]
    r = rows[0]
    print(f"  simulate budget {draws_n:,} draws x {len(outputs)} outputs  {fmt_s(r['simulate_s']):>9}  "
          f"({fmt_s(per_draw)} a draw)  loop: schedule {fmt_s(sched_draw)} a draw (x{r['speedup_vs_schedule']:,.0f}), "
          f"evaluator {fmt_s(eval_draw)} a draw (x{r['speedup_vs_evaluator']:,.0f})", flush=True)
    del sim
    gc.collect()
    for n in (10**3,) if tiny else (10**3, 10**4, 10**5, 10**6):
        t_n = measure(lambda n=n: run(n), repeat=1 if n >= 10**6 and quick else 3, min_time=0)
        rows.append({"section": "simulate_growth", "template": "budget", "n": n, "simulate_s": t_n["median_s"],
                     "per_draw_s": t_n["median_s"] / n, "timing": t_n})
        print(f"  simulate growth N={n:>9,}  {fmt_s(t_n['median_s']):>9}  ({fmt_s(t_n['median_s'] / n)} a draw)",
              flush=True)
        gc.collect()
    return {"section": SECTION, "results": rows, "agree": rows[0]["same_numbers"]}




def goals(results: list[dict]) -> dict:
    out = {}
    sim = [r for r in results if r["section"] == "simulate"]
    if sim:
        r = sim[0]
        out["simulate_seconds"] = {"met": r["simulate_s"] <= 10.0,
                                     "worst": f"{r['n']:,} draws x {r['outputs']} outputs: {fmt_s(r['simulate_s'])}"}
        out["simulate_vs_loop"] = {"met": r["speedup_vs_schedule"] >= 100,
                                     "worst": f"x{r['speedup_vs_schedule']:,.0f} vs schedule, "
                                              f"x{r['speedup_vs_evaluator']:,.0f} vs the bare evaluator"}
    growth = {r["n"]: r for r in results if r["section"] == "simulate_growth"}
    if 10**5 in growth and 10**6 in growth:
        g = growth[10**6]["per_draw_s"] / growth[10**5]["per_draw_s"]
        out["simulate_linear"] = {"met": g <= 1.5, "worst": f"per-draw time 1e5 -> 1e6 x{g:.2f}"}
    return out


def table(results: list[dict]) -> list[str]:
    out = []
    sim = [r for r in results if r["section"] == "simulate"]
    if sim:
        out += md_table("**Simulate**: the budget's key outputs, one call against single evaluations in a loop "
                         f"(the loop timed on {sim[0]['loop_draws_timed']} draws, per draw)",
                         ["draws", "inputs", "outputs", "one call", "per draw", "schedule loop, per draw", "vs schedule",
                          "bare evaluator, per draw", "vs evaluator"],
                         [[f"{r['n']:,}", str(len(r['inputs'])), str(r['outputs']), fmt_s(r['simulate_s']),
                           fmt_s(r['per_draw_s']), fmt_s(r['schedule_per_draw_s']), f"x{r['speedup_vs_schedule']:,.0f}",
                           fmt_s(r['evaluator_per_draw_s']), f"x{r['speedup_vs_evaluator']:,.0f}"] for r in sim],
                         text_columns=0)
    growth = [r for r in results if r["section"] == "simulate_growth"]
    if growth:
        out += md_table("**Simulate growth**: one `costlib.simulate` call of the budget", ["draws", "1 call", "per draw"],
                         [[f"{r['n']:,}", fmt_s(r['simulate_s']), fmt_s(r['per_draw_s'])] for r in growth])
    return out


if __name__ == "__main__":
    print("\n".join(table(run(quick="--quick" in sys.argv)["results"])))
