"""Generator: ``costlib.workbook.generate`` against an openpyxl write-only floor writing the same
cells; LibreOffice's recalculation of the generated workbooks.

``python bench/generator.py [--quick]`` prints this section; bench/run.py runs it with the others.
See bench/README.md for what each column means.
"""

from __future__ import annotations

import io
import math
import shutil
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from _timing import fmt_s, md_table, measure
from costlib.plan import load_template, template_names
from costlib.workbook import generate, render
from costlib.workbook.recalc import convert


SECTION = "generator"
#: Goal name -> what it asks; :func:`goals` says whether a run meets it.
GOALS = {
    "generator_floor": "generate() within 3x of the openpyxl write-only floor (every case)",
    "generator_linear": "budget 12 -> largest months: linear or better (log-log slope 120 -> max <= 1.1)",
}

def _cells_of(data: bytes) -> list[tuple[str, list[list]]]:
    """Every sheet's cells (values and formula strings) of a generated workbook, in order."""
    wb = load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        out.append((ws.title, rows))
    return out


def _write_floor(sheets, path) -> None:
    """The floor: the same cells, same sheets, openpyxl write-only, no styles/charts/names."""
    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def _write_values_only(sheets, path) -> None:
    """Same sheets and cell positions, every formula replaced by a number: LO's load/save cost."""
    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([1.0 if isinstance(v, str) and v.startswith("=") else v for v in row])
    wb.save(path)


def _lo_time(path: Path, repeat: int) -> dict:
    """Seconds of one LibreOffice start that opens, recalculates and saves ``path`` (one file per start)."""
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


def run(quick: bool = False, tiny: bool = False, with_lo: bool | None = None) -> dict:
    """``costlib.workbook.generate`` against openpyxl's write-only floor; LibreOffice's recalculation.

    ``with_lo``: time LibreOffice (default: where ``soffice`` is on the PATH, never when ``tiny``).
    """
    if with_lo is None:
        with_lo = not tiny and bool(shutil.which("soffice") or shutil.which("libreoffice"))
    budget = load_template("budget")
    maximum = budget.input("months").maximum
    wanted = [12, 36, 120, 600]
    months_list = sorted({min(m, maximum) for m in wanted})
    cases = [("budget", {"months": m}, f"months={m}") for m in months_list]
    cases += [(name, None, "defaults") for name in template_names() if name != "budget"]
    if tiny:
        cases = cases[:1]
    # budget at its defaults (36 months) is already among the growth cases
    default_months = budget.input("months").default
    rows = []
    lo_repeat = 2 if quick else 3
    gen_repeat = 1 if tiny else 5 if quick else 9
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
            same = _cells_of(floor_path.read_bytes()) == sheets  # the floor writes what generate wrote
            row = {
                "section": SECTION, "template": template, "case": label,
                "months": (overrides or {}).get("months", default_months if template == "budget" else None),
                "cells": cells, "formulas": formulas, "file_bytes": out.stat().st_size,
                "floor_file_bytes": floor_path.stat().st_size,
                "generate_s": t_gen["median_s"], "render_s": t_render["median_s"], "floor_s": t_floor["median_s"],
                "ratio_vs_floor": t_gen["median_s"] / t_floor["median_s"], "same_numbers": same,
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
    return {"section": SECTION, "results": rows, "agree": all(r["same_numbers"] for r in rows)}




def goals(results: list[dict]) -> dict:
    out = {}
    gen = [r for r in results if r["section"] == "generator"]
    if gen:
        w = max(gen, key=lambda r: r["ratio_vs_floor"])
        out["generator_floor"] = {"met": w["ratio_vs_floor"] <= 3.0,
                                    "worst": f"{w['template']} {w['case']}: {w['ratio_vs_floor']:.2f}x floor"}
        bud = sorted((r for r in gen if r["template"] == "budget"), key=lambda r: r["months"])
        mid = next((r for r in bud if r["months"] == 120), None)
        if mid and bud[-1]["months"] > 120:
            slope = math.log(bud[-1]["generate_s"] / mid["generate_s"]) / math.log(bud[-1]["months"] / 120)
            out["generator_linear"] = {"met": slope <= 1.1,
                                         "worst": f"slope {slope:.2f} (120 -> {bud[-1]['months']} months); "
                                                  f"{bud[-1]['generate_s'] / bud[0]['generate_s']:.1f}x time for "
                                                  f"{bud[-1]['months'] / bud[0]['months']:.0f}x months"}
    return out


def table(results: list[dict]) -> list[str]:
    out = []
    gen = [r for r in results if r["section"] == "generator"]
    if gen:
        lo = "lo_generated_s" in gen[0]
        columns = ["template", "case", "cells (formulas)", "file", "generate", "floor", "vs floor"]
        columns += ["LO total", "LO values-only", "LO recalc ≈"] if lo else []
        lines = [[r['template'], r['case'], f"{r['cells']:,} ({r['formulas']:,})", f"{r['file_bytes'] / 1024:.0f} KiB",
                  fmt_s(r['generate_s']), fmt_s(r['floor_s']), f"{r['ratio_vs_floor']:.2f}x"]
                 + ([fmt_s(r['lo_generated_s']), fmt_s(r['lo_values_only_s']), fmt_s(r['lo_recalc_s'])] if lo else [])
                 for r in gen]
        out += md_table("**Generator** (generate = render + atomic write; floor = same cells in openpyxl "
                         "write-only mode)", columns, lines, text_columns=2)
        if lo:
            out += [f"LibreOffice start-up (one-cell workbook, open + save): {fmt_s(gen[0]['lo_startup_s'])}.", ""]
    return out


if __name__ == "__main__":
    print("\n".join(table(run(quick="--quick" in sys.argv)["results"])))
