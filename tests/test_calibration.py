"""Calibration: published figures beside the library's value, each with its source on its line.

Measured serving throughput of TensorRT-LLM in FP8: v0.9.0 on H200 ([NVIDIA2024]) and v0.6.1
on H100 ([NVIDIA2023]), peak-throughput tables, against :func:`costlib.requests_per_second` x
output tokens at the library's defaults: MBU 0.70 (calibrated below on single-stream decoders),
decode MFU 0.5, the FP8 prefill MFU (calibrated below on first-token latencies) and the
tensor-parallel link efficiency 0.25 (fitted on the LLaMA 70B TP 2 rows). Model shapes from the
models' configs (layers, KV heads, head size). Where the formula and the measurement part by
more than the tolerance, a strict xfail says why.
"""

from __future__ import annotations

import numpy as np
import pytest

import costlib

# name: (params, layers, kv_heads, head_dim)  shapes from the public model configs (assumption: rounded sizes)
SHAPES = {"GPT-J 6B": (6.05e9, 28, 16, 256), "Mistral 7B": (7.24e9, 32, 8, 128),
          "LLaMA 7B": (6.74e9, 32, 32, 128), "LLaMA 70B": (69e9, 80, 8, 128),
          "Falcon 180B": (179.5e9, 80, 8, 64)}  # Falcon-180B config: 80 layers, 8 KV heads of 64 (232 query heads)
#: Query heads of the grouped-query models (Mistral-7B-v0.1, Llama-2-70b and Falcon-180B configs)
QUERY_HEADS = {"Mistral 7B": 32, "LLaMA 70B": 64, "Falcon 180B": 232}

TOLERANCE = 0.25  # the engine's figure is one run; the model is a roofline with three fitted constants

#: Why a row is off: the engine's attention kernels read a grouped-query KV cache once per query
#: head (test_gqa_rows_match_a_kv_cache_read_per_query_head shows the rate it then gives);
#: TensorRT-LLM's README (news, 2023/12): "H200 is now 2.4x faster on Llama-70B with recent
#: improvements to TensorRT-LLM GQA".
GQA = "the engine reads the grouped KV cache once per query head (GQA kernels of the time): matches that within 30 %"

