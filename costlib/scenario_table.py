"""A DataFrame of scenarios in, a DataFrame of results out."""

from __future__ import annotations

import inspect
from typing import Callable

from .errors import InputError, InputTypeError, UnknownNameError


def _closest(name, names) -> str:
    """"; closest: mfu" for a name typed in another case, with a space or a typo."""
    import difflib

    text = str(name).strip().lower()
    same = [n for n in names if n.lower() == text]
    close = same + [n for n in difflib.get_close_matches(text, list(names), n=3, cutoff=0.6) if n not in same]
    return f"; closest: {', '.join(close[:3])}" if close else f"; arguments are {', '.join(names)}"

__all__ = ["scenarios"]


def scenarios(frame, *functions: Callable, **fixed):
    """Evaluate each function on every row of ``frame`` in one vectorised call per function.

    Columns are matched to arguments by name; ``fixed`` supplies arguments shared by all
    rows; arguments found in neither take their defaults.

    Parameters
    ----------
    frame : pandas.DataFrame
        One scenario per row, one input per column (named as the functions' arguments).
    *functions : callable
        costlib functions, e.g. ``costlib.train_cost``.
    **fixed
        Arguments that are the same for every scenario.

    Returns
    -------
    pandas.DataFrame
        ``frame``'s index, one column per function, named after it.

    Raises
    ------
    UnknownNameError
        A column or keyword that is no argument of any of the functions (``MFU``, ``mfu ``,
        ``mfu_``): the message names the closest, so a typo never falls back to a default.
    InputError
        Where a function's required argument is neither a column nor in ``fixed``, or an
        argument is both a column and a keyword.

    Examples
    --------
    >>> import pandas as pd, costlib
    >>> runs = pd.DataFrame({"params": [7e9, 70e9], "tokens": [2e12, 15e12], "price_per_gpu_hour": 2.0})
    >>> out = costlib.scenarios(runs, costlib.train_flops, costlib.train_cost, mfu=0.4)
    >>> out["train_flops"].tolist()
    [8.4e+22, 6.3e+24]
    """
    import pandas as pd

    if not hasattr(frame, "columns") or not hasattr(frame, "index"):
        raise InputTypeError(f"frame must be a pandas DataFrame of scenarios, got {type(frame).__name__}",
                             argument="frame")
    if not functions:
        raise InputTypeError("give at least one costlib function, e.g. costlib.scenarios(frame, costlib.train_cost)",
                             argument="functions")
    accepted: dict[str, None] = {}
    for function in functions:
        if not callable(function):
            raise InputTypeError(f"functions must be costlib functions, got {function!r:.60}", argument="functions")
        accepted.update(dict.fromkeys(inspect.signature(function).parameters))
    what = ", ".join(f.__name__ for f in functions)
    for column in frame.columns:
        if column not in accepted:
            raise UnknownNameError(f"the column {column!r} is not an argument of {what}{_closest(column, accepted)}; "
                                   f"rename it, or pass frame[[...]] with only the columns to use", argument=str(column))
    for name in fixed:
        if name not in accepted:
            raise UnknownNameError(f"{name!r} is not an argument of {what}{_closest(name, accepted)}", argument=name)
        if name in frame.columns:
            raise InputError(f"{name} is both a column and a keyword; drop one (the column sets it per scenario)",
                             argument=name)
    results = {}
    for function in functions:
        kwargs = {}
        for name, parameter in inspect.signature(function).parameters.items():
            if name in frame.columns:
                kwargs[name] = frame[name]
            elif name in fixed:
                kwargs[name] = fixed[name]
            elif parameter.default is inspect.Parameter.empty:
                raise InputError(f"{name} is required by {function.__name__}: add a column {name!r} "
                                 f"or pass {name}=...; columns are {', '.join(map(str, frame.columns))}",
                                 argument=name)
        results[function.__name__] = pd.Series(function(**kwargs), index=frame.index)
    return pd.DataFrame(results, index=frame.index)
