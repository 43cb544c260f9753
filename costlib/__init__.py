"""costlib: what a large language model costs to build (capex) and to run (opex).

Every public function takes scalars, numpy arrays or pandas Series and broadcasts:
a scalar in gives a float out, a Series in gives a Series with the same index out.
Units are in each docstring and in the README's nomenclature table.

>>> import costlib
>>> round(costlib.train_cost(70e9, 15e12, 2.0, gpu="H100", mfu=0.4) / 1e6, 2)
8.84
"""

from __future__ import annotations

import importlib
from pathlib import Path

__version__ = "0.1.0"

#: Modules whose ``__all__`` is costlib's own: ``costlib.train_cost`` is ``costlib.training.train_cost``.
#: Loaded on first use (PEP 562), lightest first, so that the ``costlib`` command starts without
#: importing numpy where it does not need it.
_FLAT = ("errors", "scenario_table", "training", "inference", "economics", "uncertainty")
#: The catalogue's look-ups at the top; the rest of it (``load``, ``use``) stays ``costlib.catalogue.*``.
_CATALOGUE = ("api_price", "gpu_price", "gpu_spec")
#: Subpackages and modules reached as ``costlib.<name>``.
_MODULES = ("arguments", "catalogue", "prices", "errors", "formulas", "plan", "timeline", "workbook", "actuals",
            "uncertainty", "scenario_table")


def _module(name: str):
    return importlib.import_module(f".{name}", __name__)


def _is_submodule(name: str) -> bool:
    here = Path(__file__).parent
    return (here / f"{name}.py").is_file() or (here / name / "__init__.py").is_file()


def _exports() -> dict[str, str | None]:
    """Public name -> the module that defines it (None for a module itself), from the modules' ``__all__``."""
    out: dict[str, str | None] = dict.fromkeys(_MODULES)
    out.update(dict.fromkeys(_CATALOGUE, "catalogue"))
    for module in _FLAT:
        for name in _module(module).__all__:
            if out.get(name, module) != module:
                raise ImportError(f"costlib.{module} and costlib.{out[name]} both export {name}")
            out[name] = module
    return out


def __getattr__(name: str):
    if name == "__all__":
        value = sorted(_exports())
    elif name in _MODULES:
        value = _module(name)
    elif name in _CATALOGUE:
        value = getattr(_module("catalogue"), name)
    elif name.startswith("_") or (name not in _FLAT and _is_submodule(name)):
        # private names and submodules (``from . import _args`` while the package loads) are the
        # import system's to find: searching the engine modules for them would import them mid-way
        raise AttributeError(f"module 'costlib' has no attribute {name!r}")
    else:
        found = next((m for m in _FLAT if name in _module(m).__all__), None)
        if found is None:
            raise AttributeError(f"module 'costlib' has no attribute {name!r}")
        value = getattr(_module(found), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_exports()))
