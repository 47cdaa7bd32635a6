"""Scenario: every input of the cost model (COST_MODEL.md), its unit, default and valid range.

Field names are the canonical keys shared by Python, workbook labels, JSON and the CLI.
Errors name the field, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal, get_args, get_origin

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator

BIG = 1e12  # "absurdly large" guard: no real scenario has 10^12 queries or dollars

# Every input's rules are declared once, in the Field(...) declarations below (bounds, kind,
# choices) and in SHARE_CAPS (cross-field); Scenario validates one scenario from them and
# pricing/model/table.py checks a whole table from the same declarations (field_bounds, CHOICES).

# Prompt-cache lifetimes vendors sell (Anthropic: 5 minutes and 1 hour).
CACHE_TTL_MINUTES = (5, 60)
SHARE_SLACK = 1e-12  # cached_share + cache_write_share may reach 1 despite float rounding
# A share capped by what another share leaves: field <= 1 - other (why, for the error message).
SHARE_CAPS: dict[str, tuple[str, str]] = {
    "cache_write_share": ("cached_share", "the prompt tokens not read from cache"),
}
# One name per concept across layers (issue 18): inputs renamed to the catalog's name, old name ->
# new. Users' scenario files, input blocks and tables still say the old name: it is read as the
# new one everywhere (make_scenario, block labels, table headers); errors name the new one.
RENAMED: dict[str, str] = {"training_price": "training_per_1m"}


def over_share_cap(share: Any, other: Any) -> Any:
    """True where share > 1 - other (beyond float rounding): for numbers and numpy arrays alike."""
    return share > 1 - other + SHARE_SLACK


def _share(description: str, default: float) -> Any:
    return Field(default, ge=0, le=1, description=description, json_schema_extra={"unit": "fraction"})


def _count(description: str, default: float | None, unit: str, le: float = BIG) -> Any:
    return Field(default, ge=0, le=le, description=description, json_schema_extra={"unit": unit})


def _price(description: str, old_name: str | None = None) -> Any:
    # An input renamed since release: its old name is still read (RENAMED, make_scenario).
    alias = {"validation_alias": AliasChoices(RENAMED[old_name], old_name)} if old_name else {}
    return Field(
        None, ge=0, le=1e6, description=description, json_schema_extra={"unit": "$/1M tokens"}, **alias
    )


def _bounded(description: str, default: Any, unit: str, **bounds: float) -> Any:
    """An input with its own bounds (ge, gt, le, lt) where _share and _count do not fit."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **bounds)


class ScenarioError(ValueError):
    """A bad input: names the field, the value given and what is allowed."""

    def __init__(self, field: str, value: Any, allowed: str):
        self.field, self.value, self.allowed = field, value, allowed
        super().__init__(f"{field} must be {allowed}, got {value!r}")

    @classmethod
    def missing(cls, field: str) -> ScenarioError:
        err = cls(field, None, field_allowed(field))
        err.args = (f"{field} is required: {field_allowed(field)}",)
        return err


