"""Inference cost: the operating expense (opex) of serving a model, every token, forever."""

from __future__ import annotations

import math

import numpy as np

from . import _args, prices
from .constants import CONSTANTS, constant_value
from .arguments import ARGUMENTS, documented
from .formulas import excel
from .catalogue import bandwidth_bytes_per_s, link_bytes_per_s, peak_flops
from .errors import InputTypeError, UnknownNameError

__all__ = [
    "BYTES_PER_PARAM", "weight_bytes", "kv_cache_bytes", "decode_tokens_per_second", "prefill_seconds",
    "serving_gpu_hours", "token_cost", "api_cost_per_query", "api_bill", "context_tier_price", "blended_cost_per_query", "TOKENS_PER_MILLION",
    "cost_of_tokens", "cost_per_m_tokens", "time_per_output_token", "serving_tokens_per_second",
    "requests_per_second", "gpus_for_load", "DECODE_BANDWIDTH_UTILIZATION", "SERVING_MFU", "PREFILL_MFU",
    "LINK_EFFICIENCY",
]

TOKENS_PER_MILLION = 1e6
SECONDS_PER_HOUR = constant_value("seconds_per_hour")

#: Bytes per stored parameter by weight precision [B] (costlib.constants, its one home), and the catalogue
#: peak the arithmetic runs at. int8 and int4 are weight-only quantisation: weights are read small, computed in BF16.
BYTES_PER_PARAM = dict(CONSTANTS["bytes_per_parameter"].value)
_COMPUTE_PRECISION = {"fp32": "tf32", "bf16": "bf16", "fp16": "fp16", "fp8": "fp8", "int8": "bf16",
                      "int4": "bf16"}


#: ``precision`` where it is the weights' number format (this module's reading of it).
_WEIGHT_PRECISION = ARGUMENTS["precision"].but(
    meaning='Weight precision, which sets the bytes read per parameter: "fp32", "bf16", "fp16", "fp8", '
            '"int8" or "int4" [name]',
    type='{"fp32", "bf16", "fp16", "fp8", "int8", "int4"}')


def _precision(precision: str) -> str:
    p = str(precision).strip().lower()
    if p not in BYTES_PER_PARAM:
        raise UnknownNameError(f"precision must be one of {', '.join(BYTES_PER_PARAM)}, got {precision!r}",
                               argument="precision")
    return p


#: Default share of the peak HBM bandwidth a decode step reaches (MBU) in every decode
#: function: the mean of four measured single-stream BF16 decoders on A100 80GB, 0.68-0.72
#: ([PyTorch2023], [TorchAO2024]; tests/test_calibration.py, and Notes of
#: :func:`time_per_output_token`); 1 is the bandwidth ceiling (the roofline bound).
DECODE_BANDWIDTH_UTILIZATION = 0.70
#: Default share of the dense peak a compute-bound decode step reaches, in every decode
#: function: an assumption, the 40 % the training examples use ([WaferZero2026]) rounded up for
#: kernels without a backward pass; TensorRT-LLM's LLaMA 70B on one H200 at batch 1,024
#: reaches it in FP8 ([NVIDIA2024], tests/test_calibration.py).
SERVING_MFU = 0.5
#: Default share of the dense peak a prefill reaches, by the precision of its arithmetic,
#: each relative to that precision's own peak [fraction]: the mean of TensorRT-LLM's measured
#: first-token latencies of 2,048-token prompts at batch 1 ([NVIDIA2023], "Low Latency"):
#: A100 FP16 GPT-J 6B 129 ms and LLaMA 7B 133 ms reach 0.64 and 0.69 of the FP16 peak, H100
#: FP8 29 ms and 36 ms reach 0.45 and 0.40 of the FP8 peak (attention FLOPs counted;
#: tests/test_calibration.py). BF16 and TF32 as FP16 (assumption: the same kernels).
PREFILL_MFU = {"bf16": 0.67, "fp16": 0.67, "tf32": 0.67, "fp8": 0.43}
#: Default share of the one-way interconnect bandwidth a tensor-parallel all-reduce reaches, as
#: an effective figure that also absorbs the all-reduce's latency and synchronisation (NCCL's
#: wire efficiency alone is higher): fitted on TensorRT-LLM's LLaMA 70B tensor-parallel rows the
#: model reaches, H200 TP 2 [NVIDIA2024] and H100 TP 2 [NVIDIA2023] (tests/test_calibration.py).
LINK_EFFICIENCY = 0.25


def _is_named(gpu) -> bool:
    """Whether ``gpu`` holds catalogue names (text), not figures: a Python int too big for int64 is a figure."""
    if isinstance(gpu, str):
        return True
    if np.ndim(gpu) == 0:
        return False
    kind = np.asarray(gpu).dtype.kind
    return kind in "US" or (kind == "O" and any(isinstance(v, str) for v in np.asarray(gpu).reshape(-1)))


def _one(value, argument):
    """A text argument given as an array with one distinct element is that element; several are refused."""
    if isinstance(value, str) or value is None or np.ndim(value) == 0:
        return value.item() if hasattr(value, "item") else value
    flat = {v.item() if hasattr(v, "item") else v for v in np.asarray(value, dtype=object).reshape(-1)}
    if len(flat) != 1:
        raise InputTypeError(f"{argument} must be one value for the whole call, got {len(flat)} different ones",
                             argument=argument)
    return flat.pop()


def _prefill_mfu(precision: str) -> float:
    return PREFILL_MFU[_COMPUTE_PRECISION[_precision(precision)]]


def _hidden_size(params, layers):
    """Model width d [values] from N = 12 L d^2 ([Kaplan2020], sec. 2.1: attention 4 d^2 and an MLP of
    4 d, 8 d^2, per layer); within 4 % of LLaMA 7B/70B's, GPT-J's and Mistral 7B's."""
    return _args.sqrt(_args.divide(params, 12.0 * layers))


