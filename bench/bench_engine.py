"""Engine benchmark: 100,000 scenarios through the vectorised path, the scalar path, and a bare
numpy kernel of the same formulas (the floor).

    python bench/bench_engine.py [--rows 100000] [--scalar-sample 1000] [--repeats 5]

Goals (issue #8): vectorised within 3x of the bare kernel, at least 50x faster than the scalar
loop. The scalar loop is timed on a sample and extrapolated (said so in the output).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import median_time  # noqa: E402

from pricing.breakeven import evaluate, evaluate_table  # noqa: E402
from pricing.catalog import Catalog  # noqa: E402

EMPTY = Catalog(as_of="2026-11-28", source="bench", models=[])


def columns(rows: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Random but valid scenarios with explicit prices, as numpy columns (as a sweep holds them)."""
    rng = np.random.default_rng(seed)
    return {
        "queries_per_day": rng.uniform(100, 200_000, rows),
        "input_tokens": rng.uniform(100, 4000, rows),
        "output_tokens": rng.uniform(10, 800, rows),
        "ft_traffic_share": rng.uniform(0.2, 1, rows),
        "frontier_input_price": rng.uniform(0.5, 5, rows),
        "frontier_output_price": rng.uniform(2, 20, rows),
        "ft_input_price": rng.uniform(0.03, 1, rows),
        "ft_output_price": rng.uniform(0.1, 4, rows),
        "training_tokens": rng.uniform(1e6, 5e8, rows),
        "training_price": rng.uniform(0.5, 25, rows),
        "eval_cost": rng.uniform(0, 5000, rows),
        "hosting_per_month": rng.uniform(0, 2000, rows),
        "lifetime_months": rng.uniform(3, 24, rows),
    }


def bare_kernel(c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The month-1 formulas and lifetime net written straight in numpy: no validation, no lookup."""
    f_q = (
        c["input_tokens"] * c["frontier_input_price"] + c["output_tokens"] * c["frontier_output_price"]
    ) / 1e6
    t_q = (c["input_tokens"] * c["ft_input_price"] + c["output_tokens"] * c["ft_output_price"]) / 1e6
    q = c["queries_per_day"] * 30
    s = c["ft_traffic_share"]
    net = q * s * (f_q - t_q) - c["hosting_per_month"]
    upfront = c["training_tokens"] * 3 * c["training_price"] / 1e6 + c["eval_cost"]
    life = c["lifetime_months"]
    with np.errstate(divide="ignore", invalid="ignore"):
        payback = np.where(net > 0, upfront / net, np.nan)
        breakeven = (upfront / life + c["hosting_per_month"]) / (30 * s * (f_q - t_q))
    months = int(np.ceil(life.max()))
    weights = np.clip(life[:, None] - np.arange(months)[None, :], 0, 1)
    lifetime_net = (net[:, None] * weights).sum(axis=1) - upfront
    return {
        "payback": payback,
        "breakeven": breakeven,
        "lifetime_net": lifetime_net,
        "net": net,
        "upfront": upfront,
    }


def bare_npv(
    c: dict[str, np.ndarray], net: np.ndarray, upfront: np.ndarray, horizon: int = 36, annual: float = 0.10
) -> np.ndarray:
    """NPV of the same schedule in bare numpy: -upfront at month 0, the net every month to the
    horizon, the upfront again at every whole lifetime (the defaults: retrain at 100%)."""
    life = c["lifetime_months"]
    months = np.arange(horizon + 1)
    flows = np.where(months[None, :] >= 1, net[:, None], -upfront[:, None])
    retrains = np.floor((months[None, :-1] + 1e-9) / life[:, None])
    flows[:, 1:-1] -= np.diff(retrains, axis=1) * upfront[:, None]
    return flows @ (1 + annual) ** (-months / 12)


def seconds(fn, repeats: int) -> float:
    return median_time(fn, repeats)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--scalar-sample", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    data = columns(args.rows)
    vector = evaluate_table(data, EMPTY)
    floor = bare_kernel(data)
    # Same answers: the bare kernel is only a floor if it computes what the engine computes.
    assert all(e is None for e in vector.errors)
    assert np.allclose(vector.figures["payback_months"], floor["payback"], equal_nan=True)
    assert np.allclose(vector.figures["lifetime_net"], floor["lifetime_net"])

    t_vector = seconds(lambda _: evaluate_table(data, EMPTY), args.repeats)
    t_floor = seconds(lambda _: bare_kernel(data), args.repeats)
    # NPV over the 36-month schedule (computed on first use, see LazyFigures) against bare numpy.
    floor_npv = bare_npv(data, floor["net"], floor["upfront"])
    assert np.allclose(vector.figures["npv"], floor_npv, rtol=1e-9, atol=1e-6)
    t_npv = seconds(lambda _: evaluate_table(data, EMPTY).figures["npv"], args.repeats)
    t_npv_floor = seconds(
        lambda _: bare_npv(data, *(lambda f: (f["net"], f["upfront"]))(bare_kernel(data))), args.repeats
    )
    t_all = seconds(
        lambda _: [
            evaluate_table(data, EMPTY).figures[k] for k in ("npv", "irr_annual", "discounted_payback_months")
        ],
        args.repeats,
    )
    sample = min(args.scalar_sample, args.rows)
    rows = [{k: float(v[i]) for k, v in data.items()} for i in range(sample)]
    start = time.perf_counter()
    for row in rows:
        evaluate(row, EMPTY)
    per_scalar = (time.perf_counter() - start) / sample
    t_scalar = per_scalar * args.rows
    how = "measured" if sample == args.rows else f"extrapolated from {sample:,}"

    print(f"rows: {args.rows:,}; median of {args.repeats} runs")
    print(f"bare numpy kernel (floor): {t_floor * 1e3:9.1f} ms")
    print(
        f"vectorised engine:         {t_vector * 1e3:9.1f} ms  = "
        f"{t_vector / t_floor:.1f}x the floor (goal <= 3x)"
    )
    print(
        f"scalar loop:               {t_scalar * 1e3:9.1f} ms  "
        f"({per_scalar * 1e6:.0f} us per scenario, {how})"
    )
    print(f"vectorised vs scalar:      {t_scalar / t_vector:9.0f}x faster (goal >= 50x)")
    print(
        f"with NPV (36 months):      {t_npv * 1e3:9.1f} ms  = {t_npv / t_npv_floor:.1f}x bare numpy "
        f"({t_npv_floor * 1e3:.1f} ms)"
    )
    print(f"with NPV, IRR, disc. payback: {t_all * 1e3:6.1f} ms  (IRR: root search per row, no bare floor)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
