"""Arguments in, results out: the one place that converts, checks and broadcasts.

Every public function of costlib calls :func:`parse` with each argument and its rule,
does its arithmetic on the float arrays it gets back, and hands the result to
:meth:`Parsed.wrap`: a scalar in gives a Python float out, a pandas Series in gives a
Series out with the same index, anything else gives a numpy array.

pandas is never imported here: a Series is recognised by its type's module, so that
``import costlib`` and the CLI start fast.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InputTypeError, OutOfRangeError, ShapeError

from .rules import RULES  # noqa: E402  (re-exported: one table of rules)


def is_series(value: Any) -> bool:
    return type(value).__module__.startswith("pandas") and hasattr(value, "index") and getattr(value, "ndim", 0) == 1


def _format_value(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "NaN"
        return f"{v:.6g}"
    return repr(value)


def _position(arr: np.ndarray, flat_index: int) -> str:
    if arr.ndim <= 1:
        return f" at position {flat_index}"
    return f" at position {tuple(int(i) for i in np.unravel_index(flat_index, arr.shape))}"


def to_float_array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float64 array, or an :class:`InputTypeError` naming ``name``."""
    if value is None:
        raise InputTypeError(f"{name} is required, got nothing", argument=name)
    if isinstance(value, (str, bytes)):
        raise InputTypeError(f"{name} must be a number, got text {value!r}", argument=name)
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be a number, got {value!r}", argument=name)
    if isinstance(value, numbers.Real):
        return np.asarray(float(value))
    if is_series(value):
        value = value.to_numpy()
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind in "iuf":
        return arr.astype(np.float64, copy=False)
    if kind == "b":
        raise InputTypeError(f"{name} must be a number, got a true/false value", argument=name)
    if isinstance(value, (list, tuple)):
        arr = np.array(value, dtype=object)  # keep each element as given: numpy would turn 7e9 into '7e9' 
    # object or string arrays: find the first element that is not a number
    out = np.empty(arr.shape, dtype=np.float64)
    flat = arr.reshape(-1)
    out_flat = out.reshape(-1)
    for i, item in enumerate(flat):
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real):
            what = "nothing" if item is None or item == "" else (
                f"text {item!r}" if isinstance(item, str) else repr(item))
            raise InputTypeError(f"{name} must be a number, got {what}{_position(arr, i)}", argument=name)
        out_flat[i] = float(item)
    return out


def check(name: str, arr: np.ndarray, rule: str) -> np.ndarray:
    """Raise unless every element of ``arr`` obeys ``rule`` (a key of :data:`RULES`)."""
    lo, lo_incl, hi, hi_incl, text = RULES[rule]
    if arr.size == 0:
        return arr
    # Two reductions and no temporaries on the happy path; NaN fails both comparisons.
    amin, amax = arr.min(), arr.max()
    ok_lo = amin >= lo if lo_incl else amin > lo
    ok_hi = amax <= hi if hi_incl else amax < hi
    if ok_lo and ok_hi and math.isfinite(amin) and math.isfinite(amax):
        return arr
    flat = arr.reshape(-1)
    nan = np.isnan(flat)
    if nan.any():
        i = int(np.argmax(nan))
        raise InputTypeError(f"{name} must be a number, got NaN{_position(arr, i) if arr.ndim else ''}",
                             argument=name)
    bad_lo = flat < lo if lo_incl else flat <= lo
    bad_hi = flat > hi if hi_incl else flat >= hi
    bad = bad_lo | bad_hi | ~np.isfinite(flat)
    i = int(np.argmax(bad))
    where = _position(arr, i) if arr.ndim else ""
    if not math.isfinite(flat[i]) and rule != "finite":
        text = f"must be finite ({text.removeprefix('must be ')})"
    raise OutOfRangeError(f"{name} {text}, got {_format_value(flat[i])}{where}", argument=name)


@dataclass
class Parsed:
    """The checked, broadcast float arrays of one call, and how to shape its result."""

    values: dict[str, np.ndarray]
    all_scalar: bool
    index: Any = None

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def wrap(self, result: Any, name: str | None = None):
        """A float for scalar input, a Series for Series input, else a numpy array."""
        result = np.asarray(result)
        if self.index is not None:
            import pandas as pd

            return pd.Series(result, index=self.index, name=name)
        if self.all_scalar and result.ndim == 0:
            return result.item()
        return result


def series_index(named: dict[str, Any]):
    """The index shared by the Series among ``named``; ShapeError if two differ."""
    index = None
    first = None
    for name, value in named.items():
        if is_series(value):
            if index is None:
                index, first = value.index, name
            elif not value.index.equals(index):
                raise ShapeError(
                    f"{name} and {first} must share one index: pandas Series arguments are "
                    "not aligned, they must match", argument=name)
    return index


def broadcast(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Broadcast the arrays against each other; ShapeError names the ones that clash."""
    arrays = list(values.values())
    if all(a.ndim == 0 for a in arrays):
        return values
    try:
        return dict(zip(values, np.broadcast_arrays(*arrays)))
    except ValueError:
        shaped = [(n, a.shape) for n, a in values.items() if a.ndim]
        listing = ", ".join(f"{n} {s}" for n, s in shaped)
        raise ShapeError(f"arguments do not broadcast to one shape: {listing}",
                         argument=shaped[0][0]) from None


def parse(_like: tuple = (), **named: tuple[Any, str]) -> Parsed:
    """Convert, check and broadcast keyword arguments given as ``name=(value, rule)``.

    >>> p = parse(mfu=(0.4, "fraction"), params=([7e9, 70e9], "positive"))
    >>> p.mfu * p.params
    array([2.8e+09, 2.8e+10])
    >>> parse(mfu=(1.4, "fraction"))
    Traceback (most recent call last):
    costlib.errors.OutOfRangeError: mfu must be in (0, 1], got 1.4

    ``_like`` holds arguments converted elsewhere (a ``gpu`` name, say) that still decide
    whether the result is a float, an array or a Series.
    """
    raw = {name: value for name, (value, _) in named.items()}
    raw.update({f"argument {i}": v for i, v in enumerate(_like)})
    index = series_index(raw)
    values = {}
    for name, (value, rule) in named.items():
        values[name] = check(name, to_float_array(name, value), rule)
    all_scalar = all(v.ndim == 0 for v in values.values()) and all(
        isinstance(v, str) or np.ndim(v) == 0 for v in _like)
    return Parsed(broadcast(values), all_scalar, index)
