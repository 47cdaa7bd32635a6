"""Every preset against the seed page's own figures (within 10%) and its verdicts."""

import pytest

from pricing.model.breakeven import evaluate
from pricing.model.presets import preset, presets
from pricing.prices.store import bundled_catalog

TOLERANCE = 0.10


def _within(ours, seed):
    return abs(ours - seed) <= TOLERANCE * abs(seed)


@pytest.mark.parametrize("p", presets(), ids=lambda p: p.id)
def test_preset_reproduces_the_seed_figures(p):
    r = evaluate(p.scenario, bundled_catalog())
    checked = 0
    for field, seed_value in p.seed.items():
        if field == "cost_ratio":
            ours = r.frontier_cost_per_query / r.ft_cost_per_query
        elif field in ("verdict", "mode"):
            assert getattr(r, field) == seed_value, f"{p.id}: {field}"
            checked += 1
            continue
        else:
            ours = getattr(r, field)
        assert ours is not None and _within(ours, seed_value), f"{p.id}: {field} {ours} vs seed {seed_value}"
        checked += 1
    # a seed figure the market contradicts counts only while it really is off (and says why)
    for field, seed_value in p.seed_contradicted.items():
        if field == "cost_ratio":
            ft_all_in = r.ft_cost_per_query + r.fixed_cost_month / (p.scenario.queries_per_day * 30)
            assert not _within(r.frontier_cost_per_query / ft_all_in, seed_value), p.id
            assert p.seed_contradicted["why"], p.id
            checked += 1
    assert checked >= 2


def test_the_three_team_sizes_get_the_seed_verdicts():
    assert evaluate(preset("small-team").scenario, bundled_catalog()).verdict == "Don't fine-tune"
    assert evaluate(preset("faisal").scenario, bundled_catalog()).verdict == "Strong yes"
    assert evaluate(preset("enterprise").scenario, bundled_catalog()).verdict == "Mandatory"


def test_presets_use_real_catalog_models():
    from pricing.prices.store import bundled_catalog

    catalog = bundled_catalog()
    for p in presets():
        assert p.scenario.frontier_model in catalog and p.scenario.ft_model in catalog
        assert catalog.get(p.scenario.ft_model).fine_tunable


def test_preset_lookup_by_name_prefix_and_unknown():
    assert preset("Faisal's legal contract analyzer").id == "faisal"
    assert preset("enterp").id == "enterprise"
    with pytest.raises(KeyError, match="known presets"):
        preset("nonsense")


def test_voice_intent_pays_the_dedicated_gpu_the_seed_left_out():
    """Fireworks serves LoRA models only on dedicated GPUs (FT_PRICES_2026-12 S14): the seed's
    '15x cheaper per query' does not survive one H100 always on ($8/h x 730 h = $5,840/month)."""
    p = preset("voice-intent")
    assert p.seed_contradicted["cost_ratio"] == 15 and "S14" in p.seed_contradicted["why"]
    r = evaluate(p.scenario, bundled_catalog())
    assert r.ft_cost_per_query == 0 and r.fixed_cost_month == 5840.0
    ft_all_in = r.ft_cost_per_query + r.fixed_cost_month / (20000 * 30)
    assert r.frontier_cost_per_query / ft_all_in < 1  # dearer per query, not 15x cheaper
    assert r.payback_months is None and r.mode == "latency"
    assert any("1 x Fireworks H100 80GB at $8.00/h" in n for n in r.notes)
