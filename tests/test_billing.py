"""Issue 21 item 2: bills priced as vendors bill them. Each rule checked against dollars computed
by hand from the catalog's published rates; a chosen option the catalog does not price is refused
with a sentence naming the input and the model; the defaults change nothing."""

from __future__ import annotations

import math

import pytest

from pricing.model.breakeven import evaluate, evaluate_table
from pricing.model.scenario import ScenarioError, make_scenario
from pricing.prices.snapshot import build_entry
from pricing.prices.sources.litellm import parse_row
from pricing.prices.store import bundled_catalog
from tests.officejs import call


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


def scenario(**changes):
    base = {
        "queries_per_day": 1000,
        "input_tokens": 2000,
        "output_tokens": 300,
        "frontier_model": "claude-sonnet-4-6",
        "ft_model": "gpt-4.1-mini",
        "training_tokens": 1_000_000,
    }
    return {**base, **changes}


def per_query(catalog, **changes) -> float:
    return evaluate(scenario(**changes), catalog).frontier_cost_per_query


def test_the_catalog_carries_the_vendors_billing_rates(catalog):
    sonnet = catalog.get("claude-sonnet-4-6")  # platform.claude.com pricing: 5m 3.75, 1h 6
    assert (sonnet.cache_write_5m, sonnet.cache_write_1h, sonnet.regional_uplift) == (3.75, 6.0, 1.1)
    assert "inference_geo" in sonnet.field_sources["regional_uplift"].source
    pro = catalog.get("gemini-2.5-pro")
    assert (pro.long_context_threshold, pro.long_input, pro.long_output) == (200_000, 2.5, 15.0)
    gpt5 = catalog.get("gpt-5")
    assert (gpt5.flex_input, gpt5.flex_output, gpt5.priority_input, gpt5.priority_output) == (
        0.625,
        5.0,
        2.5,
        20.0,
    )
    assert catalog.get("gpt-5.4-mini").regional_uplift == 1.1
    assert catalog.get("gpt-4.1").regional_uplift is None  # released before 2026-03-05: no uplift


def test_cache_writes_at_the_rate_of_the_chosen_time_to_live(catalog):
    # 2,000 prompt tokens: 50% plain at $3, 20% read from cache at $0.30, 30% written at the
    # 1-hour write rate $6 (5-minute: $3.75); 300 completion tokens at $15. Per 1M tokens.
    one_hour = (2000 * (0.5 * 3 + 0.2 * 0.3 + 0.3 * 6) + 300 * 15) / 1e6
    five_min = (2000 * (0.5 * 3 + 0.2 * 0.3 + 0.3 * 3.75) + 300 * 15) / 1e6
    assert one_hour == pytest.approx(0.01122, rel=1e-12)
    got = per_query(catalog, cached_share=0.2, cache_write_share=0.3, cache_ttl_minutes=60)
    assert got == pytest.approx(one_hour, rel=1e-12)
    got = per_query(catalog, cached_share=0.2, cache_write_share=0.3, cache_ttl_minutes=5)
    assert got == pytest.approx(five_min, rel=1e-12)
    # the Batch API halves Anthropic's writes too (batch input 1.5 / 3): half the queries batched
    batched = per_query(
        catalog, cached_share=0.2, cache_write_share=0.3, cache_ttl_minutes=60, batch_share=0.5
    )
    assert batched == pytest.approx(0.5 * one_hour + 0.5 * one_hour * 0.5, rel=1e-12)


def test_a_long_prompt_bills_the_whole_query_at_the_long_context_rates(catalog):
    # gemini-2.5-pro: $1.25 / $10 up to 200K prompt tokens, $2.50 / $15 above (Vertex pricing)
    long = per_query(catalog, frontier_model="gemini-2.5-pro", input_tokens=250_000, output_tokens=1000)
    assert long == pytest.approx((250_000 * 2.5 + 1000 * 15) / 1e6, rel=1e-12)  # $0.64
    at = per_query(catalog, frontier_model="gemini-2.5-pro", input_tokens=200_000, output_tokens=1000)
    assert at == pytest.approx((200_000 * 1.25 + 1000 * 10) / 1e6, rel=1e-12)  # "above" 200K only
    cached = per_query(
        catalog, frontier_model="gemini-2.5-pro", input_tokens=250_000, output_tokens=1000, cached_share=0.4
    )
    assert cached == pytest.approx((250_000 * (0.6 * 2.5 + 0.4 * 0.25) + 1000 * 15) / 1e6, rel=1e-12)


