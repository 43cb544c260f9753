"""Regenerate the documentation that is generated from its one home in the code.

    python scripts/make_docs.py          # rewrite each generated block that is stale
    python scripts/make_docs.py --check  # exit 1 where one is stale, writing nothing

- README.md's nomenclature table: :func:`costlib.arguments.with_nomenclature`, from the
  registry of argument meanings (``costlib/arguments.py``);
- addin/README.md's table of Excel functions: :func:`costlib.excel.with_functions`, from
  ``costlib.excel.FUNCTIONS`` and the costlib docstrings;
- docs/templates.md's table of the functions a template may call:
  :func:`costlib.formulas.with_functions`, from the Excel twins;
- README.md's calibration table: :func:`with_calibration`, every published figure beside the
  library's value, from the tables of tests/test_calibration.py and tests/test_published_figures.py
  (each figure's one home, its source on its line).

tests/test_docs.py fails when a committed copy differs from what is generated.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CALIBRATION_BEGIN = ("<!-- calibration: generated from tests/test_calibration.py and tests/test_published_figures.py "
                     "by scripts/make_docs.py; do not edit -->")
CALIBRATION_END = "<!-- end of the generated calibration -->"


def _figure(value: float) -> str:
    """A figure as a reader compares it: whole numbers thousands separated, 4 significant digits below
    1,000, 3 in e-notation from 1e7."""
    x = float(value)
    if x != 0 and (abs(x) >= 1e7 or abs(x) < 1e-2):
        mantissa, exponent = f"{x:.3e}".split("e")
        return f"{float(mantissa):.3g}e{int(exponent)}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def calibration_markdown() -> str:
    """The table of every published figure the tests check, with costlib's value and the test."""
    sys.path.insert(0, str(ROOT / "tests"))
    import test_calibration
    import test_published_figures

    lines = ["| Published figure [source] | Unit | Published | costlib | Ratio | Test |", "|---|---|---|---|---|---|"]
    for module in (test_calibration, test_published_figures):
        for figure, unit, published, value, test in module.calibration_rows():
            ratio = float(value) / float(published) if published else float("nan")
            cells = [figure, unit, _figure(published), _figure(value), f"{ratio:.2f}", test]
            lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def with_calibration(text: str) -> str:
    """README.md with its calibration table made current."""
    from costlib._generated import with_block

    return with_block(text, CALIBRATION_BEGIN, CALIBRATION_END, calibration_markdown(), "README.md")


def _readme(text: str) -> str:
    from costlib.arguments import with_nomenclature

    return with_calibration(with_nomenclature(text))


def generated() -> dict[Path, callable]:
    """Each generated file and the function that makes its text current."""
    sys.path.insert(0, str(ROOT))
    from costlib import excel, formulas

    return {ROOT / "README.md": _readme, ROOT / "addin" / "README.md": excel.with_functions,
            ROOT / "docs" / "templates.md": formulas.with_functions}


def main(argv: list[str]) -> int:
    stale = []
    for path, refresh in generated().items():
        text = path.read_text(encoding="utf-8")
        fresh = refresh(text)
        if fresh == text:
            continue
        stale.append(path.relative_to(ROOT))
        if "--check" not in argv:
            path.write_text(fresh, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale and "--check" in argv:
        print(f"stale: {', '.join(map(str, stale))}: run python scripts/make_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
