"""Engine benchmark: 100,000 scenarios through the vectorised engine against bare numpy floors
that compute the same figures the same way, plus scaling, memory, NPV/IRR and the scalar path.

    python bench/bench_engine.py [--rows 100000] [--rounds 15]

To let numpy pick its own BLAS kernel on a machine that pins one, run it as
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/bench_engine.py
(the first output line names the kernel in use).

Floors (each checked equal to the engine's figures before anything is timed):
- same-outputs floor: every headline figure the engine returns for these inputs (per-query and
  monthly costs, net benefit, upfront, payback, break-even volume, lifetime net, ROI, the
  verdicts, payback date, mode), each in its closed form, no validation, no catalog;
- simplest floor: per-query costs, monthly net, upfront and payback only.
Ratios come from one run: the median of interleaved rounds (timing.interleaved). Goals (issue
19): the engine at most 3x the same-outputs floor at 100,000 rows, linear from 1e3 to 1e6 rows,
memory per scenario at most 3x the floor's (tracemalloc peak in a subprocess under RLIMIT_AS).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import best_and_median, interleaved, interleaved_runs, machine  # noqa: E402

from pricing.model.breakeven import evaluate, evaluate_table  # noqa: E402
from pricing.model.cashflow import cash_flows  # noqa: E402
from pricing.prices.catalog import TOKENS_PER_MILLION, Catalog  # noqa: E402

EMPTY = Catalog(as_of="2026-11-28", source="bench", models=[])
DAYS = 30.0  # days_per_month's default
EPOCHS = 3.0  # epochs' default
MLOPS_EXTRA = 0.5 * 200_000 / 12  # the "with MLOps" verdict: 0.5 engineer at the default cost
AVG_MONTH_DAYS = 365.25 / 12
MEMORY_LIMIT = 6 * 1024**3  # RLIMIT_AS of the memory subprocess


def columns(rows: int, seed: int = 1) -> dict[str, np.ndarray]:
    """Random but valid scenarios with explicit prices, as numpy columns (as a sweep holds them).
    Fine-tuning is dearer per query on some rows, so "never pays back" is exercised too."""
    rng = np.random.default_rng(seed)
    return {
        "queries_per_day": rng.uniform(100, 200_000, rows),
        "input_tokens": rng.uniform(100, 4000, rows),
        "output_tokens": rng.uniform(10, 800, rows),
        "ft_traffic_share": rng.uniform(0.2, 1, rows),
        "frontier_input_price": rng.uniform(0.5, 5, rows),
        "frontier_output_price": rng.uniform(2, 20, rows),
        "ft_input_price": rng.uniform(0.03, 2, rows),
        "ft_output_price": rng.uniform(0.1, 8, rows),
        "training_tokens": rng.uniform(1e6, 5e8, rows),
        "training_per_1m": rng.uniform(0.5, 25, rows),
        "eval_cost": rng.uniform(0, 5000, rows),
        "hosting_per_month": rng.uniform(0, 2000, rows),
        "lifetime_months": rng.uniform(3, 24, rows),
    }


def simplest_floor(c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-query costs, month-1 net benefit, upfront and payback: the least any answer needs."""
    f_q = (
        c["input_tokens"] * c["frontier_input_price"] + c["output_tokens"] * c["frontier_output_price"]
    ) / TOKENS_PER_MILLION
    t_q = (
        c["input_tokens"] * c["ft_input_price"] + c["output_tokens"] * c["ft_output_price"]
    ) / TOKENS_PER_MILLION
    net = c["queries_per_day"] * DAYS * c["ft_traffic_share"] * (f_q - t_q) - c["hosting_per_month"]
    upfront = c["training_tokens"] * EPOCHS * c["training_per_1m"] / TOKENS_PER_MILLION + c["eval_cost"]
    with np.errstate(divide="ignore", invalid="ignore"):
        payback = np.where(net > 0, upfront / net, np.nan)
    return {
        "frontier_cost_per_query": f_q,
        "ft_cost_per_query": t_q,
        "net_benefit_month": net,
        "upfront_cost": upfront,
        "payback_months": payback,
    }


