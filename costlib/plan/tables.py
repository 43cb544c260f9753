"""A template's numbers as DataFrames: the timeline, its fiscal-year and quarter totals, its checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..accounting import by_period, by_quarter, from_serial
from ..timeline import agree
from .evaluate import evaluate_template
from .inputs import resolve_inputs
from .template import load_template

__all__ = ["Schedule", "schedule", "RECONCILES", "summable", "fiscal_totals"]


@dataclass
class Schedule:
    """A template's numbers: ``items`` (name -> value), ``rows`` (DataFrame, name x column), ``checks``."""

    template: str
    inputs: dict[str, Any]
    items: dict[str, Any]
    rows: Any  # pandas.DataFrame: index = row name, columns = axis values
    sections: dict[str, str]
    checks: dict[str, bool]
    annual: Any = None     # DataFrame: summable row x fiscal year, or None without a calendar
    quarterly: Any = None  # DataFrame: summable row x (fiscal year, quarter)

    @property
    def monthly(self):
        """The timeline rows with each column's month-end date (a calendar template) [row units]."""
        if "month_end" not in self.rows.index:
            return self.rows
        import pandas as pd  # pandas loads where a DataFrame is made, not with costlib

        frame = self.rows.drop(index=[r for r in self.rows.index if self.sections[r] == "calendar"])
        frame.columns = pd.to_datetime(from_serial(self.rows.loc["month_end"].to_numpy()))
        frame.columns.name = "month_end"
        return frame

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
        axis value), ``checks`` (label -> bool) and the ``capex``, ``opex`` sections. A
        template with a calendar (the budget) adds ``monthly`` (the rows by month-end date),
        ``annual`` (each summable row by fiscal year) and ``quarterly`` (by fiscal quarter).

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
    (11, 36)
    >>> s.monthly.columns[0].date(), list(s.annual.columns)
    (datetime.date(2027, 1, 31), [2027, 2028, 2029])
    >>> all(s.checks.values())
    True
    """
    import pandas as pd  # pandas loads where a DataFrame is made, not with costlib

    t = load_template(template)
    values = resolve_inputs(t, overrides)
    evaluated = getattr(values, "evaluated", None)  # resolve_inputs' overflow probe may have computed it
    items, rows, checks = (dict(part) for part in evaluated) if evaluated else evaluate_template(t, values)
    axis = t.axis_numbers(values) if t.axis_values else list(range(1, t.length(values) + 1))
    frame = pd.DataFrame([rows[r] for r in t.rows], index=list(t.rows), columns=axis)
    frame.columns.name = t.axis
    annual = quarterly = None
    if t.calendar is not None:
        annual, quarterly = fiscal_totals(t, rows)
        checks = {**checks, RECONCILES: reconciles(t, rows, annual, quarterly)}
    return Schedule(t.name, values, items, frame, {name: row.section for name, (_, row) in t.rows.items()}, checks,
                    annual, quarterly)


#: The check a calendar template gets: its fiscal-year and quarter totals add up to its months
RECONCILES = "Fiscal-year and quarter totals reconcile with the months"


def summable(t) -> list[str]:
    """The rows a fiscal-year table totals: those with a total, in the template's order."""
    return [name for name, (_, row) in t.rows.items() if row.total and row.section != "calendar"]


def fiscal_periods(rows: dict[str, np.ndarray]) -> tuple[list[float], list[tuple[float, float]]]:
    """The fiscal years, and the (year, quarter) pairs, the timeline's months fall in, in order."""
    years = rows["fiscal_year"]
    pairs = list(dict.fromkeys(zip(years.tolist(), rows["fiscal_quarter"].tolist())))
    return list(dict.fromkeys(years.tolist())), pairs


def fiscal_totals(t, rows: dict[str, np.ndarray]):
    """Each summable row totalled by fiscal year and by fiscal quarter (DataFrames) [row units]."""
    import pandas as pd  # pandas loads where a DataFrame is made, not with costlib

    years, pairs = fiscal_periods(rows)
    names = summable(t)
    # each row's periods in one call: the twins take an array of labels
    at_year, at_quarter = (np.array([p[i] for p in pairs], dtype=float).reshape(-1) for i in (0, 1))
    annual = pd.DataFrame([np.atleast_1d(by_period(rows[n], rows["fiscal_year"], np.array(years, dtype=float)))
                           for n in names] if names else None,
                          index=names, columns=pd.Index([int(y) for y in years], name="fiscal_year"))
    quarterly = pd.DataFrame(
        [np.atleast_1d(by_quarter(rows[n], rows["fiscal_year"], at_year, rows["fiscal_quarter"], at_quarter))
         for n in names] if names else None,
        index=names, columns=pd.MultiIndex.from_tuples([(int(y), int(q)) for y, q in pairs],
                                                       names=["fiscal_year", "quarter"]))
    return annual, quarterly


def reconciles(t, rows, annual, quarterly) -> bool:
    """True where every fiscal-year and quarter total adds up to its row's months (1e-9 relative)."""
    return all(bool(agree(float(table.loc[n].sum()), float(np.sum(rows[n])))) for n in summable(t)
               for table in (annual, quarterly))