# (gpu, model, batch, tensor parallel, input, output, measured output tok/s per GPU)
AGREE = [
    ("H200", "GPT-J 6B", 64, 1, 2048, 128, 2785),      # [NVIDIA2024], H200 FP8 table
    ("H200", "GPT-J 6B", 64, 1, 2048, 2048, 3753),     # [NVIDIA2024], H200 FP8 table
    ("H200", "GPT-J 6B", 120, 1, 128, 2048, 8530),     # [NVIDIA2024], H200 FP8 table
    ("H200", "LLaMA 7B", 120, 1, 128, 2048, 8348),     # [NVIDIA2024], H200 FP8 table
    ("H200", "Mistral 7B", 64, 1, 2048, 128, 2423),    # [NVIDIA2024], H200 FP8 table
    ("H200", "LLaMA 70B", 1024, 1, 128, 128, 3989),    # [NVIDIA2024], H200 FP8 table
    ("H200", "LLaMA 70B", 64, 1, 2048, 128, 418),      # [NVIDIA2024], H200 FP8 table
    ("H200", "LLaMA 70B", 64, 1, 2048, 2048, 1458),    # [NVIDIA2024], H200 FP8 table
    ("H200", "LLaMA 70B", 512, 2, 128, 2048, 3963),    # [NVIDIA2024], H200 FP8 table
    ("H100", "GPT-J 6B", 1024, 1, 128, 128, 26150),    # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "GPT-J 6B", 120, 1, 128, 2048, 8011),     # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "GPT-J 6B", 64, 1, 2048, 128, 2551),      # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "GPT-J 6B", 64, 1, 2048, 2048, 3327),     # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "LLaMA 7B", 768, 1, 128, 128, 19694),     # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "LLaMA 7B", 112, 1, 128, 2048, 6818),     # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "LLaMA 7B", 80, 1, 2048, 128, 2244),      # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "LLaMA 7B", 48, 1, 2048, 2048, 2740),     # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "LLaMA 70B", 1024, 2, 128, 128, 2657),    # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "LLaMA 70B", 96, 2, 2048, 128, 306),      # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "Falcon 180B", 1024, 4, 128, 128, 987),   # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
]
PART = [
    ("H200", "GPT-J 6B", 1024, 1, 128, 128, 27304,     # [NVIDIA2024], H200 FP8 table
     "compute bound at batch 1024: d = 4096 GEMMs run below the 0.5 MFU a 70B's reach (1.26x)"),
    ("H200", "Mistral 7B", 896, 1, 128, 128, 20460,    # [NVIDIA2024], H200 FP8 table
     "compute bound at batch 896: d = 4096 GEMMs run below the 0.5 MFU a 70B's reach (1.5x)"),
    ("H200", "Mistral 7B", 120, 1, 128, 2048, 8950, GQA),   # [NVIDIA2024], H200 FP8 table
    ("H200", "Mistral 7B", 56, 1, 2048, 2048, 3867, GQA),   # [NVIDIA2024], H200 FP8 table
    ("H200", "LLaMA 7B", 896, 1, 128, 128, 20618,      # [NVIDIA2024], H200 FP8 table
     "compute bound at batch 896: d = 4096 GEMMs run below the 0.5 MFU a 70B's reach (1.5x)"),
    ("H100", "LLaMA 70B", 480, 4, 128, 2048, 1486, GQA),    # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "LLaMA 70B", 64, 2, 2048, 2048, 547, GQA),     # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "Falcon 180B", 1024, 8, 128, 2048, 724, GQA),  # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "Falcon 180B", 64, 4, 2048, 2048, 264, GQA),   # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
    ("H100", "Falcon 180B", 64, 4, 2048, 128, 112,          # [NVIDIA2023], H100 GPUs (FP8) table, v0.6.1
     "prefill's 2,048-token all-reduces reach more of the link than the decode-fitted 0.25 (0.74x)"),
]


def predicted(gpu, model, batch, tp, i, o, kv_heads=None):
    params, layers, heads, head_dim = SHAPES[model]
    rps = costlib.requests_per_second(params, layers, kv_heads or heads, head_dim, i, o, gpu, batch_size=batch,
                                      precision="fp8", gpus=tp, bytes_per_value=1.0)
    return rps * o / tp


@pytest.mark.parametrize("gpu,model,batch,tp,i,o,measured", AGREE)
def test_measured_serving_throughput(gpu, model, batch, tp, i, o, measured):
    assert predicted(gpu, model, batch, tp, i, o) == pytest.approx(measured, rel=TOLERANCE)


@pytest.mark.parametrize("gpu,model,batch,tp,i,o,measured,why", PART)
def test_measured_throughput_where_the_roofline_parts(gpu, model, batch, tp, i, o, measured, why, request):
    request.node.add_marker(pytest.mark.xfail(strict=True, reason=why))
    assert predicted(gpu, model, batch, tp, i, o) == pytest.approx(measured, rel=TOLERANCE)


@pytest.mark.parametrize("gpu,model,batch,tp,i,o,measured,why", [r for r in PART if r[-1] == GQA])
def test_gqa_rows_match_a_kv_cache_read_per_query_head(gpu, model, batch, tp, i, o, measured, why):
    # the stated reason, checked: with one KV head per query head the same formula meets the measurement
    assert predicted(gpu, model, batch, tp, i, o, kv_heads=QUERY_HEADS[model]) == pytest.approx(measured, rel=0.30)


