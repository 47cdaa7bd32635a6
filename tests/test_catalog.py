"""The bundled catalog and the snapshot merge that produces it."""

import json
from datetime import date

import pytest

from pricing.prices.catalog import DATE_FIELDS, RATE_FIELDS, UnknownModelError
from pricing.prices.snapshot import build_catalog, load_data, registry_source
from pricing.prices.sources.litellm import parse_registry
from pricing.prices.store import bundled_catalog
from tests.helpers import REAL_REGISTRY

# Every model the seed's pricing-provenance table names, by catalog id.
SEED_MODELS = {
    "claude-sonnet-4-6", "claude-sonnet-4-5", "claude-haiku-4-5",
    "gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.4-pro", "gpt-5.2", "gpt-5", "gpt-5.5-pro",
    "gpt-5.2-pro", "gpt-5.1", "gpt-5-pro", "gpt-5-nano",
    "gemini-3-flash", "gemini-3.1-flash-lite", "gemini-2.5-pro", "gemini-2.5-flash",
    "gemini-2.5-flash-lite", "gemini-2.0-flash", "gemini-2.0-flash-lite",
    "grok-4",
}  # fmt: skip
OPENAI_FT = ("gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini", "o4-mini")


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


def test_bundled_catalog_has_every_seed_model_and_vendor(catalog):
    assert SEED_MODELS <= set(catalog.ids())
    assert {m.vendor for m in catalog.models} == {
        "Anthropic", "OpenAI", "Google", "xAI", "Azure OpenAI", "Mistral", "Fireworks",
        "Amazon Bedrock", "Together AI",
    }  # fmt: skip
    assert catalog.as_of == date(2026, 11, 28)
    assert "litellm 1.110.2" in catalog.source
    for m in catalog.models:
        assert m.input is not None and m.output is not None, m.id
        assert m.inference_source and m.inference_verified == date(2026, 11, 28)


def test_every_flagged_field_has_a_value_and_a_rule(catalog):
    for m in catalog.models:
        for field, note in m.field_status.items():
            assert field in RATE_FIELDS + DATE_FIELDS, (m.id, field)
            # a rate nobody publishes may be absent, but then it says why (Gemini 3.1 Flash-Lite tuning)
            assert getattr(m, field) is not None or note.status == "unverified", (m.id, field)
            assert note.rule.strip(), (m.id, field)


def test_openai_fine_tuning_dates_and_rates(catalog):
    for model_id in OPENAI_FT:
        m = catalog.get(model_id)
        assert m.fine_tunable and m.vendor == "OpenAI"
        assert m.jobs_available_until == date(2027, 1, 6)
    assert catalog.get("gpt-4.1-nano").shutdown_date == date(2026, 10, 23)
    assert catalog.get("o4-mini").shutdown_date == date(2026, 10, 23)
    for model_id in ("gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini"):
        m = catalog.get(model_id)
        assert m.shutdown_date == date(2027, 1, 14)
        # confirmed by OpenAI's 2026-10-14 deprecation notice (FT_PRICES_2026-12 S2, S4)
        assert m.status_of("shutdown_date") == "published"
        assert "deprecations" in m.field_sources["shutdown_date"].source
    o4 = catalog.get("o4-mini")
    assert o4.training_per_hour == 100 and o4.training_per_1m is None
    gpt4o = catalog.get("gpt-4o")
    assert (gpt4o.training_per_1m, gpt4o.ft_input, gpt4o.ft_cached_input) == (25, 3.75, 1.875)
    assert (gpt4o.ft_batch_input, gpt4o.ft_batch_output) == (2.225, 12.5)  # not 50%
    assert catalog.get("gpt-4.1-nano").training_per_1m == 1.5


def test_curated_openai_ft_rates_agree_with_the_registry(catalog):
    curated = load_data("fine_tuning.json")["models"]
    for model_id in OPENAI_FT:
        m = catalog.get(model_id)
        for field in ("ft_input", "ft_output", "ft_cached_input", "ft_batch_input"):
            assert curated[model_id][field] == getattr(m, field), (model_id, field)


