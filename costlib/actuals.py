"""Budget against actuals: a provider's FOCUS billing export read against a budget plan.

The FinOps Foundation's FOCUS specification ([FinOps2025]) is the billing export AWS, Azure,
Google Cloud, Oracle and others emit: one row a charge, with four costs that answer four
questions:

- ``ListCost``: the usage at the public list price [currency];
- ``ContractedCost``: at the negotiated price, before commitments [currency];
- ``EffectiveCost``: the amortised cost, commitment purchases spread over the usage they
  cover and discounts applied: the cost a budget compares with [currency];
- ``BilledCost``: what the invoice charges: a commitment's purchase in full in the month it
  is bought, its covered usage at zero [currency].

This module reads one or more exports (CSV, or Parquet where pandas reads it), keeps the AI
rows, maps them to the budget's lines by month on the budget's calendar and currency, and
explains each month's variance as volume, mix, price and timing. It writes nothing: the
variance workbook is :mod:`costlib.workbook.variance`, the command ``costlib actuals``.

What counts as an AI row, and what each row becomes (decisions, each in docs/actuals.md):

- an AI row has ``ServiceCategory`` "AI and Machine Learning", a token unit, or a GPU /
  accelerator SKU (an hourly unit and a SKU, meter or description naming "GPU" or an
  accelerator of the catalogue); the rest are counted and totalled, never mapped;
- ``ChargeCategory`` Usage rows are the lines with a volume: ``api_tokens`` (by model and
  kind: input, cached input, cache write, output), ``gpu_hours``, and ``other_usage``
  (cache storage in token-hours, requests, images); ``Purchase`` rows (commitments and
  prepayments bought: billed in full, effective zero), ``Credit``, ``Tax`` and
  ``Adjustment`` rows are lines of their own with no budget;
- ``ChargeClass`` "Correction" rows are deltas to a charge already invoiced (FOCUS: they
  change a previous billing period, they do not replace it): added, never in place of the
  original; one whose charge period precedes its billing period is booked in the month it
  arrives (a closed month stays closed) and is the bridge's *timing*;
- rows identical in every column are refused unless ``duplicates`` says "drop" (a file read
  twice) or "keep" (charges that truly repeat);
- FOCUS 1.0 to 1.3: 1.0's columns are required (the four costs, ``BillingCurrency``,
  ``ChargeCategory``, ``ChargePeriodStart``, ``ConsumedQuantity``, ``ConsumedUnit``);
  ``ChargeClass``, ``BillingPeriodStart``, ``ServiceCategory``, 1.1's ``SkuMeter`` and
  ``SkuPriceDetails`` (``ModelId``, ``TokenDirection``, ``TokenCacheAction``, the earlier
  ``TokenType``) are read where present; 1.2's ``PricingCurrency*`` columns and 1.3's
  ``Allocated*``, ``ContractApplied``, ``ServiceProviderName`` and ``HostProviderName`` are
  ignored knowingly: the billing currency's costs are the ones the invoice and the budget
  share, and allocation splits a row among owners without changing the export's sums.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from .accounting import from_serial, gpu_hours_in_month
from .errors import InputError, InputTypeError, UnknownNameError

__all__ = ["read_focus", "Bill", "actuals", "Actuals", "LINES", "BRIDGE", "REQUIRED_COLUMNS", "COST_COLUMNS",
           "bridge"]

#: The four costs of a FOCUS row [billing currency]
COST_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
#: FOCUS 1.0 columns every export must hold for a budget comparison
REQUIRED_COLUMNS = COST_COLUMNS + ("BillingCurrency", "ChargeCategory", "ChargePeriodStart", "ConsumedQuantity",
                                   "ConsumedUnit")
#: Columns read where present (1.0's optional uses, 1.1's SKU detail)
OPTIONAL_COLUMNS = ("ChargeClass", "BillingPeriodStart", "ServiceCategory", "SkuId", "SkuMeter", "SkuPriceDetails",
                    "ChargeDescription", "ResourceType", "CommitmentDiscountId", "CommitmentDiscountStatus")
CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
AI_SERVICE_CATEGORY = "AI and Machine Learning"

#: Line -> (label, unit of its volume or None). The budget lines the bills are read against.
LINES: dict[str, tuple[str, str | None]] = {
    "api_tokens": ("API tokens (all models and kinds)", "tokens"),
    "gpu_hours": ("GPU-hours rented (training and serving)", "GPU-h"),
    "other_usage": ("Other AI usage (cache storage, requests, images)", None),
    "purchases": ("Commitment and prepayment purchases", None),
    "credits": ("Credits", None),
    "tax": ("Tax", None),
    "adjustments": ("Adjustments", None),
}
VOLUME_LINES = ("api_tokens", "gpu_hours")
#: The bridge from budget to actual (effective cost), in order [currency]
BRIDGE = {
    "budget": "Budget",
    "volume": "Volume: (actual - budget quantity) x budget unit price",
    "mix": "Mix: list cost of the models and kinds used - actual quantity x budget unit price",
    "price": "Price: effective - list cost (discounts, commitments)",
    "timing": "Timing: corrections to earlier months booked this month",
    "other": "Other: purchases, credits, tax, adjustments, other usage (no budget line)",
    "actual": "Actual (effective cost)",
}

#: Consumed units the reader knows (FOCUS unit format, case as the spec writes them) -> the line they can feed
TOKEN_UNITS = {"tokens"}
HOUR_UNITS = {"hours", "gpu-hours", "hour", "gpu-hour", "instance-hours"}
OTHER_UNITS = {"token-hours", "requests", "images", "characters", "seconds", "minutes", "pages", "queries", "calls",
               "units", "gb", "gb-hours", "gb-months", "transactions", "count"}
KNOWN_UNITS = TOKEN_UNITS | HOUR_UNITS | OTHER_UNITS
TOKEN_KINDS = ("input", "cached input", "cache write", "output", "tokens")
MONEY_TOLERANCE = 0.005  # half a cent: "equal to the cent" [currency]


def _accelerator_words() -> tuple[str, ...]:
    """The first word of each catalogue accelerator (H100, A100, MI300X), lower case."""
    from .catalogue import load

    return tuple(sorted({str(n).split()[0].lower() for n in load("accelerators").names} | {"gpu"}))


# ---------------------------------------------------------------------------- reading

@dataclass
class Bill:
    """The AI rows of one or more FOCUS exports, mapped to lines and months.

    ``rows`` is a DataFrame, one row per kept charge: ``source`` (file and line), ``month``
    (YYYY-MM booked), ``line``, ``model``, ``kind``, ``quantity`` [tokens, GPU-h or the
    unit], ``billed``, ``effective``, ``list``, ``contracted`` [``currency``], ``timing``
    (a correction booked after its month), ``correction``. ``totals`` holds the exports'
    own sums of each cost column over the AI rows (``ai``) and over every row (``all``),
    converted [``currency``]; ``skipped`` the rows that are not AI (count and costs).
    """

    rows: Any
    currency: str
    totals: dict[str, dict[str, float]]
    row_count: int
    skipped: dict[str, float]
    dropped_duplicates: int = 0
    versions: list[str] = field(default_factory=list)
    rates: dict[str, float] = field(default_factory=dict)


def _read_table(path: Path):
    import pandas as pd  # pandas loads where a bill is read, not with costlib

    if not path.exists():
        raise InputError(f"billing must name FOCUS export files, got {str(path)!r:.120}: no such file",
                         argument="billing")
    try:
        if path.suffix.lower() == ".parquet":
            try:
                frame = pd.read_parquet(path)
            except ImportError:
                raise InputError(f"billing file {path.name} is Parquet, which pandas reads through pyarrow: "
                                 "pip install 'costlib[parquet]', or export the bill as CSV",
                                 argument="billing") from None
            return frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object})
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig")
    except (ValueError, OSError, ImportError, UnicodeDecodeError) as exc:
        raise InputError(f"billing file {path.name} cannot be read as a FOCUS export (CSV or Parquet): "
                         f"{str(exc)[:200]}", argument="billing") from None


class _Column:
    """A text column as its distinct values (stripped) and each row's code into them: work done once a value."""

    def __init__(self, frame, column: str):

        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        self.codes = codes
        self.values = np.array(["" if pd.isna(u) else str(u).strip() for u in uniques], dtype=object)

    def rows(self) -> np.ndarray:
        return self.values[self.codes]

    def where(self, flags: np.ndarray) -> np.ndarray:
        """Each row's flag, from a flag per distinct value."""
        return np.asarray(flags, dtype=bool)[self.codes]

    def first_row(self, value_flags: np.ndarray) -> int:
        return int(np.flatnonzero(self.where(value_flags))[0])