def test_more_rows_agree_than_before_the_tensor_parallel_term():
    # before: 6 of the 14 H200 rows within 15 % and the TP 2 row 1.7x too fast; now every TP row the
    # model reaches is within the tolerance, and tensor parallelism is no longer free
    assert len(AGREE) >= 6 and sum(r[3] > 1 for r in AGREE) >= 3
    h100_tp2 = predicted("H100", "LLaMA 70B", 1024, 2, 128, 128)
    h200_tp1 = predicted("H200", "LLaMA 70B", 1024, 1, 128, 128)
    assert h100_tp2 < 0.8 * h200_tp1  # measured 2,657 [NVIDIA2023] vs 3,989 [NVIDIA2024]: 0.67


def test_tensor_parallel_all_reduce_costs_time():
    shape = (70e9, 80, 8, 128, 4096)
    free = costlib.time_per_output_token(*shape, "H100", batch_size=256, gpus=2, link_efficiency=1.0)
    assert costlib.time_per_output_token(*shape, "H100", batch_size=256, gpus=2) > free
    # one GPU has no all-reduce: the link efficiency does not matter
    assert costlib.time_per_output_token(*shape, "H200", batch_size=256) == \
        costlib.time_per_output_token(*shape, "H200", batch_size=256, link_efficiency=0.01)
    # identity: 2 L all-reduces of B d 16-bit values, 2 (g - 1) / g of them over each link, at 0.25 of it
    d = (70e9 / (12 * 80)) ** 0.5
    sent = 2 * 80 * 2 * (1 / 2) * 256 * d * 2                 # bytes over each GPU's link per step
    slow = costlib.time_per_output_token(*shape, "H100", batch_size=256, gpus=2)
    assert slow - free == pytest.approx(sent / (450e9 * 0.25) - sent / 450e9, rel=1e-6)  # H100 NVLink 450 GB/s one way (catalogue)


# ---------------------------------------------------------------------------
# Prefill: the default MFU per precision, calibrated on first-token latencies
# ---------------------------------------------------------------------------

PREFILL_TOLERANCE = 0.10
# (gpu, precision, model, prompt tokens, tensor parallel, measured first-token latency [ms])
FIRST_TOKEN = [
    ("A100 80GB", "fp16", "GPT-J 6B", 2048, 1, 129),   # [NVIDIA2023], Low Latency, A100 GPUs (FP16), batch 1
    ("A100 80GB", "fp16", "LLaMA 7B", 2048, 1, 133),   # [NVIDIA2023], Low Latency, A100 GPUs (FP16), batch 1
    ("H100", "fp8", "GPT-J 6B", 2048, 1, 29),          # [NVIDIA2023], Low Latency, H100 GPUs (FP8), batch 1
    ("H100", "fp8", "LLaMA 7B", 2048, 1, 36),          # [NVIDIA2023], Low Latency, H100 GPUs (FP8), batch 1
]
FIRST_TOKEN_PART = [
    ("A100 80GB", "fp16", "GPT-J 6B", 128, 1, 12,      # [NVIDIA2023], Low Latency, A100 GPUs (FP16), batch 1
     "a 128-token prompt: fixed launch and scheduling time dominates (MFU 0.42)"),
    ("H100", "fp8", "GPT-J 6B", 128, 1, 7,             # [NVIDIA2023], Low Latency, H100 GPUs (FP8), batch 1
     "a 128-token prompt: fixed launch and scheduling time dominates (MFU 0.11)"),
    ("H100", "fp8", "LLaMA 70B", 2048, 4, 109,         # [NVIDIA2023], Low Latency, H100 GPUs (FP8), TP 4
     "prefill's 2,048-token all-reduces reach more of the link than the decode-fitted 0.25, and 70B GEMMs more MFU"),
    ("A100 80GB", "fp16", "LLaMA 70B", 2048, 4, 377,   # [NVIDIA2023], Low Latency, A100 GPUs (FP16), TP 4
     "prefill's 2,048-token all-reduces reach more of the link than the decode-fitted 0.25, and 70B GEMMs more MFU"),
]


def first_token_predicted(gpu, precision, model, prompt, tp, mfu=None):
    params, layers, _, _ = SHAPES[model]
    return costlib.prefill_seconds(params, prompt, gpu, mfu=mfu, precision=precision, gpus=tp, layers=layers) * 1e3


