"""The cost model (COST_MODEL.md): per-query costs, the monthly schedule and headline figures.

One numpy kernel serves both paths: `evaluate_many` runs it on columns of many scenarios,
`evaluate` on a column of one, so the scalar and vectorised answers are the same by
construction. Pure maths: no I/O, no Excel. The catalog is always passed in (the Excel and CLI
layers load the user's price store); None means no catalog, so every rate is given explicitly.
The monthly schedule and its cash flows are pricing.model.cashflow's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from pydantic import BaseModel

from pricing.model.cashflow import (
    billing_options,
    lifetime_weights,
    per_query_costs,
    price_paths,
    query_cost,
    row_sums,
    schedule_rows,
)
from pricing.model.columns import EngineColumns
from pricing.model.finance import FIGURES as FINANCE_FIGURES
from pricing.model.finance import finance_figures
from pricing.model.inputs import DAYS_PER_MONTH_AVG, Resolved, resolve_table
from pricing.model.scenario import Scenario, make_scenario
from pricing.model.table import validate_table
from pricing.prices.catalog import Catalog

VERDICTS = ("Don't fine-tune", "Marginal", "Yes", "Strong yes", "Mandatory")
MODES = ("volume", "quality", "latency")

# Verdict thresholds (documented in the README and the workbook's About sheet).
MANDATORY_PAYBACK_MONTHS = 1.0  # pays back within a month ...
MANDATORY_NET_MONTH = 10_000.0  # ... and nets at least $10K a month
STRONG_YES_SHARE = 0.6  # pays back within 60% of the lifetime
YES_SHARE = 0.8  # within 80%
# Marginal: within the lifetime; Don't fine-tune: never, or after the lifetime ends.

VERDICT_RULES = (
    (
        "Mandatory",
        f"payback <= {MANDATORY_PAYBACK_MONTHS:g} month and net benefit >= ${MANDATORY_NET_MONTH:,.0f}/month",
    ),
    ("Strong yes", f"payback <= {STRONG_YES_SHARE:.0%} of the lifetime"),
    (
        "Yes",
        f"payback <= {YES_SHARE:.0%} of the lifetime, or latency-driven "
        "(only the fine-tuned model meets the budget)",
    ),
    ("Marginal", "payback within the lifetime"),
    ("Don't fine-tune", "never pays back, or only after the lifetime ends"),
)


class Result(BaseModel):
    """Headline figures of one scenario (month-1 figures unless named otherwise)."""

    name: str = ""
    frontier_cost_per_query: float
    ft_cost_per_query: float
    frontier_cost_month: float
    ft_cost_month: float
    inference_savings_month: float
    quality_value_month: float
    fixed_cost_month: float
    net_benefit_month: float
    training_cost: float
    upfront_cost: float
    payback_months: float | None
    breakeven_queries_per_day: float | None
    lifetime_months: float
    lifetime_net: float
    roi: float | None
    npv: float | None = None
    irr_annual: float | None = None
    discounted_payback_months: float | None = None
    baseline_cost_per_query: float | None = None  # the cheaper model, prompted (baseline_model)
    baseline_savings_month: float | None = None  # switching to it instead: saving against frontier
    savings_vs_baseline_month: float | None = None  # fine-tuning's inference saving against it
    breakeven_accuracy_lift: float | None = None  # lift at which fine-tuning beats the baseline
    verdict: str
    baseline_verdict: str = ""  # the verdict rules on fine-tuning's net benefit against the baseline
    verdict_with_mlops: str = ""  # the verdict with the seed's MLOps budget (SEED_MLOPS_FTE) counted
    payback_date: date | None = None  # go-live date + payback: "pays back in May 2027"
    mode: str
    notes: list[str]


HEADLINE_FIELDS: tuple[str, ...] = tuple(f for f in Result.model_fields if f not in ("name", "notes"))


def lifetime_benefit(c: EngineColumns, frontier_q: np.ndarray, ft_q: np.ndarray) -> np.ndarray:
    """Sum of monthly net benefit over each lifetime (fractional last month).

    The monthly net of COST_MODEL.md summed with weights w_m (share of month m in the lifetime),
    growth G_m and the price paths Pf_m (frontier) and Pt_m (fine-tuned):
        sum w*net = Q1*s*(fq*sum(w*G*Pf) - tq*sum(w*G*Pt) + lift*value*sum(w*G)) - fixed*sum(w)
    Without growth or price changes every sum is sum(w) = the lifetime, so the (n, months)
    matrices are skipped: the common case stays as fast as the bare formulas.
    """
    life = c.lifetime_months
    sum_w = np.maximum(life, 0.0)  # the weights are 1 for each whole month plus the fraction
    moves = [
        c.volume_growth_monthly.any(),
        c.frontier_price_decline_annual.any(),
        c.frontier_price_cut.any(),
        c.ft_price_decline_annual.any(),
    ]
    if any(moves):
        months = int(max(1, math.ceil(float(np.max(life, initial=0.0)))))
        m = np.arange(months, dtype=float)[None, :]
        wg = lifetime_weights(life, months) * (1 + c.volume_growth_monthly)[:, None] ** m
        frontier_path, ft_path = price_paths(c, months)
        sum_wg, sum_wgf, sum_wgt = row_sums(wg), row_sums(wg * frontier_path), row_sums(wg * ft_path)
    else:
        sum_wg = sum_wgf = sum_wgt = sum_w
    q1s = c.queries_per_day * c.days_per_month * c.ft_traffic_share
    gain = frontier_q * sum_wgf - ft_q * sum_wgt + c.accuracy_lift * c.value_per_correct * sum_wg
    return q1s * gain - c.fixed_cost_month * sum_w


# The month-1 formulas, each said once: headline() applies them to columns, the one-line FT_
# functions (xl_addin/functions.py) to single numbers, so a one-line answer computes only itself.


def month_one(q1, share, frontier_q, ft_q, lift, value, fixed):
    """(frontier cost, fine-tuned cost, inference savings, quality value, net benefit) of month 1:
    q1 queries, `share` of them on the fine-tuned model, accuracy lift x value per correct answer."""
    frontier_month = q1 * frontier_q
    ft_month = q1 * (share * ft_q + (1 - share) * frontier_q)
    savings = frontier_month - ft_month
    quality = q1 * share * lift * value
    return frontier_month, ft_month, savings, quality, savings + quality - fixed


def payback_months(upfront, net):
    """upfront / net where the net benefit is positive, else NaN (never pays back)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(net > 0, upfront / np.where(net > 0, net, 1.0), np.nan)


