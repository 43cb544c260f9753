"""A user's inputs for one template: converted, checked against their rules, probed for overflow.

:func:`resolve_inputs` is the one door by which a value typed on the command line, in a
scenario file or through the API enters a plan; what comes out is a :class:`ResolvedInputs`.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

import numpy as np

from ..accounting import from_serial, to_serial
from ..catalogue import load
from ..errors import InputError, InputTypeError, OutOfRangeError, UnknownNameError
from ..formulas import none_text
from ..rules import RULES, obeys
from .evaluate import evaluate_template
from ..numbers import read_number, short_number, read_text, show_number
from .names import GRID_COLUMNS
from .plausible import outside, plausible_range
from .template import SCENARIO, Input, Template

__all__ = ["resolve_inputs", "ResolvedInputs"]


#: Most columns a timeline has: the grid's 16,384 but the label and total columns before it
TIMELINE_LIMIT = GRID_COLUMNS - 2

#: Excel serial numbers taken as dates where a date is typed as a number: 1954-10-04 to 2173-10-14
SERIALS = (20000, 100000)


def _convert(inp: Input, value: Any, taken: bool = False) -> Any:
    if inp.type == "date":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if SERIALS[0] <= value <= SERIALS[1] and float(value).is_integer():
                return float(value)  # a date cell's own number (Excel's serial): 46388 is 2027-01-01
            raise InputTypeError(f"{inp.name} must be a date such as 2027-01 or 2027-01-01, got the number "
                                 f"{show_number(value)}", argument=inp.name)
        try:
            return to_serial(value)
        except InputTypeError as exc:
            raise InputTypeError(f"{inp.name} {exc}", argument=inp.name) from None
    if inp.type == "currency":
        code = read_text(inp.name, value).strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise InputTypeError(f"{inp.name} must be an ISO 4217 code of three letters (USD, EUR, GBP), "
                                 f"got {value!r:.60}", argument=inp.name)
        return code
    if inp.type == "choice":
        text = str(value).strip().lower() if isinstance(value, str) else value
        if text not in inp.choices:
            raise UnknownNameError(f"{inp.name} must be one of {', '.join(inp.choices)}, got {value!r:.60}",
                                   argument=inp.name)
        return text
    if inp.type in ("text", "gpu"):
        value = read_text(inp.name, value)
        if inp.type == "gpu":
            return load("accelerators").find(value, inp.name)[0]["name"]
        return value
    number, with_unit = read_number(inp.name, value)
    rule_text = RULES[inp.rule][4]
    if math.isnan(number):
        raise InputTypeError(f"{inp.name} must be a number, got NaN", argument=inp.name)
    if not math.isfinite(number):
        what = "" if inp.rule == "finite" else f" ({rule_text.removeprefix('must be ')})"
        raise OutOfRangeError(f"{inp.name} must be a finite number{what}, got {number}", argument=inp.name)
    if not obeys(inp.rule, number):
        raise OutOfRangeError(f"{inp.name} {rule_text}, got {show_number(number)}", argument=inp.name)
    if inp.type == "integer":
        if not number.is_integer():
            raise InputTypeError(f"{inp.name} must be a whole number, got {show_number(number)}", argument=inp.name)
        number = int(number)
    if not (with_unit or taken) and outside(inp, number):
        low, high, why = plausible_range(inp)
        span = f"the plausible {short_number(low)} to {short_number(high)} {inp.unit}"
        if inp.unit.startswith("fraction") and number > high:
            percent = " (100 %)" if high == 1 else ""
            raise OutOfRangeError(
                f"{inp.name} is {inp.unit}: {show_number(number)} would be {number:.0%}, beyond the plausible "
                f"0 to {show_number(high)}{percent}; type {show_number(number)}% for {show_number(number)} %, "
                f"or {number * 100:g}% if you mean it", argument=inp.name)
        raise OutOfRangeError(
            f"{inp.name} is {show_number(number)} {inp.unit}, {'above' if number > high else 'below'} {span} "
            f"({why}); type {show_number(number)}! if you mean it", argument=inp.name)
    return number


def closest(name: str, names: list[str], n: int = 3) -> list[str]:
    """The names nearest ``name``: the same but for case first, then by spelling (difflib)."""
    same = [k for k in names if k.lower() == name.lower()]
    near = difflib.get_close_matches(name.lower(), [k.lower() for k in names], n=n, cutoff=0.5)
    by_lower = {k.lower(): k for k in names}
    return list(dict.fromkeys(same + [by_lower[k] for k in near]))[:n]


def resolve_inputs(template: Template, overrides: Any = None, refuse: bool = True,
                   taken: Any = ()) -> dict[str, Any]:
    """The template's defaults with ``overrides`` applied, each converted and checked.

    Raises UnknownNameError for a name the template does not have (closest names suggested),
    InputTypeError or OutOfRangeError for a bad value, a value above another input that
    bounds it (``maximum = "months"``) or a combination whose results overflow; the message
    names the input. A check of the template that ``refuses`` an input (a launch before
    training ends) is evaluated too: where it fails, the inputs are refused with its reason.
    """
    if isinstance(overrides, ResolvedInputs) and overrides.template == template.name:
        return overrides  # checked already: "500%" was taken with its unit, and stays taken
    if overrides is None:
        overrides = {}
    if not hasattr(overrides, "items") or not hasattr(overrides, "keys"):
        raise InputTypeError(f"overrides must be a mapping of input name to value, got {type(overrides).__name__} "
                             f"{overrides!r:.60}", argument="overrides")
    known = {i.name: i for i in template.inputs}
    values = dict(template.defaults())
    ends: dict[tuple[str, int], Any] = {}  # (input, 0 for low / 1 for high) -> a value the user set
    for name, value in overrides.items():
        if not isinstance(name, str):
            raise InputTypeError(f"an input name must be text, got {name!r:.60}", argument="overrides")
        stem, _, end = name.rpartition("_")
        if name not in known and end in ("low", "high") and stem in known and known[stem].range is not None:
            ends[stem, 0 if end == "low" else 1] = value
            continue
        if name not in known:
            close = closest(name, list(known))
            hint = f"; closest: {', '.join(close)}" if close else f"; inputs are {', '.join(known)}"
            raise UnknownNameError(f"{name!r:.60} is not an input of the {template.name} template{hint}",
                                   argument=name)
        values[name] = value
    taken = set(taken) | set(getattr(overrides, "taken", ()))  # read above the plausible range with a unit before
    given = set(overrides.keys())  # a default is the template author's, taken as it stands
    resolved = {name: _convert(known[name], value, name in taken or name not in given)
                for name, value in values.items()}
    sources = _api_prices(template, resolved, given)
    ranges = _ranges(template, resolved, ends, taken)
    for name, ends in ranges.items():
        resolved[name] = ends[known[name].ends[resolved[SCENARIO]]]
    for inp in template.inputs:
        if inp.maximum is None:
            continue
        limit = resolved[inp.maximum] if isinstance(inp.maximum, str) else inp.maximum
        if resolved[inp.name] > limit:
            bound = f"{inp.maximum} ({show_number(limit)})" if isinstance(inp.maximum, str) else show_number(limit)
            raise OutOfRangeError(f"{inp.name} must be <= {bound}, got {show_number(resolved[inp.name])}",
                                  argument=inp.name)
    if not template.axis_values and isinstance(resolved.get(template.axis_length), (int, float)):
        length = resolved[template.axis_length]
        if length > TIMELINE_LIMIT:
            raise OutOfRangeError(f"{template.axis_length} must be <= {TIMELINE_LIMIT:,} (a timeline runs from column "
                                  f"C to the grid's last column, XFD), got {show_number(length)}",
                                  argument=template.axis_length)
    resolved = ResolvedInputs(resolved, template=template.name, ranges=ranges)
    resolved.sources = sources
    resolved.taken = {i.name for i in template.inputs if plausible_range(i) is not None
                      and any(outside(i, v) for v in ranges.get(i.name, (resolved[i.name],)))}
    _check_overflow(template, resolved, {n for n in overrides})
    if refuse:
        _refuse(template, resolved)
    return resolved


def _named(text: str) -> str:
    """A model or provider input's name; "" where it names none (blank, or "none", which a cell can hold)."""
    text = text.strip()
    return "" if text.lower() == "none" else text


