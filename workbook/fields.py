"""Which scenario inputs the workbook shows, in what order, with human labels and formats."""

from __future__ import annotations

from pricing.model.input_docs import default_text as default_text  # the sheets' name for it
from pricing.model.input_docs import field_label, unit_text
from pricing.model.scenario import FIELDS, field_unit
from workbook import styles

SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Traffic",
        ("name", "queries_per_day", "days_per_month", "volume_growth_monthly", "ft_traffic_share"),
    ),
    (
        "Models (pick from the Pricing sheet's ids)",
        ("frontier_model", "ft_model", "successor_ft_model", "baseline_model"),
    ),
    (
        "Tokens per query",
        (
            "input_tokens",
            "output_tokens",
            "ft_input_tokens",
            "ft_output_tokens",
            "cached_share",
            "batch_share",
            # how the vendor bills the frontier and baseline models (pricing/model/billing.py)
            "cache_write_share",
            "cache_ttl_minutes",
            "service_tier",
            "data_residency",
        ),
    ),
    (
        "Rates: looked up on the Pricing sheet (type over a cell to override)",
        (
            "frontier_input_price",
            "frontier_output_price",
            "frontier_cached_price",
            "ft_input_price",
            "ft_output_price",
            "ft_cached_price",
            "baseline_input_price",
            "baseline_output_price",
            "training_per_1m",
            "hosting_per_month",
            "storage_per_month",
        ),
    ),
    (
        "Training and one-off costs",
        (
            "training_examples",
            "tokens_per_example",
            "training_tokens",
            "epochs",
            "training_hours",
            "training_runs",
            "eval_cost",
            "data_prep_cost",
            "other_upfront_cost",
        ),
    ),
    (
        "Running the model",
        (
            "mlops_fte",
            "engineer_annual_cost",
            "gpu_hourly_price",
            "gpu_tokens_per_second",
            "peak_to_average",
            "gpu_uptime_share",
            "gpus_min",
        ),
    ),
    (
        "Lifetime and finance",
        (
            "lifetime_months",
            "start_date",
            "retrain_cost_share",
            "discount_rate_annual",
            "horizon_months",
            "frontier_price_decline_annual",
            "frontier_price_cut",
            "frontier_price_cut_month",
            "ft_price_decline_annual",
        ),
    ),
    (
        "Quality and latency",
        (
            "accuracy_lift",
            "value_per_correct",
            "frontier_latency_ms",
            "ft_latency_ms",
            "latency_budget_ms",
        ),
    ),
)

ORDERED: tuple[str, ...] = tuple(f for _, fs in SECTIONS for f in fs)
assert set(ORDERED) == set(FIELDS), set(FIELDS) ^ set(ORDERED)

RATE_INPUTS = SECTIONS[3][1]


def label(field: str) -> str:
    return field_label(field)


def unit(field: str) -> str:
    return unit_text(field)


def number_format(field: str) -> str:
    u = field_unit(field)
    if field == "start_date":
        return styles.FMT_DATE
    if u in ("fraction", "fraction/year"):
        return styles.FMT_PCT
    if u == "$/1M tokens":
        return styles.FMT_RATE
    if u in ("$", "$/month", "$/year"):
        return styles.FMT_USD
    if u in ("FTE",):
        return "0.0#"
    if u in ("catalog id", "text", "choice"):
        return styles.FMT_TEXT
    return styles.FMT_INT if u not in ("count",) else "#,##0.##"
