"""One refresh at a time per store: the second is refused whole, a crashed one's lock expires."""

import os
import time

import pytest

from pricing.prices.refresh import refresh
from pricing.prices.store import load_catalog
from pricing.prices.store_lock import LOCK_FILE, STALE_AFTER, StoreBusy, store_lock
from tests.test_refresh_support import encode, registry_dict


def test_the_lock_is_exclusive_and_released(tmp_path):
    with store_lock(tmp_path) as path:
        assert path.exists()
        with pytest.raises(StoreBusy, match="another refresh"):
            with store_lock(tmp_path):
                pass
    assert not (tmp_path / LOCK_FILE).exists()
    with store_lock(tmp_path):  # free again
        pass


def test_the_lock_is_released_when_the_block_fails(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with store_lock(tmp_path):
            raise ZeroDivisionError
    assert not (tmp_path / LOCK_FILE).exists()


def test_a_stale_lock_is_taken_over(tmp_path):
    lock = tmp_path / LOCK_FILE
    lock.write_text("pid 1 at 2026-11-28T00:00:00+00:00\n")
    old = time.time() - STALE_AFTER - 5
    os.utime(lock, (old, old))
    with store_lock(tmp_path):
        assert "pid 1 " not in lock.read_text()


def test_a_refresh_while_another_holds_the_store_changes_nothing(tmp_path, server):
    registry = registry_dict()
    key = next(k for k, v in registry.items() if isinstance(v, dict) and v.get("input_cost_per_token"))
    registry[key]["input_cost_per_token"] *= 1.5
    url = server.serve("/busy.json", encode(registry))
    store = tmp_path / "store"
    with store_lock(store):
        result = refresh(url, store=store)
        assert result.status == "busy" and not result.ok
        assert "another refresh" in result.message and "unchanged" in result.message
    assert not (store / "catalog.json").exists() and not (store / "changelog.jsonl").exists()
    assert refresh(url, store=store).ok  # once the other one ends, it goes through
    assert load_catalog(store).as_of is not None