class MissingRateError(ScenarioError):
    """The catalog has no price for a rate the scenario needs (a model without a price): an
    error to give the rate for, never $0. Excel shows #N/A, value not available."""


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str = Field("", description="scenario name", json_schema_extra={"unit": "text"})
    queries_per_day: float = _count("traffic in month 1", ..., "queries/day")
    days_per_month: float = Field(
        30, gt=0, le=31, description="days of traffic per month", json_schema_extra={"unit": "days"}
    )
    volume_growth_monthly: float = Field(
        0,
        ge=-0.5,
        le=1,
        description="compounding monthly growth of traffic",
        json_schema_extra={"unit": "fraction"},
    )

    frontier_model: str = Field(
        "", description="catalog id of the model replaced", json_schema_extra={"unit": "catalog id"}
    )
    ft_model: str = Field(
        "",
        description="catalog id of the base model that is fine-tuned",
        json_schema_extra={"unit": "catalog id"},
    )

    successor_ft_model: str = Field(
        "",
        description="catalog id of the model fine-tuned next when ft_model stops serving (blank: frontier)",
        json_schema_extra={"unit": "catalog id"},
    )
    baseline_model: str = Field(
        "",
        description="catalog id of a cheaper model used prompted, without fine-tuning (the alternative)",
        json_schema_extra={"unit": "catalog id"},
    )

    input_tokens: float = _count("frontier prompt tokens per query", ..., "tokens/query", le=1e8)
    output_tokens: float = _count("frontier completion tokens per query", ..., "tokens/query", le=1e8)
    ft_input_tokens: float | None = _count(
        "fine-tuned prompt tokens per query (default: frontier's)", None, "tokens/query", le=1e8
    )
    ft_output_tokens: float | None = _count(
        "fine-tuned completion tokens per query (default: frontier's)", None, "tokens/query", le=1e8
    )
    cached_share: float = _share("share of input tokens billed at the cached rate", 0)
    batch_share: float = _share("share of queries billed at batch rates", 0)
    ft_traffic_share: float = _share("share of queries routed to the fine-tuned model", 1)
    # How the vendor bills the prompted models (frontier, baseline): pricing/model/billing.py.
    # The defaults are a plain API call, so a scenario without them costs what it always did.
    cache_write_share: float = _share(
        "share of prompt tokens written to the prompt cache (frontier and baseline models)", 0
    )
    cache_ttl_minutes: int = Field(
        5,
        ge=5,
        le=60,
        description="how long cache writes live: 5 or 60 minutes (sets the cache-write rate)",
        json_schema_extra={"unit": "minutes", "choices": CACHE_TTL_MINUTES},
    )
    service_tier: Literal["standard", "flex", "priority"] = Field(
        "standard",
        description=(
            "service tier of the frontier and baseline models (flex: cheaper, slower; priority: dearer)"
        ),
        json_schema_extra={"unit": "choice"},
    )
    data_residency: Literal["global", "regional"] = Field(
        "global",
        description="regional: inference kept in one region, at the vendor's uplift (frontier and baseline)",
        json_schema_extra={"unit": "choice"},
    )

    frontier_input_price: float | None = _price("override: frontier input rate")
    frontier_output_price: float | None = _price("override: frontier output rate")
    frontier_cached_price: float | None = _price("override: frontier cached-input rate")
    baseline_input_price: float | None = _price("override: baseline model input rate")
    baseline_output_price: float | None = _price("override: baseline model output rate")
    ft_input_price: float | None = _price("override: fine-tuned input rate")
    ft_output_price: float | None = _price("override: fine-tuned output rate")
    ft_cached_price: float | None = _price("override: fine-tuned cached-input rate")

    training_examples: float | None = _count("examples in the training set", None, "examples")
    tokens_per_example: float | None = _count("tokens per training example", None, "tokens", le=1e8)
    training_tokens: float | None = _count(
        "training tokens per epoch (instead of examples x tokens)", None, "tokens"
    )
    epochs: float = Field(
        3, ge=1, le=100, description="passes over the training set", json_schema_extra={"unit": "count"}
    )
    training_per_1m: float | None = _price("override: $ per 1M training tokens", old_name="training_price")
    training_hours: float | None = _count(
        "hours of reinforcement fine-tuning (hourly-priced models)", None, "hours", le=1e5
    )
    training_runs: float = Field(
        1, ge=1, le=1000, description="runs until one ships", json_schema_extra={"unit": "count"}
    )
    eval_cost: float = _count("one-off evaluation cost", 0, "$")
    data_prep_cost: float = _count("one-off data preparation cost", 0, "$")
    other_upfront_cost: float = _count("other one-off cost", 0, "$")
    hosting_per_month: float | None = _count("override: dedicated hosting per month", None, "$/month")
    storage_per_month: float | None = _count("override: model storage per month", None, "$/month")
    # GPU-hour serving (pricing/model/serving.py): dedicated deployments and self-hosting
    gpu_hourly_price: float | None = _count(
        "override: $ per GPU-hour; given for a per-token model it means self-hosting",
        None,
        "$/GPU-hour",
        le=1e4,
    )
    gpu_tokens_per_second: float | None = _bounded(
        "tokens/s (prompt + completion) one GPU serves (default: from the model size)",
        None,
        "tokens/s per GPU",
        gt=0,
        le=1e7,
    )
    peak_to_average: float = _bounded("peak traffic / average traffic", 3, "ratio", ge=1, le=100)
    gpu_uptime_share: float = _share("share of the month GPUs are up (1 always on; less: scale to zero)", 1)
    gpus_min: int = _bounded("GPUs kept up at the least", 1, "GPUs", ge=1, le=10000)
    mlops_fte: float = _count("engineers running the model in production", 0, "FTE", le=100)
    engineer_annual_cost: float = _count("loaded cost of one engineer", 200000, "$/year")

    lifetime_months: float = _bounded(
        "planned life before a forced retrain",
        12,
        "months",
        ge=0.01,  # about 7 hours: shorter is no lifetime, and retrain counts would overflow
        le=600,
    )
    start_date: date | None = _bounded("go-live date (default: today)", None, "date")
    retrain_cost_share: float = _share("share of the upfront cost paid again at each retrain", 1)

    accuracy_lift: float = _bounded("accuracy gained by fine-tuning", 0, "fraction", ge=-1, le=1)
    value_per_correct: float = _count("value of one more correct answer", 0, "$")
    frontier_latency_ms: float | None = _count("frontier latency", None, "ms", le=1e7)
    ft_latency_ms: float | None = _count("fine-tuned latency", None, "ms", le=1e7)
    latency_budget_ms: float | None = _count("latency the product needs", None, "ms", le=1e7)

    discount_rate_annual: float = _bounded("discount rate for NPV", 0.10, "fraction/year", ge=0, le=10)
    frontier_price_decline_annual: float = _bounded(
        "yearly fall of frontier list prices", 0, "fraction/year", ge=0, lt=1
    )
    frontier_price_cut: float = _share("one-off cut of frontier prices (e.g. a new model generation)", 0)
    frontier_price_cut_month: int | None = _bounded(
        "month from which the one-off cut applies", None, "month", ge=1, le=600
    )
    ft_price_decline_annual: float = _bounded(
        "yearly fall of fine-tuned inference prices", 0, "fraction/year", ge=0, lt=1
    )
    horizon_months: int = _bounded("NPV and schedule horizon", 36, "months", ge=1, le=600)

    @model_validator(mode="before")
    @classmethod
    def _reject_nan(cls, data: Any) -> Any:
        # pydantic lets NaN through numeric bounds; a NaN input must never reach the maths.
        if isinstance(data, Mapping):
            for key, value in data.items():
                if isinstance(value, float) and not math.isfinite(value):
                    raise ValueError(f"@{key}")
        return data

    @model_validator(mode="after")
    def _choices_and_caps(self) -> Scenario:
        for name, allowed in CHOICES.items():  # (a Literal text is checked by pydantic already)
            if getattr(self, name) not in allowed:
                raise ValueError(f"@{name}")
        for name, (other, _why) in SHARE_CAPS.items():
            if over_share_cap(getattr(self, name), getattr(self, other)):
                raise ValueError(f"@{name}")
        return self


