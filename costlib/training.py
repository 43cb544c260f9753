"""Training cost: the capital expense (capex) of building or fine-tuning a model.

Every function takes scalars, numpy arrays or pandas Series and broadcasts; see
``costlib._args``. Units are in brackets in each docstring.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from . import _args
from .constants import CONSTANTS, constant_value
from .arguments import ARGUMENTS, documented
from .formulas import excel
from .catalogue import board_power_w, peak_flops, precision_column

__all__ = [
    "train_flops", "compute_gpu_hours", "train_gpu_hours", "train_cost", "energy_cost",
    "programme_capex", "programme_capex_breakdown", "research_cost", "failed_runs_cost",
    "data_preparation_cost", "accelerator_peak_tflops", "moe_active_params",
    "chinchilla_tokens", "chinchilla_optimal_params", "chinchilla_loss",
    "loss_optimal_params", "inference_optimal", "InferenceOptimal", "CHINCHILLA_FIT",
    "TRAINING_MFU", "SARDANA_FIT", "precision_mfu",
]

SECONDS_PER_HOUR = constant_value("seconds_per_hour")

#: ``precision`` where it picks a catalogue peak (this module's readings of it).
_PEAK_PRECISION = ARGUMENTS["precision"].but(
    meaning='Which catalogue peak to use when gpu is a name: "bf16", "fp16", "fp8" or "tf32" [name]',
    type='{"bf16", "fp16", "fp8", "tf32"}')

#: Chinchilla parametric loss fit L(N, D) = E + A / N**alpha + B / D**beta,
#: Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models", eq. (10), Approach 3.
CHINCHILLA_FIT = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
#: The same fit with the exponents Sardana et al. 2024 use, alpha = 0.336 and beta = 0.283
#: ([Sardana2024]; the section was not checked in the stored copies, and that they reproduce the
#: paper's Figure 1, 13B -> 7B and 17 %, is the test; E, A and B as [Hoffmann2022]): the defaults
#: of :func:`inference_optimal`.
SARDANA_FIT = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.336, "beta": 0.283}

#: Default model FLOPs utilisation of a training run by the precision of its arithmetic, each
#: relative to that precision's own dense peak [fraction]. BF16, FP16 and TF32: 0.40, the
#: illustrative figure of [WaferZero2026] inside the 38-43 % of [LlamaTeam2024] Table 4.
#: FP8: 0.20, the same realised FLOP/s as BF16 at 0.40 (the FP8 peak is twice the BF16 one),
#: an assumption between the measured ends: dense models on H100 in FP8 reach 0.36-0.38 of
#: the FP8 peak and mixture-of-experts models 0.06-0.12 ([MegatronBridge2025], DGX-H100 FP8
#: table, model TFLOP/s per GPU over 1,978.9); one default for every precision would make an
#: FP8 run half the price of the same run in BF16, which no measured run shows.
TRAINING_MFU = {p: 0.4 * scale for p, scale in CONSTANTS["mfu_scale_by_precision"].value.items()}

class _PrecisionDefault(float):
    """The default ``mfu``: it stands for :data:`TRAINING_MFU` at the call's precision.

    It is the BF16 figure as a number, which is what a workbook's twin renders (a workbook's
    ``gpu`` is a peak already, so it has no precision to choose by).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return float.__repr__(self)


_MFU = _PrecisionDefault(TRAINING_MFU["bf16"])


def _training_mfu(precision="bf16"):
    """Default MFU of a training run at ``precision`` [fraction of that precision's dense peak].

    >>> _training_mfu("bf16"), _training_mfu("fp8")
    (0.4, 0.2)
    """
    return TRAINING_MFU[_precision_key(precision)]


def _precision_key(precision) -> str:
    """``precision`` as the catalogue names it ("bf16", "fp8"...); UnknownNameError for another."""
    return precision_column(precision).removeprefix("peak_tflops_")