def test_flex_and_priority_tiers_and_batch_queries_keep_batch_rates(catalog):
    # gpt-5: flex $0.625 in / $0.0625 cached / $5 out; priority $2.50 / $0.25 / $20
    kw = {"frontier_model": "gpt-5", "input_tokens": 10_000, "output_tokens": 1000, "cached_share": 0.5}
    flex = per_query(catalog, service_tier="flex", **kw)
    assert flex == pytest.approx((10_000 * (0.5 * 0.625 + 0.5 * 0.0625) + 1000 * 5) / 1e6, rel=1e-12)
    priority = per_query(catalog, service_tier="priority", **kw)
    assert priority == pytest.approx((10_000 * (0.5 * 2.5 + 0.5 * 0.25) + 1000 * 20) / 1e6, rel=1e-12)
    # queries sent through the Batch API pay batch rates whatever the tier of the others
    all_batch = per_query(catalog, service_tier="priority", batch_share=1, **kw)
    assert all_batch == pytest.approx(per_query(catalog, batch_share=1, **kw), rel=1e-12)


def test_regional_processing_adds_the_vendors_uplift(catalog):
    # OpenAI: +10% on data-residency endpoints for models released from 2026-03-05
    got = per_query(
        catalog,
        frontier_model="gpt-5.4-mini",
        input_tokens=1000,
        output_tokens=500,
        data_residency="regional",
    )
    assert got == pytest.approx((1000 * 0.75 + 500 * 4.5) / 1e6 * 1.1, rel=1e-12)  # $0.0033
    # Anthropic: inference_geo "us" at 1.1x, on cache writes as on every other rate
    got = per_query(catalog, cache_write_share=0.5, data_residency="regional")
    assert got == pytest.approx((2000 * (0.5 * 3 + 0.5 * 3.75) + 300 * 15) / 1e6 * 1.1, rel=1e-12)


def test_the_baseline_model_is_billed_with_the_same_options(catalog):
    r = evaluate(scenario(baseline_model="gpt-5.4-mini", data_residency="regional"), catalog)
    assert r.baseline_cost_per_query == pytest.approx((2000 * 0.75 + 300 * 4.5) / 1e6 * 1.1, rel=1e-12)


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"service_tier": "flex"}, ["service_tier", "claude-sonnet-4-6", "no flex rate", "'flex'"]),
        (
            {"frontier_model": "gpt-4.1", "cache_write_share": 0.2},
            ["cache_write_share", "gpt-4.1", "5-minute"],
        ),
        (
            {"frontier_model": "gpt-4.1", "data_residency": "regional"},
            ["data_residency", "gpt-4.1", "uplift"],
        ),
        (
            {"frontier_model": "gpt-5.4-mini", "baseline_model": "gpt-4.1", "service_tier": "flex"},
            ["service_tier", "gpt-4.1 (baseline_model)", "no flex rate"],
        ),
        ({"cache_ttl_minutes": 30}, ["cache_ttl_minutes", "one of 5, 60", "30"]),
        ({"cached_share": 0.8, "cache_write_share": 0.3}, ["cache_write_share", "1 - cached_share", "0.3"]),
        ({"service_tier": "fast"}, ["service_tier", "standard, flex, priority", "'fast'"]),
    ],
)
def test_an_option_the_catalog_does_not_price_is_refused_naming_input_and_model(catalog, changes, words):
    with pytest.raises(ScenarioError) as exc:
        evaluate(scenario(**changes), catalog)
    assert all(w in str(exc.value) for w in words), str(exc.value)
    # the table path fails that row only, with the same sentence
    table = evaluate_table(
        {k: [v, v] for k, v in scenario(**changes).items()} | {"name": ["bad", "bad"]}, catalog
    )
    assert str(table.errors[0]) == str(exc.value)


def test_cache_writes_are_priced_for_the_standard_tier_only(catalog):
    # a catalog where Sonnet also had a flex tier: its cache-write rates are the standard tier's
    sonnet = catalog.get("claude-sonnet-4-6").model_copy(update={"flex_input": 1.5, "flex_output": 7.5})
    edited = catalog.model_copy(
        update={"models": [sonnet if m.id == sonnet.id else m for m in catalog.models]}
    )
    edited.__dict__.pop("_by_key", None)
    assert per_query(edited, service_tier="flex") == pytest.approx((2000 * 1.5 + 300 * 7.5) / 1e6, rel=1e-12)
    with pytest.raises(ScenarioError) as exc:
        evaluate(scenario(service_tier="flex", cache_write_share=0.1), edited)
    assert "cache_write_share" in str(exc.value) and "service_tier flex" in str(exc.value)


