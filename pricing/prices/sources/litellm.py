"""Parse LiteLLM's model_prices_and_context_window.json without importing litellm.

litellm downloads the registry at import time and is heavy, so we read the JSON ourselves.
Prices there are USD per token; we return USD per 1M tokens. Bad values become None here;
the guard layer of the refresh decides what to report.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from pydantic import ConfigDict

from pricing.prices.catalog import TOKENS_PER_MILLION, BillingRates, InferenceRates

REGISTRY_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
NON_MODEL_KEYS = frozenset({"sample_spec", "fallback_generalizations"})

# registry field -> RegistryRow field
PRICE_FIELDS = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "input_cost_per_token_batches": "batch_input",
    "output_cost_per_token_batches": "batch_output",
}
# How vendors bill beyond the plain rates (issue 21): cache writes by time-to-live, flex and
# priority service tiers. registry field -> RegistryRow field, USD/1M like the rates above.
BILLING_FIELDS = {
    "cache_creation_input_token_cost": "cache_write_5m",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h",
    "input_cost_per_token_flex": "flex_input",
    "output_cost_per_token_flex": "flex_output",
    "cache_read_input_token_cost_flex": "flex_cached_input",
    "input_cost_per_token_priority": "priority_input",
    "output_cost_per_token_priority": "priority_output",
    "cache_read_input_token_cost_priority": "priority_cached_input",
}
# Long-context tiers: `input_cost_per_token_above_200k_tokens` and the like (the threshold is in
# the name: 200k, 272k, 128k). The whole query is billed at the higher rate above it.
LONG_CONTEXT = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")
# Data residency: the multiplier OpenAI charges on regional processing endpoints (us and eu
# carry the same 1.1 in the registry; the US one is read).
REGIONAL_UPLIFT = "regional_processing_uplift_multiplier_us"


class RegistryRow(BillingRates, InferenceRates):
    """One registry entry, prices in USD per 1M tokens (None = absent or unusable)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    litellm_provider: str | None = None
    mode: str | None = None
    deprecation_date: date | None = None
    source: str | None = None


def per_million(value: Any) -> float | None:
    """USD/token -> USD/1M tokens, float noise removed (2e-07 -> 0.2, not 0.19999999999999998)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return round(value * TOKENS_PER_MILLION, 6) + 0.0  # + 0.0 turns -0.0 into 0.0


def registry_date(value: Any) -> date | None:
    """A registry date such as "2026-02-27" (or with a time after it); None if not one."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _multiplier(value: Any) -> float | None:
    """A price multiplier such as 1.1; None unless a finite number from 1 to 10."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value) if 1 <= value <= 10 else None


def long_context_names(k: int) -> dict[str, str]:
    """Our long-context rate -> its registry field in the tier above `k` thousand tokens."""
    return {
        "long_input": f"input_cost_per_token_above_{k}k_tokens",
        "long_output": f"output_cost_per_token_above_{k}k_tokens",
        "long_cached_input": f"cache_read_input_token_cost_above_{k}k_tokens",
    }


def _long_context_tier(raw: dict) -> int | None:
    """The lowest long-context tier (thousands of tokens) with a usable input rate, if any."""
    tiers = sorted(int(m.group(1)) for k in raw if (m := LONG_CONTEXT.match(k)))
    usable = (k for k in tiers if per_million(raw.get(long_context_names(k)["long_input"])) is not None)
    return next(usable, None)


def billing_values(raw: dict) -> dict[str, Any]:
    """Our billing field (catalog.BillingRates) -> the row's value as written: USD per token, the
    long-context threshold in tokens, the regional uplift a multiplier. Absent fields left out."""
    values = {ours: raw[theirs] for theirs, ours in BILLING_FIELDS.items() if theirs in raw}
    k = _long_context_tier(raw)
    if k is not None:
        values["long_context_threshold"] = k * 1000
        values.update({ours: raw[theirs] for ours, theirs in long_context_names(k).items() if theirs in raw})
    if REGIONAL_UPLIFT in raw:
        values["regional_uplift"] = raw[REGIONAL_UPLIFT]
    return values


def billing_rate(field: str, value: Any) -> float | None:
    """One billing_values value in the catalog's unit (USD per 1M tokens, tokens or a
    multiplier from 1 to 10); None when unusable."""
    if field == "long_context_threshold":
        return float(value)
    if field == "regional_uplift":
        return _multiplier(value)
    return per_million(value)


def parse_row(raw: dict) -> RegistryRow:
    prices = {ours: per_million(raw.get(theirs)) for theirs, ours in PRICE_FIELDS.items()}
    billing = {ours: billing_rate(ours, value) for ours, value in billing_values(raw).items()}
    return RegistryRow(
        **prices,
        **billing,
        litellm_provider=_text(raw.get("litellm_provider")),
        mode=_text(raw.get("mode")),
        deprecation_date=registry_date(raw.get("deprecation_date")),
        source=_text(raw.get("source")),
    )


def _resolve_alias(data: dict, key: str) -> dict | None:
    """Follow alias_of pointers (chains allowed, cycles and dangling targets give None)."""
    seen = {key}
    raw = data.get(key)
    while isinstance(raw, dict) and isinstance(raw.get("alias_of"), str):
        target = raw["alias_of"]
        if target in seen or target in NON_MODEL_KEYS:
            return None
        seen.add(target)
        raw = data.get(target)
    return raw if isinstance(raw, dict) else None


def parse_registry(data: dict) -> dict[str, RegistryRow]:
    """Every model row of a registry dict, alias rows carrying their target's prices."""
    rows: dict[str, RegistryRow] = {}
    if not isinstance(data, dict):
        return rows
    for key, raw in data.items():
        if key in NON_MODEL_KEYS or not isinstance(key, str) or not isinstance(raw, dict):
            continue
        if "alias_of" in raw:
            target = _resolve_alias(data, key)
            if target is None:
                continue
            # An alias may name its own provider/mode; prices always come from the target.
            raw = {**target, **{k: v for k, v in raw.items() if k in ("litellm_provider", "mode")}}
        rows[key] = parse_row(raw)
    return rows
