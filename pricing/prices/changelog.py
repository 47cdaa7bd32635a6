"""The append-only price changelog: JSON Lines in the store, one applied change per line.

Each record: timestamp (UTC ISO 8601), model, field, old, new, source (URL or file), sha256 of
the download. An append either lands whole or not at all: on any error the file is cut back to
its previous length. Nothing here ever rewrites or deletes earlier lines.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pricing.prices.bounded import read_bytes

CHANGELOG_FILE = "changelog.jsonl"
MAX_CHANGELOG_BYTES = 100 * 1024 * 1024  # ~400,000 changes; reading more raises ReadRefused
CHANGELOG_FIELDS = ("timestamp", "model", "field", "old", "new", "source", "sha256")


@dataclass(frozen=True)
class ChangeRecord:
    timestamp: str
    model: str
    field: str
    old: Any
    new: Any
    source: str
    sha256: str

    def as_row(self) -> list[Any]:
        return [getattr(self, f) for f in CHANGELOG_FIELDS]


def append_changelog(path: str | Path, records: list[ChangeRecord]) -> None:
    """Append records as JSON lines, all or nothing (the file is truncated back on failure)."""
    if not records:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = "".join(
        json.dumps(asdict(r), ensure_ascii=False, allow_nan=False) + "\n" for r in records
    ).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        start = os.lseek(fd, 0, os.SEEK_END)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException:
            os.ftruncate(fd, start)
            raise
    finally:
        os.close(fd)


def read_changelog(path: str | Path) -> list[ChangeRecord]:
    """Every record of the changelog (an absent file is an empty log; bad lines are skipped;
    a file above MAX_CHANGELOG_BYTES raises pricing.prices.bounded.ReadRefused)."""
    path = Path(path)
    if not path.exists():
        return []
    out = []
    text = read_bytes(path, MAX_CHANGELOG_BYTES).decode("utf-8", errors="replace")
    for line in text.splitlines():
        try:
            raw = json.loads(line)
            out.append(ChangeRecord(**{f: raw[f] for f in CHANGELOG_FIELDS}))
        except (ValueError, KeyError, TypeError):
            continue
    return out
