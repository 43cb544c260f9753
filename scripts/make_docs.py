"""Regenerate the documentation that is generated: README.md's nomenclature table.

    python scripts/make_docs.py          # rewrite README.md's table from costlib/arguments.py
    python scripts/make_docs.py --check  # exit 1 where README.md's table is stale

The table is :func:`costlib.arguments.nomenclature_markdown`: every registered argument
(name, meaning, unit, rule) and each function's own readings. tests/test_docs.py fails
when the README's copy differs from it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    from costlib.arguments import with_nomenclature

    text = README.read_text(encoding="utf-8")
    fresh = with_nomenclature(text)
    if "--check" in argv:
        if fresh != text:
            print("README.md's nomenclature is stale: run python scripts/make_docs.py", file=sys.stderr)
            return 1
        return 0
    if fresh != text:
        README.write_text(fresh, encoding="utf-8")
        print(f"wrote {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
