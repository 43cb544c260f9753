"""costlib freeze and scan on large models: ``python bench/models_in_excel.py [--quick]``.

Two comparisons measured side by side in one run:

1. freeze growth: a sheet of N ``=TRAIN_COST(A, B, C)`` cells (1k, 10k, 100k; a stale cached
   value in each), frozen; the time per cell at each size and its ratio to the smallest
   size. Flat (a ratio near 1) is linear time; the version before this one grew
   quadratically (5k cells 6.3 s, 10k 13.8 s, 20k 43 s, 100k not done after 14 min).
2. whole-sheet ranges: one ``=TRAIN_COST(<range>, 15E12, 2)`` over ``A1:Z200000``, ``A:XFD``
   and ``A1:XFD1048576`` (17 billion cells), scanned; time and the peak memory Python
   allocates (tracemalloc), next to the scan of the same model with ``A1`` in place of the
   range. The version before this one took 51 s and 5.3 GB for ``A1:Z200000`` and ended in
   MemoryError for the whole sheet.

``agree`` is True when every frozen cell holds costlib's own ``train_cost`` of its row (not
the stale cached value) and every range scan gives the value of its top-left cell. Nothing
here asserts a time: it is a benchmark, not a test.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (ROOT, ROOT / "addin"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _params(row: int) -> float:
    return 1e9 * (1 + row % 97)  # parameters: a different model size on each row


def write_model(path: Path, sheet_rows: str) -> Path:
    """A minimal Excel package with one worksheet holding ``sheet_rows``."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/></Types>'),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                            '<sheet name="Model" sheetId="1" r:id="rId1"/></sheets><calcPr calcId="191029"/></workbook>'),
        "xl/_rels/workbook.xml.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
                                       f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                                       '</Relationships>'),
        "xl/worksheets/sheet1.xml": (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
                                     f"{sheet_rows}</sheetData></worksheet>"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def calls_model(path: Path, n: int) -> Path:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{_params(r):.0f}</v></c><c r="B{r}"><v>15000000000000</v></c>'
                   f'<c r="C{r}"><v>2</v></c><c r="D{r}"><f>TRAIN_COST(A{r},B{r},C{r})</f><v>0</v></c></row>'
                   for r in range(1, n + 1))
    return write_model(path, rows)


def range_model(path: Path, ref: str) -> Path:
    rows = (f'<row r="1"><c r="A1"><v>70000000000</v></c><c r="B1"><f>TRAIN_COST({ref},15E12,2)</f><v>0</v></c></row>'
            '<row r="200000"><c r="Z200000"><v>1</v></c></row>')  # a used cell far away: the range is really wide
    return write_model(path, rows)


def run(quick: bool = False) -> dict:
    import costlib
    from costlib import models_in_excel as mx
    from openpyxl import load_workbook

    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    repeat = 1 if quick else 3
    results, agree = [], True
    with tempfile.TemporaryDirectory(prefix="costlib-bench-mx-") as tmp:
        tmp = Path(tmp)
        mx.freeze(calls_model(tmp / "warm.xlsx", 50), tmp / "warm-out.xlsx")  # imports and caches, untimed
        base = None
        for n in sizes:
            model = calls_model(tmp / f"calls{n}.xlsx", n)
            times = []
            for k in range(repeat if n < 100_000 else 1):
                out = tmp / f"frozen{n}-{k}.xlsx"
                began = time.perf_counter()
                mx.freeze(model, out)
                times.append(time.perf_counter() - began)
            seconds = statistics.median(times)
            per_cell = seconds / n
            base = base or per_cell
            ws = load_workbook(out, read_only=True)["Model"]
            sample = {1, n // 2, n}
            for row in ws.iter_rows(min_row=1, max_row=n, min_col=1, max_col=4):
                r = row[0].row
                if r in sample:
                    want = costlib.train_cost(_params(r), 15e12, 2)
                    agree &= abs(row[3].value - want) <= 1e-12 * want
            results.append({"section": "models_in_excel", "case": "freeze", "cells": n, "seconds": seconds,
                            "per_cell_s": per_cell, "per_cell_vs_1k": per_cell / base,
                            "file_bytes": model.stat().st_size})
            print(f"  freeze {n:>7,} cells  {seconds:8.3f} s  {per_cell * 1e6:7.1f} us a cell  "
                  f"x{per_cell / base:.2f} of the 1k cost a cell", flush=True)
        plain = None
        for ref in ("A1", "A1:Z200000", "A:XFD", "A1:XFD1048576"):
            model = range_model(tmp / f"range-{ref.replace(':', '_')}.xlsx", ref)
            tracemalloc.start()
            began = time.perf_counter()
            (call,) = mx.scan(model)
            seconds = time.perf_counter() - began
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            agree &= abs(call.computed - costlib.train_cost(70e9, 15e12, 2)) <= 1e-6
            plain = plain or seconds
            results.append({"section": "models_in_excel", "case": "scan range", "range": ref, "seconds": seconds,
                            "peak_bytes": peak, "vs_one_cell": seconds / plain})
            print(f"  scan TRAIN_COST({ref:<14},...)  {seconds:7.3f} s  peak {peak / 2**20:6.1f} MB  "
                  f"x{seconds / plain:.2f} of one cell", flush=True)
    return {"section": "models_in_excel", "results": results, "agree": bool(agree)}


if __name__ == "__main__":
    import json

    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    report = run(quick="--quick" in sys.argv)
    print(json.dumps(report, indent=1))
