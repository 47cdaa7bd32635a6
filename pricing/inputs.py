"""Resolve a Scenario against the catalog into plain numbers the engine can vectorise.

Explicit prices in the scenario win; otherwise rates come from the catalog by model id, and
missing cached or batch rates are inferred by a named rule that ends up in the notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from pricing.catalog import Catalog, ModelEntry
from pricing.scenario import Scenario, ScenarioError

DAYS_PER_MONTH_AVG = 365.25 / 12
CACHED_FALLBACK = 0.10  # cached input = 10% of input, the seed's convention
BATCH_FALLBACK = 0.50  # batch = 50% of standard


@dataclass
class Inputs:
    """One scenario as numbers; field order is the column order of the vectorised batch."""

    queries_per_day: float
    days_per_month: float
    volume_growth_monthly: float
    input_tokens: float
    output_tokens: float
    ft_input_tokens: float
    ft_output_tokens: float
    cached_share: float
    batch_share: float
    ft_traffic_share: float
    frontier_input: float
    frontier_output: float
    frontier_cached: float
    frontier_batch_factor_in: float
    frontier_batch_factor_out: float
    ft_input: float
    ft_output: float
    ft_cached: float
    ft_batch_factor_in: float
    ft_batch_factor_out: float
    training_cost: float
    other_upfront: float
    fixed_cost_month: float
    lifetime_months: float
    planned_lifetime_months: float
    retrain_cost_share: float
    accuracy_lift: float
    value_per_correct: float
    discount_rate_annual: float
    frontier_price_decline_annual: float
    horizon_months: float
    latency_driven: float  # 1.0 when FT meets the latency budget and frontier misses it
    notes: list[str] = field(default_factory=list, compare=False)
    mlops_included: bool = field(default=False, compare=False)

    @property
    def upfront_cost(self) -> float:
        return self.training_cost + self.other_upfront


NUMERIC_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Inputs) if f.name not in ("notes", "mlops_included")
)


def _entry(catalog: Catalog | None, model_id: str, field_name: str) -> ModelEntry | None:
    if not model_id:
        return None
    if catalog is None:
        raise ScenarioError(field_name, model_id, "empty when no catalog is loaded")
    return catalog.get(model_id)  # UnknownModelError names close ids


def _rate(override, entry, attr, field_name, owner) -> float:
    if override is not None:
        return float(override)
    value = getattr(entry, attr, None) if entry else None
    if value is None:
        raise ScenarioError(field_name, None, f"given: no {attr.replace('_', ' ')} rate for {owner}")
    return float(value)


def _cached(override, entry, cached_attr, input_rate, notes, who, used: bool) -> float:
    """The cached-input rate; `used` (cached_share > 0) decides whether inference is worth a note."""
    if override is not None:
        return float(override)
    value = getattr(entry, cached_attr, None) if entry else None
    if value is None:
        if used:
            notes.append(f"{who} cached-input rate inferred: cached = 10% of input")
        return input_rate * CACHED_FALLBACK
    status = entry.field_status.get(cached_attr)
    if used and status is not None and status.status == "inferred":
        notes.append(f"{who} cached-input rate inferred: {status.rule}")
    return float(value)


def _batch_factor(entry, batch_attr, base_attr) -> float:
    """Batch rate as a share of the standard rate, so price overrides keep the discount."""
    batch = getattr(entry, batch_attr, None) if entry else None
    base = getattr(entry, base_attr, None) if entry else None
    if batch is None or not base:
        return BATCH_FALLBACK
    return float(batch) / float(base)


def _note_inferred(entry: ModelEntry | None, attrs: tuple[str, ...], who: str, notes: list[str]):
    if entry is None:
        return
    for attr in attrs:
        status = entry.field_status.get(attr)
        if status is not None and status.status == "inferred":
            notes.append(f"{who} {attr.replace('_', ' ')} inferred: {status.rule}")
        elif status is not None:
            notes.append(f"{who} {attr.replace('_', ' ')} unverified: {status.rule}")


def _training_cost(s: Scenario, ft: ModelEntry | None, notes: list[str]) -> float:
    tokens = s.billed_training_tokens_per_epoch
    per_run = 0.0
    if s.training_hours is not None:
        hourly = ft.training_per_hour if ft else None
        if hourly is None:
            raise ScenarioError("training_hours", s.training_hours, "used only with an hourly-priced model")
        per_run = s.training_hours * hourly
    elif tokens is not None:
        price = s.training_price if s.training_price is not None else (ft.training_per_1m if ft else None)
        if price is None:
            raise ScenarioError("training_price", None, f"given: no training rate for {s.ft_model or 'the fine-tuned model'}")
        per_run = tokens * s.epochs * price / 1e6
    else:
        notes.append("no training data size given: training cost counts only the one-off costs")
    if ft is not None and ft.min_job_charge and (tokens is not None or s.training_hours is not None):
        per_run = max(per_run, ft.min_job_charge)
    return per_run * s.training_runs


def _months_between(start: date, end: date) -> float:
    return (end - start).days / DAYS_PER_MONTH_AVG


def _lifetime(s: Scenario, ft: ModelEntry | None, notes: list[str]) -> float:
    lifetime = s.lifetime_months
    if ft is None:
        return lifetime
    start = s.start_date or date.today()
    if ft.jobs_available_until is not None and start > ft.jobs_available_until:
        notes.append(
            f"{ft.display_name}: no new fine-tuning jobs after {ft.jobs_available_until.isoformat()}"
            " (lifetime 0)"
        )
        return 0.0
    ends = [(d, why) for d, why in ((ft.shutdown_date, "shuts down"), (ft.deprecation_date, "retires")) if d]
    if ends:
        end, why = min(ends)
        months = max(0.0, _months_between(start, end))
        if months < lifetime:
            notes.append(
                f"fine-tuned {ft.display_name} {why} on {end.isoformat()}: lifetime cut to {months:.1f} months"
            )
            lifetime = months
    if ft.jobs_available_until is not None:
        notes.append(
            f"{ft.vendor} accepts no new fine-tuning jobs after {ft.jobs_available_until.isoformat()}: retrains must move"
        )
    return lifetime


def _latency_driven(s: Scenario, notes: list[str]) -> float:
    budget, fl, tl = s.latency_budget_ms, s.frontier_latency_ms, s.ft_latency_ms
    if budget is None or tl is None:
        return 0.0
    if tl > budget:
        notes.append(f"fine-tuned model misses the latency budget ({tl:g} ms > {budget:g} ms)")
        return 0.0
    return 1.0 if fl is not None and fl > budget else 0.0


def resolve(s: Scenario, catalog: Catalog | None) -> Inputs:
    notes: list[str] = []
    fr = _entry(catalog, s.frontier_model, "frontier_model")
    ft = _entry(catalog, s.ft_model, "ft_model")
    if ft is not None and not ft.fine_tunable:
        raise ScenarioError("ft_model", s.ft_model, "a fine-tunable model (see FT_MODELS or `ft-breakeven prices`)")
    fr_name = s.frontier_model or "the frontier model"
    ft_name = s.ft_model or "the fine-tuned model"

    f_in = _rate(s.frontier_input_price, fr, "input", "frontier_input_price", fr_name)
    f_out = _rate(s.frontier_output_price, fr, "output", "frontier_output_price", fr_name)
    f_cached = _cached(s.frontier_cached_price, fr, "cached_input", f_in, notes, "frontier", s.cached_share > 0)

    # Fine-tuned rates: the vendor's ft rates, else the base model's (tuned at base rates).
    ft_in_attr = "ft_input" if ft is not None and ft.ft_input is not None else "input"
    ft_out_attr = "ft_output" if ft is not None and ft.ft_output is not None else "output"
    t_in = _rate(s.ft_input_price, ft, ft_in_attr, "ft_input_price", ft_name)
    t_out = _rate(s.ft_output_price, ft, ft_out_attr, "ft_output_price", ft_name)
    cached_attr = "ft_cached_input" if ft is not None and ft.ft_cached_input is not None else "cached_input"
    t_cached = _cached(s.ft_cached_price, ft, cached_attr, t_in, notes, "fine-tuned", s.cached_share > 0)
    if s.ft_model and ft_in_attr == "input" and s.ft_input_price is None:
        notes.append(f"fine-tuned {ft_name} billed at base-model rates (inferred)")

    if s.batch_share > 0:
        _note_inferred(fr, ("batch_input", "batch_output"), "frontier", notes)
    _note_inferred(ft, ("training_per_1m", "hosting_per_hour", "storage_per_month"), "fine-tuning", notes)

    hosting = s.hosting_per_month
    if hosting is None:
        hosting = (ft.monthly_fixed_cost() - (ft.storage_per_month or 0.0)) if ft else 0.0
    storage = s.storage_per_month if s.storage_per_month is not None else (
        (ft.storage_per_month or 0.0) if ft else 0.0
    )
    mlops = s.mlops_fte * s.engineer_annual_cost / 12
    if s.mlops_fte == 0:
        notes.append("MLOps not costed: budget 0.5-1 engineer per model in production (mlops_fte)")

    return Inputs(
        queries_per_day=s.queries_per_day,
        days_per_month=s.days_per_month,
        volume_growth_monthly=s.volume_growth_monthly,
        input_tokens=s.input_tokens,
        output_tokens=s.output_tokens,
        ft_input_tokens=s.ft_input_tokens if s.ft_input_tokens is not None else s.input_tokens,
        ft_output_tokens=s.ft_output_tokens if s.ft_output_tokens is not None else s.output_tokens,
        cached_share=s.cached_share,
        batch_share=s.batch_share,
        ft_traffic_share=s.ft_traffic_share,
        frontier_input=f_in,
        frontier_output=f_out,
        frontier_cached=f_cached,
        frontier_batch_factor_in=_batch_factor(fr, "batch_input", "input"),
        frontier_batch_factor_out=_batch_factor(fr, "batch_output", "output"),
        ft_input=t_in,
        ft_output=t_out,
        ft_cached=t_cached,
        ft_batch_factor_in=_batch_factor(ft, "ft_batch_input" if ft and ft.ft_batch_input else "batch_input", ft_in_attr),
        ft_batch_factor_out=_batch_factor(ft, "ft_batch_output" if ft and ft.ft_batch_output else "batch_output", ft_out_attr),
        training_cost=_training_cost(s, ft, notes),
        other_upfront=s.eval_cost + s.data_prep_cost + s.other_upfront_cost,
        fixed_cost_month=hosting + storage + mlops,
        lifetime_months=_lifetime(s, ft, notes),
        planned_lifetime_months=s.lifetime_months,
        retrain_cost_share=s.retrain_cost_share,
        accuracy_lift=s.accuracy_lift,
        value_per_correct=s.value_per_correct,
        discount_rate_annual=s.discount_rate_annual,
        frontier_price_decline_annual=s.frontier_price_decline_annual,
        horizon_months=float(s.horizon_months),
        latency_driven=_latency_driven(s, notes),
        notes=notes,
        mlops_included=s.mlops_fte > 0,
    )
