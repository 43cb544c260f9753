"""The plan: a template, the inputs a user gives it, and the numbers they make.

The layer between the engine (training, inference, economics, finance, accounting,
timeline) and what presents a plan (:mod:`costlib.workbook`, :mod:`costlib.uncertainty`, the
CLI). Nothing here writes a file or knows a spreadsheet's layout; numbers typed as text
are read by :mod:`costlib.numbers`, below.

- :mod:`~costlib.plan.template`: the schema, loading a TOML template and checking it;
- :mod:`~costlib.plan.evaluate`: a template's items, rows and checks for given inputs;
- :mod:`~costlib.plan.inputs`: a user's inputs converted, checked and probed for overflow;
- :mod:`~costlib.plan.schedule`: the numbers as DataFrames with fiscal totals.
"""

from .evaluate import TemplateEvaluationError, evaluate_template
from .inputs import ResolvedInputs, resolve_inputs
from ..numbers import parse_number, show_number
from .schedule import RECONCILES, Schedule, schedule
from .template import SCENARIO, Template, TemplateError, load_template, template_names

__all__ = ["Template", "TemplateError", "load_template", "template_names", "resolve_inputs", "ResolvedInputs",
           "parse_number", "show_number", "evaluate_template", "TemplateEvaluationError", "schedule", "Schedule",
           "RECONCILES", "SCENARIO"]