def _choices(info: Any) -> tuple | None:
    """The few values an input takes: a text's Literal, or a number's declared "choices"."""
    if get_origin(info.annotation) is Literal:
        return get_args(info.annotation)
    return (info.json_schema_extra or {}).get("choices")


FIELDS: tuple[str, ...] = tuple(Scenario.model_fields)
REQUIRED: tuple[str, ...] = tuple(n for n, f in Scenario.model_fields.items() if f.is_required())
# Inputs that take one of a few values. Texts first: pydantic reports them before the model check.
CHOICES: dict[str, tuple] = dict(
    sorted(
        ((n, c) for n, f in Scenario.model_fields.items() if (c := _choices(f))),
        key=lambda item: get_origin(Scenario.model_fields[item[0]].annotation) is not Literal,
    )
)
TEXT_FIELDS: tuple[str, ...] = tuple(
    n for n, f in Scenario.model_fields.items() if f.annotation is str or get_origin(f.annotation) is Literal
)
DATE_FIELDS: tuple[str, ...] = tuple(
    n for n, f in Scenario.model_fields.items() if f.annotation in (date, date | None)
)
NUMERIC_FIELDS: tuple[str, ...] = tuple(n for n in FIELDS if n not in TEXT_FIELDS and n not in DATE_FIELDS)


def field_bounds(name: str) -> tuple[float, bool, float, bool]:
    """(low, low inclusive, high, high inclusive) of a numeric field, from its Field(...) bounds."""
    lo, lo_inc, hi, hi_inc = -math.inf, True, math.inf, True
    for meta in Scenario.model_fields[name].metadata:
        if getattr(meta, "ge", None) is not None:
            lo, lo_inc = float(meta.ge), True
        if getattr(meta, "gt", None) is not None:
            lo, lo_inc = float(meta.gt), False
        if getattr(meta, "le", None) is not None:
            hi, hi_inc = float(meta.le), True
        if getattr(meta, "lt", None) is not None:
            hi, hi_inc = float(meta.lt), False
    return lo, lo_inc, hi, hi_inc


def field_unit(name: str) -> str:
    extra = Scenario.model_fields[name].json_schema_extra or {}
    return str(extra.get("unit", ""))


