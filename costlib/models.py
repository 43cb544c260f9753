"""The library's side of each workbook template: the same numbers, computed by costlib.

``schedule("budget")`` returns a :class:`Schedule`: the resolved inputs, the scalar outputs
(``items``) and the timeline rows as pandas DataFrames, capex and opex apart. A generated
workbook computes the same numbers with native formulas; the tests recalculate it in
LibreOffice and compare the two. Every quantity here comes from a costlib function: the
models only lay those functions out on a timeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import economics as eco
from . import inference as inf
from . import training as tr

__all__ = ["Schedule", "schedule", "MODELS"]


@dataclass
class Schedule:
    """A template's numbers: ``items`` (name -> value) and ``rows`` (DataFrame, name x column)."""

    template: str
    inputs: dict[str, Any]
    items: dict[str, Any]
    rows: Any  # pandas.DataFrame: index = row name, columns = axis values
    sections: dict[str, str]

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


def _first_month_where(flags: np.ndarray, axis: np.ndarray):
    hits = np.flatnonzero(flags)
    return float(axis[hits[0]]) if hits.size else None


def budget(v: dict[str, Any]) -> tuple[dict, dict]:
    month = np.arange(1, v["months"] + 1, dtype=float)
    lines = tr.programme_capex_breakdown(
        tr.train_cost(v["params"], v["train_tokens"], v["train_price_per_gpu_hour"], gpu=v["gpu"], mfu=v["mfu"],
                      flops_per_param_token=v["flops_per_param_token"]),
        v["research_multiplier"], v["failed_run_share"], v["data_preparation_share"])
    paid = month == v["training_month"]
    after = month - v["training_month"]
    finetune_due = (after > 0) & (np.mod(after, v["finetune_interval_months"]) == 0)
    rows = {
        "capex_final_run": np.where(paid, lines["final_run"], 0.0),
        "capex_research": np.where(paid, lines["research"], 0.0),
        "capex_failed_runs": np.where(paid, lines["failed_runs"], 0.0),
        "capex_data_preparation": np.where(paid, lines["data_preparation"], 0.0),
        "capex_finetune": np.where(finetune_due, v["finetune_cost"], 0.0),
    }
    rows["capex_total"] = sum(rows[k] for k in list(rows))

    tokens = v["monthly_tokens"] * (1.0 + v["monthly_growth"]) ** (month - 1)
    hours = inf.serving_gpu_hours(tokens, v["tokens_per_second"], v["utilization"])
    rows.update({
        "tokens_served": tokens,
        "serving_gpu_hours": hours,
        "opex_serving": hours * v["serve_price_per_gpu_hour"],
        "opex_overhead": np.full(month.shape, float(v["monthly_overhead"])),
    })
    rows["opex_total"] = rows["opex_serving"] + rows["opex_overhead"]
    rows["memo_api_cost"] = tokens / inf.TOKENS_PER_MILLION * v["api_price_per_m_tokens"]

    cum_capex, cum_opex, cum_tokens = (np.cumsum(rows[k]) for k in ("capex_total", "opex_total", "tokens_served"))
    rows.update({
        "cumulative_capex": cum_capex,
        "cumulative_opex": cum_opex,
        "cumulative_api_cost": np.cumsum(rows["memo_api_cost"]),
        "amortized_cost_by_month": eco.amortized_cost_per_m_tokens(
            cum_capex, cum_tokens, cum_opex / cum_tokens * inf.TOKENS_PER_MILLION),
        "marginal_cost_by_month": rows["opex_total"] / tokens * inf.TOKENS_PER_MILLION,
        "opex_passed_capex": (cum_opex >= cum_capex).astype(float),
    })

    total_capex, total_opex = float(cum_capex[-1]), float(cum_opex[-1])
    self_host = inf.token_cost(v["serve_price_per_gpu_hour"], v["tokens_per_second"], v["utilization"])
    full_load = inf.token_cost(v["serve_price_per_gpu_hour"], v["tokens_per_second"])
    items = {
        "gpu_peak_tflops": float(tr.peak_flops(v["gpu"]) / 1e12),
        "training_flops": tr.train_flops(v["params"], v["train_tokens"], v["flops_per_param_token"]),
        "training_gpu_hours": tr.train_gpu_hours(v["params"], v["train_tokens"], v["gpu"], v["mfu"],
                                                 flops_per_param_token=v["flops_per_param_token"]),
        "training_cost": lines["final_run"],
        "research_cost": lines["research"],
        "failed_runs_cost": lines["failed_runs"],
        "data_preparation_cost": lines["data_preparation"],
        "self_host_cost_per_m_tokens": self_host,
        "full_load_cost_per_m_tokens": full_load,
        "total_capex": total_capex,
        "total_opex": total_opex,
        "capex_share": total_capex / (total_capex + total_opex),
        "opex_share": total_opex / (total_capex + total_opex),
        "lifetime_tokens": float(cum_tokens[-1]),
        "amortized_cost_per_m_tokens": eco.amortized_cost_per_m_tokens(
            total_capex, cum_tokens[-1], total_opex / cum_tokens[-1] * inf.TOKENS_PER_MILLION),
        "opex_passes_capex_month": _first_month_where(cum_opex >= cum_capex, month),
        "breakeven_m_tokens": eco.breakeven(total_capex, v["api_price_per_m_tokens"], self_host),
        "utilization_breakeven": eco.utilization_breakeven(full_load, v["api_price_per_m_tokens"]),
    }
    return items, rows


MODELS: dict[str, Callable[[dict[str, Any]], tuple[dict, dict]]] = {
    "budget": budget,
}


def schedule(template: str = "budget", overrides: dict[str, Any] | None = None) -> Schedule:
    """The numbers of ``template`` for its defaults with ``overrides`` applied.

    Parameters
    ----------
    template : str
        A template name (``costlib templates`` lists them) or a path to a template file.
    overrides : dict, optional
        Input name -> value; the rest keep the template's defaults.

    Returns
    -------
    Schedule
        ``items`` (scalar outputs by name), ``rows`` (DataFrame: row name x axis value) and
        the ``capex``, ``opex`` sections of it.

    Examples
    --------
    Reference 000's training run as month-1 capex of a 36-month budget:

    >>> s = schedule("budget")
    >>> round(s.items["training_cost"] / 1e6, 2)
    8.84
    >>> s.capex.shape
    (6, 36)
    """
    import pandas as pd

    from .workbook.template import load_template, resolve_inputs

    t = load_template(template)
    values = resolve_inputs(t, overrides)
    items, rows = MODELS[t.model](values)
    axis = list(t.axis_values) if t.axis_values else list(range(1, int(values[t.axis_length]) + 1))
    order = [r for r in t.rows]
    frame = pd.DataFrame([np.asarray(rows[r], dtype=float) for r in order], index=order, columns=axis)
    frame.columns.name = t.axis
    items = {k: (float(v) if isinstance(v, (int, float, np.floating)) and v is not None else v)
             for k, v in items.items()}
    return Schedule(t.name, values, items, frame, {name: row.section for name, (_, row) in t.rows.items()})


def is_no_value(value: Any) -> bool:
    """True where the library says "none": no break-even (inf) or no month within the timeline."""
    return value is None or (isinstance(value, float) and math.isinf(value))
