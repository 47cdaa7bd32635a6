"""Benchmark: FT_ functions through xlwings' Office.js custom-function path, against trivial
UDFs through the same path (bench/trivial_udfs.py), with the payloads Excel sends (every
argument a 2-D matrix).

    python bench/bench_functions.py [--rows 10000] [--rounds 31] [--scalar-sample 300] [--profile]

- one-line functions (FT_PAYBACK_MONTHS, FT_QUERY_COST, FT_MONTHLY_SAVINGS, FT_TRAINING_COST,
  FT_BREAKEVEN_QUERIES) against a trivial UDF with as many arguments; goal <= 2x;
- FT_SCENARIOS over a 10,000-row table against the trivial UDF that moves the same table in and
  one column out; goal <= 2x;
- FT_SCENARIO one call per row (extrapolated from a sample) and the Calculator's pattern.
Each FT_ answer is checked against the engine before timing; ratios are medians of interleaved
rounds (timing.interleaved). Python only: Excel's round trip (HTTP for Server, Pyodide for Lite)
comes on top, once per call, which is why the array form matters.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # PolyForm Noncommercial: local use
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trivial_udfs  # noqa: E402
import xlwings as xw  # noqa: E402
import xlwings.server as xs  # noqa: E402
from timing import best_and_median, interleaved_runs, machine  # noqa: E402

from pricing.model.breakeven import evaluate_table, query_cost  # noqa: E402
from pricing.prices.catalog import TOKENS_PER_MILLION  # noqa: E402
from pricing.prices.store import load_catalog  # noqa: E402
from xl_addin import functions  # noqa: E402

HEADER = [
    "queries_per_day",
    "input_tokens",
    "output_tokens",
    "frontier_input_price",
    "frontier_output_price",
    "ft_input_price",
    "ft_output_price",
    "training_tokens",
    "training_per_1m",
    "eval_cost",
    "ft_traffic_share",
]


def table(rows: int) -> list[list[object]]:
    """A header row plus `rows` scenarios with explicit prices (no catalog lookups)."""
    body = [
        [500 + 10 * i, 1000 + i % 500, 200, 3, 15, 0.8, 3.2, 1_000_000 + i, 25, 2000, 0.8]
        for i in range(rows)
    ]
    return [HEADER] + body


def payload(func_name: str, args: list[object]) -> dict[str, object]:
    return {
        "func_name": func_name,
        "args": args,
        "caller_address": "[Bench.xlsx]Sheet1!A1",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
        "version": xw.__version__,
        "runtime": "1.4",
        "client": "Office.js",
    }


def call(func_name: str, args: list[object], module=functions) -> object:
    return asyncio.run(xs.custom_functions_call(payload(func_name, args), module))


def m(*values: object) -> list[list[list[object]]]:
    """Scalar arguments as Office.js sends them: each a 1 x 1 matrix."""
    return [[[v]] for v in values]


# (FT_ function, its arguments, the trivial UDF with as many, the answer the engine's formulas give)
ONE_LINE = (
    ("ft_payback_months", m(4000, 650), "trivial2", 4000 / 650),
    ("ft_query_cost", m(1000, 100, 3, 15), "trivial4", float(query_cost(1000, 100, 3, 15, 0.3, 0, 0, 1, 1))),
    ("ft_monthly_savings", m(5000, 0.0045, 0.0011), "trivial3", 5000 * 30 * (0.0045 - 0.0011)),
    ("ft_training_cost", m(250e6, 1, 8), "trivial3", 250e6 * 8 / TOKENS_PER_MILLION),
    ("ft_breakeven_queries", m(4000, 0.0045, 0.0011, 12), "trivial4", (4000 / 12) / (30 * (0.0045 - 0.0011))),
)


def one_line(rounds: int) -> None:
    for name, args, _, want in ONE_LINE:
        got = call(name, args)[0][0]  # Office.js gets every answer as a matrix
        assert abs(got - want) <= 1e-9 * abs(want), (name, got, want)
    fns = {name: (lambda n=name, a=args: call(n, a)) for name, args, _, _ in ONE_LINE}
    fns.update({t: (lambda t=t, a=args: call(t, a, trivial_udfs)) for _, args, t, _ in ONE_LINE})
    t = best_and_median(interleaved_runs(fns, rounds))
    print(f"one-line functions, {rounds} interleaved rounds (goal <= 2x the trivial UDF):")
    for name, _, trivial, _ in ONE_LINE:
        (fast, med), (t_fast, t_med) = t[name], t[trivial]
        print(
            f"  {name.upper():22s} {med * 1e3:6.3f} ms = {med / t_med:.2f}x {trivial} ({t_med * 1e3:.3f} ms) "
            f"median; fastest rounds {fast / t_fast:.2f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--scalar-sample", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=31, help="interleaved rounds (median)")
    parser.add_argument("--profile", action="store_true", help="cProfile the array call")
    args = parser.parse_args(argv)

    print(machine())
    one_line(args.rounds)

    data = table(args.rows)
    out = call("ft_scenarios", [data, [["payback_months"]]])
    assert len(out) == args.rows, len(out)
    columns = {f: [row[j] for row in data[1:]] for j, f in enumerate(HEADER)}
    want = evaluate_table(columns, load_catalog()).column("payback_months")  # as FT_SCENARIOS
    assert [r[0] for r in out] == [functions.figure(w) for w in want], "FT_SCENARIOS differs from the engine"
    floor = call("trivial_table", [data, [["payback_months"]]], trivial_udfs)
    assert [r[0] for r in floor] == [float(row[0]) for row in data[1:]], "the floor moves another column"
    assert {type(r[0]) for r in floor} == {type(r[0]) for r in out} == {float}, "floats both ways"
    t = best_and_median(
        interleaved_runs(
            {
                "ft": lambda: call("ft_scenarios", [data, [["payback_months"]]]),
                "trivial": lambda: call("trivial_table", [data, [["payback_months"]]], trivial_udfs),
            },
            args.rounds,
        )
    )
    (fast, best), (t_fast, t_med) = t["ft"], t["trivial"]
    print(
        f"FT_SCENARIOS, {args.rows:,} rows, one call: {best * 1e3:.1f} ms = {best / t_med:.2f}x the trivial "
        f"UDF moving the same table and column ({t_med * 1e3:.1f} ms) median; fastest rounds "
        f"{fast * 1e3:.1f} / {t_fast * 1e3:.1f} ms = {fast / t_fast:.2f}x (goal <= 2x)"
    )

    sample = min(args.scalar_sample, args.rows)
    start = time.perf_counter()
    for row in data[1 : sample + 1]:
        block = [HEADER, row]
        call("ft_scenario", [block, [["payback_months"]]])
    scalar = time.perf_counter() - start
    per_call = scalar / sample
    total = per_call * args.rows
    note = "measured" if sample == args.rows else f"extrapolated from {sample:,} calls"
    print(
        f"FT_SCENARIO scalar calls: {per_call * 1e3:.3f} ms per call; {args.rows:,} calls "
        f"= {total:.2f} s ({note}); the array call is {total / best:.0f}x faster"
    )

    # The Calculator's pattern: many FT_SCENARIO cells, each one figure of the same input block.
    block = [HEADER, data[1]]
    outputs = [o for o in functions.OUTPUTS if o != "notes"]
    start = time.perf_counter()
    for output in outputs:
        call("ft_scenario", [block, [[output]]])
    per_cell = (time.perf_counter() - start) / len(outputs)
    print(
        f"FT_SCENARIO, {len(outputs)} figures of one input block (the Calculator): "
        f"{per_cell * 1e3:.2f} ms a cell (the block is resolved once, then remembered)"
    )

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        call("ft_scenarios", [data, [["payback_months"]]])
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
