"""Inference cost: the operating expense (opex) of serving a model, every token, forever."""

from __future__ import annotations

import math

import numpy as np

from . import _args
from .constants import CONSTANTS, constant_value
from .arguments import ARGUMENTS, documented
from .formulas import excel
from .catalogue import bandwidth_bytes_per_s, peak_flops
from .errors import UnknownNameError

__all__ = [
    "BYTES_PER_PARAM", "weight_bytes", "kv_cache_bytes", "decode_tokens_per_second", "prefill_seconds",
    "serving_gpu_hours", "token_cost", "api_cost_per_query", "blended_cost_per_query", "TOKENS_PER_MILLION",
    "cost_of_tokens", "cost_per_m_tokens", "time_per_output_token", "serving_tokens_per_second",
    "requests_per_second", "gpus_for_load", "DECODE_BANDWIDTH_UTILIZATION",
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
                             gpus=1, mfu=1.0, bandwidth_utilization=1.0):
    """Decode throughput [tokens/s] of ``batch_size`` sequences, bounded by bandwidth or compute.

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
    assumption (illustrative figure), [ComparthingND]). ``bandwidth_utilization`` scales the
    bandwidth actually reached; the default 1 is the ceiling, which engines do not reach (see
    :func:`time_per_output_token`, whose default is below it).

    Examples
    --------
    A 70B model in BF16 on two H100s, one sequence: about 48 tokens/s; a batch of 64 shares
    the weight read:

    >>> round(decode_tokens_per_second(70e9, "H100", batch_size=1, gpus=2))
    48
    >>> round(decode_tokens_per_second(70e9, "H100", batch_size=64, gpus=2))
    3063
    """
    p = _precision(precision)
    a = _args.parse((gpu,), params=(params, "positive"), batch_size=(batch_size, "positive"),
                    kv_cache_bytes_per_sequence=(kv_cache_bytes_per_sequence, "non_negative"),
                    gpus=(gpus, "positive"), mfu=(mfu, "fraction"), bandwidth_utilization=bandwidth_utilization)
    bytes_per_step = a.params * BYTES_PER_PARAM[p] + a.batch_size * a.kv_cache_bytes_per_sequence
    memory_seconds = _args.divide(bytes_per_step, bandwidth_bytes_per_s(gpu) * a.gpus * a.bandwidth_utilization)
    if isinstance(gpu, str) or np.asarray(gpu).dtype.kind in "OUS":
        compute_seconds = _args.divide(2.0 * a.params * a.batch_size,
                                       peak_flops(gpu, _COMPUTE_PRECISION[p]) * a.gpus * a.mfu)
        step = _args.maximum(memory_seconds, compute_seconds)
    else:
        step = memory_seconds
    return a.wrap(_args.divide(a.batch_size, step))


@documented(returns="s", precision=_WEIGHT_PRECISION.but(
    meaning='Weight precision, which sets the compute peak used: "fp32", "bf16", "fp16", "fp8", "int8" or '
            '"int4" [name]'))
def prefill_seconds(params, prompt_tokens, gpu="H100", mfu=0.4, precision="bf16", gpus=1):
    """Time to process a prompt [s]: prefill is compute bound, 2 N FLOPs per prompt token.

    {parameters}

    Examples
    --------
    A 4,000-token prompt to a 70B model on two H100s at 40 % MFU:

    >>> round(prefill_seconds(70e9, 4000, "H100", gpus=2), 2)
    0.71
    """
    p = _precision(precision)
    a = _args.parse((gpu,), params=(params, "positive"), prompt_tokens=(prompt_tokens, "non_negative"),
                    mfu=(mfu, "fraction"), gpus=(gpus, "positive"))
    return a.wrap(_args.divide(2.0 * a.params * a.prompt_tokens, peak_flops(gpu, _COMPUTE_PRECISION[p]) * a.mfu * a.gpus))


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


@excel("({input_tokens} * (1 - {cached_share}) * {input_price_per_m_tokens} + {input_tokens} * {cached_share} * {cached_input_price_per_m_tokens} + {output_tokens} * {output_price_per_m_tokens}) / 1E6",
       defaults={"cached_input_price_per_m_tokens": "input_price_per_m_tokens"})
@documented(returns="USD", output_tokens="Generated tokens per query; every one is another forward pass, priced at a "
                          "premium [tokens]")