def _numbers(frame, column: str, name: str, allow_blank: bool):
    """A text column as floats; a blank is 0 where ``allow_blank``; anything else not a number is refused by line."""

    raw = frame[column]
    values = np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)  # a copy: blanks are filled in below
    missing = np.isnan(values)
    if missing.any():  # blanks and text: look at those rows only
        text = raw[missing].astype(str).str.strip()
        blank = (text == "") | raw[missing].isna()
        again = pd.to_numeric(text.where(~blank, "0"), errors="coerce")
        bad = again.isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(missing)[np.flatnonzero(bad)[0]])
            raise InputTypeError(f"{column} must be a number, got {raw.iloc[i]!r:.40} in {name} line {i + 2}",
                                 argument=column)
        if not allow_blank and blank.any():
            i = int(np.flatnonzero(missing)[np.flatnonzero(blank.to_numpy())[0]])
            raise InputTypeError(f"{column} must not be blank, got a blank in {name} line {i + 2}", argument=column)
        values[missing] = again.fillna(0.0).to_numpy(dtype=float)
    return values


_MONTH = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _months(col: _Column, column: str, name: str) -> np.ndarray:
    """The YYYY-MM of each row's ISO 8601 date; a date that is not one is refused by line."""
    bad = np.array([not _MONTH.match(u) for u in col.values], dtype=bool)
    if bad.any():
        i = col.first_row(bad)
        raise InputTypeError(f"{column} must be an ISO 8601 date such as 2025-05-01T00:00:00Z, got "
                             f"{col.rows()[i]!r:.40} in {name} line {i + 2}", argument=column)
    return np.array([u[:7] for u in col.values], dtype=object)[col.codes]


