"""Price history: the shipped LiteLLM history, FT_PRICE on a date, the CLI, the decline fit."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from pricing.prices.catalog import UnknownModelError
from pricing.prices.changelog import CHANGELOG_FILE, ChangeRecord, append_changelog
from pricing.prices.decline import family_samples, fit_log_linear, measure_all, months
from pricing.prices.history import (
    DATA,
    HISTORY_FIELDS,
    BeforeHistoryError,
    History,
    PriceHistory,
    PricePoint,
    bundled_history,
    load_history_models,
    price_on,
)
from pricing.prices.history_build import Release, build_history, monthly, rates_of
from pricing.prices.history_store import load_history
from pricing.prices.sources.litellm import parse_registry
from pricing.prices.store import bundled_catalog
from tests.officejs import NA, call
from xl_addin.cli import main
from xl_addin.excel_errors import ExcelValueError


def cell(*args):
    out = call("ft_price", *args)
    return out[0][0] if isinstance(out, list) else out


def test_known_facts_gpt_4o_price_cut():
    # OpenAI cut gpt-4o from $5/$15 (gpt-4o-2024-05-13) to $2.50/$10 (gpt-4o-2024-08-06).
    cat, hist = bundled_catalog(), bundled_history()
    assert price_on(cat, hist, "gpt-4o", "input", date(2024, 6, 15)) == 5.0
    assert price_on(cat, hist, "gpt-4o", "output", date(2024, 6, 15)) == 15.0
    assert price_on(cat, hist, "gpt-4o", "input", date(2025, 1, 15)) == 2.5
    assert price_on(cat, hist, "gpt-4o", "output", date(2025, 1, 15)) == 10.0
    assert price_on(cat, hist, "gpt-4o-2024-08-06", "input", date(2025, 1, 15)) == 2.5  # alias


def test_ft_price_as_of_in_excel():
    assert cell("gpt-4o", "input", "2024-06-15") == 5.0
    assert cell("gpt-4o", "input", 45672) == 2.5  # Excel serial of 2025-01-15
    assert cell("gpt-4o", "input") == bundled_catalog().get("gpt-4o").input
    assert cell("gpt-4o", "input", [[""]]) == bundled_catalog().get("gpt-4o").input


def test_ft_price_as_of_bad_input():
    assert cell("gpt-4o-mni", "input", "2024-06-15") == NA  # unknown model
    assert cell("gpt-4o", "training_per_1m", "2024-06-15") == NA  # no history of it
    assert cell("gpt-4o", "input", "2024-01-15") == NA  # not launched yet
    with pytest.raises(ExcelValueError, match=r"as_of 2022-05-01 is before the price history starts \(2023-"):
        cell("gpt-4o", "input", "2022-05-01")
    with pytest.raises(ExcelValueError, match="as_of"):
        cell("gpt-4o", "input", "last june")


def test_before_history_and_unknown_model_in_python():
    cat, hist = bundled_catalog(), bundled_history()
    with pytest.raises(BeforeHistoryError, match="before the price history starts"):
        price_on(cat, hist, "gpt-4o", "input", date(2020, 1, 1))
    with pytest.raises(UnknownModelError):
        price_on(cat, hist, "gpt-9", "input", date(2025, 1, 1))


def test_shipped_history_is_small_and_well_formed():
    raw = (DATA / "history.json").read_bytes()
    assert len(raw) < 1_000_000
    hist = History.model_validate_json(raw)
    assert hist.fields == list(HISTORY_FIELDS)
    dates = [r.date for r in hist.releases]
    assert dates == sorted(dates) and len(hist.releases) >= 30
    assert dates[0] <= date(2023, 12, 1) and dates[-1] >= date(2026, 11, 1)
    for model, rows in hist.points.items():
        assert [r[0] for r in rows] == sorted(r[0] for r in rows), model
        values = [tuple(r[3:]) for r in rows]
        assert all(a != b for a, b in zip(values, values[1:], strict=False)), (
            f"{model}: not change points only"
        )


def test_history_ends_where_the_bundled_catalog_is():
    # The catalog and the history's last release come from the same LiteLLM 1.110.2 registry.
    cat, hist = bundled_catalog(), bundled_history()
    checked, moved = 0, []
    for entry in cat.models:
        if not hist.has(entry.id) or not entry.registry_key or entry.status_of("input") != "published":
            continue
        last = hist.series(entry.id)[-1]
        if last.key != entry.registry_key:
            # the catalog moved to another registry row (mistral-small -> Mistral Small 4): the
            # shipped history follows the old row until `python -m pricing.prices.history_build` reruns
            moved.append(entry.id)
            continue
        assert (last.rates["input"], last.rates["output"]) == (entry.input, entry.output), entry.id
        checked += 1
    assert checked >= 25 and moved == ["mistral-small"]


def test_every_catalog_model_is_mapped():
    mapping = load_history_models()
    assert set(mapping["catalog"]) == {m.id for m in bundled_catalog().models}
    ids = set(mapping["catalog"]) | set(mapping["reference"])
    for name, fam in mapping["families"].items():
        assert set(fam["lineage"]) <= ids and set(fam["catalog_models"]) <= ids, name


def _registry(**rows):
    return {
        k: {"input_cost_per_token": i / 1e6, "output_cost_per_token": o / 1e6} for k, (i, o) in rows.items()
    }


def test_build_keeps_change_points_and_maps_dated_snapshots():
    models = {"catalog": {"m": ["m", "m-2024-05-13"]}, "reference": {}, "families": {}}
    regs = [
        (Release("litellm", "1.0.0", date(2024, 1, 1), "w0"), _registry(**{"m-2024-05-13": (5, 15)}), "a"),
        (Release("litellm", "1.1.0", date(2024, 2, 1), "w1"), _registry(m=(5, 15)), "b"),
        (Release("litellm", "1.2.0", date(2024, 3, 1), "w2"), _registry(m=(2.5, 10)), "c"),
        (Release("litellm", "1.3.0", date(2024, 4, 1), "w3"), {}, "d"),  # dropped: keeps its rates
    ]
    out = build_history(regs, models)
    assert [p[:3] for p in out["points"]["m"]] == [["2024-01-01", 0, "m-2024-05-13"], ["2024-03-01", 2, "m"]]
    hist = PriceHistory.from_file(History.model_validate(out))
    assert hist.rate_at("m", "input", date(2024, 2, 15)) == 5.0
    assert hist.rate_at("m", "input", date(2024, 4, 15)) == 2.5


def test_monthly_picks_litellm_first_and_fills_gaps_from_tokencost():
    lite = [
        Release("litellm", v, d, "")
        for v, d in (("1.0", date(2024, 1, 3)), ("1.1", date(2024, 1, 20)), ("1.2", date(2024, 3, 2)))
    ]
    tc = [
        Release("tokencost", "0.1", date(2024, 2, 5), ""),
        Release("tokencost", "0.2", date(2024, 3, 1), ""),
    ]
    picked = [r.name for r in monthly({"litellm": lite, "tokencost": tc}, first="2024-01")]
    assert picked == ["litellm 1.0", "tokencost 0.1", "litellm 1.2"]


def test_decline_fit_recovers_a_known_rate():
    start = date(2023, 1, 1)
    samples = [(d, 40.0 * (1 - 0.35) ** ((d - start).days / 365.25)) for d in months(start, date(2026, 1, 1))]
    fit = fit_log_linear(samples)
    assert fit.decline_annual == pytest.approx(0.35, abs=1e-9)
    assert fit.r2 == pytest.approx(1.0) and fit.samples == 37
    # Through a family: newest lineage model wins; a step from 10 to 5 after one year.
    pts = {
        "old": [PricePoint(date(2023, 1, 1), "s", "old", {"input": 10.0, "output": 10.0})],
        "new": [PricePoint(date(2024, 1, 1), "s", "new", {"input": 5.0, "output": 5.0})],
    }
    hist = PriceHistory(date(2023, 1, 1), pts)
    got = family_samples(hist, ["old", "new"], date(2023, 1, 1), date(2024, 12, 1))
    assert [p for _, p in got] == [10.0] * 12 + [5.0] * 12
    with pytest.raises(ValueError, match="two dates"):
        fit_log_linear(got[:1])


def test_measured_declines_of_the_shipped_history():
    fits = measure_all(bundled_history(), bundled_catalog().as_of)
    assert set(fits) == set(load_history_models()["families"])
    frontier = fits["OpenAI frontier"]
    assert frontier.first_price == 0.75 * 30 + 0.25 * 60  # GPT-4 in Nov 2023
    assert 0 < frontier.decline_annual < 1 and frontier.last_price < frontier.first_price


def test_refresh_changes_extend_the_history(tmp_path):
    append_changelog(
        tmp_path / CHANGELOG_FILE,
        [
            ChangeRecord("2026-12-05T10:00:00+00:00", "gpt-4o", "input", 2.5, 2.0, "https://x/r.json", "ab"),
            ChangeRecord(
                "2026-12-05T10:00:00+00:00", "gpt-4o", "output", 10.0, 8.0, "https://x/r.json", "ab"
            ),
            ChangeRecord(
                "2026-12-05T10:00:00+00:00", "gpt-4o", "shutdown_date", None, "2027-01-01", "x", "ab"
            ),
        ],
    )
    hist = load_history(tmp_path)
    last = hist.series("gpt-4o")[-1]
    assert last.date == date(2026, 12, 5) and last.source.startswith("refresh 2026-12-05")
    assert (last.rates["input"], last.rates["output"]) == (2.0, 8.0)
    assert last.rates["cached_input"] == bundled_history().series("gpt-4o")[-1].rates["cached_input"]
    assert len(hist.series("gpt-4o")) == len(bundled_history().series("gpt-4o")) + 1
    assert hist.rate_at("gpt-4o", "input", date(2025, 1, 15)) == 2.5  # the past is unchanged


def test_cli_prices_history(capsys, tmp_path):
    assert main(["prices", "gpt-4o", "--history", "--store", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "gpt-4o (OpenAI)" in out and "OpenAI frontier prices:" in out
    line_2024 = next(x for x in out.splitlines() if x.strip().startswith("2024-05"))
    assert line_2024.split()[1:3] == ["5", "15"] and "tokencost" in line_2024
    assert main(["prices", "gpt-4o-mni", "--history", "--store", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "gpt-4o-mni" in err


# --- CI: a small history rebuilt from real releases downloaded from PyPI (.ci/run) ----------

REAL = os.environ.get("FT_BREAKEVEN_HISTORY_REGISTRIES", "")


@pytest.mark.skipif(
    len(list(Path(REAL).glob("*.json"))) < 2 if REAL else True,
    reason="no real registries (.ci/run downloads them)",
)
def test_rebuilt_from_real_releases_matches_the_shipped_history():
    shipped = History.model_validate_json((DATA / "history.json").read_bytes())
    by_name = {r.name: r for r in shipped.releases}
    regs = []
    for path in sorted(Path(REAL).glob("*.json")):
        package, version = path.stem.split("-", 1)
        info = by_name[f"{package} {version}"]
        regs.append((Release(package, version, info.date, ""), json.loads(path.read_text()), info.sha256))
    small = PriceHistory.from_file(History.model_validate(build_history(regs)))
    full = bundled_history()
    mapping = load_history_models()
    keys = {**mapping["catalog"], **{k: v["keys"] for k, v in mapping["reference"].items()}}
    compared = 0
    for release, data, _ in regs:
        rows = parse_registry(data)
        for model, model_keys in keys.items():
            if rates_of(rows, model_keys) is None:  # not in this registry: both keep earlier rates
                continue
            got, want = small.point_at(model, release.date), full.point_at(model, release.date)
            assert got.rates == want.rates, (model, release.name)
            compared += 1
    assert compared >= 40


def test_measured_decline_is_an_explicit_opt_in():
    from pricing.model.presets import preset
    from pricing.model.scenario import ScenarioError, make_scenario
    from pricing.prices.decline import measure, measured_decline

    base = preset("faisal").scenario.model_dump()
    s = make_scenario({**base, "frontier_model": "gpt-4o", "frontier_price_decline_annual": "measured"})
    hist = bundled_history()
    fit = measure(hist, "OpenAI frontier", max(p.date for v in hist.points.values() for p in v))
    assert s.frontier_price_decline_annual == max(fit.decline_annual, 0.0) > 0
    assert make_scenario({**base, "frontier_model": "gpt-4o"}).frontier_price_decline_annual == 0  # default
    assert measured_decline("nova-pro") is None
    with pytest.raises(ScenarioError, match="frontier_price_decline_annual"):
        make_scenario({**base, "frontier_model": "nova-pro", "frontier_price_decline_annual": "measured"})


def test_report_notes_the_measured_decline(capsys):
    assert main(["report", "--preset", "faisal"]) == 0
    out = capsys.readouterr().out
    assert "frontier price decline 0%/year assumed;" in out and "list prices measured:" in out


def test_readme_declines_table_matches_the_history():
    from pricing.prices.decline import declines_markdown

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    block = readme.split("<!-- declines-table:start")[1].split("<!-- declines-table:end")[0]
    assert block.split("-->", 1)[1].strip() == declines_markdown()
