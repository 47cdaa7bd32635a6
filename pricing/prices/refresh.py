"""Refresh inference rates from a registry: fetch, parse, guard, diff, audit, atomic save.

    result = refresh()                          # REGISTRY_URL (or $FT_BREAKEVEN_REGISTRY_URL)
    result = refresh("file.json", accepted={"gpt-4o.input"}, dry_run=True)

What moves and what never does: pricing/prices/refresh_plan.py (the diff, pure).

Guards: see pricing/prices/guards.py. Audit: every applied change is appended to changelog.jsonl in the
store; held-back changes go to held-back.json; the download itself to registry-last-good.json.
The store is written as one transaction: on any failure the catalog, changelog and last-good file
are left byte-for-byte as they were. The save is fenced: it happens only while this refresh
still holds the store's lock and the catalog and changelog are still the ones it planned from,
so a refresh that outlived its lock cannot overwrite what a later one applied.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pricing.prices.bounded import ReadRefused, loads
from pricing.prices.catalog import Catalog
from pricing.prices.changelog import CHANGELOG_FILE, ChangeRecord, append_changelog
from pricing.prices.fetch import Download, FetchError, Progress, fetch, host_of
from pricing.prices.guards import RejectedDownload, safe_cell_text
from pricing.prices.refresh_plan import Change, HeldBack, Plan, plan_refresh
from pricing.prices.sources.litellm import REGISTRY_URL
from pricing.prices.store import load_catalog, save_catalog_atomic, store_catalog_path, store_dir
from pricing.prices.store_lock import StoreBusy, StoreLock, store_lock

__all__ = [
    "Change",
    "HeldBack",
    "Plan",
    "RefreshResult",
    "default_source",
    "plan_refresh",
    "refresh",
    "safe_cell_text",
]

SOURCE_ENV = "FT_BREAKEVEN_REGISTRY_URL"  # overrides REGISTRY_URL (tests, mirrors, proxies)
LAST_GOOD_FILE = "registry-last-good.json"
HELD_BACK_FILE = "held-back.json"
OK_STATUSES = ("applied", "unchanged", "dry-run")


def default_source() -> str:
    return os.environ.get(SOURCE_ENV) or REGISTRY_URL


@dataclass
class RefreshResult:
    status: str  # applied | unchanged | dry-run | rejected | unreachable | failed | busy
    message: str  # one sentence for the user
    source: str
    previous_as_of: date
    as_of: date  # the catalog's as-of date after the refresh
    timestamp: str = ""
    sha256: str = ""
    applied: list[Change] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unused_accepts: list[str] = field(default_factory=list)
    models_in_download: int = 0
    not_in_catalog: list[str] = field(default_factory=list)  # priced by a vendor API, not catalog ids
    catalog: Catalog | None = None  # the catalog now in force (new, or unchanged)

    @classmethod
    def start(cls, source: str, current: Catalog, now: datetime) -> RefreshResult:
        """A refresh that has changed nothing yet (status "failed" until it says otherwise)."""
        return cls(
            status="failed",
            message="",
            source=source,
            previous_as_of=current.as_of,
            as_of=current.as_of,
            timestamp=now.isoformat(timespec="seconds"),
            catalog=current,
        )

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def changelog_records(self) -> list[ChangeRecord]:
        return [
            ChangeRecord(self.timestamp, c.model, c.field, c.old, c.new, self.source, self.sha256)
            for c in self.applied
        ]


# ---------------------------------------------------------------- the store transaction


@dataclass(frozen=True)
class StorePaths:
    catalog: Path
    changelog: Path
    last_good: Path
    held_back: Path

    @classmethod
    def of(cls, store: str | Path | None) -> StorePaths:
        folder = store_dir(store)
        return cls(
            store_catalog_path(store),
            folder / CHANGELOG_FILE,
            folder / LAST_GOOD_FILE,
            folder / HELD_BACK_FILE,
        )


def _temp_beside(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _restore(path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
    else:
        os.replace(_temp_beside(path, data), path)


def _commit(paths: StorePaths, result: RefreshResult, plan: Plan, download: Download) -> None:
    """Write everything or nothing: temp files first, then the catalog, log and renames."""
    held = {
        "timestamp": result.timestamp,
        "source": result.source,
        "sha256": result.sha256,
        "held_back": [asdict(h) | {"key": h.key} for h in plan.held_back],
    }
    temps = [_temp_beside(paths.last_good, download.data)]
    undo = []
    try:
        temps.append(_temp_beside(paths.held_back, json.dumps(held, indent=1).encode()))
        old_catalog = paths.catalog.read_bytes() if paths.catalog.exists() else None
        save_catalog_atomic(plan.catalog, paths.catalog)
        undo.append(lambda: _restore(paths.catalog, old_catalog))
        log_size = paths.changelog.stat().st_size if paths.changelog.exists() else None
        append_changelog(paths.changelog, result.changelog_records())
        undo.append(lambda: _truncate(paths.changelog, log_size))
        old_held = paths.held_back.read_bytes() if paths.held_back.exists() else None
        os.replace(temps[1], paths.held_back)
        undo.append(lambda: _restore(paths.held_back, old_held))
        os.replace(temps[0], paths.last_good)  # last: nothing after it can fail
    except BaseException:
        for step in reversed(undo):
            try:
                step()
            except OSError:
                pass
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise


def _truncate(path: Path, size: int | None) -> None:
    if size is None:
        path.unlink(missing_ok=True)
    else:
        os.truncate(path, size)


# ---------------------------------------------------------------- the whole refresh


def _parse(data: bytes) -> Any:
    """The download as JSON, bounded in depth and number length (pricing.prices.bounded)."""
    try:
        return loads(data)
    except ReadRefused as exc:
        head = data.lstrip()[:200].lower()
        if head.startswith(b"<"):
            raise RejectedDownload("the download is an HTML page, not JSON") from exc
        raise RejectedDownload(str(exc).replace("it ", "the download ", 1)) from exc  # "it is ..."


def fingerprint(paths: StorePaths) -> tuple[bytes | None, int | None]:
    """What the save must still find: the catalog's bytes and the changelog's length."""
    catalog = paths.catalog.read_bytes() if paths.catalog.is_file() else None
    log = paths.changelog.stat().st_size if paths.changelog.is_file() else None
    return catalog, log


def summary(plan: Plan, source: str) -> str:
    """'3 changes applied, 1 held back, 2 missing from <source> (rates kept)'."""
    parts = [f"{len(plan.applied)} change{'s' * (len(plan.applied) != 1)} applied"]
    if plan.held_back:
        parts.append(f"{len(plan.held_back)} held back")
    if plan.vanished:
        parts.append(f"{len(plan.vanished)} missing from {source} (rates kept)")
    if plan.not_in_catalog:
        parts.append(f"{len(plan.not_in_catalog)} not in the catalog")
    return ", ".join(parts)


def refresh(
    source: str | None = None,
    *,
    store: str | Path | None = None,
    accepted: Iterable[str] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
    **fetch_options: Any,
) -> RefreshResult:
    """Refresh the store's inference rates from `source` (default: default_source()).

    Never raises for an expected failure: the result's status says what happened and
    `message` says it in one sentence. The store is untouched unless status == "applied" or
    "unchanged" (then the as-of date moves to today and the download becomes last-good).
    One refresh at a time per store (pricing.prices.store_lock): a second one gets status "busy".
    """

    def run(lock: StoreLock | None) -> RefreshResult:
        return _refresh_locked(source, store, accepted, dry_run, progress, now, fetch_options, lock)

    return locked(store, dry_run, run, source or default_source(), now)


def locked(
    store: str | Path | None,
    dry_run: bool,
    run: Callable[[StoreLock | None], RefreshResult],
    source: str,
    now: datetime | None,
) -> RefreshResult:
    """`run` with the store's lock held (a dry run writes nothing and takes none); a store that
    is busy or cannot be locked gives a result saying so, the prices unchanged. Every refresh
    (this registry's, each vendor's: pricing.prices.vendor_refresh) goes through here."""
    if dry_run:
        return run(None)
    try:
        with store_lock(store_dir(store)) as lock:
            return run(lock)
    except (StoreBusy, OSError) as exc:
        current = load_catalog(store)
        if isinstance(exc, StoreBusy):
            status, why = "busy", str(exc)
        else:  # a read-only store, or a store path that is a file
            where = exc.filename or store_dir(store)
            status, why = "failed", f"could not lock the price store {where} ({exc.strerror or exc})"
        return replace(
            RefreshResult.start(source, current, now or datetime.now(UTC)),
            status=status,
            message=f"Not refreshed: {why}. Prices unchanged (as of {current.as_of.isoformat()}).",
        )


def _refresh_locked(
    source: str | None,
    store: str | Path | None,
    accepted: Iterable[str],
    dry_run: bool,
    progress: Progress | None,
    now: datetime | None,
    fetch_options: dict[str, Any],
    lock: StoreLock | None = None,
) -> RefreshResult:
    """`refresh` with the store's lock held (or nothing written: dry run)."""
    source = source or default_source()
    now = now or datetime.now(UTC)
    paths = StorePaths.of(store)
    planned_from = fingerprint(paths)
    current = load_catalog(store)
    base = RefreshResult.start(source, current, now)
    unchanged = f"prices unchanged (as of {current.as_of.isoformat()})."
    try:
        download = fetch(source, progress=progress, **fetch_options)
    except FetchError as exc:
        base.status = "unreachable" if exc.kind in ("offline", "deadline") else "rejected"
        base.message = f"{exc}: {unchanged}"
        return base
    base.source, base.sha256 = download.source, download.sha256
    try:
        plan = plan_refresh(
            current,
            _parse(download.data),
            source=download.source,
            today=now.date(),
            accepted=accepted,
        )
    except RejectedDownload as exc:
        base.status = "rejected"
        base.message = f"Rejected the download from {host_of(download.source)} ({exc}): {unchanged}"
        return base
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        # a registry shaped in a way no guard foresaw: refused whole, like any bad download
        base.status = "rejected"
        base.message = (
            f"Rejected the download from {host_of(download.source)} (its layout is not a "
            f"registry's: {type(exc).__name__}: {exc}): {unchanged}"
        )
        return base
    fence = Fence(paths, lock, planned_from)
    return conclude(plan, base, download, dry_run, fence, unchanged, summary(plan, "the registry"))


