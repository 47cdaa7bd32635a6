"""The price catalog: pydantic models, loading (bundled snapshot -> user store) and lookup.

Rates are USD per 1M tokens. Every rate field may carry a note in `field_status` saying it
was inferred (with the rule) or is unverified; a field without a note was published by the
source named for its group (inference or fine-tuning).
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class InferenceRates(BaseModel):
    """A plain API call's rates, USD per 1M tokens, read from the registry row `registry_key`
    (sources.litellm.RegistryRow carries them too)."""

    input: float | None = None
    output: float | None = None
    cached_input: float | None = None
    batch_input: float | None = None
    batch_output: float | None = None


INFERENCE_FIELDS = tuple(InferenceRates.model_fields)
# Fine-tuned inference rates, read from the registry row `ft_registry_key` (OpenAI's ft: rows)
# or curated; where absent the base model's inference rate applies (Vertex, Bedrock).
FT_INFERENCE_FIELDS = tuple(f"ft_{f}" for f in INFERENCE_FIELDS)
# Curated: no open registry publishes these (research/PRICING.md).
FINE_TUNING_FIELDS = (
    "training_per_1m",
    "training_per_hour",
    "hosting_per_hour",
    "hosting_per_month",
    "storage_per_month",
    "min_job_charge",
)
RATE_FIELDS = INFERENCE_FIELDS + FT_INFERENCE_FIELDS + FINE_TUNING_FIELDS


class BillingRates(BaseModel):
    """How the vendor bills a plain API call beyond its plain rates (issue 21), USD per 1M tokens
    unless noted: cache writes by time-to-live, the long-context tier (rates above a prompt size),
    flex and priority service tiers, and the multiplier on every rate for data-residency
    (regional) processing. Read from the LiteLLM registry row `registry_key`
    (sources.litellm.RegistryRow carries them too) or curated in models.json; ModelEntry has them."""

    cache_write_5m: float | None = None  # writing a prompt to cache for 5 minutes
    cache_write_1h: float | None = None  # ... for 1 hour
    long_context_threshold: float | None = None  # prompt tokens above which long_* rates apply
    long_input: float | None = None
    long_output: float | None = None
    long_cached_input: float | None = None
    flex_input: float | None = None
    flex_output: float | None = None
    flex_cached_input: float | None = None
    priority_input: float | None = None
    priority_output: float | None = None
    priority_cached_input: float | None = None
    regional_uplift: float | None = None  # multiplier on every rate, e.g. 1.1 = +10%


BILLING_FIELDS = tuple(BillingRates.model_fields)
DATE_FIELDS = ("jobs_available_until", "shutdown_date", "deprecation_date")

HOURS_PER_MONTH = 730  # the cloud-billing convention (8,760 h / 12)
TOKENS_PER_MILLION = 1_000_000  # rates are USD per 1M tokens: tokens x rate / TOKENS_PER_MILLION


class FieldStatus(BaseModel):
    """Why a rate is not simply 'published by the group's source'."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["inferred", "unverified"]
    rule: str = ""  # e.g. "cached = 10% of input"; or why it is unverified


class FieldSource(BaseModel):
    """Where one field was confirmed when that is not its group's source (inference or fine-tuning)."""

    model_config = ConfigDict(extra="forbid")
    source: str
    verified: date | None = None


class GpuRate(BaseModel):
    """The hourly rate of one GPU type on one vendor's dedicated (or your own) deployments."""

    model_config = ConfigDict(extra="forbid")
    id: str  # e.g. "fireworks-h100"
    vendor: str
    gpu: str  # e.g. "H100 80GB"
    per_hour: float = Field(ge=0)
    source: str
    verified: date | None = None
    status: Literal["published", "unverified"] = "published"
    rule: str = ""  # why it is unverified


class VendorNote(BaseModel):
    """Where a vendor's fine-tuning stands, including vendors with no model in the catalog."""

    model_config = ConfigDict(extra="forbid")
    fine_tuning_state: Literal["open", "preview", "deprecated", "closing", "none"]
    note: str
    source: str
    verified: date | None = None


class ServingOffer(BaseModel):
    """Whether a vendor serves its fine-tuned models in one serving mode, how it bills it, and where
    that is written (pricing/model/serving_modes.py prices each mode)."""

    model_config = ConfigDict(extra="forbid")
    # offered; not_offered; not_priced (offered, but the catalog cannot price it: note says why)
    state: Literal["offered", "not_offered", "not_priced"]
    note: str  # how it is billed, or why it is not offered
    source: str
    verified: date | None = None
    gpu: str | None = None  # dedicated mode: the GpuRate id it is billed at
    status: Literal["published", "inferred", "unverified"] = "published"
    rule: str = ""  # why it is inferred or unverified


# Serving modes a fine-tuned model may have (ServingOffer per vendor and mode).
SERVING_MODES = ("hosted", "serverless_lora", "dedicated", "own_gpus")


# Where a vendor's fine-tuning stands today. "retired": the model can no longer be tuned or served.
FineTuningState = Literal["", "open", "preview", "deprecated", "retired"]


class ModelIds(BaseModel):
    """How a model is named: the catalog id users type, its aliases and registry keys."""

    model_config = ConfigDict(extra="forbid")

    id: str  # catalog id users type, e.g. "gpt-4.1-mini", "nova-pro"
    vendor: str  # "OpenAI", "Anthropic", "Google", "xAI", "Amazon Bedrock", ...
    display_name: str
    aliases: list[str] = Field(default_factory=list)
    registry_key: str | None = None  # LiteLLM key of the base model's inference rates
    ft_registry_key: str | None = None  # LiteLLM key of the fine-tuned rates (e.g. ft:gpt-4o-...)