def _allreduce_seconds(tokens, layers, params, gpus, gpu, link_efficiency):
    """Seconds of the tensor-parallel all-reduces of one forward pass over ``tokens`` tokens.

    Two all-reduces a layer (after attention and after the MLP), each of tokens x d values; a
    ring all-reduce sends 2 (g - 1) / g of them over each GPU's link. None where gpus is 1.
    """
    g = np.asarray(gpus, dtype=float)
    if not np.any(g > 1):
        return 0.0
    sent = (constant_value("allreduces_per_layer") * layers * constant_value("ring_allreduce_factor") * (g - 1.0) / g
            * tokens * _hidden_size(params, layers) * constant_value("activation_bytes_per_value"))
    seconds = _args.divide(sent, link_bytes_per_s(gpu) * link_efficiency)
    if g.ndim == 0:
        return seconds
    return np.where(g > 1, seconds, 0.0)  # one GPU (or a fraction of one) sends nothing, whatever the rest


@documented(returns="B", params="All the parameters stored, every expert of a mixture of experts included (not the "
                   "active parameters) [parameters]",
            precision=_WEIGHT_PRECISION.but(meaning='Weight precision: "fp32", "bf16", "fp16", "fp8", "int8" or '
                                                    '"int4" [name]'))
def weight_bytes(params, precision="bf16"):
    """Memory the weights take [B] at ``precision`` (fp32, bf16, fp16, fp8, int8, int4).

    {parameters}

    Examples
    --------
    A 70B model in BF16 needs 140 GB, more than one 80 GB H100 holds:

    >>> weight_bytes(70e9, "bf16") / 1e9
    140.0
    """
    a = _args.parse(params=(params, "positive"))
    return a.wrap(a.params * BYTES_PER_PARAM[_precision(precision)])


@documented(returns="B")
def kv_cache_bytes(layers, kv_heads, head_dim, context_tokens, bytes_per_value=2.0):
    """Key-value cache of one sequence [B].

    {parameters}

    Notes
    -----
    KV = 2 (K and V) x layers x kv_heads x head_dim x context x bytes.

    Examples
    --------
    Llama 2 70B (80 layers, 8 KV heads of 128) at 4,096 tokens in BF16: 1.34 GB per sequence.

    >>> round(kv_cache_bytes(80, 8, 128, 4096) / 1e9, 2)
    1.34
    """
    a = _args.parse(layers=(layers, "positive"), kv_heads=(kv_heads, "positive"), head_dim=(head_dim, "positive"),
                    context_tokens=(context_tokens, "non_negative"), bytes_per_value=(bytes_per_value, "positive"))
    return a.wrap(2.0 * a.layers * a.kv_heads * a.head_dim * a.context_tokens * a.bytes_per_value)


@documented(returns="tokens/s", params="Parameters read per decode step; for a mixture of experts, the active parameters "
                   "[parameters]",
            gpu='Accelerator: a catalogue name such as "H100", or its HBM bandwidth [TB/s] as a number; a '
                'number gives the bandwidth bound alone',
            precision=_WEIGHT_PRECISION,
            gpus="Accelerators the model is split across (tensor parallel); their bandwidth and compute add "
                 "up [count]",
            mfu="Share of the dense peak the decode kernels reach when compute bound [fraction in (0, 1]]")
def decode_tokens_per_second(params, gpu="H100", batch_size=1, precision="bf16", kv_cache_bytes_per_sequence=0.0,
                             gpus=1, mfu=SERVING_MFU, bandwidth_utilization=DECODE_BANDWIDTH_UTILIZATION):
    """Expected decode throughput [tokens/s] of ``batch_size`` sequences, bandwidth or compute bound.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Tokens generated per second across the batch [tokens/s].

    Notes
    -----
    A decode step reads all weights (N x bytes per parameter) and each sequence's KV cache,
    and does 2 N FLOPs per sequence. Step time = max(bytes / bandwidth, 2 N B / (peak x mfu));
    throughput = B / step time. Batching shares the weight read, so throughput grows with B
    until the compute bound (the mechanism: [Pope2023]; the "3-5x" cut in cost per token is an
    assumption (illustrative figure), [ComparthingND]). The defaults are the expected rate: the
    bandwidth measured engines reach (:data:`DECODE_BANDWIDTH_UTILIZATION`, 0.70) and the serving
    MFU (:data:`SERVING_MFU`, 0.5). ``bandwidth_utilization=1, mfu=1`` gives the roofline bound,
    which no engine reaches: a budget takes the expected rate. This shape-free form has no
    tensor-parallel all-reduce (it does not know the layers); :func:`serving_tokens_per_second`
    has it.

    Examples
    --------
    A 70B model in BF16 on two H100s, one sequence: about 34 tokens/s expected (48 the bound);
    a batch of 64 shares the weight read:

    >>> round(decode_tokens_per_second(70e9, "H100", batch_size=1, gpus=2))
    34
    >>> round(decode_tokens_per_second(70e9, "H100", batch_size=1, gpus=2, bandwidth_utilization=1, mfu=1))
    48
    >>> round(decode_tokens_per_second(70e9, "H100", batch_size=64, gpus=2))
    2144
    """
    p = _precision(precision)
    a = _args.parse((gpu,), params=(params, "positive"), batch_size=(batch_size, "positive"),
                    kv_cache_bytes_per_sequence=(kv_cache_bytes_per_sequence, "non_negative"),
                    gpus=(gpus, "positive"), mfu=(mfu, "fraction"), bandwidth_utilization=bandwidth_utilization)
    bytes_per_step = a.params * BYTES_PER_PARAM[p] + a.batch_size * a.kv_cache_bytes_per_sequence
    memory_seconds = _args.divide(bytes_per_step, bandwidth_bytes_per_s(gpu) * a.gpus * a.bandwidth_utilization)
    if _is_named(gpu):
        compute_seconds = _args.divide(2.0 * a.params * a.batch_size,
                                       peak_flops(gpu, _COMPUTE_PRECISION[p]) * a.gpus * a.mfu)
        step = _args.maximum(memory_seconds, compute_seconds)
    else:
        step = memory_seconds
    return a.wrap(_args.divide(a.batch_size, step))


