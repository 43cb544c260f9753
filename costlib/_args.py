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

from .errors import InputTypeError, OutOfRangeError, ShapeError, at_position, shapes_listing
import warnings

# A floating-point warning raised by costlib's own arithmetic never reaches the user: an overflow is an
# OutOfRangeError naming the arguments (Parsed.wrap), a ratio without a denominator a decision each
# function writes down. The filter holds for warnings from costlib's modules only, and leaves numpy's
# error state as the user set it (np.errstate on every call would cost 40 % of a scalar call).
# Installed at import, and again by every call that takes the array path: a catch_warnings block (pytest
# runs each test in one) drops filters added inside it.
_QUIET = r"costlib(\.|$)"


def quiet() -> None:
    """Ignore RuntimeWarning raised in costlib's modules (idempotent: one filter, kept first)."""
    top = warnings.filters[0] if warnings.filters else None
    if not (top and top[0] == "ignore" and top[2] is RuntimeWarning and getattr(top[3], "pattern", None) == _QUIET):
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=_QUIET)


quiet()

from .rules import RULES  # noqa: E402  (re-exported: one table of rules)
from .arguments import ARGUMENTS  # the registry: the rule of an argument given without one


def is_series(value: Any) -> bool:
    return type(value).__module__.startswith("pandas") and hasattr(value, "index") and getattr(value, "ndim", 0) == 1


