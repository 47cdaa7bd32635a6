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
LONG_FIELDS = {"input": "long_input", "output": "long_output", "cache_read_input": "long_cached_input"}
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


def long_context(raw: dict) -> dict[str, float | None]:
    """The lowest long-context tier of a row: its threshold (tokens) and rates (USD/1M)."""
    tiers = sorted(int(m.group(1)) for k in raw if (m := LONG_CONTEXT.match(k)))
    for k in tiers:
        rates = {
            ours: per_million(raw.get(f"{theirs}_cost_per_token_above_{k}k_tokens"))
            if theirs != "cache_read_input"
            else per_million(raw.get(f"cache_read_input_token_cost_above_{k}k_tokens"))
            for theirs, ours in LONG_FIELDS.items()
        }
        if rates["long_input"] is not None:
            return {"long_context_threshold": float(k * 1000), **rates}
    return {}


def parse_row(raw: dict) -> RegistryRow:
    prices = {ours: per_million(raw.get(theirs)) for theirs, ours in PRICE_FIELDS.items()}
    billing = {ours: per_million(raw.get(theirs)) for theirs, ours in BILLING_FIELDS.items()}
    return RegistryRow(
        **prices,
        **billing,
        **long_context(raw),
        regional_uplift=_multiplier(raw.get(REGIONAL_UPLIFT)),
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
