"""Build the bundled price history from LiteLLM registries published on PyPI (for maintainers).

    python -m pricing.prices.history_build                 # one release a month, 2023 to today
    python -m pricing.prices.history_build --release litellm==1.56.6 --release litellm==1.110.2

Every LiteLLM wheel ships its registry (litellm/model_prices_and_context_window_backup.json).
A release is dated by its wheel's upload time on the package index (PEP 700 "upload-time" in the
index's JSON project page, the page pip itself reads): LiteLLM builds wheels with poetry, whose
files all carry the fixed mtime 2016-01-01, so the wheel's own timestamps cannot date it.
Months with no LiteLLM release on the index (1.15-1.52, Dec 2023 - Nov 2024, are not there) are
filled from tokencost, whose wheels ship a copy of the same registry (tokencost/model_prices.json).
Wheels are downloaded one at a time with `pip download` and deleted once their registry is read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from packaging.version import InvalidVersion, Version

from pricing.prices.history import HISTORY_FIELDS, HISTORY_FILE, History, load_history_models
from pricing.prices.snapshot import DATA
from pricing.prices.sources.litellm import parse_registry

INDEX_URL = "https://pypi.org/simple"
# package -> the registry file inside its wheel
REGISTRY_FILES = {
    "litellm": "litellm/model_prices_and_context_window_backup.json",
    "tokencost": "tokencost/model_prices.json",
}
FIRST_MONTH = "2023-08"  # LiteLLM's first wheels with a registry inside


@dataclass(frozen=True)
class Release:
    package: str
    version: str
    date: date  # upload date of the wheel on the index
    wheel: str

    @property
    def name(self) -> str:
        return f"{self.package} {self.version}"


def index_wheels(package: str, index_url: str = INDEX_URL) -> list[Release]:
    """Every final-release wheel of a package with its upload date, from the index's JSON page."""
    request = urllib.request.Request(
        f"{index_url.rstrip('/')}/{package}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        page = json.load(response)
    out = []
    for f in page.get("files", []):
        name, uploaded = f.get("filename", ""), f.get("upload-time")
        if not name.endswith(".whl") or not uploaded or f.get("yanked"):
            continue
        try:
            version = Version(name.split("-")[1])
        except (IndexError, InvalidVersion):
            continue
        if version.is_prerelease or version.is_devrelease or version.is_postrelease:
            continue
        out.append(Release(package, str(version), date.fromisoformat(uploaded[:10]), name))
    return sorted(out, key=lambda r: (r.date, Version(r.version)))


def monthly(releases: dict[str, list[Release]], first: str = FIRST_MONTH) -> list[Release]:
    """The first LiteLLM release of each month; tokencost's first where LiteLLM has none; and
    the newest LiteLLM release (the bundled catalog's source)."""
    picked: dict[str, Release] = {}
    for package in ("litellm", "tokencost"):  # litellm first: it wins any month it has
        for r in releases.get(package, []):
            month = r.date.isoformat()[:7]
            if month >= first and month not in picked:
                picked[month] = r
    chosen = list(picked.values())
    newest = releases.get("litellm", [])[-1:]
    return sorted({*chosen, *newest}, key=lambda r: r.date)


def download_registry(release: Release, workdir: Path, keep: Path | None = None) -> tuple[dict, str]:
    """Download one wheel with pip, return its registry dict and the wheel's sha256; the wheel
    is deleted before returning. With `keep`, the registry (and digest) is saved there and
    reused next time instead of downloading again."""
    kept = keep / f"{release.package}-{release.version}.json" if keep else None
    if kept is not None and kept.exists():
        saved = json.loads(kept.read_text(encoding="utf-8"))
        return saved["registry"], saved["sha256"]
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:"]
        cmd += [f"{release.package}=={release.version}", "-d", tmp]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        wheel = next(Path(tmp).glob("*.whl"))
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        with zipfile.ZipFile(wheel) as z:
            raw = z.read(REGISTRY_FILES[release.package])
    registry = json.loads(raw)
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps({"sha256": digest, "registry": registry}), encoding="utf-8")
    return registry, digest