def _format_value(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "NaN"
        return f"{v:.6g}"
    return repr(value)


def _index(arr: np.ndarray, flat_index: int) -> tuple[int, ...] | None:
    """Where ``flat_index`` lies in ``arr``: its index, None for a single value."""
    if arr.ndim == 0:
        return None
    return tuple(int(i) for i in np.unravel_index(flat_index, arr.shape))


def to_float_array(name: str, value: Any) -> np.ndarray:
    """``value`` as a float64 array, or an :class:`InputTypeError` naming ``name``."""
    if value is None:
        raise InputTypeError(f"{name} is required, got nothing", argument=name)
    if isinstance(value, (str, bytes)):
        raise InputTypeError(f"{name} must be a number, got text {value!r}", argument=name)
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be a number, got {value!r}", argument=name)
    if isinstance(value, (np.timedelta64, np.datetime64)):
        raise InputTypeError(f"{name} must be a number, got a {type(value).__name__} ({value!r:.60})", argument=name)
    if isinstance(value, numbers.Real):
        return np.asarray(_real(name, value))
    if is_series(value):
        value = value.to_numpy()
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists and the like
        raise InputTypeError(f"{name} must be a number or an array of numbers of one shape, got "
                             f"{type(value).__name__} ({exc})", argument=name) from None
    if arr.size == 0:
        raise InputTypeError(f"{name} must hold at least one number, got an empty {type(value).__name__}",
                             argument=name)
    kind = arr.dtype.kind
    if kind in "iuf":
        if arr.dtype.itemsize > 8 and kind == "f":  # long double: values above 1.8e308 would become inf
            big = ~np.isfinite(arr.astype(np.float64)) & np.isfinite(arr)
            if big.any():
                i = int(np.argmax(big.reshape(-1)))
                raise OutOfRangeError(f"{name} must be a finite number (at most 1.8e308), got one too large"
                                      f"{at_position(_index(arr, i))}", argument=name, position=_index(arr, i))
        return arr.astype(np.float64, copy=False)
    if kind in "mM":
        raise InputTypeError(f"{name} must hold numbers, got a {arr.dtype} array (durations or dates); convert "
                             f"them to a number of a unit first, e.g. days / np.timedelta64(1, 'D')", argument=name)
    if kind == "c":
        raise InputTypeError(f"{name} must hold real numbers, got a complex array", argument=name)
    if kind == "b":
        raise InputTypeError(f"{name} must be a number, got a true/false value", argument=name)
    if isinstance(value, (list, tuple)):
        arr = np.array(value, dtype=object)  # keep each element as given: numpy would turn 7e9 into '7e9' 
    # object or string arrays: find the first element that is not a number
    out = np.empty(arr.shape, dtype=np.float64)
    flat = arr.reshape(-1)
    out_flat = out.reshape(-1)
    for i, item in enumerate(flat):
        if (isinstance(item, (bool, np.bool_, np.timedelta64, np.datetime64))
                or not isinstance(item, numbers.Real)):
            what = "nothing" if item is None or (isinstance(item, str) and item == "") else (
                f"text {item!r}" if isinstance(item, str) else f"{item!r:.60}")
            raise InputTypeError(f"{name} must be a number, got {what}{at_position(_index(arr, i))}", argument=name,
                                 position=_index(arr, i))
        out_flat[i] = _real(name, item, _index(arr, i))
    return out


def _real(name: str, value: Any, position: tuple[int, ...] | None = None) -> float:
    """``value`` as a float; an integer beyond 1.8e308 (``10**400``) is an OutOfRangeError, not OverflowError."""
    try:
        return float(value)
    except OverflowError:
        digits = len(str(abs(int(value)))) if isinstance(value, numbers.Integral) else None
        what = f"one of {digits} digits" if digits else "one too large"
        raise OutOfRangeError(f"{name} must be a finite number (at most 1.8e308), got {what}{at_position(position)}",
                              argument=name, position=position) from None


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
        raise InputTypeError(f"{name} must be a number, got NaN{at_position(_index(arr, i))}",
                             argument=name, position=_index(arr, i))
    bad_lo = flat < lo if lo_incl else flat <= lo
    bad_hi = flat > hi if hi_incl else flat >= hi
    bad = bad_lo | bad_hi | ~np.isfinite(flat)
    i = int(np.argmax(bad))
    where = at_position(_index(arr, i))
    if not math.isfinite(flat[i]) and rule != "finite":
        text = f"must be finite ({text.removeprefix('must be ')})"
    raise OutOfRangeError(f"{name} {text}, got {_format_value(flat[i])}{where}", argument=name,
                          position=_index(arr, i))


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
        """A float for scalar input, a Series for Series input, else a numpy array.

        A result beyond 1.8e308 (inf from finite arguments) raises OutOfRangeError naming
        the arguments, unless the function's inf means "never" (:data:`NEVER`).
        """
        result = np.asarray(result)
        if result.dtype.kind == "f" and not np.isfinite(result).all():
            _overflowed(self.values, result)
        if self.index is not None:
            import pandas as pd  # pandas loads where a DataFrame is made, not with costlib

            return pd.Series(result, index=self.index, name=name)
        if self.all_scalar and result.ndim == 0:
            return result.item()
        return result


#: Public functions whose inf is an answer, "never" (no break-even, no payback, no tokens served, no
#: period found), not an overflow: their own code tells the two apart (economics._divide_or_inf)
NEVER = frozenset({"breakeven", "utilization_breakeven", "utilization_breakeven_with_fixed_cost", "months_to_breakeven",
                   "breakeven_after_decline", "discounted_months_to_breakeven", "cost_per_m_tokens", "first_where",
                   "unless_chosen"})


def _overflowed(values: dict[str, Any], result: Any) -> None:
    """Raise OutOfRangeError where ``result`` holds inf (or NaN from inf) though every argument was finite.

    Called only once a result is known not to be finite: the name of the public function
    (the caller of ``wrap``) decides whether its inf means "never".
    """
    import sys

    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:  # past wrap: the public function
        frame = frame.f_back
    caller = frame.f_code.co_name if frame is not None else "costlib"
    if caller in NEVER:
        return
    arrays = {k: np.asarray(v) for k, v in values.items() if k not in _RESERVED}
    if not all(np.isfinite(a).all() for a in arrays.values() if a.dtype.kind == "f"):
        return  # a non-finite argument (taken by a function that allows one) gives a non-finite result
    bad = np.asarray(result)
    if not np.isinf(bad).any():
        return  # NaN alone: an undefined ratio, a decision of the function, not an overflow
    shown = ", ".join(f"{k} = {_format_value(float(a.reshape(-1)[np.argmax(np.abs(a).reshape(-1))]))}"
                      for k, a in arrays.items() if a.size)
    position = _index(bad, int(np.argmax(np.isinf(bad).reshape(-1))))
    where = at_position(position)
    raise OutOfRangeError(f"{caller}: the arguments make the result overflow (beyond 1.8e308, the "
                          f"largest number Python and Excel hold){where}: {shown}; use smaller values",
                          argument=next(iter(arrays), None), position=position)


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
        shaped = tuple((n, a.shape) for n, a in values.items() if a.ndim)
        raise ShapeError(f"arguments do not broadcast to one shape: {shapes_listing(shaped)}", shapes=shaped,
                         argument=shaped[0][0]) from None


def with_rule(name: str, spec: Any) -> tuple[Any, str]:
    """``spec`` as ``(value, rule)``: a bare value takes the rule of ``name`` in the registry.

    ``(value, rule)`` with ``rule`` a key of :data:`RULES` is kept as it is; anything else is
    a value, held to :data:`costlib.arguments.ARGUMENTS`'s rule for ``name``.
    """
    if type(spec) is tuple and len(spec) == 2 and type(spec[1]) is str and spec[1] in RULES:
        return spec
    registered = ARGUMENTS.get(name)
    if registered is None or registered.rule is None:
        raise TypeError(f"{name} has no rule in costlib.arguments.ARGUMENTS: pass {name}=(value, rule)")
    return spec, registered.rule


def parse(_like: tuple = (), **named: Any) -> Parsed:
    """Convert, check and broadcast keyword arguments given as ``name=(value, rule)``.

    A bare value, ``parse(params=params)``, is held to the rule the registry
    (:mod:`costlib.arguments`) gives its name.

    >>> p = parse(mfu=(0.4, "fraction"), params=([7e9, 70e9], "positive"))
    >>> p.mfu * p.params
    array([2.8e+09, 2.8e+10])
    >>> parse(mfu=(1.4, "fraction"))
    Traceback (most recent call last):
    costlib.errors.OutOfRangeError: mfu must be in (0, 1], got 1.4
    >>> parse(mfu=1.4)
    Traceback (most recent call last):
    costlib.errors.OutOfRangeError: mfu must be in (0, 1], got 1.4

    ``_like`` holds arguments converted elsewhere (a ``gpu`` name, say) that still decide
    whether the result is a float, an array or a Series.
    """
    fast = _plain_scalars(_like, named)  # every argument one plain, valid number: Python floats
    if fast is not None:
        return fast
    quiet()
    named = {name: with_rule(name, spec) for name, spec in named.items()}
    raw = {name: value for name, (value, _) in named.items()}
    raw.update({f"argument {i}": v for i, v in enumerate(_like)})
    index = series_index(raw)
    values = {}
    for name, (value, rule) in named.items():
        values[name] = check(name, to_float_array(name, value), rule)
    all_scalar = all(v.ndim == 0 for v in values.values()) and all(
        isinstance(v, str) or np.ndim(v) == 0 for v in _like)
    return Parsed(broadcast(values), all_scalar, index)


# --------------------------------------------------------------------------- single values
#
# A call whose arguments are all plain Python numbers (int or float, not bool; names as str)
# skips the array machinery: each number is checked against its rule with plain
# comparisons and the function body computes on Python floats. The IEEE operations are
# the same as on float64 arrays, so the result is the same float, bit for bit, but for a
# power, exponential or logarithm, where numpy's vectorised kernels on arrays (AVX-512)
# may round the last two ulps differently from libm. Anything
# else (an array, a Series, a numpy scalar, a bool, a value that breaks its rule, NaN,
# inf) takes the array path above, which raises its own messages: an error is never
# worded twice. tests/test_fast_path.py holds the two paths to the same results.
#
# Python floats differ from numpy in three places, and the helpers below give numpy's
# answer there: ``x / 0.0`` raises ZeroDivisionError (numpy: inf or NaN), ``x ** y``
# raises OverflowError (numpy: inf), ``max`` ignores NaN (numpy: NaN wins).

_RESERVED = frozenset(("values", "all_scalar", "index", "wrap"))


class Scalars(Parsed):
    """What :func:`parse` gives for plain numbers: the checked values as Python floats.

    The values are the instance's attributes (``a.params`` is an attribute read, not a
    ``__getattr__`` call).
    """

    all_scalar = True
    index = None

    @property
    def values(self) -> dict[str, float]:
        return self.__dict__

    def wrap(self, result: Any, name: str | None = None):
        if type(result) is float:
            if result - result == 0.0:  # finite: the common case, one subtraction
                return result
            _overflowed(self.__dict__, result)
            return result
        return Parsed.wrap(self, result, name)


_new_scalars = object.__new__

#: rule -> (lo, hi) with lo < value < hi exactly when the value obeys the rule and is
#: finite: an inclusive bound moved one float outwards (v >= 0 is v > -5e-324).
_OPEN_BOUNDS: dict[str, tuple[float, float]] = {}


def _open_bounds(rule: Any) -> tuple[float, float] | None:
    if type(rule) is not str or rule not in RULES:
        return None
    lo, lo_incl, hi, hi_incl, _ = RULES[rule]
    bounds = (math.nextafter(lo, -math.inf) if lo_incl else lo, math.nextafter(hi, math.inf) if hi_incl else hi)
    _OPEN_BOUNDS[rule] = bounds
    return bounds


_NAME_BOUNDS: dict[str, tuple[float, float]] = {}


def _registered_bounds(name: str) -> tuple[float, float] | None:
    """The open bounds of the rule the registry gives ``name`` (None: the array path decides)."""
    try:
        _, rule = with_rule(name, 0.0)
    except Exception:  # not registered: the array path raises the registry's own error
        return None
    bounds = _open_bounds(rule)
    if bounds is not None:
        _NAME_BOUNDS[name] = bounds
    return bounds


def _plain_scalars(like: tuple, named: dict[str, Any]) -> Scalars | None:
    """The checked arguments as Python floats, or None where the array path must decide."""
    for value in like:
        kind = type(value)
        if kind is not str and kind is not float and kind is not int:
            return None
    values = {}
    try:  # the common case, in as few steps as Python allows; anything unusual goes below
        for name, spec in named.items():
            if type(spec) is tuple:
                value, rule = spec
                lo, hi = _OPEN_BOUNDS[rule]
            else:
                value = spec
                lo, hi = _NAME_BOUNDS[name]
            if type(value) is not float:
                if type(value) is not int:
                    return None
                value = float(value)
            if not lo < value < hi:  # out of range, NaN (fails every comparison) or +-inf
                return None
            values[name] = value
    except (KeyError, TypeError, ValueError, OverflowError):
        return _plain_scalars_first_time(named)
    if not _RESERVED.isdisjoint(values):
        return None
    parsed = _new_scalars(Scalars)
    parsed.__dict__ = values
    return parsed


def _plain_scalars_first_time(named: dict[str, Any]) -> Scalars | None:
    """:func:`_plain_scalars` for a rule or name not seen before (it fills the caches), or odd input."""
    values = {}
    for name, spec in named.items():
        if type(spec) is tuple:
            if len(spec) != 2:
                return None
            value, rule = spec
            bounds = _OPEN_BOUNDS.get(rule) if type(rule) is str else None
            if bounds is None:
                bounds = _open_bounds(rule)
        else:  # a bare value: the registry's rule for its name
            value = spec
            bounds = _NAME_BOUNDS.get(name) or _registered_bounds(name)
        if bounds is None:
            return None
        kind = type(value)
        if kind is float:
            v = value
        elif kind is int:
            try:
                v = float(value)
            except OverflowError:
                return None
        else:
            return None
        lo, hi = bounds
        if not lo < v < hi:  # out of range, NaN (fails every comparison) or +-inf
            return None
        values[name] = v
    if not _RESERVED.isdisjoint(values):
        return None
    parsed = _new_scalars(Scalars)
    parsed.__dict__ = values
    return parsed


def divide(numerator: Any, denominator: Any):
    """``numerator / denominator``; a zero Python-float denominator gives numpy's inf or NaN."""
    try:
        return numerator / denominator
    except ZeroDivisionError:
        with np.errstate(all="ignore"):  # the caller turns inf/NaN into its error: no numpy warning escapes
            return float(np.divide(numerator, denominator))


def power(base: Any, exponent: Any):
    """``base ** exponent``; where Python floats raise (overflow, 0 ** -y), numpy's inf."""
    try:
        result = base ** exponent
    except (OverflowError, ZeroDivisionError):
        with np.errstate(all="ignore"):  # the caller turns inf/NaN into its error: no numpy warning escapes
            return float(np.power(base, exponent))
    if type(result) is complex:  # a negative base to a fractional power: numpy's NaN
        with np.errstate(all="ignore"):
            return float(np.power(base, exponent))
    return result


def maximum(a: Any, b: Any):
    """``np.maximum(a, b)``; for two Python floats a Python float (NaN wins, as in numpy)."""
    if type(a) is float and type(b) is float:
        return a if a >= b or a != a else b
    return np.maximum(a, b)


def sqrt(x: Any):
    """``np.sqrt(x)``; for a Python float a Python float."""
    if type(x) is float and x >= 0.0:
        return math.sqrt(x)
    return np.sqrt(x)


def shown(value):
    """One element of ``value`` as a message shows it: the same text for a scalar and an array of it."""
    if isinstance(value, str) or np.ndim(value) == 0:
        return value.item() if hasattr(value, "item") else value
    flat = np.asarray(value, dtype=object).reshape(-1)
    first = flat[0] if flat.size else value
    return first.item() if hasattr(first, "item") else first