def breakeven_queries(upfront, life, fixed, days, share, frontier_q, ft_q, lift_value):
    """Queries a day at which the lifetime pays the upfront back: (upfront / life + fixed) /
    (days x share x gain per query); NaN when a query gains nothing or there is no lifetime."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        per_query_gain = days * share * (frontier_q - ft_q + lift_value)
        return np.where(
            (per_query_gain > 0) & (life > 0),
            (upfront / np.where(life > 0, life, 1.0) + fixed)
            / np.where(per_query_gain > 0, per_query_gain, 1.0),
            np.nan,
        )


def headline(c: EngineColumns) -> dict[str, np.ndarray]:
    """All numeric headline figures for every column (NaN where a figure does not exist)."""
    list_q, ft_q = per_query_costs(c)
    # month-1 figures: a one-off frontier price cut counts only when it starts in month 1
    frontier_q = list_q * np.where(c.frontier_price_cut_month <= 1, 1 - c.frontier_price_cut, 1.0)
    q1 = c.queries_per_day * c.days_per_month
    share = c.ft_traffic_share
    lift, value = c.accuracy_lift, c.value_per_correct
    fixed = c.fixed_cost_month
    frontier_month, ft_month, savings, quality, net = month_one(
        q1, share, frontier_q, ft_q, lift, value, fixed
    )
    upfront = c.training_cost + c.other_upfront
    life = c.lifetime_months
    payback = payback_months(upfront, net)
    breakeven = breakeven_queries(
        upfront, life, fixed, c.days_per_month, share, frontier_q, ft_q, lift * value
    )

    lifetime_net = lifetime_benefit(c, list_q, ft_q) - upfront
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(upfront > 0, lifetime_net / np.where(upfront > 0, upfront, 1.0), np.nan)

    verdict = verdict_codes(payback, life, net, c.latency_driven)
    base = baseline_figures(c, q1, share, frontier_q, ft_month, quality, fixed, upfront, life)
    net_mlops = net - c.mlops_extra_month
    payback_mlops = payback_months(upfront, net_mlops)
    with np.errstate(invalid="ignore", over="ignore"):
        payback_day = c.start_ordinal + payback * DAYS_PER_MONTH_AVG  # NaN: never pays back
    mode = np.where(c.latency_driven > 0, 2, np.where(quality > savings, 1, 0))
    return {
        "frontier_cost_per_query": frontier_q,
        "ft_cost_per_query": ft_q,
        "frontier_cost_month": frontier_month,
        "ft_cost_month": ft_month,
        "inference_savings_month": savings,
        "quality_value_month": quality,
        "fixed_cost_month": fixed,
        "net_benefit_month": net,
        "training_cost": c.training_cost,
        "upfront_cost": upfront,
        "payback_months": payback,
        "breakeven_queries_per_day": breakeven,
        "lifetime_months": life,
        "lifetime_net": lifetime_net,
        "roi": roi,
        **base,
        "verdict_code": verdict,
        "verdict_with_mlops_code": verdict_codes(payback_mlops, life, net_mlops, c.latency_driven),
        "payback_date": payback_day,
        "mode_code": mode,
    }


def baseline_figures(
    c: EngineColumns, q1, share, frontier_q, ft_month, quality, fixed, upfront, life
) -> dict[str, np.ndarray]:
    """Fine-tuning against the honest alternative: the same traffic share sent, prompted as the
    frontier is (same tokens), to a cheaper model with no upfront cost (month-1 figures).

    breakeven_accuracy_lift solves payback = lifetime against the baseline for the lift:
        (savings_vs_baseline - q1 s lift_now v) + q1 s L v - fixed = upfront / lifetime
    NaN where there is no baseline, no value per correct answer or no lifetime; 0 when
    fine-tuning beats the baseline without any lift."""
    if not np.isfinite(c.baseline_input).any():  # the common case: no baseline named
        none = np.full(np.shape(q1), np.nan)
        return {
            "baseline_cost_per_query": none,
            "baseline_savings_month": none,
            "savings_vs_baseline_month": none,
            "breakeven_accuracy_lift": none,
            "baseline_verdict_code": np.zeros(np.shape(q1), dtype=int),
        }
    base_q = query_cost(
        c.input_tokens,
        c.output_tokens,
        c.baseline_input,
        c.baseline_output,
        c.baseline_cached,
        c.cached_share,
        c.batch_share,
        c.baseline_batch_factor_in,
        c.baseline_batch_factor_out,
        billing_options(c, "baseline"),
    )
    has = np.isfinite(base_q)
    base_month = q1 * (share * base_q + (1 - share) * frontier_q)
    vs_base = base_month - ft_month
    net_b = vs_base + quality - fixed
    value = q1 * share * c.value_per_correct
    payback_b = payback_months(upfront, net_b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        need = (upfront / np.where(life > 0, life, 1.0) + fixed - vs_base) / np.where(value > 0, value, 1.0)
    code = verdict_codes(payback_b, life, net_b, c.latency_driven)
    return {
        "baseline_cost_per_query": base_q,
        "baseline_savings_month": np.where(has, q1 * share * (frontier_q - base_q), np.nan),
        "savings_vs_baseline_month": np.where(has, vs_base, np.nan),
        "breakeven_accuracy_lift": np.where(has & (value > 0) & (life > 0), np.maximum(need, 0.0), np.nan),
        "baseline_verdict_code": np.where(has, code + 1, 0),  # 0: no baseline ("")
    }


def baseline_note(figures: Mapping[str, np.ndarray], i: int, baseline: str, frontier: str) -> str | None:
    """Which is the better move, fine-tuning or the cheaper model prompted (None: no baseline)."""
    code = int(figures["baseline_verdict_code"][i])
    if code == 0:
        return None
    who, fr = baseline or "the baseline model", frontier or "the frontier model"
    save = f"${float(figures['baseline_savings_month'][i]):,.0f}"
    if VERDICTS[code - 1] != VERDICTS[0]:
        return (
            f"fine-tuning beats switching to {who} without fine-tuning (which saves {save} a month "
            f"against {fr}): {VERDICTS[code - 1]} against it"
        )
    need = float(figures["breakeven_accuracy_lift"][i])
    if not math.isfinite(need):
        lift = "give value_per_correct to see what accuracy lift fine-tuning needs to beat it"
    elif need > 1:
        lift = "no accuracy lift can make fine-tuning beat it"
    else:
        lift = f"fine-tuning beats it with an accuracy lift of {need:.1%} or more"
    return (
        f"switching to {who} without fine-tuning saves {save} a month against {fr} with no "
        f"upfront cost: the better move; {lift}"
    )


class _Notes(Sequence[list[str]]):
    """Each row's notes, with the baseline comparison (worded only for rows someone reads)."""

    def __init__(
        self, notes: Sequence[list[str]], figures, baselines: Sequence[str], frontiers: Sequence[str]
    ):
        self.notes, self.figures, self.baselines, self.frontiers = notes, figures, baselines, frontiers

    def __len__(self) -> int:
        return len(self.notes)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        row = list(self.notes[i])
        note = baseline_note(self.figures, i, self.baselines[i], self.frontiers[i])
        return row + [note] if note else row