def api_cost_per_query(input_tokens, output_tokens, input_price_per_m_tokens, output_price_per_m_tokens,
                       cached_share=0.0, cached_input_price_per_m_tokens=None):
    """Cost of one API call [USD] from its token counts and the price list.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Cost per query [USD].

    Notes
    -----
    cost = (I (1 - h) p_in + I h p_cached + O p_out) / 1e6.

    Examples
    --------
    2,000 tokens in and 500 out at $3 / $15 per 1 M tokens:

    >>> round(api_cost_per_query(2000, 500, 3.0, 15.0), 4)
    0.0135
    """
    cached_price = input_price_per_m_tokens if cached_input_price_per_m_tokens is None \
        else cached_input_price_per_m_tokens
    a = _args.parse(input_tokens=(input_tokens, "non_negative"), output_tokens=(output_tokens, "non_negative"),
                    input_price_per_m_tokens=(input_price_per_m_tokens, "non_negative"),
                    output_price_per_m_tokens=(output_price_per_m_tokens, "non_negative"),
                    cached_share=(cached_share, "share"),
                    cached_input_price_per_m_tokens=(cached_price, "non_negative"))
    fresh = a.input_tokens * (1.0 - a.cached_share) * a.input_price_per_m_tokens
    cached = a.input_tokens * a.cached_share * a.cached_input_price_per_m_tokens
    return a.wrap((fresh + cached + a.output_tokens * a.output_price_per_m_tokens) / TOKENS_PER_MILLION)


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


#: Default share of the peak HBM bandwidth a decode step reaches (MBU) in the serving
#: functions below: the mean of four measured single-stream BF16 decoders on A100 80GB,
#: 0.68-0.72 ([PyTorch2023], [TorchAO2024]; tests/test_calibration.py, and Notes of
#: :func:`time_per_output_token`); 1 is the bandwidth ceiling :func:`decode_tokens_per_second`
#: gives by default.
DECODE_BANDWIDTH_UTILIZATION = 0.70
#: Default share of the dense peak reached by prefill and by compute-bound decode: an
#: assumption, at the 40 % the training examples use ([WaferZero2026]) rounded up for
#: inference kernels without a backward pass.
SERVING_MFU = 0.5


def _step_seconds(a, gpu, p):
    """Seconds of one decode step of ``a.batch_size`` sequences at ``a.context_tokens`` each."""
    kv = 2.0 * a.layers * a.kv_heads * a.head_dim * a.context_tokens * a.bytes_per_value
    bytes_per_step = a.params * BYTES_PER_PARAM[p] + a.batch_size * kv
    memory = _args.divide(bytes_per_step, bandwidth_bytes_per_s(gpu) * a.gpus * a.bandwidth_utilization)
    compute = _args.divide(2.0 * a.params * a.batch_size,
                           peak_flops(gpu, _COMPUTE_PRECISION[p]) * a.gpus * a.mfu)
    return _args.maximum(memory, compute)


#: The Excel twins of the serving functions: the same step, the accelerator's bandwidth and
#: peak looked up by name in the Catalogue sheet (its defined names, as accelerator_peak_tflops does).
_BYTES_PER_PARAM_EXCEL = "{#bytes_per_parameter[precision]}"
_COMPUTE_PRECISION_EXCEL = 'IF(OR({precision} = "int8", {precision} = "int4"), "bf16", IF({precision} = "fp32", "tf32", {precision}))'
_STEP_EXCEL = (
    "MAX(({params} * " + _BYTES_PER_PARAM_EXCEL + " + {batch_size} * {#kv_tensors_per_layer} * {layers} * {kv_heads} * {head_dim} * "
    "{context_tokens} * {bytes_per_value}) / (INDEX(catalogue_bandwidth_tb_per_s, MATCH({gpu}, catalogue_name, 0), 1)"
    " * 1E12 * {gpus} * {bandwidth_utilization}), {#forward_flops_per_parameter} * {params} * {batch_size} / (INDEX(catalogue_peak_tflops, "
    "MATCH({gpu}, catalogue_name, 0), MATCH(" + _COMPUTE_PRECISION_EXCEL + ", catalogue_precision, 0)) * 1E12 * "
    "{gpus} * {mfu}))")


_SHAPE_READINGS = dict(
    params="Parameters read per decode step; for a mixture of experts, the active parameters [parameters]",
    gpu=ARGUMENTS["gpu"].but(meaning='Accelerator: a catalogue name such as "H100" (its bandwidth and peak '
                                     'are both used) [name]', type="str"),
    precision=_WEIGHT_PRECISION,
    gpus="Accelerators one replica is split across (tensor parallel); bandwidth and compute add up [count]",
    mfu="Share of the dense peak a compute-bound decode step reaches [fraction in (0, 1]]",
)


