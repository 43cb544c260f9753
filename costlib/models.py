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


def build_vs_buy(v: dict[str, Any]) -> tuple[dict, dict]:
    month = np.arange(1, v["months"] + 1, dtype=float)
    tokens = v["monthly_tokens"] * (1.0 + v["monthly_growth"]) ** (month - 1)
    price = eco.price_after_decline(v["api_price_per_m_tokens"], v["annual_price_decline"], (month - 1) / 12.0)
    self_host = inf.token_cost(v["serve_price_per_gpu_hour"], v["tokens_per_second"], v["utilization"])
    full_load = inf.token_cost(v["serve_price_per_gpu_hour"], v["tokens_per_second"])
    rows = {
        "build_setup": np.where(month == 1, float(v["setup_cost"]), 0.0),
        "tokens_served": tokens,
        "api_price_by_month": price,
        "buy_cost": tokens / inf.TOKENS_PER_MILLION * price,
        "build_serving": inf.serving_gpu_hours(tokens, v["tokens_per_second"], v["utilization"])
        * v["serve_price_per_gpu_hour"],
    }
    rows["cumulative_buy"] = np.cumsum(rows["buy_cost"])
    rows["cumulative_build"] = np.cumsum(rows["build_setup"]) + np.cumsum(rows["build_serving"])
    rows["build_ahead"] = (rows["cumulative_build"] < rows["cumulative_buy"]).astype(float)
    monthly_saving = v["monthly_tokens"] / inf.TOKENS_PER_MILLION * (v["api_price_per_m_tokens"] - self_host)
    items = {
        "self_host_cost_per_m_tokens": self_host,
        "full_load_cost_per_m_tokens": full_load,
        "breakeven_m_tokens": eco.breakeven(v["setup_cost"], v["api_price_per_m_tokens"], self_host),
        "breakeven_next_year_m_tokens": eco.breakeven_after_decline(
            v["setup_cost"], v["api_price_per_m_tokens"], self_host, v["annual_price_decline"], 1.0),
        "utilization_breakeven": eco.utilization_breakeven(full_load, v["api_price_per_m_tokens"]),
        "months_to_breakeven": eco.months_to_breakeven(v["setup_cost"], monthly_saving),
        "total_buy_cost": float(rows["buy_cost"].sum()),
        "total_build_capex": float(rows["build_setup"].sum()),
        "total_build_opex": float(rows["build_serving"].sum()),
    }
    build_total = items["total_build_capex"] + items["total_build_opex"]
    items["decision"] = "build" if build_total < items["total_buy_cost"] else "buy"
    return items, rows


def finetune_vs_prompt(v: dict[str, Any]) -> tuple[dict, dict]:
    month = np.arange(1, v["months"] + 1, dtype=float)
    prompt = inf.api_cost_per_query(v["prompt_input_tokens"], v["output_tokens"], v["input_price_per_m_tokens"],
                                    v["output_price_per_m_tokens"])
    tuned = inf.api_cost_per_query(v["finetuned_input_tokens"], v["output_tokens"],
                                   v["finetuned_input_price_per_m_tokens"], v["finetuned_output_price_per_m_tokens"])
    queries = v["queries_per_month"] * (1.0 + v["monthly_growth"]) ** (month - 1)
    rows = {
        "finetune_capex": np.where(np.mod(month - 1, v["refresh_interval_months"]) == 0, float(v["finetune_cost"]),
                                   0.0),
        "queries": queries,
        "prompt_cost": queries * prompt,
        "finetuned_cost": queries * tuned,
    }
    rows["cumulative_prompt"] = np.cumsum(rows["prompt_cost"])
    rows["cumulative_finetune"] = np.cumsum(rows["finetune_capex"]) + np.cumsum(rows["finetuned_cost"])
    saving = prompt - tuned
    items = {
        "prompt_cost_per_query": prompt,
        "finetuned_cost_per_query": tuned,
        "saving_per_query": saving,
        "breakeven_queries": eco.breakeven(v["finetune_cost"], prompt, tuned),
        "months_to_breakeven": eco.months_to_breakeven(v["finetune_cost"], saving * v["queries_per_month"]),
        "total_prompt_cost": float(rows["prompt_cost"].sum()),
        "total_finetune_capex": float(rows["finetune_capex"].sum()),
        "total_finetuned_opex": float(rows["finetuned_cost"].sum()),
    }
    tuned_total = items["total_finetune_capex"] + items["total_finetuned_opex"]
    items["decision"] = "fine-tune" if tuned_total < items["total_prompt_cost"] else "prompt"
    return items, rows


