"""Every figure the tool shows, said once: name, label, unit, number format, kind, description.

The engine names a figure (`payback_months`); people read its label ("Payback"). The CLI report,
docs/FUNCTIONS.md, the Scenarios sheet and the FT_ functions' headers take labels, units and
formats from here, and the FT_ functions accept a figure's name or its label as `output`.
Pure data: no numpy, so the CLI's parser can read it at start-up.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Excel number formats of the figures (workbook/styles.py takes these from here).
USD = '"$"#,##0;[Red]-"$"#,##0'
USD_QUERY = '"$"#,##0.00000;[Red]-"$"#,##0.00000'
INTEGER = "#,##0"
MONTHS = "#,##0.0"
PERCENT = "0.0%"
MONTH_YEAR = "mmmm yyyy"
TEXT = "@"

# kind -> the Excel number format a figure of that kind takes
KIND_FORMATS = {
    "money": USD,
    "money_per_query": USD_QUERY,
    "months": MONTHS,
    "count": INTEGER,
    "share": PERCENT,
    "date": MONTH_YEAR,
    "text": TEXT,
}
# kind -> how a text report writes a figure (str.format; {unit} is the figure's unit); money
# rounded to whole dollars (cents-level per query) as a CFO reads it
KIND_TEXT = {
    "money": "${:,.0f}",
    "money_per_query": "${:,.5f}",
    "months": "{:,.1f} months",
    "count": "{:,.0f} {unit}",
    "share": "{:.0%}",
    "date": "{:%B %Y}",
    "text": "{}",
}
# The verdicts, and why one reads as it does where its payback alone would not say it: a scenario
# only the fine-tuned model serves within the latency budget is at least "Yes" (latency floor of
# pricing.model.breakeven.verdict_codes), even with a negative net benefit.
VERDICT_FIGURES = ("verdict", "verdict_with_mlops", "baseline_verdict")
LATENCY_REASON = "only option within the latency budget"
# Figures that may never come: where one is missing, a sheet shows "never", not an error
PAYBACKS = ("payback_months", "discounted_payback_months", "payback_date")
NEVER = "never"
NUMERIC_KINDS = ("money", "money_per_query", "months", "count", "share")
MONEY_KINDS = ("money", "money_per_query")  # converted to the reporting currency (pricing.model.currency)


def money_format(number_format: str, code: str = "USD") -> str:
    """A USD number format shown in another currency: its ISO code before the amount
    ("EUR "#,##0 ...); USD keeps "$". Formats without "$" come back unchanged."""
    return number_format if code == "USD" else number_format.replace('"$"', f'"{code} "')


def money_unit(unit: str, code: str = "USD") -> str:
    """A unit in another currency: USD/month -> EUR/month, $/GPU-hour stays USD (catalog rates)."""
    return unit if code == "USD" else unit.replace("USD", code)


class Figure(NamedTuple):
    name: str  # the engine's name: Result field, schedule row key or risk row
    label: str  # what a person reads: headers, report rows, spilled tables
    unit: str  # USD, USD/month, USD/query, months, queries/day, share, per year, month, "" (text)
    kind: str  # one of KIND_FORMATS
    description: str  # one line: what it is and how it is computed

    @property
    def number_format(self) -> str:
        fmt = KIND_FORMATS[self.kind]
        if self.name in PAYBACKS:  # a text in the cell (the native chain's "n/a") shows as "never"
            return f'{fmt};{fmt};{fmt};"{NEVER}"'
        return fmt

    @property
    def text_format(self) -> str:
        return KIND_TEXT[self.kind].replace("{unit}", self.unit)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def money(self) -> bool:
        return self.kind in MONEY_KINDS

    def format_in(self, code: str) -> str:
        """The number format in a reporting currency (money_format)."""
        return money_format(self.number_format, code)

    def unit_in(self, code: str) -> str:
        return money_unit(self.unit, code)


def _figures(*rows: tuple[str, str, str, str, str]) -> dict[str, Figure]:
    return {row[0]: Figure(*row) for row in rows}


# The headline figures of one scenario (pricing.model.breakeven.Result, in its order), then its notes.
HEADLINE = _figures(
    ("frontier_cost_per_query", "Frontier cost per query", "USD/query", "money_per_query",
     "One query on the frontier model at month-1 prices (cached and batch shares counted)"),
    ("ft_cost_per_query", "Fine-tuned cost per query", "USD/query", "money_per_query",
     "One query on the fine-tuned model at its month-1 rates"),
    ("frontier_cost_month", "Frontier cost per month", "USD/month", "money",
     "Month-1 inference bill if every query stays on the frontier model"),
    ("ft_cost_month", "Cost with fine-tuning per month", "USD/month", "money",
     "Month-1 inference bill with the fine-tuned model taking its traffic share"),
    ("inference_savings_month", "Inference savings per month", "USD/month", "money",
     "Frontier cost minus the cost with fine-tuning, month 1"),
    ("quality_value_month", "Quality value per month", "USD/month", "money",
     "Accuracy lift x value per correct answer x fine-tuned queries, month 1"),
    ("fixed_cost_month", "Fixed cost per month", "USD/month", "money",
     "Hosting, storage and counted MLOps of the fine-tuned model, month 1"),
    ("net_benefit_month", "Net benefit per month", "USD/month", "money",
     "Inference savings + quality value - fixed cost, month 1"),
    ("training_cost", "Training cost", "USD", "money",
     "All planned training runs, each at least the vendor's minimum job charge"),
    ("upfront_cost", "Upfront cost", "USD", "money",
     "Training + evaluation + data preparation + other one-off costs"),
    ("payback_months", "Payback", "months", "months",
     "Upfront cost / month-1 net benefit; never when the net benefit is not positive"),
    ("breakeven_queries_per_day", "Break-even traffic", "queries/day", "count",
     "Daily queries at which fine-tuning just pays back within its lifetime"),
    ("lifetime_months", "Lifetime", "months", "months",
     "Planned life before a forced retrain, cut by the model's shutdown or retirement date"),
    ("lifetime_net", "Net over the lifetime", "USD", "money",
     "Net benefit summed over the lifetime minus the upfront cost"),
    ("roi", "Return on the upfront cost", "share", "share",
     "Net over the lifetime / upfront cost"),
    ("npv", "NPV over the horizon", "USD", "money",
     "Net present value of the monthly cash flows over the horizon at the discount rate"),
    ("irr_annual", "IRR (annual)", "per year", "share",
     "Internal rate of return of the monthly cash flows, as a yearly rate"),
    ("discounted_payback_months", "Discounted payback", "months", "months",
     "First month the discounted cumulative cash flow reaches zero; none within the horizon"),
    ("baseline_cost_per_query", "Baseline cost per query", "USD/query", "money_per_query",
     "One query on the cheaper baseline model, prompted without fine-tuning"),
    ("baseline_savings_month", "Switching to the baseline saves per month", "USD/month", "money",
     "What switching to the baseline model instead saves against the frontier, month 1"),
    ("savings_vs_baseline_month", "Savings against the baseline per month", "USD/month", "money",
     "Fine-tuning's inference saving against the baseline model, month 1"),
    ("breakeven_accuracy_lift", "Accuracy lift to beat the baseline", "share", "share",
     "The accuracy lift at which fine-tuning beats switching to the baseline model"),
    ("verdict", "Verdict", "", "text",
     "Mandatory, Strong yes, Yes, Marginal or Don't fine-tune, from payback against the lifetime"),
    ("baseline_verdict", "Verdict against the baseline", "", "text",
     "The verdict rules applied to fine-tuning's net benefit against the baseline model"),
    ("verdict_with_mlops", "Verdict with MLOps counted", "", "text",
     "The verdict with the MLOps engineering budget counted as a monthly cost"),
    ("payback_date", "Pays back in", "month", "date",
     "Go-live date + payback"),
    ("mode", "What drives it", "", "text",
     "volume (inference savings), quality (accuracy lift) or latency (only fine-tuning meets it)"),
    ("notes", "Notes", "", "text",
     "Assumptions and warnings behind the figures, e.g. a retirement date that cuts the lifetime"),
)  # fmt: skip

# The monthly cash flow (pricing.model.breakeven.schedule rows; month 0 holds the upfront cost).
SCHEDULE = _figures(
    ("month", "Month", "month", "count", "Month number; 0 is go-live, when the upfront cost is paid"),
    ("queries", "Queries", "queries", "count", "Queries in the month, after volume growth"),
    ("frontier_cost", "Frontier cost", "USD", "money", "The month's bill without fine-tuning"),
    ("ft_cost", "Cost with fine-tuning", "USD", "money", "The month's inference bill with fine-tuning"),
    ("inference_savings", "Inference savings", "USD", "money", "Frontier cost - cost with fine-tuning"),
    ("quality_value", "Quality value", "USD", "money", "Value of the accuracy lift in the month"),
    ("fixed_cost", "Fixed cost", "USD", "money", "Hosting, storage and counted MLOps in the month"),
    ("upfront_and_retrain", "Upfront and retraining", "USD", "money",
     "Upfront cost (month 0) and retraining runs paid in the month"),
    ("net_cash_flow", "Net cash flow", "USD", "money", "The month's benefit minus its costs"),
    ("cumulative_net", "Cumulative net", "USD", "money", "Net cash flow summed up to the month"),
)  # fmt: skip

# Monte Carlo rows (FT_RISK) besides the headline figures they summarise.
RISK = _figures(
    ("probability_pays_back_within_lifetime", "Chance it pays back within its lifetime", "share", "share",
     "Share of the draws whose payback comes within the lifetime"),
    ("probability_npv_positive", "Chance the NPV is positive", "share", "share",
     "Share of the draws with an NPV above zero"),
)  # fmt: skip

FIGURES: dict[str, Figure] = {**HEADLINE, **RISK}

# What the FT_ functions accept as `output`: any headline figure for FT_SCENARIO(S); the numeric
# ones for the risk tools (FT_SENSITIVITY, FT_GRID, pricing.model.risk, `ft-breakeven report --tornado`).
SCENARIO_OUTPUTS: tuple[str, ...] = tuple(HEADLINE)
NUMERIC_OUTPUTS: tuple[str, ...] = tuple(n for n, f in HEADLINE.items() if f.numeric)
BY_LABEL: dict[str, str] = {f.label: n for n, f in FIGURES.items()}  # label -> name, for `output`


def figure(name: str) -> Figure:
    """The figure of an engine name: headline, risk or schedule."""
    return FIGURES.get(name) or SCHEDULE[name]


def is_money(name: str) -> bool:
    """Whether a figure (headline, risk or schedule name) is an amount of money."""
    return (name in FIGURES or name in SCHEDULE) and figure(name).money


def label(name: str) -> str:
    return figure(name).label


def labels(names) -> list[str]:
    return [label(n) for n in names]


def verdict_text(verdict: str, mode: str | None) -> str:
    """A verdict as people read it (`mode`: what drives the scenario, Result.mode): the latency
    floor says why, e.g. "Yes: only option within the latency budget"."""
    from pricing.model.breakeven import MODES, VERDICTS  # the engine's names, loaded with its answer

    floor, latency = VERDICTS[2], MODES[2]  # verdict_codes' floor; mode code 2 is latency-driven
    return f"{verdict}: {LATENCY_REASON}" if mode == latency and verdict == floor else verdict


_ENGINE_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def in_words(text: str) -> str:
    """`text` with each snake_case figure name in it (payback_months) replaced by its label
    (Payback): what a sheet shows where the engine's own wording names a figure."""
    return _ENGINE_NAME.sub(lambda m: label(m[0]) if m[0] in FIGURES or m[0] in SCHEDULE else m[0], text)


def name_for_label(text: str, names: tuple[str, ...]) -> str | None:
    """The figure among `names` whose name or label `text` is (case, spaces, _ and - ignored)."""
    from pricing.model.scenario import normalise_label  # pydantic: not at the CLI's start-up

    key = normalise_label(text)
    for n in names:
        if key in (normalise_label(n), normalise_label(figure(n).label)):
            return n
    return None
