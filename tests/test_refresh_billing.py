"""The refresh updates the billing rates (cache writes, long-context tier, service tiers, regional
uplift) through the same guards, hold-backs, changelog and lock as the plain rates (issue 21)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from pricing.prices import fetch as fetch_module
from pricing.prices import refresh_plan
from pricing.prices.catalog import BILLING_FIELDS
from pricing.prices.changelog import read_changelog
from pricing.prices.refresh import refresh
from pricing.prices.store import bundled_catalog, load_catalog, store_dir
from pricing.prices.store_lock import store_lock
from tests.test_refresh_support import encode, registry_dict, store_bytes

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
BASE = registry_dict()
OLD = bundled_catalog()


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    # genai-prices carries none of the billing rates; it is switched off so that a planted move
    # of a plain rate elsewhere cannot be what these tests see held.
    monkeypatch.setattr(refresh_plan, "CROSS_CHECK", False)
    monkeypatch.setattr(fetch_module, "RETRY_BACKOFF", 0.0)


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store"


def with_row(key: str, **fields) -> dict:
    """BASE with registry fields of one row set (None deletes the field)."""
    data = copy.deepcopy(BASE)
    for name, value in fields.items():
        if value is None:
            data[key].pop(name, None)
        else:
            data[key][name] = value
    return data


def run(server, store, data: dict, name: str, **kw):
    return refresh(server.serve(f"/{name}.json", encode(data)), store=store, now=NOW, **kw)


def changes(result) -> list[tuple]:
    return [(c.model, c.field, c.old, c.new) for c in result.applied]


def test_the_fixture_registry_carries_every_billing_rate_the_catalog_has_from_it():
    # Otherwise "nothing changed" below would prove nothing about the billing rates.
    from pricing.prices.sources.litellm import parse_registry

    rows = parse_registry(BASE)
    values = [(m, f) for m in OLD.models for f in BILLING_FIELDS if getattr(m, f) is not None]
    carried = [(m.id, f) for m, f in values if getattr(rows[m.registry_key], f) == getattr(m, f)]
    assert (len(carried), len(values)) == (116, 117)  # sonnet-4-6's uplift is curated, not LiteLLM's
    assert ("claude-sonnet-4-6", "regional_uplift") not in carried


def test_service_tier_changes_are_applied_logged_and_saved(server, store):
    data = with_row("gpt-5", input_cost_per_token_flex=0.75e-6, output_cost_per_token_priority=22e-6)
    result = run(server, store, data, "tiers")
    assert result.status == "applied", result.message
    assert changes(result) == [("gpt-5", "flex_input", 0.625, 0.75), ("gpt-5", "priority_output", 20.0, 22.0)]
    saved = load_catalog(store).get("gpt-5")
    assert (saved.flex_input, saved.priority_output, saved.flex_output) == (0.75, 22.0, 5.0)
    logged = read_changelog(store / "changelog.jsonl")
    assert [(r.model, r.field, r.old, r.new) for r in logged] == changes(result)


def test_a_ten_x_cache_write_is_held_back_until_accepted(server, store):
    data = with_row("claude-sonnet-4-6", cache_creation_input_token_cost=37.5e-6)  # a per-1K slip
    result = run(server, store, data, "cache")
    assert result.status == "unchanged" and result.applied == []
    [held] = result.held_back
    assert (held.key, held.old, held.new) == ("claude-sonnet-4-6.cache_write_5m", 3.75, 37.5)
    assert held.acceptable
    assert "10x" in held.reason
    assert load_catalog(store).get("claude-sonnet-4-6").cache_write_5m == 3.75

    accepted = run(server, store, data, "cache", accepted=["Claude-Sonnet-4-6.cache_write_5m"])
    assert [(c.field, c.new, c.note) for c in accepted.applied] == [("cache_write_5m", 37.5, "accepted")]
    assert accepted.unused_accepts == []
    assert load_catalog(store).get("claude-sonnet-4-6").cache_write_5m == 37.5


def test_a_long_context_tier_moves_with_its_threshold(server, store):
    row = {k: v for k, v in BASE["gemini-2.5-pro"].items() if "_above_200k_" not in k}
    row |= {
        "input_cost_per_token_above_272k_tokens": 3e-6,
        "output_cost_per_token_above_272k_tokens": 15e-6,
        "cache_read_input_token_cost_above_272k_tokens": 0.25e-6,
    }
    data = copy.deepcopy(BASE) | {"gemini-2.5-pro": row}
    result = run(server, store, data, "tier")
    assert changes(result) == [
        ("gemini-2.5-pro", "long_context_threshold", 200_000.0, 272_000.0),
        ("gemini-2.5-pro", "long_input", 2.5, 3.0),
    ]
    # A threshold 10x away (272k -> 2,720k) is held like any 10x move; its rates are judged alone.
    far = {k.replace("_272k_", "_2720k_"): v for k, v in row.items()}
    held = run(server, store, copy.deepcopy(BASE) | {"gemini-2.5-pro": far}, "far")
    [threshold] = held.held_back
    assert threshold.key == "gemini-2.5-pro.long_context_threshold" and threshold.acceptable
    assert "10x" in threshold.reason
    assert load_catalog(store).get("gemini-2.5-pro").long_context_threshold == 272_000.0


@pytest.mark.parametrize(("value", "applied"), [(1.2, True), (0.5, False), ("1.1", False), (True, False)])
def test_a_regional_uplift_is_applied_only_as_a_multiplier_from_1_to_10(server, store, value, applied):
    data = with_row("gpt-5.4-mini", regional_processing_uplift_multiplier_us=value)
    result = run(server, store, data, f"uplift-{value}")
    saved = load_catalog(store).get("gpt-5.4-mini").regional_uplift
    if applied:
        assert changes(result) == [("gpt-5.4-mini", "regional_uplift", 1.1, 1.2)] and saved == 1.2
        return
    assert result.applied == [] and saved == 1.1
    [held] = result.held_back
    assert held.key == "gpt-5.4-mini.regional_uplift" and not held.acceptable
    assert held.reason == "not a multiplier from 1 to 10"
    again = run(server, store, data, f"uplift-{value}", accepted=[held.key])
    assert again.applied == [] and load_catalog(store).get("gpt-5.4-mini").regional_uplift == 1.1


def test_a_billing_rate_missing_from_the_download_is_kept(server, store):
    data = with_row("gpt-5", input_cost_per_token_flex=None, cache_read_input_token_cost_priority=None)
    result = run(server, store, data, "missing")
    assert result.ok and result.applied == [] and result.held_back == []
    assert {"gpt-5.flex_input", "gpt-5.priority_cached_input"} <= set(result.kept)
    saved = load_catalog(store).get("gpt-5")
    assert (saved.flex_input, saved.priority_cached_input) == (0.625, 0.25)


def test_a_billing_change_waits_for_the_stores_lock(server, store):
    data = with_row("gpt-5", input_cost_per_token_flex=0.75e-6)
    store.mkdir()
    with store_lock(store_dir(store)):
        busy = run(server, store, data, "busy")
    assert busy.status == "busy" and store_bytes(store)["catalog.json"] is None
    assert run(server, store, data, "busy").status == "applied"
    assert load_catalog(store).get("gpt-5").flex_input == 0.75
