"""costlib's measured-speed benchmark: ``python bench/run.py [--quick] [--only SECTION ...]``.

Each section is a module of this folder, ``bench/<subject>.py``, that defines
``run(quick=False) -> {"section": ..., "results": [...], "agree": bool}``: a comparison of
things measured side by side in the same run, and whether its arms gave the same numbers.
This driver finds every such module, runs them (or those named by ``--only``), prints their
tables and writes everything, machine included, to ``bench/results.json``. A module may also
define ``GOALS`` with ``goals(results)`` (goal -> met and the worst case) and
``table(results)`` (markdown lines); ``run`` may take ``tiny`` (its smallest size, for
tests/test_bench.py) and ``with_lo`` (time LibreOffice).

This is a benchmark, not a test: nothing here asserts a time; goals are reported as met or
missed. See bench/README.md.
"""

from __future__ import annotations

import os

# xlwings's custom-function machinery is only active when these are set before xlwings
# is first imported (the same as the test suite's conftest.py).
os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import argparse  # noqa: E402
import importlib  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
sys.path.insert(0, str(HERE))  # the sections import their shared _timing as a sibling

from _timing import machine_info  # noqa: E402

#: The order the tables are printed in; sections not named here follow, by name.
ORDER = ("engine", "scalar", "excel_calls", "generator", "startup", "simulate")


def sections() -> dict[str, ModuleType]:
    """Section name (the module's) -> module, for every bench/*.py that defines ``run``."""
    found = {}
    for path in HERE.glob("*.py"):
        if path.stem == "run" or path.stem.startswith("_"):
            continue
        module = importlib.import_module(path.stem)
        if callable(getattr(module, "run", None)):
            found[path.stem] = module
    return dict(sorted(found.items(), key=lambda kv: (ORDER.index(kv[0]) if kv[0] in ORDER else len(ORDER), kv[0])))


def run_section(module: ModuleType, **options) -> dict:
    """``module.run`` with the options it takes; its answer checked for the shape every section gives."""
    taken = inspect.signature(module.run).parameters
    out = module.run(**{k: v for k, v in options.items() if k in taken})
    if not (isinstance(out, dict) and isinstance(out.get("results"), list) and isinstance(out.get("agree"), bool)
            and out.get("section")):
        raise TypeError(f"bench/{module.__name__}.py: run() must return {{'section': ..., 'results': [...], "
                        f"'agree': bool}}, got {type(out).__name__}")
    for row in out["results"]:
        row.setdefault("section", out["section"])
    return out


def evaluate_goals(modules: dict[str, ModuleType], results: list[dict]) -> dict:
    goals = {}
    for module in modules.values():
        if hasattr(module, "goals"):
            for name, goal in module.goals(results).items():
                goals[name] = {**goal, "goal": module.GOALS[name]}
    return goals


def markdown_tables(modules: dict[str, ModuleType], results: list[dict], goals: dict, info: dict) -> str:
    out = [f"Machine: {info['cpu_count']} cores ({info.get('cpu_model') or 'unknown CPU'}), "
           f"{info.get('memory_gb')} GB; Python {info['python']}, numpy {info['numpy']}, pandas {info['pandas']}, "
           f"openpyxl {info['openpyxl']}, xlwings {info['xlwings']}, {info.get('libreoffice') or 'no LibreOffice'}; "
           f"{info['date']}.", ""]
    for module in modules.values():
        if hasattr(module, "table"):
            out += module.table(results)
    if goals:
        out += ["**Goals**", "", "| goal | result | worst case |", "|---|---|---|",
                *(f"| {g['goal']} | {'met' if g['met'] else '**missed**'} | {g['worst']} |" for g in goals.values()),
                ""]
    return "\n".join(out)


def main(argv=None) -> int:
    modules = sections()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller, faster run (no N=1e7, fewer repeats)")
    parser.add_argument("--only", nargs="+", choices=list(modules), metavar="SECTION",
                        help=f"run only these sections: {', '.join(modules)}")
    parser.add_argument("--no-lo", action="store_true", help="skip the LibreOffice recalculation timings")
    parser.add_argument("--output", default=str(RESULTS), help="where to write the JSON (default bench/results.json)")
    parser.add_argument("--rerender", action="store_true",
                        help="re-evaluate the goals and reprint the table of an existing --output file")
    args = parser.parse_args(argv)
    if args.rerender:
        payload = json.loads(Path(args.output).read_text(encoding="utf-8"))
        payload["goals"] = evaluate_goals(modules, payload["results"])
        payload["table_markdown"] = markdown_tables(modules, payload["results"], payload["goals"], payload["machine"])
        Path(args.output).write_text(json.dumps(payload, indent=2, default=float) + "\n", encoding="utf-8")
        print(payload["table_markdown"])
        return 0
    chosen = {name: modules[name] for name in (args.only or modules)}
    with_lo = not args.no_lo and bool(shutil.which("soffice") or shutil.which("libreoffice"))

    info = machine_info()
    print(f"costlib benchmark{' (quick)' if args.quick else ''}: {info['cpu_count']} cores, Python {info['python']}, "
          f"numpy {info['numpy']}, openpyxl {info['openpyxl']}, xlwings {info['xlwings']}", flush=True)
    t0 = time.perf_counter()
    results: list[dict] = []
    agree: dict[str, bool] = {}
    for name, module in chosen.items():
        out = run_section(module, quick=args.quick, with_lo=with_lo)
        results += out["results"]
        agree[out["section"]] = out["agree"]
    goals = evaluate_goals(chosen, results)
    table = markdown_tables(chosen, results, goals, info)
    print()
    print(table)
    payload = {"machine": info, "quick": args.quick, "sections": list(chosen), "libreoffice_timed": with_lo,
               "wall_s": time.perf_counter() - t0, "agree": agree, "goals": goals, "results": results,
               "table_markdown": table}
    Path(args.output).write_text(json.dumps(payload, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({payload['wall_s']:.0f} s)")
    disagree = [name for name, ok in agree.items() if not ok]
    if disagree:
        print(f"the arms of {', '.join(disagree)} gave different numbers: their timings compare different work",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
