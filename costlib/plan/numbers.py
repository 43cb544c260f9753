"""Numbers as finance people type them: one reader for the CLI, templates and scenario files.

"70B", "15T", "$2.50", "1,000", "60%" are read; "2,5" (a decimal comma or a thousands
separator?) is refused with a hint. Nothing is guessed.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import InputTypeError, OutOfRangeError

__all__ = ["parse_number", "read_number", "read_text", "show_number", "NUMBER_HINT", "TEXT_LIMIT"]

NUMBER_HINT = "type a number such as 70e9, 70B, 1,000, 2.5, $2.50 or 60%"
SUFFIXES = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
TEXT_LIMIT = 32_767  # Excel's most characters in one cell
_NUMBER = re.compile(r"""
    (?P<sign>[-+]?)
    (?P<currency>\$|usd\s*)?
    (?P<body>[0-9][0-9,_ ]*(?:\.[0-9]*)?|\.[0-9]+)
    (?P<exponent>e[-+]?[0-9]+)?
    \s*(?P<suffix>%|k|mn|m|bn|b|t)?
    \s*(?P<unit>usd)?
    """, re.VERBOSE | re.IGNORECASE)
_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}(?:(?P<sep>[, ])[0-9]{3})?(?:(?P=sep)[0-9]{3})*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def show_number(x: float) -> str:
    """``x`` as typed back to a user: every digit it has (36.000000001, not 36), whole numbers bare."""
    x = float(x)
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(float(x))


def parse_number(name: str, text: str) -> tuple[float, bool]:
    """The number a user typed as text, and whether they gave it a unit (``%``).

    Reads ``70e9``, ``70B`` (K, M, B or bn, T: thousand to trillion), ``$2.50``, ``1,000``
    and ``1 000`` (thousands separators in groups of three), ``60%`` (0.6) and a minus
    sign ``-`` or ``−``. Refuses, with a hint, what could be read two ways: ``2,5`` and
    ``1,0,0`` (decimal comma or thousands separator?), ``1.000,50``; and ``inf``, ``nan``.

    >>> parse_number("params", "70B")
    (70000000000.0, False)
    >>> parse_number("utilization", "60%")
    (0.6, True)
    >>> parse_number("price", "2,5")
    Traceback (most recent call last):
    costlib.errors.InputTypeError: price must be a number, got text '2,5': the comma is ambiguous (2.5 or 25?); type 2.5, or 25 without a comma
    """
    raw = text
    text = text.strip().replace("\u2212", "-").replace("\u00a0", " ").replace("\u202f", " ")
    m = _NUMBER.fullmatch(text)
    if m is None or text.count("%") > 1:
        hint = NUMBER_HINT
        if re.fullmatch(r"[-+]?[0-9.]+,[0-9]+", text) and "." in text:
            hint = f"it looks like a European number; type it with a decimal point and no separator, e.g. {text.replace('.', '').replace(',', '.')}"
        elif re.search(r"[€£¥]", text):
            hint = "costlib's money inputs are in US dollars: convert the figure and type it as $2.50 or 2.50"
        elif text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
            hint = "it must be a finite number"
        raise InputTypeError(f"{name} must be a number, got text {raw!r}: {hint}", argument=name)
    body = m["body"].strip()
    whole, dot, decimals = body.partition(".")
    if "," in whole or " " in whole.strip():
        if not _THOUSANDS.fullmatch(whole.strip()):
            digits = whole.replace(",", "").replace(" ", "")
            if re.fullmatch(r"[0-9]+,[0-9]{1,2}", whole) and not dot:
                a, b = whole.split(",")
                hint = (f"the comma is ambiguous ({a}.{b} or {a}{b}?); type {a}.{b}, or {a}{b} without a comma"
                        if a.strip("0") else f"a decimal comma? type {a}.{b} (a decimal point)")
            else:
                hint = f"thousands separators must come in groups of three digits (1,000,000); or type {digits}"
            raise InputTypeError(f"{name} must be a number, got text {raw!r}: {hint}", argument=name)
    if "_" in whole and not re.fullmatch(r"[0-9]+(?:_[0-9]+)*", whole):
        raise InputTypeError(f"{name} must be a number, got text {raw!r}: {NUMBER_HINT}", argument=name)
    number = float(re.sub(r"[, _]", "", whole) + dot + decimals + (m["exponent"] or ""))
    suffix = (m["suffix"] or "").lower()
    if suffix == "%":
        if m["currency"] or m["unit"]:
            raise InputTypeError(f"{name} must be a number, got text {raw!r}: a share takes % or a "
                                 f"price $, not both", argument=name)
        number /= 100.0
    elif suffix:
        number *= SUFFIXES[suffix]
    if m["sign"] == "-":
        number = -number
    return number, suffix == "%"


def read_number(name: str, value: Any) -> tuple[float, bool]:
    """A value from the CLI, a config file, a scenario file or the API as one float, and if it had a unit."""
    if isinstance(value, str):
        return parse_number(name, value)
    if isinstance(value, bool) or value is None:
        raise InputTypeError(f"{name} must be a number, got {value!r}", argument=name)
    if isinstance(value, (list, tuple, dict, set)) or getattr(value, "ndim", 0) != 0:
        kind = type(value).__name__
        raise InputTypeError(f"{name} must be one number, got a {kind} ({value!r:.60})", argument=name)
    try:
        return float(value), False
    except OverflowError:
        raise OutOfRangeError(f"{name} must be a finite number, got one of {len(str(abs(int(value))))} digits",
                              argument=name) from None
    except (TypeError, ValueError):
        raise InputTypeError(f"{name} must be a number, got {type(value).__name__} {value!r:.60}",
                             argument=name) from None


def read_text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be text, got {value!r:.60}", argument=name)
    bad = _CONTROL.search(value)
    if bad:
        raise InputTypeError(f"{name} must be printable text, got the control character "
                             f"U+{ord(bad.group()):04X} at position {bad.start()}", argument=name)
    if len(value) > TEXT_LIMIT:
        raise OutOfRangeError(f"{name} must be at most {TEXT_LIMIT:,} characters (Excel's limit for one "
                              f"cell), got {len(value):,}", argument=name)
    return value


