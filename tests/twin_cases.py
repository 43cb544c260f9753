"""The cases every Excel twin is checked on: a hand-chosen table of edges, and an ordinary case
derived from the argument registry, so a new twin is covered as soon as it is registered.

``GRID`` holds the cases a person chose: the ordinary case with published figures and each
edge the function decides (zeros, boundaries, the branch where the result does not exist).
:func:`registry_case` derives one more case from ``costlib.arguments``: each parameter with a
numeric rule gets a value inside its rule, each name a catalogue name. A twin whose parameters
the registry does not describe (the timeline's rows and periods) needs its rows in ``GRID``;
tests/test_registries.py says which.
"""

from __future__ import annotations

from costlib import formulas
from costlib.arguments import arguments_of
from costlib.rules import RULES

#: twin -> cases; each case is the call's arguments (lists for timeline rows, a list of
#: values for *args). Chosen for the ordinary case and each edge the function decides.
GRID: dict[str, list[dict]] = {
    "train_flops": [dict(params=70e9, tokens=15e12), dict(params=1, tokens=1, flops_per_param_token=8)],
    "compute_gpu_hours": [dict(flops=6.3e24, gpu=989.4, mfu=0.4), dict(flops=1.0, gpu=1e-3, mfu=1.0)],
    "train_gpu_hours": [dict(params=70e9, tokens=15e12, gpu=989.4, mfu=0.4), dict(params=2e12, tokens=1e15, gpu=2250, mfu=1)],
    "train_cost": [dict(params=70e9, tokens=15e12, price_per_gpu_hour=2.0, gpu=989.4, mfu=0.4),
                   dict(params=7e9, tokens=1e12, price_per_gpu_hour=0.0, gpu=312, mfu=0.55, flops_per_param_token=8)],
    "precision_mfu": [dict(mfu=0.4, precision="bf16"), dict(mfu=0.4, precision="fp8"), dict(mfu=1.0, precision="tf32")],
    "energy_cost": [dict(gpu_hours=4.42e6, price_per_kwh=0.10, gpu=700, pue=1.2), dict(gpu_hours=0, price_per_kwh=0.3, gpu=1000)],
    "moe_active_params": [dict(shared_params=1.6e9, expert_params=45.1e9, experts_per_token=2, experts=8),
                          dict(shared_params=0, expert_params=1e9, experts_per_token=8, experts=8)],
    "chinchilla_tokens": [dict(params=70e9), dict(params=1, tokens_per_param=0.5)],
    "chinchilla_loss": [dict(params=70e9, tokens=1.4e12), dict(params=1e6, tokens=1e6, E=0, alpha=1, beta=1)],
    "research_cost": [dict(final_run_cost=5.576e6, research_multiplier=1.0), dict(final_run_cost=0, research_multiplier=3)],
    "failed_runs_cost": [dict(final_run_cost=8.84e6, failed_run_share=0.1), dict(final_run_cost=1e6, failed_run_share=0)],
    "data_preparation_cost": [dict(compute_cost=10e6, data_preparation_share=0.3),
                              dict(compute_cost=1e6, data_preparation_share=0), dict(compute_cost=1, data_preparation_share=0.999)],
    "accelerator_peak_tflops": [dict(gpu="H100", precision="bf16"), dict(gpu="H100", precision="fp8"),
                                dict(gpu="A100 80GB", precision="fp16")],
    "serving_gpu_hours": [dict(tokens=100e9, tokens_per_second=2000, utilization=0.2), dict(tokens=0, tokens_per_second=1)],
    "token_cost": [dict(price_per_gpu_hour=2.5, tokens_per_second=2000), dict(price_per_gpu_hour=2.5, tokens_per_second=2000, utilization=0.05),
                   dict(price_per_gpu_hour=0, tokens_per_second=1e-3, utilization=1)],
    "time_per_output_token": [dict(params=70e9, layers=80, kv_heads=8, head_dim=128, context_tokens=4096, gpu="H100", gpus=2),
                              dict(params=6.607e9, layers=32, kv_heads=32, head_dim=128, context_tokens=0, gpu="A100 80GB",
                                   precision="int8", bandwidth_utilization=1, mfu=0.3, bytes_per_value=1),
                              dict(params=7e9, layers=32, kv_heads=8, head_dim=128, context_tokens=256, gpu="H200",
                                   batch_size=2048, precision="fp8")],
    "serving_tokens_per_second": [dict(params=70e9, layers=80, kv_heads=8, head_dim=128, context_tokens=4096, gpu="H100",
                                       batch_size=64, gpus=2),
                                  dict(params=6.607e9, layers=32, kv_heads=32, head_dim=128, context_tokens=105, gpu="A100 80GB"),
                                  dict(params=7e9, layers=32, kv_heads=8, head_dim=128, context_tokens=128, gpu="H200",
                                       batch_size=1024, precision="fp8", bytes_per_value=1),
                                  dict(params=8e9, layers=32, kv_heads=8, head_dim=128, context_tokens=2048, gpu="L40S",
                                       batch_size=16, precision="int4", mfu=1),
                                  dict(params=1e9, layers=16, kv_heads=16, head_dim=64, context_tokens=1, gpu="A100 80GB",
                                       batch_size=512, precision="fp32", bandwidth_utilization=0.5)],
    "api_cost_per_query": [dict(input_tokens=2000, output_tokens=500, input_price_per_m_tokens=3, output_price_per_m_tokens=15),
                           dict(input_tokens=2000, output_tokens=0, input_price_per_m_tokens=3, output_price_per_m_tokens=15,
                                cached_share=1, cached_input_price_per_m_tokens=0.3),
                           dict(input_tokens=0, output_tokens=1, input_price_per_m_tokens=0, output_price_per_m_tokens=0)],
    "blended_cost_per_query": [dict(large_model_cost=0.0135, small_model_cost=0.0009, small_model_share=0.6, cache_hit_rate=0.2),
                               dict(large_model_cost=0.01, small_model_cost=0.001, small_model_share=1, cache_hit_rate=1,
                                    cache_hit_cost=0.0001), dict(large_model_cost=0.01)],
    "cost_of_tokens": [dict(tokens_served=100e9, price_per_m_tokens=3), dict(tokens_served=0, price_per_m_tokens=3)],
    "cost_per_m_tokens": [dict(cost=183611, tokens_served=100e9), dict(cost=0, tokens_served=1)],
    "breakeven": [dict(fixed_cost=1000, price_per_unit=3, cost_per_unit=0.35), dict(fixed_cost=1000, price_per_unit=0.3, cost_per_unit=0.35),
                  dict(fixed_cost=0, price_per_unit=3, cost_per_unit=3), dict(fixed_cost=0, price_per_unit=3, cost_per_unit=1)],
    "utilization_breakeven": [dict(cost_per_m_tokens_at_full_load=0.35, api_price_per_m_tokens=3),
                              dict(cost_per_m_tokens_at_full_load=3.5, api_price_per_m_tokens=3),
                              dict(cost_per_m_tokens_at_full_load=3, api_price_per_m_tokens=3),
                              dict(cost_per_m_tokens_at_full_load=0, api_price_per_m_tokens=0)],
    "months_to_breakeven": [dict(fixed_cost=50000, monthly_saving=8000), dict(fixed_cost=50000, monthly_saving=0),
                            dict(fixed_cost=50000, monthly_saving=-10)],
    "price_after_decline": [dict(price=3, annual_decline=0.9, years=1), dict(price=3, annual_decline=0, years=10),
                            dict(price=3, annual_decline=0.5, years=0.25)],
    "breakeven_after_decline": [dict(fixed_cost=1000, price_per_unit=3, cost_per_unit=0.35, annual_decline=0.5),
                                dict(fixed_cost=1000, price_per_unit=3, cost_per_unit=0.35, annual_decline=0.9, years=1),
                                dict(fixed_cost=1000, price_per_unit=3, cost_per_unit=0.35, annual_decline=0.5, years=0)],
    "amortized_cost_per_m_tokens": [dict(training_cost=8.84e6, lifetime_tokens=1e13, marginal_cost_per_m_tokens=0.35),
                                    dict(training_cost=0, lifetime_tokens=1, marginal_cost_per_m_tokens=0)],
    "lognormal_mean": [dict(median=2000.0, p95=8000.0), dict(median=500.0, p95=500.0), dict(median=0.0, p95=100.0)],
    "monthly_cogs": [dict(cost_per_query=0.0135, queries_per_user_per_month=300), dict(cost_per_query=0.01, queries_per_user_per_month=3000, users=1e6)],
    "cogs_share": [dict(cogs_per_user=6, arpu=20), dict(cogs_per_user=0, arpu=1)],
    "gross_margin": [dict(revenue=20, cogs=6), dict(revenue=1, cogs=3)],
    "unit_economics_verdict": [dict(cogs_share=0.3375, gross_margin=0.6625), dict(cogs_share=0.2, gross_margin=0.4),
                               dict(cogs_share=0.1, gross_margin=0.9), dict(cogs_share=0.3, gross_margin=0.5, threshold=0.3, margin_floor=0.5)],
    "growth": [dict(first=100e9, growth_rate=0.05, period=3), dict(first=1, growth_rate=0, period=600), dict(first=5, growth_rate=1, period=1)],
    "in_month": [dict(amount=8.8e6, period=2, at_period=2), dict(amount=8.8e6, period=3, at_period=2)],
    "every": [dict(amount=5e4, period=5, first_period=2, interval=3), dict(amount=5e4, period=4, first_period=2, interval=3),
              dict(amount=5e4, period=1, first_period=2, interval=1), dict(amount=5e4, period=7, first_period=7, interval=6)],
    "elapsed_years": [dict(period=1), dict(period=13), dict(period=600)],
    "cumulative": [dict(values=[5.0, 0.0, 2.5, 1e12]), dict(values=[7.0])],
    "total": [dict(values=[5.0, 0.0, 2.5]), dict(values=[0.0])],
    "last": [dict(values=[1.0, 3.0, 6.0]), dict(values=[4.0])],
    "first": [dict(values=[1.0, 3.0, 6.0]), dict(values=[4.0])],
    "count_of": [dict(values=[1.0, 3.0, 6.0]), dict(values=[0.0])],
    "first_where": [dict(flags=[0, 0, 1, 1], periods=[1, 2, 3, 4]), dict(flags=[0, 0], periods=[1, 2]),
                    dict(flags=[1, 0], periods=[10, 11])],
    "sum_of": [dict(values=[1.0, 2.0, 3.5]), dict(values=[4.0]), dict(values=[-1.0, 1.0])],
    "difference": [dict(value=0.0135, subtracted=0.006), dict(value=0, subtracted=5)],
    "product": [dict(factors=[69444.4, 2.5]), dict(factors=[3.0]), dict(factors=[100, 4.05, 1000])],
    "share_of": [dict(part=25, whole=100), dict(part=0, whole=1)],
    "at_least": [dict(value=1, reference=2), dict(value=2, reference=2), dict(value=3, reference=2)],
    "below": [dict(value=1, reference=2), dict(value=2, reference=2)],
    "cheaper": [dict(cost=1.2e6, other_cost=1.5e6, label="build", other_label="buy"),
                dict(cost=1.5e6, other_cost=1.5e6, label="build", other_label="buy")],
    "agree": [dict(value=100.0000000001, expected=100), dict(value=100.01, expected=100), dict(value=0, expected=1e-10),
              dict(value=1e17, expected=1e17 + 64), dict(value=1, expected=1.1, tolerance=0.1)],
    "all_of": [dict(conditions=[True, True]), dict(conditions=[True, False])],
    "no_errors": [dict(values=[[1.0, 2.0], [3.0]])],
    "in_catalogue": [dict(gpu="H100"), dict(gpu="No Such GPU")],
    "as_text": [dict(value=26781231.05, decimals=1, scale=1e-6, suffix=" M", prefix="$"), dict(value=0.1157, decimals=1, scale=100),
                dict(value=1234567.891, decimals=2), dict(value="not within the timeline"), dict(value=-0.5, decimals=0)],
    "text_join": [dict(parts=["Buy: ", "6.5 M", " over 24 months"]), dict(parts=["one part"])],
    "accelerator_board_power_w": [dict(gpu="H100"), dict(gpu="MI300X")],
    # calendar: 46388 = 2027-01-01, 46402 = 2027-01-15, 47178 = 2029-03-01 (Excel serials)
    "month_end": [dict(start_date=46388, period=1), dict(start_date=46402, period=2), dict(start_date=46388, period=14),
                  dict(start_date=47178, period=600)],
    "fiscal_year": [dict(date=46418, fiscal_year_start_month=1), dict(date=46599, fiscal_year_start_month=7),
                    dict(date=46568, fiscal_year_start_month=7), dict(date=46752, fiscal_year_start_month=12)],
    "fiscal_quarter": [dict(date=46418), dict(date=46599, fiscal_year_start_month=7),
                       dict(date=46568, fiscal_year_start_month=7), dict(date=46752, fiscal_year_start_month=10)],
    "run_months": [dict(gpu_hours=4.42e6, gpus=2048), dict(gpu_hours=0, gpus=1)],
    "spread": [dict(amount=100, period=3, start_period=3, duration=2.5), dict(amount=100, period=5, start_period=3, duration=2.5),
               dict(amount=100, period=6, start_period=3, duration=2.5), dict(amount=100, period=2, start_period=3, duration=2.5),
               dict(amount=7, period=1, start_period=1, duration=0.25)],
    "month_after": [dict(start_period=3, duration=2.5), dict(start_period=3, duration=2), dict(start_period=1, duration=0)],
    "given_or": [dict(value=0, otherwise=5), dict(value=8, otherwise=5)],
    "growth_from": [dict(first=100, growth_rate=0.1, period=1, start_period=2), dict(first=100, growth_rate=0.1, period=4, start_period=2),
                    dict(first=100, growth_rate=0.1, period=2, start_period=2)],
    "between": [dict(amount=5, period=1, first_period=2, last_period=3), dict(amount=5, period=3, first_period=2, last_period=3),
                dict(amount=5, period=4, first_period=2, last_period=3)],
    "declining": [dict(first=2.0, decline_rate=0.2, period=13), dict(first=2.0, decline_rate=0, period=7),
                  dict(first=3.0, decline_rate=0.5, period=600)],
    "per_month": [dict(annual=300000), dict(annual=0)],
    "whole_gpus": [dict(gpu_hours=730), dict(gpu_hours=731), dict(gpu_hours=0), dict(gpu_hours=69444.44444444444)],
    "gpu_hours_in_month": [dict(gpus=3), dict(gpus=0)],
    "running_max": [dict(values=[1.0, 3.0, 2.0, 5.0]), dict(values=[0.0])],
    "previous": [dict(values=[4.0, 6.0, 9.0], periods=[1, 2, 3], period=1), dict(values=[4.0, 6.0, 9.0], periods=[1, 2, 3], period=3)],
    "cost_of_building_and_serving": [dict(one_time_cost=1000.0, serving_cost=200.0, fixed_cost=50.0, contingency_share=0.1),
                                     dict(one_time_cost=0.0, serving_cost=75.0)],
    "cost_of_buying": [dict(api_bill=1000.0, fixed_cost=0.0, contingency_share=0.1), dict(api_bill=30.0, fixed_cost=20.0)],
    "utilization_breakeven_with_fixed_cost": [dict(serving_cost_at_full_load=35.0, api_cost=300.0, fixed_cost=0.0),
                                              dict(serving_cost_at_full_load=35.0, api_cost=300.0, fixed_cost=290.0),
                                              dict(serving_cost_at_full_load=35.0, api_cost=300.0, fixed_cost=100.0),
                                              dict(serving_cost_at_full_load=35.0, api_cost=30.0, fixed_cost=100.0)],
    "words_when_chosen": [dict(choice="none", option="none", words="no training", otherwise=10.0),
                          dict(choice="pre-train", option="none", words="no training", otherwise=10.0)],
    "unless_chosen": [dict(choice="rent", option="api", value=0.12), dict(choice="api", option="api", value=0.12)],
    "ramp": [dict(target=9.0, period=p, start_period=4, ramp_months=3) for p in (3, 4, 5, 6, 7)]
            + [dict(target=3.0, period=10, start_period=10, ramp_months=1)],
    "escalating": [dict(first=25000.0, annual_rate=0.04, period=13), dict(first=25000.0, annual_rate=0, period=7),
                   dict(first=300000.0, annual_rate=0.05, period=600)],
    "cohort": [dict(period=1, interval=12), dict(period=13, interval=12), dict(period=14, interval=12), dict(period=5, interval=1)],
    "by_cohort": [dict(values=[5.0, 2.0, 0.0, 0.0, 0.0], cohorts=[0, 1, 0, 1, 0], cohort_of_period=c, periods=[1, 2, 3, 4, 5],
                       period=p) for c, p in ((0, 1), (1, 2), (0, 3), (1, 4), (0, 5))],
    "capitalised": [dict(amount=5, treatment="capitalise"), dict(amount=5, treatment="expense"),
                    dict(amount=5, treatment="capitalise", period=6, capitalisation_start=7),
                    dict(amount=5, treatment="capitalise", period=7, capitalisation_start=7)],
    "expensed": [dict(amount=5, treatment="capitalise"), dict(amount=5, treatment="expense"),
                 dict(amount=5, treatment="capitalise", period=6, capitalisation_start=7),
                 dict(amount=5, treatment="expense", period=9, capitalisation_start=7)],
    "fiscal_year_end": [dict(date=46568, fiscal_year_start_month=7), dict(date=46752, fiscal_year_start_month=7),
                        dict(date=46752, fiscal_year_start_month=1), dict(date=46477, fiscal_year_start_month=4)],
    "value_in_use": [dict(discounted_savings_total=1909.090909, discounted_savings_to_date=1000.0, discounted_tail=0.0,
                          annual_rate=0.10, period=12),
                     dict(discounted_savings_total=950.0, discounted_savings_to_date=1000.0, discounted_tail=0.0,
                          annual_rate=0.10, period=12),
                     dict(discounted_savings_total=500.0, discounted_savings_to_date=500.0, discounted_tail=75.0,
                          annual_rate=0, period=30)],
    "held_flat_value": [dict(monthly_amount=100.0, annual_rate=0.0, months=9, after_period=36),
                        dict(monthly_amount=100.0, annual_rate=0.10, months=-3, after_period=36),
                        dict(monthly_amount=100.0, annual_rate=0.10, months=12, after_period=0),
                        dict(monthly_amount=-250.0, annual_rate=0.07, months=27, after_period=120)],
    "recoverable_share": [dict(carrying_amount=100.0, recoverable_amount=30.0, test=1),
                          dict(carrying_amount=100.0, recoverable_amount=130.0, test=1),
                          dict(carrying_amount=100.0, recoverable_amount=30.0, test=0),
                          dict(carrying_amount=0.0, recoverable_amount=30.0, test=1)],
    "running_min": [dict(values=[1.0, 0.5, 1.0, 0.25]), dict(values=[0.0])],
    "straight_line": [dict(amounts=[12.0, 0, 0, 6.0, 0, 0, 0], periods=[1, 2, 3, 4, 5, 6, 7], period=p, in_service=2, life=3)
                      for p in (1, 2, 4, 5, 7)] + [dict(amounts=[9.0, 3.0], periods=[1, 2], period=2, in_service=1, life=60)],
    "when_chosen": [dict(choice="typed", option="typed", value=2000.0, otherwise=665.0),
                    dict(choice="model shape", option="typed", value=2000.0, otherwise=665.0)],
    "by_plan": [dict(plan=p, rent=3.0, own=2.0, api=5.0) for p in ("rent", "own", "api")],
    "by_period": [dict(values=[1.0, 2.0, 4.0], labels=[2027, 2027, 2028], label=2027),
                  dict(values=[1.0, 2.0, 4.0], labels=[2027, 2027, 2028], label=2030)],
    "by_quarter": [dict(values=[1.0, 2.0, 4.0, 8.0], years=[2027, 2027, 2027, 2028], year=2027, quarters=[1, 1, 2, 1], quarter=1),
                   dict(values=[1.0, 2.0, 4.0, 8.0], years=[2027, 2027, 2027, 2028], year=2028, quarters=[1, 1, 2, 1], quarter=1)],
    "never_negative": [dict(values=[3.0, 0.0, -1e-12]), dict(values=[3.0, -1.0])],
    # time value of money: a rate of 0 (the plain sum), a long row, negative flows, a high rate
    "npv": [dict(annual_rate=0.10, values=[1000.0] * 12), dict(annual_rate=0, values=[5.0, -2.0, 7.5]),
            dict(annual_rate=0.10, values=[-100000.0] + [10000.0] * 23), dict(annual_rate=0.5, values=[1e6] * 600),
            dict(annual_rate=0.07, values=[0.0])],
    "discounted": [dict(amount=1000, annual_rate=0.10, period=12), dict(amount=1000, annual_rate=0, period=7),
                   dict(amount=-250, annual_rate=0.25, period=1), dict(amount=3e6, annual_rate=0.10, period=600)],
    "discounted_months_to_breakeven": [dict(fixed_cost=100000, monthly_saving=10000, annual_rate=0.10),
                                       dict(fixed_cost=100000, monthly_saving=10000, annual_rate=0),
                                       dict(fixed_cost=100000, monthly_saving=500, annual_rate=0.10),
                                       dict(fixed_cost=100000, monthly_saving=0, annual_rate=0.10),
                                       dict(fixed_cost=100000, monthly_saving=-10, annual_rate=0),
                                       dict(fixed_cost=0, monthly_saving=10, annual_rate=0.10)],
    "tiered_cost": [dict(units=3e6, price_per_unit=0.0135, tier_start=1e6, tier_price_per_unit=0.0108, minimum=5000),
                    dict(units=3e5, price_per_unit=0.0135, tier_start=1e6, tier_price_per_unit=0.0108, minimum=5000),
                    dict(units=1e6, price_per_unit=0.0135, tier_start=1e6, tier_price_per_unit=0.0108),
                    dict(units=0, price_per_unit=1, tier_start=0, tier_price_per_unit=2)],
}



