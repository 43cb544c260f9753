"""The documentation keeps up with the code: every argument named, every function documented."""

import inspect
import re
from pathlib import Path

import pytest

import costlib

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = [getattr(costlib, name) for name in dir(costlib)
          if inspect.isfunction(getattr(costlib, name)) and not name.startswith("_")]


def nomenclature_names():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Nomenclature", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", line.split("|")[1]))
    return names


def test_every_argument_is_in_the_nomenclature_table():
    names = nomenclature_names()
    missing = {f"{f.__name__}({p})" for f in PUBLIC for p in inspect.signature(f).parameters if p not in names}
    assert not missing, f"add to costlib/arguments.py, then run scripts/make_docs.py: {sorted(missing)}"


def test_the_nomenclature_table_is_what_the_registry_generates():
    """README.md's table is generated from costlib/arguments.py: a hand edit or a stale copy fails."""
    from costlib.arguments import with_nomenclature

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_nomenclature(text) == text, "README.md's nomenclature is stale: run python scripts/make_docs.py"


def test_every_generated_document_is_current():
    """addin/README.md's functions and docs/templates.md's functions are generated too (scripts/make_docs.py)."""
    from costlib import excel, formulas

    for path, refresh in ((ROOT / "addin" / "README.md", excel.with_functions),
                          (ROOT / "docs" / "templates.md", formulas.with_functions)):
        text = path.read_text(encoding="utf-8")
        assert refresh(text) == text, f"{path.relative_to(ROOT)} is stale: run python scripts/make_docs.py"
        assert "do not edit" in text, f"{path.relative_to(ROOT)} has lost its generated block"


@pytest.mark.parametrize("function", PUBLIC, ids=lambda f: f.__name__)
def test_every_public_function_has_units_and_an_example(function):
    doc = inspect.getdoc(function) or ""
    assert re.search(r"\[[^\]]+\]", doc), f"{function.__name__}: no [unit] in the docstring"
    assert ">>> " in doc or function.__name__ in ("scenarios",), f"{function.__name__}: no example"


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[0].startswith("pip install . && costlib generate budget")
    assert block[1].startswith("bash scripts/test.sh")
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_readme_counts_the_budgets_key_outputs():
    # the simulate section's timing names how many outputs each draw computes; it said 13 when there were 12
    from costlib.plan import load_template

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"draws of the budget's (\d+) key outputs", text)
    assert said, "README.md's simulate timing no longer says how many key outputs the budget has"
    assert int(said[1]) == len(load_template("budget").key_numbers)
