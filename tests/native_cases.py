"""Random valid scenarios and a test workbook that lays the native chain out once per scenario.

The built no-add-in file, plus a Cases sheet (one column per scenario: the values the
Calculator's input cells would hold, calculator.python_inputs) and one sheet per scenario with
workbook.sheets.cashflow.write_chain reading that column, so one LibreOffice run recalculates
hundreds of scenarios through the very formulas of the Cash flow sheet.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from pricing.model.breakeven import evaluate
from pricing.model.scenario import make_scenario
from workbook.sheets import calculator, cashflow

CASES_SHEET = "Cases"


def random_scenarios(catalog, n: int, seed: int = 14) -> list[dict]:
    """n valid scenarios (the engine evaluates each), with growth, declines and a one-off cut,
    cached and batch shares, partial routing, GPU self-hosting, start dates around shutdowns."""
    rng = random.Random(seed)
    billing_rng = random.Random(seed + 1)
    today = date.today()
    frontier = [m.id for m in catalog.models if m.input and m.output]
    tuned = [m.id for m in catalog.models if m.offered_for_fine_tuning(today)]
    u, i = rng.uniform, rng.randint
    optional = (  # (probability, {input: its draw}): the inputs a case may set beyond the basics
        (0.5, {"days_per_month": lambda: i(20, 31)}),
        (0.5, {"volume_growth_monthly": lambda: u(-0.05, 0.1)}),
        (0.5, {"cached_share": lambda: u(0, 1)}),
        (0.5, {"batch_share": lambda: u(0, 1)}),
        (0.5, {"ft_traffic_share": lambda: u(0.1, 1)}),
        (0.4, {"ft_input_tokens": lambda: i(20, 3000)}),
        (0.5, {"frontier_price_decline_annual": lambda: u(0, 0.6)}),
        (0.3, {"frontier_price_cut": lambda: u(0, 0.7), "frontier_price_cut_month": lambda: i(1, 30)}),
        (0.3, {"ft_price_decline_annual": lambda: u(0, 0.4)}),
        (0.4, {"start_date": lambda: today + timedelta(days=i(-30, 500))}),  # around shutdown dates
        (0.2, {"gpu_hourly_price": lambda: u(1, 10), "gpu_tokens_per_second": lambda: u(500, 20000)}),
        (0.3, {"accuracy_lift": lambda: u(0, 0.3), "value_per_correct": lambda: u(0, 2)}),
        (0.3, {"mlops_fte": lambda: u(0, 1)}),
        (0.3, {"retrain_cost_share": lambda: u(0, 1)}),
        (0.3, {"eval_cost": lambda: u(0, 5000), "training_runs": lambda: i(1, 4)}),
        (0.25, {"baseline_model": lambda: rng.choice(frontier)}),  # the cheaper model prompted
        (0.25, {"successor_ft_model": lambda: rng.choice(tuned)}),  # takes over when the model stops
        (
            0.2,
            {
                "frontier_latency_ms": lambda: u(100, 2000),
                "ft_latency_ms": lambda: u(50, 800),
                "latency_budget_ms": lambda: u(100, 1000),
            },
        ),
    )
    out: list[dict] = []
    while len(out) < n:
        s: dict = {
            "name": f"case {len(out) + 1}",
            "queries_per_day": round(10 ** rng.uniform(2, 5.5)),
            "input_tokens": rng.randint(50, 6000),
            "output_tokens": rng.randint(10, 2000),
            "frontier_model": rng.choice(frontier),
            "ft_model": rng.choice(tuned),
            "training_examples": rng.randint(100, 20000),
            "tokens_per_example": rng.randint(100, 3000),
            "lifetime_months": rng.choice([rng.uniform(0.5, 36), rng.randint(1, 24)]),
            "horizon_months": rng.randint(1, 120),
            "discount_rate_annual": rng.uniform(0, 0.3),
        }
        for share, draws in optional:  # each group drawn with its probability, in this order
            if rng.random() < share:
                s.update((field, draw()) for field, draw in draws.items())
        inputs = _valid(s, catalog)
        if inputs is None:  # e.g. a model without a rate the engine needs: draw again
            continue
        # billing options drawn apart, so the cases above stay the same draws; kept where valid
        billed = _valid(_billing_options(dict(s), catalog, billing_rng), catalog)
        out.append(billed or inputs)
    return out


def _valid(s: dict, catalog) -> dict | None:
    """The Calculator's inputs for scenario s, or None when the engine refuses it."""
    try:
        inputs = calculator.python_inputs(make_scenario(s), catalog)
        evaluate(inputs, catalog)
    except Exception:
        return None
    return inputs


