"""GPU-hour serving: what a dedicated deployment (Fireworks, Together AI) or your own GPUs cost a month.

Fine-tuned LoRA models on Fireworks run only on dedicated deployments billed per GPU-second
(research/FT_PRICES_2026-12.md S14), so their cost is GPU time, not tokens:

    peak tokens/s = queries/day x routed share x tokens/query / 86,400 s x peak-to-average
    GPUs          = max(minimum GPUs, ceil(peak tokens/s / tokens/s one GPU serves))
    $/month       = GPUs x 730 h x share of the month the deployment is up x $/GPU-hour

Sized for month-1 traffic. Pure numpy, one row per scenario, so the scalar and the vectorised
paths are the same code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from pricing.prices.catalog import HOURS_PER_MONTH, Catalog, GpuRate, ModelEntry

SECONDS_PER_DAY = 86_400.0
# Tokens per second (prompt + completion) one H100-class GPU serves for a model of P billion
# parameters: 40,000 / P. Anchored on MLPerf Inference v5.1, Llama 3.1 8B FP8 on one H100 under
# the Server latency limits, 5,103 tokens/s (Red Hat's submission); decode cost grows about
# linearly with parameters. An assumption: give gpu_tokens_per_second from your own load test.
THROUGHPUT_TOKENS_X_PARAMS_B = 40_000.0
THROUGHPUT_SOURCE = "MLPerf Inference v5.1 (Red Hat): Llama 3.1 8B FP8, 1x H100, Server, 5,103 tokens/s"


def default_tokens_per_second(params_b: float | None) -> float:
    """Throughput of one GPU for a model size; NaN when the size is unknown."""
    return THROUGHPUT_TOKENS_X_PARAMS_B / params_b if params_b else math.nan


def serving_gpu(catalog: Catalog, entry: ModelEntry) -> GpuRate | None:
    """The GPU the catalog serves this tuned model on, or None (billed per token)."""
    return catalog.gpu(entry.serving_gpu) if entry.serving_gpu else None


def gpus_needed(
    queries_per_day: np.ndarray,
    tokens_per_query: np.ndarray,
    peak_to_average: np.ndarray,
    tokens_per_second_per_gpu: np.ndarray,
    min_gpus: np.ndarray,
) -> np.ndarray:
    """Whole GPUs that carry the peak load (at least `min_gpus`)."""
    peak = queries_per_day * tokens_per_query / SECONDS_PER_DAY * peak_to_average
    with np.errstate(divide="ignore", invalid="ignore"):
        # a hair under a whole GPU stays one GPU: 1e-9 absorbs float noise in the division
        needed = np.ceil(peak / tokens_per_second_per_gpu - 1e-9)
    return np.maximum(min_gpus, np.nan_to_num(needed, nan=0.0))


def gpu_month(c: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(GPUs, $/month) of GPU serving per row, from engine-ready columns:
    gpu_queries_per_day, gpu_tokens_per_query, peak_to_average, gpu_tokens_per_second,
    gpus_min, gpu_uptime_share, gpu_hourly."""
    gpus = gpus_needed(
        c["gpu_queries_per_day"],
        c["gpu_tokens_per_query"],
        c["peak_to_average"],
        c["gpu_tokens_per_second"],
        c["gpus_min"],
    )
    return gpus, gpus * HOURS_PER_MONTH * c["gpu_uptime_share"] * c["gpu_hourly"]


def serving_note(gpus: float, gpu_name: str, hourly: float, uptime: float, cost: float) -> str:
    hours = HOURS_PER_MONTH * uptime
    up = "always on" if uptime >= 1 else f"up {uptime:.0%} of the month"
    return (
        f"GPU serving: {gpus:g} x {gpu_name} at ${hourly:,.2f}/h, {hours:,.0f} h/month ({up}) = "
        f"${cost:,.0f}/month, sized for month-1 peak traffic"
    )