#: Why a workbook takes no ``precision`` where ``gpu`` is a peak: its ``gpu`` is already the
#: number, looked up once by ``accelerator_peak_tflops(gpu, precision)`` in its own row.
_PEAK_IN_WORKBOOK = {"precision": "a workbook's gpu is the dense peak [TFLOP/s] as a number; pick the "
                                  "precision's peak with accelerator_peak_tflops(gpu, precision) and pass that"}


@excel("{flops_per_param_token} * {params} * {tokens}")
@documented(returns="FLOP")
def train_flops(params, tokens, flops_per_param_token=6.0):
    """Training compute [FLOP] of a dense (or active-parameter) transformer.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Training compute [FLOP].

    Raises
    ------
    InputError
        Where an argument is not a positive number.

    Notes
    -----
    :math:`C = k \\cdot N \\cdot D` with :math:`k = 6` (Kaplan et al. 2020, "Scaling Laws
    for Neural Language Models", section 2.1).

    Examples
    --------
    6ND [Kaplan2020]: 70B on 15T tokens (illustrative example, [WaferZero2026]) needs about 6.3e24 FLOPs.

    >>> train_flops(70e9, 15e12)
    6.3e+24
    """
    a = _args.parse(params=(params, "positive"), tokens=(tokens, "positive"),
                    flops_per_param_token=(flops_per_param_token, "positive"))
    return a.wrap(a.flops_per_param_token * a.params * a.tokens)


def _gpu_hours(flops, gpu, mfu, precision, reuse=False):
    """GPU-hours = C / (peak x MFU) / 3600: the one home of this formula.

    ``reuse=True`` lets it divide inside ``flops`` (a fresh array the caller owns), so that
    a million rows cost one buffer instead of one per step; same operations, same order.
    """
    per_second = peak_flops(gpu, precision) * mfu
    if reuse and isinstance(flops, np.ndarray) and np.shape(per_second) in ((), flops.shape):
        flops /= per_second
        flops /= SECONDS_PER_HOUR
        return flops
    return _args.divide(flops, per_second) / SECONDS_PER_HOUR


@excel("{flops} / ({gpu} * 1E12 * {mfu}) / {#seconds_per_hour}",
       unrendered=_PEAK_IN_WORKBOOK)
@documented(returns="GPU-h", precision=_PEAK_PRECISION)
def compute_gpu_hours(flops, gpu="H100", mfu=_MFU, precision="bf16"):
    """GPU-hours [GPU-h] to execute ``flops`` at ``mfu`` of the accelerator's dense peak.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Accelerator time [GPU-h].

    Notes
    -----
    GPU-seconds = C / (peak FLOP/s x MFU); GPU-hours = GPU-seconds / 3600. ``mfu`` not given
    is the precision's own default (:data:`TRAINING_MFU`: 0.40 for BF16, FP16 and TF32, 0.20
    for FP8), so an FP8 run is not half the price of a BF16 one by default.

    Examples
    --------
    >>> round(compute_gpu_hours(6.3e24, gpu=989.4, mfu=0.4) / 1e6, 2)  # identity; [WaferZero2026]: ~4.4 M
    4.42
    """
    if mfu is _MFU:
        mfu = _training_mfu(precision)
    a = _args.parse((gpu,), flops=(flops, "positive"), mfu=(mfu, "fraction"))
    return a.wrap(_gpu_hours(a.flops, gpu, a.mfu, precision))


@excel("{flops_per_param_token} * {params} * {tokens} / ({gpu} * 1E12 * {mfu}) / {#seconds_per_hour}",
       unrendered=_PEAK_IN_WORKBOOK)