def conclude(
    plan: Plan,
    base: RefreshResult,
    download: Download,
    dry_run: bool,
    fence: Fence,
    unchanged: str,
    summary: str,
    done: str = "",
) -> RefreshResult:
    """What a planned refresh did: a dry run says what it would do; else the plan is saved
    (`save`, fenced) and the message says `done` ("Prices as of <date>" unless given): summary."""
    result = replace(
        base,
        status="dry-run" if dry_run else ("applied" if plan.applied else "unchanged"),
        source=download.source,
        sha256=download.sha256,
        as_of=base.as_of if dry_run else plan.catalog.as_of,
        applied=plan.applied,
        held_back=plan.held_back,
        vanished=plan.vanished,
        kept=plan.kept,
        unused_accepts=plan.unused_accepts,
        models_in_download=plan.models_in_download,
        not_in_catalog=plan.not_in_catalog,
        catalog=base.catalog if dry_run else plan.catalog,
    )
    if dry_run:
        result.message = f"Dry run, nothing saved: {summary.replace('applied', 'to apply', 1)}."
        return result
    failed = save(fence, result, plan, download, base, unchanged)
    if failed is not None:
        return failed
    result.message = f"{done or f'Prices as of {result.as_of.isoformat()}'}: {summary}."
    return result


@dataclass(frozen=True)
class Fence:
    """Where a refresh saves, and what must still hold when it does: its lock, and the store as
    it was when the plan was made (`fingerprint`)."""

    paths: StorePaths
    lock: StoreLock | None
    planned_from: tuple


