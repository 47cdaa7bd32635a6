"""The risk results as spreadsheet tables: what FT_RISK, FT_SENSITIVITY and FT_GRID return and
what the workbook's static copy writes, so the two always agree cell for cell."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pricing.model.figures import NEVER, figure, label
from pricing.model.input_docs import variable_label
from pricing.model.risk import COUPLE_TOKENS_NOTE, RiskResult, TornadoRow, grid, output_kind
from pricing.model.scenario import Scenario
from pricing.prices.catalog import Catalog

RISK_FIGURES = (  # FT_RISK's rows under its header (the Calculator links to them by name)
    "payback_months",
    "discounted_payback_months",
    "npv",
    "probability_pays_back_within_lifetime",
    "probability_npv_positive",
)
RISK_ROWS = 1 + len(RISK_FIGURES)
MAX_TORNADO_ROWS = 12  # header + at most 11 default drivers (default_drivers)


def _or_never(value: float | None) -> Any:
    return NEVER if value is None else value


def risk_rows(r: RiskResult) -> list[list[Any]]:
    """The Monte Carlo summary as a 6 x 4 table, one row per RISK_FIGURES: P10/P50/P90 of payback,
    discounted payback and NPV, then the two probabilities (in the P10 column)."""
    values = {
        "payback_months": [_or_never(v) for v in (r.payback_p10, r.payback_p50, r.payback_p90)],
        "discounted_payback_months": [
            _or_never(v)
            for v in (r.discounted_payback_p10, r.discounted_payback_p50, r.discounted_payback_p90)
        ],
        "npv": [r.npv_p10, r.npv_p50, r.npv_p90],
        "probability_pays_back_within_lifetime": [r.prob_payback_within_lifetime, "", ""],
        "probability_npv_positive": [r.prob_npv_positive, "", ""],
    }
    return [["Figure", "P10", "P50", "P90"], *([label(name), *values[name]] for name in RISK_FIGURES)]


def tornado_rows(bars: Sequence[TornadoRow], output: str) -> list[list[Any]]:
    """Tornado as a table, biggest swing first; "never" where an end never pays back."""
    shown = label(output)
    rows: list[list[Any]] = [["Driver", "Low", "High", f"{shown} at low", f"{shown} at high", "Swing"]]
    for bar in bars:
        rows.append(
            [
                bar.label or bar.driver,
                bar.low_value,
                bar.high_value,
                _or_never(bar.output_at_low),
                _or_never(bar.output_at_high),
                bar.swing if math.isfinite(bar.swing) else NEVER,
            ]
        )
    return rows


def grid_title(output: str, x_field: str, y_field: str) -> str:
    """What a two-way table shows, in words: 'Payback (months): rows = ..., cols = ...'."""
    shown = figure(output)
    unit = f" ({shown.unit})" if shown.unit else ""
    return f"{shown.label}{unit}: rows = {variable_label(y_field)}, cols = {variable_label(x_field)}"


def grid_rows(
    scenario: Scenario | Mapping[str, Any],
    x_field: str,
    x_values: Sequence[float],
    y_field: str,
    y_values: Sequence[float],
    output: str = "payback_months",
    catalog: Catalog | None = None,
    couple_tokens: bool = False,
) -> list[list[Any]]:
    """`grid` as a table: a corner saying what the table is (the figure, its unit and both inputs),
    x values across the top, y values down the side; "never" (months) or "n/a" (other figures)
    where the output does not exist. The corner says when fine-tuned tokens were coupled to the
    frontier's."""
    cells = grid(scenario, x_field, x_values, y_field, y_values, output, catalog, couple_tokens)
    missing = NEVER if output_kind(output) == "months" else "n/a"
    corner = grid_title(output, x_field, y_field)
    if couple_tokens:
        corner += f" ({COUPLE_TOKENS_NOTE})"
    rows: list[list[Any]] = [[corner, *map(float, x_values)]]
    for y, row in zip(y_values, cells, strict=True):
        rows.append([float(y), *(missing if v is None else v for v in row)])
    return rows
