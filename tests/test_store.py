"""The user price store and the `ft-breakeven prices` command."""

import csv
import io
import json
import os
import warnings
from datetime import date
from pathlib import Path

import platformdirs
import pytest

from pricing.prices import store
from pricing.prices.catalog import Catalog
from pricing.prices.store import (
    bundled_catalog,
    load_catalog,
    save_catalog_atomic,
    store_catalog_path,
    store_dir,
)
from xl_addin.cli import main


def test_store_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("FT_BREAKEVEN_HOME", str(tmp_path / "env"))
    assert store_dir(tmp_path / "flag") == tmp_path / "flag"
    assert store_dir() == tmp_path / "env"
    monkeypatch.delenv("FT_BREAKEVEN_HOME")
    assert store_dir() == Path(platformdirs.user_data_dir("ft-breakeven", appauthor=False))


def test_empty_store_gives_the_bundled_catalog(tmp_path):
    assert load_catalog(tmp_path) is bundled_catalog()


def test_valid_store_wins_and_is_cached(tmp_path):
    refreshed = bundled_catalog().model_copy(update={"as_of": date(2027, 2, 1)})
    save_catalog_atomic(refreshed, store_catalog_path(tmp_path))
    first = load_catalog(tmp_path)
    assert first.as_of == date(2027, 2, 1)
    assert load_catalog(tmp_path) is first  # (path, mtime) cache: no re-parse
    save_catalog_atomic(refreshed.model_copy(update={"as_of": date(2027, 3, 1)}),
                        store_catalog_path(tmp_path))  # fmt: skip
    assert load_catalog(tmp_path).as_of == date(2027, 3, 1)


@pytest.mark.parametrize("content", ["{not json", '{"as_of": "2026-01-01"}', ""])
def test_corrupt_store_warns_and_falls_back(tmp_path, content):
    path = store_catalog_path(tmp_path)
    path.write_text(content, encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="catalog.json"):
        catalog = load_catalog(tmp_path)
    assert catalog is bundled_catalog()
    with warnings.catch_warnings():  # cached: warns once per file version, not per cell
        warnings.simplefilter("error")
        assert load_catalog(tmp_path) is bundled_catalog()


def test_unreadable_store_falls_back(tmp_path):
    store_catalog_path(tmp_path).mkdir()  # a folder where the file should be
    with pytest.warns(RuntimeWarning):
        assert load_catalog(tmp_path) is bundled_catalog()


def test_atomic_save_keeps_old_file_when_replace_fails(tmp_path, monkeypatch):
    path = tmp_path / "catalog.json"
    save_catalog_atomic(bundled_catalog(), path)
    before = path.read_bytes()

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(store.os, "replace", boom)
    newer = bundled_catalog().model_copy(update={"as_of": date(2030, 1, 1)})
    with pytest.raises(OSError, match="disk full"):
        save_catalog_atomic(newer, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["catalog.json"]  # temp file cleaned up


def test_atomic_save_keeps_old_file_when_serialisation_fails(tmp_path, monkeypatch):
    path = tmp_path / "catalog.json"
    save_catalog_atomic(bundled_catalog(), path)
    before = path.read_bytes()

    def boom(self, **kwargs):
        raise ValueError("cannot serialise")

    monkeypatch.setattr(Catalog, "model_dump_json", boom)
    with pytest.raises(ValueError):
        save_catalog_atomic(bundled_catalog(), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["catalog.json"]


def test_load_catalog_is_cheap(tmp_path):
    save_catalog_atomic(bundled_catalog(), store_catalog_path(tmp_path))
    first = load_catalog(tmp_path)
    assert all(load_catalog(tmp_path) is first for _ in range(10_000))


def test_prices_table(capsys, tmp_path):
    assert main(["prices", "--store", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "gpt-4.1-mini" in out and "nova-pro" in out
    assert "* inferred" in out and "? unverified" in out
    assert "as of 2026-11-28" in out and "litellm 1.110.2" in out
    row = next(line for line in out.splitlines() if line.startswith("gpt-4o "))
    assert "2027-01-06" in row and row.endswith("2027-01-14")  # published since the 2026-10-14 notice
    assert "100/h" in out  # o4-mini reinforcement fine-tuning
    fw = next(line for line in out.splitlines() if line.startswith("fireworks-mistral-7b "))
    assert " 8/h " in fw  # served on a dedicated H100 billed per GPU-hour
    assert "Retired on their shutdown date: gpt-4.1-nano, o4-mini, gemini-2.5-pro" in out
    assert "4 of 9 vendors verified" in out and "Fireworks: verified" in out
    assert "Cohere: no model in the catalog; fine-tuning deprecated" in out


def test_prices_selected_models_by_alias_and_ft_id(capsys, tmp_path):
    args = ["prices", "ft:gpt-4o-2024-08-06:org::job", "gemini-3-flash-preview"]
    assert main([*args, "--store", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("gpt-4o ") and lines[2].startswith("gemini-3-flash ")


def test_prices_unknown_model(capsys, tmp_path):
    assert main(["prices", "gpt-4o-minni", "--store", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "gpt-4o-minni" in captured.err and "gpt-4o-mini" in captured.err


def test_prices_vendor_filter(capsys, tmp_path):
    assert main(["prices", "--vendor", "azure openai", "--store", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "azure-gpt-4o-mini" in out and "gpt-5 " not in out
    assert main(["prices", "--vendor", "nobody", "--store", str(tmp_path)]) == 2
    assert "Amazon Bedrock" in capsys.readouterr().err


def test_prices_json_and_csv(capsys, tmp_path):
    assert main(["prices", "gpt-5.4-pro", "--format", "json", "--store", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2026-11-28"
    (model,) = data["models"]
    assert model["field_status"]["cached_input"]["rule"] == "cached = 10% of input"

    assert main(["prices", "--vendor", "Fireworks", "--format", "csv",
                 "--store", str(tmp_path)]) == 0  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in rows] == ["fireworks-mistral-7b", "fireworks-llama-3.1-8b"]
    assert rows[0]["training_per_1m"] == "0.5"
    assert rows[0]["training_per_1m_status"] == ""  # published: fireworks.ai/pricing (S13)


def test_prices_reads_the_store(capsys, tmp_path):
    refreshed = bundled_catalog().model_copy(update={"as_of": date(2027, 2, 1)})
    save_catalog_atomic(refreshed, store_catalog_path(tmp_path))
    assert main(["prices", "gpt-5", "--store", str(tmp_path)]) == 0
    assert "as of 2027-02-01" in capsys.readouterr().out
