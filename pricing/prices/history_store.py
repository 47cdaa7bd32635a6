"""The price history as the user's store has it: the bundled history extended by the store's
changelog (every change a refresh applied is one more change point). Kept apart from
pricing.prices.history, which reads only the bundled files, so the model never reaches the store.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pricing.prices.changelog import CHANGELOG_FILE, read_changelog
from pricing.prices.history import PriceHistory, bundled_history
from pricing.prices.store import store_dir


def load_history(store: str | Path | None = None) -> PriceHistory:
    """The bundled history extended by the store's changelog."""
    path = store_dir(store) / CHANGELOG_FILE
    try:
        st = path.stat()
    except OSError:
        return bundled_history()
    return _extended(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=4)
def _extended(path: str, mtime_ns: int, size: int) -> PriceHistory:
    """Keyed on the changelog's stat: FT_PRICE asks per cell, the log changes only on refresh."""
    return bundled_history().with_changes(read_changelog(path))
