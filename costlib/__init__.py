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
import sys
import types

__version__ = "0.1.0"

# Public name -> module that defines it. Loaded on first use (PEP 562), so that the
# ``costlib`` command starts without importing numpy where it does not need it.
_EXPORTS = {
    "arguments": None, "catalogue": None, "prices": None, "errors": None, "formulas": None, "plan": None, "timeline": None, "workbook": None,
    "api_price": "catalogue", "gpu_price": "catalogue", "gpu_spec": "catalogue",
    **dict.fromkeys([
        "COGS_SHARE_REDESIGN", "GROSS_MARGIN_FLOOR", "amortized_cost_per_m_tokens", "breakeven",
        "breakeven_after_decline", "cogs_share", "gross_margin", "monthly_cogs", "months_to_breakeven",
        "needs_redesign", "price_after_decline", "query_cost_quantiles", "scale_plan", "unit_economics_verdict",
        "utilization_breakeven", "VERDICTS",
    ], "economics"),
    **dict.fromkeys([
        "CatalogueError", "CostlibError", "InputError", "InputTypeError", "OutOfRangeError", "ShapeError",
        "UnknownNameError",
    ], "errors"),
    **dict.fromkeys([
        "BYTES_PER_PARAM", "api_cost_per_query", "blended_cost_per_query", "cost_of_tokens", "cost_per_m_tokens",
        "decode_tokens_per_second",
        "kv_cache_bytes", "prefill_seconds", "serving_gpu_hours", "token_cost", "weight_bytes",
        "time_per_output_token", "serving_tokens_per_second", "requests_per_second", "gpus_for_load",
        "DECODE_BANDWIDTH_UTILIZATION",
    ], "inference"),
    "scenarios": "scenarios",
    "Range": "simulate", "Simulation": "simulate", "simulate": "simulate",
    **dict.fromkeys([
        "CHINCHILLA_FIT", "InferenceOptimal", "accelerator_peak_tflops", "chinchilla_loss", "chinchilla_optimal_params", "chinchilla_tokens",
        "compute_gpu_hours", "energy_cost", "inference_optimal", "loss_optimal_params", "moe_active_params",
        "data_preparation_cost", "failed_runs_cost", "programme_capex", "programme_capex_breakdown",
        "research_cost", "train_cost", "train_flops", "train_gpu_hours",
    ], "training"),
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'costlib' has no attribute {name!r}")
    module = importlib.import_module(f".{_EXPORTS[name] or name}", __name__)
    value = module if _EXPORTS[name] is None else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


class _Package(types.ModuleType):
    """``costlib`` itself: ``costlib.simulate`` and ``costlib.scenarios`` stay the functions.

    Importing the module ``costlib.simulate`` (``from costlib.simulate import Range``, a
    doctest run) makes Python bind the package's attribute ``simulate`` to the module,
    after which ``costlib.simulate(...)`` would fail; a module named as its function binds
    the function instead.
    """

    def __setattr__(self, name, value):
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == name and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