def test_seed_inference_rules(catalog):
    pro = catalog.get("gpt-5.4-pro")
    assert pro.cached_input == 3.0
    assert pro.field_status["cached_input"].rule == "cached = 10% of input"
    flash = catalog.get("gemini-2.0-flash")
    assert flash.cached_input == 0.0375
    assert flash.field_status["cached_input"].rule == "cached = 25% of input"
    assert catalog.get("gemini-2.0-flash-lite").field_status["cached_input"].rule.startswith("cached = 10%")
    grok = catalog.get("grok-4")
    assert grok.cached_input == 0.75 and grok.status_of("input") == "published"
    assert "genai-prices" in grok.field_sources["input"].source  # S23
    # published by the registry: no note
    assert catalog.get("claude-sonnet-4-6").status_of("cached_input") == "published"


def test_other_vendors_fine_tuning(catalog):
    azure = catalog.get("azure-gpt-4.1-mini")
    assert azure.hosting_per_hour == 1.70 and azure.status_of("training_per_1m") == "published"
    assert "prices.azure.com" in azure.field_sources["training_per_1m"].source  # S7, Global rate
    assert round(azure.monthly_fixed_cost(), 2) == 1241.0
    assert catalog.get("gemini-2.5-pro").training_per_1m == 25
    assert catalog.get("gemini-2.5-flash-lite").training_per_1m == 1.5
    gem = catalog.get("gemini-2.5-flash")
    assert gem.ft_input == gem.input and gem.status_of("ft_input") == "inferred"
    mistral = catalog.get("mistral-small")
    assert (mistral.min_job_charge, mistral.storage_per_month) == (4, 2)
    fw = catalog.get("fireworks_ai/accounts/fireworks/models/mistral-7b")
    assert fw.id == "fireworks-mistral-7b" and fw.training_per_1m == 0.5
    # LoRA models run only on dedicated GPUs (S14): no token rate, GPU hours instead
    assert fw.hosting_per_month is None and fw.serving_gpu == "fireworks-h100"
    assert (fw.ft_input, fw.ft_output) == (0, 0) and fw.status_of("ft_input") == "published"
    assert catalog.get("amazon.nova-micro-v1:0").id == "nova-micro"
    assert [catalog.get(i).training_per_1m for i in ("nova-micro", "nova-lite", "nova-pro")] == [
        1.0, 2.0, 8.0,
    ]  # fmt: skip
    assert catalog.get("nova-pro").storage_per_month == 1.95
    assert catalog.get("bedrock-claude-3-haiku").status_of("training_per_1m") == "unverified"


def test_lookup_by_alias_registry_key_and_real_fine_tuned_id(catalog):
    assert catalog.get("gpt-4.1-mini-2025-04-14").id == "gpt-4.1-mini"
    assert catalog.get("GPT-4.1-MINI").id == "gpt-4.1-mini"
    assert catalog.get("ft:gpt-4o-2024-08-06:org::job").id == "gpt-4o"
    assert catalog.get("ft:gpt-4.1-mini-2025-04-14:acme:legal:abc123").id == "gpt-4.1-mini"
    assert catalog.get("gemini-3-flash-preview").id == "gemini-3-flash"
    assert "ft:gpt-4o-mini-2024-07-18:org::x" in catalog


def test_unknown_id_lists_close_ids(catalog):
    with pytest.raises(UnknownModelError) as err:
        catalog.get("gpt-4o-minni")
    assert "gpt-4o-mini" in err.value.suggestions
    assert "gpt-4o-mini" in str(err.value)


def test_curated_file_only_names_known_models():
    ids = {m["id"] for m in load_data("models.json")["models"]}
    assert set(load_data("fine_tuning.json")["models"]) <= ids


def registry_fixture() -> dict:
    return {
        "base-a": {"input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06,
                   "deprecation_date": "2027-03-01"},
        "base-b": {"input_cost_per_token": 2e-06, "output_cost_per_token": 8e-06,
                   "cache_read_input_token_cost": 5e-07, "input_cost_per_token_batches": 1e-06,
                   "output_cost_per_token_batches": 4e-06},
        "ft:base-b": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.2e-05},
    }  # fmt: skip