@documented(returns="s", precision=_WEIGHT_PRECISION.but(
    meaning='Weight precision, which sets the compute peak used: "fp32", "bf16", "fp16", "fp8", "int8" or '
            '"int4" [name]'),
            mfu=ARGUMENTS["prefill_mfu"].but(
                meaning="Share of the dense peak the prefill kernels reach; not given: the precision's default, "
                        "0.67 (BF16, FP16, TF32) or 0.43 (FP8), see PREFILL_MFU [fraction]",
                type="float, optional"),
            layers=ARGUMENTS["layers"].but(
                meaning="Transformer layers; given, the attention FLOPs over the prompt and the tensor-parallel "
                        "all-reduces are counted; not given, the matrix multiplies alone [count]",
                type="float, optional"))
def prefill_seconds(params, prompt_tokens, gpu="H100", mfu=None, precision="bf16", gpus=1, layers=None,
                    link_efficiency=LINK_EFFICIENCY):
    """Time to process a prompt [s]: prefill is compute bound, 2 N FLOPs per prompt token and attention.

    {parameters}

    Notes
    -----
    t = (2 N P + 2 L d P^2) / (peak x gpus x mfu) + all-reduce time: 2 N per token for the
    matrix multiplies ([Kaplan2020]) and, per layer, P^2 d for the causal scores QK^T and
    P^2 d for their product with V, with d = sqrt(N / 12 L). Over ``gpus`` > 1 (tensor
    parallel) each layer all-reduces twice over the catalogue's link bandwidth at
    ``link_efficiency``. The default MFU is the precision's own (:data:`PREFILL_MFU`,
    measured first-token latencies).

    Examples
    --------
    A 4,000-token prompt to a 70B model on two H100s in BF16, 80 layers:

    >>> round(prefill_seconds(70e9, 4000, "H100", gpus=2, layers=80), 2)
    0.5
    """
    p = _precision(precision)
    mfu = _prefill_mfu(p) if mfu is None else mfu
    a = _args.parse((gpu,), params=(params, "positive"), prompt_tokens=(prompt_tokens, "non_negative"),
                    mfu=(mfu, "fraction"), gpus=(gpus, "positive"), link_efficiency=(link_efficiency, "fraction"),
                    **({} if layers is None else {"layers": (layers, "positive")}))
    return a.wrap(_prefill(a, gpu, p, a.mfu, None if layers is None else a.layers))


def _prefill(a, gpu, p, mfu, layers):
    """Seconds of one prompt's prefill: matrix multiplies, attention (where ``layers`` is given), all-reduces."""
    flops = 2.0 * a.params * a.prompt_tokens
    comm = 0.0
    if layers is not None:
        flops = flops + 2.0 * layers * _hidden_size(a.params, layers) * a.prompt_tokens * a.prompt_tokens
        comm = _allreduce_seconds(a.prompt_tokens, layers, a.params, a.gpus, gpu, a.link_efficiency)
    return _args.divide(flops, peak_flops(gpu, _COMPUTE_PRECISION[p]) * mfu * a.gpus) + comm


def _serving_hours(tokens, tokens_per_second, utilization):
    # accelerator-hours to serve ``tokens`` at a throughput kept busy ``utilization`` of the time;
    # computed in one buffer (arguments come broadcast from _args.parse): one allocation per call
    busy = tokens_per_second * SECONDS_PER_HOUR
    busy *= utilization
    if type(busy) is float:  # single values (Python floats): no array machinery
        return tokens / busy if busy else _args.divide(tokens, busy)
    return np.divide(tokens, busy, out=busy if isinstance(busy, np.ndarray) and np.shape(tokens) in ((), busy.shape)
                     else None)


@excel("{tokens} / ({tokens_per_second} * {#seconds_per_hour} * {utilization})")
@documented(returns="GPU-h", tokens=ARGUMENTS["tokens"].but(meaning="Tokens served, not training tokens", rule="non_negative"))
def serving_gpu_hours(tokens, tokens_per_second, utilization=1.0):
    """Accelerator-hours [GPU-h] paid for to serve ``tokens`` at a given utilisation.

    {parameters}

    Notes
    -----
    hours = tokens / (tokens per second x 3600 x utilisation): idle hours are paid too.

    Examples
    --------
    100 B tokens a month (assumption) at ~2,000 tokens/s and 20 % utilisation (illustrative,
    [WaferZero2026]):

    >>> round(serving_gpu_hours(100e9, 2000, 0.2))
    69444
    """
    a = _args.parse(tokens=(tokens, "non_negative"), tokens_per_second=(tokens_per_second, "positive"),
                    utilization=(utilization, "fraction"))
    return a.wrap(_serving_hours(a.tokens, a.tokens_per_second, a.utilization))


@excel("1E6 / ({tokens_per_second} * {#seconds_per_hour} * {utilization}) * {price_per_gpu_hour}")
@documented(returns="USD/Mtok", price_per_gpu_hour="Price of the serving accelerator(s) for one hour [USD/GPU-h]")
def token_cost(price_per_gpu_hour, tokens_per_second, utilization=1.0):
    """Self-hosted serving cost [USD per 1 M tokens].

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Cost [USD/Mtok].

    Notes
    -----
    cost per token = price per hour / (tokens per hour x utilisation) (identity; as stated in
    [LatereND]),
    quoted per 1 M tokens.

    Examples
    --------
    Illustrative example ([WaferZero2026]): one H100 at $2.50/hour, ~2,000 tokens/s when full:
    $0.347 per 1 M tokens (identity; $0.35 in the article);
    at 20 % utilisation $1.75; at 5 % $7.00, above a $3.00 API price.

    >>> round(token_cost(2.5, 2000), 3), round(token_cost(2.5, 2000, 0.2), 3), round(token_cost(2.5, 2000, 0.05), 2)
    (0.347, 1.736, 6.94)
    """
    a = _args.parse(price_per_gpu_hour=(price_per_gpu_hour, "non_negative"),
                    tokens_per_second=(tokens_per_second, "positive"), utilization=(utilization, "fraction"))
    hours = _serving_hours(TOKENS_PER_MILLION, a.tokens_per_second, a.utilization)
    hours *= a.price_per_gpu_hour
    return a.wrap(hours)


