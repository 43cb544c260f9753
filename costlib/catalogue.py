"""Dated catalogues: accelerator specs, GPU rental prices and API prices.

The data lives in CSV files under ``costlib/data/`` whose names carry their as-of month
(``accelerators_2026-11.csv``); every row has an ``as_of`` date and a ``source``. This
module is the one loader. By default each kind loads its newest packaged file; a user's
own file with the same columns can take its place::

    with costlib.catalogue.use("accelerators", "my_gpus.csv"):
        costlib.train_cost(70e9, 15e12, 2.0, gpu="MyGPU")

Specs are dense (not the "with sparsity" figures) peak TFLOP/s per precision,
HBM capacity [GB], HBM bandwidth [TB/s] and board power [W].
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from . import _args
from .errors import CatalogueError, InputTypeError, UnknownNameError

__all__ = ["Catalogue", "load", "use", "gpu_spec", "peak_flops", "gpu_price", "api_price",
           "KINDS", "PRECISIONS", "PRICE_TIERS"]

# kind -> (column holding the name, columns that must be numeric where filled)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accelerators": ("name", ("peak_tflops_bf16", "peak_tflops_fp16", "peak_tflops_fp8",
                              "peak_tflops_tf32", "hbm_gb", "bandwidth_tb_per_s", "board_power_w")),
    "gpu_prices": ("gpu", ("price_per_gpu_hour",)),
    "api_prices": ("model", ("input_per_m_tokens", "cached_input_per_m_tokens", "output_per_m_tokens")),
}
PRECISIONS = ("bf16", "fp16", "fp8", "tf32")
PRICE_TIERS = ("reserved", "on_demand", "spot")

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

    @property
    def names(self) -> list[str]:
        key = KINDS[self.kind][0]
        return sorted({row[key] for row in self.rows})

    def find(self, name: Any, argument: str = "name") -> list[dict[str, Any]]:
        """All rows for ``name`` (case, spaces and hyphens ignored; aliases accepted)."""
        if not isinstance(name, str) or not name.strip():
            raise InputTypeError(f"{argument} must be a name from the {self.kind} catalogue, got {name!r}",
                                 argument=argument)
        rows = self._by_name.get(_normal(name))
        if rows:
            return rows
        close = difflib.get_close_matches(name, self.names, n=3, cutoff=0.4)
        close += [n for n in self.names if _normal(name) in _normal(n) and n not in close]
        hint = f"; closest: {', '.join(close[:3])}" if close else f"; known: {', '.join(self.names)}"
        raise UnknownNameError(f"{argument} must be a name in the {self.kind} catalogue ({self.as_of}), "
                               f"got {name!r}{hint}", argument=argument)


def _read(path: Path, kind: str, as_of: str) -> Catalogue:
    key, numeric = KINDS[kind]
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in (key, "source", *numeric) if c not in header]
            if missing:
                raise CatalogueError(f"{path} must have the columns {', '.join(missing)} "
                                     f"for a {kind} catalogue; it has {', '.join(header)}")
            rows = []
            for line, row in enumerate(reader, start=2):
                for column in numeric:
                    text = (row.get(column) or "").strip()
                    try:
                        row[column] = float(text) if text else None
                    except ValueError:
                        raise CatalogueError(f"{path} line {line}: {column} must be a number, "
                                             f"got {text!r}") from None
                rows.append(row)
    except OSError as exc:
        raise CatalogueError(f"cannot read the {kind} catalogue {path}: {exc.strerror}") from None
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        names = [row[key]] + [a for a in (row.get("aliases") or "").split(";") if a.strip()]
        for n in names:
            bucket = by_name.setdefault(_normal(n), [])
            if row not in bucket:
                bucket.append(row)
    return Catalogue(kind, str(path), as_of, tuple(rows), by_name)


@lru_cache(maxsize=32)
def _load_cached(kind: str, path: str) -> Catalogue:
    p = Path(path)
    m = _FILE_NAME.match(p.name)
    return _read(p, kind, m["as_of"] if m else "unknown")


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
    if kind not in KINDS:
        raise UnknownNameError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}", argument="kind")
    chosen = str(path) if path is not None else _active.get(kind) or _packaged(kind)
    return _load_cached(kind, chosen)


@contextlib.contextmanager
def use(kind: str, path: str | Path) -> Iterator[Catalogue]:
    """Use the catalogue file ``path`` for ``kind`` inside a ``with`` block."""
    catalogue = load(kind, path)
    before = _active.get(kind)
    _active[kind] = str(path)
    try:
        yield catalogue
    finally:
        if before is None:
            _active.pop(kind, None)
        else:
            _active[kind] = before


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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def gpu_spec(gpu: str, field: str):
    """One field of an accelerator's catalogue row [TFLOP/s, TB/s, GB or W by field], or its text.

    Parameters
    ----------
    gpu : str
        Accelerator name or alias, e.g. ``"H100"``.
    field : str
        A column of the accelerators catalogue: ``peak_tflops_bf16`` [TFLOP/s], ``hbm_gb``
        [GB], ``bandwidth_tb_per_s`` [TB/s], ``board_power_w`` [W], ``as_of``, ``source``...
        Short forms ``bandwidth``, ``memory``, ``power`` and ``tflops`` (BF16) are accepted.

    Examples
    --------
    The H100 SXM's dense BF16 peak, the figure reference 000's training example starts from:

    >>> gpu_spec("H100", "tflops")
    989.4

    An array or Series of names gives one field per name:

    >>> gpu_spec(["H100", "A100 80GB"], "bandwidth")
    array([3.35 , 2.039])
    """
    if not isinstance(gpu, str) and np.ndim(gpu) > 0:
        out = _per_name(gpu, "gpu", lambda g: gpu_spec(g, field), dtype=None)
        if _args.is_series(gpu):
            import pandas as pd
            return pd.Series(out, index=gpu.index, name=field)
        return out
    catalogue = load("accelerators")
    row = catalogue.find(gpu, "gpu")[0]
    short = {"bandwidth": "bandwidth_tb_per_s", "memory": "hbm_gb", "power": "board_power_w",
             "tflops": "peak_tflops_bf16"}
    column = short.get(str(field).strip().lower(), str(field).strip().lower())
    if column not in row:
        choices = sorted(set(row) | set(short))
        raise UnknownNameError(f"field must be one of {', '.join(choices)}, got {field!r}", argument="field")
    value = row[column]
    if value is None or value == "":
        raise UnknownNameError(f"field {column} is not given for {row['name']} in the accelerators "
                               f"catalogue ({catalogue.as_of})", argument="field")
    return value


def _precision_column(precision: str) -> str:
    p = str(precision).strip().lower()
    if p not in PRECISIONS:
        raise UnknownNameError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}",
                               argument="precision")
    return f"peak_tflops_{p}"


def _spec_array(gpu: Any, column: str, scale: float, argument: str, what: str) -> np.ndarray:
    """``column`` of each accelerator in ``gpu`` times ``scale``; a number is taken as the figure itself."""

    def resolve(value):
        if _is_number(value):
            return float(_args.check(argument, np.asarray(float(value)), "positive")) * scale
        if isinstance(value, str) and _looks_numeric(value):
            raise InputTypeError(f"{argument} must be a catalogue name or a number, got text {value!r}",
                                 argument=argument)
        catalogue = load("accelerators")
        row = catalogue.find(value, argument)[0]
        if row[column] is None:
            raise UnknownNameError(f"{argument} {row['name']} has no {what} in the accelerators "
                                   f"catalogue ({catalogue.as_of})", argument=argument)
        return row[column] * scale

    return _per_name(gpu, argument, resolve)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def peak_flops(gpu: Any, precision: str = "bf16", argument: str = "gpu") -> np.ndarray:
    """Dense peak [FLOP/s] of ``gpu``: catalogue name(s), or peak TFLOP/s as number(s)."""
    column = _precision_column(precision)
    return _spec_array(gpu, column, 1e12, argument, f"{precision} peak")


def bandwidth_bytes_per_s(gpu: Any, argument: str = "gpu") -> np.ndarray:
    """HBM bandwidth [B/s] of ``gpu``: catalogue name(s), or TB/s as number(s)."""
    return _spec_array(gpu, "bandwidth_tb_per_s", 1e12, argument, "bandwidth")


def board_power_w(gpu: Any, argument: str = "gpu") -> np.ndarray:
    """Board power [W] of ``gpu``: catalogue name(s), or watts as number(s)."""
    return _spec_array(gpu, "board_power_w", 1.0, argument, "board power")


def gpu_price(gpu: str, tier: str = "on_demand") -> float:
    """Catalogue rental price [USD/GPU-h] of ``gpu`` at ``tier`` (reserved, on_demand, spot).

    Where the catalogue holds several quotes for one GPU and tier, the median is returned.
    Prices change: the catalogue's ``as_of`` says when these were quoted.

    Examples
    --------
    Reserved capacity is the cheapest committed tier (DOMAIN.md, price tiers):

    >>> gpu_price("H100", "reserved") <= gpu_price("H100", "on_demand")
    True
    >>> gpu_price("H100", "weekly")
    Traceback (most recent call last):
    costlib.errors.UnknownNameError: tier must be one of reserved, on_demand, spot, got 'weekly'
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


def api_price(model: str, kind: str = "output") -> float:
    """Catalogue API list price [USD per 1 M tokens] of ``model``: input, cached_input or output.

    Examples
    --------
    Output is priced at a premium and cached input below input (DOMAIN.md, API cost per query):

    >>> api_price("gpt-4o", "output") > api_price("gpt-4o", "input") > api_price("gpt-4o", "cached_input")
    True
    """
    k = str(kind).strip().lower().replace("-", "_").replace(" ", "_")
    kinds = ("input", "cached_input", "output")
    if k not in kinds:
        raise UnknownNameError(f"kind must be one of {', '.join(kinds)}, got {kind!r}", argument="kind")
    catalogue = load("api_prices")
    row = catalogue.find(model, "model")[0]
    value = row[f"{k}_per_m_tokens"]
    if value is None:
        raise UnknownNameError(f"model {row['model']} has no {k} price in the api_prices catalogue "
                               f"({catalogue.as_of})", argument="kind")
    return value
