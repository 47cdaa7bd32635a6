"""The second price source: genai-prices' bundled data read next to the catalog (real data, no mocks).

A planted 10% disagreement is flagged (pricing, the CLI, the Pricing sheet) and an agreeing
rate passes; a refresh holds back a change genai-prices disagrees with until it is accepted;
the check never touches the network nor genai-prices' auto-updated snapshot.
"""

from __future__ import annotations

import json
import re
import socket
from datetime import UTC, date, datetime
from pathlib import Path

import genai_prices
import pytest
from genai_prices import data_snapshot

from pricing.prices import crosscheck
from pricing.prices.catalog import Catalog
from pricing.prices.changelog import read_changelog
from pricing.prices.refresh import refresh, report_lines
from pricing.prices.refresh_plan import plan_refresh
from pricing.prices.store import bundled_catalog, load_catalog, save_catalog_atomic, store_catalog_path
from tests.test_refresh_support import encode, registry_dict
from workbook.sheets import pricing as wb_pricing
from xl_addin.cli import main

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 12, 1)
# The rates genai-prices 0.2.3 disagrees with on the bundled catalog (litellm 1.110.2), as found
# on 2026-12-01; the README's "Second price source" section says the same.
KNOWN = {
    ("gemini-2.0-flash", "input"),
    ("gemini-2.0-flash", "output"),
    ("fireworks-llama-3.1-8b", "input"),
    ("fireworks-llama-3.1-8b", "output"),
    ("nova-2-lite", "input"),
    ("nova-2-lite", "output"),
    ("nova-2-lite", "cached_input"),
}


def planted(factor: float, model: str = "gpt-4o", field: str = "input") -> tuple[Catalog, float]:
    """The bundled catalog with `model`'s `field` set to genai-prices' rate x factor."""
    cat = bundled_catalog()
    theirs = crosscheck.references(cat)[model].rates[field]
    entries = [m.model_copy(update={field: theirs * factor}) if m.id == model else m for m in cat.models]
    return cat.model_copy(update={"models": entries}), theirs


def test_the_version_read_is_the_one_pinned():
    assert crosscheck.genai_prices_version() == genai_prices.__version__
    assert crosscheck.source_label() == f"genai-prices {genai_prices.__version__}"


def test_coverage_and_todays_disagreements_on_the_real_data():
    cat = bundled_catalog()
    refs = crosscheck.references(cat)
    assert len(cat.models) == 38
    assert sorted(set(m.id for m in cat.models) - set(refs)) == [
        "fireworks-mistral-7b",
        "together-llama-3.1-8b",
    ]
    found = crosscheck.disagreements(cat, refs)
    assert {(d.model, d.field) for d in found} == KNOWN
    flash = next(d for d in found if (d.model, d.field) == ("gemini-2.0-flash", "input"))
    assert (flash.theirs, flash.ours, flash.ours_source) == (0.1, 0.15, "LiteLLM 1.110.2")
    # genai-prices' own matching rules: the registry key, else an alias (Azure falls back to OpenAI)
    assert (
        refs["azure-gpt-4o-mini"].matched == "gpt-4o-mini" and refs["azure-gpt-4o-mini"].provider == "azure"
    )
    assert refs["gpt-4o"].ft_matched == "ft:gpt-4o" and refs["gpt-4o"].rates["ft_input"] == 3.75
    assert refs["gpt-4.1"].ft_matched == "" and "ft_input" not in refs["gpt-4.1"].rates


def test_readme_states_the_measured_coverage():
    cat = bundled_catalog()
    refs = crosscheck.references(cat)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    want = (
        f"{crosscheck.source_label()} covers {len(refs)} of {len(cat.models)} catalog models; "
        f"{len(crosscheck.disagreements(cat, refs))} rates disagree"
    )
    assert want in text


@pytest.mark.parametrize(("factor", "flagged"), [(1.10, True), (0.90, True), (1.04, False), (1.0, False)])
def test_a_planted_disagreement_is_flagged_and_an_agreeing_rate_passes(factor, flagged):
    cat, theirs = planted(factor)
    found = [d for d in crosscheck.disagreements(cat) if d.model == "gpt-4o"]
    assert bool(found) is flagged
    if flagged:
        (d,) = found
        assert (d.field, d.ours, d.theirs) == ("input", theirs * factor, theirs)
        assert d.text() == (
            f"genai-prices {genai_prices.__version__} (openai gpt-4o): $2.50 vs LiteLLM 1.110.2: "
            f"{crosscheck.money(theirs * factor)} ({factor - 1:+.0%})"
        )