@pytest.mark.parametrize("gpu,precision,model,prompt,tp,measured", FIRST_TOKEN)
def test_first_token_latency_at_the_default_prefill_mfu(gpu, precision, model, prompt, tp, measured):
    assert first_token_predicted(gpu, precision, model, prompt, tp) == pytest.approx(measured, rel=PREFILL_TOLERANCE)


@pytest.mark.parametrize("gpu,precision,model,prompt,tp,measured,why", FIRST_TOKEN_PART)
def test_first_token_latency_where_the_model_parts(gpu, precision, model, prompt, tp, measured, why, request):
    request.node.add_marker(pytest.mark.xfail(strict=True, reason=why))
    assert first_token_predicted(gpu, precision, model, prompt, tp) == pytest.approx(measured, rel=PREFILL_TOLERANCE)


def test_default_prefill_mfu_is_the_mean_of_the_measurements():
    # the MFU at which the formula gives each measured latency (linear in 1/MFU at TP 1)
    for precision in ("fp16", "fp8"):
        implied = [first_token_predicted(g, p, m, n, tp, mfu=1.0) / measured
                   for g, p, m, n, tp, measured in FIRST_TOKEN if p == precision]
        assert costlib.PREFILL_MFU[precision] == round(float(np.mean(implied)), 2)
    assert costlib.PREFILL_MFU["bf16"] == costlib.PREFILL_MFU["fp16"]


def test_one_prefill_default_for_every_function():
    # prefill_seconds and requests_per_second share the precision's default (no 0.4 beside 0.5)
    params, layers, kv, hd = SHAPES["LLaMA 7B"]
    for precision in ("bf16", "fp8"):
        one = costlib.requests_per_second(params, layers, kv, hd, 2048, 1e-9, "H100", precision=precision)
        alone = costlib.prefill_seconds(params, 2048, "H100", precision=precision, layers=layers)
        assert 1.0 / one == pytest.approx(alone, rel=1e-6)


# ---------------------------------------------------------------------------
# Single stream (batch 1): the default bandwidth utilisation, calibrated
# ---------------------------------------------------------------------------

# Parameters read per decode step: all but the input embedding table (one row of it is read),
# from the configs; the torchao tables' "Model Size" column agrees (13.21 GB, 15.01 GB at 2 B).
LLAMA2_7B = (6.607e9, 32, 32, 128)   # Llama-2-7b config: 6.738e9 - 32000 x 4096 embedding; 32 layers, 32 KV heads of 128
LLAMA3_8B = (7.505e9, 32, 8, 128)    # Meta-Llama-3-8B config: 8.030e9 - 128256 x 4096 embedding; 32 layers, 8 KV heads of 128
LLAMA2_70B = (68.72e9, 80, 8, 128)   # Llama-2-70b config: 68.98e9 - 32000 x 8192 embedding; 80 layers, 8 KV heads of 128
#: Mean context of the benchmarks: a 5-token prompt ([PyTorch2023] README) and about 200 generated
#: tokens (assumption: the scripts' default); its KV cache is under 0.5 % of the bytes read.
SINGLE_STREAM_CONTEXT = 105

#: Within 3 %: the four measurements' own bandwidth utilisations lie 0.68 to 0.72 (+-2.6 % about
#: their mean, 0.70), which is the run-to-run and engine-to-engine spread a constant cannot
#: follow; the printed figures carry 4-5 significant digits, far inside it.
SINGLE_STREAM_TOLERANCE = 0.03