def _api_prices(template: Template, resolved: dict[str, Any], given: set[str]) -> dict[str, str]:
    """The inputs a named API model prices (``api_price``), filled from genai-prices; returns their sources.

    With the model input blank or "none" the prices are the ones typed, and a tier price not set is
    its base price (no tier). With a model, each price input not set takes the model's price
    in force on the date input's day (or the calendar's start), a missing cache price the
    input price (as the provider bills it), and the long-context tier inputs its tier's start
    and prices, or the base prices where it has none. A price set in the overrides stays.
    """
    by_kind = {i.api_price: i for i in template.inputs if i.api_price}
    if not by_kind:
        return {}
    model_input, provider_input, date_input = (by_kind.get(k) for k in ("model", "provider", "date"))
    service_input, discount_input = by_kind.get("service_tier"), by_kind.get("batch_discount")
    model = _named(resolved[model_input.name])
    provider = _named(resolved[provider_input.name]) if provider_input else ""
    service_tier = str(resolved[service_input.name]) if service_input else "standard"
    if service_tier != "standard" and not model:
        raise InputTypeError(f"{service_input.name} needs {model_input.name}: a service tier's prices are a named "
                             f"model's, got {service_input.name} {service_tier!r}", argument=service_input.name)
    if service_tier == "batch" and discount_input and resolved[discount_input.name]:
        raise OutOfRangeError(f"{discount_input.name} must be 0 where {service_input.name} is batch: the model's batch "
                              f"prices apply, got {resolved[discount_input.name]!r}", argument=discount_input.name)
    tier_kinds = [k for k in by_kind if k.startswith("tier_") and k != "tier_start"]
    if not model:
        if provider:
            raise InputTypeError(f"{provider_input.name} needs {model_input.name}: without a model the prices are the "
                                 f"ones typed, got {provider_input.name} {provider!r:.60}",
                                 argument=provider_input.name)
        for kind in tier_kinds:  # no model, no tier: the base price above the start too, unless set
            if by_kind[kind].name not in given:
                resolved[by_kind[kind].name] = resolved[by_kind[kind.removeprefix("tier_")].name]
        return {}
    from ..prices import api_prices

    day = from_serial(resolved[date_input.name] if date_input else resolved[template.calendar["start"]])
    try:
        found = api_prices(model, provider or None, day, None if service_tier == "standard" else service_tier)
    except InputError as exc:
        dated = date_input or template.input(template.calendar["start"])
        blamed = {"provider": provider_input, "price_date": dated, "service_tier": service_input}.get(exc.argument) \
            or model_input
        raise type(exc)(f"{blamed.name}: {exc}", argument=blamed.name) from None
    tiers = found["context_tiers"]
    tier_words = "" if service_tier == "standard" else f", {service_tier} tier"
    cite = f"{found['model']} ({found['provider']}{tier_words}) on {found['date']}, {found['source']} [GenaiPrices2026]"
    if tiers and ("tier_start" not in by_kind or len(tiers) > 1):
        starts = " and ".join(f"{t['start']:,}" for t in tiers)
        raise OutOfRangeError(f"{model_input.name}: {found['model']} has {len(tiers)} long-context tier(s) (prompts "
                              f"above {starts} tokens) and the {template.name} template holds "
                              f"{'one' if 'tier_start' in by_kind else 'none'}; type its prices for your query "
                              f"sizes and leave {model_input.name} blank", argument=model_input.name)

    def priced(prices: dict[str, Any]) -> dict[str, tuple[float, str]]:
        out = {"input": (prices["input"] or 0.0, "")}
        out["output"] = (prices["output"], "") if prices["output"] is not None else (0.0, "; no output price: 0")
        for kind in ("cached_input", "cache_write"):  # no such price: those tokens are billed as input
            out[kind] = ((prices[kind], "") if prices[kind] is not None
                         else (out["input"][0], f"; no {kind.replace('_', ' ')} price: billed at the input price"))
        return out

    base = priced(found)
    above = priced(tiers[0]) if tiers else base
    sources = {}
    for kind, inp in by_kind.items():
        if kind in ("model", "provider", "date", "service_tier", "batch_discount") or inp.name in given:
            continue
        if kind == "tier_start":
            if tiers:
                resolved[inp.name] = float(tiers[0]["start"])
                sources[inp.name] = (f"{cite}: a prompt of more than this many tokens is billed at the tier's prices "
                                     "for every token of the request")
            else:
                sources[inp.name] = f"{cite}: no long-context tier; the prices above it are the base prices"
            continue
        value, note = (above if kind.startswith("tier_") else base)[kind.removeprefix("tier_")]
        resolved[inp.name] = float(value)
        sources[inp.name] = cite + (note if tiers or not kind.startswith("tier_") else "; no long-context tier: "
                                    "the base price" + note)
    return sources


