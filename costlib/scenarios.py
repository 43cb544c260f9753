"""A DataFrame of scenarios in, a DataFrame of results out."""

from __future__ import annotations

import inspect
from typing import Callable

from .errors import InputError

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
    InputError
        Where a function's required argument is neither a column nor in ``fixed``.

    Examples
    --------
    >>> import pandas as pd, costlib
    >>> runs = pd.DataFrame({"params": [7e9, 70e9], "tokens": [2e12, 15e12], "price_per_gpu_hour": 2.0})
    >>> out = costlib.scenarios(runs, costlib.train_flops, costlib.train_cost, mfu=0.4)
    >>> out["train_flops"].tolist()
    [8.4e+22, 6.3e+24]
    """
    import pandas as pd

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