def unit_economics(v: dict[str, Any]) -> tuple[dict, dict]:
    def main_model(input_tokens, output_tokens):
        return inf.api_cost_per_query(input_tokens, output_tokens, v["input_price_per_m_tokens"],
                                      v["output_price_per_m_tokens"], v["cached_share"],
                                      v["cached_input_price_per_m_tokens"])

    median, p95 = main_model(v["median_input_tokens"], v["median_output_tokens"]), main_model(
        v["p95_input_tokens"], v["p95_output_tokens"])
    small = inf.api_cost_per_query(v["median_input_tokens"], v["median_output_tokens"],
                                   v["small_input_price_per_m_tokens"], v["small_output_price_per_m_tokens"])
    blended = inf.blended_cost_per_query(median, small, v["small_model_share"], v["cache_hit_rate"], 0.0)
    per_user = eco.monthly_cogs(blended, v["queries_per_user_per_month"])
    plan = eco.scale_plan(blended, v["queries_per_user_per_month"], v["users"], v["arpu"],
                          multiples=MODEL_AXES["unit_economics"])
    share = eco.cogs_share(per_user, v["arpu"])
    margin = eco.gross_margin(v["arpu"], per_user)
    if share > v["cogs_share_threshold"]:
        verdict = "redesign: COGS above the threshold share of ARPU"
    elif margin < v["gross_margin_floor"]:
        verdict = "services business: margin below the floor"
    else:
        verdict = "viable: COGS within the threshold"
    items = {
        "median_cost_per_query": median, "p95_cost_per_query": p95, "small_model_cost_per_query": small,
        "blended_cost_per_query": blended, "cogs_per_user": per_user,
        "p95_cogs_per_user": eco.monthly_cogs(p95, v["queries_per_user_per_month"]),
        "cogs_share": share, "gross_margin": margin, "verdict": verdict,
    }
    queries = plan["users"].to_numpy() * v["queries_per_user_per_month"]
    rows = {
        "plan_users": plan["users"].to_numpy(),
        "monthly_queries": queries,
        "monthly_cogs": plan["monthly_cogs"].to_numpy(),
        "p95_monthly_cogs": np.asarray(eco.monthly_cogs(p95, v["queries_per_user_per_month"], plan["users"]),
                                       dtype=float),
        "monthly_revenue": plan["monthly_revenue"].to_numpy(),
    }
    rows["plan_gross_margin"] = (rows["monthly_revenue"] - rows["monthly_cogs"]) / rows["monthly_revenue"]
    return items, rows


#: Templates whose axis is not months: the axis values the library lays the plan out on.
MODEL_AXES = {"unit_economics": (1, 10, 100)}

MODELS: dict[str, Callable[[dict[str, Any]], tuple[dict, dict]]] = {
    "budget": budget,
    "build_vs_buy": build_vs_buy,
    "finetune_vs_prompt": finetune_vs_prompt,
    "unit_economics": unit_economics,
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
    items = {k: (None if isinstance(v, (int, float, np.floating)) and np.isinf(v)
                 else float(v) if isinstance(v, (int, float, np.floating)) else v) for k, v in items.items()}
    if t.axis_values and tuple(t.axis_values) != MODEL_AXES.get(t.model, tuple(t.axis_values)):
        raise ValueError(f"template {t.name} axis {t.axis_values} differs from its model's {MODEL_AXES[t.model]}")
    return Schedule(t.name, values, items, frame, {name: row.section for name, (_, row) in t.rows.items()})


def is_no_value(value: Any) -> bool:
    """True where the library says "none": no break-even (inf) or no month within the timeline."""
    return value is None or (isinstance(value, float) and math.isinf(value))