# (label, shape, gpu, gpus, weight precision, measured tokens/s at batch 1, source)
SINGLE_STREAM = [
    ("gpt-fast Llama-2-7B BF16, A100 80GB", LLAMA2_7B, "A100 80GB", 1, "bf16", 104.9),   # [PyTorch2023], gpt-fast README "Benchmarks": Base 104.9 tok/s, 1397.31 GB/s (A100-80GB at 330 W)
    ("torchao Llama-2-7B BF16, A100 80GB", LLAMA2_7B, "A100 80GB", 1, "bf16", 107.38),  # [TorchAO2024], quantization README, A100-80GB table: Base (bfloat16) 107.38 tok/s, 1418.93 GB/s
    ("torchao Llama-3-8B BF16, A100 80GB", LLAMA3_8B, "A100 80GB", 1, "bf16", 95.64),   # [TorchAO2024], quantization README, A100-80GB table: Base (bfloat16) 95.64 tok/s, 1435.54 GB/s
    ("gpt-fast Llama-2-70B BF16, 2 x A100 80GB", LLAMA2_70B, "A100 80GB", 2, "bf16", 21.32),  # [PyTorch2023], gpt-fast README "Tensor Parallelism": 2 GPUs 21.32 tok/s, 1481.87 GB/s
]
SINGLE_STREAM_PART = [
    ("torchao Llama-3.1-8B BF16, H100", LLAMA3_8B, "H100", 1, "bf16", 126.90,  # [TorchAO2024], quantization README, H100 table: Base (bfloat16) 126.90 tok/s, 1904.75 GB/s
     "a 7.9 ms step on the H100's 3.35 TB/s: fixed per-layer kernel time does not shrink with bandwidth, MBU 0.57"),
    ("gpt-fast Llama-2-70B BF16, 4 x A100 80GB", LLAMA2_70B, "A100 80GB", 4, "bf16", 38.01,  # [PyTorch2023], gpt-fast README "Tensor Parallelism": 4 GPUs 38.01 tok/s, 1340.76 GB/s
     "the all-reduce's per-call latency (160 a token) is not modelled, only its bytes: MBU per GPU 0.66 at 4 GPUs"),
    ("gpt-fast Llama-2-70B BF16, 8 x A100 80GB", LLAMA2_70B, "A100 80GB", 8, "bf16", 62.50,  # [PyTorch2023], gpt-fast README "Tensor Parallelism": 8 GPUs 62.50 tok/s, 1135.29 GB/s
     "the all-reduce's per-call latency (160 a token) is not modelled, only its bytes: MBU per GPU 0.56 at 8 GPUs"),
    ("gpt-fast Llama-2-70B int8, A100 80GB", LLAMA2_70B, "A100 80GB", 1, "int8", 19.13,  # [PyTorch2023], gpt-fast README "Benchmarks": 8-bit 19.13 tok/s, 1322.58 GB/s
     "weight-only int8: dequantising in the matrix-vector kernel, MBU 0.65"),
    ("gpt-fast Llama-2-7B int8, A100 80GB", LLAMA2_7B, "A100 80GB", 1, "int8", 155.58,  # [PyTorch2023], gpt-fast README "Benchmarks": 8-bit 155.58 tok/s, 1069.20 GB/s
     "weight-only int8: dequantising in the matrix-vector kernel, MBU 0.52"),
    ("torchao Llama-2-7B int8wo, A100 80GB", LLAMA2_7B, "A100 80GB", 1, "int8", 170.83,  # [TorchAO2024], quantization README, A100-80GB table: int8wo 170.83 tok/s, 1131.18 GB/s
     "weight-only int8: dequantising in the matrix-vector kernel, MBU 0.55"),
    ("gpt-fast Llama-2-7B int4 G=32, A100 80GB", LLAMA2_7B, "A100 80GB", 1, "int4", 196.80,  # [PyTorch2023], gpt-fast README "Benchmarks": 4-bit (G=32) 196.80 tok/s, 862.69 GB/s
     "int4 groups of 32 carry scales and zero points (+25 % bytes, not counted) and unpacking, MBU 0.42"),
]


def single_stream_predicted(shape, gpu, gpus, precision):
    return costlib.serving_tokens_per_second(*shape, SINGLE_STREAM_CONTEXT, gpu, batch_size=1, precision=precision,
                                             gpus=gpus)


