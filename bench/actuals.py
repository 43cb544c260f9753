"""Actuals: a synthetic year of FOCUS rows (10^6 by default) read by ``costlib.actuals.read_focus``,
against a plain pandas read of the same file, and read against the budget (``costlib.actuals.actuals``).

The year is generated once into a temporary folder (seeded: the same rows every run): daily
token rows for eight models and four kinds across many accounts, hourly GPU rows, commitment
purchases, credits, tax and late corrections, plus non-AI rows (storage) the reader skips. The
figure is the ratio read_focus / plain read: what costlib's checks and mapping cost on top of
parsing the CSV.

``python bench/actuals.py [--quick]`` prints this section; bench/run.py runs it with the others.
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from _timing import fmt_s, md_table, measure
from costlib.actuals import actuals, read_focus

SECTION = "actuals"
GOALS = {
    "actuals_seconds": "10^6 FOCUS rows read (read_focus) in seconds (at most 10 s)",
    "actuals_vs_pandas": "read_focus at most 5x a plain pandas read of the same file",
}
ROWS = 1_000_000
MODELS = ["solora-atlas-5.5", "solora-atlas-5.4-mini", "solora-saturn-5.0", "solora-neptune-5.0",
          "solora-reasoning-pro", "latticescale.solora-reasoning-pro", "solora-atlas-5.6-venus", "solora-mars-1"]
KINDS = [("Input Tokens", "Input", "Uncached", 3.0), ("Cache Read Input Tokens", "Input", "Read", 0.3),
         ("Cache Write Input Tokens", "Input", "Write", 3.75), ("Output Tokens", "Output", "", 15.0)]


def synthetic_year(n: int, path: Path, seed: int = 0) -> Path:
    """``n`` FOCUS 1.3-shaped rows over calendar 2025 written to ``path`` (CSV) [USD]."""
    rng = np.random.default_rng(seed)
    day = rng.integers(0, 365, n)
    dates = (np.datetime64("2025-01-01") + day.astype("timedelta64[D]")).astype(str)
    month_start = np.array([d[:8] + "01" for d in dates])
    kind_of = rng.integers(0, 100, n)
    # 80 % token rows, 10 % GPU-hours, 5 % storage (not AI), then purchases, credits, tax, corrections
    category = np.select([kind_of < 95, kind_of < 96, kind_of < 98, kind_of < 99], ["Usage", "Purchase", "Credit",
                                                                                    "Tax"], "Usage")
    model = rng.integers(0, len(MODELS), n)
    kind = rng.integers(0, len(KINDS), n)
    quantity = rng.integers(1_000, 5_000_000, n).astype(float)
    price = np.array([k[3] for k in KINDS])[kind] * (1 + model / 10)
    is_gpu = (kind_of >= 80) & (kind_of < 90)
    is_storage = (kind_of >= 90) & (kind_of < 95)
    unit = np.where(is_gpu, "Hours", np.where(is_storage, "GB-Months", "Tokens"))
    quantity = np.where(is_gpu, rng.integers(1, 24, n), quantity)
    list_cost = np.where(is_gpu, quantity * 2.5, np.where(is_storage, quantity / 1e6, quantity * price / 1e6))
    effective = list_cost * np.where(rng.random(n) < 0.3, 0.8, 1.0)
    effective = np.where(category == "Credit", -list_cost * 0.1, effective)
    correction = kind_of == 99
    details = np.array([f'{{"ModelId": "{m}", "TokenDirection": "{k[1]}", "TokenCacheAction": "{k[2]}"}}'
                        for m in MODELS for k in KINDS])[model * len(KINDS) + kind]
    frame = pd.DataFrame({
        "BilledCost": np.round(effective, 6), "BillingCurrency": "USD",
        "BillingPeriodStart": np.where(correction, "2025-12-01T00:00:00Z", np.char.add(month_start, "T00:00:00Z")),
        "ChargeCategory": category, "ChargeClass": np.where(correction, "Correction", ""),
        "ChargePeriodStart": np.char.add(dates, "T00:00:00Z"),
        "ConsumedQuantity": np.where(category == "Usage", quantity, 0), "ConsumedUnit": np.where(
            category == "Usage", unit, ""),
        "ContractedCost": np.round(list_cost, 6), "EffectiveCost": np.round(effective, 6),
        "ListCost": np.round(list_cost, 6),
        "ServiceCategory": np.where(is_storage, "Storage", np.where(is_gpu, "Compute", "AI and Machine Learning")),
        "SkuId": np.where(is_gpu, "gpu-h100-sxm", np.where(is_storage, "blob-hot", np.array(MODELS)[model])),
        "SkuMeter": np.where(is_gpu | is_storage, "", np.array([k[0] for k in KINDS])[kind]),
        "SkuPriceDetails": np.where(is_gpu | is_storage, "", details),
        "SubAccountId": rng.integers(0, 5000, n).astype(str),
        "ResourceId": np.char.add("res-", np.arange(n).astype(str)),  # one resource a row: no two rows identical
    })
    frame.to_csv(path, index=False)
    return path


def run(quick: bool = False, tiny: bool = False) -> dict:
    n = 2_000 if tiny else ROWS
    folder = Path(tempfile.gettempdir()) / "costlib-bench-actuals"
    folder.mkdir(exist_ok=True)
    path = folder / f"focus-year-{n}.csv"
    if not path.exists():
        synthetic_year(n, path)
    repeat = 1 if tiny else 3 if quick else 5

    def plain():
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    bill = read_focus(path)
    raw = plain()
    billed = pd.to_numeric(raw["BilledCost"]).to_numpy()
    agree = math.isclose(bill.totals["all"]["BilledCost"], math.fsum(billed), rel_tol=1e-12)
    t_plain = measure(plain, repeat=repeat, min_time=0)
    t_read = measure(lambda: read_focus(path), repeat=repeat, min_time=0)
    t_actuals = measure(lambda: actuals(path, "budget", {"start_date": "2025-01", "months": 12}), repeat=1 if tiny
                        else repeat, min_time=0)
    row = {"section": SECTION, "rows": n, "ai_rows": len(bill.rows), "file_mb": path.stat().st_size / 1e6,
           "plain_read_s": t_plain["median_s"], "read_focus_s": t_read["median_s"],
           "actuals_s": t_actuals["median_s"], "ratio": t_read["median_s"] / t_plain["median_s"],
           "same_totals": agree, "timing": {"plain": t_plain, "read_focus": t_read, "actuals": t_actuals}}
    print(f"  actuals {n:,} rows ({row['file_mb']:.0f} MB): pandas read {fmt_s(row['plain_read_s'])}, read_focus "
          f"{fmt_s(row['read_focus_s'])} (x{row['ratio']:.2f}), against the budget {fmt_s(row['actuals_s'])}",
          flush=True)
    return {"section": SECTION, "results": [row], "agree": agree}


def goals(results: list[dict]) -> dict:
    out = {}
    rows = [r for r in results if r["section"] == SECTION and r["rows"] >= ROWS]
    if rows:
        r = rows[0]
        out["actuals_seconds"] = {"met": r["read_focus_s"] <= 10.0, "worst": f"{r['rows']:,} rows: "
                                                                            f"{fmt_s(r['read_focus_s'])}"}
        out["actuals_vs_pandas"] = {"met": r["ratio"] <= 5.0, "worst": f"x{r['ratio']:.2f} a plain pandas read"}
    return out


def table(results: list[dict]) -> list[str]:
    rows = [r for r in results if r["section"] == SECTION]
    return md_table("**Actuals**: a synthetic FOCUS year read by costlib.actuals against a plain pandas read",
                    ["rows", "file", "pandas read_csv", "read_focus", "ratio", "against the budget"],
                    [[f"{r['rows']:,}", f"{r['file_mb']:.0f} MB", fmt_s(r["plain_read_s"]), fmt_s(r["read_focus_s"]),
                      f"x{r['ratio']:.2f}", fmt_s(r["actuals_s"])] for r in rows], text_columns=0) if rows else []


if __name__ == "__main__":
    out = run(quick="--quick" in sys.argv)
    print("\n".join(table(out["results"])))
