"""Serving modes side by side: one scenario's answer under each way its vendor serves a tuned model.

    hosted           per token at the vendor's fine-tuned rates (plus any hosting fee)
    serverless_lora  the adapter on the vendor's shared fleet, per token at the base model's rate
    dedicated        the vendor's GPUs billed per GPU-hour, sized from the load (pricing/model/serving.py)
    own_gpus         the downloaded weights on your GPUs at gpu_hourly_price (same sizing)

Which vendor offers which mode, how it bills it and the source are catalog data
(Catalog.serving_modes, from pricing/data/fine_tuning.json). Each mode is the scenario with its
serving inputs set for that mode and evaluated by the engine, so every figure is the engine's own.
The scenario's serving overrides (ft_*_price, hosting_per_month, gpu_hourly_price) choose one mode;
here each row sets its own, at the catalog's rates (own GPUs: the scenario's gpu_hourly_price).
A mode not offered, or not priceable, has no figures: never $0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pricing.model.breakeven import Result, evaluate
from pricing.model.figures import label
from pricing.model.inputs import CACHED_FALLBACK
from pricing.model.scenario import Scenario, ScenarioError
from pricing.prices.catalog import SERVING_MODES, Catalog, ModelEntry, ServingOffer

MODE_LABELS = {
    "hosted": "Hosted fine-tuned endpoint (per token)",
    "serverless_lora": "Serverless LoRA at base price",
    "dedicated": "Dedicated GPUs at the vendor (per GPU-hour)",
    "own_gpus": "Own GPUs (per GPU-hour)",
}
STATE_TEXT = {"not_offered": "not offered", "not_priced": "not priced"}
# the inputs by which a scenario picks one serving mode; each row sets its own
SERVING_INPUTS = (
    "ft_input_price",
    "ft_output_price",
    "ft_cached_price",
    "hosting_per_month",
    "gpu_hourly_price",
)
MONTHLY_COST = "Monthly cost with fine-tuning"
CHEAPEST = "cheapest"
# The table's columns (FT_SERVING_MODES, the Calculator block): key, header. The long texts sit
# where the Calculator's wide columns are (E, G); the verdict last.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("mode", "Serving mode"),
    ("monthly_cost", MONTHLY_COST),
    ("net_benefit_month", label("net_benefit_month")),
    ("payback_months", label("payback_months")),
    ("basis", "How it is billed, or why not"),
    ("cheapest", "Cheapest"),
    ("source", "Source"),
    ("verdict", label("verdict")),
)
HEADERS = tuple(h for _, h in COLUMNS)


class NotPriced(ValueError):
    """An offered mode the catalog and the scenario cannot price: says what is missing."""


@dataclass(frozen=True)
class ModeAnswer:
    mode: str  # one of SERVING_MODES
    state: str  # offered, not_offered, not_priced
    basis: str  # how the mode is billed here, or why it has no figures
    source: str
    result: Result | None = None  # the engine's answer under this mode (offered and priced)
    cheapest: bool = False

    @property
    def label(self) -> str:
        return MODE_LABELS[self.mode]

    @property
    def monthly_cost(self) -> float:
        """Month-1 inference bill with fine-tuning plus the fixed cost (hosting, GPUs, storage, MLOps)."""
        r = self.result
        return math.nan if r is None else r.ft_cost_month + r.fixed_cost_month

    def record(self) -> dict[str, Any]:
        """The row as data (JSON, CSV): None where the mode has no figure."""
        r = self.result
        return {
            "mode": self.mode,
            "label": self.label,
            "state": self.state,
            "monthly_cost": None if r is None else self.monthly_cost,
            "net_benefit_month": None if r is None else r.net_benefit_month,
            "payback_months": None if r is None else r.payback_months,
            "verdict": None if r is None else r.verdict,
            "cheapest": self.cheapest,
            "basis": self.basis,
            "source": self.source,
        }


def serving_modes(
    scenario: Scenario, catalog: Catalog, own_gpu_hourly: float | None = None
) -> list[ModeAnswer]:
    """The scenario under each serving mode of its fine-tuned model's vendor, cheapest marked.
    Own GPUs cost `own_gpu_hourly` $ per GPU-hour, else the scenario's gpu_hourly_price.

    Raises what the scenario itself is refused for (an unknown or retired ft_model, a missing
    rate); a mode the engine cannot price (e.g. own GPUs without gpu_hourly_price) is not_priced."""
    if not scenario.ft_model:
        raise ScenarioError("ft_model", "", "a model id from the catalog: the serving modes are its vendor's")
    entry = catalog.get(scenario.ft_model)
    neutral = scenario.model_copy(update=dict.fromkeys(SERVING_INPUTS))
    evaluate(neutral, catalog)  # the scenario's own refusals come first, whatever the mode
    offers = catalog.serving_modes.get(entry.vendor, {})
    own = own_gpu_hourly if own_gpu_hourly is not None else scenario.gpu_hourly_price
    rows = [_mode(mode, offers.get(mode), entry, neutral, own, catalog) for mode in SERVING_MODES]
    priced = [r.monthly_cost for r in rows if r.result is not None]
    if priced:
        low = min(priced)
        rows = [
            ModeAnswer(r.mode, r.state, r.basis, r.source, r.result, True)
            if r.result is not None and r.monthly_cost <= low + 1e-9 * max(1.0, abs(low))
            else r
            for r in rows
        ]
    return rows


def _mode(
    mode: str,
    offer: ServingOffer | None,
    entry: ModelEntry,
    neutral: Scenario,
    own_gpu_hourly: float | None,
    catalog: Catalog,
) -> ModeAnswer:
    if offer is None:
        return ModeAnswer(mode, "not_priced", f"not documented for {entry.vendor} in this price catalog", "")
    source = offer.source + (f" ({offer.status}: {offer.rule})" if offer.rule else "")
    if offer.state != "offered":
        return ModeAnswer(mode, offer.state, offer.note, source)
    try:
        update, basis = _inputs_for(mode, offer, entry, own_gpu_hourly, catalog)
    except NotPriced as exc:
        return ModeAnswer(mode, "not_priced", f"{offer.note}: {exc}", source)
    try:
        result = evaluate(neutral.model_copy(update=update), catalog)
    except ScenarioError as exc:  # e.g. a GPU mode for a model whose size the catalog lacks
        return ModeAnswer(mode, "not_priced", f"{offer.note}: {exc}", source)
    return ModeAnswer(mode, "offered", f"{offer.note}: {basis}", source, result)


def _inputs_for(
    mode: str, offer: ServingOffer, entry: ModelEntry, own_gpu_hourly: float | None, catalog: Catalog
) -> tuple[dict[str, Any], str]:
    """The serving inputs of one mode and a few words on the rates they carry."""
    if mode == "hosted":  # the catalog's fine-tuned rates and hosting (a fee turns GPU serving off)
        storage = entry.storage_per_month or 0.0
        hosting = entry.monthly_fixed_cost() - storage
        fees = [f"hosting ${hosting:,.0f}/month"] if hosting else []
        fees += [f"storage ${storage:,.2f}/month"] if storage else []
        rate_in = entry.ft_input if entry.ft_input is not None else entry.input
        rate_out = entry.ft_output if entry.ft_output is not None else entry.output
        text = f"${rate_in:g} in / ${rate_out:g} out per 1M tokens"
        return {"hosting_per_month": hosting}, ", ".join([text, *fees])
    if mode == "serverless_lora":
        if entry.input is None or entry.output is None:
            raise NotPriced(f"the catalog has no base rate for {entry.id}")
        cached = entry.cached_input if entry.cached_input is not None else entry.input * CACHED_FALLBACK
        update = {
            "ft_input_price": entry.input,
            "ft_output_price": entry.output,
            "ft_cached_price": cached,
            "hosting_per_month": 0.0,  # no deployment: no hosting, no GPUs
        }
        return update, f"${entry.input:g} in / ${entry.output:g} out per 1M tokens"
    if mode == "dedicated":
        gpu = catalog.gpu(offer.gpu or "")
        if gpu is None:
            raise NotPriced(f"the catalog has no GPU rate {offer.gpu!r} for {entry.vendor}")
        return {"gpu_hourly_price": gpu.per_hour}, f"{gpu.gpu} at ${gpu.per_hour:,.2f}/GPU-hour"
    if own_gpu_hourly is None:  # own GPUs: your rate, not a vendor's
        raise NotPriced("give gpu_hourly_price (your $ per GPU-hour) to price it")
    rate = own_gpu_hourly
    return {"gpu_hourly_price": rate}, f"your GPUs at ${rate:,.2f}/GPU-hour"


def table_rows(answers: list[ModeAnswer]) -> list[list[Any]]:
    """The labelled table (header row, one row per mode; COLUMNS) as FT_SERVING_MODES spills it: a
    mode without figures shows its state ('not offered', 'not priced') where the cost would be and
    is blank where the other figures would be; a payback that never comes is NaN (the caller shows
    #NUM! or 'never')."""
    rows: list[list[Any]] = [list(HEADERS)]
    for a in answers:
        r = a.result
        cells: dict[str, Any] = {"mode": a.label, "basis": a.basis, "source": a.source}
        if r is None:
            cells["monthly_cost"] = STATE_TEXT[a.state]
        else:
            cells.update(
                monthly_cost=a.monthly_cost,
                net_benefit_month=r.net_benefit_month,
                payback_months=math.nan if r.payback_months is None else r.payback_months,
                cheapest=CHEAPEST if a.cheapest else "",
                verdict=r.verdict,
            )
        rows.append([cells.get(key, "") for key, _ in COLUMNS])
    return rows
