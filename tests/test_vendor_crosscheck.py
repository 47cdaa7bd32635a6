"""A vendor price API read is cross-checked against genai-prices like the LiteLLM refresh: a change
the second source disagrees with by more than 5% is held back until accepted (issue 21 gap)."""

from __future__ import annotations

import json

import pytest

from pricing.prices import crosscheck
from pricing.prices import fetch as fetch_module
from pricing.prices.changelog import read_changelog
from pricing.prices.refresh import report_lines
from pricing.prices.store import bundled_catalog, load_catalog
from pricing.prices.vendor_refresh import refresh_vendor
from tests.test_vendor_refresh import NOW, PAGES, TODAY, priced, serve_azure

MODEL = "azure-gpt-4.1-mini"
SKU = "gpt-4.1-mini-ft input global"  # $0.0004 per 1K today = the catalog's $0.40/1M


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(fetch_module, "RETRY_BACKOFF", 0.0)


def plant(monkeypatch, ft_input: float) -> None:
    """genai-prices made to carry a fine-tuned input rate for MODEL (it has none for it today)."""
    real = crosscheck.reference

    def reference(entry, day):
        ref = real(entry, day)
        if entry.id != MODEL:
            return ref
        rates = {**(ref.rates if ref else {}), "ft_input": ft_input}
        return crosscheck.Reference(MODEL, "azure", "gpt-4.1-mini", "ft:gpt-4.1-mini-2025-04-14", rates)

    monkeypatch.setattr(crosscheck, "reference", reference)


def test_a_vendor_change_genai_prices_disagrees_with_is_held_until_accepted(server, tmp_path, monkeypatch):
    plant(monkeypatch, 0.40)
    url = serve_azure(server, "xc-held", priced(PAGES, SKU, 0.00044))  # $0.44/1M: +10%
    store = tmp_path / "store"
    result = refresh_vendor("azure", url, store=store, now=NOW)
    assert result.ok
    [held] = [h for h in result.held_back if h.key == f"{MODEL}.ft_input"]
    assert held.acceptable and (held.old, held.new) == (0.4, pytest.approx(0.44))
    assert held.reason.startswith(
        "disagrees with genai-prices "
        f"{crosscheck.genai_prices_version()} (azure ft:gpt-4.1-mini-2025-04-14): $0.40 vs the "
        "Azure Retail Prices API: $0.44 (+10%)"
    )
    assert f"apply with --accept {MODEL}.ft_input" in "\n".join(report_lines(result))
    assert load_catalog(store).get(MODEL).ft_input == 0.4
    assert not [r for r in read_changelog(store / "changelog.jsonl") if r.field == "ft_input"]
    on_disk = json.loads((store / "held-back-azure.json").read_text())["held_back"]
    assert f"{MODEL}.ft_input" in [h["key"] for h in on_disk]
    # the rates genai-prices does not carry (training, hosting, output) moved as before
    assert load_catalog(store).get(MODEL).status_of("training_per_1m") == "published"

    accepted = refresh_vendor("azure", url, store=store, now=NOW, accepted=[f"{MODEL}.ft_input"])
    assert [(c.field, c.note) for c in accepted.applied if c.field == "ft_input"] == [
        ("ft_input", "accepted")
    ]
    assert load_catalog(store).get(MODEL).ft_input == pytest.approx(0.44)
    [record] = [r for r in read_changelog(store / "changelog.jsonl") if r.field == "ft_input"]
    assert (record.model, record.old, record.new) == (MODEL, 0.4, pytest.approx(0.44))


def test_a_vendor_change_genai_prices_agrees_with_applies(server, tmp_path, monkeypatch):
    plant(monkeypatch, 0.43)  # 0.44 is 2.3% above: within 5%
    url = serve_azure(server, "xc-agree", priced(PAGES, SKU, 0.00044))
    result = refresh_vendor("azure", url, store=tmp_path / "store", now=NOW)
    assert result.status == "applied" and result.held_back == []
    assert (MODEL, "ft_input", 0.4, pytest.approx(0.44)) in [
        (c.model, c.field, c.old, c.new) for c in result.applied
    ]


def test_an_unchanged_rate_is_not_held_whatever_genai_prices_says(server, tmp_path, monkeypatch):
    # As in the registry refresh, the check judges changes; a standing gap is shown on the
    # Pricing sheet instead (crosscheck.disagreements).
    plant(monkeypatch, 0.80)
    result = refresh_vendor("azure", serve_azure(server, "xc-same"), store=tmp_path / "store", now=NOW)
    assert result.ok and result.held_back == []
    assert load_catalog(tmp_path / "store").get(MODEL).status_of("ft_input") == "published"


def test_genai_prices_has_no_fine_tuned_rate_for_the_vendor_priced_models_today():
    """What the check can compare on today's data: genai-prices carries none of the vendor
    fields (training, hosting, storage), and these models name no fine-tuned row to match."""
    catalog = bundled_catalog()
    vendor_models = ["azure-gpt-4.1-mini", "azure-gpt-4o-mini", "nova-micro", "nova-lite", "nova-pro"]
    refs = {m: crosscheck.reference(catalog.get(m), TODAY) for m in vendor_models}
    assert all(r is not None for r in refs.values())  # covered for their base rates
    assert not [(m, f) for m, r in refs.items() for f in r.rates if f.startswith("ft_")]
