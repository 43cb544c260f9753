"""Named constants: the fixed numbers inside costlib's formulas, each with its unit and source.

A workbook writes none of these as a literal: each is a defined name on the Inputs sheet's
Constants block (value, unit, source), and a formula reads it by name
(``=training_gpu_hours/training_gpus/hours_per_month``). An Excel twin refers to one as
``{#hours_per_month}`` (:mod:`costlib.formulas`); a template formula may use a scalar one
by its name, as it uses an input. Where no Constants block exists (a formula inlined into a
user's own workbook), the twin writes the number.

A table constant (bytes per parameter by number format) is looked up by key:
``{#bytes_per_parameter[precision]}`` is ``INDEX(bytes_per_parameter, MATCH(precision,
bytes_per_parameter_key, 0))`` in a workbook, a chain of IFs elsewhere.

The values are definitions (seconds in an hour), conventions (hours in a month) or
storage widths; nothing priced lives here (prices are in ``costlib/data/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Constant", "CONSTANTS", "constant_value"]


@dataclass(frozen=True)
class Constant:
    """A fixed number of costlib's formulas [its ``unit``], or a table of them by key."""

    name: str
    value: Any  # a float, or a dict key -> float for a table
    unit: str
    source: str

    @property
    def table(self) -> bool:
        return isinstance(self.value, dict)


def _constants(*entries: Constant) -> dict[str, Constant]:
    return {c.name: c for c in entries}


CONSTANTS = _constants(
    Constant("hours_per_month", 730.0, "h/month",
             "Identity: 365 days x 24 h / 12 months = 730 h, the average month cloud price sheets bill GPU-hours in"),
    Constant("seconds_per_hour", 3600.0, "s/h", "Identity: 60 minutes x 60 seconds"),
    Constant("bytes_per_parameter", {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5},
             "B/parameter",
             "Storage width of each number format: FP32 4 B, BF16 and FP16 2 B (IEEE 754 binary16 and bfloat16), "
             "FP8 and INT8 1 B, INT4 half a byte [NVIDIA2022]"),
    Constant("mfu_scale_by_precision", {"bf16": 1.0, "fp16": 1.0, "tf32": 1.0, "fp8": 0.5},
             "fraction of the BF16 MFU",
             "Assumption: a training run in FP8 reaches the realised FLOP/s of the same run in BF16, so half the "
             "share of its own peak (twice the BF16 peak, [NVIDIA2022]); measured FP8 runs on H100 reach 0.36-0.38 "
             "of the FP8 peak for dense models and 0.06-0.12 for mixtures of experts [MegatronBridge2025]"),
    Constant("kv_tensors_per_layer", 2.0, "tensors/layer",
             "[Pope2023]: the KV cache holds two tensors a layer for each token, its keys and its values"),
    Constant("kv_cache_bytes_per_value", 2.0, "B/value",
             "Assumption: a KV cache kept in BF16 or FP16, 2 bytes a cached value (the storage width of "
             "bytes_per_parameter's bf16); an FP8 cache would halve it"),
    Constant("forward_flops_per_parameter", 2.0, "FLOP/parameter/token",
             "A forward pass costs 2 FLOPs per parameter per token, a multiply and an add [Kaplan2020]"),
    Constant("attention_flops_per_context_value", 4.0, "FLOP/layer/token/context token/dimension",
             "[Hoffmann2022] App. F: a layer's attention logits and its reduction over the values each cost "
             "2 x context x d FLOPs a token (a multiply and an add per context token and model dimension)"),
    Constant("allreduces_per_layer", 2.0, "all-reduces/layer",
             "[Narayanan2021] sec. 2.3: tensor model parallelism all-reduces twice a layer in the forward pass, "
             "after the attention and after the MLP"),
    Constant("ring_allreduce_factor", 2.0, "dimensionless",
             "Identity of a ring all-reduce (a reduce-scatter, then an all-gather): each of g GPUs sends "
             "2 (g - 1) / g of the data over its link"),
    Constant("activation_bytes_per_value", 2.0, "B/value",
             "Assumption: engines reduce activations in 16-bit (BF16 or FP16, 2 bytes) even where the weights "
             "are FP8"),
    Constant("lognormal_p95_divisor", 2 * 1.6448536269514722 ** 2, "squared standard deviations",
             "Identity: 2 z^2 with z = 1.6448536, the standard normal's 95th percentile (NORM.S.INV(0.95)): a "
             "lognormal's mean is its median x exp(ln(p95 / median)^2 / (2 z^2))"),
    Constant("months_per_quarter", 3.0, "months/quarter", "Identity: a quarter is three months"),
    Constant("quarters_per_year", 4.0, "quarters/year", "Identity: four quarters a year"),
    Constant("rounding_places", 9.0, "decimal places",
             "Assumption: places a value is rounded to before it is rounded up or shown; removes binary floating-point noise "
             "(0.2025 x 100 = 20.249999...) far below any figure shown"),
    Constant("cents_places", 2.0, "decimal places",
             "Assumption: a money figure in a sentence to the cent, as the usd_cents number format shows it ($20.00)"),
    Constant("millions_places", 2.0, "decimal places",
             "Assumption: a figure in millions in a sentence to two places (USD 5.90 M), so a difference of ten "
             "thousand shows"),
    Constant("per_query_places", 4.0, "decimal places",
             "Assumption: a per-query cost in a sentence to four places, as the usd_small number format shows it "
             "($0.0135)"),
    Constant("check_tolerance", 1e-9, "fraction",
             "Assumption: relative tolerance of a check that two figures agree; floating-point noise, not a difference"),
    Constant("first_date_serial", 61.0, "date serial",
             "Identity of the 1900 date system: serial 61 is 1 March 1900, from which Excel, LibreOffice and Gnumeric "
             "number dates alike (Excel counts a 29 February 1900 that never was)"),
    Constant("currency_code_length", 3.0, "characters", "Identity: an ISO 4217 currency code is three letters"),
)


def constant_value(name: str, key: Any = None) -> float:
    """The value of constant ``name`` [its unit]; for a table, the value at ``key``."""
    c = CONSTANTS[name]
    return float(c.value[key] if c.table else c.value)