def implied_bandwidth_utilization(shape, gpu, gpus, precision, measured):
    # the MBU at which the formula gives the measurement: it is linear in u at batch 1 (bandwidth bound)
    ceiling = costlib.serving_tokens_per_second(*shape, SINGLE_STREAM_CONTEXT, gpu, precision=precision, gpus=gpus,
                                                bandwidth_utilization=1.0)
    return measured / ceiling


@pytest.mark.parametrize("label,shape,gpu,gpus,precision,measured", SINGLE_STREAM, ids=[r[0] for r in SINGLE_STREAM])
def test_single_stream_decode_at_the_default_utilization(label, shape, gpu, gpus, precision, measured):
    assert single_stream_predicted(shape, gpu, gpus, precision) == pytest.approx(measured, rel=SINGLE_STREAM_TOLERANCE)
    # the same through the step time: one token per step at batch 1
    step = costlib.time_per_output_token(*shape, SINGLE_STREAM_CONTEXT, gpu, precision=precision, gpus=gpus)
    assert 1.0 / step == pytest.approx(measured, rel=SINGLE_STREAM_TOLERANCE)


@pytest.mark.parametrize("label,shape,gpu,gpus,precision,measured,why", SINGLE_STREAM_PART,
                         ids=[r[0] for r in SINGLE_STREAM_PART])
def test_single_stream_where_one_utilization_parts(label, shape, gpu, gpus, precision, measured, why, request):
    request.node.add_marker(pytest.mark.xfail(strict=True, reason=why))
    assert single_stream_predicted(shape, gpu, gpus, precision) == pytest.approx(measured, rel=SINGLE_STREAM_TOLERANCE)


def test_default_utilization_is_the_mean_of_the_measurements():
    implied = [implied_bandwidth_utilization(*row[1:]) for row in SINGLE_STREAM]
    assert 0.68 <= min(implied) and max(implied) <= 0.72
    assert costlib.DECODE_BANDWIDTH_UTILIZATION == round(float(np.mean(implied)), 2)


def test_implied_utilization_matches_the_bandwidth_the_sources_print():
    # the sources print achieved GB/s = their model size x tokens/s; over the catalogue's peak
    # (A100 80GB 2.039 TB/s) it is the same MBU as the formula's, within the 2 % their
    # "model size" differs from the bytes counted here (static KV cache buffers in gpt-fast's)
    printed = {"gpt-fast Llama-2-7B BF16, A100 80GB": 1397.31,       # [PyTorch2023], gpt-fast README "Benchmarks"
               "torchao Llama-2-7B BF16, A100 80GB": 1418.93,        # [TorchAO2024], A100-80GB table
               "torchao Llama-3-8B BF16, A100 80GB": 1435.54,        # [TorchAO2024], A100-80GB table
               "gpt-fast Llama-2-70B BF16, 2 x A100 80GB": 1481.87}  # [PyTorch2023], "Tensor Parallelism", per GPU
    for label, shape, gpu, gpus, precision, measured in SINGLE_STREAM:
        mbu = printed[label] / (costlib.gpu_spec(gpu, "bandwidth") * 1e3)
        assert implied_bandwidth_utilization(shape, gpu, gpus, precision, measured) == pytest.approx(mbu, rel=0.02)


def test_cost_per_million_tokens_from_measured_throughput():
    # LLaMA 70B on one H200 at 3,989 tok/s [NVIDIA2024] and $6.305/h (catalogue, CoreWeave): identity
    assert costlib.token_cost(6.305, 3989) == pytest.approx(6.305 / (3989 * 3600) * 1e6, rel=1e-12)
    assert costlib.token_cost(costlib.gpu_price("H200"), predicted("H200", "LLaMA 70B", 1024, 1, 128, 128)) == \
        pytest.approx(costlib.token_cost(costlib.gpu_price("H200"), 3989), rel=TOLERANCE)


