"""Every bench/ section runs, at its tiniest size, and its arms agree.

Timings are not asserted (a benchmark reports them; bench/README.md): this only keeps each
section runnable, so a refactor that breaks one (an import that moved) fails here, and
checks that the things a section times side by side compute the same numbers.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
run = importlib.import_module("run")  # bench/run.py, the driver: it finds the sections
SECTIONS = run.sections()

pytestmark = pytest.mark.slow  # subprocesses (start-up), LibreOffice, seconds a section


def test_the_driver_finds_every_section():
    assert {"engine", "scalar", "excel_calls", "generator", "startup", "simulate"} <= set(SECTIONS)


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_each_section_runs_at_its_tiniest_and_its_arms_agree(name):
    module = SECTIONS[name]
    options = {"quick": True, "tiny": True, "with_lo": False}
    out = run.run_section(module, **{k: v for k, v in options.items() if k in inspect.signature(module.run).parameters})
    assert out["results"], f"bench/{name}.py measured nothing"
    assert out["agree"] is True, f"bench/{name}.py: its arms gave different numbers"
    if hasattr(module, "goals"):  # the goals and the table read what run() wrote
        assert set(module.goals(out["results"])) <= set(module.GOALS)
    if hasattr(module, "table"):
        assert all(isinstance(line, str) for line in module.table(out["results"]))