def field_allowed(name: str) -> str:
    """Human text of what a field accepts, from its pydantic constraints."""
    info = Scenario.model_fields[name]
    if name in CHOICES:
        return "one of " + ", ".join(str(c) for c in CHOICES[name])
    if name in TEXT_FIELDS:
        return "a model id from the catalog" if field_unit(name) == "catalog id" else "text"
    if name in DATE_FIELDS:
        return "a date (YYYY-MM-DD)"
    signs = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
    if name in SHARE_CAPS:  # the cap replaces the upper bound
        signs = signs[:2]
    bounds = []
    for meta in info.metadata:
        for attr, sign in signs:
            value = getattr(meta, attr, None)
            if value is not None:
                bounds.append(f"{sign} {value:g}")
    if name in SHARE_CAPS:
        other, why = SHARE_CAPS[name]
        bounds.append(f"<= 1 - {other} ({why})")
    kind = "a whole number" if info.annotation is int else "a number"
    return f"{kind} {' and '.join(bounds)}".strip()


def normalise_label(label: str) -> str:
    """'Queries per day' / 'queries_per_day' / 'QueriesPerDay' -> 'queriesperday'."""
    return re.sub(r"[\s_\-]+", "", str(label)).casefold()


_BY_LABEL = {normalise_label(n): n for n in FIELDS} | {normalise_label(o): n for o, n in RENAMED.items()}


def field_for_label(label: str) -> str | None:
    """The input a label names (an old name of a renamed input gives the new name)."""
    return _BY_LABEL.get(normalise_label(label))


def current_names(values: Mapping[str, Any]) -> dict[str, Any]:
    """values with every old input name (RENAMED) replaced by its new one; both given: an error."""
    for old, new in RENAMED.items():
        if old in values and new in values:
            raise ScenarioError(new, values[old], f"given once (both {new} and its old name {old} are given)")
    return {RENAMED.get(k, k): v for k, v in values.items()}


def unknown_input(key: Any, value: Any) -> ScenarioError:
    """A key that is no input name: the closest names, and where the list is."""
    err = ScenarioError(str(key), value, f"one of the input names ({', '.join(FIELDS[:4])}, ...)")
    close = difflib.get_close_matches(str(key), FIELDS, n=3, cutoff=0.6)
    close = close or [n for n in FIELDS if normalise_label(n) == normalise_label(str(key))]
    hint = f": did you mean {' or '.join(close)}?" if close else ""
    err.args = (f"{key!r} is not an input name{hint} (`ft-breakeven inputs` or =FT_INPUTS() lists them)",)
    return err


def make_scenario(values: Mapping[str, Any]) -> Scenario:
    """Build a Scenario, turning pydantic's errors into one ScenarioError per first problem."""
    values = current_names(values)
    unknown = [k for k in values if k not in Scenario.model_fields]
    if unknown:
        raise unknown_input(unknown[0], values[unknown[0]])
    for key, value in values.items():  # pydantic would read true as 1: no silent numbers
        if isinstance(value, bool) and Scenario.model_fields[key].annotation not in (str, str | None):
            raise ScenarioError(key, value, field_allowed(key))
    decline = values.get("frontier_price_decline_annual")
    if isinstance(decline, str) and decline.strip().casefold() == "measured":
        from pricing.prices.decline import measured_decline  # opt-in: the frontier family's fitted decline

        found = measured_decline(str(values.get("frontier_model", "")))
        if found is None:
            raise ScenarioError(
                "frontier_price_decline_annual",
                decline,
                "a number (no measured history for this frontier_model)",
            )
        values = {**values, "frontier_price_decline_annual": found[0]}
    try:
        return Scenario(**values)
    except ValidationError as exc:
        raise _to_scenario_error(exc, values) from None


def _to_scenario_error(exc: ValidationError, values: Mapping[str, Any]) -> ScenarioError:
    err = exc.errors()[0]
    loc = err.get("loc") or ()
    if loc:
        field = str(loc[0])
    else:  # the NaN guard reports "@field"
        field = str(err.get("msg", "")).rsplit("@", 1)[-1]
    if err.get("type") == "missing":
        return ScenarioError.missing(field)
    allowed = field_allowed(field) if field in Scenario.model_fields else "valid"
    if field in Scenario.model_fields and Scenario.model_fields[field].annotation in (
        float,
        float | None,
        int,
    ):
        allowed = f"{allowed} (finite)" if "nan" in str(values.get(field, "")).lower() else allowed
    return ScenarioError(field, values.get(field), allowed)
