"""Hostile refreshes (issue 20): a loopback server that drips, bombs, redirects to data: and
races; registries that move dates into the past. Each case asserts the one-sentence outcome and
that the store (catalog, changelog, last-good, held-back) is byte-for-byte what it was."""

from __future__ import annotations

import copy
import gzip
import json
import os
import threading
import time
import zlib
from datetime import date

import pytest

from pricing.model.breakeven import evaluate
from pricing.model.presets import presets
from pricing.prices.changelog import read_changelog
from pricing.prices.refresh import refresh
from pricing.prices.store import bundled_catalog, load_catalog
from pricing.prices.store_lock import LOCK_FILE, STALE_AFTER
from tests.hostile_support import (
    assert_one_sentence,
    body,
    drip,
    fault_server,
    gated,
    redirect,
    run_limited,
    silent,
    tree_bytes,
)
from tests.test_refresh_support import NOW, encode, registry_dict
from xl_addin.cli import main

pytestmark = pytest.mark.usefixtures("no_second_source", "no_backoff")  # tests/conftest.py

BASE = registry_dict()
BASE_BYTES = encode(BASE)
GPT4O = "gpt-4o"


@pytest.fixture(scope="module")
def srv():
    with fault_server() as s:
        yield s


SEED = copy.deepcopy(BASE)
SEED[GPT4O]["input_cost_per_token"] *= 1.2


@pytest.fixture
def store(tmp_path, srv):
    """A store seeded by one good refresh (gpt-4o input +20%), so there is something to lose."""
    folder = tmp_path / "store"
    result = refresh(srv.route("/seed.json", body(encode(SEED))), store=folder, now=NOW)
    assert result.status == "applied", result.message
    return folder


def changed(**fields) -> dict:
    """BASE with gpt-4o's row given `fields`."""
    data = copy.deepcopy(BASE)
    data[GPT4O].update(fields)
    return data


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1)