def verdicts(payback: np.ndarray, life: np.ndarray, net: np.ndarray) -> np.ndarray:
    """The verdict rules (README) as codes 0..4, for rows with a positive lifetime."""
    share = np.where(np.isfinite(payback), payback / life, np.inf)
    code = np.zeros(payback.shape, dtype=int)
    code[share <= 1.0] = 1
    code[share <= 0.8] = 2
    code[share <= 0.6] = 3
    code[(payback <= 1.0) & (net >= 10_000)] = 4
    return code


def same_outputs_floor(c: dict[str, np.ndarray], today: float) -> dict[str, np.ndarray]:
    """Every headline figure the engine returns for these inputs, each in its closed form:
    no growth or price paths here, so the lifetime net is the month-1 net times the lifetime."""
    out = simplest_floor(c)
    f_q, t_q, net, upfront = (
        out[k] for k in ("frontier_cost_per_query", "ft_cost_per_query", "net_benefit_month", "upfront_cost")
    )
    q1, s, life = c["queries_per_day"] * DAYS, c["ft_traffic_share"], c["lifetime_months"]
    frontier_month = q1 * f_q
    ft_month = q1 * (s * t_q + (1 - s) * f_q)
    savings = frontier_month - ft_month
    gain = DAYS * s * (f_q - t_q)
    lifetime_net = net * life - upfront
    with np.errstate(divide="ignore", invalid="ignore"):
        breakeven = np.where(gain > 0, (upfront / life + c["hosting_per_month"]) / gain, np.nan)
        payback_mlops = np.where(net > MLOPS_EXTRA, upfront / (net - MLOPS_EXTRA), np.nan)
    payback = out["payback_months"]
    out.update(
        frontier_cost_month=frontier_month,
        ft_cost_month=ft_month,
        inference_savings_month=savings,
        training_cost=c["training_tokens"] * EPOCHS * c["training_per_1m"] / TOKENS_PER_MILLION,
        breakeven_queries_per_day=breakeven,
        lifetime_net=lifetime_net,
        roi=lifetime_net / upfront,
        verdict_code=verdicts(payback, life, net),
        verdict_with_mlops_code=verdicts(payback_mlops, life, net - MLOPS_EXTRA),
        payback_date=today + payback * AVG_MONTH_DAYS,
        mode_code=(savings < 0).astype(int),  # quality value is 0 here: "quality" when savings < 0
    )
    return out


def check_equal(engine: dict, floor: dict, what: str) -> None:
    """The floor is only a floor if it gives the engine's figures: exit before timing if not."""
    for key, want in floor.items():
        got = np.asarray(engine[key], dtype=float)
        if not np.allclose(got, want, rtol=1e-9, atol=1e-6, equal_nan=True):
            bad = int(np.flatnonzero(~np.isclose(got, want, rtol=1e-9, atol=1e-6, equal_nan=True))[0])
            raise SystemExit(f"{what}: {key} differs from the engine at row {bad}: {want[bad]} vs {got[bad]}")


def engine_figures(data: dict[str, np.ndarray]):
    return evaluate_table(data, EMPTY).figures


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


def headline_comparison(data: dict[str, np.ndarray], rounds: int) -> dict[str, float]:
    today = float(date.today().toordinal())
    check_equal(engine_figures(data), same_outputs_floor(data, today), "same-outputs floor")
    check_equal(engine_figures(data), simplest_floor(data), "simplest floor")
    return best_and_median(
        interleaved_runs(
            {
                "engine": lambda: engine_figures(data),
                "same": lambda: same_outputs_floor(data, today),
                "simplest": lambda: simplest_floor(data),
            },
            rounds,
        )
    )


