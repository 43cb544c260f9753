"""What a new function needs, and a test that says what was forgotten.

A new Excel function is its function (with ``@documented``), its twin (``@excel`` beside it),
its module's ``__all__`` and its row in ``costlib.excel.FUNCTIONS`` (the Excel name and the
arguments a cell takes; not every twin is an Excel function, so no test can ask for that row).
Everything else is derived: ``costlib.__all__`` from the
modules' ``__all__``, the twins' test cases from the argument registry
(tests/twin_cases.py), the docs tables from the twins and the registry. Each test here
names what is missing and where it goes.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import costlib
import twin_cases
from costlib import formulas

ROOT = Path(__file__).resolve().parents[1]


def test_every_twin_has_cases():
    """A twin the registry cannot give a case for (a timeline function) needs rows in GRID."""
    missing = sorted(name for name, cases in twin_cases.cases().items() if not cases)
    assert not missing, f"give these Excel twins their cases in tests/twin_cases.py GRID: {missing}"


def test_every_grid_row_is_a_twin_and_a_call_of_it():
    registry = formulas.twins()
    stale = sorted(set(twin_cases.GRID) - set(registry))
    assert not stale, f"GRID rows for functions without an Excel twin (renamed or removed?): {stale}"
    for name, cases in twin_cases.GRID.items():
        for case in cases:
            registry[name].signature.bind_partial(**{k: v for k, v in case.items()
                                                     if registry[name].signature.parameters[k].kind
                                                     is not inspect.Parameter.VAR_POSITIONAL})


@pytest.mark.parametrize("name", sorted(n for n, t in formulas.twins().items() if twin_cases.registry_case(t)))
def test_the_registry_case_is_a_value_of_its_function(name):
    # the derived case must be a call the function accepts: every value inside its rule
    twin = formulas.twins()[name]
    twin.function(**twin_cases.registry_case(twin))


def test_the_exports_are_the_modules_all():
    for module in costlib._FLAT:
        exported = importlib.import_module(f"costlib.{module}").__all__
        for name in exported:
            assert getattr(costlib, name) is not None, f"costlib.{module}.__all__ names {name}, which it lacks"
    assert sorted(costlib.__all__) == sorted(set(costlib.__all__)), "a name exported twice"


def test_costlib_simulate_and_scenarios_stay_functions():
    import costlib.scenario_table  # noqa: F401  (the modules are named apart from their functions)
    import costlib.uncertainty  # noqa: F401

    assert inspect.isfunction(costlib.simulate) and inspect.isfunction(costlib.scenarios)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'train_costs'"):
        costlib.train_costs  # noqa: B018


def test_every_exported_function_is_in_the_readme():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(?:costlib\.)?([A-Za-z_]\w*)", text))
    missing = sorted(n for n in costlib.__all__ if inspect.isfunction(getattr(costlib, n)) and n not in named)
    assert not missing, f"name these functions in README.md's table of functions: {missing}"


def test_every_twin_is_in_the_templates_doc():
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    missing = sorted(n for n in formulas.twins() if f"`{n}(" not in text)
    assert not missing, f"docs/templates.md lacks {missing}: run python scripts/make_docs.py"


def test_the_readme_counts_the_excel_functions_there_are():
    # README's "## Excel functions" says how many there are; API_BILL made 32 while it still said 31
    from costlib.excel import FUNCTIONS

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"in any cell of a model you already have: (\d+) functions", text)
    assert said, "README.md's Excel functions section no longer says how many functions there are"
    assert int(said[1]) == len(FUNCTIONS), f"README.md says {said[1]} Excel functions; costlib.excel has {len(FUNCTIONS)}"