def test_bloom_energy_is_gpu_hours_at_tdp():
    # BLOOM: 1,082,990 A100 GPU-hours at 400 W = 433,196 kWh [Luccioni2022] (identity at PUE 1, $1/kWh)
    assert costlib.energy_cost(1_082_990, 1.0, gpu="A100 80GB", pue=1.0) == pytest.approx(433_196, rel=1e-6)


class TestInferenceOptimalConstants:
    PAPER = dict(E=1.69, A=406.4, B=410.7, alpha=0.336, beta=0.283)  # [Sardana2024]: the fit constants used

    def test_no_inference_gives_chinchillas_compute_optimum_with_the_papers_constants(self):
        # identity: with no demand the optimum is N = G (C/6)^(beta/(alpha+beta)), G = (alpha A / beta B)^(1/(alpha+beta))
        p = self.PAPER
        loss = costlib.chinchilla_loss(7e9, 140e9, **p)
        best = costlib.inference_optimal(loss, 0.0, **p)
        g = (p["alpha"] * p["A"] / (p["beta"] * p["B"])) ** (1 / (p["alpha"] + p["beta"]))
        assert best.params == pytest.approx(g * (best.train_flops / 6) ** (p["beta"] / (p["alpha"] + p["beta"])),
                                            rel=1e-6)

    def test_optimum_is_the_minimum_on_a_grid(self):
        # identity: no model on the iso-loss curve costs less, training plus 2 N D_inf
        p = self.PAPER
        loss = costlib.chinchilla_loss(7e9, 140e9, **p)
        best = costlib.inference_optimal(loss, 2e12, **p)
        n = best.params * np.linspace(0.7, 1.3, 601)
        gap = loss - p["E"] - p["A"] / n ** p["alpha"]
        d = (p["B"] / gap[gap > 0]) ** (1 / p["beta"])
        total = 6 * n[gap > 0] * d + 2 * n[gap > 0] * 2e12
        assert best.train_flops + best.inference_flops <= total.min() * (1 + 1e-9)

    def test_rounded_constants_move_the_optimum(self):
        # the rounded 0.34 / 0.28 [Hoffmann2022] against the default 0.336 / 0.283 [Sardana2024]: about 18 % apart here
        loss = costlib.chinchilla_loss(7e9, 140e9)
        rounded = costlib.inference_optimal(loss, 2e12, **costlib.CHINCHILLA_FIT).params
        paper = costlib.inference_optimal(loss, 2e12).params
        assert paper / rounded == pytest.approx(1.18, abs=0.02)

    def test_the_defaults_are_the_papers_constants(self):
        assert costlib.SARDANA_FIT == self.PAPER


def test_commitment_tiers_are_cheaper_than_on_demand():
    # AWS / GCP 1-year and 3-year commitments below on-demand [Cottier2024]
    assert costlib.gpu_price("H100", "3_year") < costlib.gpu_price("H100", "1_year") < \
        costlib.gpu_price("H100", "on_demand")


def test_bandwidth_utilization_outside_unit_interval_is_refused():
    with pytest.raises(costlib.OutOfRangeError, match=r"bandwidth_utilization must be in \(0, 1\], got 1.2"):
        costlib.time_per_output_token(7e9, 32, 8, 128, 1024, bandwidth_utilization=1.2)
    with pytest.raises(costlib.OutOfRangeError, match=r"bandwidth_utilization must be in \(0, 1\], got 0"):
        costlib.decode_tokens_per_second(7e9, bandwidth_utilization=0.0)


def test_throughput_is_batch_over_time_per_token():
    shape = (70e9, 80, 8, 128, 4096)
    assert costlib.serving_tokens_per_second(*shape, batch_size=8, gpus=2) == pytest.approx(
        8 / costlib.time_per_output_token(*shape, batch_size=8, gpus=2), rel=1e-12)
    # at MBU 1 and no KV cache, the shape-based step is the bandwidth bound of decode_tokens_per_second
    assert costlib.serving_tokens_per_second(70e9, 80, 8, 128, 0, bandwidth_utilization=1.0) == \
        pytest.approx(costlib.decode_tokens_per_second(70e9, "H100", bandwidth_utilization=1.0, mfu=1.0), rel=1e-12)
    # and at the defaults both give the expected rate, not the bound
    assert costlib.serving_tokens_per_second(70e9, 80, 8, 128, 0) == \
        pytest.approx(costlib.decode_tokens_per_second(70e9, "H100"), rel=1e-12)


