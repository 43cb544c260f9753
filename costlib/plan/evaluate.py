"""Any template's numbers, computed in Python through the same definitions as its workbook.

:func:`evaluate_template` evaluates every item, timeline row and check of a template
(:func:`costlib.plan.schedule` wraps it in DataFrames): each formula is a call of costlib functions
(:mod:`costlib.formulas`), evaluated here by calling them and rendered in the workbook by
their Excel twins. There is no per-template Python: a user's own template computes as the
packaged ones do. The tests recalculate the workbooks in LibreOffice and compare the two.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import formulas
from ..constants import CONSTANTS, constant_value
from ..errors import CostlibError, InputError

__all__ = ["evaluate_template", "TemplateEvaluationError"]


class TemplateEvaluationError(InputError):
    """A template's formula fails for these inputs; the message names the item or row."""


def evaluate_template(template, values: dict[str, Any], draws: int | None = None) -> tuple[
        dict[str, Any], dict[str, np.ndarray], dict[str, bool]]:
    """Items, rows and checks of a loaded ``template`` for resolved input ``values``.

    Each name is computed once, on first use, so the formulas may come in any order; a
    formula that fails raises TemplateEvaluationError naming the item or row.

    ``draws`` evaluates many draws of the inputs in one pass (:func:`costlib.simulate`): a
    drawn input's value is then an array of shape ``(draws, 1)``, one value per draw, the
    others single values as usual. Every row is ``(draws, length)``; every item an array
    of shape ``(draws,)``, ``inf`` where its cell would show words (no break-even, not
    within the timeline); text items (sentences, unit or format ``text``) are left out;
    a check is True when it holds in every draw.
    """
    length = template.length(values)
    shape = (length,) if draws is None else (draws, length)
    axis = np.asarray(template.axis_numbers(values), dtype=float)
    rows = template.rows
    items = template.items
    done: dict[str, Any] = {template.axis: axis}
    busy: list[str] = []

    def value(name: str) -> Any:
        if name in done:
            return done[name]
        if name in values:
            return values[name]
        if name in CONSTANTS:  # a named constant a template formula reads (hours_per_month)
            return constant_value(name)
        if name in busy:
            raise TemplateEvaluationError(f"{template.name}: {' -> '.join(busy + [name])} is a circular reference",
                                          argument=name)
        busy.append(name)
        if name in rows and rows[name][1].verifies:  # the same formula: in Python its value is that row's
            busy.pop()
            done[name] = value(rows[name][1].verifies)
            return done[name]
        if name in rows:
            expr, kind = rows[name][1].expr, "row"
        else:
            expr, kind = items[name][1].expr, "item"
        try:
            # with draws an item keeps inf, the number behind the words its cell shows
            result = formulas.evaluate(expr, value, text=draws is None or kind == "row")
        except TemplateEvaluationError:
            raise
        except CostlibError as exc:
            raise TemplateEvaluationError(f"{template.name}: {kind} {name}: {exc}", argument=name) from None
        finally:
            busy.pop()
        if kind == "row":
            result = np.broadcast_to(np.asarray(result, dtype=float), shape)
            if draws is None:
                result = result.copy()  # with draws a read-only view: no (draws, length) copy of a constant
        done[name] = result
        return result

    try:
        with np.errstate(all="ignore"):
            out_rows = {name: value(name) for name in rows}
            if draws is None:
                out_items = {name: _plain(value(name)) for name in items}
            else:
                out_items = {}
                for name, (_, item) in items.items():
                    if "text" in (item.unit, item.format):
                        continue
                    result = np.asarray(value(name))
                    if result.dtype.kind in "USO":  # words after all (a user's template): not a number to draw
                        continue
                    out_items[name] = np.broadcast_to(result.astype(float), (draws, 1)).reshape(draws)
            out_checks = {}
            for check in template.checks:
                try:
                    out_checks[check.label] = bool(np.all(formulas.evaluate(check.expr, value)))
                except CostlibError as exc:
                    raise TemplateEvaluationError(f"{template.name}: check {check.label!r}: {exc}") from None
        return out_items, out_rows, out_checks
    finally:
        # ``value`` refers to itself (a recursive closure): a cycle that would hold every row
        # computed here until the garbage collector runs; with draws, hundreds of MB a pass
        del value


def _plain(value: Any) -> Any:
    if isinstance(value, (str, np.str_)):
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return float(value)
