"""The risk tools' choices and defaults, without numpy: the CLI's parser reads them at start-up
(`ft-breakeven --help` must not load the engine), pricing.model.risk uses them."""

from __future__ import annotations

from pricing.model.figures import NUMERIC_OUTPUTS

# every numeric headline figure (pricing.model.figures): the same set FT_SENSITIVITY and FT_GRID accept
OUTPUTS: tuple[str, ...] = NUMERIC_OUTPUTS
# the workbook's drop-downs offer these (an Excel list validation holds at most 255 characters)
MENU_OUTPUTS: tuple[str, ...] = (
    "payback_months",
    "npv",
    "discounted_payback_months",
    "irr_annual",
    "lifetime_net",
    "roi",
    "net_benefit_month",
    "inference_savings_month",
    "frontier_cost_month",
    "ft_cost_month",
    "upfront_cost",
    "breakeven_queries_per_day",
)
DISTRIBUTIONS = ("triangular", "pert")
DEFAULT_DRAWS = 10_000  # Monte Carlo trials when none are given: the CLI, FT_RISK and the Risk sheet
DEFAULT_TORNADO_OUTPUT = "npv"  # the figure a tornado explains when none is named: likewise
