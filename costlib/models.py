"""Any template's numbers, computed in Python through the same definitions as its workbook.

``schedule("budget")`` or ``schedule("my_template.toml")`` evaluates every item, timeline
row and check of a template: each formula is a call of costlib functions
(:mod:`costlib.formulas`), evaluated here by calling them and rendered in the workbook by
their Excel twins. There is no per-template Python: a user's own template computes as the
packaged ones do. The tests recalculate the workbooks in LibreOffice and compare the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import formulas
from .errors import CostlibError, InputError

__all__ = ["Schedule", "schedule", "evaluate_template", "TemplateEvaluationError"]


class TemplateEvaluationError(InputError):
    """A template's formula fails for these inputs; the message names the item or row."""


@dataclass
class Schedule:
    """A template's numbers: ``items`` (name -> value), ``rows`` (DataFrame, name x column), ``checks``."""

    template: str
    inputs: dict[str, Any]
    items: dict[str, Any]
    rows: Any  # pandas.DataFrame: index = row name, columns = axis values
    sections: dict[str, str]
    checks: dict[str, bool]

    def section(self, name: str):
        """The timeline rows of one section (``capex``, ``opex``, ``memo``, ``summary``)."""
        keep = [r for r in self.rows.index if self.sections[r] == name]
        return self.rows.loc[keep]

    @property
    def capex(self):
        return self.section("capex")

    @property
    def opex(self):
        return self.section("opex")


def evaluate_template(template, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, np.ndarray],
                                                                   dict[str, bool]]:
    """Items, rows and checks of a loaded ``template`` for resolved input ``values``.

    Each name is computed once, on first use, so the formulas may come in any order; a
    formula that fails raises TemplateEvaluationError naming the item or row.
    """
    length = template.length(values)
    axis = np.asarray(template.axis_values if template.axis_values else np.arange(1, length + 1), dtype=float)
    rows = template.rows
    items = template.items
    done: dict[str, Any] = {template.axis: axis}
    busy: list[str] = []

    def value(name: str) -> Any:
        if name in done:
            return done[name]
        if name in values:
            return values[name]
        if name in busy:
            raise TemplateEvaluationError(f"{template.name}: {' -> '.join(busy + [name])} is a circular reference",
                                          argument=name)
        busy.append(name)
        if name in rows:
            expr, kind = rows[name][1].expr, "row"
        else:
            expr, kind = items[name][1].expr, "item"
        try:
            result = formulas.evaluate(expr, value, text=True)
        except TemplateEvaluationError:
            raise
        except CostlibError as exc:
            raise TemplateEvaluationError(f"{template.name}: {kind} {name}: {exc}", argument=name) from None
        finally:
            busy.pop()
        if kind == "row":
            result = np.broadcast_to(np.asarray(result, dtype=float), (length,)).copy()
        done[name] = result
        return result

    with np.errstate(all="ignore"):
        out_rows = {name: value(name) for name in rows}
        out_items = {name: _plain(value(name)) for name in items}
        out_checks = {}
        for check in template.checks:
            try:
                out_checks[check.label] = bool(np.all(formulas.evaluate(check.expr, value)))
            except CostlibError as exc:
                raise TemplateEvaluationError(f"{template.name}: check {check.label!r}: {exc}") from None
    return out_items, out_rows, out_checks


def _plain(value: Any) -> Any:
    if isinstance(value, (str, np.str_)):
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return float(value)


def schedule(template: Any = "budget", overrides: dict[str, Any] | None = None) -> Schedule:
    """The numbers of ``template`` for its defaults with ``overrides`` applied.

    Parameters
    ----------
    template : str, path or Template
        A template name (``costlib templates`` lists them), a path to a template file of
        your own, or a loaded template.
    overrides : dict, optional
        Input name -> value; the rest keep the template's defaults.

    Returns
    -------
    Schedule
        ``items`` (single values by name: a number [the item's unit], or the text a cell
        shows, such as "no break-even: own cost >= price"), ``rows`` (DataFrame: row name x
        axis value), ``checks`` (label -> bool) and the ``capex``, ``opex`` sections.

    Raises
    ------
    InputError
        A bad input (named), or a formula that fails for these inputs (the item named).

    Examples
    --------
    The illustrative 70B/15T run ([WaferZero2026]; 6ND [Kaplan2020]) as month-1 capex of a 36-month
    budget:

    >>> s = schedule("budget")
    >>> round(s.items["training_cost"] / 1e6, 2)
    8.84
    >>> s.capex.shape
    (6, 36)
    >>> all(s.checks.values())
    True
    """
    import pandas as pd

    from .workbook.template import load_template, resolve_inputs

    t = load_template(template)
    values = resolve_inputs(t, overrides)
    evaluated = getattr(values, "evaluated", None)  # resolve_inputs' overflow probe may have computed it
    items, rows, checks = (dict(part) for part in evaluated) if evaluated else evaluate_template(t, values)
    axis = list(t.axis_values) if t.axis_values else list(range(1, t.length(values) + 1))
    frame = pd.DataFrame([rows[r] for r in t.rows], index=list(t.rows), columns=axis)
    frame.columns.name = t.axis
    return Schedule(t.name, values, items, frame, {name: row.section for name, (_, row) in t.rows.items()}, checks)
