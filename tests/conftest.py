"""The two test tiers.

``python3 -m pytest`` (what ``bash scripts/test.sh`` and ``.ci/run`` run) runs everything.
``python3 -m pytest -m "not slow"`` is the core tier: no LibreOffice, no wheel or venv
builds, no extra interpreters; on this project's idle 2-core machine about 45 s in one
process and 27 s with ``-n 2`` (measured 2026-12-06 at 21:31 UTC, wall clock: 45.1 s; 27.6, 26.8 and
27.6 s; 3,086 passed and 28 xfailed, 1,884 slow deselected; a busy machine takes longer). Tests that only read a template's default workbook
share one rendering (tests/rendered.py) rather than each rendering its own.

What is slow:

- every test in a module that imports ``costlib.workbook.recalc`` (LibreOffice), marked
  here automatically;
- every test that uses a fixture named in ``SLOW_FIXTURES``, marked here automatically;
- tests that spawn an interpreter or build a wheel carry ``@pytest.mark.slow`` themselves, and
  so do the long batteries: the hostile-input battery (240 generations) and the fast path's
  thousands of generated cases (the core tier keeps its boundary grid).

A test that reaches LibreOffice without being marked slow fails (it would break the core
tier on a machine without LibreOffice); it is never skipped.
"""

import types

import pytest

RECALC = "costlib.workbook.recalc"

# fixtures that run LibreOffice, build wheels or venvs: any test using one is slow
SLOW_FIXTURES = {"recalculated", "wheel"}


def _uses_libreoffice(module) -> bool:
    for value in vars(module).values():
        if isinstance(value, types.ModuleType):
            if value.__name__ == RECALC:
                return True
        elif getattr(value, "__module__", None) == RECALC:
            return True
    return False


def pytest_collection_modifyitems(config, items):
    seen = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module not in seen:
            seen[module] = _uses_libreoffice(module)
        if (module is not None and seen[module]) or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _core_tier_never_runs_libreoffice(request, monkeypatch):
    if request.node.get_closest_marker("slow"):
        return
    from costlib.workbook import recalc

    for engine in ("soffice", "ssconvert"):  # LibreOffice, Gnumeric
        found = getattr(recalc, engine, None)
        if found is None:
            continue

        def refuse(found=found):
            found()  # the engine missing: its own error, as in any run
            pytest.fail(f"{request.node.nodeid} runs a spreadsheet engine but is not marked slow: add "
                        "@pytest.mark.slow (or import costlib.workbook.recalc in its module)", pytrace=False)

        monkeypatch.setattr(recalc, engine, refuse)
