"""Numbers as text: the one room for reading them, whoever typed them.

Three readings, each for its reader: :func:`parse_number`, numbers as finance people type
them (the CLI, templates, scenario files); :func:`numeric_text`, a cell's text as Excel's own
functions read it (the add-in); :func:`european_text`, a number from a semicolon-separated
file saved by a European Excel (decimal comma).

"70B", "15T", "$2.50", "1,000,000", "60%" are read; "2,5" (a decimal comma or a thousands
separator?) is refused with a hint, and so is "50.000" or "2,500", which reads as two
numbers 1,000 times apart (a separator grouping thousands, or a decimal mark). Nothing is
guessed. A trailing ``!`` (``2500!``) says "I mean it": the value is taken even where it
lies outside its input's plausible range (:mod:`costlib.plan.plausible`).
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import InputTypeError, OutOfRangeError

__all__ = ["parse_number", "read_number", "read_text", "show_number", "short_number", "engineering", "numeric_text",
           "european_text", "NUMBER_HINT", "TEXT_LIMIT"]

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
    \s*(?P<meant>!)?
    """, re.VERBOSE | re.IGNORECASE)
_THOUSANDS = re.compile(r"[1-9][0-9]{0,2}(?:(?P<sep>[, ])[0-9]{3})?(?:(?P=sep)[0-9]{3})*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


#: From this magnitude on a number is shown in engineering form (``150e15``), never as its 17+ digits
ENGINEERING_FROM = 1e16


def engineering(x: float) -> str:
    """``x`` in engineering form: every digit it has, times a power of ten that is a multiple of 3.

    >>> engineering(1.5e17), engineering(1e300), engineering(-2.5e-7)
    ('150e15', '1e300', '-250e-9')
    """
    from decimal import Decimal

    d = Decimal(repr(float(x)))
    exponent = d.adjusted() - d.adjusted() % 3
    mantissa = format(d.scaleb(-exponent).normalize(), "f")
    return f"{mantissa}e{exponent}"


def show_number(x: float) -> str:
    """``x`` as typed back to a user: every digit it has (36.000000001, not 36), whole numbers bare.

    Numbers from 1e16 up (and non-zero ones below 1e-4) are shown in engineering form.

    >>> show_number(36.0), show_number(36.000000001), show_number(1e300)
    ('36', '36.000000001', '1e300')
    """
    x = float(x)
    if not math.isfinite(x):
        return repr(x)
    if abs(x) >= ENGINEERING_FROM or "e" in repr(x):  # repr's own exponent form: below 1e-4
        return engineering(x)
    if x.is_integer():
        return str(int(x))
    return repr(x)


def short_number(x: float) -> str:
    """``x`` as a list or a range shows it: engineering form from a million up (70e9, 100e12), else as typed."""
    return engineering(x) if math.isfinite(float(x)) and abs(float(x)) >= 1e6 else show_number(x)


def _typed(digits: str, prefix: str, suffix: str) -> str:
    """A number to suggest, with the sign, currency and suffix the user typed around it."""
    return f"{prefix}{digits}{suffix}"


def _decimal_reading(whole: str, decimals: str) -> str:
    """``whole.decimals`` written so that it cannot be read as a thousands group: 2.5, 1.2340."""
    decimals = decimals.rstrip("0")
    if len(decimals) == 3:
        decimals += "0"
    return whole + ("." + decimals if decimals else "")


def parse_number(name: str, text: str) -> tuple[float, bool]:
    """The number a user typed as text, and whether they said they mean it: a unit (``%``) or ``!``.

    Reads ``70e9``, ``70B`` (K, M, B or bn, T: thousand to trillion), ``$2.50``, ``1,000``
    and ``1 000`` (thousands separators in groups of three), ``60%`` (0.6) and a minus
    sign ``-`` or ``−``; a trailing ``!`` takes a value outside its plausible range. Refuses,
    with a hint, what could be read two ways: ``2,5`` and ``1,0,0`` (decimal comma or
    thousands separator?), ``1.000,50``, ``50.000`` and ``2,500`` (two readings 1,000 times
    apart, both offered); and ``inf``, ``nan``.

    >>> parse_number("params", "70B")
    (70000000000.0, False)
    >>> parse_number("utilization", "60%")
    (0.6, True)
    >>> parse_number("price", "2,5")
    Traceback (most recent call last):
    costlib.errors.InputTypeError: price must be a number, got text '2,5': the comma is ambiguous (2.5 or 25?); type 2.5, or 25 without a comma
    >>> parse_number("finetune_cost", "50.000")
    Traceback (most recent call last):
    costlib.errors.InputTypeError: finetune_cost must be a number, got text '50.000': it reads as 50000 (the point grouping thousands) or 50 (a decimal point), 1,000 times apart; type 50000 or 50
    >>> parse_number("price", "2500!")
    (2500.0, True)
    """
    raw = text
    text = text.strip().replace("\u2212", "-").replace("\u00a0", " ").replace("\u202f", " ")
    m = _NUMBER.fullmatch(text)
    if m is None or text.count("%") > 1:
        hint = NUMBER_HINT
        bare = re.sub(r"^[-+]?\s*(?:[€£¥$]|eur|gbp|usd)\s*|\s*(?:[€£¥]|eur|gbp)$", "", text, flags=re.I)
        if re.fullmatch(r"[-+]?[0-9.]+,[0-9]+", text) and "." in text:
            hint = f"it looks like a European number; type it with a decimal point and no separator, e.g. {text.replace('.', '').replace(',', '.')}"
        elif re.search(r"[€£¥]", text):
            hint = (f"type the amount without the currency sign ({bare or 'a number'}): money inputs are figures "
                    f"in the plan's currency, its currency input (USD unless set); convert it first if the plan "
                    f"is in another currency")
        elif text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
            hint = "it must be a finite number"
        raise InputTypeError(f"{name} must be a number, got text {raw!r}: {hint}", argument=name)
    body = m["body"].strip()
    whole, dot, decimals = body.partition(".")
    around = text[:m.start("body")], text[m.end("body"):].rstrip("!").rstrip()  # "$", "B": kept in hints
    if "," in whole or " " in whole.strip():
        if not _THOUSANDS.fullmatch(whole.strip()):
            digits = whole.replace(",", "").replace(" ", "")
            european = re.fullmatch(r"([0-9]{1,3}(?:[ .][0-9]{3})+),([0-9]+)", whole.strip())
            if european and not dot:
                plain = european[1].replace(" ", "").replace(".", "") + "." + european[2]
                hint = (f"it looks like a European number (spaces grouping thousands, a decimal comma); type "
                        f"{_typed(plain, *around)}")
            elif re.fullmatch(r"[0-9]+,[0-9]{1,2}", whole) and not dot:
                a, b = whole.split(",")
                one, other = _typed(f"{a}.{b}", *around), _typed(f"{a}{b}", *around)
                hint = (f"the comma is ambiguous ({one} or {other}?); type {one}, or {other} without a comma"
                        if a.strip("0") else f"a decimal comma? type {one} (a decimal point)")
            else:
                hint = f"thousands separators must come in groups of three digits (1,000,000); or type {digits}"
            raise InputTypeError(f"{name} must be a number, got text {raw!r}: {hint}", argument=name)
    if "_" in whole and not re.fullmatch(r"[0-9]+(?:_[0-9]+)*", whole):
        raise InputTypeError(f"{name} must be a number, got text {raw!r}: {NUMBER_HINT}", argument=name)
    # one separator before three digits: 50.000 and 2,500 are each two numbers, 1,000 times apart
    group = re.fullmatch(r"([1-9][0-9]{0,2})[.,]([0-9]{3})", body)
    if group and not m["exponent"]:
        head, tail = group.group(1), group.group(2)
        mark = "comma" if "," in whole else "point"
        thousands, decimal = _typed(head + tail, *around), _typed(_decimal_reading(head, tail), *around)
        raise InputTypeError(
            f"{name} must be a number, got text {raw!r}: it reads as {thousands} (the {mark} grouping thousands) "
            f"or {decimal} (a decimal {mark}), 1,000 times apart; type {thousands} or {decimal}", argument=name)
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
    return number, suffix == "%" or bool(m["meant"])


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


#: Numeric text as Excel's VALUE reads it (en-US): spaces, a currency sign, thousands
#: separators, a percent sign, a leading minus or accounting parentheses, an exponent.
_NUMERIC_TEXT = re.compile(r"""^(?P<open>\()?(?P<sign>[-+])?[$€£¥]?(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?
                               |\.\d+)(?:[eE](?P<exp>[-+]?\d+))?(?P<percent>%)?(?P<close>\))?$""", re.VERBOSE)


def numeric_text(text: str) -> float | None:
    """``text`` as the number Excel's own functions read it as, or None where it is not one.

    >>> numeric_text("(1,250.5)"), numeric_text("12%"), numeric_text("2,5")
    (-1250.5, 0.12, None)
    """
    m = _NUMERIC_TEXT.match(text.replace("\u00a0", "").replace(" ", ""))
    if not m or bool(m["open"]) != bool(m["close"]) or (m["open"] and m["sign"]):
        return None
    number = float(m["number"].replace(",", "") + (f"e{m['exp']}" if m["exp"] else ""))
    if m["percent"]:
        number /= 100
    return -number if m["sign"] == "-" or m["open"] else number


def european_text(text: str, name: str, where: str) -> str:
    """A number from a semicolon-separated file (European Excel), as :func:`parse_number` reads it.

    The comma is the decimal mark; a dot or a space groups thousands. A dot alone between
    digit groups (``2.500``) may be either: refused, naming ``where`` and ``name``.

    >>> european_text("1.234,5", "params", "line 2"), european_text("2,500", "mfu", "line 2")
    ('1234.5e0', '2.500e0')
    """
    value = text.strip()
    if "," in value and re.fullmatch(r"[-+]?[$]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+\s*%?", value):
        # the comma is the decimal mark here: "e0" keeps 2,500 (2.5) from reading as a thousands group
        point = value.replace(".", "").replace(",", ".")
        return re.sub(r"(\d)(\s*%?)$", r"\1e0\2", point)
    if re.fullmatch(r"[-+]?[$]?\d{1,3}(?:\.\d{3})+\s*%?", value):
        raise InputTypeError(f"{where}: {name} is {value!r}; in a semicolon-separated file the dot may group "
                             "thousands or mark decimals: type it without the dot, or with a decimal comma",
                             argument=name)
    return value