def zeros_gzip(n_bytes: int) -> bytes:
    """gzip of n_bytes of zeros, made in 16 MB steps (the bomb is never in memory)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    step = b"\0" * (16 * 1024 * 1024)
    out = [packer.compress(step) for _ in range(n_bytes // len(step))]
    return b"".join(out) + packer.flush()


def deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


# (id, server reply, status, fragments of the one sentence)
FAULTS = [
    ("data: redirect", redirect("data:application/json,{}"), "rejected", ["Refused", "data:"]),
    ("file: redirect", redirect("file:///etc/passwd"), "rejected", ["Refused"]),
    ("ftp: redirect", redirect("ftp://127.0.0.1/r.json"), "rejected", ["Refused"]),
    ("plain http elsewhere", redirect("http://example.org/r.json"), "rejected", ["http://example.org"]),
    ("javascript: redirect", redirect("javascript:alert(1)"), "rejected", ["Refused"]),
    ("redirect loop", redirect("/hostile/loop"), "rejected", ["redirected too often"]),
    ("unknown encoding", body(BASE_BYTES, Content_Encoding="br"), "rejected", ["'br'", "gzip, deflate"]),
    ("truncated gzip", body(b"\x1f\x8b\x08\x00garbage", Content_Encoding="gzip"), "rejected", ["truncated"]),
    ("damaged gzip", body(gz(b"{}")[:10] + b"\xff" * 64, Content_Encoding="gzip"), "rejected", ["damaged"]),
    ("bad gzip checksum", body(gz(b"{}")[:-8] + bytes(8), Content_Encoding="gzip"), "rejected", ["damaged"]),
    ("damaged deflate", body(b"not deflate at all", Content_Encoding="deflate"), "rejected", ["damaged"]),
    ("deep JSON", body(deep(10_000)), "rejected", ["nested deeper than 64"]),
    ("deep JSON 100", body(deep(100)), "rejected", ["nested deeper than 64"]),
    ("5000-digit integer", body(b'{"x": ' + b"9" * 5000 + b"}"), "rejected", ["5,000 digits"]),
    ("long float", body(b'{"x": 0.' + b"1" * 500 + b"}"), "rejected", ["characters"]),
    ("not UTF-8", body(b"\xff\xfe{}"), "rejected", ["not UTF-8"]),
    ("JSON null", body(b"null"), "rejected", ["JSON NoneType"]),
    ("JSON string", body(b'"registry"'), "rejected", ["JSON str"]),
    ("empty body", body(b""), "rejected", ["not valid JSON"]),
    ("rows are lists", body(encode({k: [1] for k in BASE})), "rejected", ["fewer than 50"]),
    ("huge Content-Length", body(BASE_BYTES, Content_Length="9" * 30), "unreachable", ["Could not reach"]),
    ("429 forever", body(b"slow down", 429), "rejected", ["429"]),
    ("503 forever", body(b"down", 503), "rejected", ["503"]),
]


@pytest.mark.parametrize(("case", "reply", "status", "fragments"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_hostile_server_changes_nothing(srv, store, case, reply, status, fragments):
    if case == "redirect loop":
        srv.route("/hostile/loop", reply)
    url = srv.route(f"/hostile/{case.replace(' ', '-')}", reply)
    before = tree_bytes(store)
    result = refresh(url, store=store, now=NOW)
    assert result.status == status and not result.ok, result.message
    assert_one_sentence(result.message, *fragments, "prices unchanged")
    assert tree_bytes(store) == before


def test_a_drip_feed_meets_the_deadline_and_releases_the_lock(srv, store):
    url = srv.route("/drip.json", drip(every=0.1))
    before = tree_bytes(store)
    started = time.monotonic()
    result = refresh(url, store=store, now=NOW, deadline=1.0)
    took = time.monotonic() - started
    assert result.status == "unreachable", result.message
    assert_one_sentence(result.message, "deadline", "prices unchanged")
    assert took < 3.0, took  # one second of deadline, not 10,000 bytes x 0.1 s
    assert not (store / LOCK_FILE).exists()
    assert tree_bytes(store) == before


def test_a_silent_server_meets_the_deadline_too(srv, store):
    url = srv.route("/silent.json", silent(10))
    started = time.monotonic()
    result = refresh(url, store=store, now=NOW, deadline=1.0, retries=3)
    assert time.monotonic() - started < 3.0  # each read waits at most what is left, retries too
    assert result.status == "unreachable" and not (store / LOCK_FILE).exists()


def test_layered_encodings_are_undone_whole(srv, store):
    """The positive control: gzip over gzip over a real registry is read correctly."""
    data = encode(changed(input_cost_per_token=BASE[GPT4O]["input_cost_per_token"] * 1.1))
    url = srv.route("/layers.json", body(gz(gz(data)), Content_Encoding="gzip, gzip"))
    result = refresh(url, store=store, now=NOW)
    assert result.status == "applied", result.message
    assert [(c.model, c.field) for c in result.applied] == [(GPT4O, "input")]


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """1 GB of zeros, gzipped twice: about 8 KB on the wire."""
    return gz(zeros_gzip(1024**3))


@pytest.mark.parametrize("layers", ["gzip, gzip", "gzip"])
def test_a_gzip_bomb_stops_at_the_cap_in_limited_memory(srv, tmp_path, bomb, layers):
    data = bomb if layers == "gzip, gzip" else zeros_gzip(1024**3)
    url = srv.route(f"/bomb-{len(layers)}.json", body(data, Content_Encoding=layers))
    store = tmp_path / "store"
    run = run_limited(["refresh", "--source", url, "--store", str(store)], headroom_mb=300)
    assert run.returncode == 1, run.stderr
    assert_one_sentence(run.stdout, "20,971,520-byte cap once decompressed", "prices unchanged")
    assert "MemoryError" not in run.stderr
    assert tree_bytes(store) == {}


def test_dev_zero_as_a_source_is_capped_in_limited_memory(tmp_path):
    store = tmp_path / "store"
    run = run_limited(["refresh", "--source", "/dev/zero", "--store", str(store)], headroom_mb=300)
    assert run.returncode == 1, run.stderr
    assert_one_sentence(run.stdout, "/dev/zero is larger than the 20,971,520-byte cap")
    assert tree_bytes(store) == {}


LOCAL = [
    ("missing file", lambda p: p / "nope.json", ["Could not read", "No such file"]),
    ("a folder", lambda p: p, ["Could not read", "Is a directory"]),
    ("deep file", lambda p: _write(p / "deep.json", deep(5000)), ["nested deeper"]),
    ("not UTF-8 file", lambda p: _write(p / "latin.json", b'{"\xe9": 1}'), ["not UTF-8"]),
]


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("case", "make", "fragments"), LOCAL, ids=[c[0] for c in LOCAL])
def test_a_hostile_local_source_changes_nothing(store, tmp_path, case, make, fragments):
    source = make(tmp_path)
    before = tree_bytes(store)
    result = refresh(str(source), store=store, now=NOW)
    assert not result.ok
    assert_one_sentence(result.message, *fragments)
    assert tree_bytes(store) == before


SOURCES = [
    ("data: URL", "data:application/json,{}", ["Refused source"]),
    ("ftp URL", "ftp://example.org/r.json", ["Refused source"]),
    ("plain http", "http://example.org/r.json", ["Refused plain-http"]),
    ("https without host", "https:///r.json", ["Refused source"]),
]


@pytest.mark.parametrize(("case", "source", "fragments"), SOURCES, ids=[c[0] for c in SOURCES])
def test_a_refused_source_never_connects(store, case, source, fragments):
    before = tree_bytes(store)
    result = refresh(source, store=store, now=NOW)
    assert result.status == "rejected"
    assert_one_sentence(result.message, *fragments)
    assert tree_bytes(store) == before


# ---------------------------------------------------------------- the store itself


@pytest.mark.parametrize("case", ["store is a file", "store under a file", "read-only store"])
def test_an_unwritable_store_is_one_sentence(srv, tmp_path, case, capsys):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    store = {
        "store is a file": afile,
        "store under a file": afile / "store",
        "read-only store": "/proc/ft-breakeven-store",  # read-only even for root
    }[case]
    url = srv.route("/good.json", body(BASE_BYTES))
    assert main(["refresh", "--source", url, "--store", str(store)]) == 1
    out = capsys.readouterr()
    assert_one_sentence(out.out, "Not refreshed", "could not lock the price store", "Prices unchanged")
    assert out.err.strip() in ("", f"downloaded {len(BASE_BYTES) / 1e6:.1f} MB")
    assert afile.read_text() == "not a folder"


def _hold_a_refresh(srv, store, data: bytes):
    """Start a refresh that stops mid-download; returns (thread, gate, result holder)."""
    gate = threading.Event()
    url = srv.route(f"/gated-{time.monotonic_ns()}.json", gated(gate, data))
    out: dict = {}
    thread = threading.Thread(target=lambda: out.setdefault("r", refresh(url, store=store, now=NOW)))
    thread.start()
    lock = store / LOCK_FILE
    for _ in range(500):  # until the first refresh holds the lock and has written its stamp in it:
        if lock.exists() and lock.stat().st_size:  # the stamp's write moves the mtime, so a test
            break  # that backdates the lock before it would see its backdating undone (a race)
        time.sleep(0.02)
    assert lock.exists() and lock.stat().st_size
    return thread, gate, out


def _log_agrees_with_catalog(store) -> None:
    """The last logged value of every (model, field) is the catalog's value now."""
    catalog = load_catalog(store)
    last = {(r.model, r.field): r.new for r in read_changelog(store / "changelog.jsonl")}
    for (model, field), new in last.items():
        value = getattr(catalog.get(model), field)
        value = value.isoformat() if isinstance(value, date) else value
        assert value == new, (model, field, value, new)