@documented(returns="GPU-h", precision=_PEAK_PRECISION)
def train_gpu_hours(params, tokens, gpu="H100", mfu=_MFU, precision="bf16", flops_per_param_token=6.0):
    """GPU-hours [GPU-h] of a training run: :func:`train_flops` over realised throughput.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Accelerator time [GPU-h].

    Notes
    -----
    hours = k N D / (peak x MFU) / 3600, the peak and the default MFU both at ``precision``
    (:data:`TRAINING_MFU`: 0.40 for BF16, FP16 and TF32, 0.20 for FP8).

    Examples
    --------
    Illustrative example ([WaferZero2026]): 70B, 15T, H100 [NVIDIA2022] at 40 % MFU: about 4.4 M GPU-hours
    (identity).

    >>> round(train_gpu_hours(70e9, 15e12, gpu="H100", mfu=0.4) / 1e6, 2)
    4.42
    """
    if mfu is _MFU:
        mfu = _training_mfu(precision)
    a = _args.parse((gpu,), params=(params, "positive"), tokens=(tokens, "positive"), mfu=(mfu, "fraction"),
                    flops_per_param_token=(flops_per_param_token, "positive"))
    return a.wrap(_gpu_hours(a.flops_per_param_token * a.params * a.tokens, gpu, a.mfu, precision))


@excel("{flops_per_param_token} * {params} * {tokens} / ({gpu} * 1E12 * {mfu}) / {#seconds_per_hour} * {price_per_gpu_hour}",
       unrendered=_PEAK_IN_WORKBOOK)
@documented(returns="USD", precision=_PEAK_PRECISION)
def train_cost(params, tokens, price_per_gpu_hour, gpu="H100", mfu=_MFU, precision="bf16",
               flops_per_param_token=6.0):
    """Compute cost [USD] of one training run (the final run; see :func:`programme_capex`).

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Training compute cost [USD].

    Raises
    ------
    InputError
        A non-positive size or price, ``mfu`` outside (0, 1], an unknown ``gpu``.

    Notes
    -----
    cost = 6 N D / (peak x MFU) / 3600 x price per GPU-hour. Capex: paid once, before the
    model serves anyone. The peak and the default MFU are both the precision's own
    (:data:`TRAINING_MFU`): FP8 halves nothing by itself.

    Examples
    --------
    Illustrative example ([WaferZero2026]): 70B parameters on 15T tokens, H100 at 40 % MFU, $2 per
    GPU-hour: $8.84 M by identity ($8-9 M in the article).

    >>> round(train_cost(70e9, 15e12, 2.0, gpu="H100", mfu=0.4) / 1e6, 2)
    8.84

    DeepSeek-V3's pre-training [DeepSeekAI2024]: 37B active parameters, 14.8T tokens, FP8 on
    H800 at the FP8 default MFU: about 2.3 M GPU-hours (Table 1: 2.664 M).

    >>> round(train_gpu_hours(37e9, 14.8e12, gpu="H800", precision="fp8") / 1e6, 2)
    2.31
    """
    if mfu is _MFU:
        mfu = _training_mfu(precision)
    a = _args.parse((gpu,), params=(params, "positive"), tokens=(tokens, "positive"),
                    price_per_gpu_hour=(price_per_gpu_hour, "non_negative"), mfu=(mfu, "fraction"),
                    flops_per_param_token=(flops_per_param_token, "positive"))
    flops = a.flops_per_param_token * a.params
    flops *= a.tokens
    cost = _gpu_hours(flops, gpu, a.mfu, precision, reuse=True)
    cost *= a.price_per_gpu_hour
    return a.wrap(cost)


@excel("{gpu_hours} * ({gpu} / 1000) * {pue} * {price_per_kwh}")
@documented(returns="USD", gpu='Accelerator: a catalogue name such as "H100", or its board power [W] as a number')
def energy_cost(gpu_hours, price_per_kwh, gpu="H100", pue=1.0):
    """Electricity cost [USD] of ``gpu_hours`` at board power, scaled by the facility's PUE.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Energy cost [USD].

    Notes
    -----
    energy cost = GPU-hours x board power [kW] x PUE x price per kWh. Next to the hardware
    rental it is a small share ([Cottier2024]: energy 2-6 % of frontier training cost).

    Examples
    --------
    The 4.42 M GPU-hours of the illustrative 70B/15T run ([WaferZero2026]) at 700 W [NVIDIA2022],
    PUE 1.2 and $0.10/kWh (assumptions):

    >>> round(energy_cost(4.42e6, 0.10, gpu=700, pue=1.2))
    371280
    """
    a = _args.parse((gpu,), gpu_hours=(gpu_hours, "non_negative"), price_per_kwh=(price_per_kwh, "non_negative"),
                    pue=(pue, "at_least_one"))
    power_kw = board_power_w(gpu) / 1000.0
    return a.wrap(a.gpu_hours * power_kw * a.pue * a.price_per_kwh)