_API_EXCEL = ("(1 - {batch_discount}) * ({input_tokens} * (1 - {cached_share}) * (1 - {cache_write_share}) * "
              "{input_price_per_m_tokens} + {input_tokens} * {cached_share} * {cached_input_price_per_m_tokens} + "
              "{input_tokens} * (1 - {cached_share}) * {cache_write_share} * {cache_write_price_per_m_tokens} + "
              "({output_tokens} + {reasoning_tokens}) * {output_price_per_m_tokens}) / 1E6")


_PROVIDER_BILL_ONLY = ("a workbook cannot look prices up in genai-prices; name the model in a template's api_model "
                       "input, which writes that model's prices (and its long-context tier) as inputs")


#: The arguments of a call priced by a list or by a model (api_cost_per_query, query_cost_quantiles): the
#: prices left out where a model names the provider's
PRICES_OR_MODEL = dict(
    input_price_per_m_tokens=ARGUMENTS["input_price_per_m_tokens"].but(
        meaning="API list price of input tokens; leave out with a model [USD/Mtok]", type="float, optional"),
    output_price_per_m_tokens=ARGUMENTS["output_price_per_m_tokens"].but(
        meaning="API list price of output tokens; leave out with a model [USD/Mtok]", type="float, optional"),
    service_tier=ARGUMENTS["service_tier"].but(type="str, optional"),
)


@excel(_API_EXCEL, defaults={"cached_input_price_per_m_tokens": "input_price_per_m_tokens",
                             "cache_write_price_per_m_tokens": "input_price_per_m_tokens"},
       unrendered={"model": _PROVIDER_BILL_ONLY, "provider": _PROVIDER_BILL_ONLY,
                   "price_date": _PROVIDER_BILL_ONLY, "service_tier": _PROVIDER_BILL_ONLY})
@documented(returns="USD", output_tokens="Generated tokens per query; every one is another forward pass, priced at a "
                          "premium [tokens]",
            **PRICES_OR_MODEL,
            model=ARGUMENTS["model"].but(
                meaning='API model name in the price data (genai-prices), e.g. "claude-sonnet-4-5"; given, the query '
                        "is billed as its provider bills it (api_bill), and the prices are left out [name]",
                type="str, optional"))
def api_cost_per_query(input_tokens, output_tokens, input_price_per_m_tokens=None, output_price_per_m_tokens=None,
                       cached_share=0.0, cached_input_price_per_m_tokens=None, cache_write_share=0.0,
                       cache_write_price_per_m_tokens=None, reasoning_tokens=0.0, batch_discount=0.0, model=None,
                       provider=None, price_date=None, service_tier=None):
    """Cost of one API call [USD] from its token counts and a price list, or as the provider bills it.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Cost per query [USD].

    Raises
    ------
    InputTypeError
        Where both a price and ``model`` are given, or neither the two prices nor ``model``;
        where ``provider``, ``price_date`` or ``service_tier`` is given without ``model``.

    Notes
    -----
    cost = (1 - b) (I (1 - h) (1 - w) p_in + I h p_cached + I (1 - h) w p_write + (O + R) p_out)
    / 1e6, with h the share of the prompt read from the provider's cache, w the share of the
    rest written to it, R hidden reasoning tokens (billed as output) and b a batch discount.

    Given ``model`` instead of the prices, the cost is :func:`api_bill`'s: the model's prices
    and its provider's rules from genai-prices [GenaiPrices2026] on ``price_date`` (a
    long-context tier above its start in prompt tokens, cache reads and writes, reasoning
    tokens, a ``service_tier``); ``batch_discount`` is then for a provider the data lists no
    batch price for. 1-hour cache writes are :func:`api_bill`'s ``cache_write_ttl``.

    Examples
    --------
    2,000 tokens in and 500 out at $3 / $15 per 1 M tokens:

    >>> round(api_cost_per_query(2000, 500, 3.0, 15.0), 4)
    0.0135

    Half the prompt read from the cache at $0.30, and 2,000 reasoning tokens billed as output:

    >>> round(api_cost_per_query(2000, 500, 3.0, 15.0, cached_share=0.5, cached_input_price_per_m_tokens=0.3,
    ...                          reasoning_tokens=2000), 4)
    0.0408

    A 300,000-token prompt to Claude Sonnet 4.5 as Anthropic bills it on 2026-11-01
    [GenaiPrices2026]: above 200,000 prompt tokens every token costs $6 / $22.50, not $3 / $15:

    >>> round(api_cost_per_query(300_000, 500, model="claude-sonnet-4-5", price_date="2026-11-01"), 4)
    1.8113
    """
    if model is not None:
        given = [n for n, v in (("input_price_per_m_tokens", input_price_per_m_tokens),
                                ("output_price_per_m_tokens", output_price_per_m_tokens),
                                ("cached_input_price_per_m_tokens", cached_input_price_per_m_tokens),
                                ("cache_write_price_per_m_tokens", cache_write_price_per_m_tokens)) if v is not None]
        if given:
            raise InputTypeError(f"{' and '.join(given)} must be left out where model is given (the provider's "
                                 f"prices apply), got model {_args.shown(model)!r} and prices", argument=given[0])
        return api_bill(input_tokens, output_tokens, model, provider, price_date, service_tier, cached_share,
                        cache_write_share, reasoning_tokens, batch_discount)
    for name, value in (("provider", provider), ("price_date", price_date), ("service_tier", service_tier)):
        if value is not None:
            raise InputTypeError(f"{name} needs model: without one the prices are the ones given, got "
                                 f"{name}={_args.shown(value)!r}", argument=name)
    missing = [n for n, v in (("input_price_per_m_tokens", input_price_per_m_tokens),
                              ("output_price_per_m_tokens", output_price_per_m_tokens)) if v is None]
    if missing:  # every rule is checked before a missing price, as where the prices are given
        _args.parse(**{n: (v, r) for n, v, r in (
            ("input_tokens", input_tokens, "non_negative"), ("output_tokens", output_tokens, "non_negative"),
            ("input_price_per_m_tokens", input_price_per_m_tokens, "non_negative"),
            ("output_price_per_m_tokens", output_price_per_m_tokens, "non_negative"),
            ("cached_share", cached_share, "share"),
            ("cached_input_price_per_m_tokens", cached_input_price_per_m_tokens, "non_negative"),
            ("cache_write_share", cache_write_share, "share"),
            ("cache_write_price_per_m_tokens", cache_write_price_per_m_tokens, "non_negative"),
            ("reasoning_tokens", reasoning_tokens, "non_negative"), ("batch_discount", batch_discount, "share"))
            if v is not None})
        raise InputTypeError(f"{' and '.join(missing)} must be given where model is not (a price [USD/Mtok], or "
                             "model to bill as the provider does)", argument=missing[0])
    cached_price = input_price_per_m_tokens if cached_input_price_per_m_tokens is None \
        else cached_input_price_per_m_tokens
    write_price = input_price_per_m_tokens if cache_write_price_per_m_tokens is None \
        else cache_write_price_per_m_tokens
    a = _args.parse(input_tokens=(input_tokens, "non_negative"), output_tokens=(output_tokens, "non_negative"),
                    input_price_per_m_tokens=(input_price_per_m_tokens, "non_negative"),
                    output_price_per_m_tokens=(output_price_per_m_tokens, "non_negative"),
                    cached_share=(cached_share, "share"),
                    cached_input_price_per_m_tokens=(cached_price, "non_negative"),
                    cache_write_share=(cache_write_share, "share"),
                    cache_write_price_per_m_tokens=(write_price, "non_negative"),
                    reasoning_tokens=(reasoning_tokens, "non_negative"), batch_discount=(batch_discount, "share"))
    uncached = a.input_tokens * (1.0 - a.cached_share)
    fresh = uncached * (1.0 - a.cache_write_share) * a.input_price_per_m_tokens
    cached = a.input_tokens * a.cached_share * a.cached_input_price_per_m_tokens
    written = uncached * a.cache_write_share * a.cache_write_price_per_m_tokens
    out = (a.output_tokens + a.reasoning_tokens) * a.output_price_per_m_tokens
    return a.wrap((1.0 - a.batch_discount) * (fresh + cached + written + out) / TOKENS_PER_MILLION)