def rates_of(rows: dict, keys: list[str]) -> tuple[str, list] | None:
    """The first of `keys` the registry has with a positive input and output rate, and its
    rates (rows priced per character, or 0 as a placeholder, are not per-token prices)."""
    for key in keys:
        row = rows.get(key)
        if row is not None and row.input and row.output:
            return key, [getattr(row, f) for f in HISTORY_FIELDS]
    return None


def build_history(registries: list[tuple[Release, dict, str]], models: dict | None = None) -> dict:
    """Change points of every mapped model across dated registries (oldest first).

    A point is written when a model first appears or any of its rates changes. A model missing
    from a later registry keeps its last rates (registries drop retired models; copies lag).
    """
    models = models or load_history_models()
    keys = {**models["catalog"], **{k: v["keys"] for k, v in models["reference"].items()}}
    releases, points = [], {model: [] for model in keys}
    last: dict[str, list] = {}
    for release, data, digest in sorted(registries, key=lambda x: x[0].date):
        index = len(releases)
        releases.append(
            {
                "name": release.name,
                "date": release.date.isoformat(),
                "dated_by": f"upload time of {release.wheel} on {INDEX_URL}",
                "file": REGISTRY_FILES[release.package],
                "sha256": digest,
            }
        )
        rows = parse_registry(data)
        for model, model_keys in keys.items():
            found = rates_of(rows, model_keys)
            if found is None or found[1] == last.get(model):
                continue
            last[model] = found[1]
            points[model].append([release.date.isoformat(), index, found[0], *found[1]])
    return {
        "_comment": (
            "LiteLLM registry rates (USD per 1M tokens) of catalog and reference models: change"
            " points only. A point [date, release, registry key, *fields] holds from its date until"
            " the next. Built by `python -m pricing.prices.history_build`; models/keys/families in"
            " history_models.json."
        ),
        "fields": list(HISTORY_FIELDS),
        "releases": releases,
        "points": {m: p for m, p in points.items() if p},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m pricing.prices.history_build", description=__doc__.split("\n")[0]
    )
    p.add_argument(
        "--release", action="append", default=[], help="PACKAGE==VERSION (repeatable); default: monthly"
    )
    p.add_argument("--index-url", default=INDEX_URL)
    p.add_argument("--keep-registries", type=Path, help="folder to save (and reuse) the extracted registries")
    p.add_argument("--out", default=str(Path(str(DATA)) / HISTORY_FILE))
    args = p.parse_args(argv)
    wheels = {pkg: index_wheels(pkg, args.index_url) for pkg in REGISTRY_FILES}
    if args.release:
        by_name = {f"{r.package}=={r.version}": r for rs in wheels.values() for r in rs}
        unknown = [x for x in args.release if x not in by_name]
        if unknown:
            print(f"history_build: --release {unknown[0]} is not on {args.index_url}", file=sys.stderr)
            return 2
        chosen = [by_name[x] for x in args.release]
    else:
        chosen = monthly(wheels)
    registries = []
    with tempfile.TemporaryDirectory() as work:
        for release in chosen:  # one at a time: the machine is shared, wheels are 10-40 MB
            try:
                data, digest = download_registry(release, Path(work), args.keep_registries)
            except (subprocess.CalledProcessError, KeyError, StopIteration, ValueError) as exc:
                print(f"skipped {release.name} ({release.date}): {type(exc).__name__}", file=sys.stderr)
                continue
            print(f"{release.date} {release.name}: {len(data)} registry rows", file=sys.stderr)
            registries.append((release, data, digest))
    history = build_history(registries)
    text = json.dumps(history, separators=(",", ":"))
    Path(args.out).write_text(text.replace('],"', '],\n"').replace("[[", "[\n["), encoding="utf-8")
    History.model_validate(history)  # what the product will read
    n = sum(len(p) for p in history["points"].values())
    print(f"wrote {args.out}: {len(registries)} releases, {n} change points, {len(text):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
