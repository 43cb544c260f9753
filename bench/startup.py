"""Start-up: ``costlib --help`` and ``costlib templates`` against ``python -c pass``.

``python bench/startup.py [--quick]`` prints this section; bench/run.py runs it with the others.
See bench/README.md for what each column means.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time

from _timing import fmt_s, md_table


SECTION = "startup"
#: Goal name -> what it asks; :func:`goals` says whether a run meets it.
GOALS = {
    "startup": "costlib --help and costlib templates at most 0.3 s over python -c pass",
}

def run(quick: bool = False, tiny: bool = False) -> dict:
    """Wall time of ``costlib --help`` and ``costlib templates`` against ``python -c pass``, in subprocesses."""
    exe = shutil.which("costlib")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "costlib --help": [exe, "--help"] if exe else [sys.executable, "-m", "costlib", "--help"],
        "costlib templates": [exe, "templates"] if exe else [sys.executable, "-m", "costlib", "templates"],
    }
    runs = 1 if tiny else 5 if quick else 11
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
        rows.append({"section": SECTION, "command": name, "median_s": med, "min_s": min(s), "max_s": max(s),
                     "runs": runs, "over_python_s": med - base})
        print(f"  startup {name:<18} {fmt_s(med):>9}  (+{fmt_s(med - base)} over python)", flush=True)
    # one arm, three commands: they agree when each exits 0 (check=True above)
    return {"section": SECTION, "results": rows, "agree": True}




def goals(results: list[dict]) -> dict:
    out = {}
    st = [r for r in results if r["section"] == "startup" and r["command"] != "python -c pass"]
    if st:
        w = max(st, key=lambda r: r["over_python_s"])
        out["startup"] = {"met": w["over_python_s"] <= 0.3, "worst": f"{w['command']}: +{w['over_python_s']:.3f} s"}
    return out


def table(results: list[dict]) -> list[str]:
    out = []
    st = [r for r in results if r["section"] == "startup"]
    if st:
        out += md_table("**Start-up** (subprocess, median of %d runs)" % st[0]["runs"],
                         ["command", "median", "over `python -c pass`"],
                         [[f"`{r['command']}`", fmt_s(r['median_s']),
                           "-" if r["command"] == "python -c pass" else f"+{fmt_s(max(r['over_python_s'], 0))}"]
                          for r in st])
    return out


if __name__ == "__main__":
    print("\n".join(table(run(quick="--quick" in sys.argv)["results"])))