def _billing_options(s: dict, catalog, rng: random.Random) -> dict:
    """Cache writes, long prompts, flex/priority and regional processing, each on a frontier
    (and sometimes baseline) model whose catalog row prices it (issue 21)."""

    def having(field: str) -> list[str]:
        return [m.id for m in catalog.models if getattr(m, field) is not None and m.input and m.output]

    pick = rng.random()
    if pick < 0.1:
        s["frontier_model"] = rng.choice(having("cache_write_5m"))
        s["cache_write_share"] = rng.uniform(0, 1 - s.get("cached_share", 0))
        s["cache_ttl_minutes"] = rng.choice([5, 60])
    elif pick < 0.2:
        s["service_tier"] = tier = rng.choice(["flex", "priority"])
        s["frontier_model"] = rng.choice(having(f"{tier}_input"))
        if "baseline_model" in s:
            s["baseline_model"] = rng.choice(having(f"{tier}_input"))
    elif pick < 0.27:
        s["data_residency"] = "regional"
        s["frontier_model"] = rng.choice(having("regional_uplift"))
    elif pick < 0.34:  # a prompt above the long-context threshold
        s["frontier_model"] = rng.choice(having("long_context_threshold"))
        s["input_tokens"] = rng.randint(150_000, 400_000)
    return s


def case_book(base: Path, cases: list[dict], path: Path) -> tuple[Path, dict[str, str]]:
    """The built file plus Cases and one chain sheet per case ("C1", "C2", ...); returns the
    path and each answer's cell (the same on every chain sheet)."""
    wb = openpyxl.load_workbook(base)
    ws = wb.create_sheet(CASES_SHEET)
    fields = calculator.fields.ORDERED
    for i, f in enumerate(fields, start=2):
        ws.cell(i, 1, f)
    for j, inputs in enumerate(cases, start=2):
        for i, f in enumerate(fields, start=2):
            v = inputs.get(f)
            ws.cell(i, j, None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
    answers: dict[str, str] = {}
    row = {f: i for i, f in enumerate(fields, start=2)}
    for j in range(len(cases)):
        col = get_column_letter(j + 2)
        sheet = wb.create_sheet(f"C{j + 1}")
        answers = cashflow.write_chain(sheet, lambda f, col=col: f"{CASES_SHEET}!${col}${row[f]}")
    wb.save(path)
    return path, answers


def unpriced_successor_cases(catalog) -> list[dict]:
    """A successor with no training rate taking over (its training has no price): the engine's
    flows do not exist then (NPV and IRR n/a) once it takes over inside the horizon, and exist
    when the horizon ends first. One case per such successor and horizon (1, 2 and 24 months),
    on a fine-tuned model that stops serving a month and a half after the start."""
    unpriced = [
        m.id
        for m in catalog.models
        if m.fine_tunable and m.training_per_1m is None and m.training_per_hour is None
    ]
    ending = [m for m in catalog.models if m.fine_tunable and m.shutdown_date and m.training_per_1m]
    out: list[dict] = []
    for successor in unpriced:
        for ft in ending:
            cases = [
                _valid(
                    {
                        "name": f"{ft.id} then {successor}, {horizon} months",
                        "queries_per_day": 5000,
                        "input_tokens": 800,
                        "output_tokens": 200,
                        "frontier_model": ft.id,
                        "ft_model": ft.id,
                        "training_examples": 1000,
                        "tokens_per_example": 500,
                        "lifetime_months": 6,
                        "horizon_months": horizon,
                        "start_date": ft.shutdown_date - timedelta(days=45),
                        "successor_ft_model": successor,
                    },
                    catalog,
                )
                for horizon in (1, 2, 24)
            ]
            if all(cases) and "takes over" in " ".join(evaluate(cases[-1], catalog).notes):
                out += cases
                break
    return out