def test_inferred_rates_are_not_compared():
    """A rate the catalog inferred by a rule (cached = 25% of input) is no source's figure."""
    cat = bundled_catalog()
    flash = cat.get("gemini-2.0-flash")
    ref = crosscheck.references(cat)["gemini-2.0-flash"]
    assert flash.status_of("cached_input") == "inferred" and "cached_input" in ref.rates
    assert "cached_input" not in crosscheck.compared(flash, ref)


def test_prices_cli_shows_both_values_and_both_sources(tmp_path, capsys):
    cat, _ = planted(1.10)
    save_catalog_atomic(cat, store_catalog_path(tmp_path))
    assert main(["prices", "--store", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("gpt-4o "))
    assert "2.75!" in row.split()
    assert (
        f"gpt-4o input: genai-prices {genai_prices.__version__} (openai gpt-4o): $2.50 vs LiteLLM 1.110.2: "
        "$2.75 (+10%)" in out
    )
    assert re.search(r"covers 36 of 38 models; 8 rates disagree by more than 5%", out)
    assert main(["prices", "gpt-4o-mini", "--store", str(tmp_path)]) == 0
    assert "covers 1 of 1 models; 0 rates disagree by more than 5%." in capsys.readouterr().out
    assert main(["prices", "--format", "json", "--store", str(tmp_path)]) == 0
    second = json.loads(capsys.readouterr().out)["second_source"]
    assert second["source"] == f"genai-prices {genai_prices.__version__}"
    gap = next(d for d in second["disagreements"] if d["model"] == "gpt-4o")
    assert (gap["field"], gap["ours"], gap["theirs"]) == ("input", pytest.approx(2.75), 2.5)


def test_pricing_sheet_row_says_both_values_and_sources():
    cat, _ = planted(1.10)
    rows = wb_pricing.pricing_rows(cat)
    col = wb_pricing.PRICING_COLUMNS.index(wb_pricing.SECOND_SOURCE)
    by_id = {r[wb_pricing.PRICING_COLUMNS.index("id")]: r[col] for r in rows}
    assert by_id["gpt-4o"] == (
        f"DISAGREES | input: genai-prices {genai_prices.__version__} (openai gpt-4o): $2.50 vs "
        "LiteLLM 1.110.2: $2.75 (+10%)"
    )
    assert by_id["gpt-4o-mini"] == f"agrees with genai-prices {genai_prices.__version__} on 7 rates"
    assert by_id["together-llama-3.1-8b"] == f"not covered by genai-prices {genai_prices.__version__}"


def test_pricing_sheet_marks_the_disagreeing_rate_red(built_template):
    """The rate cell's rule finds its own field in the check text (not 'batch_input' for 'input')."""
    from openpyxl import load_workbook

    ws = load_workbook(built_template)[wb_pricing.SHEET]
    input_col = wb_pricing.col_letter("input")
    rules = [
        r.formula[0]
        for rng in ws.conditional_formatting
        if str(rng.sqref).startswith(f"{input_col}{wb_pricing.FIRST_ROW}:")
        for r in rng.rules
    ]
    check = wb_pricing.col_letter(wb_pricing.SECOND_SOURCE)
    assert f'ISNUMBER(SEARCH("| input: ",${check}{wb_pricing.FIRST_ROW}))' in rules
    flash = next(
        r
        for r in range(wb_pricing.FIRST_ROW, wb_pricing.FIRST_ROW + 40)
        if ws[f"B{r}"].value == "gemini-2.0-flash"
    )
    text = ws[f"{check}{flash}"].value
    assert "| input: " in text and "| batch_input: " not in text


@pytest.fixture(scope="module")
def built_template(tmp_path_factory):
    out = tmp_path_factory.mktemp("xc") / "ft-breakeven-static.xlsx"
    assert main(["build", "--static", "-o", str(out)]) == 0
    return out


# ---------------------------------------------------------------- a refresh holds a disagreeing change


def _registry_with(model_key: str, field: str, factor: float) -> dict:
    data = registry_dict()
    data[model_key][field] *= factor
    return data


def test_a_refresh_holds_back_a_change_genai_prices_disagrees_with():
    cat = bundled_catalog()
    data = _registry_with("gpt-4o", "input_cost_per_token", 1.10)
    plan = plan_refresh(cat, data, source="test", today=TODAY)
    (held,) = [h for h in plan.held_back if h.key == "gpt-4o.input"]
    assert held.acceptable and held.old == 2.5 and held.new == pytest.approx(2.75)
    assert held.reason.startswith(
        f"disagrees with genai-prices {genai_prices.__version__} (openai gpt-4o): $2.50"
    )
    assert plan.catalog.get("gpt-4o").input == 2.5
    assert not [c for c in plan.applied if (c.model, c.field) == ("gpt-4o", "input")]

    accepted = plan_refresh(cat, data, source="test", today=TODAY, accepted=["gpt-4o.input"])
    assert accepted.catalog.get("gpt-4o").input == pytest.approx(2.75)
    change = next(c for c in accepted.applied if (c.model, c.field) == ("gpt-4o", "input"))
    assert change.note == "accepted" and not accepted.unused_accepts


def test_a_change_genai_prices_agrees_with_applies():
    """gemini-2.0-flash moving to genai-prices' Gemini API rate ($0.10) is applied, not held."""
    cat = bundled_catalog()
    data = registry_dict()
    data["vertex_ai/gemini-2.0-flash"]["input_cost_per_token"] = 1e-7
    plan = plan_refresh(cat, data, source="test", today=TODAY)
    assert not plan.held_back
    assert [(c.model, c.field, c.old, c.new) for c in plan.applied if c.field == "input"] == [
        ("gemini-2.0-flash", "input", 0.15, 0.1)
    ]


def test_an_uncovered_model_moves_as_before():
    cat = bundled_catalog()
    data = _registry_with("together_ai/meta-llama/Meta-Llama-3.1-8B", "input_cost_per_token", 1.10)
    plan = plan_refresh(cat, data, source="test", today=TODAY)
    assert not plan.held_back
    assert plan.catalog.get("together-llama-3.1-8b").input == pytest.approx(0.22)


def test_refresh_store_holds_then_accepts_and_the_changelog_records_it(tmp_path):
    src = tmp_path / "registry.json"
    src.write_bytes(encode(_registry_with("gpt-4o", "input_cost_per_token", 1.10)))
    store = tmp_path / "store"
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    first = refresh(str(src), store=store, now=now)
    assert first.ok and [h.key for h in first.held_back] == ["gpt-4o.input"]
    lines = "\n".join(report_lines(first))
    assert "gpt-4o.input: 2.5 -> 2.75  (disagrees with genai-prices" in lines
    assert "apply with --accept gpt-4o.input" in lines
    assert load_catalog(store).get("gpt-4o").input == 2.5
    assert not [r for r in read_changelog(store / "changelog.jsonl") if r.model == "gpt-4o"]

    second = refresh(str(src), store=store, now=now, accepted=["gpt-4o.input"])
    assert second.status == "applied" and not second.held_back
    assert load_catalog(store).get("gpt-4o").input == pytest.approx(2.75)
    (record,) = [r for r in read_changelog(store / "changelog.jsonl") if r.model == "gpt-4o"]
    assert (record.field, record.old, record.new) == ("input", 2.5, pytest.approx(2.75))


# ---------------------------------------------------------------- offline, and its own snapshot


def test_the_check_never_connects_nor_starts_genai_prices_updates(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the cross-check tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    crosscheck._snapshot.cache_clear()
    try:
        refs = crosscheck.references(bundled_catalog())
    finally:
        crosscheck._snapshot.cache_clear()
    assert len(refs) == 36
    from genai_prices import update_prices

    assert update_prices._shared_updater.ref_count == 0  # UpdatePrices never started
    assert crosscheck._snapshot().from_auto_update is False


def test_a_snapshot_set_inside_genai_prices_is_not_used():
    """Another program in the same process may set genai-prices' custom (auto-updated) snapshot:
    the check still reads the bundled data of the installed version."""
    empty = data_snapshot.DataSnapshot(providers=[], from_auto_update=True)
    data_snapshot.set_custom_snapshot(empty)
    try:
        assert len(crosscheck.references(bundled_catalog())) == 36
    finally:
        data_snapshot.set_custom_snapshot(None)


def test_genai_prices_internals_the_check_reads():
    """Canary: what pricing/prices/crosscheck.py reads of genai-prices (pinned below 0.2.4)."""
    from genai_prices.data import providers

    who = f"genai-prices {genai_prices.__version__}"
    assert {p.id for p in providers} >= set(crosscheck.PROVIDERS.values()), f"{who}: a provider id changed"
    snap = crosscheck._snapshot()
    _, model = snap.find_provider_model("gpt-4o", None, "openai", None)
    assert [v.when for v in model.price_variants if v.when == crosscheck.BATCH], f"{who}: no batch variant"
    assert model.get_prices(datetime(2026, 12, 1, tzinfo=UTC)).input_mtok == 2.5, who