@documented(returns="USD", output_tokens="Generated tokens per query, the visible answer [tokens]",
            model=ARGUMENTS["model"].but(meaning='API model name in the price data (genai-prices), e.g. '
                                                 '"claude-sonnet-4-5" [name]', type="str"),
            service_tier=ARGUMENTS["service_tier"].but(type="str, optional"))
def api_bill(input_tokens, output_tokens, model, provider=None, price_date=None, service_tier=None, cached_share=0.0,
             cache_write_share=0.0, reasoning_tokens=0.0, batch_discount=0.0, cache_write_ttl="5m"):
    """What the provider bills for one API call [USD]: its prices and its rules, from the price data.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Cost per query [USD].

    Notes
    -----
    The prices and the rules are ``model``'s provider's, from genai-prices [GenaiPrices2026] as
    in force on ``price_date``: a long-context tier prices every token of a request whose prompt
    exceeds its start (the cliff rule); cache writes are billed at their own price (5-minute, or
    1-hour with ``cache_write_ttl="1h"``) and cache reads at theirs; reasoning tokens at the
    output price (or a reasoning price where the provider has one); a ``service_tier``
    ("batch", "flex", "priority") at its prices. The bill is genai-prices' own calculation on
    the request's usage: prompt I with I h read from the cache and I (1 - h) w written to it,
    output O + R.
    ``batch_discount`` is for what the data does not carry, a batch discount of a provider it
    lists no batch price for; it must stay 0 with ``service_tier="batch"``. A price list of
    one's own is :func:`api_cost_per_query`'s.

    Examples
    --------
    2,000 tokens in and 500 out to Claude Sonnet 4.5 as Anthropic bills it on 2026-11-01
    [GenaiPrices2026], and a 300,000-token prompt, above its 200,000-token tier: every token
    at the higher price.

    >>> round(api_bill(2000, 500, "claude-sonnet-4-5", price_date="2026-11-01"), 4)
    0.0135
    >>> round(api_bill(300_000, 500, "claude-sonnet-4-5", price_date="2026-11-01"), 3)
    1.811
    >>> round(api_bill(2000, 500, "gpt-4o", price_date="2026-11-01", service_tier="batch"), 5)
    0.005
    """
    model, provider, price_date, service_tier, cache_write_ttl = (
        _one(v, n) for v, n in ((model, "model"), (provider, "provider"), (price_date, "price_date"),
                                (service_tier, "service_tier"), (cache_write_ttl, "cache_write_ttl")))
    ttl = str(cache_write_ttl).strip().lower() if isinstance(cache_write_ttl, str) else None
    if ttl not in ("5m", "1h"):
        raise UnknownNameError(f'cache_write_ttl must be "5m" or "1h", got {_args.shown(cache_write_ttl)!r}',
                               argument="cache_write_ttl")
    if not isinstance(model, str):
        raise InputTypeError(f"model must be one model name such as 'gpt-4o', got {_args.shown(model)!r}",
                             argument="model")
    a = _args.parse(input_tokens=(input_tokens, "non_negative"), output_tokens=(output_tokens, "non_negative"),
                    cached_share=(cached_share, "share"), cache_write_share=(cache_write_share, "share"),
                    reasoning_tokens=(reasoning_tokens, "non_negative"), batch_discount=(batch_discount, "share"))
    tier = None if service_tier is None else str(service_tier).strip().lower()
    if tier == "batch" and np.any(np.asarray(a.batch_discount) > 0):
        raise InputTypeError("batch_discount must be 0 with service_tier='batch': the price data's batch prices "
                             "already apply", argument="batch_discount")
    return a.wrap(_provider_bill(a, model, provider, price_date, service_tier, ttl))


