"""API list prices from a maintained dataset: ``genai-prices`` (pydantic, MIT).

costlib does not keep its own copy of what providers charge. The package ``genai-prices``
[GenaiPrices2026] tracks, with start dates, the input, output, prompt-cache read and write
prices of about 2,300 models at 47 providers, their service tiers (batch, flex, priority)
and long-context tiers. This module reads it:

- **offline by default**: the data bundled with the installed ``genai-prices`` wheel; no
  network access happens unless asked for;
- **refresh on request**: :func:`refresh` (``costlib prices --refresh``) downloads the
  package's published data file once and keeps it in costlib's cache directory
  (``$COSTLIB_CACHE_DIR``, default ``~/.cache/costlib``); from then on that file is used
  until it is removed or :func:`use_bundled` is called;
- **by date**: every price is the one in force on ``price_date`` (default today, UTC), so a
  budget made in March reproduces in June;
- **the user's own price file still wins**: inside ``costlib.catalogue.use("api_prices",
  "my_prices.csv")``, :func:`costlib.api_price` reads that file instead;
- **bills as the provider computes them**: :func:`costlib.api_bill` hands a request's usage
  (prompt, cache reads and writes, output and reasoning tokens) to genai-prices' own price
  calculation, so long-context tiers, 1-hour cache writes and service tiers apply as the
  provider applies them.

>>> api_prices("gpt-4o", price_date="2026-11-01")["input"]
2.5
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .arguments import ARGUMENTS, documented
from .errors import CatalogueError, InputTypeError, OutOfRangeError, UnknownNameError

__all__ = ["api_prices", "search_models", "first_date", "source", "refresh", "use_bundled", "KINDS",
           "SERVICE_TIERS", "cache_path"]

#: Which price: costlib's names -> genai-prices' price keys [USD/Mtok].
KINDS = {"input": "input_mtok", "cached_input": "cache_read_mtok", "cache_write": "cache_write_mtok",
         "output": "output_mtok"}

#: Service tiers as genai-prices' price variants name them (``None``: the standard price).
SERVICE_TIERS = {"standard": None, "batch": ("processing", "batch"), "flex": ("service_tier", "flex"),
                 "priority": ("service_tier", "priority"), "fast": ("service_tier", "fast")}

_DATA_URL = ("https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/prices/new_data/v2/"
             "data.json")


def cache_path() -> Path:
    """Where :func:`refresh` keeps the downloaded data [path]."""
    root = os.environ.get("COSTLIB_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "costlib")
    return Path(root) / "genai-prices.json"


@dataclass(frozen=True)
class _Snapshot:
    providers: tuple
    origin: str  # "bundled" or the refreshed file's path
    checked: str  # the date the data was taken: the wheel's version, or the refresh day
    first: dt.date


_SNAPSHOT: dict[str, _Snapshot] = {}
_BUNDLED_ONLY = {"on": False}


def _genai():
    try:
        import genai_prices
    except ImportError as exc:
        if not (exc.name or "").startswith("httpx2"):  # a dependency of costlib; this is a broken install
            raise CatalogueError("API prices need the package genai-prices (pip install genai-prices)") from exc
        genai_prices = _genai_without_httpx2()
    return genai_prices


def _genai_without_httpx2():
    """genai-prices where httpx2 cannot load (Pyodide, which xlwings Lite runs: httpx2's
    transport there, httpx2-jsfetch 0.0.0, is an empty package).

    genai-prices imports httpx2 only to download fresh data, which costlib never asks it
    to do (:func:`refresh` uses urllib); a stand-in module lets the price data load.
    """
    import sys
    import types

    for name in [n for n in sys.modules if n.split(".")[0] in ("httpx2", "genai_prices")]:
        del sys.modules[name]
    stand_in = types.ModuleType("httpx2")

    def _unavailable(name: str):
        raise CatalogueError(f"httpx2 is not available here, so genai-prices cannot download ({name}); "
                             "the bundled price data is used")

    stand_in.__getattr__ = _unavailable
    sys.modules["httpx2"] = stand_in
    import genai_prices

    return genai_prices


def _first_date(providers) -> dt.date:
    dates = [c.constraint.start_date for p in providers for m in p.models if isinstance(m.prices, list)
             for c in m.prices if getattr(c.constraint, "start_date", None) is not None]
    return min(dates) if dates else dt.date(1970, 1, 1)


def _snapshot() -> _Snapshot:
    path = cache_path()
    key = "bundled" if _BUNDLED_ONLY["on"] or not path.is_file() else str(path)
    hit = _SNAPSHOT.get(key)
    if hit is not None:
        return hit
    genai = _genai()
    if key == "bundled":
        from genai_prices.data import providers
        snap = _Snapshot(tuple(providers), "bundled", f"genai-prices {genai.__version__} bundled data",
                         _first_date(providers))
    else:
        providers = _parse(path.read_bytes(), str(path))
        day = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).date().isoformat()
        snap = _Snapshot(tuple(providers), str(path), f"genai-prices data refreshed {day}", _first_date(providers))
    _SNAPSHOT[key] = snap
    return snap


def _parse(raw: bytes, where: str):
    from genai_prices.types import _providers_from_raw  # the package's own reader of its data file

    try:
        payload = json.loads(raw)
        if not isinstance(payload, list):
            raise ValueError("expected a list of providers")
        return _providers_from_raw(payload)
    except Exception as exc:
        raise CatalogueError(f"{where} is not a genai-prices data file: {exc}") from None


def source() -> str:
    """Which price data is in use, and as of when (the text ``costlib prices`` prints)."""
    return _snapshot().checked


def first_date() -> dt.date:
    """The first date the price data records a price from; earlier dates are refused."""
    return _snapshot().first


def refresh(url: str = _DATA_URL, timeout: float = 20.0) -> Path:
    """Download the current genai-prices data (opt-in, network) and use it from now on [path].

    The file is checked by genai-prices' own reader before it replaces the cached one.
    """
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (a fixed https URL or the user's)
            raw = response.read()
    except OSError as exc:
        raise CatalogueError(f"cannot refresh API prices from {url}: {exc}") from None
    _parse(raw, url)
    path = cache_path()
    from ._atomic import replacing  # atomic, the file's mode kept, errors naming the cache file

    with replacing(path) as tmp:
        Path(tmp).write_bytes(raw)
    _SNAPSHOT.pop(str(path), None)
    _BUNDLED_ONLY["on"] = False
    return path


def use_bundled(on: bool = True) -> None:
    """Read the data bundled with genai-prices even where a refreshed file exists (``on=False``: undo)."""
    _BUNDLED_ONLY["on"] = bool(on)


def as_date(price_date: Any) -> dt.datetime:
    """``price_date`` (None: today, UTC; a date, a datetime or an ISO text) as the start of that day."""
    if price_date is None:
        day = dt.datetime.now(dt.timezone.utc).date()
    elif isinstance(price_date, dt.datetime):
        day = price_date.date()
    elif isinstance(price_date, dt.date):
        day = price_date
    elif isinstance(price_date, str):
        try:
            day = dt.date.fromisoformat(price_date.strip())
        except ValueError:
            raise InputTypeError(f"price_date must be a date such as '2026-03-31', got {price_date!r}",
                                 argument="price_date") from None
    else:
        raise InputTypeError(f"price_date must be a date such as '2026-03-31', got {price_date!r}",
                             argument="price_date")
    first = first_date()
    if day < first:
        raise OutOfRangeError(f"price_date must be on or after {first.isoformat()}, the first date in the price "
                              f"data ({source()}), got {day.isoformat()}", argument="price_date")
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc)


def _provider(snap: _Snapshot, provider: str | None):
    if provider is None:
        return None
    if not isinstance(provider, str) or not provider.strip():
        raise InputTypeError(f"provider must be a provider id such as 'openai', got {provider!r}", argument="provider")
    from genai_prices.data_snapshot import find_provider_by_id

    found = find_provider_by_id(list(snap.providers), provider)
    if found is None:
        ids = [p.id for p in snap.providers]
        close = difflib.get_close_matches(provider.lower(), ids, n=3, cutoff=0.4)
        raise UnknownNameError(f"provider must be a provider in the price data ({snap.checked}), got "
                               f"{provider!r}; {'closest: ' + ', '.join(close) if close else 'known: ' + ', '.join(ids)}",
                               argument="provider")
    return found


def find_model(model: str, provider: str | None):
    """``model``'s provider and model in the price data: (provider, model) as genai-prices holds them.

    Raises InputTypeError for a model that is not a name, UnknownNameError (with the closest
    names) for one the data does not list, of ``provider`` where it is given.
    """
    if not isinstance(model, str) or not model.strip():
        raise InputTypeError(f"model must be a model name such as 'gpt-4o', got {model!r}", argument="model")
    snap = _snapshot()
    prov = _provider(snap, provider)
    from genai_prices.data_snapshot import DataSnapshot

    finder = DataSnapshot(providers=list(snap.providers), from_auto_update=False)
    try:
        return finder.find_provider_model(model.strip(), prov, None, None)
    except LookupError:
        pass
    for candidate in [prov] if prov is not None else snap.providers:  # an id as `costlib prices` lists it: some
        for m in candidate.models:                                   # ids are not matched by their own model's rules
            if m.id == model.strip():
                return candidate, m
    if prov is None:  # no provider named and none claims the name: the first provider that lists it
        for candidate in snap.providers:
            found = candidate.find_model(model.strip())
            if found is not None:
                return candidate, found
    names = sorted({m.id for p in snap.providers for m in p.models if prov is None or p is prov})
    close = difflib.get_close_matches(model.strip().lower(), names, n=3, cutoff=0.5)
    close += [n for n in names if model.strip().lower() in n and n not in close][: 3 - len(close)]
    where = f" of {prov.id}" if prov is not None else ""
    raise UnknownNameError(f"model must be a name in the api_prices catalogue ({snap.checked}){where}, got "
                           f"{model!r}" + (f"; closest: {', '.join(close)}" if close else ""), argument="model")


def tier_context(service_tier: str | None) -> dict[str, str] | None:
    """genai-prices' price context for ``service_tier`` (None: the standard prices); UnknownNameError
    naming the tiers for any other."""
    if service_tier is None:
        return None
    t = str(service_tier).strip().lower().replace("-", "_")
    if t not in SERVICE_TIERS:
        raise UnknownNameError(f"service_tier must be one of {', '.join(SERVICE_TIERS)}, got {service_tier!r}",
                               argument="service_tier")
    pair = SERVICE_TIERS[t]
    return None if pair is None else {pair[0]: pair[1]}


def _value(price: Any, input_tokens: float | None) -> float | None:
    from genai_prices.types import TieredPrices

    if price is None:
        return None
    if isinstance(price, TieredPrices):
        chosen = price.base
        if input_tokens is not None:
            for tier in reversed(price.tiers):  # the package's cliff rule: above a tier's start, all tokens
                if input_tokens > tier.start:
                    chosen = tier.price
                    break
        price = chosen
    return float(Decimal(price))


@documented(input_tokens=ARGUMENTS["input_tokens"].but(
    meaning="Prompt tokens of one request, which choose a long-context tier where the provider has one; not "
            "given: the base tier [tokens]", rule=None, type="float, optional"))
def api_prices(model: str, provider: str | None = None, price_date: Any = None, service_tier: str | None = None,
               input_tokens: float | None = None) -> dict[str, Any]:
    """Every API price of ``model`` on ``price_date`` [USD per 1 M tokens], from genai-prices.

    {parameters}

    Returns
    -------
    dict
        ``input``, ``cached_input`` (prompt-cache read), ``cache_write`` and ``output``
        [USD/Mtok; None where the provider has no such price], and ``model``, ``provider``,
        ``date``, ``service_tier``, ``source`` (the data and when it was taken) and
        ``context_tiers``: the long-context tiers, each ``{"start": prompt tokens, "input": ...,
        "cached_input": ..., "cache_write": ..., "output": ...}``, the prices of a request whose
        prompt exceeds ``start`` (an empty list for a model without one).

    Notes
    -----
    The price in force on ``price_date`` is the last of the model's dated prices whose start is
    on or before it; a service tier overrides the prices it names; a long-context tier
    applies to all tokens once the prompt exceeds its start (genai-prices' rule).

    Examples
    --------
    Gemini 2.5 Pro costs more per token above 200,000 prompt tokens [GenaiPrices2026]:

    >>> api_prices("gemini-2.5-pro", price_date="2026-11-01")["input"]
    1.25
    >>> api_prices("gemini-2.5-pro", price_date="2026-11-01", input_tokens=300_000)["input"]
    2.5
    >>> api_prices("gemini-2.5-pro", price_date="2026-11-01")["context_tiers"][0]["start"]
    200000
    >>> api_prices("gpt-4o", price_date="2026-11-01", service_tier="batch")["output"]
    5.0
    """
    when = as_date(price_date)
    context = tier_context(service_tier)
    if input_tokens is not None and not (isinstance(input_tokens, (int, float)) and input_tokens >= 0):
        raise OutOfRangeError(f"input_tokens must be >= 0, got {input_tokens!r}", argument="input_tokens")
    prov, info = find_model(model, provider)
    if context and not any(info is m for m in prov.models):
        context = None  # a fallback provider's model: its tiers are not this provider's (genai-prices' rule)
    price = info.get_prices(when, context)
    out: dict[str, Any] = {kind: _value(getattr(price, key, None), input_tokens) for kind, key in KINDS.items()}
    out.update(model=info.id, provider=prov.id, date=when.date().isoformat(),
               service_tier=service_tier or "standard", source=source(), context_tiers=_context_tiers(price))
    return out


def _context_tiers(price: Any) -> list[dict[str, Any]]:
    """The long-context tiers of a model's prices: each start [prompt tokens] with every price above it."""
    from genai_prices.types import TieredPrices

    starts = sorted({int(t.start) for key in KINDS.values() for p in [getattr(price, key, None)]
                     if isinstance(p, TieredPrices) for t in p.tiers})
    # a prompt of start + 1 tokens is the first the tier bills (the cliff rule, _value's)
    return [{"start": s, **{kind: _value(getattr(price, key, None), s + 1) for kind, key in KINDS.items()}}
            for s in starts]


def search_models(text: str = "", provider: str | None = None, price_date: Any = None, limit: int = 50) -> list[dict]:
    """Models whose id or name contains ``text``, with their prices on ``price_date`` (``costlib prices``)."""
    snap = _snapshot()
    prov = _provider(snap, provider)
    when = as_date(price_date)
    needle = str(text).strip().lower()
    rows = []
    for p in snap.providers:
        if prov is not None and p is not prov:
            continue
        for m in p.models:
            if needle and needle not in m.id.lower() and needle not in (m.name or "").lower():
                continue
            price = m.get_prices(when)
            row = {"provider": p.id, "model": m.id}
            row.update({kind: _value(getattr(price, key, None), None) for kind, key in KINDS.items()})
            rows.append(row)
            if len(rows) >= limit:
                return rows
    return rows