def scaling(sizes: list[int], rounds: int) -> list[tuple[int, float, float]]:
    """(rows, engine seconds, same-outputs floor seconds) per size, each pair interleaved."""
    today = float(date.today().toordinal())
    out = []
    for rows in sizes:
        data = columns(rows, seed=rows)
        r = max(3, rounds * 100_000 // max(rows, 100_000) if rows > 100_000 else rounds)
        t = interleaved(
            {
                "engine": lambda d=data: engine_figures(d),
                "floor": lambda d=data: same_outputs_floor(d, today),
            },
            r,
        )
        out.append((rows, t["engine"], t["floor"]))
    return out


def peak_memory(which: str, rows: int) -> int:
    """Peak bytes numpy and Python allocate in one evaluation, measured in a fresh subprocess
    under an address-space limit (so a regression fails there, not on the machine)."""
    code = (
        "import resource, sys, tracemalloc; "
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT})); "
        f"sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parent.parent)!r}]; "
        "import bench_engine as b; "
        f"d = b.columns({rows}); b.engine_figures(b.columns(10)); "
        "tracemalloc.start(); "
        f"r = b.engine_figures(d) if {which!r} == 'engine' else b.same_outputs_floor(d, 7.4e5); "
        "print(tracemalloc.get_traced_memory()[1])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