def _provider_bill(a, model, provider, price_date, service_tier, ttl):
    """The bill of ``model``'s provider for each request [USD]: genai-prices' own calculation on its usage."""
    from genai_prices import Usage

    when = prices.as_date(price_date)
    context = prices.tier_context(service_tier)
    prov, info = prices.find_model(model, provider)

    def one(i, o, h, w, r):
        usage = {"input_tokens": i, "output_tokens": o + r}
        if h:
            usage["cache_read_tokens"] = i * h
        if w:
            usage["cache_write_tokens"] = i * (1.0 - h) * w
            if ttl == "1h":
                usage["cache_write_1h_tokens"] = i * (1.0 - h) * w
        if r:
            usage["output_reasoning_tokens"] = r
        bill = info.calc_price(Usage(**usage), prov, genai_request_timestamp=when, price_context=context)
        return float(bill.total_price)

    shape = np.broadcast(a.input_tokens, a.output_tokens, a.cached_share, a.cache_write_share, a.reasoning_tokens).shape
    columns = [np.broadcast_to(np.asarray(v, dtype=float), shape).reshape(-1)
               for v in (a.input_tokens, a.output_tokens, a.cached_share, a.cache_write_share, a.reasoning_tokens)]
    memo: dict[tuple, float] = {}
    bills = np.empty(len(columns[0]))
    for k, row in enumerate(zip(*columns)):
        key = tuple(float(x) for x in row)
        if key not in memo:
            memo[key] = one(*key)
        bills[k] = memo[key]
    return bills.reshape(shape) * (1.0 - a.batch_discount) if shape else float(bills[0]) * (1.0 - a.batch_discount)


@excel("IF({input_tokens} > {context_tier_start_tokens}, {context_tier_price_per_m_tokens}, {price_per_m_tokens})")
@documented(returns="USD/Mtok",
            input_tokens=ARGUMENTS["input_tokens"].but(
                meaning="Prompt tokens of the request, cached and not: they choose the tier [tokens]"),
            price_per_m_tokens=ARGUMENTS["price_per_m_tokens"].but(
                meaning="The price up to the tier's start (input, output, cache read or write) [USD/Mtok]",
                rule="non_negative"))
def context_tier_price(input_tokens, price_per_m_tokens, context_tier_start_tokens, context_tier_price_per_m_tokens):
    """The price that bills a request [USD/Mtok]: a long-context tier's once the prompt exceeds its start.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Price per 1 M tokens [USD/Mtok].

    Notes
    -----
    The cliff rule that genai-prices applies and the providers bill by [GenaiPrices2026]:
    a prompt of more than the tier's start tokens pays the tier's price for every token of
    the request (prompt, cache reads and writes, output), not only for those above the start;
    a prompt of exactly the start pays the base price. A workbook prices each kind of token
    through it, so a query size that crosses the tier (a p95 prompt) is billed as the
    provider bills it, and :func:`api_bill` is the same bill from the price data.

    Examples
    --------
    Claude Sonnet 4.5's input price [GenaiPrices2026]: $3 per 1 M tokens up to 200,000 prompt
    tokens, $6 above, for a 2,000- and a 300,000-token prompt:

    >>> context_tier_price(2000, 3.0, 200_000, 6.0), context_tier_price(300_000, 3.0, 200_000, 6.0)
    (3.0, 6.0)
    """
    a = _args.parse(input_tokens=(input_tokens, "non_negative"),
                    price_per_m_tokens=(price_per_m_tokens, "non_negative"),
                    context_tier_start_tokens=(context_tier_start_tokens, "non_negative"),
                    context_tier_price_per_m_tokens=(context_tier_price_per_m_tokens, "non_negative"))
    return a.wrap(np.where(a.input_tokens > a.context_tier_start_tokens, a.context_tier_price_per_m_tokens,
                           a.price_per_m_tokens))


@excel("{cache_hit_rate} * {cache_hit_cost} + (1 - {cache_hit_rate}) * ({small_model_share} * {small_model_cost} + (1 - {small_model_share}) * {large_model_cost})")
@documented(returns="USD")
def blended_cost_per_query(large_model_cost, small_model_cost=0.0, small_model_share=0.0, cache_hit_rate=0.0,
                           cache_hit_cost=0.0):
    """Average cost per query [USD] after routing and response caching.

    {parameters}

    Notes
    -----
    cost = h c_cache + (1 - h) (r c_small + (1 - r) c_large): each lever is an input
    (identity; routing and caching as levers named in [ComparthingND] and [FactorBeamND]).

    Examples
    --------
    Route 60 % of $0.0135 queries to a $0.0009 model and serve 20 % from cache:

    >>> round(blended_cost_per_query(0.0135, 0.0009, 0.6, 0.2), 5)
    0.00475
    """
    a = _args.parse(large_model_cost=(large_model_cost, "non_negative"),
                    small_model_cost=(small_model_cost, "non_negative"),
                    small_model_share=(small_model_share, "share"), cache_hit_rate=(cache_hit_rate, "share"),
                    cache_hit_cost=(cache_hit_cost, "non_negative"))
    routed = a.small_model_share * a.small_model_cost + (1.0 - a.small_model_share) * a.large_model_cost
    return a.wrap(a.cache_hit_rate * a.cache_hit_cost + (1.0 - a.cache_hit_rate) * routed)


@excel("{tokens_served} / 1E6 * {price_per_m_tokens}")
@documented(returns="USD")
def cost_of_tokens(tokens_served, price_per_m_tokens):
    """What ``tokens_served`` cost at a price per 1 M tokens [USD].

    {parameters}

    Examples
    --------
    100 B tokens through an API at $3.00 per 1 M tokens:

    >>> cost_of_tokens(100e9, 3.0)
    300000.0
    """
    a = _args.parse(tokens_served=(tokens_served, "non_negative"),
                    price_per_m_tokens=(price_per_m_tokens, "finite"))
    return a.wrap(a.tokens_served / TOKENS_PER_MILLION * a.price_per_m_tokens)


@excel("IF({tokens_served} <= 0, {none}, {cost} / {tokens_served} * 1E6)", none="n/a: no tokens served")
@documented(returns="USD/Mtok")
def cost_per_m_tokens(cost, tokens_served):
    """A cost spread over the tokens served [USD/Mtok]: the unit the market prices in.

    {parameters}

    Notes
    -----
    cost / tokens x 1e6. With no tokens served there is no cost per token: the result is
    ``inf``, which a workbook shows as "n/a: no tokens served" (a training-only plan is legal).

    Examples
    --------
    $183,611 of serving and overhead for 100 B tokens:

    >>> round(cost_per_m_tokens(183611.0, 100e9), 4)
    1.8361
    >>> cost_per_m_tokens(5e4, 0)
    inf
    """
    a = _args.parse(cost=(cost, "non_negative"), tokens_served=(tokens_served, "non_negative"))
    if a.all_scalar:
        return math.inf if a.tokens_served == 0.0 else a.wrap(a.cost / a.tokens_served * TOKENS_PER_MILLION)
    served = a.tokens_served > 0
    per = np.divide(a.cost, a.tokens_served, out=np.full(np.shape(served), np.inf), where=served)
    return a.wrap(per * TOKENS_PER_MILLION)




