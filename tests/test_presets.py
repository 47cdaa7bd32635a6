"""Every preset against the seed page's own figures (within 10%) and its verdicts."""

import pytest

from pricing.breakeven import evaluate
from pricing.presets import preset, presets

TOLERANCE = 0.10


def _within(ours, seed):
    return abs(ours - seed) <= TOLERANCE * abs(seed)


@pytest.mark.parametrize("p", presets(), ids=lambda p: p.id)
def test_preset_reproduces_the_seed_figures(p):
    r = evaluate(p.scenario)
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
    assert checked >= 2


def test_the_three_team_sizes_get_the_seed_verdicts():
    assert evaluate(preset("small-team").scenario).verdict == "Don't fine-tune"
    assert evaluate(preset("faisal").scenario).verdict == "Strong yes"
    assert evaluate(preset("enterprise").scenario).verdict == "Mandatory"


def test_presets_use_real_catalog_models():
    from pricing.store import bundled_catalog

    catalog = bundled_catalog()
    for p in presets():
        assert p.scenario.frontier_model in catalog and p.scenario.ft_model in catalog
        assert catalog.get(p.scenario.ft_model).fine_tunable


def test_preset_lookup_by_name_prefix_and_unknown():
    assert preset("Faisal's legal contract analyzer").id == "faisal"
    assert preset("enterp").id == "enterprise"
    with pytest.raises(KeyError, match="known presets"):
        preset("nonsense")