@documented(returns={"final_run": "USD", "research": "USD", "failed_runs": "USD", "data_preparation": "USD", "total": "USD"})
def programme_capex_breakdown(final_run_cost, research_multiplier=0.0, failed_run_share=0.0,
                              data_preparation_share=0.0) -> dict[str, Any]:
    """The capex of a training programme, line by line [USD].

    {parameters}

    Returns
    -------
    dict
        ``final_run``, ``research``, ``failed_runs``, ``data_preparation`` and ``total`` [USD].

    Notes
    -----
    compute = final x (1 + research_multiplier + failed_run_share);
    total = compute / (1 - data_preparation_share); data preparation = total - compute.
    The final run is the visible tip: [DeepSeekAI2024], Table 1, $5.576 M, excludes prior research
    and ablations. The data preparation share is an assumption; [ComparthingND] gives 30-50 % of
    total training effort and cost (illustrative figure, no primary source).

    Examples
    --------
    >>> lines = programme_capex_breakdown(5.576e6, research_multiplier=1.0, data_preparation_share=0.3)
    >>> round(lines["total"] / 1e6, 2)
    15.93
    """
    a = _args.parse(final_run_cost=(final_run_cost, "non_negative"),
                    research_multiplier=(research_multiplier, "non_negative"),
                    failed_run_share=(failed_run_share, "non_negative"),
                    data_preparation_share=(data_preparation_share, "share_below_one"))
    research = research_cost(a.final_run_cost, a.research_multiplier)
    failed = failed_runs_cost(a.final_run_cost, a.failed_run_share)
    compute = a.final_run_cost + research + failed
    data = data_preparation_cost(compute, a.data_preparation_share)
    return {"final_run": a.wrap(a.final_run_cost), "research": a.wrap(research),
            "failed_runs": a.wrap(failed), "data_preparation": a.wrap(data),
            "total": a.wrap(compute + data)}


@excel("{final_run_cost} * {research_multiplier}")
@documented(returns="USD")
def research_cost(final_run_cost, research_multiplier):
    """Research and ablation compute [USD] as a multiple of the final run's cost.

    {parameters}

    Notes
    -----
    research = final x research_multiplier; a line of :func:`programme_capex_breakdown`.

    Examples
    --------
    As much again as DeepSeek-V3's $5.576 M final run:

    >>> research_cost(5.576e6, 1.0)
    5576000.0
    """
    a = _args.parse(final_run_cost=(final_run_cost, "non_negative"),
                    research_multiplier=(research_multiplier, "non_negative"))
    return a.wrap(a.final_run_cost * a.research_multiplier)


@excel("{final_run_cost} * {failed_run_share}")
@documented(returns="USD")
def failed_runs_cost(final_run_cost, failed_run_share):
    """Compute lost to failed and restarted runs [USD], as a share of the final run's cost.

    {parameters}

    Examples
    --------
    >>> failed_runs_cost(8.84e6, 0.1)
    884000.0
    """
    a = _args.parse(final_run_cost=(final_run_cost, "non_negative"),
                    failed_run_share=(failed_run_share, "non_negative"))
    return a.wrap(a.final_run_cost * a.failed_run_share)