def _step_seconds(a, gpu, p):
    """Seconds of one decode step of ``a.batch_size`` sequences at ``a.context_tokens`` each."""
    kv = 2.0 * a.layers * a.kv_heads * a.head_dim * a.context_tokens * a.bytes_per_value
    bytes_per_step = a.params * BYTES_PER_PARAM[p] + a.batch_size * kv
    memory = _args.divide(bytes_per_step, bandwidth_bytes_per_s(gpu) * a.gpus * a.bandwidth_utilization)
    flops = (constant_value("forward_flops_per_parameter") * a.params
             + constant_value("attention_flops_per_context_value") * a.layers * _hidden_size(a.params, a.layers)
             * a.context_tokens)
    compute = _args.divide(flops * a.batch_size, peak_flops(gpu, _COMPUTE_PRECISION[p]) * a.gpus * a.mfu)
    comm = _allreduce_seconds(a.batch_size, a.layers, a.params, a.gpus, gpu, a.link_efficiency)
    return _args.maximum(memory, compute) + comm


#: The Excel twins of the serving functions: the same step, the accelerator's bandwidth and
#: peak looked up by name in the Catalogue sheet (its defined names, as accelerator_peak_tflops does).
_BYTES_PER_PARAM_EXCEL = "{#bytes_per_parameter[precision]}"
_COMPUTE_PRECISION_EXCEL = 'IF(OR({precision} = "int8", {precision} = "int4"), "bf16", IF({precision} = "fp32", "tf32", {precision}))'
_HIDDEN_EXCEL = "SQRT({params} / (12 * {layers}))"
_STEP_EXCEL = (
    "(MAX(({params} * " + _BYTES_PER_PARAM_EXCEL + " + {batch_size} * {#kv_tensors_per_layer} * {layers} * {kv_heads} * {head_dim} * "
    "{context_tokens} * {bytes_per_value}) / (INDEX(catalogue_bandwidth_tb_per_s, MATCH({gpu}, catalogue_name, 0), 1)"
    " * 1E12 * {gpus} * {bandwidth_utilization}), ({#forward_flops_per_parameter} * {params} + {#attention_flops_per_context_value} * {layers} * " + _HIDDEN_EXCEL + " * "
    "{context_tokens}) * {batch_size} / (INDEX(catalogue_peak_tflops, "
    "MATCH({gpu}, catalogue_name, 0), MATCH(" + _COMPUTE_PRECISION_EXCEL + ", catalogue_precision, 0)) * 1E12 * "
    "{gpus} * {mfu})) + IF({gpus} > 1, {#allreduces_per_layer} * {layers} * {#ring_allreduce_factor} * ({gpus} - 1) / {gpus} * "
    "{batch_size} * " + _HIDDEN_EXCEL + " * {#activation_bytes_per_value} / (INDEX(catalogue_link_gb_per_s, "
    "MATCH({gpu}, catalogue_name, 0), 1) * 1E9 * {link_efficiency}), 0))")


_SHAPE_READINGS = dict(
    params="Parameters read per decode step; for a mixture of experts, the active parameters [parameters]",
    gpu=ARGUMENTS["gpu"].but(meaning='Accelerator: a catalogue name such as "H100" (its bandwidth and peak '
                                     'are both used) [name]', type="str"),
    precision=_WEIGHT_PRECISION,
    gpus="Accelerators one replica is split across (tensor parallel); bandwidth and compute add up, and each "
         "layer all-reduces over their links [count]",
    mfu="Share of the dense peak a compute-bound decode step reaches [fraction in (0, 1]]",
)


@excel(_STEP_EXCEL, text=("gpu", "precision"))
@documented(returns="s", **_SHAPE_READINGS, context_tokens="Tokens each sequence holds in its KV cache at this step [tokens]")
def time_per_output_token(params, layers, kv_heads, head_dim, context_tokens, gpu="H100", batch_size=1,
                          precision="bf16", gpus=1, bandwidth_utilization=DECODE_BANDWIDTH_UTILIZATION,
                          mfu=SERVING_MFU, bytes_per_value=2.0, link_efficiency=LINK_EFFICIENCY):
    """Time of one decode step [s]: what each of ``batch_size`` sequences waits per token.

    {parameters}

    Notes
    -----
    A step reads every weight (N x bytes per parameter) and each sequence's KV cache,
    2 x layers x kv_heads x head_dim x context x bytes, at ``bandwidth_utilization`` of the
    peak bandwidth, and does 2 N + 4 L d x context FLOPs per sequence (the weights and the
    attention over the context, d = sqrt(N / 12 L)) at ``mfu`` of the dense peak; over
    ``gpus`` = g > 1 (tensor parallel) each of the L layers all-reduces twice, B d 16-bit
    values with 2 (g - 1) / g of them over each GPU's link (the catalogue's ``link_gb_per_s``,
    one way) at ``link_efficiency``:
    step = max(bytes / (bandwidth x u), FLOPs B / (peak x mfu)) + all-reduce time
    ([Pope2023]; the KV cache as in :func:`kv_cache_bytes`). The default link efficiency,
    0.25, is an effective figure fitted on TensorRT-LLM's LLaMA 70B TP 2 rows ([NVIDIA2024],
    [NVIDIA2023]; tests/test_calibration.py). The default bandwidth utilisation, 0.70, is calibrated on
    measured single-stream (batch 1) BF16 decoders on A100 80GB: Llama-2-7B at 104.9 and
    107.4 tokens/s, Llama-3-8B at 95.6, Llama-2-70B over two GPUs at 21.3 ([PyTorch2023],
    README "Benchmarks"; [TorchAO2024], "Benchmarks"), which read the weights at 0.68 to 0.72
    of the peak; the formula reproduces each within 3 %. Engines reach less where a step is
    short or the weights are quantised: Llama-3.1-8B on an H100 reaches 0.57 and int8 or
    int4 weights 0.37 to 0.65 (same sources), so pass a measured ``bandwidth_utilization``
    there; ``bandwidth_utilization=1`` gives the ceiling.

    Examples
    --------
    Llama 2 70B (80 layers, 8 KV heads of 128) in BF16 on two H100s, one sequence at 4,096
    tokens of context: about 30 ms a token at 70 % of the peak bandwidth.

    >>> round(time_per_output_token(70e9, 80, 8, 128, 4096, "H100", gpus=2) * 1e3, 1)
    30.1
    """
    p = _precision(precision)
    a = _args.parse((gpu,), params=params, layers=layers, kv_heads=kv_heads, head_dim=head_dim,
                    context_tokens=context_tokens, batch_size=batch_size, gpus=gpus,
                    bandwidth_utilization=bandwidth_utilization, mfu=mfu, bytes_per_value=bytes_per_value,
                    link_efficiency=link_efficiency)
    return a.wrap(_step_seconds(a, gpu, p))


