"""The budget's calendar, timing, accounting and serving plans, against arithmetic done here.

Every expected number below is computed in this file from the inputs (the template's
defaults, templates/budget.toml, or the overrides a test sets) with the published
constants named on their line; none comes from the costlib function that computes it.
What is not a number is an identity (cash = P&L + change in book value) or a property
(net book value never negative). Core tier: schedule() only, two renders for currency.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import io
import math

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from rendered import default_bytes

from costlib import InputError, cli
from costlib.plan import schedule
from costlib.workbook import render

H100_BF16_DENSE_TFLOPS = 989.4  # [NVIDIA2022]: H100 SXM BF16 1,979 TFLOP/s with sparsity, 989.4 dense
H100_BOARD_POWER_W = 700.0      # [NVIDIA2022]: H100 SXM board power 700 W
HOURS_PER_MONTH = 8760 / 12     # 730 h: a 365-day year of 8,760 h over 12 months
SECONDS_PER_HOUR = 3600
EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's 1900 date system: serial 1 = 1900-01-01 (valid from 1900-03-01)

TREATMENT_INPUTS = {  # build line -> its policy input (templates/budget.toml, group "Accounting policy")
    "research": "research_treatment", "data_preparation": "data_preparation_treatment",
    "final_run": "final_run_treatment", "failed_runs": "failed_runs_treatment",
    "finetune": "finetune_treatment", "training_staff": "training_staff_treatment",
}


@functools.lru_cache(maxsize=None)
def _cached(items: tuple):
    return schedule("budget", dict(items))


def sched(**overrides):
    """The budget for these overrides, computed once per module run."""
    return _cached(tuple(sorted(overrides.items(), key=lambda kv: kv[0])))


def rel(x, tol=1e-9):
    return pytest.approx(x, rel=tol, abs=tol * 1e-3)


def month_numbers(s):
    return np.arange(1, int(s.inputs["months"]) + 1)


# --------------------------------------------------------------- independent arithmetic

H100_BANDWIDTH_TBPS = 3.35  # [NVIDIA2022]: H100 SXM 3.35 TB/s HBM3
H100_NVLINK_GBPS = 450.0    # [NVIDIA2022]: H100 SXM NVLink 900 GB/s both ways, 450 GB/s one way


def shape_step_seconds() -> tuple[float, float]:
    """(memory, all-reduce) seconds of one decode step of the default 70B shape, worked here.

    Both templates' defaults (templates/budget.toml and templates/build-vs-buy.toml, group "Serving
    throughput from the model's shape"): one replica on 2 H100 reads the BF16 weights (70e9 x 2 B) and
    the KV cache of 64 sequences of 4,096 tokens (2 x 80 layers x 8 KV heads x 128 x 2 B a token) at
    70 % of 2 x 3.35 TB/s; tensor parallel over the 2 GPUs, each of the 80 layers all-reduces twice,
    64 x d 16-bit values with 2 (2 - 1) / 2 of them over each GPU's NVLink at the link efficiency 0.25
    fitted on TensorRT-LLM's LLaMA 70B TP 2 rows [NVIDIA2024]; d = sqrt(70e9 / (12 x 80)) = 8,539.
    """
    kv = 2 * 80 * 8 * 128 * 2 * 4096 * 64
    memory = (70e9 * 2 + kv) / (H100_BANDWIDTH_TBPS * 1e12 * 2 * 0.7)
    d = (70e9 / (12 * 80)) ** 0.5
    comm = 2 * 80 * 2 * (2 - 1) / 2 * 64 * d * 2 / (H100_NVLINK_GBPS * 1e9 * 0.25)  # 1.55 ms a step
    return memory, comm


def shape_tokens_per_gpu_second() -> float:
    """Tokens a second per GPU of the default 70B shape: 64 sequences a step, over the 2 GPUs (644)."""
    return 64 / sum(shape_step_seconds()) / 2


FLAT_STAFF = {"hiring_ramp_months": 1, "annual_raise": 0, "finetune_team_headcount": 0}  # teams as flat monthly sums
TYPED = {"tokens_per_second": 2000}  # ~2,000 tokens/s typed [WaferZero2026], in place of the model-shape figure
FT_CYCLE = 50_000 + 6 * 70e9 * 1e9 / (989.4e12 * 0.4 * 3600) * 2.0  # $50k + 6 N D on 1 B tokens at $2/GPU-h: $50,589.58


def staff_by_hand(inp: dict, launch: int) -> tuple[np.ndarray, np.ndarray]:
    """(training team, serving team) cost by month: FTE ramped over hiring_ramp_months, loaded cost + raise."""
    m = np.arange(1, inp["months"] + 1)
    ramp = inp["hiring_ramp_months"]
    raise_factor = (1 + inp["annual_raise"]) ** ((m - 1) / 12)  # the raise, month by month
    training_fte = np.where(m < launch, inp["training_headcount"] * np.minimum(1, m / ramp),
                            inp["finetune_team_headcount"] * (inp["finetune_cost"] > 0))
    serving_target = inp["api_plan_headcount"] if inp["serving_plan"] == "api" else inp["serving_headcount"]
    serving_fte = np.where(m >= launch, serving_target * np.minimum(1, (m - launch + 1) / ramp), 0.0)
    return (training_fte * inp["training_cost_per_person_year"] / 12 * raise_factor,
            serving_fte * inp["serving_cost_per_person_year"] / 12 * raise_factor)


def programme(inp: dict) -> dict:
    """The build lines, run timing and launch, from the inputs alone (6 N D over H100 BF16 dense peak)."""
    gpu_hours = (inp["flops_per_param_token"] * inp["params"] * inp["train_tokens"]
                 / (H100_BF16_DENSE_TFLOPS * 1e12 * inp["mfu"] * SECONDS_PER_HOUR))
    final = gpu_hours * inp["train_price_per_gpu_hour"]
    research = final * inp["research_multiplier"]
    failed = final * inp["failed_run_share"]
    share = inp["data_preparation_share"]
    data = (final + research + failed) * share / (1 - share)  # data is `share` of the whole programme
    run_months = gpu_hours / inp["training_gpus"] / HOURS_PER_MONTH
    dev = inp["development_months"]
    launch = inp["launch_month"] or math.ceil(dev + run_months) + 1  # the first whole month after the run
    training_team, _ = staff_by_hand(inp, launch)
    cycles = list(range(launch + inp["finetune_interval_months"], inp["months"] + 1, inp["finetune_interval_months"]))
    # a fine-tune cycle: 6 N D on its own tokens at the same GPU, MFU and price, + data and evaluation
    cycle_cost = (inp["flops_per_param_token"] * inp["params"] * inp["finetune_tokens"]
                  / (H100_BF16_DENSE_TFLOPS * 1e12 * inp["mfu"] * SECONDS_PER_HOUR) * inp["train_price_per_gpu_hour"]
                  + inp["finetune_cost"])
    return dict(gpu_hours=gpu_hours, final_run=final, research=research, failed_runs=failed, data_preparation=data,
                run_months=run_months, dev=dev, launch=launch, training_staff=training_team[:launch - 1].sum(),
                finetune_team=training_team[launch - 1:].sum(),
                finetune_cycles=cycles, cycle_cost=cycle_cost, finetune=cycle_cost * len(cycles))


def capitalised_split(inp: dict, p: dict, purchases=None) -> tuple[float, float, float]:
    """(capitalised before launch, capitalised per fine-tune cycle, expensed in all) under the policy.

    ``purchases`` (the plan's GPU purchases by month) carry contingency too, capitalised with
    the GPUs whatever the contingency treatment, and depreciated with them apart.
    """
    cont = inp["contingency_share"]
    cont_cap = inp["contingency_treatment"] == "capitalise"
    pre_lines = ["research", "data_preparation", "final_run", "failed_runs", "training_staff"]
    pre = sum(p[line] for line in pre_lines if inp[TREATMENT_INPUTS[line]] == "capitalise")
    pre += cont * sum(p[line] for line in pre_lines) * cont_cap
    cycle = p["cycle_cost"] * ((inp["finetune_treatment"] == "capitalise") + cont * cont_cap)
    bought = 0.0 if purchases is None else float(np.sum(purchases))
    build = (1 + cont) * (sum(p[line] for line in pre_lines) + p["finetune"]) + cont * bought
    expensed = build - pre - cycle * len(p["finetune_cycles"]) - cont * bought
    return pre, cycle, expensed


def straight_line_expected(months: int, launch: int, life: int, pre: float, later: dict[int, float]) -> np.ndarray:
    """Each pre-launch amount in equal parts over `life` months from launch; a later one from its own month."""
    out = np.zeros(months)
    for m in range(1, months + 1):
        if launch <= m < launch + life:
            out[m - 1] += pre / life
        out[m - 1] += sum(amount / life for k, amount in later.items() if k <= m < k + life)
    return out


def whole_gpus_expected(tokens: np.ndarray, inp: dict) -> np.ndarray:
    per_gpu_month = inp["tokens_per_second"] * inp["utilization"] * SECONDS_PER_HOUR * HOURS_PER_MONTH
    return np.array([math.ceil(t / per_gpu_month) for t in tokens], dtype=float)


def declining_expected(first: float, decline: float, months: np.ndarray) -> np.ndarray:
    return first * (1 - decline) ** ((months - 1) / 12)


# --------------------------------------------------------------- 1. calendar

class TestCalendar:
    def test_month_ends_are_the_real_calendar(self):
        s = sched(start_date="2027-01")
        cols = s.monthly.columns
        assert cols[0] == pd.Timestamp("2027-01-31")
        assert cols[1] == pd.Timestamp("2027-02-28")   # 2027 is not a leap year
        assert cols[13] == pd.Timestamp("2028-02-29")  # 2028 is: divisible by 4, not by 100
        for i, d in enumerate(cols):  # month i+1 of a timeline from Jan 2027, on its last day
            year, month = 2027 + i // 12, i % 12 + 1
            assert (d.year, d.month, d.day) == (year, month, calendar.monthrange(year, month)[1])

    def test_month_end_cells_are_excel_serials(self):
        s = sched(start_date="2027-01")
        serials = s.rows.loc["month_end"].to_numpy()
        assert serials[0] == (datetime.date(2027, 1, 31) - EXCEL_EPOCH).days   # 46418
        assert serials[13] == (datetime.date(2028, 2, 29) - EXCEL_EPOCH).days

    @pytest.mark.parametrize("start", ["2027-01", "2027-01-01", "2027-01-15", datetime.date(2027, 1, 1)])
    def test_start_date_forms_give_the_same_months(self, start):
        s, ref = sched(start_date=start), sched(start_date="2027-01")
        assert list(s.monthly.columns) == list(ref.monthly.columns)
        pd.testing.assert_frame_equal(s.monthly, ref.monthly)

    def test_july_fiscal_year_is_named_by_the_year_it_ends_in(self):
        s = sched(start_date="2027-01", fiscal_year_start_month=7)
        fy, q = s.rows.loc["fiscal_year"], s.rows.loc["fiscal_quarter"]
        assert (fy[1], q[1]) == (2027, 3)   # Jan 2027: FY Jul 2026-Jun 2027 = FY2027, its third quarter
        assert (fy[6], q[6]) == (2027, 4)   # Jun 2027: last month of FY2027
        assert (fy[7], q[7]) == (2028, 1)   # Jul 2027 opens FY2028
        assert list(s.annual.columns) == [2027, 2028, 2029, 2030]  # 36 months from Jan 2027: 6 + 12 + 12 + 6

    def test_microsoft_fy2023_ended_30_june_2023(self):
        # [Microsoft2023]: Form 10-K for the fiscal year ended 30 June 2023, i.e. July 2022 to June 2023
        s = sched(start_date="2022-07", fiscal_year_start_month=7, months=12)
        assert set(s.rows.loc["fiscal_year"]) == {2023}
        assert s.monthly.columns[-1] == pd.Timestamp("2023-06-30")
        assert list(s.rows.loc["fiscal_quarter"]) == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]

    @pytest.mark.parametrize("fiscal_start", [1, 4, 7, 12])
    @pytest.mark.parametrize("start", ["2027-01", "2027-05"])
    def test_annual_and_quarterly_are_a_groupby_of_the_months(self, fiscal_start, start):
        s = sched(start_date=start, fiscal_year_start_month=fiscal_start, months=40)
        dates = s.monthly.columns
        # FY named by the year it ends in; quarter counted from the fiscal start
        fy = [d.year + (1 if fiscal_start > 1 and d.month >= fiscal_start else 0) for d in dates]
        q = [(d.month - fiscal_start) % 12 // 3 + 1 for d in dates]
        assert list(s.rows.loc["fiscal_year"]) == fy
        assert list(s.rows.loc["fiscal_quarter"]) == q
        names = list(s.annual.index)
        monthly = s.monthly.loc[names]
        by_year = monthly.T.groupby(pd.Index(fy, name="fiscal_year")).sum().T
        assert list(s.annual.columns) == list(by_year.columns)
        np.testing.assert_allclose(s.annual.to_numpy(), by_year.to_numpy(), rtol=1e-12, atol=1e-6)
        by_quarter = monthly.T.groupby([pd.Index(fy), pd.Index(q)]).sum().T
        assert sorted(s.quarterly.columns) == list(by_quarter.columns)
        np.testing.assert_allclose(s.quarterly[by_quarter.columns].to_numpy(), by_quarter.to_numpy(),
                                   rtol=1e-12, atol=1e-6)
        # the quarters run in calendar order, as a reader expects the columns
        assert list(s.quarterly.columns) == list(dict.fromkeys(zip(fy, q)))

    def test_annual_sums_flows_never_balances(self):
        names = set(sched().annual.index)
        for flow in ("cash_total", "pnl_total", "build_total", "opex_total", "amortisation", "depreciation",
                     "capitalised_development", "expensed_build_total", "memo_rent_cost", "memo_own_running_cost",
                     "memo_api_cost", "tokens_served"):
            assert flow in names
        for stock in ("net_book_value", "gpu_net_book_value", "balance_sheet_total", "serving_gpus", "owned_gpus",
                      "cumulative_build", "cumulative_opex", "month_end", "fiscal_year", "fiscal_quarter"):
            assert stock not in names  # a balance or a count summed over twelve months means nothing


# --------------------------------------------------------------- 2. timing

class TestTiming:
    def test_run_months_from_gpu_hours_and_cluster(self):
        s = sched()
        p = programme(s.inputs)
        assert s.items["training_gpu_hours"] == rel(p["gpu_hours"])          # 6 N D / (989.4 TFLOP/s x 0.4)
        assert s.items["training_months"] == rel(p["gpu_hours"] / 2048 / 730)  # 2,048 GPUs, 730 h a month
        assert s.items["training_months"] == rel(2.9577, 1e-4)               # 4.42 M GPU-h / 2,048 / 730
        assert s.items["training_cost"] == rel(p["gpu_hours"] * 2.0)          # $2/GPU-h

    @pytest.mark.parametrize("overrides", [{}, {"training_gpus": 400}, {"training_gpus": 100, "months": 96}],
                             ids=["default-3-months", "15-months", "61-months"])
    def test_final_run_is_spread_by_its_overlap_with_each_month(self, overrides):
        s = sched(**overrides)
        p = programme(s.inputs)
        start, end = p["dev"], p["dev"] + p["run_months"]  # the run: from the end of development, in months
        overlap = np.array([max(0.0, min(m, end) - max(m - 1, start)) for m in month_numbers(s)])
        expected = p["final_run"] * overlap / p["run_months"]
        np.testing.assert_allclose(s.rows.loc["build_final_run"].to_numpy(), expected, rtol=1e-9, atol=1e-6)
        assert s.rows.loc["build_final_run"].sum() == rel(p["final_run"])
        assert s.rows.loc["build_failed_runs"].sum() == rel(p["failed_runs"])
        assert s.items["launch"] == p["launch"]
        if overrides.get("training_gpus") == 400:
            assert s.items["launch"] == 23   # 4.42 M GPU-h / 400 / 730 = 15.1 months from month 7: ends in 22
        if overrides.get("training_gpus") == 100:
            assert s.items["launch"] == 68   # 60.6 months from month 7: ends in 67
        assert all(s.checks.values()), [k for k, v in s.checks.items() if not v]

    def test_default_run_phasing_by_hand(self):
        s = sched()
        p = programme(s.inputs)
        T = p["run_months"]  # 2.9577: months 7 and 8 whole, 0.9577 of month 9
        run = s.rows.loc["build_final_run"]
        assert run[6] == 0 and run[10] == 0
        assert run[7] == rel(p["final_run"] / T) and run[8] == rel(p["final_run"] / T)
        assert run[9] == rel(p["final_run"] * (T - 2) / T)
        assert s.items["launch"] == 10

    def test_research_and_data_preparation_over_development(self):
        s = sched(development_months=4)
        p = programme(s.inputs)
        for row, cost in (("build_research", p["research"]), ("build_data_preparation", p["data_preparation"])):
            values = s.rows.loc[row].to_numpy()
            np.testing.assert_allclose(values[:4], cost / 4, rtol=1e-12)
            assert np.all(values[4:] == 0)
            assert values.sum() == rel(cost)
        assert s.rows.loc["build_final_run", 4] == 0 and s.rows.loc["build_final_run", 5] > 0  # run starts in 5

    def test_a_run_of_exactly_three_months_launches_the_month_after(self):
        # GPU-hours of exactly 2,048 GPUs x 730 h x 3 months: months 7, 8, 9, launch in 10 (not 11)
        tokens = 2048 * 730 * 3 * H100_BF16_DENSE_TFLOPS * 1e12 * 0.4 * 3600 / (6 * 70e9)
        s = sched(train_tokens=tokens)
        assert s.items["training_months"] == rel(3.0)
        assert s.items["launch"] == 10
        run = s.rows.loc["build_final_run"]
        np.testing.assert_allclose(run[[7, 8, 9]].to_numpy(), s.items["training_cost"] / 3, rtol=1e-9)
        assert run[10] == pytest.approx(0, abs=1e-6)
        assert sched(train_tokens=tokens, launch_month=10).items["launch"] == 10   # the earliest launch is allowed
        with pytest.raises(InputError, match="launch_month"):                        # month 9 is still training
            schedule("budget", {"train_tokens": tokens, "launch_month": 9})

    @pytest.mark.parametrize("launch_month", [0, 20])
    def test_tokens_start_at_launch_and_grow(self, launch_month):
        s = sched(launch_month=launch_month, **FLAT_STAFF)
        launch = launch_month or 10
        m = month_numbers(s)
        expected = np.where(m >= launch, 100e9 * 1.05 ** (m - launch), 0.0)  # 100 B tokens, +5 % a month
        np.testing.assert_allclose(s.rows.loc["tokens_served"].to_numpy(), expected, rtol=1e-12)
        staff = s.rows.loc["build_training_staff"].to_numpy()
        np.testing.assert_allclose(staff, np.where(m < launch, 10 * 300_000 / 12, 0.0))  # 10 people to launch
        serving = s.rows.loc["opex_serving_staff"].to_numpy()
        np.testing.assert_allclose(serving, np.where(m >= launch, 3 * 250_000 / 12, 0.0))  # 3 people from launch
        amort = s.rows.loc["amortisation_before_impairment"].to_numpy()
        assert np.all(amort[m < launch] == 0) and amort[launch - 1] > 0


# --------------------------------------------------------------- 3. accounting

LINE_BY_LINE = {"capitalisation_start_month": 1, **FLAT_STAFF}  # each line as its treatment says, from month 1
POLICIES = {
    "defaults": LINE_BY_LINE,
    "capitalise-all": {**{v: "capitalise" for v in TREATMENT_INPUTS.values()}, "contingency_treatment": "capitalise",
                       **LINE_BY_LINE},
    "expense-all": {**{v: "expense" for v in TREATMENT_INPUTS.values()}, "contingency_treatment": "expense",
                    **LINE_BY_LINE},
    "mixed-own": {"research_treatment": "capitalise", "failed_runs_treatment": "capitalise",
                  "final_run_treatment": "expense", "data_preparation_treatment": "expense",
                  "finetune_treatment": "expense", "training_staff_treatment": "capitalise",
                  "contingency_treatment": "capitalise", "serving_plan": "own", **LINE_BY_LINE},
}


class TestAccounting:
    @pytest.mark.parametrize("policy", POLICIES, ids=list(POLICIES))
    def test_every_build_line_is_capitalised_or_expensed_once(self, policy):
        s = sched(**POLICIES[policy])
        rows, p = s.rows, programme(s.inputs)
        bought = rows.loc["gpu_purchases"].to_numpy()
        pre, cycle, expensed = capitalised_split(s.inputs, p, bought)
        assert rows.loc["capitalised_development"].sum() == rel(pre + cycle * len(p["finetune_cycles"]))
        np.testing.assert_allclose(rows.loc["gpus_capitalised"], 1.1 * bought, rtol=1e-12)  # + 10 %, with the GPUs
        scale = s.items["total_build_spend"]  # expensed is a difference of totals: compare to their size
        assert rows.loc["expensed_build_total"].sum() == pytest.approx(expensed, rel=1e-9, abs=1e-12 * scale)
        total = rows.loc["capitalised_development"].sum() + rows.loc["expensed_build_total"].sum() + rows.loc[
            "gpus_capitalised"].sum()
        assert total == rel(rows.loc["build_total"].sum())
        assert total == rel(s.items["total_build_spend"])
        # build spend from the inputs: every line and the plan's GPU purchases, plus 10 % contingency on all
        build = 1.1 * (p["research"] + p["data_preparation"] + p["final_run"] + p["failed_runs"] + p["finetune"]
                       + p["training_staff"] + bought.sum())
        assert s.items["total_build_spend"] == rel(build)

    @pytest.mark.parametrize("policy", POLICIES, ids=list(POLICIES))
    def test_amortisation_is_straight_line_from_launch(self, policy):
        s = sched(**POLICIES[policy])
        p = programme(s.inputs)
        pre, cycle, _ = capitalised_split(s.inputs, p)
        later = {k: cycle for k in p["finetune_cycles"]}  # GPU contingency goes with the GPUs, not the model
        expected = straight_line_expected(36, p["launch"], 36, pre, later)
        np.testing.assert_allclose(s.rows.loc["amortisation_before_impairment"].to_numpy(), expected, rtol=1e-9,
                                   atol=1e-6)
        nbv = s.rows.loc["net_book_value"].to_numpy()
        assert nbv.min() >= -1e-6 * max(nbv.max(), 1)
        gpu_nbv = s.rows.loc["gpu_net_book_value"].to_numpy()
        assert gpu_nbv.min() >= -1e-6 * max(gpu_nbv.max(), 1)

    @pytest.mark.parametrize("life, months", [(36, 60), (24, 40), (480, 600)])
    def test_book_value_reaches_zero_at_the_end_of_life_and_pnl_equals_cash(self, life, months):
        s = sched(useful_life_months=life, months=months, finetune_cost=0, finetune_tokens=0, monthly_growth=0,
                  **LINE_BY_LINE)
        p = programme(s.inputs)
        pre, _, _ = capitalised_split(s.inputs, p)
        launch = p["launch"]
        amort = s.rows.loc["amortisation_before_impairment"]  # on cost: what is carried if nothing is impaired
        nbv = s.rows.loc["book_value_before_impairment"]
        assert amort[launch] == rel(pre / life) and amort[launch + life - 1] == rel(pre / life)
        assert amort[launch - 1] == 0 and abs(amort[launch + life]) <= 1e-6 * pre
        assert nbv[launch - 1] == rel(pre)                       # all capitalised by the month before launch
        assert nbv[launch + life - 2] == rel(pre / life, 1e-6)   # one month's slice left
        tail = nbv.loc[launch + life - 1:].to_numpy()
        assert np.all(np.abs(tail) <= 1e-6 * pre)                # zero from the last month of the life on
        assert s.items["lifetime_pnl"] == rel(s.items["lifetime_cash"])

    def test_useful_life_longer_than_the_timeline(self):
        s = sched(useful_life_months=120, **LINE_BY_LINE)
        p = programme(s.inputs)
        pre, cycle, _ = capitalised_split(s.inputs, p)
        # at month 36: pre-launch cost 27 of 120 months amortised; each cycle from its own month
        left = pre * (1 - (36 - p["launch"] + 1) / 120) + sum(cycle * (1 - (36 - k + 1) / 120)
                                                             for k in p["finetune_cycles"])
        assert s.rows.loc["book_value_before_impairment"].iloc[-1] == rel(left)
        # cash - P&L = what stays on the balance sheet, to rounding of two sums of some $1e7 (abs: 1e-12 of them)
        assert s.items["lifetime_cash"] - s.items["lifetime_pnl"] == pytest.approx(
            s.items["closing_net_book_value"], rel=1e-9, abs=1e-12 * abs(s.items["lifetime_cash"]))

    def test_expensing_everything_makes_pnl_the_cash(self):
        s = sched(**POLICIES["expense-all"])
        np.testing.assert_allclose(s.rows.loc["pnl_total"], s.rows.loc["cash_total"], rtol=1e-12)
        assert np.all(s.rows.loc["amortisation"] == 0) and np.all(s.rows.loc["net_book_value"] == 0)

    def test_expensing_everything_under_own_leaves_only_gpu_timing(self):
        s = sched(**{**POLICIES["expense-all"], "serving_plan": "own"})
        r = s.rows
        np.testing.assert_allclose(r.loc["pnl_total"] - r.loc["depreciation"],
                                   r.loc["cash_total"] - r.loc["gpus_capitalised"], rtol=1e-12)

    @pytest.mark.parametrize("plan", ["rent", "own", "api"])
    @pytest.mark.parametrize("policy", ["defaults", "capitalise-all"])
    def test_cash_less_pnl_is_the_change_in_book_value(self, plan, policy):
        s = sched(**{**POLICIES[policy], "serving_plan": plan})
        r = s.rows
        book = r.loc["balance_sheet_total"].to_numpy()
        change = np.diff(np.concatenate([[0.0], book]))
        np.testing.assert_allclose((r.loc["cash_total"] - r.loc["pnl_total"]).to_numpy(), change,
                                   rtol=1e-9, atol=1e-6 * book.max())


# --------------------------------------------------------------- 3b. capex and the cash-flow statement

class TestCapexAndCashFlow:
    """"Capex" is what is capitalised; cash splits into operating and investing (IAS 7.14, 7.16)."""

    def test_default_capex_is_the_capitalised_lines_by_hand(self):
        s = sched()
        p = programme(s.inputs)
        # final run 6 x 70e9 x 15e12 / (989.4e12 x 0.4 x 3600) = 4.4226 M GPU-h x $2 = $8.845 M
        assert p["final_run"] == rel(6 * 70e9 * 15e12 / (989.4e12 * 0.4 * 3600) * 2.0)
        assert p["final_run"] == pytest.approx(8.845e6, rel=1e-3)
        data = (p["final_run"] * (1 + 1.0 + 0.1)) * 0.3 / 0.7  # data is 30 % of the programme: 2.1 x run x 3/7
        assert p["finetune_cycles"] == [16, 22, 28, 34]
        staff, team_after = p["training_staff"], p["finetune_team"]  # the training team, then the fine-tune team
        # line by line from month 1, flat teams (all hired in month 1, no raise, no team after launch) (the old policy): final run + data preparation + fine-tunes capitalised
        old = sched(**LINE_BY_LINE)
        assert old.items["total_capex"] == rel(p["final_run"] + data + 4 * FT_CYCLE)
        assert old.items["total_capex"] == pytest.approx(17.00e6, rel=1e-3)  # the figure the review found on Accounting!B8: $17.00 M
        flat = 10 * 300_000 / 12 * 9                                          # $2.25 M: 10 FTE x $25k x 9 months
        expensed_old = p["final_run"] * 1.1 + flat + 0.1 * (p["final_run"] * 2.1 + data + 4 * FT_CYCLE + flat)
        assert old.items["total_expensed_build"] == pytest.approx(14.88e6, rel=1e-3)  # the review's $14.88 M: research 8.84 + failed 0.88 + team 2.25 + contingency 2.90
        assert old.items["total_expensed_build"] == rel(expensed_old)
        # the default policy: nothing is capitalised before the final run starts (month 7); data preparation,
        # spread over months 1-6, is research-phase spend and expensed; capex is the final run and the
        # fine-tunes (months 16, 22, 28, 34: 4 x $50k)
        assert s.items["capitalisation_start"] == 7
        capex = p["final_run"] + 4 * FT_CYCLE
        assert s.items["total_capex"] == rel(capex)                          # $9.05 M
        team = staff + team_after
        expensed = p["final_run"] * 1.1 + data + team + 0.1 * (p["final_run"] * 2.1 + data + 4 * FT_CYCLE + team)
        assert s.items["total_expensed_build"] == rel(expensed)
        assert s.items["total_build_spend"] == rel(capex + expensed)         # $31.88 M, all build spend
        assert s.items["capex_share"] == rel(capex / s.items["lifetime_cash"])  # 17.0 / 40.8 = 41.7 %, not 78 %

    @pytest.mark.parametrize("plan", ["rent", "own", "api"])
    @pytest.mark.parametrize("policy", ["defaults", "capitalise-all", "expense-all", "mixed-own"])
    def test_operating_plus_investing_is_build_plus_opex_each_month(self, plan, policy):
        s = sched(**{**POLICIES[policy], "serving_plan": plan})
        r = s.rows
        np.testing.assert_allclose(r.loc["cash_from_investing"], r.loc["capitalised_development"]
                                   + 1.1 * r.loc["gpu_purchases"], rtol=1e-12)  # investing: on the balance sheet
        np.testing.assert_allclose(r.loc["cash_from_operations"], r.loc["opex_total"] + r.loc["expensed_build_total"],
                                   rtol=1e-12)
        np.testing.assert_allclose(r.loc["cash_total"], r.loc["build_total"] + r.loc["opex_total"], rtol=1e-12)
        assert s.items["lifetime_cash_from_investing"] == rel(s.items["total_capex"])
        if policy == "expense-all":  # nothing capitalised but the GPUs an own plan buys
            np.testing.assert_allclose(r.loc["cash_from_investing"], 1.1 * r.loc["gpu_purchases"], rtol=1e-12)

    def test_cash_flow_statement_by_fiscal_year(self):
        s = sched(fiscal_year_start_month=7)  # Jan 2027 start: FY2027 is 6 months, then 12, 12, 6
        a, m = s.annual, s.rows
        fy = m.loc["fiscal_year"].to_numpy()
        for row in ("cash_from_operations", "cash_from_investing", "cash_total", "capitalised_total",
                    "expensed_build_total"):
            for year in (2027, 2028, 2029, 2030):
                assert a.loc[row, year] == rel(m.loc[row].to_numpy()[fy == year].sum())
        # FY2027 (Jan-Jun 2027, months 1-6): research phase, nothing capitalised before month 7
        p = programme(s.inputs)
        assert a.loc["cash_from_investing", 2027] == 0
        # operations: research, data preparation and six months of the training team (ramped 3.3, 6.7, then
        # 10 FTE at $300k / 12 rising 4 % a year), storage and operations $10k a month, 10 % contingency on all
        team, _ = staff_by_hand(s.inputs, p["launch"])
        assert a.loc["cash_from_operations", 2027] == rel(1.1 * (p["research"] + p["data_preparation"] + team[:6].sum()
                                                                 + 6 * 10_000))
        # FY2028 (Jul 2027-Jun 2028, months 7-18): the final run (months 7-9) and the first fine-tune (month 16)
        assert a.loc["cash_from_investing", 2028] == rel(p["final_run"] + FT_CYCLE)


# --------------------------------------------------------------- 3c. capitalisation policy and impairment

IMPAIRED = {"api_price_per_m_tokens": 10, "api_price_decline": 0.5, **TYPED}  # the API at $10/Mtok, halving each year


class TestCapitalisationPolicy:
    """Before ``capitalisation_start_month`` every line is research (IAS 38.54, ASC 350-40-25-1); after it the
    lines marked capitalise are development (IAS 38.57, ASC 350-40-25-2)."""

    def test_data_preparation_is_capitalised_only_from_the_start_month(self):
        s = sched(capitalisation_start_month=4)  # development months 1-6; data preparation capitalised from 4
        p = programme(s.inputs)
        cap = s.rows.loc["capitalised_development"].to_numpy()
        per_month = p["data_preparation"] / 6  # spread evenly over the six development months
        np.testing.assert_allclose(cap[:3], 0.0)                       # months 1-3: research phase, expensed
        np.testing.assert_allclose(cap[3:6], per_month, rtol=1e-12)    # months 4-6: data preparation capitalised
        expensed = s.rows.loc["expensed_build_total"].to_numpy()
        team, _ = staff_by_hand(s.inputs, p["launch"])  # month 1: 10 / 3 FTE x $25,000 = $83,333
        assert team[0] == rel(10 / 3 * 25_000)
        # month 1: research and data preparation (1/6 each), the training team, 10 % contingency on all
        assert expensed[0] == rel(1.1 * (p["research"] / 6 + per_month + team[0]))
        # month 4: data preparation is capitalised now; research, the team and all contingency still expensed
        assert expensed[3] == rel(1.1 * (p["research"] / 6 + team[3]) + 0.1 * per_month)

    def test_a_start_month_inside_the_run_splits_it(self):
        s = sched(capitalisation_start_month=8)  # the run takes months 7, 8 and 0.9577 of 9
        p = programme(s.inputs)
        cap = s.rows.loc["capitalised_development"].to_numpy()
        month = p["final_run"] / p["run_months"]
        assert cap[6] == 0                                             # month 7 is before the start: expensed
        assert cap[7] == rel(month)                                    # month 8: a whole month of the run
        assert cap[8] == rel(p["final_run"] * (p["run_months"] - 2) / p["run_months"])
        assert s.items["total_capex"] == rel(p["final_run"] - month + 4 * FT_CYCLE)

    def test_defaults_start_with_the_final_run(self):
        s = sched()
        assert s.items["capitalisation_start"] == 7  # 6 development months, the final run starts in month 7
        assert s.rows.loc["capitalised_development"].to_numpy()[:6].sum() == 0


class TestImpairment:
    """Each fiscal year end the model's book value is tested against its value in use (IAS 36.9-10, 36.18,
    36.59); the loss is in the P&L and off the book value; amortisation then runs on what is left (36.63)."""

    def test_tests_fall_on_fiscal_year_ends(self):
        s = sched(fiscal_year_start_month=7)
        flags = s.rows.loc["impairment_test"].to_numpy()
        assert list(np.flatnonzero(flags) + 1) == [6, 18, 30]  # June 2027, 2028, 2029: the last month of each FY
        assert list(np.flatnonzero(sched().rows.loc["impairment_test"].to_numpy()) + 1) == [12, 24, 36]  # Decembers

    def test_default_plan_writes_the_model_off_at_the_first_year_end(self):
        s = sched()
        r, p = s.rows, programme(s.inputs)
        saving = r.loc["model_saving"].to_numpy()
        assert np.all(saving[9:] < 0)  # the API bill is below the cost of serving ourselves every month from launch
        assert np.all(r.loc["value_in_use"].to_numpy() == 0)  # nothing to recover: the API is cheaper
        imp = r.loc["impairment"].to_numpy()
        # December 2027 (month 12): the final run less three months' amortisation (launch in month 10, 36-month life)
        assert imp[11] == rel(p["final_run"] * 33 / 36)   # $8.845 M x 33 / 36 = $8.11 M
        # each fine-tune capitalised after it (months 16, 22, 28, 34) is carried at 0 % of its cost: written off
        for k in (16, 22, 28, 34):
            assert imp[k - 1] == rel(FT_CYCLE)
        assert imp.sum() == rel(p["final_run"] * 33 / 36 + 4 * FT_CYCLE)
        assert s.items["closing_net_book_value"] == 0
        assert s.items["lifetime_pnl"] == rel(s.items["lifetime_cash"])  # all written off: P&L = cash
        np.testing.assert_allclose(r.loc["pnl_total"], r.loc["opex_total"] + r.loc["expensed_build_total"]
                                   + r.loc["amortisation"] + imp + r.loc["depreciation"], rtol=1e-12)

    def test_partial_impairment_by_hand(self):
        s = sched(**IMPAIRED)
        r, inp = s.rows, s.inputs
        saving = r.loc["model_saving"].to_numpy()
        U = r.loc["book_value_before_impairment"].to_numpy()
        a_cost = r.loc["amortisation_before_impairment"].to_numpy()
        rate, months, launch, life = inp["discount_rate"], 36, 10, 36
        beyond = launch + life - 1 - months  # 9 months of the model's life after the timeline

        def value_in_use(t):  # the savings after month t in month t's money, the last one held for `beyond` months
            later = sum(saving[k - 1] / (1 + rate) ** ((k - t) / 12) for k in range(t + 1, months + 1))
            tail = sum(saving[-1] / (1 + rate) ** ((months + j - t) / 12) for j in range(1, beyond + 1))
            return max(0.0, later + tail)

        share, shares = 1.0, {}
        for t in (12, 24, 36):  # each December: the carried share falls to value in use / book value, never rises
            share = min(share, value_in_use(t) / U[t - 1])
            shares[t] = share
            assert r.loc["book_value_share", t] == rel(share)
            assert r.loc["net_book_value", t] == rel(share * U[t - 1])   # written down to the value in use
        assert 0 < shares[36] < shares[24] < shares[12] < 1             # three partial write-downs
        assert r.loc["net_book_value", 12] == rel(value_in_use(12))
        # after December 2027 the amortisation is the carried share of the charge on cost (IAS 36.63)
        assert r.loc["amortisation", 13] == rel(shares[12] * a_cost[12])
        assert r.loc["amortisation", 25] == rel(shares[24] * a_cost[24])
        # the month-12 loss: the book value after that month's charge on cost, less the value in use
        assert r.loc["impairment", 12] == rel(U[11] - value_in_use(12))

    @pytest.mark.parametrize("overrides", [{}, IMPAIRED, {**IMPAIRED, "fiscal_year_start_month": 4},
                                           {"api_price_per_m_tokens": 15, "api_price_decline": 0.2}])
    def test_book_value_moves_by_capitalised_less_amortised_less_impaired(self, overrides):
        s = sched(**overrides)
        r = s.rows
        nbv = r.loc["net_book_value"].to_numpy()
        change = np.diff(np.concatenate([[0.0], nbv]))
        scale = max(r.loc["capitalised_development"].sum(), 1.0)
        np.testing.assert_allclose(change, (r.loc["capitalised_development"] - r.loc["amortisation"]
                                            - r.loc["impairment"]).to_numpy(), atol=1e-9 * scale)
        assert r.loc["impairment"].min() >= -1e-9 * scale   # a loss, never a gain (no reversal modelled)
        assert nbv.min() >= -1e-9 * scale
        assert all(s.checks.values()), [k for k, v in s.checks.items() if not v]

    def test_no_impairment_where_the_model_saves_more_than_its_book_value(self):
        s = sched(api_price_per_m_tokens=15, api_price_decline=0.2, **TYPED)  # the API at $15/Mtok, -20 % a year
        r = s.rows
        assert np.all(r.loc["impairment"].abs() <= 1e-6)
        np.testing.assert_allclose(r.loc["net_book_value"], r.loc["book_value_before_impairment"], rtol=1e-12)


# --------------------------------------------------------------- 3d. one cost of building and serving

class TestOneCostDefinition:
    """Every comparison against the API reads one definition: build spend, serving, the serving team,
    storage and operations, with contingency; the API side with its contingency."""

    def test_building_and_serving_is_the_whole_cash_out(self):
        s = sched()
        r = s.rows
        np.testing.assert_allclose(r.loc["build_and_serve"], r.loc["cash_total"], rtol=1e-12)
        # month 20: rent for whole GPUs, the serving team 3 x $250k / 12 with 19 months of a 4 % raise, $10k
        # storage, the fine-tune team 2 x $300k / 12 with the raise, all + 10 % contingency
        m = 20
        rent = r.loc["memo_rent_cost", m]
        raised = 1.04 ** (19 / 12)
        assert r.loc["build_and_serve", m] == rel(1.1 * (rent + 3 * 250_000 / 12 * raised + 10_000
                                                         + 2 * 300_000 / 12 * raised))
        assert s.items["total_build_and_serve"] == rel(s.items["lifetime_cash"])
        # the API side carries the same 10 % contingency: $3/Mtok falling 50 % a year on the tokens served
        tokens = r.loc["tokens_served", m]
        assert r.loc["api_side_cost", m] == rel(1.1 * tokens / 1e6 * 3.0 * 0.5 ** ((m - 1) / 12))
        months = np.arange(1, 37)
        assert s.items["npv_api"] == rel(float(np.sum(r.loc["api_side_cost"].to_numpy() / 1.1 ** (months / 12))))

    def test_breakeven_volume_counts_fixed_serving_costs_by_hand(self):
        s = sched(**TYPED)
        # fixed: build spend + the serving team (ramped from launch, with the raise) and 36 months of $10k, + 10 %
        _, serving_team = staff_by_hand(s.inputs, 10)
        fixed = s.items["total_build_spend"] + 1.1 * (serving_team.sum() + 10_000 * 36)
        assert s.items["fixed_cost_of_building"] == rel(fixed)             # $34.13 M
        own = 2.5 / (2000 * 3600 * 0.2) * 1e6                              # $1.736/Mtok: $2.50/h at 20 % of 2,000 tok/s
        assert s.items["breakeven_m_tokens"] == rel(fixed / (1.1 * 3.0 - 1.1 * own))  # F / (p - c), both + 10 %

    def test_utilisation_breakeven_counts_fixed_costs_by_hand(self):
        s = sched(api_price_per_m_tokens=15, api_price_decline=0.2, **TYPED)
        volume = sum(100e9 * 1.05 ** k for k in range(27)) / 1e6           # Mtok served in months 10-36
        full = 2.5 / (2000 * 3600) * 1e6                                   # $0.347/Mtok at full load
        fixed = s.items["fixed_cost_of_building"]
        u = 1.1 * volume * full / (1.1 * volume * 15 - fixed)             # F + S / u = A
        assert s.items["utilization_breakeven"] == rel(u)
        assert sched().items["utilization_breakeven"].startswith("never")  # $3/Mtok: the fixed costs exceed the bill

    def test_build_vs_buy_breakeven_counts_operations(self):
        b = schedule("build-vs-buy", TYPED)  # a typed 2,000 tok/s: own cost below the API's, so a break-even exists
        v = b.inputs
        fixed = v["setup_cost"] + v["operations_cost_per_month"] * v["months"]  # operations paid every month
        assert b.items["fixed_cost_of_building"] == rel(fixed)
        own = v["serve_price_per_gpu_hour"] / (2000 * 3600 * v["utilization"]) * 1e6  # $1.736/Mtok
        assert b.items["breakeven_m_tokens"] == rel(fixed / (v["api_price_per_m_tokens"] - own))

    def test_build_vs_buy_from_the_model_shape_has_no_breakeven_by_hand(self):
        b = schedule("build-vs-buy")  # the default: throughput from the 70B shape, 644 tok/s a GPU
        own = 2.5 / (shape_tokens_per_gpu_second() * 3600 * 0.2) * 1e6  # $5.40/Mtok: $2.50/h at 20 % of 644 tok/s
        assert b.items["self_host_cost_per_m_tokens"] == rel(own)
        assert own > 3.0 and b.items["breakeven_m_tokens"].startswith("no break-even")  # above the $3/Mtok API


# --------------------------------------------------------------- 3e. plans without training

API_ONLY = {"training": "none", "serving_plan": "api", "finetune_cost": 0, "finetune_tokens": 0}


class TestWithoutTraining:
    def test_no_training_lines_no_launch_no_book_value(self):
        s = sched(training="none", finetune_cost=0, finetune_tokens=0)
        r = s.rows
        for line in ("build_research", "build_data_preparation", "build_final_run", "build_failed_runs",
                     "build_training_staff", "capitalised_development", "amortisation", "net_book_value"):
            assert np.all(r.loc[line] == 0), line
        assert s.items["launch"] == 1  # served from month 1: a bought or open-weights model
        m = month_numbers(s)
        np.testing.assert_allclose(r.loc["tokens_served"], 100e9 * 1.05 ** (m - 1), rtol=1e-12)  # 100 B, +5 %
        assert "no training of our own" in s.items["decision"] and "launch in month" not in s.items["decision"]
        assert all(s.checks.values())

    def test_api_only_is_the_api_bill_and_its_contingency_by_hand(self):
        s = sched(**API_ONLY)
        m = np.arange(1, 37)
        bill = 100e9 * 1.05 ** (m - 1) / 1e6 * 3.0 * 0.5 ** ((m - 1) / 12)  # $3/Mtok halving a year, 100 B +5 %
        assert s.items["lifetime_cash"] == rel(1.1 * bill.sum())           # + 10 % contingency, nothing else
        assert s.items["total_build_spend"] == 0 and s.items["closing_net_book_value"] == 0
        assert np.all(s.rows.loc["opex_serving_staff"] == 0) and np.all(s.rows.loc["opex_overhead"] == 0)
        assert s.items["npv_build"] == rel(s.items["npv_api"])             # the plan is the API: nothing to compare
        assert s.items["breakeven_m_tokens"].startswith("n/a") and s.items["utilization_breakeven"].startswith("n/a")

    def test_an_api_plan_keeps_only_the_fixed_costs_it_is_given(self):
        s = sched(**API_ONLY, api_plan_headcount=1, api_plan_monthly_overhead=2_000, **FLAT_STAFF)
        # one person at $250k a year and $2k a month, both + 10 %, every month: on the plan and on the API side
        extra = 1.1 * (250_000 / 12 + 2_000) * 36
        assert s.items["lifetime_cash"] - sched(**API_ONLY, **FLAT_STAFF).items["lifetime_cash"] == rel(extra)
        np.testing.assert_allclose(s.rows.loc["build_and_serve"], s.rows.loc["api_side_cost"], rtol=1e-12)


class TestSameFigureInEveryTemplate:
    """The same inputs give the same cost of building and serving in the budget and in build-vs-buy.

    Neither template is given a throughput: each takes it from the same 70B model shape (its
    defaults), worked here; one case types the same override into both.
    """

    COMMON = {"api_price_per_m_tokens": 3.0, "serve_price_per_gpu_hour": 2.5,
              "utilization": 0.2, "gpu_price_decline": 0.2, "monthly_tokens": 105.12e9, "monthly_growth": 0.0,
              "discount_rate": 0.1, "months": 24}  # 105.12 B tokens = exactly 100 GPUs at 2,000 tok/s x 20 %

    @pytest.mark.parametrize("throughput, per_gpu", [
        ({}, None),                                 # from the model's shape: 644 tok/s a GPU, worked above
        ({"tokens_per_second": 2000}, 2000.0),      # a typed override, ~2,000 tok/s [WaferZero2026]
    ], ids=["model-shape", "typed-2000"])
    def test_budget_without_training_is_build_vs_buy_without_setup(self, throughput, per_gpu):
        per_gpu = per_gpu or shape_tokens_per_gpu_second()
        common = {**self.COMMON, **throughput}
        b = schedule("build-vs-buy", {**common, "setup_cost": 0, "operations_cost_per_month": 20_000,
                                      "annual_price_decline": 0.5})
        s = schedule("budget", {**common, "training": "none", "finetune_cost": 0, "finetune_tokens": 0,
                                "contingency_share": 0,
                                "serving_headcount": 0, "monthly_overhead": 20_000, "api_price_decline": 0.5})
        assert b.items["serving_tokens_per_gpu_second"] == rel(per_gpu)
        assert s.items["serving_tokens_per_gpu_second"] == rel(per_gpu)
        np.testing.assert_allclose(s.rows.loc["build_and_serve"], b.rows.loc["build_cash"], rtol=1e-12)
        np.testing.assert_allclose(s.rows.loc["api_side_cost"], b.rows.loc["buy_cost"], rtol=1e-12)
        # month 13: 105.12 B tokens over (per-GPU tok/s x 3,600 s x 20 %) GPU-hours, rented as whole GPUs of
        # 730 h (exactly 100 at 2,000 tok/s; 310.8, so 311, at 644) at $2.50 x 0.8, + $20k operations;
        # the API: 105.12 B tokens x $3 x 0.5
        gpus = math.ceil(round(105.12e9 / (per_gpu * 3600 * 0.2) / 730, 9))
        assert gpus == (100 if throughput else 311)
        assert s.rows.loc["build_and_serve", 13] == rel(gpus * 730 * 2.5 * 0.8 + 20_000)  # $474,060 at 311
        assert b.rows.loc["buy_cost", 13] == rel(105_120 * 3.0 * 0.5)
        for budget_item, bvb_item in (("npv_build", "npv_build"), ("npv_api", "npv_buy"),
                                      ("fixed_cost_of_building", "fixed_cost_of_building"),
                                      ("self_host_cost_per_m_tokens", "self_host_cost_per_m_tokens"),
                                      ("breakeven_m_tokens", "breakeven_m_tokens"),
                                      ("utilization_breakeven", "utilization_breakeven")):
            if isinstance(b.items[bvb_item], str):  # none at 644 tok/s ($5.40/Mtok own cost against $3): each its words
                assert "own cost >= API price" in s.items[budget_item] and "own cost >= API price" in b.items[bvb_item]
            else:
                assert s.items[budget_item] == rel(b.items[bvb_item]), budget_item

    def test_the_model_shape_is_one_definition(self):
        """Both templates declare the shape inputs with the same defaults, ranges and sources (serving_gpu's source
        apart: the budget's names the board power its own plan reads, which build-vs-buy does not use)."""
        from costlib.plan import load_template

        budget, bvb = ({i.name: i for i in load_template(n).inputs} for n in ("budget", "build-vs-buy"))
        shape = [n for n, i in budget.items() if i.group == "Serving throughput from the model's shape"]
        assert len(shape) == 10
        for name in [*shape, "params", "serving_gpu"]:
            assert bvb[name].default == budget[name].default, name
            assert (bvb[name].range, bvb[name].downside) == (budget[name].range, budget[name].downside), name
        for name in [*shape, "params"]:
            assert bvb[name].source == budget[name].source, name
        typed = (bvb["tokens_per_second"], budget["tokens_per_second"])  # 0 = from the shape; a typed figure overrides
        assert [(i.default, i.rule, i.range) for i in typed] == [(0, "non_negative", None)] * 2  # no range to fight it


# --------------------------------------------------------------- 3f. headcount plan

class TestHeadcount:
    """Roles with FTE by month (a hiring ramp), a loaded cost per FTE with an annual raise, the training team
    kept while fine-tune cycles continue."""

    def test_fte_by_month_by_hand(self):
        s = sched()  # 10 training FTE hired over 3 months, launch in month 10, 3 serving FTE over 3 months
        r = s.rows
        np.testing.assert_allclose(r.loc["training_fte", [1, 2, 3, 9]], [10 / 3, 20 / 3, 10, 10], rtol=1e-12)
        np.testing.assert_allclose(r.loc["training_fte", [10, 36]], [2, 2], rtol=1e-12)  # the fine-tune team
        np.testing.assert_allclose(r.loc["serving_fte", [9, 10, 11, 12, 36]], [0, 1, 2, 3, 3], rtol=1e-12)
        np.testing.assert_allclose(r.loc["headcount"], r.loc["training_fte"] + r.loc["serving_fte"], rtol=1e-12)
        assert np.all(sched(finetune_cost=0, finetune_tokens=0).rows.loc["training_fte", 10:] == 0)  # no cycles, no team

    def test_loaded_cost_with_the_annual_raise_by_hand(self):
        r = sched().rows
        assert r.loc["training_cost_per_fte_month", 1] == rel(25_000)           # $300k / 12
        assert r.loc["training_cost_per_fte_month", 13] == rel(26_000)          # a year on: + 4 %
        assert r.loc["serving_cost_per_fte_month", 25] == rel(250_000 / 12 * 1.04 ** 2)
        assert r.loc["build_training_staff", 2] == rel(20 / 3 * 25_000 * 1.04 ** (1 / 12))
        assert r.loc["opex_serving_staff", 11] == rel(2 * 250_000 / 12 * 1.04 ** (10 / 12))

    def test_headcount_by_fiscal_year_by_hand(self):
        a = sched().annual
        # FY2027 in FTE-months: training 10/3 + 20/3 + 10 x 7 (months 3-9) + 2 x 3 (months 10-12) = 86,
        # serving 1 + 2 + 3 = 6
        assert a.loc["training_fte", 2027] == rel(86) and a.loc["serving_fte", 2027] == rel(6)
        assert a.loc["headcount", 2027] == rel(92)
        assert a.loc["headcount", 2028] == rel(12 * (2 + 3))  # the fine-tune and serving teams all year

    def test_zero_raise_and_one_month_ramp_give_flat_teams(self):
        s = sched(**FLAT_STAFF)
        np.testing.assert_allclose(s.rows.loc["build_training_staff", 1:9], 10 * 25_000, rtol=1e-12)
        assert np.all(s.rows.loc["build_training_staff", 10:] == 0)


# --------------------------------------------------------------- 3g. throughput from the model, fine-tunes from their tokens

class TestThroughputAndFinetune:
    def test_throughput_follows_the_model_shape_by_default_by_hand(self):
        s = sched()
        memory, _ = shape_step_seconds()
        assert 2 * 70e9 * 64 / (989.4e12 * 2 * 0.5) < memory    # compute (2 N B FLOP at 50 % MFU) is faster: memory-bound
        per_gpu = shape_tokens_per_gpu_second()                  # 644 tokens/s per GPU (664 without the all-reduce)
        assert s.items["serving_tokens_per_gpu_second"] == rel(per_gpu)
        assert s.items["self_host_cost_per_m_tokens"] == rel(2.5 / (per_gpu * 3600 * 0.2) * 1e6)
        # a smaller model serves faster on the same GPUs, and its serving costs less
        small = sched(params=8e9)
        assert small.items["serving_tokens_per_gpu_second"] > per_gpu
        assert small.items["total_opex"] < s.items["total_opex"]

    def test_a_typed_throughput_overrides_the_model(self):
        s = sched(tokens_per_second=2000)
        assert s.items["serving_tokens_per_gpu_second"] == 2000
        assert s.items["self_host_cost_per_m_tokens"] == rel(2.5 / (2000 * 3600 * 0.2) * 1e6)  # $1.736/Mtok

    def test_finetune_compute_is_6ND_on_its_own_tokens_by_hand(self):
        s = sched()
        compute = 6 * 70e9 * 1e9 / (989.4e12 * 0.4 * 3600) * 2.0   # 6 N D / (peak x MFU) x $2/GPU-h = $589.58
        assert s.items["finetune_compute_cost"] == rel(compute)
        assert s.items["finetune_cycle_cost"] == rel(FT_CYCLE)
        assert s.rows.loc["build_finetune", 16] == rel(FT_CYCLE)    # the first cycle, six months after launch
        assert sched(params=8e9).items["finetune_compute_cost"] == rel(compute * 8 / 70)  # linear in N
        assert sched(finetune_tokens=0).items["finetune_compute_cost"] == 0


# --------------------------------------------------------------- 3h. a formula typed over

def _type_over(path, part: str, coordinate: str, value: float) -> None:
    """Replace the formula cell ``coordinate`` of the sheet XML ``part`` by a typed number, in place."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[part].decode("utf-8")
    cell = re.compile(rf'<c r="{coordinate}"(?P<attrs>[^>]*?)(/>|>.*?</c>)', re.S)
    found = cell.search(xml)
    assert found and "<f>" in found.group(0), coordinate
    style = re.search(r'\ss="\d+"', found.group("attrs"))
    xml = xml[:found.start()] + f'<c r="{coordinate}"{style.group(0) if style else ""}><v>{value}</v></c>' + xml[found.end():]
    parts[part] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


class TestTypedOverFormula:
    """Every timeline row (but the calendar's and those that may show words) is computed again on the Verify
    sheet; a cell typed over shows."""

    def test_every_row_has_its_check(self):
        from costlib import formulas
        from costlib.plan import load_template

        t = load_template("budget")
        rows = {r.name for _, r in t.rows.values() if r.section != "calendar" and not r.verifies}
        worded = {n for n in rows if formulas.none_text(t.rows[n][1].expr) is not None}
        checked = {c.label.split()[1] for c in t.checks if c.label.startswith("Row ")}
        assert checked == rows - worded
        # money rows, and the drivers money rows are computed from (a cost per FTE, FTEs, GPUs)
        assert {"build_final_run", "opex_serving", "cash_total", "impairment", "serving_cost_per_fte_month",
                "serving_fte"} <= checked
        assert len(worded) <= 3  # a row that may show words has no sum to compare; few are
        assert all(sched().checks.values())  # in the library the recomputed row is the row: they agree

    def test_a_template_cannot_set_verifies_itself(self, tmp_path):
        from pathlib import Path

        from costlib.errors import TemplateError
        from costlib.plan import load_template

        text = (Path(__file__).parent / "data" / "my-serving-plan.toml").read_text(encoding="utf-8")
        bad = text.replace("[[sheets.rows]]\n", "[[sheets.rows]]\nverifies = \"x\"\n", 1)
        assert bad != text
        path = tmp_path / "bad.toml"
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(TemplateError, match="verifies is not a key a template sets"):
            load_template(str(path))

    @pytest.mark.slow
    @pytest.mark.parametrize("engine", ["libreoffice", "gnumeric"])
    @pytest.mark.parametrize("template,name,column,typed", [
        ("budget", "build_final_run", "J", 0),              # month 8 of the final run: $2.99 M by formula
        ("budget", "serving_cost_per_fte_month", "T", 1e6),  # a driver: month 18's cost per serving FTE
        ("build-vs-buy", "build_serving", "H", 0),          # month 6 of self-hosted serving
        ("finetune-vs-prompt", "prompt_cost", "H", 0),      # month 6 of the API bill when prompting
        ("unit-economics", "fixed_cogs", "D", 0),           # the serving team at the middle multiple
    ])
    def test_typing_over_a_formula_fails_its_rows_check(self, tmp_path, engine, template, name, column, typed):
        from costlib.workbook import generate
        from costlib.workbook.recalc import convert

        path = tmp_path / "typed-over.xlsx"
        generate(template, {}, path)
        wb = load_workbook(path)
        (sheet, ref), = list(wb.defined_names[name].destinations)
        first = ref.replace("$", "").split(":")[0]
        row = int("".join(ch for ch in first if ch.isdigit()))
        assert str(wb[sheet][f"{column}{row}"].value).startswith("=")
        index = wb.sheetnames.index(sheet) + 1
        _type_over(path, f"xl/worksheets/sheet{index}.xml", f"{column}{row}", typed)  # as Excel saves it: no formula
        out = tmp_path / "out"
        out.mkdir()
        convert([path], out, engine=engine)
        done = load_workbook(out / path.name, data_only=True)
        ws = done["Checks"]
        results = {ws.cell(row=r, column=1).value: (ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value)
                   for r in range(6, ws.max_row + 1) if ws.cell(row=r, column=1).value}
        value, why = results[f"Row {name} holds its formula in every month"]
        assert value is False and name in why
        assert ws["B5"].value is False  # checks_ok
        failed = [label for label, (v, _) in results.items() if v is False]
        # only the typed-over row fails: the rows that read it still hold their formulas
        assert [label for label in failed if label.startswith("Row ")] == [f"Row {name} holds its formula in every month"]


# --------------------------------------------------------------- 4. serving plans

class TestServing:
    def test_whole_gpus_from_tokens(self):
        s = sched(**TYPED)
        tokens = s.rows.loc["tokens_served"].to_numpy()
        expected = whole_gpus_expected(tokens, s.inputs)  # ceil(tokens / (2,000 tok/s x 0.2 x 3,600 x 730))
        np.testing.assert_array_equal(s.rows.loc["serving_gpus"].to_numpy(), expected)
        assert s.rows.loc["serving_gpus", 10] == 96   # 100 B / 1.0512 B per GPU-month = 95.1

    def test_an_exact_fleet_is_not_rounded_up(self):
        s = sched(**TYPED, monthly_tokens=105.12e9, monthly_growth=0)  # 100 x 1.0512 B tokens per GPU-month, exactly
        assert s.rows.loc["serving_gpus", 10] == 100

    def test_rent_cost_whole_gpus_at_the_declining_price(self):
        s = sched(**TYPED)
        m = month_numbers(s)
        gpus = whole_gpus_expected(s.rows.loc["tokens_served"].to_numpy(), s.inputs)
        expected = gpus * 730 * declining_expected(2.5, 0.2, m)  # $2.50/GPU-h in month 1, -20 % a year
        np.testing.assert_allclose(s.rows.loc["memo_rent_cost"].to_numpy(), expected, rtol=1e-12)
        assert s.rows.loc["memo_rent_cost", 10] == rel(96 * 730 * 2.5 * 0.8 ** 0.75)

    def test_api_cost_tokens_at_the_declining_price(self):
        s = sched(**TYPED)
        m = month_numbers(s)
        tokens = np.where(m >= 10, 100e9 * 1.05 ** (m - 10), 0.0)
        expected = tokens / 1e6 * declining_expected(3.0, 0.5, m)  # $3/Mtok in month 1, -50 % a year
        np.testing.assert_allclose(s.rows.loc["memo_api_cost"].to_numpy(), expected, rtol=1e-12)

    @pytest.mark.parametrize("plan, memo", [("rent", "memo_rent_cost"), ("own", "memo_own_running_cost"),
                                            ("api", "memo_api_cost")])
    def test_the_plan_carried_is_its_memo_line_and_the_others_stay(self, plan, memo):
        s, rent = sched(serving_plan=plan, **TYPED), sched(serving_plan="rent", **TYPED)
        pd.testing.assert_series_equal(s.rows.loc["opex_serving"], s.rows.loc[memo], check_names=False)
        for line in ("memo_rent_cost", "memo_own_running_cost", "memo_api_cost", "memo_gpu_purchases"):
            pd.testing.assert_series_equal(s.rows.loc[line], rent.rows.loc[line])  # memo lines whatever the plan
            assert s.rows.loc[line].sum() > 0
        purchases = s.rows.loc["gpu_purchases"]
        if plan == "own":
            pd.testing.assert_series_equal(purchases, s.rows.loc["memo_gpu_purchases"], check_names=False)
        else:
            assert np.all(purchases == 0) and np.all(s.rows.loc["depreciation"] == 0)
        # the carried plan, plus serving staff and overhead ($10k a month; the api plan keeps none by
        # default), with 10 % contingency, is the opex total
        overhead = 0 if plan == "api" else 10_000
        opex = 1.1 * (s.rows.loc[memo] + s.rows.loc["opex_serving_staff"] + overhead)
        np.testing.assert_allclose(s.rows.loc["opex_total"], opex, rtol=1e-12)

    def test_own_plan_purchases_depreciation_and_power(self):
        s = sched(serving_plan="own", months=48, gpu_useful_life_months=12, **TYPED)
        m = month_numbers(s)
        gpus = whole_gpus_expected(s.rows.loc["tokens_served"].to_numpy(), s.inputs)
        np.testing.assert_array_equal(s.rows.loc["owned_gpus"].to_numpy(), np.maximum.accumulate(gpus))
        added = np.diff(np.concatenate([[0.0], gpus]))
        # each GPU is bought when added and again every 12 months (its life): bought(m) = added(m) + bought(m - 12)
        bought = added.copy()
        for i in range(12, 48):
            bought[i] += bought[i - 12]
        assert bought[9] == 96 and bought[21] == added[21] + 96  # month 22 replaces the 96 bought at launch
        purchases = bought * declining_expected(30_000, 0.2, m)  # $30,000 a GPU in month 1, -20 % a year
        np.testing.assert_allclose(s.rows.loc["gpu_purchases"].to_numpy(), purchases, rtol=1e-12, atol=1e-6)
        capitalised = 1.1 * purchases  # the GPUs with their 10 % contingency
        # each purchase in twelve equal parts from its own month
        depreciation = np.array([capitalised[max(0, i - 11):i + 1].sum() / 12 for i in range(48)])
        np.testing.assert_allclose(s.rows.loc["depreciation"].to_numpy(), depreciation, rtol=1e-9, atol=1e-6)
        book = np.array([sum(capitalised[k] * (1 - min(i - k + 1, 12) / 12) for k in range(i + 1)) for i in range(48)])
        np.testing.assert_allclose(s.rows.loc["gpu_net_book_value"].to_numpy(), book, rtol=1e-9,
                                   atol=1e-6 * book.max())
        assert book[-1] > 0.5 * capitalised[-12:].sum()  # the replaced fleet keeps a book value: never depreciated to 0
        # power: GPUs x 730 h x 700 W (H100 SXM) / 1000 x PUE 1.2 x $0.10/kWh; colocation $150 per GPU-month
        running = gpus * 730 * H100_BOARD_POWER_W / 1000 * 1.2 * 0.10 + gpus * 150
        np.testing.assert_allclose(s.rows.loc["memo_own_running_cost"].to_numpy(), running, rtol=1e-12)
        assert s.items["serving_board_power_w"] == H100_BOARD_POWER_W

    @pytest.mark.parametrize("plan", ["rent", "own"])
    def test_a_budget_serving_on_h800_is_scheduled_with_its_board_power(self, plan):
        # the catalogue's H800 row once had no board power, so a budget serving on it was refused even
        # on the rent plan; its row now carries the H100 SXM's 700 W (same GH100 board; catalogue source column)
        s = sched(serving_plan=plan, serving_gpu="H800")
        assert s.items["serving_board_power_w"] == H100_BOARD_POWER_W
        assert all(s.checks.values())

    def test_zero_staff_gives_zero_staff_lines(self):
        s, ref = sched(training_headcount=0, serving_headcount=0, **FLAT_STAFF), sched(**FLAT_STAFF)
        assert np.all(s.rows.loc["build_training_staff"] == 0)
        assert np.all(s.rows.loc["opex_serving_staff"] == 0)
        # default staff: 10 x $300k/12 for months 1-9, 3 x $250k/12 for months 10-36, plus 10 % contingency
        staff = 10 * 300_000 / 12 * 9 + 3 * 250_000 / 12 * 27
        assert ref.items["lifetime_cash"] - s.items["lifetime_cash"] == rel(1.1 * staff)
        assert all(s.checks.values())


# --------------------------------------------------------------- 5. bad input through the CLI

BAD = [
    ("start_date=2027-13", "start_date"),
    ("start_date=hello", "start_date"),
    ("fiscal_year_start_month=13", "fiscal_year_start_month"),
    ("fiscal_year_start_month=0", "fiscal_year_start_month"),
    ("useful_life_months=0", "useful_life_months"),
    ("launch_month=3", "launch_month"),  # the default run ends in month 9
    ("currency=EURO", "currency"),
    ("serving_plan=lease", "serving_plan"),
    ("final_run_treatment=defer", "final_run_treatment"),
]


@pytest.mark.parametrize("setting, name", BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_names_it_and_writes_nothing(setting, name, tmp_path, capsys):
    out = tmp_path / "budget.xlsx"
    code = cli.main(["generate", "budget", "-o", str(out), "--set", setting])
    err = capsys.readouterr().err
    assert code == 2
    assert name in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------- 6. currency

@pytest.fixture(scope="module")
def usd_eur():
    usd, eur = default_bytes("budget"), render("budget", {"currency": "EUR"})  # the default: shared, rendered once
    return ((load_workbook(io.BytesIO(usd)), load_workbook(io.BytesIO(usd), data_only=True)),
            (load_workbook(io.BytesIO(eur)), load_workbook(io.BytesIO(eur), data_only=True)))


def test_eur_relabels_and_changes_no_number(usd_eur):
    (usd, usd_values), (eur, eur_values) = usd_eur
    assert usd.sheetnames == eur.sheetnames
    relabelled = euro_formats = 0
    for ws in usd.worksheets:
        we, wv_usd, wv_eur = eur[ws.title], usd_values[ws.title], eur_values[ws.title]
        assert (ws.max_row, ws.max_column) == (we.max_row, we.max_column)
        for row in ws.iter_rows():
            for c in row:
                d = we[c.coordinate]
                assert "$" not in d.number_format, f"{ws.title}!{c.coordinate} {d.number_format}"
                assert d.number_format == c.number_format.replace('"$"', '"€"'), f"{ws.title}!{c.coordinate}"
                euro_formats += "€" in d.number_format
                if c.value == d.value:
                    continue
                where = f"{ws.title}!{c.coordinate}: {c.value!r:.60} -> {d.value!r:.60}"
                assert isinstance(c.value, str) and not c.value.startswith("="), where  # formulas are the same
                if (ws.title, ws.cell(c.row, 1).value) == ("About", "Inputs fingerprint"):
                    continue
                if ws.title == "Inputs" and we.cell(c.row, 2).value == "EUR" and c.column > 2:
                    continue  # the currency input's own comment says it was set
                assert d.value == c.value.replace("USD", "EUR"), where
                relabelled += 1
        for row in wv_usd.iter_rows():  # the cached numbers, what a reader without an engine sees
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    assert wv_eur[c.coordinate].value == pytest.approx(c.value, rel=1e-12), f"{ws.title}!{c.coordinate}"
    assert relabelled > 50 and euro_formats > 100
    assert eur["Build"]["A8"].value == "Research and ablation runs [EUR thousands]"


def test_eur_leaves_the_schedule_unchanged():
    usd, eur = sched(), sched(currency="EUR")
    pd.testing.assert_frame_equal(usd.rows, eur.rows)
    assert eur.items["decision"].startswith("Cash EUR ")
    assert {k: v for k, v in usd.items.items() if k != "decision"} == {
        k: v for k, v in eur.items.items() if k != "decision"}