def save(
    fence: Fence,
    result: RefreshResult,
    plan: Plan,
    download: Download,
    base: RefreshResult,
    unchanged: str,
) -> RefreshResult | None:
    """Save a planned refresh as one transaction, fenced: only while the fence's lock is still held
    and the store is still what the plan was made from. None when saved; else `base`, failed,
    saying why, the store as it was."""
    paths = fence.paths
    lost = _lost_fence(paths, fence.lock, fence.planned_from)
    if lost:
        base.status = "failed"
        base.message = f"Not saved: {lost}. Prices unchanged by this refresh; run it again."
        return base
    try:
        _commit(paths, result, plan, download)
    except OSError as exc:
        base.status = "failed"
        base.message = f"Could not save to {paths.catalog.parent} ({exc.strerror or exc}): {unchanged}"
        return base
    return None


def _lost_fence(paths: StorePaths, lock: StoreLock | None, planned_from: tuple) -> str:
    """Why this refresh may no longer save ("" when it may)."""
    if lock is not None and not lock.held():
        return (
            f"this refresh ran past the lock's time limit and another refresh took over "
            f"{paths.catalog.parent}"
        )
    try:
        if fingerprint(paths) != planned_from:
            return f"the price store {paths.catalog.parent} changed while this refresh ran"
    except OSError as exc:
        return f"the price store {paths.catalog.parent} could not be re-read ({exc.strerror or exc})"
    return ""


# ---------------------------------------------------------------- text report (CLI, status cells)


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def report_lines(result: RefreshResult) -> list[str]:
    """What changed (model, field, old -> new), what was held back and why, and the as-of date."""
    lines = [result.message]
    if not result.ok:
        return lines
    if result.applied:
        title = "Would change:" if result.status == "dry-run" else "Changed:"
        lines.append(title)
        for c in result.applied:
            note = f"  ({c.note})" if c.note else ""
            lines.append(f"  {c.model} {c.field}: {_fmt(c.old)} -> {_fmt(c.new)}{note}")
    if result.held_back:
        lines.append("Held back (not applied):")
        for h in result.held_back:
            new = _fmt(h.new) if h.new is not None else h.raw
            how = f"; apply with --accept {h.key}" if h.acceptable else "; cannot be accepted"
            lines.append(f"  {h.key}: {_fmt(h.old)} -> {new}  ({h.reason}{how})")
    if result.vanished:
        lines.append("Not in the download (rates kept):")
        lines.extend(f"  {v}" for v in result.vanished)
    if result.not_in_catalog:
        lines.append("Priced by the source but not in the catalog (skipped):")
        lines.extend(f"  {m}: not in catalog" for m in result.not_in_catalog)
    if result.unused_accepts:
        lines.append(
            "--accept matched no held-back change (give MODEL.FIELD as listed under 'Held back', "
            "e.g. gpt-4o.input): " + ", ".join(result.unused_accepts)
        )
    lines.append(f"Prices as of {result.as_of.isoformat()} (source {result.source}).")
    return lines
