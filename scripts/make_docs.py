"""Regenerate the documentation that is generated from its one home in the code.

    python scripts/make_docs.py          # rewrite each generated block that is stale
    python scripts/make_docs.py --check  # exit 1 where one is stale, writing nothing

- README.md's nomenclature table: :func:`costlib.arguments.with_nomenclature`, from the
  registry of argument meanings (``costlib/arguments.py``);
- addin/README.md's table of Excel functions: :func:`costlib_udfs.with_functions`, from
  ``costlib_udfs.FUNCTIONS`` and the costlib docstrings;
- docs/templates.md's table of the functions a template may call:
  :func:`costlib.formulas.with_functions`, from the Excel twins.

tests/test_docs.py fails when a committed copy differs from what is generated.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generated() -> dict[Path, callable]:
    """Each generated file and the function that makes its text current."""
    sys.path.insert(0, str(ROOT / "addin"))
    sys.path.insert(0, str(ROOT))
    import costlib_udfs
    from costlib import formulas
    from costlib.arguments import with_nomenclature

    return {ROOT / "README.md": with_nomenclature, ROOT / "addin" / "README.md": costlib_udfs.with_functions,
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
