"""What a vendor price API read yields, and the time limit every such read runs under.

pricing.prices.sources.azure and pricing.prices.sources.aws turn a vendor's own price list into VendorRate
rows (catalog id, catalog field, value in the catalog's unit); pricing.prices.vendor_plan judges and
applies them. A read has one overall deadline (Deadline) on top of fetch's per-read timeouts:
a server that drips bytes, or pages that never end, stop the read at the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from pricing.prices.fetch import Download, FetchError, Progress, host_of

DEADLINE = 300.0  # seconds for the whole read of one vendor (every page, every byte)
Fetcher = Callable[..., Download]  # pricing.prices.fetch.fetch, or the workbook's browser fetch


@dataclass(frozen=True)
class VendorRate:
    """One published price, mapped to a catalog field (value None: not usable, reason says why)."""

    model: str  # catalog id
    field: str  # catalog field, e.g. "training_per_1m"
    value: float | None  # in the catalog's unit: USD per 1M tokens, per hour or per month
    raw: str  # as published, e.g. "0.0015 USD per 1K"
    meter: str  # the vendor's name for it (Azure skuName, AWS usagetype)
    reason: str = ""


@dataclass
class VendorPrices:
    """Everything one read of a vendor API produced."""

    api: str  # "Azure Retail Prices API"
    source: str  # the first URL (or file) read
    sha256: str  # of every byte read, in order
    rows: int  # price rows (Azure items, AWS products) read
    rates: list[VendorRate] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (catalog id, what is absent)
    summary: bytes = b""  # the rows used, as JSON: saved as the vendor's last-good file

    @property
    def label(self) -> str:
        """Provenance text for the catalog: the API's name and where it was read."""
        return f"{self.api}: {self.source}"


class Deadline:
    """An overall time limit for a read; its `progress` stops a download that runs past it."""

    def __init__(self, seconds: float = DEADLINE, progress: Progress | None = None):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.outer = progress

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def check(self, source: str) -> None:
        if self.remaining() <= 0:
            raise FetchError(
                f"Gave up on {host_of(source)} after {self.seconds:g} s (the refresh's time limit)",
                "offline",
                host_of(source),
            )

    def progress_for(self, source: str) -> Progress:
        """A fetch progress callback that also enforces the deadline at every chunk."""

        def progress(received: int, total: int | None) -> None:
            self.check(source)
            if self.outer:
                self.outer(received, total)

        return progress

    def fetch(self, fetcher: Fetcher, source: str, max_bytes: int) -> Download:
        """One download within what is left of the time limit (checked before and at every chunk)."""
        self.check(source)
        progress = self.progress_for(source)
        return fetcher(source, progress=progress, timeout=self.timeout(), max_bytes=max_bytes)

    def timeout(self, per_read: float = 30.0, connect: float = 10.0) -> httpx.Timeout:
        """fetch's usual timeouts, never longer than what is left."""
        left = max(0.1, self.remaining())
        return httpx.Timeout(min(per_read, left), connect=min(connect, left))