def _details(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _token_kind(details: dict[str, Any], meter: str) -> str:
    """input, cached input, cache write, output or tokens, from SkuPriceDetails, else from SkuMeter's words."""
    direction = str(details.get("TokenDirection") or details.get("TokenType") or "").lower()
    cache = str(details.get("TokenCacheAction") or "").lower()
    words = meter.lower()
    if not direction:
        direction = "output" if "output" in words else "input" if "input" in words or "cache" in words else ""
    if not cache:
        cache = "write" if "cache write" in words else "read" if ("cache read" in words or "cached" in words) else ""
    if direction == "output":
        return "output"
    if direction == "input":
        return {"read": "cached input", "write": "cache write"}.get(cache, "input")
    return "tokens"


def _frame_of(path: Path, name: str, accelerators: tuple[str, ...]):
    """One export's rows classified: the DataFrame (all rows) with line, model, kind, month, costs.

    Text columns are read through their distinct values (:class:`_Column`): a year of rows
    holds a few thousand SKUs, meters and dates, so each is checked and classified once.
    """

    raw = _read_table(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        several = len(missing) > 1
        raise InputError(f"billing file {name} lacks the FOCUS column{'s' if several else ''} {', '.join(missing)} "
                         f"(FOCUS 1.0 requires {'them' if several else 'it'}); it has "
                         f"{', '.join(map(str, raw.columns[:12]))}{', ...' if len(raw.columns) > 12 else ''}",
                         argument="billing")
    n = len(raw)
    blank = np.full(n, "", dtype=object)
    for c in OPTIONAL_COLUMNS:
        if c not in raw.columns:
            raw[c] = blank
    out = pd.DataFrame({"source": np.full(n, name, dtype=object), "line_no": np.arange(2, n + 2)})
    for c in COST_COLUMNS:
        out[c] = _numbers(raw, c, name, allow_blank=(c == "ContractedCost"))
    out["quantity"] = _numbers(raw, "ConsumedQuantity", name, allow_blank=True)
    cols = {c: _Column(raw, c) for c in ("ChargeCategory", "ChargeClass", "BillingCurrency", "ConsumedUnit",
                                         "ServiceCategory", "SkuId", "SkuMeter", "SkuPriceDetails",
                                         "ChargeDescription", "ResourceType", "ChargePeriodStart",
                                         "BillingPeriodStart", "CommitmentDiscountId", "CommitmentDiscountStatus")}

    def refuse(col: str, bad: np.ndarray, rule: str, error=UnknownNameError):
        if bad.any():
            i = cols[col].first_row(bad)
            raise error(f"{col} {rule}, got {cols[col].rows()[i]!r:.40} in {name} line {i + 2}", argument=col)

    category = cols["ChargeCategory"]
    refuse("ChargeCategory", ~np.isin(category.values, CHARGE_CATEGORIES),
           f"must be one of {', '.join(CHARGE_CATEGORIES)}")
    refuse("ChargeClass", ~np.isin(cols["ChargeClass"].values, ["", "Correction"]), "must be blank or Correction")
    refuse("BillingCurrency", np.array([not re.fullmatch(r"[A-Z]{3}", u) for u in cols["BillingCurrency"].values],
                                       dtype=bool), "must be an ISO 4217 code of three capital letters (USD, EUR)")
    out["category"] = category.rows()
    out["correction"] = cols["ChargeClass"].where(cols["ChargeClass"].values == "Correction")
    out["currency"] = cols["BillingCurrency"].rows()
    out["charge_month"] = _months(cols["ChargePeriodStart"], "ChargePeriodStart", name)
    units = cols["ConsumedUnit"]
    unit_key = np.array([u.lower() for u in units.values], dtype=object)
    # the AI rows: an AI service, a token unit, or an hourly GPU / accelerator SKU
    gpu_text = np.zeros(n, dtype=bool)
    for c in ("SkuId", "SkuMeter", "ChargeDescription", "ResourceType"):
        col = cols[c]
        gpu_text |= col.where([any(w in u.lower() for w in accelerators) for u in col.values])
    hourly = units.where(np.isin(unit_key, list(HOUR_UNITS)))
    gpu = hourly & (gpu_text | units.where(unit_key == "gpu-hours"))
    tokens = units.where(np.isin(unit_key, list(TOKEN_UNITS)))
    ai = (cols["ServiceCategory"].where(cols["ServiceCategory"].values == AI_SERVICE_CATEGORY) | tokens | gpu
          | units.where([u.startswith("token") for u in unit_key]))
    out["ai"] = ai
    usage = category.where(category.values == "Usage")
    bad_unit = ai & usage & units.where((units.values != "") & ~np.isin(unit_key, list(KNOWN_UNITS)))
    if bad_unit.any():
        i = int(np.flatnonzero(bad_unit)[0])
        raise UnknownNameError(f"ConsumedUnit must be a unit costlib knows (Tokens, Hours, GPU-Hours, Token-Hours, "
                               f"Requests, Images, ...), got {units.rows()[i]!r:.40} in {name} line {i + 2}",
                               argument="ConsumedUnit")
    line = np.select([usage & tokens, usage & gpu, usage, category.where(category.values == "Purchase"),
                      category.where(category.values == "Credit"), category.where(category.values == "Tax")],
                     ["api_tokens", "gpu_hours", "other_usage", "purchases", "credits", "tax"], "adjustments")
    out["line"] = line
    # usage drawn from a commitment or prepayment: a CommitmentDiscountId on a usage row not marked Unused
    status = cols["CommitmentDiscountStatus"]
    out["committed"] = usage & cols["CommitmentDiscountId"].where(cols["CommitmentDiscountId"].values != "") \
        & ~status.where(status.values == "Unused")
    # model and kind: from SkuPriceDetails (parsed once a distinct text), SkuMeter and SkuId
    details, meter, sku = cols["SkuPriceDetails"], cols["SkuMeter"], cols["SkuId"]
    parsed = [_details(d) for d in details.values]
    model_of_details = np.array([str(p.get("ModelId") or "") for p in parsed], dtype=object)[details.codes]
    model = np.where(model_of_details != "", model_of_details, sku.rows())
    out["model"] = np.where(model == "", "(model not stated)", model)
    # FOCUS 1.0 has no SkuMeter: the SkuId's words ("...-input") say the kind there
    nm, nk = len(meter.values), len(sku.values)  # each at most the rows: the product fits in 64 bits
    triple = (details.codes.astype(np.int64) * nm + meter.codes) * nk + sku.codes
    keys, inverse = np.unique(triple, return_inverse=True)
    kinds = np.array([_token_kind(parsed[key // (nm * nk)], meter.values[key // nk % nm]
                                  or sku.values[key % nk].replace("-", " ").replace("_", " ")) for key in keys],
                     dtype=object)
    out["kind"] = np.where(line == "api_tokens", kinds[inverse.reshape(-1)], "")
    # a correction to a charge period before its billing period is booked in the month it arrives
    billing = cols["BillingPeriodStart"]
    has_billing = billing.where(billing.values != "")
    billing_month = out["charge_month"].to_numpy().copy()
    if has_billing.any():
        billing_month[has_billing] = _months(billing, "BillingPeriodStart", name)[has_billing] \
            if has_billing.all() else _months_where(billing, has_billing, name)
    late = out["correction"].to_numpy() & (billing_month > out["charge_month"].to_numpy())
    out["timing"] = late
    out["month"] = np.where(late, billing_month, out["charge_month"])
    return raw, out


def _months_where(col: _Column, rows: np.ndarray, name: str) -> np.ndarray:
    """The YYYY-MM of the rows where a column is filled (a blank is not a date to refuse)."""
    filled = col.values != ""
    bad = np.array([f and not _MONTH.match(u) for u, f in zip(col.values, filled)], dtype=bool)
    if bad.any():
        i = col.first_row(bad)
        raise InputTypeError(f"BillingPeriodStart must be an ISO 8601 date, got {col.rows()[i]!r:.40} in {name} "
                             f"line {i + 2}", argument="BillingPeriodStart")
    return np.array([u[:7] for u in col.values], dtype=object)[col.codes][rows]


def _repeated(rows, raws) -> np.ndarray:
    """Each row identical in every column to an earlier one (across the files, in their order).

    Only rows whose costs and quantity repeat can repeat whole, so the full comparison runs
    on those alone: a year of rows is compared by its numbers first (a second, not four).
    """

    numbers = pd.DataFrame({c: rows[c].to_numpy() for c in COST_COLUMNS + ("quantity",)})
    candidates = numbers.duplicated(keep=False).to_numpy()
    repeated = np.zeros(len(rows), dtype=bool)
    if not candidates.any():
        return repeated
    parts, start = [], 0
    for raw in raws:
        mask = candidates[start:start + len(raw)]
        parts.append(raw.loc[mask].astype(str))
        start += len(raw)
    columns = list(dict.fromkeys(c for p in parts for c in p.columns))
    whole = pd.concat([p.reindex(columns=columns, fill_value="") for p in parts], ignore_index=True)
    repeated[np.flatnonzero(candidates)] = whole.duplicated(keep="first").to_numpy()
    return repeated


def read_focus(billing: str | os.PathLike | Iterable[str | os.PathLike], currency: str | None = None,
               rates: dict[str, float] | None = None, duplicates: str = "refuse") -> Bill:
    """The AI rows of FOCUS exports, by line, model, kind and month, in one currency.

    Parameters
    ----------
    billing : path or list of paths
        FOCUS exports, CSV (UTF-8, a header line) or Parquet; versions 1.0 to 1.3.
    currency : str, optional
        The currency to report in (ISO 4217); None: the exports' one billing currency.
    rates : dict, optional
        Billing currency -> units of ``currency`` per unit of it [currency/billing
        currency]: the only way rows in another currency are converted.
    duplicates : {"refuse", "drop", "keep"}
        Rows identical in every column: an error naming them (default), dropped but one,
        or kept as charges that truly repeat.

    Returns
    -------
    Bill
        The kept rows, the exports' own sums of each cost column, what was skipped.

    Raises
    ------
    InputError
        A missing column (named), an unknown unit, category or currency (with the file and
        line), a second currency without a rate, duplicate rows under "refuse".

    Examples
    --------
    The FOCUS repository's per-token example: 8.4 M input tokens at $5/Mtok and 2.1 M output
    at $25/Mtok:

    >>> from pathlib import Path
    >>> bill = read_focus(Path("tests/data/focus/per_token_foundation_model_api.csv"))
    >>> bill.totals["ai"]["BilledCost"], int(bill.rows.quantity.sum())
    (94.5, 10500000)
    """

    if duplicates not in ("refuse", "drop", "keep"):
        raise UnknownNameError(f"duplicates must be one of refuse, drop, keep, got {duplicates!r:.40}",
                               argument="duplicates")
    paths = [billing] if isinstance(billing, (str, os.PathLike)) else list(billing)
    if not paths:
        raise InputError("billing must name at least one FOCUS export, got none", argument="billing")
    accelerators = _accelerator_words()
    raws, frames = [], []
    for p in paths:
        path = Path(os.fspath(p))
        raw, frame = _frame_of(path, path.name, accelerators)
        raws.append(raw)
        frames.append(frame)
    rows = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    dropped = 0
    if duplicates != "keep":
        repeated = _repeated(rows, raws)
        if repeated.any():
            if duplicates == "refuse":
                first = rows.loc[repeated, ["source", "line_no"]].head(3)
                where = "; ".join(f"{s} line {n}" for s, n in first.itertuples(index=False))
                raise InputError(f"billing holds {int(repeated.sum())} row(s) identical in every column to an earlier "
                                 f"one ({where}): the same export read twice? 'drop' counts each once, 'keep' "
                                 "counts them all, if the charges truly repeat (duplicates=)",
                                 argument="duplicates", instead="duplicates")
            dropped = int(repeated.sum())
            rows = rows.loc[~repeated].reset_index(drop=True)
    seen = [str(c) for c in pd.unique(rows["currency"].to_numpy())]
    target = currency or (seen[0] if len(seen) == 1 else None)
    rates = dict(rates or {})
    if target is None:
        raise InputError(f"billing holds several currencies ({', '.join(seen)}): name the currency to report in "
                         "and give a rate for each other one, in units of it per unit of the other (rates=)",
                         argument="rates", instead="rates")
    factor = np.ones(len(rows))
    for code in seen:
        if code == target:
            continue
        rate = rates.get(code)
        if rate is None:
            i = int(np.flatnonzero((rows["currency"] == code).to_numpy())[0])
            raise InputError(f"rates must give a rate for {code} (the bill's {rows['source'].iat[i]} line "
                             f"{rows['line_no'].iat[i]} is in {code}, the budget in {target}): costlib converts "
                             f"only at a rate you give, in {target} per {code} (rates=)",
                             argument="rates", parameter="rates", key=code, instead="rates")
        if not (isinstance(rate, (int, float)) and math.isfinite(rate) and rate > 0):
            raise InputError(f"rates[{code!r}] must be a positive number of {target} per {code}, got {rate!r:.40}",
                             argument="rates")
        factor[(rows["currency"] == code).to_numpy()] = float(rate)
    for c, short in zip(COST_COLUMNS, ("billed", "effective", "list", "contracted")):
        rows[short] = rows[c].to_numpy() * factor
    ai = rows["ai"].to_numpy()
    totals = {"ai": {c: math.fsum(rows[s].to_numpy()[ai]) for c, s in zip(COST_COLUMNS, ("billed", "effective",
                                                                                          "list", "contracted"))},
              "all": {c: math.fsum(rows[s].to_numpy()) for c, s in zip(COST_COLUMNS, ("billed", "effective", "list",
                                                                                      "contracted"))}}
    skipped = {"rows": float((~ai).sum()), **{c: totals["all"][c] - totals["ai"][c] for c in COST_COLUMNS}}
    kept = rows.loc[ai, ["source", "line_no", "month", "charge_month", "line", "model", "kind", "category",
                         "quantity", "billed", "effective", "list", "contracted", "timing", "correction",
                         "committed"]]
    return Bill(kept.reset_index(drop=True), target, totals, int(len(rows)), skipped, dropped,
                rates={k: v for k, v in rates.items() if k in seen and k != target})


# ---------------------------------------------------------------------------- against the budget

@dataclass
class Actuals:
    """A bill read against a budget: every table the variance workbook lays out.

    Frames are indexed by line (``LINES``) with one column per budget month (YYYY-MM):
    ``budget`` and ``budget_quantity`` [currency; tokens or GPU-h], ``effective``,
    ``billed``, ``list``, ``quantity`` and ``timing``, ``timing_list`` (effective and list cost of late
    corrections), ``committed`` (effective cost of usage drawn from a commitment or
    prepayment) [currency]; ``bridge`` (``BRIDGE`` x month); ``reforecast`` (actual for the closed
    months, budget after). ``closed`` is the number of budget months the bills reach,
    ``ytd`` the month columns of the fiscal year to date, ``by_model`` the token rows by
    model and kind.
    """

    bill: Bill
    schedule: Any
    months: list[str]
    fiscal_years: list[int]
    budget: Any
    budget_quantity: Any
    effective: Any
    billed: Any
    list: Any
    quantity: Any
    timing: Any
    timing_list: Any
    committed: Any
    bridge: Any
    reforecast: Any
    closed: int
    ytd: list[str]
    by_model: Any
    totals: dict[str, float]
    checks: dict[str, bool]
    story: str = ""


def _budget_lines(s) -> tuple[Any, Any]:
    """Budget cost [currency] and quantity [tokens, GPU-h] per line and month, from the plan's rows.

    ``api_tokens``: the serving line under the api plan (tokens served at the API price);
    ``gpu_hours``: the serving line under the rent plan (whole GPUs for the month) plus
    the rented training compute (final run, research, failed runs at the training price
    per GPU-hour). Lines the template has no row for budget zero.
    """

    rows = s.rows
    n = rows.shape[1]
    plan = s.inputs["serving_plan"]
    zero = np.zeros(n)
    cost = pd.DataFrame(0.0, index=list(LINES), columns=range(n))
    qty = pd.DataFrame(0.0, index=list(LINES), columns=range(n))
    if plan == "api":
        cost.loc["api_tokens"] = rows.loc["opex_serving"].to_numpy(dtype=float)
        qty.loc["api_tokens"] = rows.loc["tokens_served"].to_numpy(dtype=float)
    training = sum((rows.loc[r].to_numpy(dtype=float) for r in ("build_final_run", "build_research",
                                                                "build_failed_runs") if r in rows.index), zero)
    price = float(s.inputs["train_price_per_gpu_hour"])
    training_hours = training / price if price > 0 else zero
    serving = rows.loc["opex_serving"].to_numpy(dtype=float) if plan == "rent" else zero
    serving_hours = np.asarray(gpu_hours_in_month(rows.loc["serving_gpus"].to_numpy(dtype=float))) \
        if plan == "rent" else zero
    cost.loc["gpu_hours"] = training + serving
    qty.loc["gpu_hours"] = training_hours + serving_hours
    return cost, qty


def bridge(budget, budget_quantity, effective, list_cost, quantity, timing):
    """The bridge from budget to actual effective cost for one month (or any period) [currency].

    Parameters
    ----------
    budget, budget_quantity : Series by line
        Budget cost [currency] and quantity [tokens, GPU-h].
    effective, list_cost, quantity, timing : Series by line
        Actual effective and list cost [currency], quantity, and the effective cost of late
        corrections [currency], all of the same period.

    Returns
    -------
    dict
        ``BRIDGE`` key -> amount; ``budget + volume + mix + price + timing + other == actual``.

    Notes
    -----
    For each volume line (tokens, GPU-hours), with budget unit price ``p_b = B / Q_b``
    (0 where the budget has no quantity), on rows that are not late corrections::

        volume = (Q_a - Q_b) p_b
        mix    = L_a - Q_a p_b      (list cost of what was used against the budget price)
        price  = E_a - L_a          (discounts and commitments: effective against list)

    so that ``volume + mix + price = E_a - B``; ``timing`` is the late corrections'
    effective cost (every line), ``other`` every line without a volume, late corrections
    apart, less its budget (zero).
    The budget's single blended price per token stands for the models and kinds it
    assumed; mix is measured at list prices against it (a price variance split into mix and rate, the
    usual textbook split).
    """
    out = {"budget": float(budget.sum())}
    volume = mix = price = 0.0
    for line in VOLUME_LINES:
        b, qb = float(budget[line]), float(budget_quantity[line])
        pb = b / qb if qb > 0 else 0.0
        e = float(effective[line]) - float(timing[line])
        qa, la = float(quantity[line]), float(list_cost[line])
        volume += (qa - qb) * pb
        mix += la - qa * pb
        price += e - la
        # a budget with cost but no quantity: its cost is all volume (nothing was bought at its price)
        if qb <= 0 and b > 0:
            volume -= b
    out.update(volume=volume, mix=mix, price=price, timing=float(timing.sum()))
    others = [line for line in LINES if line not in VOLUME_LINES]
    out["other"] = float(effective[others].sum() - timing[others].sum() - budget[others].sum())
    out["actual"] = float(effective.sum())
    return out


def actuals(billing, budget: Any = "budget", overrides: dict[str, Any] | None = None, *,
            rates: dict[str, float] | None = None, duplicates: str = "refuse") -> Actuals:
    """FOCUS exports read against a budget plan: variance by line and month, the bridge, a re-forecast.

    Parameters
    ----------
    billing : path or list of paths
        FOCUS exports (see :func:`read_focus`).
    budget : str, path or Template
        The budget template (``budget``, or a file of your own with the same rows).
    overrides : dict, optional
        The budget's inputs, as ``costlib generate --set`` takes them (``start_date``...).
    rates, duplicates
        As :func:`read_focus`; amounts are reported in the budget's ``currency``.

    Returns
    -------
    Actuals
        Budget, actual and variance tables, the bridge, the re-forecast, the checks.

    Raises
    ------
    InputError
        A bad bill (see :func:`read_focus`), or a charge month outside the budget's months.

    Examples
    --------
    >>> a = actuals("tests/data/focus/multi_model_usage.csv", "budget", {"start_date": "2025-01"})
    >>> a.closed, round(a.totals["actual_effective_total"], 2), a.checks["billed"]
    (5, 104.5, True)
    """

    from .plan import schedule as plan_schedule

    s = plan_schedule(budget, overrides)
    if "month_end" not in s.rows.index or "serving_plan" not in s.inputs:
        raise InputError(f"budget must be a template with a calendar and the budget's rows (the budget template), "
                         f"got {s.template!r}", argument="budget")
    bill = read_focus(billing, s.inputs.get("currency"), rates, duplicates)
    ends = from_serial(s.rows.loc["month_end"].to_numpy())
    months = [e[:7] for e in ends]
    rows = bill.rows
    outside = ~rows["month"].isin(months).to_numpy()
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise InputError(f"billing {rows['source'].iat[i]} line {rows['line_no'].iat[i]} is charged in "
                         f"{rows['month'].iat[i]}, outside the budget's months {months[0]} to {months[-1]}: give the "
                         f"budget a start_date that covers it (--set start_date={rows['month'].iat[i]})",
                         argument="start_date")
    cost, qty = _budget_lines(s)
    cost.columns = qty.columns = months

    def table(values, mask=None):
        frame = rows if mask is None else rows.loc[mask]
        pivot = frame.pivot_table(index="line", columns="month", values=values, aggfunc="sum", fill_value=0.0)
        return pivot.reindex(index=list(LINES), columns=months, fill_value=0.0).astype(float)

    effective, billed, listed = table("effective"), table("billed"), table("list")
    plain = ~rows["timing"].to_numpy()
    quantity = table("quantity", plain)
    listed_plain = table("list", plain)
    timing = table("effective", ~plain)
    timing_list = table("list", ~plain)
    committed = table("effective", rows["committed"].to_numpy())
    closed = months.index(max(rows["month"])) + 1 if len(rows) else 0
    fy = [int(y) for y in s.rows.loc["fiscal_year"].to_numpy()]
    ytd = [m for m, y in zip(months[:closed], fy[:closed]) if closed and y == fy[closed - 1]]
    bridge_table = pd.DataFrame({m: bridge(cost[m], qty[m], effective[m], listed_plain[m], quantity[m], timing[m])
                                 for m in months}).reindex(list(BRIDGE))
    reforecast = pd.concat([effective[months[:closed]], cost[months[closed:]]], axis=1)[months]
    tokens = rows.loc[rows["line"] == "api_tokens"]
    by_model = tokens.groupby(["model", "kind"], sort=True)[["quantity", "list", "effective", "billed"]].sum()
    budget_total = float(cost[months[:closed]].to_numpy().sum())
    totals = {"actual_billed_total": float(billed.to_numpy().sum()),
              "actual_effective_total": float(effective.to_numpy().sum()),
              "actual_list_total": float(listed.to_numpy().sum()),
              "budget_total": budget_total}
    totals["variance_total"] = totals["actual_effective_total"] - budget_total
    totals["committed_effective_total"] = float(committed.to_numpy().sum())
    checks = {"billed": abs(totals["actual_billed_total"] - bill.totals["ai"]["BilledCost"]) < MONEY_TOLERANCE,
              "effective": abs(totals["actual_effective_total"] - bill.totals["ai"]["EffectiveCost"]) < MONEY_TOLERANCE,
              "list": abs(totals["actual_list_total"] - bill.totals["ai"]["ListCost"]) < MONEY_TOLERANCE,
              "bridge": all(abs(bridge_table[m].iloc[:-1].sum() - bridge_table[m].iloc[-1]) < MONEY_TOLERANCE
                            for m in months)}
    a = Actuals(bill, s, months, sorted(set(fy)), cost, qty, effective, billed, listed, quantity, timing, timing_list,
                committed, bridge_table, reforecast, closed, ytd, by_model, totals, checks)
    a.story = story(a)
    return a


def story(a: Actuals) -> str:
    """What happened and why, in two sentences: the first sheet's words [budget currency]."""
    c = a.bill.currency
    t = a.totals
    if not a.closed:
        return f"The bills hold no AI rows: nothing to compare with the budget ({c})."
    b = a.bridge[a.months[:a.closed]].sum(axis=1)
    parts = sorted(((k, b[k]) for k in ("volume", "mix", "price", "timing", "other")), key=lambda kv: -abs(kv[1]))
    words = ", ".join(f"{k} {v:+,.2f}" for k, v in parts if abs(v) >= MONEY_TOLERANCE) or "no component"
    return (f"Through {a.months[a.closed - 1]}, the AI bills come to {t['actual_effective_total']:,.2f} {c} effective "
            f"({t['actual_billed_total']:,.2f} billed, {t['actual_list_total']:,.2f} at list) against a budget of "
            f"{t['budget_total']:,.2f} {c}: a variance of {t['variance_total']:+,.2f}. By size: {words}.")
