"""The engine's input columns, declared once: one float64 array per field, one row per scenario.

pricing.model.inputs.resolve_table fills every field; the cash-flow, headline, finance and risk
code read them as attributes (`c.queries_per_day`), so a misspelt column fails where it is
written (AttributeError, or TypeError when building one), never as a silently missing dict key.
Rates are $ per 1M tokens, money is USD, durations are months unless a comment says otherwise.
A column the same on every row may be a read-only broadcast (stride 0): never write into one;
build a changed copy with `dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass(slots=True)
class EngineColumns:
    queries_per_day: np.ndarray  # month-1 queries a day, all traffic
    days_per_month: np.ndarray
    volume_growth_monthly: np.ndarray  # 0.05 = queries grow 5% a month
    input_tokens: np.ndarray  # prompt tokens per query on the frontier (and baseline) model
    output_tokens: np.ndarray
    ft_input_tokens: np.ndarray  # per query on the fine-tuned model (its prompt may be shorter)
    ft_output_tokens: np.ndarray
    cached_share: np.ndarray  # share of prompt tokens read from the cache
    batch_share: np.ndarray  # share of queries sent through the Batch API
    ft_traffic_share: np.ndarray  # share of queries routed to the fine-tuned model
    frontier_input: np.ndarray  # $/1M input tokens
    frontier_output: np.ndarray  # $/1M output tokens
    frontier_cached: np.ndarray  # $/1M cached input tokens
    frontier_batch_factor_in: np.ndarray  # batch rate / standard rate, input
    frontier_batch_factor_out: np.ndarray  # batch rate / standard rate, output
    ft_input: np.ndarray  # the fine-tuned model's rates, as the frontier's above
    ft_output: np.ndarray
    ft_cached: np.ndarray
    ft_batch_factor_in: np.ndarray
    ft_batch_factor_out: np.ndarray
    training_cost: np.ndarray  # $ of all training runs, paid at month 0
    other_upfront: np.ndarray  # $ of evaluation, data preparation and other one-off costs
    fixed_cost_month: np.ndarray  # $/month: hosting (or GPU serving), storage, MLOps people
    lifetime_months: np.ndarray  # months between retrains, cut at the model's shutdown
    service_months: np.ndarray  # months from the start the tuned model serves (inf: no end)
    retrain_cost_share: np.ndarray  # a retrain costs this share of the upfront cost
    accuracy_lift: np.ndarray  # extra share of answers correct on the fine-tuned model
    value_per_correct: np.ndarray  # $ one more correct answer is worth
    discount_rate_annual: np.ndarray
    frontier_price_decline_annual: np.ndarray  # 0.3 = frontier rates fall 30% a year
    horizon_months: np.ndarray  # months of the cash-flow schedule (NPV, IRR)
    frontier_price_cut: np.ndarray  # one-off cut of the frontier rates (share) ...
    frontier_price_cut_month: np.ndarray  # ... from this month on (inf: no cut)
    ft_price_decline_annual: np.ndarray
    latency_driven: np.ndarray  # 1.0 where only the fine-tuned model meets the latency budget
    mlops_extra_month: np.ndarray  # $/month the seed's MLOps budget adds where none is counted
    start_ordinal: np.ndarray  # the start date as date.toordinal()
    baseline_input: np.ndarray  # the cheaper model prompted, rates as the frontier's; NaN: none
    baseline_output: np.ndarray
    baseline_cached: np.ndarray
    baseline_batch_factor_in: np.ndarray
    baseline_batch_factor_out: np.ndarray
    succ_ft_input: np.ndarray  # the successor fine-tuned model's rates; NaN: no successor
    succ_ft_output: np.ndarray
    succ_ft_cached: np.ndarray
    succ_ft_batch_factor_in: np.ndarray
    succ_ft_batch_factor_out: np.ndarray
    succ_training_cost: np.ndarray  # $ of the successor's training runs
    succ_fixed_month: np.ndarray  # $/month while the successor serves
    succ_lifetime_months: np.ndarray  # months between the successor's retrains (NaN: none)
    succ_service_end: np.ndarray  # months from the start it serves until (= service_months: none)
    cache_write_share: np.ndarray  # share of prompt tokens written to the cache
    # billing options of the prompted models as factors on their rates (pricing/model/billing.py)
    frontier_tier_in: np.ndarray
    frontier_tier_out: np.ndarray
    frontier_tier_cached: np.ndarray
    frontier_long_in: np.ndarray
    frontier_long_out: np.ndarray
    frontier_long_cached: np.ndarray
    frontier_write: np.ndarray
    frontier_uplift: np.ndarray
    baseline_tier_in: np.ndarray
    baseline_tier_out: np.ndarray
    baseline_tier_cached: np.ndarray
    baseline_long_in: np.ndarray
    baseline_long_out: np.ndarray
    baseline_long_cached: np.ndarray
    baseline_write: np.ndarray
    baseline_uplift: np.ndarray

    def take(self, rows: np.ndarray) -> EngineColumns:
        """The columns of the given rows only (a copy)."""
        return EngineColumns(*(np.asarray(getattr(self, name))[rows] for name in NAMES))


NAMES: tuple[str, ...] = tuple(f.name for f in fields(EngineColumns))
