"""Render the budget's Summary sheet to docs/budget-summary.png for the README.

    python scripts/render_summary.py

LibreOffice recalculates workbooks/budget.xlsx and renders its first sheet (Summary) to PNG.
"""

import shutil
import tempfile
from pathlib import Path

from costlib.workbook.recalc import convert

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        png = convert([ROOT / "workbooks" / "budget.xlsx"], tmp, to="png")[0]
        target = ROOT / "docs" / "budget-summary.png"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(png, target)
    print(f"wrote {target.relative_to(ROOT)}")