@excel("{compute_cost} * {data_preparation_share} / (1 - {data_preparation_share})")
@documented(returns="USD")
def data_preparation_cost(compute_cost, data_preparation_share):
    """Data preparation [USD] when it is ``data_preparation_share`` of the whole programme.

    {parameters}

    Notes
    -----
    With compute C and share s of the total T = C + data: data = C s / (1 - s).

    Examples
    --------
    $10 M of compute where data preparation is 30 % of the programme:

    >>> round(data_preparation_cost(10e6, 0.3))
    4285714
    """
    a = _args.parse(compute_cost=(compute_cost, "non_negative"),
                    data_preparation_share=(data_preparation_share, "share_below_one"))
    return a.wrap(a.compute_cost * a.data_preparation_share / (1.0 - a.data_preparation_share))


@excel("{mfu} * {#mfu_scale_by_precision[precision]}", text=("precision",))
@documented(returns="fraction", mfu="Model FLOPs utilisation the run reaches in BF16 [fraction of the BF16 peak]",
            precision=_PEAK_PRECISION.but(meaning='The run\'s number format: "bf16", "fp16", "fp8" or "tf32" [name]'))
def precision_mfu(mfu, precision="bf16"):
    """MFU of a training run at ``precision`` given its MFU in BF16 [fraction], of that precision's dense peak.

    {parameters}

    Notes
    -----
    A run in FP8 is assumed to reach the realised FLOP/s of the same run in BF16, half the share
    of its own peak, which is twice the BF16 one (the constant ``mfu_scale_by_precision``, and
    :data:`TRAINING_MFU`): a plan that switches a run to FP8 costs it at the same GPU-hours, as
    :func:`train_cost` with ``precision="fp8"`` does, not at half.

    Examples
    --------
    >>> precision_mfu(0.4, "bf16"), precision_mfu(0.4, "fp8")
    (0.4, 0.2)
    """
    a = _args.parse(mfu=(mfu, "fraction"))
    scale = CONSTANTS["mfu_scale_by_precision"].value[_precision_key(precision)]
    return a.wrap(a.mfu * scale)


@excel("INDEX(catalogue_peak_tflops, MATCH({gpu}, catalogue_name, 0), MATCH({precision}, catalogue_precision, 0))",
       text=("gpu", "precision"))
@documented(returns="TFLOP/s", precision=_PEAK_PRECISION)
def accelerator_peak_tflops(gpu, precision="bf16"):
    """Dense peak of a catalogue accelerator at ``precision`` [TFLOP/s].

    {parameters}

    Examples
    --------
    The H100 SXM at BF16, [NVIDIA2022]: 989.4 TFLOP/s dense (1,979 with sparsity):

    >>> accelerator_peak_tflops("H100")
    989.4
    """
    return _args.Parsed({}, isinstance(gpu, str) or np.ndim(gpu) == 0).wrap(peak_flops(gpu, precision) / 1e12)


@excel("INDEX(catalogue_board_power_w, MATCH({gpu}, catalogue_name, 0), 1)", text=("gpu",))
@documented()
def accelerator_board_power_w(gpu):
    """Board power of a catalogue accelerator [W]: what it draws at full load.

    {parameters}

    Examples
    --------
    The H100 SXM, [NVIDIA2022]: 700 W.

    >>> accelerator_board_power_w("H100")
    700.0
    """
    return _args.Parsed({}, isinstance(gpu, str) or np.ndim(gpu) == 0).wrap(board_power_w(gpu))


@documented(returns="USD")
def programme_capex(final_run_cost, research_multiplier=0.0, failed_run_share=0.0,
                    data_preparation_share=0.0):
    """Total capex of a training programme [USD]: final run, research, failures, data.

    {parameters}

    Notes
    -----
    See :func:`programme_capex_breakdown` for the lines and the equation.

    Examples
    --------
    DeepSeek-V3's $5.576 M final run, with as much again in research and ablations:

    >>> round(programme_capex(5.576e6, research_multiplier=1.0) / 1e6, 3)
    11.152
    """
    return programme_capex_breakdown(final_run_cost, research_multiplier, failed_run_share,
                                     data_preparation_share)["total"]


