"""Risk benchmark: 10,000 Monte Carlo draws and a 20 x 20 sensitivity grid (median of repeats).

    python bench/bench_risk.py [--draws 10000] [--repeats 7]

Both run the engine once on all their points (vectorised); the goal is well under a second.
The scenario has explicit prices and an empty catalog, so the figures do not depend on it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import median_time  # noqa: E402

from pricing.model.risk import default_uncertain, grid, monte_carlo, tornado  # noqa: E402
from tests.helpers import EMPTY_CATALOG, priced  # noqa: E402

# The tests' priced scenario (explicit rates, so no catalog data is involved), with a quality
# lift and traffic growth so every part of the model is exercised.
SCENARIO = priced(name="bench", accuracy_lift=0.05, value_per_correct=0.01, volume_growth_monthly=0.02)
EMPTY = EMPTY_CATALOG


def seconds(fn, repeats: int) -> float:
    return median_time(fn, repeats, warm_up=True)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    uncertain = default_uncertain(SCENARIO, EMPTY)
    xs = [1000 * (i + 1) for i in range(20)]
    ys = [0.04 * i for i in range(20)]
    t_mc = seconds(lambda _: monte_carlo(SCENARIO, uncertain, args.draws, 0, EMPTY), args.repeats)
    t_grid = seconds(
        lambda _: grid(SCENARIO, "queries_per_day", xs, "frontier_price_decline_annual", ys, "npv", EMPTY),
        args.repeats,
    )
    t_grid_irr = seconds(
        lambda _: grid(
            SCENARIO, "queries_per_day", xs, "training_runs", [1 + i for i in range(20)], "irr_annual", EMPTY
        ),
        args.repeats,
    )
    t_tornado = seconds(lambda _: tornado(SCENARIO, None, "npv", EMPTY), args.repeats)
    result = monte_carlo(SCENARIO, uncertain, args.draws, 0, EMPTY)

    print(f"median of {args.repeats} runs (after one warm-up)")
    print(
        f"Monte Carlo, {args.draws:,} draws ({len(uncertain)} uncertain inputs): "
        f"{t_mc * 1e3:8.1f} ms  (goal: well under 1,000 ms)"
    )
    print(f"sensitivity grid 20 x 20, NPV:                  {t_grid * 1e3:8.1f} ms")
    print(f"sensitivity grid 20 x 20, IRR:                  {t_grid_irr * 1e3:8.1f} ms")
    print(f"tornado, default drivers, NPV:                  {t_tornado * 1e3:8.1f} ms")
    print(
        f"(check: P50 payback {result.payback_p50:.2f} months, P50 NPV ${result.npv_p50:,.0f}, "
        f"P(pays back in lifetime) {result.prob_payback_within_lifetime:.1%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