def finance_comparison(data: dict[str, np.ndarray], sample: int, rounds: int) -> list[str]:
    """NPV and IRR of the engine's own 36-month flows against numpy-financial and pyxirr (one
    row at a time: that is how both are called), on `sample` rows: agreement, then speed."""
    import numpy_financial as npf
    import pyxirr

    from pricing.model import finance

    sub = {k: v[:sample] for k, v in data.items()}
    resolved = evaluate_table(sub, EMPTY).figures._columns
    _, _, flows = cash_flows(resolved, 36)
    rate = float(finance.monthly_rate(0.10))
    ours_npv, ours_irr = finance.npv(rate, flows), finance.irr(flows)
    npf_npv = np.array([npf.npv(rate, f) for f in flows])
    px_npv = np.array([pyxirr.npv(rate, f) for f in flows])
    npf_irr = np.array([npf.irr(f) for f in flows])
    px_irr = np.array([pyxirr.irr(f, silent=True) or np.nan for f in flows], dtype=float)
    lines = []
    for name, theirs_npv, theirs_irr in (("numpy-financial", npf_npv, npf_irr), ("pyxirr", px_npv, px_irr)):
        both = np.isfinite(ours_irr) & np.isfinite(theirs_irr)
        rel = np.max(np.abs(ours_npv - theirs_npv) / np.maximum(np.abs(theirs_npv), 1.0))
        lines.append(
            f"  agreement with {name}: NPV max rel. difference {rel:.1e}; IRR on {both.sum():,} rows "
            f"where both find one, max |difference| {np.max(np.abs(ours_irr - theirs_irr)[both]):.1e} a "
            f"month; no IRR: ours {int(np.isnan(ours_irr).sum())}, theirs {int(np.isnan(theirs_irr).sum())}"
        )
    t = interleaved(
        {
            "npv": lambda: finance.npv(rate, flows),
            "npf_npv": lambda: [npf.npv(rate, f) for f in flows],
            "px_npv": lambda: [pyxirr.npv(rate, f) for f in flows],
            "irr": lambda: finance.irr(flows),
            "npf_irr": lambda: [npf.irr(f) for f in flows],
            "px_irr": lambda: [pyxirr.irr(f, silent=True) for f in flows],
        },
        rounds,
    )
    us = 1e6 / sample
    lines.append(
        f"  NPV per row: engine (vectorised) {t['npv'] * us:.2f} us, "
        f"numpy-financial {t['npf_npv'] * us:.1f} us "
        f"({t['npf_npv'] / t['npv']:.0f}x), pyxirr {t['px_npv'] * us:.2f} us ({t['px_npv'] / t['npv']:.1f}x)"
    )
    lines.append(
        f"  IRR per row: engine (vectorised) {t['irr'] * us:.1f} us, "
        f"numpy-financial {t['npf_irr'] * us:.0f} us "
        f"({t['npf_irr'] / t['irr']:.0f}x), pyxirr {t['px_irr'] * us:.2f} us ({t['px_irr'] / t['irr']:.2f}x)"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (median)")
    parser.add_argument("--scalar-sample", type=int, default=300)
    parser.add_argument("--finance-sample", type=int, default=2_000)
    parser.add_argument("--quick", action="store_true", help="skip scaling, memory and finance")
    args = parser.parse_args(argv)
    print(machine())

    data = columns(args.rows)
    both = headline_comparison(data, args.rounds)
    t = {k: median for k, (_, median) in both.items()}
    best = {k: fastest for k, (fastest, _) in both.items()}
    print(f"rows: {args.rows:,}; {args.rounds} interleaved rounds; every floor equals the engine")
    print(f"{'':46s} median ms  fastest ms")
    for key, label in (
        ("simplest", "simplest floor (costs, net, upfront, payback)"),
        ("same", "same-outputs floor (every headline figure)"),
        ("engine", "vectorised engine"),
    ):
        print(f"{label + ':':46s} {t[key] * 1e3:9.2f} {best[key] * 1e3:11.2f}")
    print(
        f"engine / same-outputs floor: {t['engine'] / t['same']:.1f}x (medians), "
        f"{best['engine'] / best['same']:.1f}x (fastest rounds); goal <= 3x. Engine / simplest floor: "
        f"{t['engine'] / t['simplest']:.1f}x, {best['engine'] / best['simplest']:.1f}x"
    )

    if not args.quick:
        print("scaling (engine / same-outputs floor, median of interleaved rounds):")
        print("      rows   engine ms   floor ms   ratio   engine ns/row")
        for rows, te, tf in scaling([1_000, 10_000, 100_000, 1_000_000], args.rounds):
            print(f"{rows:>10,} {te * 1e3:11.2f} {tf * 1e3:10.2f} {te / tf:7.1f} {te / rows * 1e9:13.0f}")
        rows = 1_000_000
        mem = {w: peak_memory(w, rows) for w in ("engine", "floor")}
        print(
            f"memory at {rows:,} rows (tracemalloc peak, inputs excluded): engine {mem['engine'] / rows:.0f} "
            f"B/scenario, floor {mem['floor'] / rows:.0f} B/scenario = {mem['engine'] / mem['floor']:.1f}x "
            "(goal <= 3x)"
        )

        today = float(date.today().toordinal())
        floor = same_outputs_floor(data, today)
        floor_npv = bare_npv(data, floor["net_benefit_month"], floor["upfront_cost"])
        check_equal({"npv": evaluate_table(data, EMPTY).figures["npv"]}, {"npv": floor_npv}, "bare NPV")
        tn = interleaved(
            {
                "engine": lambda: evaluate_table(data, EMPTY).figures["npv"],
                "floor": lambda: bare_npv(
                    data, *(lambda f: (f["net_benefit_month"], f["upfront_cost"]))(simplest_floor(data))
                ),
                "all": lambda: [
                    evaluate_table(data, EMPTY).figures[k]
                    for k in ("npv", "irr_annual", "discounted_payback_months")
                ],
            },
            max(3, args.rounds // 3),
        )
        print(
            f"with NPV (36 months): engine {tn['engine'] * 1e3:.1f} ms = {tn['engine'] / tn['floor']:.1f}x "
            f"bare numpy NPV of the same flows ({tn['floor'] * 1e3:.1f} ms); with NPV, IRR and discounted "
            f"payback {tn['all'] * 1e3:.0f} ms"
        )
        print(f"NPV and IRR against numpy-financial and pyxirr, {args.finance_sample:,} rows of 37 flows:")
        for line in finance_comparison(data, args.finance_sample, max(3, args.rounds // 3)):
            print(line)

    sample = min(args.scalar_sample, args.rows)
    rows_ = [{k: float(v[i]) for k, v in data.items()} for i in range(sample)]
    start = time.perf_counter()
    for row in rows_:
        evaluate(row, EMPTY)
    per_scalar = (time.perf_counter() - start) / sample
    print(
        f"scalar loop: {per_scalar * 1e6:.0f} us a scenario (all figures, NPV and IRR included; {sample:,} "
        f"timed): the vectorised engine is {per_scalar * args.rows / t['engine']:,.0f}x faster (goal >= 50x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