@excel("{shared_params} + {expert_params} * {experts_per_token} / {experts}")
@documented(returns="parameters")
def moe_active_params(shared_params, expert_params, experts_per_token, experts):
    """Active parameters per token [parameters] of a mixture-of-experts model.

    {parameters}

    Returns
    -------
    float, ndarray or Series
        Active parameters [parameters]: the N of ``6 N D`` for such a model.

    Notes
    -----
    N_active = shared + expert_params x k / E.

    Examples
    --------
    Mixtral 8x7B (Jiang et al. 2024): 8 experts, top-2; about 1.6B shared and 45.1B in experts:

    >>> round(moe_active_params(1.6e9, 45.1e9, 2, 8) / 1e9, 1)
    12.9
    """
    a = _args.parse(shared_params=(shared_params, "non_negative"), expert_params=(expert_params, "non_negative"),
                    experts_per_token=(experts_per_token, "positive"), experts=(experts, "positive"))
    if np.any(a.experts_per_token > a.experts):
        i = int(np.argmax(np.reshape(a.experts_per_token > a.experts, -1)))
        raise _args.OutOfRangeError(
            f"experts_per_token must be <= experts, got {np.reshape(a.experts_per_token, -1)[i]:g} > "
            f"{np.reshape(a.experts, -1)[i]:g}", argument="experts_per_token")
    return a.wrap(a.shared_params + a.expert_params * a.experts_per_token / a.experts)


@excel("{params} * {tokens_per_param}")
@documented(returns="tokens", params="Model parameters [parameters]")
def chinchilla_tokens(params, tokens_per_param=20.0):
    """Compute-optimal training tokens [tokens] for ``params`` by the ~20 tokens/parameter rule.

    {parameters}

    Notes
    -----
    D = 20 N (Hoffmann et al. 2022, Table 3: about 20 tokens per parameter across sizes).

    Examples
    --------
    Chinchilla itself, 70B parameters: 1.4T tokens.

    >>> chinchilla_tokens(70e9)
    1.4e+12
    """
    a = _args.parse(params=(params, "positive"), tokens_per_param=(tokens_per_param, "positive"))
    return a.wrap(a.params * a.tokens_per_param)


@documented(returns="parameters")
def chinchilla_optimal_params(compute, tokens_per_param=20.0, flops_per_param_token=6.0):
    """Compute-optimal parameters [parameters] for a budget of ``compute`` [FLOP], 20x rule.

    {parameters}

    Notes
    -----
    From C = 6 N D and D = 20 N: N = sqrt(C / (6 x 20)).

    Examples
    --------
    Chinchilla's budget, 5.76e23 FLOPs (Hoffmann et al. 2022), gives about 69B parameters:

    >>> round(chinchilla_optimal_params(5.76e23) / 1e9, 1)
    69.3
    """
    a = _args.parse(compute=(compute, "positive"), tokens_per_param=(tokens_per_param, "positive"),
                    flops_per_param_token=(flops_per_param_token, "positive"))
    return a.wrap(_args.sqrt(_args.divide(a.compute, a.flops_per_param_token * a.tokens_per_param)))


@excel("{E} + {A} / {params} ^ {alpha} + {B} / {tokens} ^ {beta}")
@documented(returns="nats/token", params="Model parameters [parameters]")
def chinchilla_loss(params, tokens, E=CHINCHILLA_FIT["E"], A=CHINCHILLA_FIT["A"], B=CHINCHILLA_FIT["B"],
                    alpha=CHINCHILLA_FIT["alpha"], beta=CHINCHILLA_FIT["beta"]):
    """Pre-training loss [nats/token] predicted by the Chinchilla parametric fit.

    {parameters}

    Notes
    -----
    L(N, D) = E + A / N^alpha + B / D^beta, with Hoffmann et al. 2022's Approach 3 fit
    (E = 1.69, A = 406.4, B = 410.7, alpha = 0.34, beta = 0.28) as defaults.

    Examples
    --------
    >>> round(chinchilla_loss(70e9, 1.4e12), 3)
    1.937
    """
    a = _args.parse(params=(params, "positive"), tokens=(tokens, "positive"), E=(E, "non_negative"),
                    A=(A, "positive"), B=(B, "positive"), alpha=(alpha, "positive"), beta=(beta, "positive"))
    return a.wrap(a.E + _args.divide(a.A, _args.power(a.params, a.alpha))
                  + _args.divide(a.B, _args.power(a.tokens, a.beta)))


