"""Render the budget's Summary sheet to docs/budget-summary.png for the README.

    python scripts/render_summary.py

The budget is built from its defaults (as workbooks/budget.xlsx) with the Summary sheet's
print area set to its first columns on one landscape page; LibreOffice recalculates it
and prints it to PDF (its headless Calc has no PNG filter); pdftoppm (Debian's
poppler-utils) turns that page into a PNG.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from costlib.workbook.recalc import convert

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm is needed: apt-get install poppler-utils")
    target = ROOT / "docs" / "budget-summary.png"
    target.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        from costlib.workbook import render

        source = Path(tmp) / "budget.xlsx"
        source.write_bytes(render("budget", {"months": 12}))  # twelve months: the first page of any budget
        pdf = convert([source], tmp + "/out", to="pdf")[0]
        stem = Path(tmp) / "summary"
        subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "110", "-png", "-singlefile", str(pdf), str(stem)],
                       check=True)
        shutil.copyfile(stem.with_suffix(".png"), target)
    print(f"wrote {target.relative_to(ROOT)}")