@excel("{batch_size} / " + _STEP_EXCEL, text=("gpu", "precision"))
@documented(returns="tokens/s", **_SHAPE_READINGS, context_tokens="Tokens each sequence holds in its KV cache at this step [tokens]")
def serving_tokens_per_second(params, layers, kv_heads, head_dim, context_tokens, gpu="H100", batch_size=1,
                              precision="bf16", gpus=1, bandwidth_utilization=DECODE_BANDWIDTH_UTILIZATION,
                              mfu=SERVING_MFU, bytes_per_value=2.0, link_efficiency=LINK_EFFICIENCY):
    """Decode throughput of one replica [tokens/s] from the model's shape: batch / time per token.

    {parameters}

    Notes
    -----
    tokens/s = B / :func:`time_per_output_token`; the figure :func:`token_cost` and
    :func:`serving_gpu_hours` take, in place of a typed one.

    Examples
    --------
    The same 70B model with 64 sequences at 4,096 tokens: the weight read is shared, the KV
    cache is not.

    >>> round(serving_tokens_per_second(70e9, 80, 8, 128, 4096, "H100", batch_size=64, gpus=2))
    1287
    """
    p = _precision(precision)
    a = _args.parse((gpu,), params=params, layers=layers, kv_heads=kv_heads, head_dim=head_dim,
                    context_tokens=context_tokens, batch_size=batch_size, gpus=gpus,
                    bandwidth_utilization=bandwidth_utilization, mfu=mfu, bytes_per_value=bytes_per_value,
                    link_efficiency=link_efficiency)
    return a.wrap(_args.divide(a.batch_size, _step_seconds(a, gpu, p)))


@documented(returns="requests/s", **_SHAPE_READINGS, output_tokens="Tokens generated per request [tokens]",
            prefill_mfu=ARGUMENTS["prefill_mfu"].but(
                meaning="Share of the dense peak the prefill kernels reach; not given: the precision's default, "
                        "0.67 (BF16, FP16, TF32) or 0.43 (FP8), see PREFILL_MFU [fraction]", type="float, optional"))
def requests_per_second(params, layers, kv_heads, head_dim, prompt_tokens, output_tokens, gpu="H100",
                        batch_size=1, precision="bf16", gpus=1, bandwidth_utilization=DECODE_BANDWIDTH_UTILIZATION,
                        mfu=SERVING_MFU, prefill_mfu=None, bytes_per_value=2.0, link_efficiency=LINK_EFFICIENCY):
    """Requests one replica completes per second [requests/s], prefill and decode both.

    {parameters}

    Notes
    -----
    A batch of B requests costs B prefills (:func:`prefill_seconds` with the layers: matrix
    multiplies, attention and all-reduces, at ``prefill_mfu`` of the peak) and
    ``output_tokens`` decode steps at the mean context, prompt + output / 2:
    rps = B / (B t_prefill + output x t_step). Output tokens per second are rps x output.

    Examples
    --------
    2,000 tokens in and 500 out on the 70B model above, 32 requests at a time:

    >>> round(requests_per_second(70e9, 80, 8, 128, 2000, 500, "H100", batch_size=32, gpus=2), 2)
    1.22
    """
    p = _precision(precision)
    prefill_mfu = _prefill_mfu(p) if prefill_mfu is None else prefill_mfu
    a = _args.parse((gpu,), params=params, layers=layers, kv_heads=kv_heads, head_dim=head_dim,
                    prompt_tokens=prompt_tokens, output_tokens=output_tokens, batch_size=batch_size, gpus=gpus,
                    bandwidth_utilization=bandwidth_utilization, mfu=mfu, prefill_mfu=prefill_mfu,
                    bytes_per_value=bytes_per_value, link_efficiency=link_efficiency)
    a.values["context_tokens"] = a.prompt_tokens + 0.5 * a.output_tokens
    if isinstance(a, _args.Scalars):
        a.context_tokens = a.values["context_tokens"]
    step = _step_seconds(a, gpu, p)
    prefill = _prefill(a, gpu, p, a.prefill_mfu, a.layers)
    return a.wrap(_args.divide(a.batch_size, a.batch_size * prefill + a.output_tokens * step))


@documented(returns="count", gpus="Accelerators one replica takes [count]")
def gpus_for_load(target_requests_per_second, requests_per_second, gpus=1):
    """Whole accelerators needed to serve a load [count]: whole replicas, rounded up.

    {parameters}

    Notes
    -----
    accelerators = ceil(target / per-replica rps) x accelerators per replica; a replica is
    bought whole, so the count is an integer and the last replica runs part-loaded.

    Examples
    --------
    10 requests/s at 1.22 per two-H100 replica: nine replicas, eighteen GPUs.

    >>> gpus_for_load(10, 1.22, 2)
    18.0
    """
    a = _args.parse(target_requests_per_second=target_requests_per_second,
                    requests_per_second=requests_per_second, gpus=gpus)
    replicas = np.ceil(_args.divide(a.target_requests_per_second, a.requests_per_second) - 1e-9)
    return a.wrap(replicas * a.gpus)