def inside(rule: str, i: int) -> float:
    """A value inside ``rule`` for the ``i``-th parameter: away from the bounds, and a different
    value for each parameter, so that a twin with two arguments swapped disagrees."""
    lo, _, hi, _, _ = RULES[rule]
    if hi - lo <= 1:
        return lo + (hi - lo) * (0.3 + 0.07 * (i % 7))
    return max(lo, 0.0) + 1.5 + 0.75 * i


#: A name or number for each registered argument without a numeric rule, by how it is read.
BY_NAME = {"gpu": "H100", "precision": "bf16"}
BY_UNIT = {"TFLOP/s": 989.4, "W": 700.0}  # a gpu read as a number: H100 SXM's dense BF16 peak, board power


def sample(argument, i: int, as_name: bool):
    """A value of ``argument`` (a registry entry as one function reads it) for the ``i``-th
    parameter: inside its rule, or a catalogue name, or the number a name stands for; None
    where the registry cannot say."""
    if argument.rule is not None:
        return inside(argument.rule, i)
    if as_name:
        return BY_NAME.get(argument.name)
    unit = "W" if "[W]" in argument.meaning else argument.unit
    return BY_UNIT.get(unit)


def sample_call(function, names, *, as_names=()) -> tuple | None:
    """Values for ``function``'s parameters ``names``, in order, from the registry; None if it cannot say.

    An Excel function takes its names as text (``as_names`` every one of them).
    """
    try:
        readings = arguments_of(function)
    except TypeError:  # a parameter the registry does not describe
        return None
    values = tuple(sample(readings[name], i, name in as_names) for i, name in enumerate(names))
    return None if any(v is None for v in values) else values


def registry_case(twin: formulas.Twin) -> dict | None:
    """One call of ``twin`` with every rendered parameter set from the registry; None if it cannot say."""
    parameters = twin.signature.parameters.values()
    if any(p.kind is p.VAR_POSITIONAL or p.name in twin.ranges or p.name in twin.to_date for p in parameters):
        return None
    names = [p.name for p in parameters if p.name not in twin.unrendered]
    values = sample_call(twin.function, names, as_names=twin.text)
    return None if values is None else dict(zip(names, values))


def cases() -> dict[str, list[dict]]:
    """Every twin's cases: ``GRID``'s rows, then the registry's ordinary case where it has one."""
    out = {}
    for name, twin in formulas.twins().items():
        derived = registry_case(twin)
        out[name] = GRID.get(name, []) + ([derived] if derived is not None else [])
    return out
