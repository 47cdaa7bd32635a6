"""One refresh at a time per price store: a lock file created exclusively, removed on exit.

Two refreshes that overlap would both plan from the same old catalog, and the later save would
drop what the earlier one applied while the changelog still lists it. The lock makes the second
one wait its turn: it fails at once with a sentence saying why, and nothing is written.
A lock left by a crashed refresh is taken over once it is older than STALE_AFTER.

The lock is fenced: its file holds a token unique to the holder, and `StoreLock.held()` tells a
refresh that outlived STALE_AFTER (and lost its lock to a takeover) that it may no longer save.
Only the holder removes the file, so a late finisher never deletes its successor's lock.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = "refresh.lock"
STALE_AFTER = 15 * 60  # seconds; a refresh takes seconds, its download at most a few minutes


class StoreBusy(RuntimeError):
    """Another refresh holds the store; str(e) is a sentence for the user."""


@dataclass(frozen=True)
class StoreLock:
    """A held lock: its file and the token written into it."""

    path: Path
    token: str

    def held(self) -> bool:
        """Whether the lock file is still ours (not removed, not taken over as stale)."""
        try:
            return self.token in self.path.read_text(encoding="utf-8")
        except (OSError, ValueError):
            return False

    def exists(self) -> bool:
        return self.path.exists()


def _take(path: Path) -> int:
    return os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)


@contextlib.contextmanager
def store_lock(folder: str | Path, now: float | None = None) -> Iterator[StoreLock]:
    """Hold `folder`/refresh.lock for the block, or raise StoreBusy."""
    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_FILE
    try:
        fd = _take(path)
    except FileExistsError:
        age = (now or time.time()) - _mtime(path)
        if age < STALE_AFTER:
            since = datetime.fromtimestamp(_mtime(path), UTC).strftime("%H:%M:%S UTC")
            raise StoreBusy(
                f"another refresh has been updating {folder} since {since}; try again when it "
                f"ends (if none is running, delete {path})"
            ) from None
        path.unlink(missing_ok=True)  # left by a refresh that crashed: take it over
        try:
            fd = _take(path)
        except FileExistsError:  # another process took it over first
            raise StoreBusy(
                f"another refresh has just started updating {folder}; try again when it ends"
            ) from None
    lock = StoreLock(path, uuid.uuid4().hex)
    try:
        with os.fdopen(fd, "w") as fh:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            fh.write(f"pid {os.getpid()} at {stamp} token {lock.token}\n")
        yield lock
    finally:
        if lock.held():  # a takeover's lock belongs to the refresh that took it
            path.unlink(missing_ok=True)
        if created:  # a refresh that wrote nothing leaves no empty store behind
            with contextlib.suppress(OSError):
                folder.rmdir()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile: as good as stale
        return 0.0