def _refuse(template: Template, values: "ResolvedInputs") -> None:
    """Raise OutOfRangeError, naming the input, where a check that ``refuses`` fails for ``values``."""
    refusing = [c for c in template.checks if c.refuses]
    if not refusing:
        return
    if values.evaluated is None:
        values.evaluated = evaluate_template(template, values)
    checks = values.evaluated[2]
    for check in refusing:
        if not checks[check.label]:
            raise OutOfRangeError(f"{check.refuses} = {values[check.refuses]!s:.60}: {check.fails}",
                                  argument=check.refuses)


def _ranges(template: Template, resolved: dict[str, Any], ends: dict, taken: set = frozenset()
            ) -> dict[str, tuple[float, float, float]]:
    """Each uncertain input's (low, base, high): the template's range, ends the user set, the base typed.

    A base set outside the template's range widens it to include the base (the range is
    the template's view, the base the user's); ends the user sets must bracket the base.
    """
    out = {}
    for inp in template.inputs:
        if inp.range is None:
            continue
        base = resolved[inp.name]
        given = {k: _convert(inp, ends[inp.name, k], inp.name in taken) for k in (0, 1) if (inp.name, k) in ends}
        low = given.get(0, min(inp.range[0], base))
        high = given.get(1, max(inp.range[1], base))
        if not low <= base <= high:
            raise OutOfRangeError(f"{inp.name}_low <= {inp.name} <= {inp.name}_high must hold, got {show_number(low)} "
                                  f"<= {show_number(base)} <= {show_number(high)}", argument=inp.name)
        out[inp.name] = (low, base, high)
    return out


