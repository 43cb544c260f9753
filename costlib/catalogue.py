"""Dated catalogues: accelerator specs, GPU rental prices and API prices.

The data lives in CSV files under ``costlib/data/`` whose names carry their as-of month
(``accelerators_2026-11.csv``); every row has an ``as_of`` date and a ``source``. This
module is the one loader. By default each kind loads its newest packaged file; a user's
own file with the same columns can take its place::

    with costlib.catalogue.use("accelerators", "my_gpus.csv"):
        costlib.train_cost(70e9, 15e12, 2.0, gpu="MyGPU")

Specs are dense (not the "with sparsity" figures) peak TFLOP/s per precision,
HBM capacity [GB], HBM bandwidth [TB/s], board power [W] and the GPU-to-GPU link a
tensor-parallel all-reduce runs over, one way [GB/s] (``link_gb_per_s``; a user's own file may
leave that column out, and then serves one GPU per replica).
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import math
import os
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from . import _args, prices
from .arguments import ARGUMENTS, documented
from .errors import CatalogueError, InputTypeError, UnknownNameError

__all__ = ["Catalogue", "load", "use", "gpu_spec", "peak_flops", "gpu_price", "api_price",
           "KINDS", "PRECISIONS", "PRICE_TIERS"]

# kind -> (column holding the name, columns that must be numeric where filled)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accelerators": ("name", ("peak_tflops_bf16", "peak_tflops_fp16", "peak_tflops_fp8",
                              "peak_tflops_tf32", "hbm_gb", "bandwidth_tb_per_s", "board_power_w",
                              "link_gb_per_s")),
    "gpu_prices": ("gpu", ("price_per_gpu_hour",)),
    "api_prices": ("model", ("input_per_m_tokens", "cached_input_per_m_tokens", "output_per_m_tokens")),
}
#: Numeric columns a user's own file may leave out (read as empty): added after files existed.
OPTIONAL = ("link_gb_per_s",)
PRECISIONS = ("bf16", "fp16", "fp8", "tf32")
PRICE_TIERS = ("reserved", "on_demand", "spot", "1_year", "3_year")

_FILE_NAME = re.compile(r"^(?P<kind>[a-z_]+)_(?P<as_of>\d{4}-\d{2}(?:-\d{2})?)\.csv$")


def _normal(name: str) -> str:
    return re.sub(r"[\s\-_]+", "", str(name)).lower()


@dataclass(frozen=True)
class Catalogue:
    """One catalogue file: its rows, where it came from and as of when."""

    kind: str
    path: str
    as_of: str
    rows: tuple[dict[str, Any], ...]
    _by_name: dict[str, dict[str, Any]] = field(repr=False, compare=False, default_factory=dict)
    _found: dict[str, list[dict[str, Any]]] = field(repr=False, compare=False, default_factory=dict)

    @property
    def names(self) -> list[str]:
        key = KINDS[self.kind][0]
        return sorted({row[key] for row in self.rows})

    def find(self, name: Any, argument: str = "name") -> list[dict[str, Any]]:
        """All rows for ``name`` (case, spaces and hyphens ignored; aliases accepted)."""
        if type(name) is str:
            rows = self._found.get(name)  # a name seen before, as given: one dict look-up
            if rows is not None:
                return rows
        if not isinstance(name, str) or not name.strip():
            raise InputTypeError(f"{argument} must be a name from the {self.kind} catalogue, got {name!r}",
                                 argument=argument)
        rows = self._by_name.get(_normal(name))
        if rows:
            if type(name) is str and len(self._found) < _MEMO_SIZE:
                self._found[name] = rows
            return rows
        close = difflib.get_close_matches(name, self.names, n=3, cutoff=0.4)
        close += [n for n in self.names if _normal(name) in _normal(n) and n not in close]
        hint = f"; closest: {', '.join(close[:3])}" if close else f"; known: {', '.join(self.names)}"
        raise UnknownNameError(f"{argument} must be a name in the {self.kind} catalogue ({self.as_of}), "
                               f"got {name!r}{hint}", argument=argument)


#: Columns whose figure must be > 0 where given (a peak, a memory, a bandwidth, a power); prices may be 0
POSITIVE = ("peak_tflops_bf16", "peak_tflops_fp16", "peak_tflops_fp8", "peak_tflops_tf32", "hbm_gb",
            "bandwidth_tb_per_s", "board_power_w", "link_gb_per_s")
#: Kinds with one row per name: every name and alias finds exactly one row
UNIQUE = ("accelerators", "api_prices")


def _check_unique(rows: list[dict[str, Any]], key: str, path: Path) -> None:
    """Names and aliases distinct without regard to case, spaces and hyphens; no alias shadows a name."""
    names: dict[str, tuple[int, str]] = {}
    for line, row in enumerate(rows, start=2):
        norm = _normal(row[key])
        if norm in names:
            raise CatalogueError(f"{path} line {line}: {key} {row[key]!r} is the name of line {names[norm][0]} "
                                 f"({names[norm][1]!r}; names are compared without regard to case, spaces and "
                                 "hyphens): one of them could never be found")
        names[norm] = (line, row[key])
    aliases: dict[str, tuple[int, str]] = {}
    for line, row in enumerate(rows, start=2):
        for alias in (a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()):
            norm = _normal(alias)
            if norm in names and names[norm][0] != line:
                raise CatalogueError(f"{path} line {line}: the alias {alias!r} is the name of line {names[norm][0]} "
                                     f"({names[norm][1]!r}); an alias must never shadow another row's name")
            if norm in aliases and aliases[norm][0] != line:
                raise CatalogueError(f"{path} line {line}: the alias {alias!r} is an alias of line "
                                     f"{aliases[norm][0]} too ({aliases[norm][1]!r}); each alias finds one row")
            aliases[norm] = (line, alias)


def _read(path: Path, kind: str, as_of: str) -> Catalogue:
    key, numeric = KINDS[kind]
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:  # a byte-order mark (Excel's CSV UTF-8) is read
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in (key, "source", *numeric) if c not in header and c not in OPTIONAL]
            if missing:
                raise CatalogueError(f"{path} must have the columns {', '.join(missing)} "
                                     f"for a {kind} catalogue; it has {', '.join(header)}")
            rows = []
            for line, row in enumerate(reader, start=2):
                if not (row.get(key) or "").strip():
                    raise CatalogueError(f"{path} line {line}: {key} must name the row, got an empty cell")
                row[key] = row[key].strip()
                for column in numeric:
                    text = (row.get(column) or "").strip()
                    try:
                        value = float(text) if text else None
                    except ValueError:
                        raise CatalogueError(f"{path} line {line}: {column} must be a number, "
                                             f"got {text!r}") from None
                    if value is not None and not (math.isfinite(value) and value >= 0.0 and
                                                  (value > 0.0 or column not in POSITIVE)):
                        rule = "> 0" if column in POSITIVE else ">= 0"
                        raise CatalogueError(f"{path} line {line}: {column} must be a finite number {rule}, "
                                             f"got {text!r}")
                    row[column] = value
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"cannot read the {kind} catalogue {path}: it is not UTF-8 text (byte 0x"
                             f"{exc.object[exc.start]:02x} at position {exc.start}); save it as CSV UTF-8") from None
    except csv.Error as exc:
        raise CatalogueError(f"cannot read the {kind} catalogue {path}: not a readable CSV file: {exc}") from None
    except OSError as exc:
        raise CatalogueError(f"cannot read the {kind} catalogue {path}: {exc.strerror}") from None
    if kind in UNIQUE:
        _check_unique(rows, key, path)
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        names = [row[key]] + [a for a in (row.get("aliases") or "").split(";") if a.strip()]
        for n in names:
            bucket = by_name.setdefault(_normal(n), [])
            if row not in bucket:
                bucket.append(row)
    return Catalogue(kind, str(path), as_of, tuple(rows), by_name)


#: Catalogue files read in this process: (kind, path) -> (checked at, (mtime, size), Catalogue).
_LOADED: dict[tuple[str, str], tuple[float, Any, Catalogue]] = {}
#: How often a file in use is stat()ed to see whether it changed [s]: a call that uses the
#: catalogue costs one dict look-up, not a system call (an explicit ``load(kind, path)``
#: and ``use`` always check).
_RECHECK_S = 0.5
_MEMO_SIZE = 4096  # distinct names remembered per catalogue, and number-like texts


def _stamp(path: str):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _load_cached(kind: str, path: str, check: bool = False) -> Catalogue:
    """The catalogue in ``path``, read once and reread only when its mtime or size changes."""
    key = (kind, path)
    hit = _LOADED.get(key)
    now = time.monotonic()
    if hit is not None and not check and now - hit[0] < _RECHECK_S:
        return hit[2]
    stamp = _stamp(path)  # taken before reading: a change during the read is seen next time
    if hit is not None and stamp is not None and stamp == hit[1]:
        _LOADED[key] = (now, stamp, hit[2])
        return hit[2]
    p = Path(path)
    m = _FILE_NAME.match(p.name)
    catalogue = _read(p, kind, m["as_of"] if m else "unknown")
    if hit is None and len(_LOADED) >= 32:
        _LOADED.pop(next(iter(_LOADED)))
    _LOADED[key] = (now, stamp, catalogue)
    return catalogue


@lru_cache(maxsize=None)  # the packaged files are listed once per process
def _packaged(kind: str) -> str:
    files = [f.name for f in resources.files("costlib.data").iterdir()
             if (m := _FILE_NAME.match(f.name)) and m["kind"] == kind]
    if not files:
        raise CatalogueError(f"no packaged {kind} catalogue found in costlib/data")
    newest = max(files, key=lambda n: _FILE_NAME.match(n)["as_of"])
    return str(resources.files("costlib.data").joinpath(newest))


_active: dict[str, str] = {}


def load(kind: str, path: str | Path | None = None) -> Catalogue:
    """The ``kind`` catalogue: ``path`` if given, else the one in use (default: newest packaged).

    >>> load("accelerators").kind
    'accelerators'
    >>> load("gpus")
    Traceback (most recent call last):
    costlib.errors.UnknownNameError: kind must be one of accelerators, gpu_prices, api_prices, got 'gpus'
    """
    if path is None:
        hit = _IN_USE.get(kind)  # (recheck after, catalogue): what every engine call reads
        if hit is not None and time.monotonic() < hit[0]:
            return hit[1]
    if kind not in KINDS:
        raise UnknownNameError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}", argument="kind")
    if path is not None:
        return _load_cached(kind, str(path), check=True)
    catalogue = _load_cached(kind, _active.get(kind) or _packaged(kind))
    _IN_USE[kind] = (time.monotonic() + _RECHECK_S, catalogue)
    return catalogue


_IN_USE: dict[str, tuple[float, Catalogue]] = {}


@contextlib.contextmanager
def use(kind: str, path: str | Path) -> Iterator[Catalogue]:
    """Use the catalogue file ``path`` for ``kind`` inside a ``with`` block."""
    catalogue = load(kind, path)
    before = _active.get(kind)
    _active[kind] = str(path)
    _IN_USE.pop(kind, None)
    try:
        yield catalogue
    finally:
        if before is None:
            _active.pop(kind, None)
        else:
            _active[kind] = before
        _IN_USE.pop(kind, None)


def _per_name(values: Any, argument: str, resolve, dtype: Any = np.float64) -> np.ndarray:
    """Apply ``resolve(name_or_number)`` once per distinct element of a scalar, array or Series.

    ``dtype=None`` keeps what ``resolve`` returns (numbers, or text for text fields).
    """
    if isinstance(values, str) or np.ndim(values) == 0:
        return np.asarray(resolve(values), dtype=dtype)
    arr = np.asarray(values.to_numpy() if _args.is_series(values) else values, dtype=object)
    uniques, inverse = np.unique(arr.astype(str), return_inverse=True)
    firsts = [arr.reshape(-1)[int(np.argmax(inverse.reshape(-1) == k))] for k in range(len(uniques))]
    resolved = np.array([resolve(v) for v in firsts], dtype=dtype)
    return resolved[inverse.reshape(-1)].reshape(arr.shape)


#: ``gpu`` where it must be a name (the catalogue look-ups' reading of it).
_GPU_NAME = ARGUMENTS["gpu"].but(
    meaning='Accelerator name or alias in the catalogue, e.g. "H100" (a name, not a number) [name]', type="str")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


@documented(returns="TFLOP/s, TB/s, GB or W by field", gpu=_GPU_NAME.but(type="str or array_like of str"))
def gpu_spec(gpu: str, field: str):
    """One field of an accelerator's catalogue row [TFLOP/s, TB/s, GB or W by field], or its text.

    {parameters}

    Notes
    -----
    ``field`` is a column of the accelerators catalogue: ``peak_tflops_bf16`` [TFLOP/s],
    ``hbm_gb`` [GB], ``bandwidth_tb_per_s`` [TB/s], ``board_power_w`` [W], ``as_of``,
    ``source``... or one of the short forms ``bandwidth``, ``memory``, ``power`` and
    ``tflops`` (BF16).

    Examples
    --------
    The H100 SXM's dense BF16 peak, [NVIDIA2022]: 989.4 TFLOP/s (1,979 with sparsity):

    >>> gpu_spec("H100", "tflops")
    989.4

    An array or Series of names gives one field per name:

    >>> gpu_spec(["H100", "A100 80GB"], "bandwidth")
    array([3.35 , 2.039])
    """
    if not isinstance(gpu, str) and np.ndim(gpu) > 0:
        out = _per_name(gpu, "gpu", lambda g: gpu_spec(g, field), dtype=None)
        if _args.is_series(gpu):
            import pandas as pd  # pandas loads where a DataFrame is made, not with costlib
            return pd.Series(out, index=gpu.index, name=field)
        return out
    catalogue = load("accelerators")
    row = catalogue.find(gpu, "gpu")[0]
    short = {"bandwidth": "bandwidth_tb_per_s", "memory": "hbm_gb", "power": "board_power_w",
             "tflops": "peak_tflops_bf16", "link": "link_gb_per_s"}
    column = short.get(str(field).strip().lower(), str(field).strip().lower())
    if column not in row:
        choices = sorted(set(row) | set(short))
        raise UnknownNameError(f"field must be one of {', '.join(choices)}, got {field!r}", argument="field")
    value = row[column]
    if value is None or value == "":
        raise UnknownNameError(f"field {column} is not given for {row['name']} in the accelerators "
                               f"catalogue ({catalogue.as_of})", argument="field")
    return value


_PRECISION_COLUMNS = {p: f"peak_tflops_{p}" for p in PRECISIONS}


def precision_column(precision: str) -> str:
    if type(precision) is str and precision in _PRECISION_COLUMNS:
        return _PRECISION_COLUMNS[precision]
    p = str(precision).strip().lower()
    if p not in PRECISIONS:
        raise UnknownNameError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}",
                               argument="precision")
    return f"peak_tflops_{p}"


def _spec_array(gpu: Any, column: str, scale: float, argument: str, what: str) -> np.ndarray:
    """``column`` of each accelerator in ``gpu`` times ``scale``; a number is taken as the figure itself."""
    kind = type(gpu)
    if kind is str or kind is float or kind is int:  # one name or plain number: a Python float
        return _spec_of(gpu, column, scale, argument, what)
    return _per_name(gpu, argument, lambda value: _spec_of(value, column, scale, argument, what))


def _spec_of(value: Any, column: str, scale: float, argument: str, what: str) -> float:
    """``column`` of one accelerator times ``scale``; a number is taken as the figure itself."""
    if _is_number(value):
        v = float(value)
        if not (v > 0.0 and v - v == 0.0):  # not a finite positive number: check's message
            _args.check(argument, np.asarray(v), "positive")
        return v * scale
    if isinstance(value, str) and _looks_numeric(value):
        raise InputTypeError(f"{argument} must be a catalogue name or a number, got text {value!r}",
                             argument=argument)
    catalogue = load("accelerators")
    row = catalogue.find(value, argument)[0]
    if row[column] is None:
        raise UnknownNameError(f"{argument} {row['name']} has no {what} in the accelerators "
                               f"catalogue ({catalogue.as_of})", argument=argument)
    return row[column] * scale


_NUMBER_LIKE: dict[str, bool] = {}


def _looks_numeric(text: str) -> bool:
    known = _NUMBER_LIKE.get(text)
    if known is not None:
        return known
    try:
        float(text)
        known = True
    except ValueError:
        known = False
    if len(_NUMBER_LIKE) < _MEMO_SIZE:
        _NUMBER_LIKE[text] = known
    return known


def peak_flops(gpu: Any, precision: str = "bf16", argument: str = "gpu") -> np.ndarray:
    """Dense peak [FLOP/s] of ``gpu``: catalogue name(s), or peak TFLOP/s as number(s)."""
    if type(gpu) is str:
        hit = _IN_USE.get("accelerators")  # _remembered(gpu, precision), inlined: the hot path
        if hit is not None and time.monotonic() < hit[0]:
            spec = hit[1]._found.get((gpu, precision))
            if spec is not None:
                return spec
        return _remember(gpu, precision, _spec_array(gpu, precision_column(precision), 1e12, argument,
                                                     f"{precision} peak"))
    column = precision_column(precision)
    return _spec_array(gpu, column, 1e12, argument, f"{precision} peak")


def _remembered(gpu: str, key: str) -> float | None:
    """A figure of the accelerator ``gpu`` worked out before from the catalogue in use, or None.

    Dict look-ups only: no error can come from here, so a call that finds nothing takes
    the full path and raises exactly what it always raised.
    """
    hit = _IN_USE.get("accelerators")
    if hit is not None and time.monotonic() < hit[0]:
        return hit[1]._found.get((gpu, key))
    return None


def _remember(gpu: str, key: str, spec: float) -> float:
    found = load("accelerators")._found
    if len(found) < _MEMO_SIZE:
        found[(gpu, key)] = spec
    return spec


def _named_spec(gpu: Any, key: str, column: str, scale: float, argument: str, what: str) -> np.ndarray:
    """``column`` x ``scale`` of ``gpu``: a catalogue name's figure remembered under ``key``, numbers as given."""
    if type(gpu) is str:
        spec = _remembered(gpu, key)
        if spec is not None:
            return spec
        return _remember(gpu, key, _spec_array(gpu, column, scale, argument, what))
    return _spec_array(gpu, column, scale, argument, what)


