"""Ranges: what an output looks like when its inputs are uncertain (Monte Carlo).

Every input that drives an LLM cost decision is contested: MFU (30 to 50 %), GPU and API
prices, growth, utilisation. :func:`simulate` draws the uncertain inputs from stated
ranges, evaluates an engine function or a whole template on every draw at once (arrays,
not a loop) and gives the full sample and its P10, P50 and P90.

A range is low/base/high, as a finance team states it, read as a PERT distribution (the
default) or a triangular one; or a normal or lognormal by mean and standard deviation.
Draws are seeded: the same seed gives the same numbers, and each input has its own stream
(from the seed and the input's name), so adding a range for one input leaves the draws of
the others as they were.

>>> import costlib
>>> sim = costlib.simulate("budget", {"mfu": (0.3, 0.4, 0.5)}, n=2_000)
>>> (sim.percentiles.loc["training_cost"] / 1e6).round(1).tolist()    # USD M: P10, P50, P90
[7.9, 8.9, 10.2]
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import math
import numbers
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import _args
from .arguments import ARGUMENTS, Argument, arguments_of, documented, result_units
from .constants import constant_value
from .errors import InputError, InputTypeError, OutOfRangeError, UnknownNameError
from .plan import (SCENARIO, Template, TemplateEvaluationError, evaluate_template, load_template, parse_number,
                   resolve_inputs)
from .rules import RULES, obeys
from .timeline import as_text

__all__ = ["Range", "Simulation", "simulate", "DISTRIBUTIONS", "PERCENTILES", "MAX_DRAWS"]

#: The distributions a range may take; the first two read (low, base, high).
DISTRIBUTIONS = ("pert", "triangular", "normal", "lognormal")
#: The percentiles reported [%]: P10, P50 (the median), P90.
PERCENTILES = (10, 50, 90)
#: Most draws of one call: the samples of a template's outputs must fit in memory.
MAX_DRAWS = 10_000_000
#: Cells of one timeline row per vectorised pass of a template: a pass holds every row of
#: the template for its block of draws, so a block is sized to keep that in tens of MB.
BLOCK_CELLS = 2**18

_SPREAD = ("low", "base", "high")
_MOMENTS = ("mean", "sd")


@dataclass(frozen=True)
class Range:
    """The range of one uncertain input [the input's unit].

    ``Range(low, base, high)`` is a PERT distribution over [low, high] whose most likely
    value is ``base`` (``dist="pert"``, the default), or a triangular one
    (``dist="triangular"``). ``Range(dist="normal", mean=..., sd=...)`` and
    ``Range(dist="lognormal", mean=..., sd=...)`` take the mean and the standard
    deviation of the value itself (for the lognormal, not of its logarithm). A dict with
    the same keys, ``{"low": 0.3, "base": 0.4, "high": 0.5, "dist": "triangular"}``, is
    the same range.

    Notes
    -----
    PERT (Malcolm et al. 1959; Vose 2008, ch. 9): ``low + (high - low) x Beta(a1, a2)``
    with ``a1 = 1 + 4 (base - low) / (high - low)``, ``a2 = 1 + 4 (high - base) / (high - low)``;
    its mean is ``(low + 4 base + high) / 6``, the triangular's ``(low + base + high) / 3``.
    PERT puts less weight on the tails than the triangular. low = base = high is a
    single value, drawn exactly. A lognormal of mean m and standard deviation s has
    ``sigma^2 = ln(1 + s^2 / m^2)`` and ``mu = ln m - sigma^2 / 2`` for its logarithm.

    Examples
    --------
    >>> Range(0.3, 0.4, 0.5)
    Range(low=0.3, base=0.4, high=0.5, dist='pert', mean=None, sd=None)
    """

    low: Any = None
    base: Any = None
    high: Any = None
    dist: str = "pert"
    mean: Any = None
    sd: Any = None


@dataclass(frozen=True, repr=False)
class Simulation:
    """The draws of :func:`simulate` and their percentiles.

    ``samples`` (pandas DataFrame, one row per draw): one column per drawn input [its
    unit] and per output [its unit]; ``percentiles`` (DataFrame, one row per output,
    columns ``P10``, ``P50``, ``P90``) [the output's unit]; ``units`` (name -> unit of
    every column); ``checks`` (a template's checks: True where it held in every draw).
    """

    samples: Any
    percentiles: Any
    units: dict[str, str]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    n: int
    seed: int
    source: str
    checks: dict[str, bool]

    def __repr__(self) -> str:
        return (f"<Simulation of {self.source}: {self.n:,} draws of {', '.join(self.inputs)}, seed {self.seed}; "
                f"{len(self.outputs)} outputs>")


ARGUMENT_READINGS = {
    "fixed": Argument("fixed", "input -> value", None,
                      "Inputs held at one value in every draw: a template's inputs (as in costlib.plan.schedule) "
                      "or a function's other arguments; the rest keep their defaults", "dict"),
}


@documented(**ARGUMENT_READINGS)
def simulate(function_or_template, ranges=None, n=10_000, seed=0, outputs=None, fixed=None, *, dist="pert",
             progress=None):
    """Draw the uncertain inputs from their ranges and evaluate every draw at once.

    {parameters}

    Returns
    -------
    Simulation
        ``samples``: a pandas DataFrame with ``n`` rows, one column per drawn input [its
        unit] and per output [the output's unit: a template item's ``unit``, or the unit a
        costlib function declares, ``@documented(returns=...)``]; ``percentiles``: a DataFrame, one row per
        output, columns ``P10``, ``P50``, ``P90`` [the output's unit], linear between
        order statistics as Excel's PERCENTILE.INC; ``units``; ``checks``.

    Raises
    ------
    InputError
        Each kind names the argument and the input: an unknown input or output name (the
        closest names suggested), a range that is not low <= base <= high, a point that
        breaks the input's rule, a text input or the timeline's length given a range, an
        unbounded draw that breaks the input's rule, ``n`` not a whole number >= 1.

    Notes
    -----
    A template is evaluated through the same definitions as its workbook
    (:func:`costlib.plan.evaluate_template`), every draw in one vectorised pass (blocks
    of draws for long timelines, to bound memory): a drawn input is a column of shape
    ``(draws, 1)`` and each timeline row a ``(draws, months)`` array. Its outputs are its
    items (single values); text items (sentences) are left out. An item whose cell shows
    words where it has no value (no break-even, not within the timeline) is ``inf`` in the
    samples. An integer input's draws are rounded to whole numbers. Each input is drawn
    from its own stream, seeded by ``seed`` and its name.

    Examples
    --------
    MFU between 30 and 50 % around 40 %, the GPU price between $1.80 and $3 around $2
    ([WaferZero2026]'s 70B/15T run): the final run's cost, USD M.

    >>> import costlib
    >>> sim = costlib.simulate(costlib.train_cost, {"mfu": (0.3, 0.4, 0.5),
    ...                        "price_per_gpu_hour": (1.8, 2.0, 3.0)},
    ...                        fixed={"params": 70e9, "tokens": 15e12, "gpu": "H100"})
    >>> (sim.percentiles / 1e6).round(1)
                P10  P50   P90
    train_cost  7.9  9.4  11.3
    >>> sim.units["train_cost"], sim.samples.shape
    ('USD', (10000, 3))

    A template's items, here the budget's with the serving utilisation uncertain too: the
    final run [USD] and the self-hosted cost per 1 M tokens [USD/Mtok].

    >>> sim = costlib.simulate("budget", {"utilization": (0.1, 0.2, 0.4), "mfu": (0.3, 0.4, 0.5)}, n=5_000)
    >>> (sim.percentiles.loc[["training_cost"]] / 1e6).round(2)
                    P10   P50    P90
    training_cost  7.85  8.85  10.14
    >>> sim.percentiles.loc[["self_host_cost_per_m_tokens"]].round(2)
                                  P10   P50   P90
    self_host_cost_per_m_tokens  3.66  5.07  7.42

    Without ``ranges``, a template's own: every input it declares uncertain, over its
    sourced range (:func:`declared_ranges`).

    >>> sim = costlib.simulate("finetune-vs-prompt", n=2_000)
    >>> "finetune_cost" in sim.inputs and "hosting_cost_per_month" in sim.inputs
    True
    """
    n = _draw_count(n)
    seed = _seed(seed)
    if dist not in ("pert", "triangular"):
        close = difflib.get_close_matches(str(dist), ["pert", "triangular"], n=1, cutoff=0.3)
        raise UnknownNameError(f"dist must be pert or triangular (the distribution of a (low, base, high) range), "
                               f"got {dist!r}" + (f"; closest: {close[0]}" if close else ""), argument="dist")
    if ranges is None and not callable(function_or_template):
        ranges = declared_ranges(function_or_template, fixed)
        fixed = held(fixed, ranges)
    if not isinstance(ranges, Mapping) or not ranges:
        raise InputTypeError("ranges must be a dict of input name -> (low, base, high) or Range, with at least one "
                             f"input, got {_show(ranges)}", argument="ranges", parameter="ranges")
    for name in ranges:
        if not isinstance(name, str):
            raise InputTypeError(f"ranges: an input name must be text, got {name!r:.60}", argument="ranges",
                                 parameter="ranges")
    if fixed is None:
        fixed = {}
    if not isinstance(fixed, Mapping):
        raise InputTypeError(f"fixed must be a dict of input name -> value, got {_show(fixed)}", argument="fixed",
                             parameter="fixed")
    both = [name for name in ranges if name in fixed]
    if both:
        raise InputError(f"{both[0]} is both in ranges and in fixed; keep one (a range draws it, fixed holds it)",
                         argument=both[0])
    if progress is not None and not callable(progress):
        raise InputTypeError(f"progress must be a function progress(done, n) or None, got {_show(progress)}",
                             argument="progress")
    if isinstance(outputs, str):
        outputs = [outputs]
    if outputs is not None:
        outputs = list(outputs)
        for name in outputs:
            if not isinstance(name, str):
                raise InputTypeError(f"outputs must be names (text), got {name!r:.60}", argument="outputs",
                                     parameter="outputs")
            if outputs.count(name) > 1:
                raise InputTypeError(f"outputs must name each output once, got {name!r:.60} "
                                     f"{outputs.count(name)} times", argument="outputs",
                                     parameter="outputs")
    specs = {name: _as_range(name, spec, dist) for name, spec in ranges.items()}
    if callable(function_or_template) and not isinstance(function_or_template, (str, bytes)):
        return _simulate_function(function_or_template, specs, n, seed, outputs, dict(fixed), progress)
    # inputs read already (costlib's own resolved values) keep what they were taken with
    return _simulate_template(function_or_template, specs, n, seed, outputs,
                              fixed if hasattr(fixed, "taken") else dict(fixed), progress)


def declared_ranges(template, fixed=None) -> dict[str, tuple[float, float, float]]:
    """A template's uncertain inputs as it declares them: name -> (low, base, high) [the input's unit].

    The ranges :func:`simulate` draws when it is given none: each input's ``range`` around
    its base, the base and the ends as ``fixed`` sets them (``mfu=0.45``, ``mfu_low=0.35``),
    a base outside the range widening it (as the template's workbook reads them). Raises
    InputError, naming ``ranges``, for a template that declares none.
    """
    if not isinstance(template, (str, Template)) and not hasattr(template, "__fspath__"):
        raise InputTypeError("ranges must be given for a function: name -> (low, base, high); only a template "
                             f"declares its own, got {_show(template)}", argument="ranges", parameter="ranges")
    t = load_template(template)
    fixed = {} if fixed is None else fixed
    values = resolve_inputs(t, fixed, refuse=False, taken=getattr(fixed, "taken", ()))
    if not values.ranges:
        raise InputError(f"ranges: the {t.name} template declares no uncertain input (no input has a range); give "
                         "ranges: name -> (low, base, high)", argument="ranges", parameter="ranges")
    return {name: tuple(float(v) for v in ends) for name, ends in values.ranges.items()}


def held(fixed, ranges) -> dict:
    """``fixed`` without what ``ranges`` draws: a drawn input's base and its ends (``mfu``, ``mfu_low``)."""
    if not fixed:
        return {} if fixed is None else fixed
    drawn = {f"{name}{end}" for name in ranges for end in ("", "_low", "_high")}
    kept = {k: v for k, v in fixed.items() if k not in drawn}
    if hasattr(fixed, "taken"):  # values read already keep what they were taken with
        from .plan import ResolvedInputs

        out = ResolvedInputs(kept, template=fixed.template)
        out.taken = fixed.taken
        return out
    return kept


# ---------------------------------------------------------------------------- arguments

def _show(value: Any) -> str:
    return f"{type(value).__name__} {value!r:.60}"


def _draw_count(n: Any) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Real):
        raise InputTypeError(f"n must be a whole number of draws, got {_show(n)}", argument="n", parameter="n")
    if not math.isfinite(n) or not float(n).is_integer():
        raise InputTypeError(f"n must be a whole number of draws, got {n!r}", argument="n", parameter="n")
    if n < 1:
        raise OutOfRangeError(f"n must be >= 1, got {int(n)}", argument="n", parameter="n")
    if n > MAX_DRAWS:
        raise OutOfRangeError(f"n must be at most {MAX_DRAWS:,} draws (their samples must fit in memory), "
                              f"got {int(n):,}", argument="n", parameter="n")
    return int(n)


def _seed(seed: Any) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InputTypeError("seed must be a whole number >= 0 (the same seed gives the same draws), "
                             f"got {seed!r:.60}", argument="seed")
    return int(seed)


def _as_range(name: str, spec: Any, dist: str) -> Range:
    """``spec`` as a checked :class:`Range` (its numbers not yet converted)."""
    where = f"ranges[{name!r}]"
    known = [f.name for f in dataclasses.fields(Range)]
    if isinstance(spec, Range):
        r = spec
    elif isinstance(spec, Mapping):
        unknown = [k for k in spec if k not in known]
        if unknown:
            raise UnknownNameError(f"{where} has the unknown key {unknown[0]!r:.60}; known: {', '.join(known)}",
                                   argument=name, parameter="ranges", key=name)
        r = Range(**{"dist": dist, **spec})
    elif isinstance(spec, (tuple, list)):
        if len(spec) != 3:
            raise InputError(f"{where} must be (low, base, high), three values, got {len(spec)}: {spec!r:.60}",
                             argument=name, parameter="ranges", key=name)
        r = Range(*spec, dist=dist)
    else:
        raise InputTypeError(f"{where} must be (low, base, high), a dict such as {{'dist': 'normal', 'mean': ..., "
                             f"'sd': ...}} or a costlib.Range, got {_show(spec)}", argument=name, parameter="ranges", key=name)
    if r.dist not in DISTRIBUTIONS:
        close = difflib.get_close_matches(str(r.dist), DISTRIBUTIONS, n=1, cutoff=0.3)
        raise UnknownNameError(f"{where} dist must be one of {', '.join(DISTRIBUTIONS)}, got {r.dist!r:.60}"
                               + (f"; closest: {close[0]}" if close else ""), argument=name, parameter="ranges", key=name)
    needed, other = (_SPREAD, _MOMENTS) if r.dist in ("pert", "triangular") else (_MOMENTS, _SPREAD)
    missing = [k for k in needed if getattr(r, k) is None]
    extra = [k for k in other if getattr(r, k) is not None]
    if missing:
        raise InputError(f"{where}: a {r.dist} range needs {', '.join(needed)}; {', '.join(missing)} missing",
                         argument=name, parameter="ranges", key=name)
    if extra:
        raise InputError(f"{where}: a {r.dist} range takes {', '.join(needed)}, not {', '.join(extra)}",
                         argument=name, parameter="ranges", key=name)
    return r


def _real(where: str, name: str, value: Any) -> float:
    """``value`` of the range of input ``name`` as a float; ``where`` begins ``ranges[name]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        what = f"text {value!r:.60}" if isinstance(value, str) else _show(value)
        raise InputTypeError(f"{where} must be a number, got {what}", argument=name, parameter="ranges", key=name)
    value = float(value)
    if math.isnan(value):
        raise InputTypeError(f"{where} must be a number, got NaN", argument=name, parameter="ranges", key=name)
    if not math.isfinite(value):
        raise OutOfRangeError(f"{where} must be a finite number, got {value}", argument=name, parameter="ranges", key=name)
    return value


def _checked(r: Range, name: str, convert: Callable[[str, Any], float]) -> Range:
    """``r`` with each number converted by ``convert(field, value)``, the spread checked."""
    where = f"ranges[{name!r}]"
    if r.dist in ("pert", "triangular"):
        low, base, high = (convert(k, getattr(r, k)) for k in _SPREAD)
        if not low <= base <= high:
            raise OutOfRangeError(f"{where} must have low <= base <= high, got low {low:g}, base {base:g}, "
                                  f"high {high:g}", argument=name, parameter="ranges", key=name)
        return Range(low, base, high, r.dist)
    mean = convert("mean", r.mean)
    sd = r.sd
    if isinstance(sd, str):
        sd = parse_number(f"{where} sd", sd)[0]
    sd = _real(f"{where} sd", name, sd)
    if sd < 0:
        raise OutOfRangeError(f"{where} sd must be >= 0, got {sd:g}", argument=name, parameter="ranges", key=name)
    if r.dist == "lognormal" and mean <= 0:
        raise OutOfRangeError(f"{where}: a lognormal range's mean must be > 0, got {mean:g}", argument=name, parameter="ranges", key=name)
    return Range(dist=r.dist, mean=mean, sd=sd)


def _stream(seed: int, name: str) -> np.random.Generator:
    """The generator of one input: from the seed and the input's name, whatever else is drawn."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode("utf-8")),)))


def _draw(r: Range, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of the checked range ``r`` [its unit]."""
    if r.dist in ("pert", "triangular"):
        low, base, high = r.low, r.base, r.high
        if low == high:
            return np.full(n, base)
        if r.dist == "triangular":
            x = rng.triangular(low, base, high, n)
        else:
            width = high - low
            x = low + width * rng.beta(1.0 + 4.0 * (base - low) / width, 1.0 + 4.0 * (high - base) / width, n)
        return np.clip(x, low, high)  # low + width x 1 may round one ulp past high
    if r.sd == 0:
        return np.full(n, r.mean)
    if r.dist == "normal":
        return rng.normal(r.mean, r.sd, n)
    sigma2 = math.log1p((r.sd / r.mean) ** 2)
    return rng.lognormal(math.log(r.mean) - sigma2 / 2.0, math.sqrt(sigma2), n)


def _within_rule(name: str, draws: np.ndarray, rule: str, r: Range) -> None:
    """Raise, naming the input, where an unbounded draw breaks the input's rule."""
    text = RULES[rule][4]
    bad = ~(obeys(rule, draws) & np.isfinite(draws))
    if bad.any():
        example = draws[np.argmax(bad)]
        raise OutOfRangeError(
            f"ranges[{name!r}]: {int(bad.sum()):,} of {draws.size:,} {r.dist} draws break the rule of {name} "
            f"({text.removeprefix('must be ')}), e.g. {example:.6g}; use a smaller sd, or a bounded range "
            "(low, base, high)", argument=name, parameter="ranges", key=name)


def _percentiles(column: np.ndarray) -> list[float]:
    """P10, P50, P90 of one output, linear between order statistics (Excel's PERCENTILE.INC).

    numpy's own interpolation gives NaN between two infinite draws; here equal neighbours
    give themselves, so a break-even that never comes reads inf, not NaN. Any NaN draw
    (a ratio without a denominator) makes every percentile NaN.
    """
    x = np.sort(np.asarray(column, dtype=float))
    if x.size == 0 or np.isnan(x[-1]):
        return [math.nan] * len(PERCENTILES)
    out = []
    for p in PERCENTILES:
        h = (x.size - 1) * p / 100.0
        i = math.floor(h)
        j = min(i + 1, x.size - 1)
        a, b, f = x[i], x[j], h - i
        out.append(float(a if (a == b or f == 0.0) else (b if math.isinf(b) else a + f * (b - a))))
    return out


def _result(source, inputs, drawn, outputs, values, units, n, seed, checks) -> Simulation:
    import pandas as pd  # pandas loads where a DataFrame is made, not with costlib

    columns = {**{k: drawn[k] for k in inputs}, **{k: values[k] for k in outputs}}
    samples = pd.DataFrame(columns)
    percentiles = pd.DataFrame([_percentiles(values[k]) for k in outputs], index=list(outputs),
                               columns=[f"P{p}" for p in PERCENTILES])
    return Simulation(samples, percentiles, {k: units.get(k, "") for k in columns}, tuple(inputs), tuple(outputs),
                      n, seed, source, checks)


def _unknown(kind: str, name: str, known: list[str], one: str, all_of: str) -> UnknownNameError:
    """``name`` is not ``one`` ("an input of the budget template"); the closest names, or ``all_of`` them."""
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"; closest: {', '.join(close)}" if close else f"; {all_of} are {', '.join(known)}"
    return UnknownNameError(f"{kind}: {name!r:.60} is not {one}{hint}", argument=name, parameter=kind)


# ---------------------------------------------------------------------------- a function

def _simulate_function(function, specs, n, seed, outputs, fixed, progress) -> Simulation:
    fname = getattr(function, "__name__", "function")
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        raise InputTypeError(f"function_or_template must be a costlib function or a template, got {fname}",
                             argument="function_or_template") from None
    names = [p for p, v in parameters.items() if v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY)]
    for kind, given in (("ranges", specs), ("fixed", fixed)):
        for name in given:
            if name not in names:
                raise _unknown(kind, name, names, f"an argument of {fname}", f"the arguments of {fname}")
    drawn = {}
    for name, r in specs.items():
        registered = ARGUMENTS.get(name)
        rule = registered.rule if registered is not None else None

        def convert(field, value, name=name, rule=rule):
            where = f"ranges[{name!r}] {field}"
            number = _real(where, name, value)
            if rule is not None:
                try:
                    _args.check(name, np.asarray(number), rule)
                except InputError as exc:
                    raise type(exc)(f"{where}: {exc}", argument=name, parameter="ranges", key=name) from None
            return number

        checked = _checked(r, name, convert)
        drawn[name] = _draw(checked, n, _stream(seed, name))
        if rule is not None and checked.dist in ("normal", "lognormal"):
            _within_rule(name, drawn[name], rule, checked)
    kwargs = {**fixed, **drawn}
    try:
        inspect.signature(function).bind(**kwargs)
    except TypeError as exc:
        raise InputError(f"{fname}: {exc}; give it a range or a value in fixed", argument="fixed") from None
    try:
        with np.errstate(all="ignore"):
            result = function(**kwargs)
    except InputError:
        raise
    except (ValueError, TypeError) as exc:  # numpy's refusal: the function does not broadcast its arguments
        raise InputTypeError(f"{fname} cannot take {n:,} draws of {', '.join(drawn)} at once ({exc}); simulate "
                             "needs a function that broadcasts its arguments", argument="function_or_template") from None
    values, flags = _numeric_outputs(fname, result, n)
    if outputs is None:
        outputs = list(values)
    for name in outputs:
        if name not in values:
            raise _unknown("outputs", name, list(values), f"an output of {fname}", "its outputs")
    if progress is not None:
        progress(n, n)
    readings = arguments_of(function) if hasattr(function, "__arguments__") else ARGUMENTS
    units = {name: readings[name].unit if name in readings else "" for name in drawn}
    units.update(result_units(function, list(values)))
    units.update({name: "flag (1 = true)" for name in values if name in flags})
    return _result(fname, list(drawn), drawn, outputs, values, units, n, seed, {})


def _numeric_outputs(fname: str, result: Any, n: int) -> tuple[dict[str, np.ndarray], set[str]]:
    """A function's result as output name -> ``n`` numbers (one array, or a mapping's or record's fields),
    and the names of those that are true/false flags."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        parts = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    elif isinstance(result, tuple) and hasattr(result, "_asdict"):
        parts = dict(result._asdict())
    elif isinstance(result, Mapping):
        parts = dict(result)
    else:
        parts = {fname: result}
    out, flags = {}, set()
    for name, part in parts.items():
        if _args.is_series(part):
            part = part.to_numpy()
        arr = np.asarray(part)
        if arr.dtype.kind not in "biuf" or arr.ndim > 1 or (arr.ndim == 1 and arr.size != n):
            continue  # words, or not one value per draw
        out[str(name)] = np.broadcast_to(arr.astype(float), (n,)).copy()
        if arr.dtype.kind == "b":
            flags.add(str(name))
    if not out:
        raise InputTypeError(f"{fname} gives no number per draw to simulate (it returned "
                             f"{type(result).__name__})", argument="function_or_template")
    return out, flags


# ---------------------------------------------------------------------------- a template

def _simulate_template(template, specs, n, seed, outputs, fixed, progress) -> Simulation:
    if not isinstance(template, (str, Template)) and not hasattr(template, "__fspath__"):
        raise InputTypeError("function_or_template must be a costlib function, a template name, a path to a "
                             f"template .toml or a loaded template, got {_show(template)}",
                             argument="function_or_template")
    t = load_template(template)
    inputs = {i.name: i for i in t.inputs}
    for name in specs:
        if name not in inputs:
            raise _unknown("ranges", name, list(inputs), f"an input of the {t.name} template", "its inputs")
        inp = inputs[name]
        if inp.type not in ("number", "integer"):
            raise InputTypeError(f"ranges[{name!r}]: {name} is {inp.describe_rule()} ({inp.type} input); only "
                                 "number inputs take a range; hold it at one value (fixed=)", argument=name,
                                 parameter="ranges", key=name, instead="fixed")
        if inp.structural or name == t.axis_length or name in (t.axis_values or ()):
            raise InputError(f"ranges[{name!r}]: {name} sets the template's timeline, which every draw shares; "
                             "hold it at one value (fixed=)", argument=name, parameter="ranges", key=name,
                             instead="fixed")
    resolve_inputs(t, fixed, refuse=False)  # a bad fixed value is named before any range
    # every range's low points together, then the base points, then the high: each read as
    # the input reads it ("60%", "70B"), held to its rule, its maximum and the overflow probe
    converted = {}
    for point in _SPREAD:
        given = {name: getattr(r, point) if r.dist in ("pert", "triangular") else r.mean for name, r in specs.items()}
        try:
            # refuse=False: a check that refuses an input is a check of each draw here, as in the workbook
            converted[point] = resolve_inputs(t, {**fixed, **given}, refuse=False, taken=getattr(fixed, "taken", ()))
        except InputError as exc:
            name = exc.argument if exc.argument in specs else None
            field = point if name is None or specs[name].dist in ("pert", "triangular") else "mean"
            where = f"ranges[{name!r}] {field}" if name else f"ranges (the {point} points together)"
            raise type(exc)(f"{where}: {exc}", argument=exc.argument, parameter="ranges", key=name) from None
    values = dict(converted["base"])

    def convert_for(name):
        return lambda field, value: float(converted[field if field in _SPREAD else "base"][name])

    checked = {name: _checked(r, name, convert_for(name)) for name, r in specs.items()}
    drawn = {}
    for name, r in checked.items():
        x = _draw(r, n, _stream(seed, name))
        inp = inputs[name]
        if r.dist in ("normal", "lognormal"):
            _within_rule(name, x, inp.rule, r)
        if inp.type == "integer":
            x = np.rint(x)
            if r.dist in ("normal", "lognormal"):
                _within_rule(name, x, inp.rule, r)  # rounding may cross an open bound
        drawn[name] = x
    for inp in t.inputs:  # an input bounded by another ("maximum": training_month <= months), draw by draw
        if inp.maximum is None or (inp.name not in drawn and not (isinstance(inp.maximum, str)
                                                                  and inp.maximum in drawn)):
            continue
        x = drawn.get(inp.name, values[inp.name])
        limit = drawn.get(inp.maximum, values.get(inp.maximum)) if isinstance(inp.maximum, str) else inp.maximum
        over = np.broadcast_to(np.asarray(x) > np.asarray(limit), (n,))
        if over.any():
            raise OutOfRangeError(f"ranges[{inp.name!r}]: {int(over.sum()):,} of {n:,} draws of {inp.name} exceed "
                                  f"its maximum {inp.maximum}; narrow the range", argument=inp.name,
                                  parameter="ranges", key=inp.name)

    numeric = t.number_items
    if outputs is None:
        outputs = numeric
    for name in outputs:
        if name in t.rows:
            raise InputError(f"outputs: {name} is a timeline row; simulate gives single values: use an item of "
                             f"the template that totals it (total({name}) or last({name}))", argument=name,
                             parameter="outputs")
        if name in t.items and name not in numeric:
            raise InputError(f"outputs: {name} is text (a sentence), not a number to draw", argument=name,
                             parameter="outputs")
        if name not in t.items:
            raise _unknown("outputs", name, numeric, f"a number item of the {t.name} template", "its number items")
    length = t.length(values)
    block = max(1, BLOCK_CELLS // max(length, 1))
    results = {name: np.empty(n) for name in outputs}
    checks: dict[str, bool] = {}
    for start in range(0, n, block):
        stop = min(n, start + block)
        part = dict(values)
        part.update({name: x[start:stop, np.newaxis] for name, x in drawn.items()})
        try:
            items, _, held = evaluate_template(t, part, draws=stop - start)
        except TemplateEvaluationError as exc:
            raise TemplateEvaluationError(f"{exc} (in the draws {start:,} to {stop - 1:,})",
                                          argument=exc.argument) from None
        for name in outputs:
            if name not in items:  # words in this template's cells after all
                raise InputError(f"outputs: {name} is text, not a number to draw", argument=name,
                                 parameter="outputs")
            results[name][start:stop] = items[name]
        for label, ok in held.items():
            checks[label] = checks.get(label, True) and ok
        if progress is not None:
            progress(stop, n)
    units = {name: inputs[name].unit for name in drawn}
    units.update({name: t.items[name][1].unit for name in outputs})
    return _result(t.name, list(drawn), drawn, outputs, results, units, n, seed, checks)


# ---------------------------------------------------------------------------- one input at a time

def tornado(template, overrides=None, outputs=None):
    """Each uncertain input of a template at its low and at its high, the others at base [output units].

    The sensitivity table a tornado chart draws: for every input with a range (the
    template's ``range``, widened to a base set outside it, or ``NAME_low`` / ``NAME_high``
    overrides), each output with that input alone at its low and at its high, every other
    uncertain input at its base; ``swing`` is |at high - at low|. All of it is one
    vectorised evaluation of the template (two draws an input, one for the base case).

    Returns
    -------
    pandas.DataFrame
        Index: the uncertain inputs, widest swing of the first output first; columns: a
        MultiIndex: ("input", ``low``/``high``), the input's own values [input unit], then
        (output, ``at low``/``at high``/``swing``) [output unit]; ``attrs["base"]`` holds
        each output at base.

    Examples
    --------
    >>> from costlib.uncertainty import tornado
    >>> table = tornado("build-vs-buy")  # doctest: +SKIP
    """
    import pandas as pd  # pandas loads where a DataFrame is made, not with costlib

    t = load_template(template)
    values = resolve_inputs(t, {**(overrides or {}), SCENARIO: "base"}, refuse=False, taken=getattr(overrides, "taken", ()))
    ranges = values.ranges
    if not ranges:
        raise InputError(f"template: {t.name} has no uncertain input (no input with a range)", argument="template")
    numeric = t.number_items
    outputs = list(outputs) if outputs is not None else numeric
    for name in outputs:
        if name not in numeric:
            raise _unknown("outputs", name, numeric, f"a number item of the {t.name} template", "its number items")
    names = list(ranges)
    draws = 2 * len(names) + 1  # low and high of each input, then the base case
    part = dict(values)
    for j, name in enumerate(names):
        low, base, high = ranges[name]
        column = np.full((draws, 1), float(base))
        column[2 * j, 0], column[2 * j + 1, 0] = low, high
        part[name] = column
    with np.errstate(all="ignore"):
        items, _, _ = evaluate_template(t, part, draws=draws)
    data = {("input", "low"): [ranges[n][0] for n in names], ("input", "high"): [ranges[n][2] for n in names]}
    for out in outputs:
        v = np.broadcast_to(np.asarray(items[out], dtype=float).reshape(-1), (draws,))
        data[out, "at low"] = v[0:-1:2]
        data[out, "at high"] = v[1:-1:2]
        data[out, "swing"] = np.abs(v[1:-1:2] - v[0:-1:2])
    frame = pd.DataFrame(data, index=pd.Index(names, name="input"))
    frame = frame.sort_values((outputs[0], "swing"), ascending=False, kind="stable")
    frame.attrs["base"] = {out: float(np.asarray(items[out], dtype=float).reshape(-1)[-1]) for out in outputs}
    return frame


# ---------------------------------------------------------------------------- a decision too close to call

def close_call_places(t) -> str | int:
    """Decimal places of the close call's P10 and P90: the named constant ``cents_places`` where the key figure is
    shown in cents (a figure a user), else 0."""
    _, item = t.items[t.close_call["key"]]
    return "cents_places" if item.format == "usd_cents" else 0


def close_call(template, items: Mapping[str, Any], values: Mapping[str, Any], sim: Simulation) -> tuple[bool, str]:
    """Whether a template's decision is too close to call, and the words that say so [text].

    The template's ``[close_call]`` names the key figure (a difference: positive favours
    ``above``), the total it is a share of and the input of that share. The call is too
    close where the key figure's P10 to P90 over the uncertain inputs spans zero, or where
    the difference at the base is under the share of the total. Then the words give the
    probability each way (the share of draws above and below zero) and the range, on the line
    under the decision in words; otherwise they say it is clear, and how often. The workbook writes the same
    test and words as a formula over the Ranges sheet's figures (``ranges_key_p10``,
    ``ranges_key_p90``, ``ranges_key_above_zero``), so they follow the inputs' base.

    Numbers are written as ``as_text`` writes them (FIXED after ROUND to 9 places).
    """
    t = load_template(template)
    cc = t.close_call
    key, share = float(items[cc["key"]]), float(values[cc["share"]])
    total = float(items[cc["total"]] if cc["total"] in items else values[cc["total"]])
    p10, p90 = (float(sim.percentiles.loc[cc["key"], p]) for p in ("P10", "P90"))
    above = float(np.mean(sim.samples[cc["key"]].to_numpy(dtype=float) > 0))
    close = (p10 < 0 < p90) or abs(key) < share * abs(total)
    currency = f"{values[t.currency_input]} " if t.currency_input else ""
    places = close_call_places(t)
    places = int(constant_value(places)) if isinstance(places, str) else places
    spread = f"P10 {as_text(p10, places, 1, '', currency)} to P90 {as_text(p90, places, 1, '', currency)}"
    if not close:
        winner = cc["above"] if key > 0 else cc["below"]
        return False, (f"Clear: {winner} {cc['verb']} in {as_text(above if key > 0 else 1 - above, 0, 100)} % of draws "
                       f"({spread}).")
    of_total = abs(key) / max(abs(total), constant_value("check_tolerance"))
    words = (f"Too close to call: {cc['above']} {cc['verb']} in {as_text(above, 0, 100)} % of draws, {cc['below']} in "
             f"{as_text(1 - above, 0, 100)} % ({spread}; the difference is {as_text(of_total, 1, 100)} % of the "
             "total). The decision above is at the base inputs.")
    return True, words