@documented(returns="parameters")
def loss_optimal_params(compute):
    """Compute-optimal parameters [parameters] under the Chinchilla loss fit (no 20x rule).

    {parameters}

    Notes
    -----
    Minimising L(N, C / 6N) gives N_opt = G (C/6)^(beta/(alpha+beta)) with
    G = (alpha A / (beta B))^(1/(alpha+beta)) (Hoffmann et al. 2022, eq. (4) and appendix D.2).

    The answer is sensitive to the fit's constants: with the paper's printed (rounded)
    constants, Gopher's budget of 5.76e23 FLOP gives 32.2B parameters, where the paper's
    Figure 4 reports about 40B from its unrounded fit. For sizing, prefer the 20x rule
    (:func:`chinchilla_optimal_params`); tests/test_published_figures.py records the gap.

    Examples
    --------
    >>> round(loss_optimal_params(5.76e23) / 1e9, 1)
    32.2
    """
    a = _args.parse(compute=(compute, "positive"))
    f = CHINCHILLA_FIT
    g = (f["alpha"] * f["A"] / (f["beta"] * f["B"])) ** (1.0 / (f["alpha"] + f["beta"]))
    return a.wrap(g * (a.compute / 6.0) ** (f["beta"] / (f["alpha"] + f["beta"])))


class InferenceOptimal(NamedTuple):
    """The result of :func:`inference_optimal`: the model to train for a lifetime of serving."""

    params: Any          #: parameters [parameters]
    train_tokens: Any    #: training tokens [tokens]
    train_flops: Any     #: training compute, 6 N D [FLOP]
    inference_flops: Any  #: lifetime inference compute, 2 N D_inf [FLOP]