def bandwidth_bytes_per_s(gpu: Any, argument: str = "gpu") -> np.ndarray:
    """HBM bandwidth [B/s] of ``gpu``: catalogue name(s), or TB/s as number(s)."""
    return _named_spec(gpu, "bandwidth", "bandwidth_tb_per_s", 1e12, argument, "bandwidth")


def link_bytes_per_s(gpu: Any, argument: str = "gpu") -> np.ndarray:
    """One-way interconnect bandwidth [B/s] of one ``gpu`` to its tensor-parallel peers (NVLink,
    Infinity Fabric or PCIe): catalogue name(s), or GB/s as number(s)."""
    return _named_spec(gpu, "link", "link_gb_per_s", 1e9, argument, "link bandwidth")


def board_power_w(gpu: Any, argument: str = "gpu") -> np.ndarray:
    """Board power [W] of ``gpu``: catalogue name(s), or watts as number(s)."""
    return _named_spec(gpu, "power", "board_power_w", 1.0, argument, "board power")


@documented(returns="USD/GPU-h", gpu=_GPU_NAME)
def gpu_price(gpu: str, tier: str = "on_demand") -> float:
    """Catalogue rental price [USD/GPU-h] of ``gpu`` at ``tier`` (reserved, on_demand, spot, 1_year, 3_year).

    Where the catalogue holds several quotes for one GPU and tier, the median is returned.
    Prices change: the catalogue's ``as_of`` says when these were quoted.

    {parameters}

    Examples
    --------
    Reserved capacity is the cheapest committed tier (tiers as in [LatereND]; rates from the
    catalogue's provider sources):

    >>> gpu_price("H100", "reserved") <= gpu_price("H100", "on_demand")
    True
    >>> gpu_price("H100", "weekly")
    Traceback (most recent call last):
    costlib.errors.UnknownNameError: tier must be one of reserved, on_demand, spot, 1_year, 3_year, got 'weekly'
    """
    t = str(tier).strip().lower().replace("-", "_").replace(" ", "_")
    if t not in PRICE_TIERS:
        raise UnknownNameError(f"tier must be one of {', '.join(PRICE_TIERS)}, got {tier!r}", argument="tier")
    name = load("accelerators").find(gpu, "gpu")[0]["name"]
    prices = load("gpu_prices")
    quotes = [row["price_per_gpu_hour"] for row in prices.rows
              if _normal(row["gpu"]) == _normal(name) and row["tier"] == t]
    if not quotes:
        raise UnknownNameError(f"gpu {name} has no {t} price in the gpu_prices catalogue ({prices.as_of})",
                               argument="gpu")
    return float(np.median(quotes))


