"""The plan: a template, the inputs a user gives it, and the numbers they make.

The layer between the engine (training, inference, economics, finance, accounting,
timeline) and what presents a plan (:mod:`costlib.workbook`, :mod:`costlib.uncertainty`, the
CLI). Nothing here writes a file or knows a spreadsheet's layout; numbers typed as text
are read by :mod:`costlib.numbers`, below.

- :mod:`~costlib.plan.template`: the schema, loading a TOML template and checking it;
- :mod:`~costlib.plan.evaluate`: a template's items, rows and checks for given inputs;
- :mod:`~costlib.plan.inputs`: a user's inputs converted, checked and probed for overflow;
- :mod:`~costlib.plan.tables`: :func:`schedule`, the numbers as DataFrames with fiscal totals.
"""

from __future__ import annotations

import importlib
from typing import Any

#: each public name -> the module that holds it; loaded on first use, so listing templates (which needs only
#: ``template``) loads no numpy or openpyxl
_HOMES = {
    "Template": "template", "TemplateError": "template", "load_template": "template", "template_names": "template",
    "SCENARIO": "template", "resolve_inputs": "inputs", "ResolvedInputs": "inputs", "evaluate_template": "evaluate",
    "TemplateEvaluationError": "evaluate", "schedule": "tables", "Schedule": "tables", "RECONCILES": "tables",
    "parse_number": "..numbers", "show_number": "..numbers",
}

__all__ = ["Template", "TemplateError", "load_template", "template_names", "resolve_inputs", "ResolvedInputs",
           "parse_number", "show_number", "evaluate_template", "TemplateEvaluationError", "schedule", "Schedule",
           "RECONCILES", "SCENARIO"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(home if home.startswith("..") else "." + home, __name__)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