class ResolvedInputs(dict):
    """Input values that :func:`resolve_inputs` has converted and checked, for one template.

    ``ranges`` holds each uncertain input's (low, base, high); the value of such an input is
    the one the ``scenario`` input chooses (downside: the end its template declares hurts the
    decision; upside: the other end).
    """

    def __init__(self, values: dict[str, Any], template: str, ranges: dict | None = None):
        super().__init__(values)
        self.template = template
        self.ranges = dict(ranges or {})
        self.taken: set[str] = set()  # inputs read above their plausible range, with their unit ("500%")
        self.sources: dict[str, str] = {}  # input -> where its value came from, where not the template's source
        self.evaluated = None  # (items, rows, checks) once the overflow probe has computed them


def _check_overflow(template: Template, values: dict[str, Any], given: set[str]) -> None:
    """Raise where a result overflows (beyond 1.8e308, no longer a number), naming the inputs to blame.

    A result that is not a finite number comes either from a ratio with no denominator (a
    zero input: a decision the template writes down) or from an overflow. Putting the given
    inputs back to their defaults, zeros kept, tells the two apart: an overflow goes away.
    """
    def broken(vals, keep: bool = False) -> list[str]:
        try:
            evaluated = evaluate_template(template, vals)
        except InputError as exc:
            return [str(getattr(exc, "argument", None) or exc)]
        except (ArithmeticError, ValueError, TypeError):  # a probe: any failure counts as broken
            return ["a result"]
        items, rows, _ = evaluated
        # NaN in a row that says "n/a" in words (no tokens served before launch) is a legal value
        bad = [n for n, r in rows.items() if np.any(np.isinf(r)) or (n not in worded and np.any(np.isnan(r)))]
        bad += [n for n, v in items.items() if isinstance(v, float) and not math.isfinite(v)]
        if keep and not bad:
            values.evaluated = evaluated  # the schedule of these inputs: costlib.plan.schedule need not compute it again
        return bad

    worded = {name for name, (_, row) in template.rows.items() if none_text(row.expr)}
    numeric = [i for i in template.inputs if i.name in given and i.type in ("number", "integer")
               and values[i.name] != 0 and values[i.name] != i.default]
    if not numeric:
        return  # no number the user set can be blamed for an overflow: nothing to probe
    bad = broken(values, keep=True)
    if not bad:
        return
    reset = {i.name: i.default for i in numeric}
    if broken({**values, **reset}):
        return  # not an overflow: a ratio without a denominator
    blamed = [i.name for i in numeric if not broken({**values, i.name: i.default})]
    if not blamed:
        blamed = [i.name for i in numeric]
    defaults = {i.name: i.default for i in template.inputs}
    what = " and ".join(f"{n} = {show_number(values[n])} (default {show_number(defaults[n])})" for n in blamed)
    raise OutOfRangeError(f"{what} make the {template.name} template's results overflow (beyond 1.8e308, the "
                          f"largest number Excel and Python hold, at {bad[0]}); use values nearer the defaults",
                          argument=blamed[0])


