"""Budget against actuals: FOCUS exports read, mapped and bridged (costlib.actuals).

The files under tests/data/focus/ are the FOCUS repository's own examples
(FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, specification/data/, CC-BY-4.0: see
tests/data/focus/README.md). Every expected total is worked by hand from the rows shown in
the comment on its line.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from costlib.actuals import BRIDGE, LINES, actuals, bridge, read_focus
from costlib.errors import InputError, InputTypeError, UnknownNameError

DATA = Path(__file__).parent / "data" / "focus"
PER_TOKEN = DATA / "per_token_foundation_model_api.csv"
MULTI_MODEL = DATA / "multi_model_usage.csv"
CACHING_A = DATA / "ai_prompt_caching_a.csv"
CACHING_B = DATA / "ai_prompt_caching_b.csv"
DRAWDOWN = DATA / "drawdown_via_prepayment_foundation_model_api.csv"
CACHED_MARKETPLACE = DATA / "cached_tokens_via_csp_marketplace.csv"
INVOICE_MARKETPLACE = DATA / "multi_model_invoice_via_csp_marketplace.csv"
LATE_USAGE = DATA / "scenario_2_late_arriving_usage_ledger.csv"
#: An api-plan budget whose launch month (10: six development months, a 3-month final run) is 2025-05,
#: the month of the examples, flat at 20 M tokens a month and $3.00/Mtok
API_BUDGET = {"start_date": "2024-08", "serving_plan": "api", "api_price_decline": 0, "monthly_tokens": 20e6,
              "monthly_growth": 0, "months": 24}


def rows_of(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


class TestReadFocusExamples:
    def test_per_token(self):
        bill = read_focus(PER_TOKEN)
        assert bill.totals["ai"]["BilledCost"] == pytest.approx(94.50)  # 42.00 input + 52.50 output
        assert bill.totals["ai"]["EffectiveCost"] == pytest.approx(94.50)  # the same: no discount
        assert bill.rows.quantity.sum() == 10_500_000  # 8,400,000 input + 2,100,000 output tokens
        assert list(bill.rows.kind) == ["input", "output"]  # SkuPriceDetails TokenType (the earlier key)
        assert set(bill.rows.model) == {"solora-saturn-4.8"}  # SkuPriceDetails ModelId
        assert bill.currency == "USD"

    def test_multi_model_without_charge_class(self):
        bill = read_focus(MULTI_MODEL)  # this example has no ChargeClass column: no corrections
        assert bill.totals["ai"]["BilledCost"] == pytest.approx(104.50)  # 50.00 + 50.00 + 2.25 + 2.25
        by_model = bill.rows.groupby("model").effective.sum()
        assert by_model["solora-atlas-5.5"] == pytest.approx(100.00)  # 10 M in at $5 + 2 M out at $25
        assert by_model["solora-atlas-5.4-mini"] == pytest.approx(4.50)  # 3 M at $0.75 + 0.5 M at $4.50
        assert bill.rows.quantity.sum() == 15_500_000  # 10 + 2 + 3 + 0.5 M tokens

    def test_prompt_caching_kinds(self):
        bill = read_focus(CACHING_A)
        kinds = dict(zip(bill.rows.kind, bill.rows.effective))
        # TokenDirection / TokenCacheAction: Input+Uncached 1.5, Input+Write 7.5, Input+Read 2.4, Output 22.5
        assert kinds == pytest.approx({"input": 1.5, "cache write": 7.5, "cached input": 2.4, "output": 22.5})
        assert bill.totals["ai"]["EffectiveCost"] == pytest.approx(33.9)  # 1.5 + 7.5 + 2.4 + 22.5

    def test_cache_storage_is_other_usage(self):
        bill = read_focus(CACHING_B)
        lines = bill.rows.groupby("line").effective.sum()
        assert lines["api_tokens"] == pytest.approx(32.4)  # 7.5 input + 2.4 cached input + 22.5 output
        assert lines["other_usage"] == pytest.approx(6.0)  # 6 M token-hours of context cache storage at $1
        assert bill.totals["ai"]["BilledCost"] == pytest.approx(38.4)  # 32.4 + 6.0

    def test_prepayment_drawdown(self):
        bill = read_focus(DRAWDOWN)
        t = bill.totals["ai"]
        assert t["BilledCost"] == pytest.approx(500_000.00)  # the purchase billed in full; usage billed 0.00
        assert t["EffectiveCost"] == pytest.approx(50.00)  # purchase 0.00 + 20.00 input + 30.00 output
        assert t["ListCost"] == pytest.approx(500_062.50)  # 500,000 purchase + 25.00 + 37.50 at list
        lines = bill.rows.groupby("line")[["billed", "effective"]].sum()
        assert lines.loc["purchases"].tolist() == [500_000.0, 0.0]  # bought: billed, not yet effective
        assert bill.rows.loc[bill.rows.committed, "effective"].sum() == pytest.approx(50.00)  # drawn: 20.00 + 30.00

    def test_marketplace_cached_tokens(self):
        bill = read_focus(CACHED_MARKETPLACE)
        kinds = dict(zip(bill.rows.kind, bill.rows.effective))
        assert kinds == pytest.approx({"cached input": 10.00, "cache write": 37.50})  # 50 M at $0.20, 15 M at $2.50
        assert bill.totals["ai"]["BilledCost"] == pytest.approx(47.50)  # 10.00 + 37.50

    def test_marketplace_multi_model_invoice(self):
        bill = read_focus(INVOICE_MARKETPLACE)
        # Jupiter 500.00 + 1,500.00; Mars 12.50 + 22.50; Venus 0.75 + 1.50 + 0.01 (cache read) + 0.10 (cache write)
        assert bill.totals["ai"]["BilledCost"] == pytest.approx(2037.36)
        assert bill.rows.quantity.sum() == 157_680_000  # 100 + 50 + 5 + 1.5 + 0.75 + 0.25 + 0.1 + 0.08 M tokens
        by_model = bill.rows.groupby("model").effective.sum()
        assert by_model["solora-atlas-5.6-venus"] == pytest.approx(2.36)  # 0.75 + 1.50 + 0.01 + 0.10
        a = actuals(INVOICE_MARKETPLACE, "budget", API_BUDGET)
        m = a.bridge["2025-05"]
        assert m["volume"] == pytest.approx((157.68 - 20) * 3.0)  # (157.68 - 20) M tokens x $3.00 = 413.04
        assert m["mix"] == pytest.approx(2037.36 - 157.68 * 3.0)  # list 2,037.36 - 473.04
        assert a.checks["billed"] and a.checks["effective"] and a.checks["list"]  # to the cent

    def test_missing_columns_are_named(self):
        # the FOCUS correction example omits BillingCurrency and ServiceCategory
        with pytest.raises(InputError, match="lacks the FOCUS column BillingCurrency"):
            read_focus(LATE_USAGE)


class TestCorrections:
    def corrected(self, tmp_path):
        """The FOCUS late-arriving-usage correction, with a currency and marked as AI compute."""
        row = rows_of(LATE_USAGE)[0] | {"BillingCurrency": "USD", "ServiceCategory": "AI and Machine Learning",
                                        "SkuId": "gpu-h100"}
        original = row | {"ChargeClass": "", "BillingPeriodStart": "2025-05-01T00:00:00Z", "EffectiveCost": "3000",
                          "BilledCost": "3000", "ListCost": "4000", "ContractedCost": "3000",
                          "ConsumedQuantity": "2000"}
        return write_rows(tmp_path / "ledger.csv", [original, row])

    def test_added_once_and_booked_when_it_arrives(self, tmp_path):
        bill = read_focus(self.corrected(tmp_path))
        assert bill.totals["ai"]["EffectiveCost"] == pytest.approx(4500)  # 3,000 original + 1,500 correction
        late = bill.rows[bill.rows.timing]
        assert list(late.month) == ["2025-06"]  # charged May, billed in June's period: booked in June
        assert list(late.line) == ["gpu_hours"]  # Hours of a GPU SKU
        a = actuals(tmp_path / "ledger.csv", "budget", {"start_date": "2025-01"})
        assert a.bridge.loc["timing", "2025-06"] == pytest.approx(1500)  # the correction, as timing
        assert a.quantity.loc["gpu_hours", "2025-05"] == pytest.approx(2000)  # the original's hours only

    def test_gpu_month_against_rented_training(self, tmp_path):
        """2025-05 is month 5 of a budget from 2025-01: research compute at the $2.00/GPU-h training price."""
        a = actuals(self.corrected(tmp_path), "budget", {"start_date": "2025-01"})
        m, b = a.bridge["2025-05"], a.budget.loc["gpu_hours", "2025-05"]
        assert a.budget_quantity.loc["gpu_hours", "2025-05"] == pytest.approx(b / 2.0)  # cost / $2.00 a GPU-hour
        assert m["volume"] == pytest.approx(2000 * 2.0 - b)  # (2,000 h - b / 2) x $2.00
        assert m["mix"] == pytest.approx(0.0)  # list 4,000 = 2,000 h x $2.00: the budget's own price
        assert m["price"] == pytest.approx(-1000.0)  # effective 3,000 - list 4,000
        assert m["actual"] == pytest.approx(3000.0)  # the original row; its correction is June's timing

    def test_unknown_charge_class(self, tmp_path):
        row = rows_of(PER_TOKEN)[0] | {"ChargeClass": "Refund"}
        with pytest.raises(UnknownNameError, match="ChargeClass must be blank or Correction, got 'Refund' in bad.csv "
                                                   "line 2"):
            read_focus(write_rows(tmp_path / "bad.csv", [row]))


class TestBadBills:
    def test_unknown_unit_with_line(self, tmp_path):
        rows = rows_of(PER_TOKEN)
        rows[1]["ConsumedUnit"] = "Tokenz"
        with pytest.raises(UnknownNameError, match="ConsumedUnit must be a unit .* got 'Tokenz' in bad.csv line 3"):
            read_focus(write_rows(tmp_path / "bad.csv", rows))

    def test_unknown_currency_with_line(self, tmp_path):
        rows = rows_of(PER_TOKEN)
        rows[0]["BillingCurrency"] = "dollars"
        with pytest.raises(UnknownNameError, match="BillingCurrency must be an ISO 4217 code .* got 'dollars' in "
                                                   "bad.csv line 2"):
            read_focus(write_rows(tmp_path / "bad.csv", rows))

    def test_text_in_a_cost(self, tmp_path):
        rows = rows_of(PER_TOKEN)
        rows[1]["EffectiveCost"] = "52,50"
        with pytest.raises(InputTypeError, match="EffectiveCost must be a number, got '52,50' in bad.csv line 3"):
            read_focus(write_rows(tmp_path / "bad.csv", rows))

    def test_mixed_currencies_need_a_rate(self, tmp_path):
        rows = rows_of(PER_TOKEN)
        rows[1]["BillingCurrency"] = "EUR"
        path = write_rows(tmp_path / "mixed.csv", rows)
        with pytest.raises(InputError, match=r"rates must give a rate for EUR \(the bill's mixed.csv line 3"):
            read_focus(path, "USD")
        bill = read_focus(path, "USD", rates={"EUR": 1.2})
        assert bill.totals["ai"]["BilledCost"] == pytest.approx(105.00)  # 42.00 + 52.50 EUR x 1.2 = 42 + 63

    def test_duplicates_refused_dropped_or_kept(self):
        with pytest.raises(InputError, match="2 row.s. identical in every column .*per_token_foundation_model_api.csv "
                                             "line 2"):
            read_focus([PER_TOKEN, PER_TOKEN])  # the same export twice
        assert read_focus([PER_TOKEN, PER_TOKEN], duplicates="drop").totals["ai"]["BilledCost"] == pytest.approx(94.5)
        assert read_focus([PER_TOKEN, PER_TOKEN], duplicates="keep").totals["ai"]["BilledCost"] == pytest.approx(189)

    def test_outside_the_budget(self):
        with pytest.raises(InputError, match="charged in 2025-05, outside the budget's months 2027-01 to 2029-12"):
            actuals(PER_TOKEN)  # the default budget starts 2027-01

    def test_not_ai_rows_are_counted_not_mapped(self, tmp_path):
        rows = rows_of(PER_TOKEN)
        rows.append(rows[0] | {"ServiceCategory": "Storage", "ConsumedUnit": "GB-Months", "SkuId": "blob",
                               "SkuMeter": "Hot", "ChargeDescription": "Blob", "BilledCost": "7.25",
                               "EffectiveCost": "7.25", "ListCost": "7.25", "ContractedCost": "7.25"})
        bill = read_focus(write_rows(tmp_path / "mixed.csv", rows))
        assert bill.totals["ai"]["BilledCost"] == pytest.approx(94.50)  # the two token rows
        assert bill.totals["all"]["BilledCost"] == pytest.approx(101.75)  # + 7.25 of storage
        assert bill.skipped["rows"] == 1

    def test_parquet(self, tmp_path):
        pd.read_csv(MULTI_MODEL, dtype=str, keep_default_na=False).to_parquet(tmp_path / "m.parquet")
        assert read_focus(tmp_path / "m.parquet").totals["ai"]["BilledCost"] == pytest.approx(104.5)  # as the CSV


class TestBridge:
    def test_hand_worked_month(self):
        a = actuals(MULTI_MODEL, "budget", API_BUDGET)
        m = a.bridge["2025-05"]
        assert m["budget"] == pytest.approx(60.0)  # 20 M tokens x $3.00/Mtok
        assert m["volume"] == pytest.approx(-13.5)  # (15.5 - 20) M tokens x $3.00
        assert m["mix"] == pytest.approx(58.0)  # list 104.50 - 15.5 M x $3.00 (= 46.50)
        assert m["price"] == pytest.approx(0.0)  # effective = list: no discount in this example
        assert m["actual"] == pytest.approx(104.5)
        assert a.reforecast.loc["api_tokens", "2025-05"] == pytest.approx(104.5)  # closed: the actual
        assert a.reforecast.loc["api_tokens", "2025-06"] == pytest.approx(60.0)  # open: the budget

    def test_commitment_discount_is_price(self):
        a = actuals(DRAWDOWN, "budget", API_BUDGET)
        m = a.bridge["2025-05"]
        assert m["price"] == pytest.approx(-12.5)  # effective 50.00 - list 62.50 (25.00 + 37.50) on the tokens
        assert m["volume"] == pytest.approx(-40.5)  # (6.5 - 20) M tokens x $3.00
        assert m["other"] == pytest.approx(0.0)  # the purchase: effective 0 (amortised into the usage)
        assert a.totals["actual_billed_total"] == pytest.approx(500_000)  # the invoice: the purchase
        # budget_total: every month to the last closed one (2024-08 .. 2025-05), training compute included
        assert a.totals["budget_total"] == pytest.approx(a.budget[a.months[:10]].to_numpy().sum())
        assert a.totals["variance_total"] == pytest.approx(50 - a.totals["budget_total"])  # effective 50.00 - budget

    def test_components_add_up(self):
        """An identity: budget + volume + mix + price + timing + other = actual, every month, any bill."""
        a = actuals([MULTI_MODEL, DRAWDOWN, CACHING_B], "budget", {"start_date": "2025-01"}, duplicates="keep")
        parts = a.bridge.loc[[k for k in BRIDGE if k != "actual"]].sum()
        np.testing.assert_allclose(parts.to_numpy(), a.bridge.loc["actual"].to_numpy(), atol=1e-6)
        assert a.checks == {"billed": True, "effective": True, "list": True, "bridge": True}

    def test_no_budget_quantity_puts_spend_in_mix(self):
        zero = pd.Series(0.0, index=list(LINES))
        spent = zero.copy()
        spent["api_tokens"] = 10.0
        qty = zero.copy()
        qty["api_tokens"] = 1e6
        out = bridge(zero, zero, spent, spent, qty, zero)
        assert (out["volume"], out["mix"], out["price"]) == (0.0, 10.0, 0.0)  # no budget price: all of it is mix

    def test_ytd_is_the_fiscal_year_to_date(self):
        a = actuals(CACHING_A, "budget", {"start_date": "2024-05", "fiscal_year_start_month": 7})
        assert a.closed == 9  # 2024-05 .. 2025-01
        assert a.ytd == ["2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12", "2025-01"]  # FY2025: from July


class TestCommand:
    """costlib actuals: parses, calls the library, one line per error (exit 2), nothing written on error."""

    def test_writes_the_workbook_and_says_what_happened(self, tmp_path, capsys):
        from costlib import cli

        out = tmp_path / "variance.xlsx"
        assert cli.main(["actuals", str(MULTI_MODEL), "--set", "start_date=2025-01", "-o", str(out)]) == 0
        said = capsys.readouterr().out
        assert "104.50 USD effective" in said  # 50.00 + 50.00 + 2.25 + 2.25
        assert f"written: {out} (all checks pass)" in said

    def test_mixed_currency_names_the_option(self, tmp_path, capsys):
        from costlib import cli

        rows = rows_of(PER_TOKEN)
        rows[1]["BillingCurrency"] = "EUR"
        bill = write_rows(tmp_path / "mixed.csv", rows)
        out = tmp_path / "v.xlsx"
        assert cli.main(["actuals", str(bill), "--set", "start_date=2025-01", "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert "is in EUR, the budget in USD): costlib converts only at a rate you give, in USD per EUR " \
               "(--rate EUR=RATE)" in err  # the library's (rates=) as the command's option
        assert not out.exists()
        assert cli.main(["actuals", str(bill), "--set", "start_date=2025-01", "--rate", "EUR=1.2", "-o",
                         str(out)]) == 0
        assert "105.00 USD effective" in capsys.readouterr().out  # 42.00 + 52.50 EUR x 1.2 (= 63.00)

    def test_the_same_export_twice_names_the_option(self, tmp_path, capsys):
        from costlib import cli

        out = tmp_path / "v.xlsx"
        assert cli.main(["actuals", str(PER_TOKEN), str(PER_TOKEN), "--set", "start_date=2025-01", "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert "if the charges truly repeat (--duplicates drop or keep)" in err  # the library's (duplicates=)
        assert "duplicates=" not in err and not out.exists()

    def test_bad_rate(self, tmp_path, capsys):
        from costlib import cli

        assert cli.main(["actuals", str(PER_TOKEN), "--rate", "EUR", "-o", str(tmp_path / "v.xlsx")]) == 2
        assert "--rate must be CODE=RATE" in capsys.readouterr().err


class TestVersions:
    def test_focus_1_0_without_sku_detail(self, tmp_path):
        """FOCUS 1.0 has no SkuMeter or SkuPriceDetails (1.1): the model is the SkuId, the kind unstated."""
        rows = [{k: v for k, v in r.items() if k not in ("SkuMeter", "SkuPriceDetails")} for r in rows_of(PER_TOKEN)]
        bill = read_focus(write_rows(tmp_path / "v10.csv", rows))
        assert list(bill.rows.model) == ["solora-saturn-4.8-input", "solora-saturn-4.8-output"]  # SkuId
        assert list(bill.rows.kind) == ["input", "output"]  # from the SkuId's words where SkuMeter is absent
        assert bill.totals["ai"]["BilledCost"] == pytest.approx(94.50)  # 42.00 + 52.50, as in 1.3

    def test_focus_1_3_columns_ignored_knowingly(self, tmp_path):
        rows = [r | {"AllocatedMethodId": "even-split", "ContractApplied": "{}", "PricingCurrency": "EUR",
                     "PricingCurrencyEffectiveCost": "1.0"} for r in rows_of(PER_TOKEN)]
        bill = read_focus(write_rows(tmp_path / "v13.csv", rows))
        assert bill.currency == "USD"  # BillingCurrency, not PricingCurrency
        assert bill.totals["ai"]["EffectiveCost"] == pytest.approx(94.50)  # not the pricing currency's 2 x 1.0


class TestMoreBadBills:
    @pytest.mark.parametrize("column, value, message", [
        ("ChargeCategory", "Refund", "ChargeCategory must be one of Usage, Purchase, Tax, Credit, Adjustment, got "
                                     "'Refund' in bad.csv line 3"),
        ("ChargePeriodStart", "05/01/2025", "ChargePeriodStart must be an ISO 8601 date .* got '05/01/2025' in "
                                            "bad.csv line 3"),
        ("BilledCost", "", "BilledCost must not be blank, got a blank in bad.csv line 3"),
    ])
    def test_refused_with_the_line(self, tmp_path, column, value, message):
        rows = rows_of(PER_TOKEN)
        rows[1][column] = value
        with pytest.raises(InputError, match=message):
            read_focus(write_rows(tmp_path / "bad.csv", rows))

    def test_no_ai_rows(self, tmp_path):
        rows = [r | {"ServiceCategory": "Storage", "ConsumedUnit": "GB-Months"} for r in rows_of(PER_TOKEN)]
        a = actuals(write_rows(tmp_path / "storage.csv", rows), "budget", {"start_date": "2025-01"})
        assert (a.closed, a.totals["actual_billed_total"], a.totals["budget_total"]) == (0, 0.0, 0.0)
        assert "no AI rows" in a.story
