"""Regenerate the example workbooks in workbooks/ from each template's defaults.

    python scripts/make_workbooks.py

A test fails when a committed workbook differs from what this writes.
"""

from pathlib import Path

from costlib.workbook import generate
from costlib.plan import template_names

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    for name in template_names():
        status = generate(name, None, ROOT / "workbooks" / f"{name}.xlsx")
        print(f"{status}: workbooks/{name}.xlsx")
