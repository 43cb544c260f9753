"""Single values take a pure-Python path (``costlib._args``): it must not change one answer.

For every public engine function that takes numbers, thousands of generated calls with
scalar arguments are made three ways:

- the fast path (what a user gets): plain Python numbers in, Python floats computed;
- the same scalars with the fast path switched off: the 0-d array path costlib had before;
- one-element arrays: the array path.

The three must agree: the same float (``==``, the sign of a zero included, or NaN on both
sides), except that a power, exponential or logarithm may differ in its last two units
(ulps): numpy evaluates those on arrays with vectorised kernels (AVX-512 on this machine)
whose rounding is not libm's, which the scalar path and 0-d arrays use; the same type of result (a Python float for scalar
input), and for a bad argument the same exception class and message (the array path's
message adds " at position 0"). The generated values lean on the edges: zeros, the
smallest subnormal, 1e-300, 1e300 and the largest float, each rule's boundary and one float
either side of it, NaN, infinities, huge integers and number-like text.

Timings of the fast path are measured in bench/run.py, not here.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import random
import re
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import costlib
from costlib import _args
from costlib.arguments import ARGUMENTS
from costlib.rules import RULES

TINY = 5e-324  # the smallest subnormal
BIGGEST = sys.float_info.max
EDGES = [0.0, -0.0, TINY, 2.2250738585072014e-308, 1e-300, 1e-12, 1e-3, 0.05, 0.4, 0.5, 0.9999999999999999,
         1.0, 1.0000000000000002, 1.5, 2.0, 20.0, 989.4, 3600.0, 1e6, 7e10, 1.5e13, 6.3e24, 1e100, 1e300,
         BIGGEST, -TINY, -1.0, -1e300, math.nan, math.inf, -math.inf]
INTS = [0, 1, 2, 7, 64, 10**6, 2**53 + 1, 10**20, -1, 10**400]  # 10**400 does not fit a float
# number-like text and a name where a number belongs ("" is left out: one-cell arrays and
# scalars word it differently, "got nothing" and "got text ''", on either path)
TEXT = ["7", "H100"]

#: Functions of costlib.__all__ left out, and why.
NOT_NUMERIC = {
    "api_price": "names only", "gpu_price": "names only", "gpu_spec": "names only",
    "scenarios": "takes a DataFrame of scenarios", "scale_plan": "returns a DataFrame; its parts are covered",
    "simulate": "draws ranges through a function or a template; tests/test_simulate.py",
}
#: The engine functions the scalar fast path must cover: every one must be among those tested.
REQUIRED = {
    "train_flops", "compute_gpu_hours", "train_gpu_hours", "train_cost", "energy_cost", "programme_capex",
    "programme_capex_breakdown", "moe_active_params", "chinchilla_tokens", "chinchilla_optimal_params",
    "chinchilla_loss", "loss_optimal_params", "inference_optimal", "token_cost", "serving_gpu_hours",
    "api_cost_per_query", "blended_cost_per_query", "weight_bytes", "kv_cache_bytes",
    "decode_tokens_per_second", "prefill_seconds", "breakeven", "utilization_breakeven", "months_to_breakeven",
    "price_after_decline", "breakeven_after_decline", "amortized_cost_per_m_tokens", "monthly_cogs",
    "cogs_share", "gross_margin", "needs_redesign",
}
GPUS = ["H100", "h100", " H-100 ", "A100 80GB", "A100", "H800", "MI300X", "B200", "no such gpu", "989.4", ""]
PRECISIONS = ["bf16", "fp16", "fp8", "tf32", "fp32", "int8", "int4", "BF16", "fp64"]
#: Generated cases per function: hypothesis explores (and shrinks a failure to its simplest
#: case); the seeded bulk run checks many more, its array side in one call per group.
#: COSTLIB_FAST_PATH_CASES=20000 (say) for a longer run.
BULK_CASES = int(os.environ.get("COSTLIB_FAST_PATH_CASES", "2000"))
HYPOTHESIS_CASES = max(20, BULK_CASES // 50)


def _functions() -> dict:
    out = {}
    for name in costlib.__all__:
        f = getattr(costlib, name)
        if not inspect.isfunction(f) or name in NOT_NUMERIC:
            continue
        out[name] = f
    return out


FUNCTIONS = _functions()


def _rule_of(parameter: str) -> str | None:
    registered = ARGUMENTS.get(parameter)
    return registered.rule if registered is not None else None


@functools.lru_cache(maxsize=None)
def _valid(rule: str):
    """Numbers that obey ``rule``: its edges, floats across its whole range, integers."""
    lo, lo_incl, hi, hi_incl, _ = RULES[rule]

    def obeys(v):
        return (v >= lo if lo_incl else v > lo) and (v <= hi if hi_incl else v < hi) and math.isfinite(v)

    edges = [v for v in EDGES if obeys(v)] + [v for v in INTS[:-1] if obeys(float(v))]
    edges += [math.nextafter(lo, math.inf), math.nextafter(hi, -math.inf)] if math.isfinite(lo) else []
    edges = [v for v in edges if obeys(float(v))]
    floats = st.floats(min_value=max(lo, -BIGGEST), max_value=min(hi, BIGGEST), exclude_min=not lo_incl,
                       exclude_max=not hi_incl, allow_nan=False, allow_infinity=False)
    log_uniform = st.floats(-300, 300).map(lambda e: 10.0 ** e).filter(obeys)
    return st.one_of(st.sampled_from(edges), floats, log_uniform)


ANYTHING = st.one_of(st.sampled_from(EDGES), st.sampled_from(INTS), st.sampled_from(TEXT), st.floats())


@functools.lru_cache(maxsize=None)
def _value(parameter: str):
    if parameter == "gpu":
        return st.one_of(st.sampled_from(GPUS), st.sampled_from(GPUS[:3]), _valid("positive"), ANYTHING)
    if parameter == "precision":
        return st.sampled_from(PRECISIONS)
    rule = _rule_of(parameter)
    if rule is None or rule not in RULES:
        return ANYTHING
    # nine in ten valid for the rule, one in ten anything at all (NaN, inf, text, out of range)
    valid = _valid(rule)
    return st.integers(0, 9).flatmap(lambda k: ANYTHING if k == 0 else valid)


def calls(name):
    """Keyword arguments for one call of ``name``; an optional argument is sometimes left out."""
    required, optional = {}, {}
    for p in inspect.signature(FUNCTIONS[name]).parameters.values():
        if isinstance(p.default, (tuple, list)):
            continue  # a list of quantiles or multiples: not a single value
        (required if p.default is inspect.Parameter.empty else optional)[p.name] = _value(p.name)
    return st.fixed_dictionaries(required, optional=optional)


def _as_array(name: str, value):
    """The one-element array twin of a scalar argument (text stays text for names)."""
    if name in ("gpu", "precision") and isinstance(value, str):
        return value
    if type(value) is float:
        return np.array([value])
    return [value]  # an int that may not fit, or text: a list, converted element by element


def _run(f, kwargs):
    with np.errstate(all="ignore"):
        try:
            return "ok", f(**kwargs)
        except Exception as exc:  # noqa: BLE001  (any exception: both paths must raise the same)
            return "error", exc


def _without_fast_path(f, kwargs):
    saved = _args._plain_scalars
    _args._plain_scalars = lambda like, named: None
    try:
        return _run(f, kwargs)
    finally:
        _args._plain_scalars = saved


def _same_float(a, b) -> bool:
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return math.copysign(1.0, a) == math.copysign(1.0, b)
    # numpy's vectorised pow/exp/log (SIMD, CPU-dependent) against libm's: two ulps at most
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 2 * math.ulp(max(abs(a), abs(b)))


def _first(x):
    return np.asarray(x).reshape(-1)[0]


def _same_result(scalar, other, other_is_array: bool) -> bool:
    """``scalar`` (a scalar call's result) against another path's; element 0 of an array one."""
    if isinstance(scalar, dict):
        return isinstance(other, dict) and list(scalar) == list(other) and all(
            _same_result(scalar[k], other[k], other_is_array) for k in scalar)
    if isinstance(scalar, tuple):
        return len(scalar) == len(other) and all(_same_result(s, o, other_is_array) for s, o in zip(scalar, other))
    if isinstance(scalar, bool):
        return type(other) is bool if not other_is_array else bool(_first(other)) == scalar
    if isinstance(scalar, str):
        return (other if not other_is_array else str(_first(other))) == scalar
    if type(scalar) is not float:
        return False  # a scalar call must give a Python float
    if not other_is_array or not isinstance(other, np.ndarray):  # a float either way (a quantile, say)
        return type(other) is float and _same_float(scalar, other)
    return np.shape(other) == (1,) and _same_float(scalar, _first(other))


def _message(exc: BaseException) -> str:
    return re.sub(r" at position \(?\d+,?\)?", "", str(exc))


def _check(name, kwargs):
    f = FUNCTIONS[name]
    fast = _run(f, kwargs)
    slow = _without_fast_path(f, kwargs)
    array = _run(f, {k: _as_array(k, v) for k, v in kwargs.items()})
    if fast[0] == "ok":
        assert slow[0] == "ok", f"{name}({kwargs}): fast path gave {fast[1]!r}, 0-d array path raised {slow[1]!r}"
        assert _same_result(fast[1], slow[1], False), f"{name}({kwargs}): {fast[1]!r} != {slow[1]!r} (0-d path)"
        assert array[0] == "ok", f"{name}({kwargs}): fast path gave {fast[1]!r}, array path raised {array[1]!r}"
        assert _same_result(fast[1], array[1], True), f"{name}({kwargs}): {fast[1]!r} != {array[1]!r} (array)"
    else:
        exc = fast[1]
        for label, (status, other) in (("0-d array", slow), ("array", array)):
            assert status == "error", f"{name}({kwargs}): fast path raised {exc!r}, {label} path gave {other!r}"
            assert type(other) is type(exc), f"{name}({kwargs}): {exc!r} vs {other!r} ({label})"
            assert _message(other) == _message(exc), f"{name}({kwargs}): {exc!r} vs {other!r} ({label})"
        assert str(slow[1]) == str(exc)  # the same scalar call: word for word


def test_every_required_function_is_covered():
    assert REQUIRED <= set(FUNCTIONS), sorted(REQUIRED - set(FUNCTIONS))


@pytest.mark.slow  # thousands of generated cases: the full suite's; the core tier keeps the boundary grid
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_scalar_path_matches_array_path(name):
    @settings(max_examples=HYPOTHESIS_CASES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(kwargs=calls(name))
    def check(kwargs):
        _check(name, kwargs)

    check()


def _bulk_value(rng: random.Random, parameter: str):
    if parameter == "precision":
        return rng.choice(PRECISIONS)
    if parameter == "gpu" and rng.random() < 0.6:
        return rng.choice(GPUS)
    rule = "positive" if parameter == "gpu" else _rule_of(parameter)
    if rule not in RULES or rng.random() < 0.04:
        return rng.choice(EDGES + INTS + TEXT)
    lo, lo_incl, hi, hi_incl, _ = RULES[rule]
    for _ in range(100):
        pick = rng.random()
        if pick < 0.3:
            v = rng.choice(EDGES + INTS[:-1])
        elif pick < 0.75:
            v = rng.choice((1.0, -1.0)) * 10.0 ** rng.uniform(-323, 308.25)
        elif pick < 0.9:
            v = rng.uniform(max(lo, -1e6), min(hi, 1e6))
        else:
            v = rng.randint(-2, 10**rng.randint(1, 25))
        if (v >= lo if lo_incl else v > lo) and (v <= hi if hi_incl else v < hi) and math.isfinite(v):
            # a gpu given as an int too large for int64 reads as a name to decode_tokens_per_second
            # (np.asarray(10**20) is an object array) on every path; in a float column it cannot
            return float(v) if parameter == "gpu" else v
    return 1.0


ELEMENTWISE = set(FUNCTIONS) - {"query_cost_quantiles"}  # quantiles over the rows, not row by row


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_bulk_scalars_match_array_elements(name):
    """BULK_CASES seeded cases; the array side of each group of cases is one call."""
    f = FUNCTIONS[name]
    rng = random.Random(name)
    params = [p for p in inspect.signature(f).parameters.values() if not isinstance(p.default, (tuple, list))]
    groups: dict[tuple, list] = {}
    errors = 0
    for _ in range(BULK_CASES if name != "inference_optimal" else BULK_CASES // 10):
        kwargs = {p.name: _bulk_value(rng, p.name) for p in params
                  if p.default is inspect.Parameter.empty or rng.random() < 0.8}
        status, result = _run(f, kwargs)
        if status == "error":
            errors += 1
            if errors <= BULK_CASES // 10:
                _check(name, kwargs)  # one by one: the same error on every path
            continue
        text = tuple(sorted((k, v) for k, v in kwargs.items() if isinstance(v, str)))
        groups.setdefault((text, tuple(sorted(kwargs))), []).append((kwargs, result))
    for (text, names), cases in groups.items():
        # float64 columns (an int is converted as float() does; an object array of numbers
        # would read as names to decode_tokens_per_second's gpu)
        columns = {k: np.array([kw[k] for kw, _ in cases], dtype=np.float64) for k in names if k not in dict(text)}
        if not columns:  # names only: nothing to put in an array
            _check(name, cases[0][0])
            continue
        status, results = _run(f, {**dict(text), **columns})
        assert status == "ok", f"{name}: the array path raised {results!r} on rows that are fine one by one"
        for i, (kwargs, scalar) in enumerate(cases):
            row = _row(results, i)
            assert _same_result(scalar, row, True), f"{name}({kwargs}): {scalar!r} != {row!r} (row {i} of an array)"


def _row(result, i):
    """Row ``i`` of an array result, as a one-element array (dicts and tuples part by part)."""
    if isinstance(result, dict):
        return {k: _row(v, i) for k, v in result.items()}
    if isinstance(result, tuple):
        return tuple(_row(v, i) for v in result)
    return np.asarray(result).reshape(-1)[i:i + 1]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_defaults_and_boundaries(name):
    """Each numeric argument at each boundary of its rule and one float either side, the rest default."""
    params = inspect.signature(FUNCTIONS[name]).parameters.values()
    base = {p.name: (1.0 if p.name != "gpu" else "H100") for p in params
            if p.default is inspect.Parameter.empty}
    if name == "inference_optimal":
        base["target_loss"] = 2.0
    for p in params:
        rule = _rule_of(p.name)
        if rule not in RULES or isinstance(p.default, (tuple, list)):
            continue
        lo, _, hi, _, _ = RULES[rule]
        for edge in (lo, hi):
            if not math.isfinite(edge):
                continue
            for v in (math.nextafter(edge, -math.inf), edge, math.nextafter(edge, math.inf)):
                _check(name, {**base, p.name: v})


def test_scalar_results_are_python_floats():
    assert type(costlib.train_cost(70e9, 15e12, 2.0)) is float
    assert type(costlib.token_cost(2.5, 2000)) is float
    assert type(costlib.breakeven(1000, 0.3, 0.35)) is float and costlib.breakeven(1000, 0.3, 0.35) == math.inf
    assert type(costlib.energy_cost(4.42e6, 0.1, gpu=700)) is float


def test_numpy_scalars_and_bools_take_the_array_path():
    # not plain numbers: the array path decides, with its own results and messages
    assert costlib.train_flops(np.float64(70e9), 15e12) == costlib.train_flops(70e9, 15e12)
    with pytest.raises(costlib.InputTypeError, match="must be a number, got True"):
        costlib.train_flops(True, 15e12)


@pytest.mark.parametrize("call", [
    lambda: costlib.compute_gpu_hours(1.0, gpu=1e-300, mfu=1e-300),
    lambda: costlib.chinchilla_loss(1e-300, 1e-300, alpha=2.0, beta=2.0),
    lambda: costlib.token_cost(2.0, 1e-300, 1e-300),
])
@pytest.mark.parametrize("as_array", [False, True])
@pytest.mark.filterwarnings("error")  # no numpy warning escapes the Python API
def test_zero_denominators_are_an_overflow_on_both_paths(call, as_array):
    # products that underflow to 0.0 in a denominator: an OutOfRangeError naming the function on the plain-float
    # path and on the array path alike, never inf read as a number, never ZeroDivisionError
    with pytest.raises(costlib.OutOfRangeError, match="make the result overflow"):
        result = call()
        if as_array:
            raise AssertionError(result)


@pytest.mark.filterwarnings("error")  # no numpy warning escapes the Python API
def test_an_overflow_inside_a_sum_is_still_the_right_number():
    assert costlib.chinchilla_loss(1e300, 1e300, alpha=2.0, beta=2.0) == 1.69  # A / inf = 0: E, exactly