def verdict_codes(payback, lifetime, net, latency_driven) -> np.ndarray:
    """Index into VERDICTS by the rules in VERDICT_RULES."""
    pays = np.isfinite(payback) & (lifetime > 0)
    with np.errstate(invalid="ignore"):
        share = np.where(pays, payback / np.where(lifetime > 0, lifetime, 1.0), np.inf)
    code = np.select(
        [
            pays & (payback <= MANDATORY_PAYBACK_MONTHS) & (net >= MANDATORY_NET_MONTH),
            share <= STRONG_YES_SHARE,
            share <= YES_SHARE,
            share <= 1.0,
        ],
        [4, 3, 2, 1],
        default=0,
    )
    # Only the fine-tuned model meets the latency budget: at least "Yes" while it can ship.
    return np.where((latency_driven > 0) & (code < 2) & (lifetime > 0), 2, code)


def _opt(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def _result(figures: Mapping[str, np.ndarray], i: int, name: str, notes: list[str]) -> Result:
    values: dict[str, Any] = {}
    for key in HEADLINE_FIELDS:
        if key in _CODED or key == "payback_date" or key not in figures:
            continue
        values[key] = _opt(float(figures[key][i])) if key in _OPTIONAL else float(figures[key][i])
    for key, (code, names) in _CODED.items():
        values[key] = names[int(figures[code][i])]
    values["payback_date"] = _date(float(figures["payback_date"][i]))
    return Result(name=name, notes=notes, **values)


# Text figures: the kernel holds an index into a tuple of names
_CODED = {
    "verdict": ("verdict_code", VERDICTS),
    "baseline_verdict": ("baseline_verdict_code", ("", *VERDICTS)),
    "verdict_with_mlops": ("verdict_with_mlops_code", VERDICTS),
    "mode": ("mode_code", MODES),
}


def _date(ordinal: float) -> date | None:
    """A day number (date.toordinal, fractional) as the date it falls on; None for NaN or past
    the calendar's end (a payback thousands of years away is no date anyone plans for)."""
    if not (math.isfinite(ordinal) and 1 <= ordinal < date.max.toordinal()):
        return None
    return date.fromordinal(int(math.floor(ordinal)))


# Figures that may not exist (never pays back, no upfront): NaN in the kernel -> None here.
_OPTIONAL = {k for k, f in Result.model_fields.items() if type(None) in getattr(f.annotation, "__args__", ())}


def as_scenario(s: Scenario | Mapping[str, Any]) -> Scenario:
    return s if isinstance(s, Scenario) else make_scenario(s)


def resolve_scenarios(
    scenarios: Iterable[Scenario | Mapping[str, Any]], catalog: Catalog | None
) -> tuple[list[Scenario], Resolved]:
    """Validate (pydantic, so the first bad field raises) and resolve scenarios to engine columns."""
    parsed = [as_scenario(s) for s in scenarios]
    fields = list(Scenario.model_fields)
    table = validate_table({f: [getattr(s, f) for s in parsed] for f in fields}, len(parsed))
    resolved = resolve_table(table, catalog)
    for err in resolved.errors:
        if err is not None:
            raise err
    return parsed, resolved


def evaluate_many(scenarios: Iterable[Scenario | Mapping[str, Any]], catalog: Catalog | None) -> list[Result]:
    """Evaluate many scenarios in one vectorised pass; the first bad scenario raises."""
    parsed, resolved = resolve_scenarios(scenarios, catalog)
    if not parsed:
        return []
    figures = figures_for(resolved.columns)
    notes = _Notes(
        resolved.notes, figures, [s.baseline_model for s in parsed], [s.frontier_model for s in parsed]
    )
    return [_result(figures, i, s.name, notes[i]) for i, s in enumerate(parsed)]


def evaluate(scenario: Scenario | Mapping[str, Any], catalog: Catalog | None) -> Result:
    """Evaluate one scenario (the same kernel as evaluate_many, on a column of one)."""
    return evaluate_many([scenario], catalog)[0]


def scenario_figures(scenario: Scenario | Mapping[str, Any], catalog: Catalog | None) -> TableResult:
    """One scenario resolved once, its figures computed as they are asked for: NPV, IRR and
    discounted payback only when wanted (a cell asking for payback never runs the IRR search).
    xl_addin keeps these per input block, so the Calculator's ~25 cells resolve it once."""
    s = as_scenario(scenario)
    parsed, resolved = resolve_scenarios([s], catalog)
    figures = LazyFigures(headline(resolved.columns), resolved.columns)
    notes = _Notes(resolved.notes, figures, [s.baseline_model], [s.frontier_model])
    return TableResult(figures=figures, notes=notes, errors=resolved.errors, names=[parsed[0].name])


def evaluate_figure(scenario: Scenario | Mapping[str, Any], output: str, catalog: Catalog | None) -> Any:
    """One figure of one scenario, as Result would hold it (notes joined by "; "): cheaper than
    evaluate for a spreadsheet cell (see scenario_figures)."""
    return scenario_figures(scenario, catalog).value(output, 0)


def figures_for(columns: EngineColumns) -> dict[str, np.ndarray]:
    """Every headline figure, finance included, for resolved engine columns."""
    figures = headline(columns)
    figures.update(finance_figures(columns))
    return figures


class LazyFigures(dict):
    """Headline figures, with NPV, IRR and discounted payback computed on first use.

    A table or sweep that asks for payback alone never builds the (rows x months) schedule, which
    costs ~20x the headline figures for 100,000 rows (bench/bench_engine.py).
    """

    def __init__(self, figures: Mapping[str, np.ndarray], columns: EngineColumns):
        super().__init__(figures)
        self._columns = columns

    def __missing__(self, key: str) -> np.ndarray:
        if key not in FINANCE_FIGURES:
            raise KeyError(key)
        self.update(finance_figures(self._columns, which={key}))
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in FINANCE_FIGURES


@dataclass
class TableResult:
    """A table's figures (arrays), with the notes and the error (or None) of every row."""

    figures: dict[str, np.ndarray]
    notes: Sequence[list[str]]
    errors: list[Exception | None]
    names: list[str]

    def value(self, output: str, i: int) -> Any:
        """One figure of row i as Result would hold it (None where it does not exist)."""
        if output in _CODED:
            code, names = _CODED[output]
            return names[int(self.figures[code][i])]
        if output == "payback_date":
            return _date(float(self.figures[output][i])) if output in self.figures else None
        if output == "notes":
            return "; ".join(self.notes[i])
        if output not in self.figures:  # a table of no rows
            return None
        x = float(self.figures[output][i])
        return _opt(x) if output in _OPTIONAL else x

    def column(self, output: str) -> list[Any]:
        """value(output, i) for every row at once (a sweep's column without a call per row)."""
        n = len(self.names)
        if output in (*_CODED, "payback_date", "notes"):
            return [self.value(output, i) for i in range(n)]
        if output not in self.figures:
            return [None] * n
        values = np.asarray(self.figures[output], dtype=float)
        if output in _OPTIONAL:
            values = np.where(np.isfinite(values), values, np.nan)
            return [None if v != v else v for v in values.tolist()]  # NaN -> None, as _opt
        return values.tolist()


def evaluate_table(
    columns: Mapping[str, Sequence[Any]], catalog: Catalog | None, n: int | None = None
) -> TableResult:
    """Evaluate a table given as columns of raw cells (field name -> values), all vectorised.

    A bad cell or an unknown model fails its own row only (see TableResult.errors); the other
    rows get exactly the figures `evaluate` gives them.
    """
    table = validate_table(columns, n)
    resolved = resolve_table(table, catalog)
    figures = LazyFigures(headline(resolved.columns), resolved.columns) if table.n else {}
    names = table.texts["name"]
    notes = _Notes(resolved.notes, figures, table.texts["baseline_model"], table.texts["frontier_model"])
    return TableResult(figures=figures, notes=notes, errors=resolved.errors, names=names)


def schedule(
    scenario: Scenario | Mapping[str, Any], catalog: Catalog | None, months: int | None = None
) -> list[dict[str, float]]:
    """Month-by-month cash flow (month 0 = upfront) to the horizon: the payback chart's data."""
    parsed, resolved = resolve_scenarios([scenario], catalog)
    return schedule_rows(resolved.columns, months or parsed[0].horizon_months)[0]