def test_the_defaults_are_a_plain_api_call(catalog):
    plain = evaluate(scenario(cached_share=0.3, batch_share=0.4), catalog)
    spelled = evaluate(
        scenario(
            cached_share=0.3,
            batch_share=0.4,
            cache_write_share=0,
            cache_ttl_minutes=5,
            service_tier="standard",
            data_residency="global",
        ),
        catalog,
    )
    assert spelled == plain  # exactly: not one figure moves


def test_a_table_mixing_options_gives_each_row_what_evaluate_gives_it(catalog):
    rows = [
        scenario(),
        scenario(frontier_model="gpt-5", service_tier="flex", cached_share=0.2),
        scenario(cache_write_share=0.4, cache_ttl_minutes=60, data_residency="regional"),
        scenario(frontier_model="gemini-2.5-pro", input_tokens=300_000),
        scenario(frontier_model="gpt-4.1", service_tier="flex"),  # refused: no flex rate
    ]
    fields = sorted({k for r in rows for k in r})
    table = evaluate_table({f: [r.get(f) for r in rows] for f in fields}, catalog)
    for i, r in enumerate(rows[:4]):
        assert table.errors[i] is None
        assert table.value("frontier_cost_per_query", i) == evaluate(r, catalog).frontier_cost_per_query
        assert table.value("npv", i) == pytest.approx(evaluate(r, catalog).npv, rel=1e-12)
    assert "service_tier" in str(table.errors[4])


def test_ft_functions_take_the_options_in_a_block_and_a_table(catalog):
    blk = [[k, v] for k, v in scenario(cache_write_share=0.3, cache_ttl_minutes=60, cached_share=0.2).items()]
    assert call("ft_scenario", blk, "frontier_cost_per_query") == [[pytest.approx(0.01122, rel=1e-12)]]
    head = [
        "queries_per_day",
        "input_tokens",
        "output_tokens",
        "frontier_model",
        "ft_model",
        "training_tokens",
    ]
    row = [1000, 1000, 500, "gpt-5.4-mini", "gpt-4.1-mini", 1e6]
    got = call(
        "ft_scenarios",
        [[*head, "data_residency"], [*row, ""], [*row, "regional"]],
        "frontier_cost_per_query",
    )
    assert got == [[pytest.approx(0.003, rel=1e-12)], [pytest.approx(0.0033, rel=1e-12)]]


def test_the_registry_parser_reads_tiers_writes_and_uplift():
    raw = {
        "input_cost_per_token": 1e-6,
        "output_cost_per_token": 4e-6,
        "cache_creation_input_token_cost": 1.25e-6,
        "cache_creation_input_token_cost_above_1hr": 2e-6,
        "input_cost_per_token_above_128k_tokens": 2e-6,
        "output_cost_per_token_above_128k_tokens": 6e-6,
        "input_cost_per_token_flex": 5e-7,
        "output_cost_per_token_priority": 8e-6,
        "regional_processing_uplift_multiplier_us": 1.1,
    }
    row = parse_row(raw)
    assert (row.cache_write_5m, row.cache_write_1h) == (1.25, 2.0)
    assert (row.long_context_threshold, row.long_input, row.long_output, row.long_cached_input) == (
        128_000,
        2.0,
        6.0,
        None,
    )
    assert (row.flex_input, row.priority_output, row.regional_uplift) == (0.5, 8.0, 1.1)
    assert parse_row({**raw, "regional_processing_uplift_multiplier_us": "1.1"}).regional_uplift is None
    # a curated value fills what the registry lacks, and never overrides what it publishes
    model = {
        "id": "m",
        "vendor": "V",
        "display_name": "M",
        "registry_key": "m",
        "billing": {"regional_uplift": 1.2},
    }
    entry = build_entry(
        {**model},
        {"m": parse_row({**raw, "regional_processing_uplift_multiplier_us": None})},
        None,
        None,
        "s",
    )
    assert entry.regional_uplift == 1.2
    assert build_entry(model, {"m": row}, None, None, "s").regional_uplift == 1.1


def test_scenario_files_take_the_options():
    s = make_scenario(scenario(service_tier="priority", data_residency="regional"))
    assert (s.service_tier, s.data_residency, s.cache_ttl_minutes, s.cache_write_share) == (
        "priority",
        "regional",
        5,
        0,
    )
    assert not math.isnan(s.cache_write_share)