@documented(returns="USD per 1 M tokens", input_tokens=ARGUMENTS["input_tokens"].but(
    meaning="Prompt tokens of one request, which choose a long-context tier where the provider has one; not "
            "given: the base tier [tokens]", rule=None, type="float, optional"))
def api_price(model: str, kind: str = "output", provider: str | None = None, price_date: Any = None,
              service_tier: str | None = None, input_tokens: float | None = None) -> float:
    """API list price [USD per 1 M tokens] of ``model``: input, cached_input, cache_write or output.

    The prices come from the maintained dataset genai-prices ([GenaiPrices2026]; see
    :mod:`costlib.prices`), as in force on ``price_date``, offline from the data bundled with the
    package. Inside ``costlib.catalogue.use("api_prices", "my_prices.csv")`` the user's own
    file is read instead (columns ``model``, ``input_per_m_tokens``,
    ``cached_input_per_m_tokens``, ``output_per_m_tokens``, ``source``); it has no dates or
    tiers, so ``price_date``, ``service_tier`` and ``input_tokens`` must then be left out.

    {parameters}

    Raises
    ------
    UnknownNameError
        An unknown model (with the closest names in the data), provider, kind or tier, or a
        price the provider does not have (a cache write price where caching is implicit).
    OutOfRangeError
        A date before the first date in the price data (the message names it).

    Examples
    --------
    Output is priced above input and cached input below it:

    >>> api_price("gpt-4o", "output") > api_price("gpt-4o", "input") > api_price("gpt-4o", "cached_input")
    True
    >>> api_price("claude-sonnet-4", "cache_write", price_date="2026-11-01")
    3.75
    >>> api_price("gpt-4o", "output", price_date="2026-11-01", service_tier="batch")
    5.0
    """
    k = str(kind).strip().lower().replace("-", "_").replace(" ", "_")
    kinds = ("input", "cached_input", "cache_write", "output")
    if k not in kinds:
        raise UnknownNameError(f"kind must be one of {', '.join(kinds)}, got {kind!r}", argument="kind")
    if "api_prices" in _active:  # the user's own price file overrides the dataset
        given = [n for n, v in (("provider", provider), ("price_date", price_date), ("service_tier", service_tier),
                                ("input_tokens", input_tokens)) if v is not None]
        if given:
            raise InputTypeError(f"{given[0]} cannot be used with a price file of your own "
                                 f"({_active['api_prices']}): it has no {given[0]} column", argument=given[0])
        catalogue = load("api_prices")
        row = catalogue.find(model, "model")[0]
        value = row.get(f"{k}_per_m_tokens")
        if value is None:
            raise UnknownNameError(f"model {row['model']} has no {k} price in the api_prices catalogue "
                                   f"({catalogue.as_of})", argument="kind")
        return value
    found = prices.api_prices(model, provider, price_date, service_tier, input_tokens)
    value = found[k]
    if value is None:
        raise UnknownNameError(f"model {found['model']} of {found['provider']} has no {k} price on "
                               f"{found['date']} ({found['source']})", argument="kind")
    return value
