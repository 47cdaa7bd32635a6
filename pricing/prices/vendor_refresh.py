"""Refresh fine-tuning prices from a vendor's own price API, as the LiteLLM refresh does rates.

    result = refresh_vendor("azure")                  # AZURE_URL or $FT_BREAKEVEN_AZURE_URL
    result = refresh_vendor("aws", "index.json", accepted={"nova-pro.training_per_1m"})
    results = refresh_from("all")                     # LiteLLM, then Azure, then AWS

Same lock, guards, changelog and fenced all-or-nothing store transaction as pricing.prices.refresh
(reused: refresh.locked takes the lock, refresh.conclude saves fenced and words the result). What
the read used is saved as <vendor>-last-good.json and what was held back as
held-back-<vendor>.json, beside the LiteLLM refresh's own files. Never raises for an expected
failure: the result's status and one-sentence message say what happened, and the store is
untouched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pricing.prices import refresh as registry_refresh
from pricing.prices.fetch import Download, FetchError, Progress, host_of
from pricing.prices.guards import RejectedDownload
from pricing.prices.refresh import RefreshResult, StorePaths
from pricing.prices.sources import aws, azure
from pricing.prices.sources.vendor import DEADLINE, Deadline, VendorPrices
from pricing.prices.store import load_catalog, store_dir
from pricing.prices.store_lock import StoreLock
from pricing.prices.vendor_plan import plan_vendor

SOURCES = ("litellm", "azure", "aws")  # what `refresh --from` takes, besides "all"


@dataclass(frozen=True)
class Vendor:
    name: str  # "azure"
    title: str  # for messages: "Azure"
    url: str
    env: str  # overrides url
    read: Callable[..., VendorPrices]


VENDORS = {
    "azure": Vendor("azure", "Azure", azure.AZURE_URL, azure.SOURCE_ENV, azure.read_azure),
    "aws": Vendor("aws", "AWS", aws.AWS_URL, aws.SOURCE_ENV, aws.read_aws),
}


def default_source(name: str) -> str:
    vendor = VENDORS[name]
    return os.environ.get(vendor.env) or vendor.url


def _paths(store: str | Path | None, name: str) -> StorePaths:
    folder = store_dir(store)
    return replace(
        StorePaths.of(store),
        last_good=folder / f"{name}-last-good.json",
        held_back=folder / f"held-back-{name}.json",
    )


def refresh_vendor(
    name: str,
    source: str | None = None,
    *,
    store: str | Path | None = None,
    accepted: Iterable[str] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
    deadline: float = DEADLINE,
) -> RefreshResult:
    """Refresh the store's fine-tuning prices from vendor `name` ("azure" or "aws")."""
    source = source or default_source(name)
    now = now or datetime.now(UTC)

    def run(lock: StoreLock | None) -> RefreshResult:
        return _refresh_locked(VENDORS[name], source, store, accepted, dry_run, progress, now, deadline, lock)

    return registry_refresh.locked(store, dry_run, run, source, now)


def _refresh_locked(
    vendor: Vendor,
    source: str,
    store: str | Path | None,
    accepted: Iterable[str],
    dry_run: bool,
    progress: Progress | None,
    now: datetime,
    deadline: float,
    lock: StoreLock | None,
) -> RefreshResult:
    paths = _paths(store, vendor.name)
    planned_from = registry_refresh.fingerprint(paths)
    current = load_catalog(store)
    base = RefreshResult.start(source, current, now)
    unchanged = "prices unchanged."
    # Looked up at call time: xl_addin.lite_fetch swaps pricing.prices.refresh.fetch for the browser's.
    fetcher = registry_refresh.fetch
    try:
        prices = vendor.read(source, deadline=Deadline(deadline, progress), fetcher=fetcher)
    except FetchError as exc:
        base.status = "unreachable" if exc.kind == "offline" else "rejected"
        base.message = f"{exc}: {vendor.title} {unchanged}"
        return base
    except RejectedDownload as exc:
        base.status = "rejected"
        base.message = f"Rejected the {vendor.title} prices from {host_of(source)} ({exc}): {unchanged}"
        return base
    plan = plan_vendor(current, prices, today=now.date(), accepted=accepted)
    download = Download(prices.summary, prices.source, prices.sha256)
    fence = registry_refresh.Fence(paths, lock, planned_from)
    return registry_refresh.conclude(
        plan,
        base,
        download,
        dry_run,
        fence,
        unchanged,
        f"{vendor.title} {registry_refresh.summary(plan, 'the download')} ({prices.rows:,} price rows read)",
        f"{vendor.title} fine-tuning prices read {now.date().isoformat()}",
    )


def refresh_from(
    which: str, source: str | None = None, *, accepted: Iterable[str] = (), **options: Any
) -> list[RefreshResult]:
    """One result per source refreshed: "litellm", "azure", "aws" or "all" (in that order)."""
    names = SOURCES if which == "all" else (which,)
    if which == "all" and source:
        raise ValueError("--source names one source's file or URL; it cannot go with --from all")
    accepted = list(accepted)
    results = [
        registry_refresh.refresh(source, accepted=accepted, **options)
        if name == "litellm"
        else refresh_vendor(name, source, accepted=accepted, **options)
        for name in names
    ]
    if len(results) > 1:  # an accept is unmatched only if no source used it
        unused = set.intersection(*(set(r.unused_accepts) for r in results))
        for r in results:
            r.unused_accepts = [a for a in r.unused_accepts if a in unused] if r is results[-1] else []
    return results