def test_a_refresh_that_lost_its_lock_to_a_stale_takeover_cannot_save(srv, store):
    slow_price = BASE[GPT4O]["input_cost_per_token"] * 1.5
    thread, gate, out = _hold_a_refresh(srv, store, encode(changed(input_cost_per_token=slow_price)))
    old = time.time() - STALE_AFTER - 60  # the first refresh looks crashed
    os.utime(store / LOCK_FILE, (old, old))
    fast_price = BASE[GPT4O]["output_cost_per_token"] * 1.3
    fast = refresh(
        srv.route("/fast.json", body(encode(changed(output_cost_per_token=fast_price)))), store=store, now=NOW
    )
    assert fast.status == "applied", fast.message
    after_fast = tree_bytes(store)
    gate.set()
    thread.join(30)
    slow = out["r"]
    assert slow.status == "failed" and not slow.ok
    assert_one_sentence(slow.message, "Not saved", "another refresh took over", "run it again")
    assert tree_bytes(store) == after_fast  # the later refresh's changes survive
    assert load_catalog(store).get(GPT4O).output == pytest.approx(fast_price * 1e6)
    _log_agrees_with_catalog(store)


def test_a_store_changed_under_a_refresh_is_not_overwritten(srv, store):
    data = encode(changed(input_cost_per_token=BASE[GPT4O]["input_cost_per_token"] * 1.5))
    thread, gate, out = _hold_a_refresh(srv, store, data)
    catalog = store / "catalog.json"
    edited = catalog.read_bytes().replace(b'"as_of": "2026-12-01"', b'"as_of": "2026-11-30"', 1)
    catalog.write_bytes(edited)  # someone else's write, made without the lock
    gate.set()
    thread.join(30)
    assert out["r"].status == "failed"
    assert_one_sentence(out["r"].message, "changed while this refresh ran")
    assert catalog.read_bytes() == edited


