"""Where prices live: the bundled snapshot and the user's writable store.

The store (FT_BREAKEVEN_HOME or the platform data dir) holds the catalog of the last refresh.
Reading it must never break a worksheet: a bad file warns and falls back to the bundled one.
"""

from __future__ import annotations

import functools
import os
import tempfile
import warnings
from importlib import resources
from pathlib import Path

import platformdirs

from pricing.prices.bounded import read_bytes
from pricing.prices.catalog import Catalog

APP_NAME = "ft-breakeven"
ENV_HOME = "FT_BREAKEVEN_HOME"
CATALOG_FILE = "catalog.json"
MAX_CATALOG_BYTES = 20 * 1024 * 1024  # the catalog is ~60 KB; a bigger file is not ours

# (path, mtime_ns, size) -> Catalog; UDFs call load_catalog per cell, so re-parsing must be rare.
_cache: dict[tuple[str, int, int], Catalog] = {}


def store_dir(explicit: str | Path | None = None) -> Path:
    """The store folder: explicit argument, else $FT_BREAKEVEN_HOME, else the platform data dir."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def store_catalog_path(store: str | Path | None = None) -> Path:
    return store_dir(store) / CATALOG_FILE


@functools.cache
def bundled_catalog() -> Catalog:
    """The snapshot shipped in pricing/data (shared instance: treat it as read-only)."""
    text = (resources.files("pricing") / "data" / CATALOG_FILE).read_text(encoding="utf-8")
    return Catalog.model_validate_json(text)


def load_catalog(store: str | Path | None = None) -> Catalog:
    """The store's catalog if present and valid, else the bundled one (with a warning if bad)."""
    path = store_catalog_path(store)
    try:
        st = path.stat()
    except OSError:
        return bundled_catalog()
    key = (str(path), st.st_mtime_ns, st.st_size)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        catalog = Catalog.model_validate_json(read_bytes(path, MAX_CATALOG_BYTES))
    except (OSError, ValueError) as exc:  # ValidationError and ReadRefused are ValueErrors
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        warnings.warn(
            f"price store {path} is unreadable ({first_line}); using the bundled catalog",
            RuntimeWarning,
            stacklevel=2,
        )
        catalog = bundled_catalog()
    # Cache the fallback too, so a bad file warns once per version, not once per cell.
    _cache.clear()
    _cache[key] = catalog
    return catalog


def save_catalog_atomic(catalog: Catalog, path: str | Path) -> Path:
    """Write catalog JSON to path via a temp file in the same folder: readers see old or new."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(catalog.model_dump_json(indent=1))
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _cache.clear()
    return path
