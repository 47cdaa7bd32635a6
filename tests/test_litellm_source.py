"""The LiteLLM registry parser: prices per 1M tokens, aliases expanded, junk tolerated."""

import json
import math
from datetime import date

import pytest

from pricing.prices.sources.litellm import REGISTRY_URL, RegistryRow, parse_registry, per_million
from tests.helpers import REAL_REGISTRY


def small_registry() -> dict:
    return {
        "sample_spec": {"input_cost_per_token": 0.0, "litellm_provider": "one of the providers"},
        "fallback_generalizations": {"gpt-x": "gpt-4o"},
        "gpt-4.1-mini": {
            "litellm_provider": "openai",
            "mode": "chat",
            "input_cost_per_token": 4e-07,
            "output_cost_per_token": 1.6e-06,
            "cache_read_input_token_cost": 1e-07,
            "input_cost_per_token_batches": 2e-07,
            "output_cost_per_token_batches": 8e-07,
            "deprecation_date": "2027-01-14",
            "source": "https://developers.openai.com/api/docs/pricing",
        },
        "noisy": {"input_cost_per_token": 1.9999999999999998e-07, "output_cost_per_token": 7e-07},
        "junk": {
            "input_cost_per_token": "0.000001",
            "output_cost_per_token": -1e-06,
            "cache_read_input_token_cost": math.nan,
            "input_cost_per_token_batches": True,
            "output_cost_per_token_batches": None,
            "deprecation_date": "soon",
            "source": 42,
        },
        "alias": {"alias_of": "gpt-4.1-mini"},
        "alias-of-alias": {"alias_of": "alias", "litellm_provider": "azure"},
        "dangling": {"alias_of": "no-such-model"},
        "loop-a": {"alias_of": "loop-b"},
        "loop-b": {"alias_of": "loop-a"},
        "not-a-row": "text",
        "list-row": [1, 2],
    }


def test_non_model_keys_and_non_dict_rows_are_skipped():
    rows = parse_registry(small_registry())
    for key in ("sample_spec", "fallback_generalizations", "not-a-row", "list-row"):
        assert key not in rows
    assert parse_registry([]) == {}  # type: ignore[arg-type]


def test_prices_per_million_with_metadata():
    row = parse_registry(small_registry())["gpt-4.1-mini"]
    assert row == RegistryRow(
        input=0.4,
        output=1.6,
        cached_input=0.1,
        batch_input=0.2,
        batch_output=0.8,
        litellm_provider="openai",
        mode="chat",
        deprecation_date=date(2027, 1, 14),
        source="https://developers.openai.com/api/docs/pricing",
    )


def test_float_noise_is_rounded_away():
    row = parse_registry(small_registry())["noisy"]
    assert row.input == 0.2 and repr(row.input) == "0.2"
    assert repr(row.output) == "0.7"
    assert repr(per_million(2e-07)) == "0.2"  # 2e-07 * 1e6 == 0.19999999999999998


def test_junk_values_become_none_without_raising():
    row = parse_registry(small_registry())["junk"]
    assert row.input is None  # string
    assert row.output is None  # negative
    assert row.cached_input is None  # NaN
    assert row.batch_input is None  # bool is not a price
    assert row.batch_output is None
    assert row.deprecation_date is None and row.source is None
    assert per_million(math.inf) is None and per_million(0) == 0.0


def test_alias_rows_copy_their_target_prices():
    rows = parse_registry(small_registry())
    assert rows["alias"].input == 0.4 and rows["alias"].batch_output == 0.8
    chained = rows["alias-of-alias"]
    assert chained.output == 1.6
    assert chained.litellm_provider == "azure"  # the alias's own provider is kept
    for key in ("dangling", "loop-a", "loop-b"):
        assert key not in rows


def test_registry_url():
    assert REGISTRY_URL.startswith("https://raw.githubusercontent.com/BerriAI/litellm/main/")
    assert REGISTRY_URL.endswith("model_prices_and_context_window.json")


@pytest.mark.skipif(not REAL_REGISTRY.exists(), reason="litellm 1.110.2 registry copy not present")
def test_real_registry_parses():
    data = json.loads(REAL_REGISTRY.read_text(encoding="utf-8"))
    rows = parse_registry(data)
    assert len(rows) > 4000
    assert "sample_spec" not in rows and "fallback_generalizations" not in rows
    aliases = [k for k, v in data.items() if isinstance(v, dict) and "alias_of" in v]
    assert sum(k in rows for k in aliases) > 0.9 * len(aliases)
    assert rows["ft:gpt-4o-2024-08-06"].batch_input == 2.225
    assert rows["gpt-5.4-mini"].input == 0.75 and rows["gpt-5.4-mini"].output == 4.5