def test_a_lock_taken_over_is_not_deleted_by_the_loser(srv, store):
    thread, gate, out = _hold_a_refresh(srv, store, BASE_BYTES)
    lock = store / LOCK_FILE
    old = time.time() - STALE_AFTER - 60
    os.utime(lock, (old, old))
    lock.unlink()
    lock.write_text("pid 999 at 2026-12-01T09:31:00+00:00 token someone-else\n")  # the successor
    gate.set()
    thread.join(30)
    assert out["r"].status == "failed"
    assert lock.read_text().endswith("token someone-else\n")  # still the successor's


# ---------------------------------------------------------------- dates are guarded too


def every_date(value: str) -> dict:
    data = copy.deepcopy(SEED)  # the store's rates: only the dates move
    for m in bundled_catalog().models:
        if m.registry_key:
            data[m.registry_key]["deprecation_date"] = value
    return data


def _verdicts(catalog) -> list[str]:
    return [evaluate(p.scenario, catalog).verdict for p in presets()]


def test_deprecation_dates_moved_to_2000_are_held_back(srv, store):
    before = tree_bytes(store)
    verdicts = _verdicts(load_catalog(store))
    result = refresh(srv.route("/y2k.json", body(encode(every_date("2000-01-01")))), store=store, now=NOW)
    assert result.ok, result.message
    held = [h for h in result.held_back if h.field == "deprecation_date"]
    assert len(held) == sum(1 for m in bundled_catalog().models if m.registry_key)
    assert not [c for c in result.applied if c.field == "deprecation_date"]
    assert all(h.acceptable and ("past" in h.reason or "days" in h.reason) for h in held)
    assert _verdicts(load_catalog(store)) == verdicts  # no preset flips to "Don't fine-tune"
    assert tree_bytes(store)["catalog.json"].count(b"2000-01-01") == 0
    assert tree_bytes(store)["changelog.jsonl"] == before["changelog.jsonl"]


def test_a_held_back_date_applies_when_accepted(srv, store):
    url = srv.route("/y2k-accept.json", body(encode(every_date("2000-01-01"))))
    result = refresh(url, store=store, now=NOW, accepted={"gpt-4o.deprecation_date"})
    assert [(c.model, c.field, c.new, c.note) for c in result.applied] == [
        (GPT4O, "deprecation_date", "2000-01-01", "accepted")
    ]
    assert load_catalog(store).get(GPT4O).deprecation_date == date(2000, 1, 1)
    _log_agrees_with_catalog(store)


@pytest.mark.parametrize(
    ("new", "held"),
    [("2031-06-01", True), ("9999-12-31", True), ("2027-01-15", False), ("1970-01-01", True)],
)
def test_a_date_moving_by_more_than_a_year_is_held_back(srv, store, new, held):
    data = copy.deepcopy(SEED)
    data["gpt-5"]["deprecation_date"] = new  # 2026-12-11 in the bundled catalog
    result = refresh(srv.route(f"/date-{new}.json", body(encode(data))), store=store, now=NOW)
    keys = [h.key for h in result.held_back]
    assert ("gpt-5.deprecation_date" in keys) is held
    expected = date(2026, 12, 11) if held else date.fromisoformat(new)
    assert load_catalog(store).get("gpt-5").deprecation_date == expected


def test_cli_lists_a_held_back_date_with_the_accept_flag(srv, store, capsys):
    url = srv.route("/y2k-cli.json", body(encode(every_date("2000-01-01"))))
    assert main(["refresh", "--source", url, "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "gpt-4o.deprecation_date: " in out and "apply with --accept gpt-4o.deprecation_date" in out


# ---------------------------------------------------------------- text from a download


def test_escape_codes_in_a_source_url_are_shown_escaped(srv, store, capsys):
    url = srv.base + "/\x1b[2J\x1b[31mred.json"
    assert main(["refresh", "--source", url, "--store", str(store)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2J" in out


def test_hostile_registry_text_in_a_held_back_value_is_inert(srv, store, capsys):
    data = changed(input_cost_per_token="\x1b]0;pwned\x07=HYPERLINK(1)")
    url = srv.route("/text.json", body(encode(data)))
    assert main(["refresh", "--source", url, "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    held = json.loads((store / "held-back.json").read_text())["held_back"]
    assert held[0]["reason"].startswith("non-numeric")