def test_gpus_for_load_is_whole_replicas():
    assert costlib.gpus_for_load(10, 2.5, 2) == 8.0
    assert costlib.gpus_for_load(10.01, 2.5, 2) == 10.0


# ---------------------------------------------------------------------------
# The README's calibration table: each figure above beside the library's value
# ---------------------------------------------------------------------------

def calibration_rows():
    """(figure, unit, published, costlib's value, test) for every figure of this module, in its order.

    scripts/make_docs.py writes README.md's calibration table from these and from
    tests/test_published_figures.py's; the values are the ones the tests above compare.
    """
    rows = []
    def source(label):
        return "[PyTorch2023]" if label.startswith("gpt-fast") else "[TorchAO2024]"

    for label, shape, gpu, gpus, precision, measured in SINGLE_STREAM:
        rows.append((f"{label}, batch 1 {source(label)}", "tok/s", measured,
                     single_stream_predicted(shape, gpu, gpus, precision), f"within {SINGLE_STREAM_TOLERANCE * 100:g} %"))
    for label, shape, gpu, gpus, precision, measured, why in SINGLE_STREAM_PART:
        rows.append((f"{label}, batch 1 {source(label)}", "tok/s", measured,
                     single_stream_predicted(shape, gpu, gpus, precision), f"strict xfail: {why}"))
    def cite(gpu):
        return "[NVIDIA2024]" if gpu == "H200" else "[NVIDIA2023]"

    for gpu, model, batch, tp, i, o, measured in AGREE:
        rows.append((f"{model}, {gpu} FP8, batch {batch}, TP {tp}, {i} in / {o} out {cite(gpu)}", "tok/s/GPU",
                     measured, predicted(gpu, model, batch, tp, i, o), f"within {TOLERANCE * 100:g} %"))
    for gpu, model, batch, tp, i, o, measured, why in PART:
        rows.append((f"{model}, {gpu} FP8, batch {batch}, TP {tp}, {i} in / {o} out {cite(gpu)}", "tok/s/GPU",
                     measured, predicted(gpu, model, batch, tp, i, o), f"strict xfail: {why}"))
    for gpu, precision, model, prompt, tp, measured in FIRST_TOKEN:
        rows.append((f"{model}, {gpu} {precision.upper()}, first token of {prompt}, TP {tp} [NVIDIA2023]", "ms",
                     measured, first_token_predicted(gpu, precision, model, prompt, tp),
                     f"within {PREFILL_TOLERANCE * 100:g} %"))
    for gpu, precision, model, prompt, tp, measured, why in FIRST_TOKEN_PART:
        rows.append((f"{model}, {gpu} {precision.upper()}, first token of {prompt}, TP {tp} [NVIDIA2023]", "ms",
                     measured, first_token_predicted(gpu, precision, model, prompt, tp), f"strict xfail: {why}"))
    rows.append(("BLOOM energy, 1,082,990 A100 GPU-hours at 400 W [Luccioni2022]", "kWh", 433_196,
                 costlib.energy_cost(1_082_990, 1.0, gpu="A100 80GB", pue=1.0), "identity"))
    return rows


def test_the_readme_calibration_table_is_what_the_tests_generate():
    """README.md's calibration table is generated from calibration_rows() here and in test_published_figures."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "scripts"))
    import make_docs

    text = (root / "README.md").read_text(encoding="utf-8")
    assert make_docs.with_calibration(text) == text, "README.md's calibration table is stale: run python scripts/make_docs.py"