class InferenceEntry(InferenceRates, ModelIds):
    """A model and what a plain API call costs, with where that was read."""

    model_config = ConfigDict(extra="forbid")

    inference_source: str = ""
    inference_verified: date | None = None
    deprecation_date: date | None = None  # registry's retirement date of the base model


# The bases' order sets the field order, which the stored catalog JSON follows: ModelIds',
# InferenceRates', InferenceEntry's, BillingRates', then ModelEntry's own.
class ModelEntry(BillingRates, InferenceEntry):
    """One model of one vendor, with inference and (if fine-tunable) fine-tuning rates."""

    model_config = ConfigDict(extra="forbid")

    fine_tunable: bool = False
    training_per_1m: float | None = None
    training_per_hour: float | None = None  # reinforcement fine-tuning (OpenAI o4-mini)
    ft_input: float | None = None
    ft_output: float | None = None
    ft_cached_input: float | None = None
    ft_batch_input: float | None = None
    ft_batch_output: float | None = None
    hosting_per_hour: float | None = None
    hosting_per_month: float | None = None
    storage_per_month: float | None = None
    min_job_charge: float | None = None
    jobs_available_until: date | None = None
    shutdown_date: date | None = None
    fine_tuning_source: str = ""
    fine_tuning_verified: date | None = None

    field_status: dict[str, FieldStatus] = Field(default_factory=dict)
    notes: str = ""
    # Per-field sources of fields confirmed elsewhere than the group's source (research S#).
    field_sources: dict[str, FieldSource] = Field(default_factory=dict)
    fine_tuning_state: FineTuningState = ""
    retired_date: date | None = None  # from this day the tuned model can neither be trained nor served
    retired_reason: str = ""
    serving_gpu: str | None = None  # GpuRate id when tuned models are served only on dedicated GPUs
    params_b: float | None = None  # model size in billions of parameters (GPU throughput)

    def status_of(self, field: str) -> str:
        """'published', 'inferred' or 'unverified' for one rate field ('missing' if None)."""
        if getattr(self, field, None) is None:
            return "missing"
        note = self.field_status.get(field)
        return note.status if note else "published"

    def retired_by(self, day: date) -> bool:
        return self.retired_date is not None and self.retired_date <= day

    def retirement_sentence(self) -> str:
        """'gemini-2.5-flash was retired on 2026-10-20 (why)'; '' if it is not retired."""
        if self.retired_date is None:
            return ""
        why = f" ({self.retired_reason})" if self.retired_reason else ""
        return f"{self.id} was retired on {self.retired_date.isoformat()}{why}"

    def offered_for_fine_tuning(self, day: date) -> bool:
        return self.fine_tunable and not self.retired_by(day)

    def monthly_fixed_cost(self) -> float:
        """Hosting plus storage per month of one deployed fine-tuned model."""
        hosting = self.hosting_per_month
        if hosting is None and self.hosting_per_hour is not None:
            hosting = self.hosting_per_hour * HOURS_PER_MONTH
        return (hosting or 0.0) + (self.storage_per_month or 0.0)


class UnknownModelError(KeyError):
    """An id the catalog does not know; the message lists the closest known ids."""

    def __init__(self, model_id: str, suggestions: list[str]):
        self.model_id = model_id
        self.suggestions = suggestions
        hint = f"; closest known ids: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"unknown model {model_id!r}{hint}")

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return self.args[0]


def base_model_id(model_id: str) -> str:
    """Map a real fine-tuned id to its base: 'ft:gpt-4o-2024-08-06:org::job' -> 'ft:gpt-4o-2024-08-06'."""
    if model_id.startswith("ft:") and model_id.count(":") >= 4:
        return ":".join(model_id.split(":")[:2])
    return model_id


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date  # date of the inference snapshot
    source: str  # where the inference rates came from (registry URL and version)
    fine_tuning_as_of: date | None = None  # date of the curated fine-tuning file
    models: list[ModelEntry]
    gpus: list[GpuRate] = Field(default_factory=list)  # dedicated-deployment GPU rates
    vendors: dict[str, VendorNote] = Field(default_factory=dict)  # fine-tuning per vendor
    # vendor -> serving mode (SERVING_MODES) -> what the vendor offers there
    serving_modes: dict[str, dict[str, ServingOffer]] = Field(default_factory=dict)

    def gpu(self, gpu_id: str) -> GpuRate | None:
        want = gpu_id.strip().casefold()
        return next((g for g in self.gpus if g.id.casefold() == want), None)

    def _index(self) -> dict[str, ModelEntry]:
        # Built lazily and cached on the instance; keys are case-folded ids, aliases, registry keys.
        cached = self.__dict__.get("_by_key")
        if cached is None:
            cached = {}
            for entry in self.models:
                for key in (entry.id, *entry.aliases, entry.registry_key, entry.ft_registry_key):
                    if key:
                        cached.setdefault(key.casefold(), entry)
            self.__dict__["_by_key"] = cached
        return cached

    def get(self, model_id: str) -> ModelEntry:
        key = base_model_id(str(model_id).strip()).casefold()
        entry = self._index().get(key)
        if entry is None:
            raise UnknownModelError(str(model_id), self.closest(str(model_id)))
        return entry

    def __contains__(self, model_id: object) -> bool:
        return base_model_id(str(model_id).strip()).casefold() in self._index()

    def closest(self, model_id: str, n: int = 3) -> list[str]:
        ids = [m.id for m in self.models]
        by_fold = {i.casefold(): i for i in ids}
        hits = difflib.get_close_matches(model_id.casefold(), list(by_fold), n=n, cutoff=0.4)
        return [by_fold[h] for h in hits]

    def ids(self, vendor: str | None = None) -> list[str]:
        return [m.id for m in self.models if vendor is None or m.vendor.casefold() == vendor.casefold()]