def test_build_catalog_merge_rules():
    models = [
        {"id": "a", "vendor": "V", "display_name": "A", "registry_key": "base-a"},
        {"id": "b", "vendor": "V", "display_name": "B", "registry_key": "base-b",
         "ft_registry_key": "ft:base-b", "cached_ratio": 0.25},
        {"id": "c", "vendor": "V", "display_name": "C", "registry_key": None,
         "fallback": {"input": 1.0, "output": 2.0, "source": "vendor page", "reason": "absent"}},
    ]  # fmt: skip
    curated = {"as_of": "2026-11-01", "models": {
        "a": {"training_per_1m": 5, "field_status": {
            "training_per_1m": {"status": "unverified", "rule": "third party"}}},
        "b": {"training_per_1m": 9, "jobs_available_until": "2027-01-06"},
    }}  # fmt: skip
    cat = build_catalog(parse_registry(registry_fixture()), curated, date(2026, 11, 28), "src",
                        models)  # fmt: skip
    a, b, c = cat.get("a"), cat.get("b"), cat.get("c")
    assert cat.fine_tuning_as_of == date(2026, 11, 1)
    assert (a.cached_input, a.batch_input, a.batch_output) == (0.1, 0.5, 2.0)
    assert a.field_status["batch_output"].rule == "batch output = 50% of output"
    assert (a.ft_input, a.ft_cached_input) == (1.0, 0.1)
    assert a.field_status["ft_input"].rule == "tuned model billed at base rates"
    assert "cached = 10% of input" in a.field_status["ft_cached_input"].rule
    assert a.shutdown_date == date(2027, 3, 1) and a.status_of("shutdown_date") == "inferred"
    assert a.status_of("training_per_1m") == "unverified"
    assert b.cached_input == 0.5 and b.status_of("cached_input") == "published"
    assert (b.ft_input, b.ft_output) == (3.0, 12.0)
    assert b.ft_cached_input == 0.75 and b.field_status["ft_cached_input"].rule.startswith("cached = 25%")
    assert b.jobs_available_until == date(2027, 1, 6) and b.shutdown_date is None
    assert c.input == 1.0 and c.status_of("input") == "unverified"
    assert c.inference_source == "vendor page" and not c.fine_tunable and c.ft_input is None


@pytest.mark.skipif(not REAL_REGISTRY.exists(), reason="litellm 1.110.2 registry copy not present")
def test_bundled_snapshot_is_reproducible():
    rows = parse_registry(json.loads(REAL_REGISTRY.read_text(encoding="utf-8")))
    rebuilt = build_catalog(rows, load_data("fine_tuning.json"), date(2026, 11, 28),
                            registry_source("1.110.2"))  # fmt: skip
    assert rebuilt.model_dump() == bundled_catalog().model_dump()


# --- the market as it is (research/FT_PRICES_2026-12.md, S1..S25) ---------------------------

RETIRED = {
    "gemini-2.5-pro": date(2026, 10, 20), "gemini-2.5-flash": date(2026, 10, 20),
    "gemini-2.5-flash-lite": date(2026, 10, 20), "gemini-2.0-flash": date(2026, 6, 1),
    "bedrock-claude-3-haiku": date(2026, 9, 10), "gpt-4.1-nano": date(2026, 10, 23),
    "o4-mini": date(2026, 10, 23),
}  # fmt: skip


def test_unverified_fields_fell_from_57_and_each_says_why(catalog):
    from pricing.prices.verification import unverified_fields

    found = unverified_fields(catalog)
    assert len(found) == 27  # 57 on main 687ce71; 20 verified, 12 corrected, 2 added with a reason
    assert all(len(u.reason) > 30 for u in found)
    assert {(u.model, u.field) for u in found} >= {
        ("azure-gpt-4o-mini", "training_per_1m"), ("gemini-3.1-flash-lite", "training_per_1m"),
        ("together-llama-3.1-8b", "training_per_1m"), ("nova-pro", "ft_batch_input"),
    }  # fmt: skip