@excel(_STEP_EXCEL, text=("gpu", "precision"))
@documented(returns="s", **_SHAPE_READINGS, context_tokens="Tokens each sequence holds in its KV cache at this step [tokens]")
def time_per_output_token(params, layers, kv_heads, head_dim, context_tokens, gpu="H100", batch_size=1,
                          precision="bf16", gpus=1, bandwidth_utilization=DECODE_BANDWIDTH_UTILIZATION,
                          mfu=SERVING_MFU, bytes_per_value=2.0):
    """Time of one decode step [s]: what each of ``batch_size`` sequences waits per token.

    {parameters}

    Notes
    -----
    A step reads every weight (N x bytes per parameter) and each sequence's KV cache,
    2 x layers x kv_heads x head_dim x context x bytes, at ``bandwidth_utilization`` of the
    peak bandwidth, and does 2 N FLOPs per sequence at ``mfu`` of the dense peak:
    step = max(bytes / (bandwidth x u), 2 N B / (peak x mfu)) ([Pope2023]; the KV cache as
    in :func:`kv_cache_bytes`). The default bandwidth utilisation, 0.70, is calibrated on
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
                    bandwidth_utilization=bandwidth_utilization, mfu=mfu, bytes_per_value=bytes_per_value)
    return a.wrap(_step_seconds(a, gpu, p))


@excel("{batch_size} / " + _STEP_EXCEL, text=("gpu", "precision"))
@documented(returns="tokens/s", **_SHAPE_READINGS, context_tokens="Tokens each sequence holds in its KV cache at this step [tokens]")
def serving_tokens_per_second(params, layers, kv_heads, head_dim, context_tokens, gpu="H100", batch_size=1,
                              precision="bf16", gpus=1, bandwidth_utilization=DECODE_BANDWIDTH_UTILIZATION,
                              mfu=SERVING_MFU, bytes_per_value=2.0):
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
    1329
    """
    p = _precision(precision)
    a = _args.parse((gpu,), params=params, layers=layers, kv_heads=kv_heads, head_dim=head_dim,
                    context_tokens=context_tokens, batch_size=batch_size, gpus=gpus,
                    bandwidth_utilization=bandwidth_utilization, mfu=mfu, bytes_per_value=bytes_per_value)
    return a.wrap(_args.divide(a.batch_size, _step_seconds(a, gpu, p)))


@documented(returns="requests/s", **_SHAPE_READINGS, output_tokens="Tokens generated per request [tokens]")
def requests_per_second(params, layers, kv_heads, head_dim, prompt_tokens, output_tokens, gpu="H100",
                        batch_size=1, precision="bf16", gpus=1, bandwidth_utilization=DECODE_BANDWIDTH_UTILIZATION,
                        mfu=SERVING_MFU, prefill_mfu=SERVING_MFU, bytes_per_value=2.0):
    """Requests one replica completes per second [requests/s], prefill and decode both.

    {parameters}

    Notes
    -----
    A batch of B requests costs B prefills, 2 N x prompt FLOPs each at ``prefill_mfu`` of
    the peak, and ``output_tokens`` decode steps at the mean context, prompt + output / 2:
    rps = B / (B t_prefill + output x t_step). Output tokens per second are rps x output.

    Examples
    --------
    2,000 tokens in and 500 out on the 70B model above, 32 requests at a time:

    >>> round(requests_per_second(70e9, 80, 8, 128, 2000, 500, "H100", batch_size=32, gpus=2), 2)
    1.21
    """
    p = _precision(precision)
    a = _args.parse((gpu,), params=params, layers=layers, kv_heads=kv_heads, head_dim=head_dim,
                    prompt_tokens=prompt_tokens, output_tokens=output_tokens, batch_size=batch_size, gpus=gpus,
                    bandwidth_utilization=bandwidth_utilization, mfu=mfu, prefill_mfu=prefill_mfu,
                    bytes_per_value=bytes_per_value)
    a.values["context_tokens"] = a.prompt_tokens + 0.5 * a.output_tokens
    if isinstance(a, _args.Scalars):
        a.context_tokens = a.values["context_tokens"]
    step = _step_seconds(a, gpu, p)
    prefill = _args.divide(2.0 * a.params * a.prompt_tokens,
                           peak_flops(gpu, _COMPUTE_PRECISION[p]) * a.gpus * a.prefill_mfu)
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
    10 requests/s at 1.21 per two-H100 replica: nine replicas, eighteen GPUs.

    >>> gpus_for_load(10, 1.21, 2)
    18.0
    """
    a = _args.parse(target_requests_per_second=target_requests_per_second,
                    requests_per_second=requests_per_second, gpus=gpus)
    replicas = np.ceil(_args.divide(a.target_requests_per_second, a.requests_per_second) - 1e-9)
    return a.wrap(replicas * a.gpus)