@documented(returns={"params": "parameters", "train_tokens": "tokens", "train_flops": "FLOP", "inference_flops": "FLOP"})
def inference_optimal(target_loss, inference_tokens, inference_cost_ratio=1.0, E=SARDANA_FIT["E"],
                      A=SARDANA_FIT["A"], B=SARDANA_FIT["B"], alpha=SARDANA_FIT["alpha"],
                      beta=SARDANA_FIT["beta"]):
    """The model size and training tokens that minimise training plus lifetime inference cost.

    {parameters}

    Returns
    -------
    InferenceOptimal
        ``params`` [parameters], ``train_tokens`` [tokens], ``train_flops`` [FLOP] and
        ``inference_flops`` [FLOP]; each a float, array or Series like the input.

    Notes
    -----
    Sardana et al. 2024, "Beyond Chinchilla-Optimal: Accounting for Inference in Language
    Model Scaling Laws" (arXiv:2401.00448), eq. (3): minimise 6 N D_tr + 2 r N D_inf subject
    to L(N, D_tr) = target_loss with the Chinchilla fit. On the constraint
    D_tr(N) = (B / (l - E - A N^-alpha))^(1/beta); the objective's derivative in N changes
    sign once, so a bisection on it in log N finds the optimum for every element at once.
    This is kept apart from the 20-tokens-per-parameter rule (:func:`chinchilla_tokens`).

    Name a quality by :func:`chinchilla_loss` of a reference model, with the same constants
    (``chinchilla_loss(..., **SARDANA_FIT)``): a loss computed with another fit names another
    quality. ``inference_tokens = 0`` gives back the loss-optimal model. ``inference_cost_ratio
    = 1`` minimises FLOPs; above 1 where serving runs at a lower MFU or a dearer accelerator
    than training.

    The defaults are the constants Sardana et al. use, :data:`SARDANA_FIT`: E = 1.69,
    A = 406.4, B = 410.7 ([Hoffmann2022], Approach 3), alpha = 0.336, beta = 0.283
    ([Sardana2024]). With them the paper's Figure 1 comes out: a developer who would
    train the loss-optimal 13B model and expects 2T tokens of inference should train a 7B model
    on more data, saving 1.7e22 FLOPs, 17 % of the total ([Sardana2024], Figure 1 caption;
    tests/test_published_figures.py). Hoffmann et al.'s rounded 0.34 / 0.28 give 8.0B and 10 %.

    Examples
    --------
    Sardana et al.'s Figure 1: the loss-optimal 13B model's quality (its tokens from the fit's
    optimum, alpha A / N^alpha = beta B / D^beta) and 2T tokens of inference demand:

    >>> f = SARDANA_FIT
    >>> d13 = (f["beta"] * f["B"] * 13e9 ** f["alpha"] / (f["alpha"] * f["A"])) ** (1 / f["beta"])
    >>> loss = chinchilla_loss(13e9, d13, **f)
    >>> best = inference_optimal(loss, 2e12)
    >>> round(best.params / 1e9, 1)
    7.0
    >>> chinchilla_total = 6 * 13e9 * d13 + 2 * 13e9 * 2e12
    >>> round(1 - (best.train_flops + best.inference_flops) / chinchilla_total, 2)
    0.17
    """
    a = _args.parse(target_loss=(target_loss, "positive"), inference_tokens=(inference_tokens, "non_negative"),
                    inference_cost_ratio=(inference_cost_ratio, "positive"), E=E, A=A, B=B, alpha=alpha, beta=beta)
    if not a.all_scalar and any(np.ndim(v) for v in (a.E, a.A, a.B, a.alpha, a.beta)):
        f = {"E": a.E, "A": a.A, "B": a.B, "alpha": a.alpha, "beta": a.beta}
    else:
        f = {"E": float(a.E), "A": float(a.A), "B": float(a.B), "alpha": float(a.alpha), "beta": float(a.beta)}
    reducible = a.target_loss - f["E"]
    if np.any(reducible <= 0):
        bad = np.reshape(a.target_loss, -1)[int(np.argmax(np.reshape(reducible <= 0, -1)))]
        floor = np.reshape(np.broadcast_to(f["E"], np.shape(reducible)), -1)[
            int(np.argmax(np.reshape(reducible <= 0, -1)))] if np.ndim(reducible) else f["E"]
        raise _args.OutOfRangeError(f"target_loss must be > {float(floor):g} (the fit's irreducible loss), "
                                    f"got {bad:.6g}",
                                    argument="target_loss")
    # smallest N that can reach the loss at all (infinite data): A N^-alpha < l - E
    log_n_min = np.log(f["A"] / reducible) / f["alpha"]
    lo = log_n_min + 1e-9
    hi = log_n_min + np.log(1e8)
    demand = 2.0 * a.inference_cost_ratio * a.inference_tokens

    def tokens_for(log_n):
        gap = reducible - f["A"] * np.exp(-f["alpha"] * log_n)
        return (f["B"] / gap) ** (1.0 / f["beta"]), gap

    def slope(log_n):
        d, gap = tokens_for(log_n)
        # d/dN [6 N D(N)] = 6 D (1 - alpha A N^-alpha / (beta gap))
        return 6.0 * d * (1.0 - f["alpha"] * f["A"] * np.exp(-f["alpha"] * log_n) / (f["beta"] * gap)) + demand

    for _ in range(80):
        mid = 0.5 * (lo + hi)
        rising = slope(mid) > 0
        hi = np.where(rising, mid, hi)
        lo = np.where(rising, lo, mid)
    log_n = 0.5 * (lo + hi)
    params = np.exp(log_n)
    train_tokens, _ = tokens_for(log_n)
    return InferenceOptimal(a.wrap(params), a.wrap(train_tokens), a.wrap(6.0 * params * train_tokens),
                            a.wrap(2.0 * params * a.inference_tokens))