def test_corrected_and_confirmed_facts_carry_their_source(catalog):
    def sourced(model_id, field, snippet):
        m = catalog.get(model_id)
        assert m.status_of(field) == "published", (model_id, field)
        src = m.field_sources[field].source if field in m.field_sources else m.fine_tuning_source
        assert snippet in src, (model_id, field, src)
        return getattr(m, field)

    assert sourced("fireworks-mistral-7b", "training_per_1m", "fireworks.ai/pricing") == 0.5  # S13
    assert sourced("fireworks-llama-3.1-8b", "ft_output", "deploying-loras") == 0  # S14
    for nova in ("nova-micro", "nova-lite", "nova-pro"):
        m = catalog.get(nova)
        assert sourced(nova, "ft_input", "customize-amazon-nova") == m.input  # S17: base rates
        assert sourced(nova, "storage_per_month", "Customization-Storage") == 1.95  # S18
    haiku = catalog.get("bedrock-claude-3-haiku")
    assert (sourced("bedrock-claude-3-haiku", "input", "S21"), haiku.output) == (0.25, 1.25)
    assert haiku.cached_input == haiku.input  # Bedrock lists no caching for it (S21)
    assert sourced("grok-4", "output", "S23") == 15
    # mistral-small maps Mistral Small 4 (mistral-small-latest), no longer the stale 0.10/0.30 row
    mistral = catalog.get("mistral-small")
    assert (mistral.input, mistral.output) == (0.15, 0.6) and mistral.fine_tuning_state == "deprecated"
    assert sourced("mistral-small", "min_job_charge", "docs.mistral.ai") == 4


def test_open_offerings_added(catalog):
    nova2 = catalog.get("nova-2-lite")
    assert (nova2.training_per_1m, nova2.storage_per_month, nova2.ft_input, nova2.ft_output) == (
        3.78, 1.95, 0.30, 2.50,
    )  # fmt: skip
    assert "Nova2.0Lite-Customization-Training" in nova2.fine_tuning_source  # S18
    flash = catalog.get("gemini-3.1-flash-lite")
    assert flash.fine_tunable and flash.fine_tuning_state == "preview" and flash.training_per_1m is None
    assert "no tuning price" in flash.field_status["training_per_1m"].rule
    together = catalog.get("together-llama-3.1-8b")
    assert together.training_per_1m == 0.48 and "$0.48-$1.35" in together.field_status["training_per_1m"].rule
    assert catalog.vendors["Cohere"].fine_tuning_state == "deprecated"  # S24
    assert {(g.id, g.per_hour) for g in catalog.gpus} >= {
        ("fireworks-h100", 8.0), ("fireworks-h200", 8.0), ("fireworks-b200", 13.0),
    }  # fmt: skip


def test_retired_models_are_marked_with_their_date(catalog):
    today = date(2026, 12, 1)
    for model_id, day in RETIRED.items():
        m = catalog.get(model_id)
        assert m.retired_date == day and m.fine_tuning_state == "retired", model_id
        assert not m.offered_for_fine_tuning(today) and m.retired_by(today)
        assert m.offered_for_fine_tuning(date(2026, 5, 1)) == (day > date(2026, 5, 1))
    offered = {m.id for m in catalog.models if m.offered_for_fine_tuning(today)}
    assert offered.isdisjoint(RETIRED) and {"nova-2-lite", "fireworks-mistral-7b"} <= offered


def test_vendor_checks(catalog):
    from pricing.prices.verification import summary, vendor_checks

    checks = {c.vendor: c for c in vendor_checks(catalog)}
    assert summary(list(checks.values())) == "4 of 9 vendors verified"
    fw = checks["Fireworks"]
    assert fw.verified and fw.checked == date(2026, 12, 1) and "docs.fireworks.ai" in fw.checked_source
    assert checks["Amazon Bedrock"].unverified == 12 and checks["Amazon Bedrock"].retired == 1
    assert checks["Cohere"].models == 0 and checks["Cohere"].fine_tuning_state == "deprecated"
