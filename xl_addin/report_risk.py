"""`ft-breakeven report --risk --sensitivity`: Monte Carlo and tornado sections as text.

Wiring (xl_addin/cli.py, the `report` sub-command): `add_risk_args(report)` adds the flags and
sets `extra_sections`, which xl_addin.report.run_report calls after the main table.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from typing import Any

from pricing.model.currency import USD, Currency, convert_bars, convert_grid, convert_risk
from pricing.model.risk import (
    COUPLE_TOKENS_NOTE,
    RiskResult,
    TornadoRow,
    monte_carlo,
    output_kind,
    tornado,
    with_defaults,
)
from pricing.model.risk_tables import grid_rows
from pricing.model.scenario import RENAMED, Scenario, ScenarioError, current_names
from pricing.prices.catalog import Catalog, UnknownModelError
from xl_addin.report_risk_args import add_risk_args  # noqa: F401 (the CLI wiring, kept here too)

BAR_WIDTH = 30


def _money(x: float | None, currency: Currency = USD) -> str:
    return "n/a" if x is None else currency.amount_text(x)


def _months(x: float | None, never: str = "never") -> str:
    return never if x is None else f"{x:,.1f}"


def _value(output: str, x: float | None, currency: Currency = USD) -> str:
    kind = output_kind(output)
    if x is None:
        return "never" if kind == "months" else "n/a"
    if kind == "months":
        return f"{x:,.1f} mo"
    if kind == "share":
        return f"{x:.0%}"
    if kind == "queries":
        return f"{x:,.0f}/day"
    return _money(x, currency)


def _input(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1e6 else f"{x:,.6g}"


def format_risk(result: RiskResult, currency: Currency = USD) -> str:
    """Monte Carlo summary: the ranges drawn, P10/P50/P90 payback and NPV, probabilities."""
    title = f"Risk: {result.name}" if result.name else "Risk"
    lines = [
        f"{title} (Monte Carlo, {result.draws:,} draws, {result.distribution}, seed {result.seed})",
        "",
        "  Uncertain inputs (low / likely / high):",
    ]
    width = max((len(k) for k in result.uncertain), default=0)
    for name, (low, likely, high) in result.uncertain.items():
        lines.append(f"    {name:<{width}}  {_input(low)} / {_input(likely)} / {_input(high)}")
    rows = [
        (
            "Payback (months)",
            [_months(result.payback_p10), _months(result.payback_p50), _months(result.payback_p90)],
        ),
        (
            "Discounted payback (months)",
            [
                _months(result.discounted_payback_p10, "beyond horizon"),
                _months(result.discounted_payback_p50, "beyond horizon"),
                _months(result.discounted_payback_p90, "beyond horizon"),
            ],
        ),
        ("NPV over the horizon", [_money(getattr(result, f"npv_p{p}"), currency) for p in (10, 50, 90)]),
    ]
    label_w = max(len(r[0]) for r in rows)
    cell_w = max(len(c) for _, cells in rows for c in cells)
    heads = "  ".join(f"{h:>{cell_w}}" for h in ("P10", "P50", "P90"))
    lines += ["", f"  {'':<{label_w}}  {heads}"]
    for label, cells in rows:
        lines.append(f"  {label:<{label_w}}  " + "  ".join(f"{c:>{cell_w}}" for c in cells))
    lines += [
        "",
        f"  NPV mean                        {_money(result.npv_mean, currency)}",
        f"  P(pays back within lifetime)    {result.prob_payback_within_lifetime:.1%}",
        f"  P(NPV > 0)                      {result.prob_npv_positive:.1%}",
        f"  This scenario: payback {_months(result.base_payback_months)} months, "
        f"NPV {_money(result.base_npv, currency)}",
        "  (payback: upfront / month-1 net benefit, as the headline; 'never' counts as infinite)",
    ]
    if result.couple_tokens:
        lines.append(f"  ({COUPLE_TOKENS_NOTE})")
    return "\n".join(lines)


def format_tornado(rows: Sequence[TornadoRow], couple_tokens: bool = False, currency: Currency = USD) -> str:
    """Tornado as a text table with bars proportional to each driver's swing."""
    if not rows:
        return "Sensitivity: no driver moves this scenario"
    output = rows[0].output
    base = _value(output, rows[0].base_output, currency)
    finite = [r.swing for r in rows if math.isfinite(r.swing)]
    top = max(finite, default=0.0)
    cells = []
    for r in rows:
        if math.isinf(r.swing):
            bar, swing = "#" * BAR_WIDTH + ">", "never at one end"
        else:
            bar = "#" * (round(BAR_WIDTH * r.swing / top) if top > 0 else 0)
            swing = _value(output, r.swing, currency) if output_kind(output) != "share" else f"{r.swing:.0%}"
        cells.append(
            (
                f"{r.label} ({r.driver})" if r.label else r.driver,
                f"{_input(r.low_value)} .. {_input(r.high_value)}",
                " .. ".join(_value(output, x, currency) for x in (r.output_at_low, r.output_at_high)),
                swing,
                bar,
            )
        )
    heads = ("Driver", "Low .. high", f"{output} at low .. high", "Swing", "")
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    lines = [
        f"Sensitivity of {output} (base {base}), biggest swing first: each driver at its low and "
        "its high value, every other input as the scenario has it",
        "",
    ]
    lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip())
    for c in cells:
        lines.append("  " + "  ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)).rstrip())
    return "\n".join(lines + _coupling(couple_tokens))


def _coupling(on: bool) -> list[str]:
    """The line saying an opt-in coupling was on (nothing when each input moved alone)."""
    return ["", f"  ({COUPLE_TOKENS_NOTE})"] if on else []


def format_grid(
    rows: Sequence[Sequence[Any]],
    output: str,
    x_name: str,
    y_name: str,
    couple_tokens: bool = False,
    currency: Currency = USD,
) -> str:
    """The two-way table (risk_tables.grid_rows) as text: x across, y down, the output in the cells."""
    _corner, *xs = rows[0]
    body = [
        [_input(r[0]), *(c if isinstance(c, str) else _value(output, c, currency) for c in r[1:])]
        for r in rows[1:]
    ]
    head = [f"{y_name} \\ {x_name}", *(_input(x) for x in xs)]
    widths = [max(len(str(row[j])) for row in (head, *body)) for j in range(len(head))]
    lines = [f"Two-way table of {output}", ""]
    for row in (head, *body):
        lines.append(
            "  "
            + "  ".join(
                str(c).rjust(w) if j else str(c).ljust(w)
                for j, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    return "\n".join(lines + _coupling(couple_tokens))


# ---------------------------------------------------------------- CLI


def wanted(args: argparse.Namespace) -> bool:
    """Whether any of --risk, --sensitivity, --grid was given."""
    return any(getattr(args, flag, None) for flag in ("risk", "sensitivity", "grid"))


def compute_sections(
    args: argparse.Namespace,
    scenarios: Scenario | Sequence[Scenario],
    catalog: Catalog | None = None,
    currency: Currency = USD,
) -> list[dict[str, Any]]:
    """The requested sections of each scenario, as objects: "risk" (RiskResult), "sensitivity"
    (TornadoRows), "grid" (risk_tables.grid_rows); "couple_tokens" says if coupling was on.
    Money figures are in `currency` (the inputs varied stay as typed, USD).

    A bad range or driver stops the command with a message naming it (exit status 2).
    """
    items = [scenarios] if isinstance(scenarios, (Scenario, dict)) else list(scenarios)
    couple = getattr(args, "couple_tokens", False)
    out = []
    try:
        given: dict[str, Any] = current_names(dict(args.uncertain))  # an old input name still reads
        drivers: dict[str, Any] | None = current_names(dict(args.driver)) if args.driver else None
        for s in items:
            part: dict[str, Any] = {"couple_tokens": couple}
            if getattr(args, "risk", False):
                uncertain = with_defaults(s, given, catalog)  # --uncertain X replaces X's range only
                risk = monte_carlo(s, uncertain, args.draws, args.seed, catalog, args.distribution, couple)
                part["risk"] = convert_risk(risk, currency)
            if getattr(args, "sensitivity", False):
                bars = tornado(s, drivers, args.sensitivity_output, catalog, couple)
                part["sensitivity"] = convert_bars(bars, args.sensitivity_output, currency)
            if getattr(args, "grid", None):
                (x, xs), (y, ys) = args.grid
                x, y = RENAMED.get(x, x), RENAMED.get(y, y)
                table = grid_rows(s, x, xs, y, ys, args.grid_output, catalog, couple)
                part["grid"] = convert_grid(table, args.grid_output, currency)
            out.append(part)
    except (ScenarioError, UnknownModelError) as exc:
        print(f"ft-breakeven report: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return out


def run_risk_sections(
    args: argparse.Namespace,
    scenarios: Scenario | Sequence[Scenario],
    catalog: Catalog | None = None,
    currency: Currency = USD,
) -> str:
    """Text of the requested sections for each scenario ("" when none is asked for)."""
    if not wanted(args):
        return ""
    parts = []
    for part in compute_sections(args, scenarios, catalog, currency):
        couple = part["couple_tokens"]
        if "risk" in part:
            parts.append(format_risk(part["risk"], currency))
        if "sensitivity" in part:
            parts.append(format_tornado(part["sensitivity"], couple, currency))
        if "grid" in part:
            (x, _), (y, _) = args.grid
            x, y = RENAMED.get(x, x), RENAMED.get(y, y)
            parts.append(format_grid(part["grid"], args.grid_output, x, y, couple, currency))
    return "\n\n" + "\n\n".join(parts)
