"""Benchmark: a whole refresh of a full-size registry against a bare json.loads of its bytes.

    python bench/bench_refresh.py [--repeat 15] [--registry FILE]

Uses $FT_BREAKEVEN_REAL_REGISTRY (default /tmp/ft-breakeven-registry-1.110.2.json, which .ci/run
extracts from the litellm 1.110.2 wheel; ~3.5 MB) when present, else generates a file
of the same size from the bundled catalog plus filler models. Timed: parse + download guard +
diff + value guards (plan_refresh) and the store transaction (catalog saved atomically,
changelog appended, last-good and held-back files written, each fsync'ed), starting from the
bytes in memory (SHA-256 included). Floor: json.loads of the same bytes. Prints medians of
interleaved rounds and the ratios (goal <= 5x).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import interleaved, machine  # noqa: E402

from pricing.prices.fetch import Download  # noqa: E402
from pricing.prices.refresh import RefreshResult, StorePaths, _commit, _parse, plan_refresh  # noqa: E402
from pricing.prices.store import bundled_catalog  # noqa: E402

REAL = Path(os.environ.get("FT_BREAKEVEN_REAL_REGISTRY", "/tmp/ft-breakeven-registry-1.110.2.json"))


def generated() -> bytes:
    from tests.test_refresh_support import encode, registry_dict

    data = registry_dict(fillers=4900)
    for i in range(4900):  # real rows carry ~25 keys; pad to the real file's ~3.5 MB
        data[f"filler/model-{i}"].update(
            {f"supports_feature_{k}": True for k in range(18)}, source="https://example.org/p"
        )
    return encode(data)


def one_refresh(raw: bytes, store: Path, n: int) -> None:
    catalog = bundled_catalog()
    digest = hashlib.sha256(raw).hexdigest()
    data = _parse(raw)
    # Move one price so every run has a change to log (and the diff does real work).
    key = "gpt-4o"
    if isinstance(data.get(key), dict):
        data[key] = copy.copy(data[key])
        data[key]["input_cost_per_token"] = data[key].get("input_cost_per_token", 2.5e-6) * (
            1 + (n % 5 + 1) / 100
        )
    now = datetime.now(UTC)
    plan = plan_refresh(catalog, data, source="bench", today=now.date())
    result = RefreshResult(
        "applied",
        "",
        "bench",
        catalog.as_of,
        plan.catalog.as_of,
        timestamp=now.isoformat(timespec="seconds"),
        sha256=digest,
        applied=plan.applied,
    )
    _commit(StorePaths.of(store), result, plan, Download(raw, "bench", digest))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--registry", type=Path, default=REAL if REAL.exists() else None)
    args = p.parse_args(argv)
    raw = args.registry.read_bytes() if args.registry else generated()
    label = str(args.registry) if args.registry else "generated"
    n_models = len(json.loads(raw))
    with tempfile.TemporaryDirectory() as tmp:
        one_refresh(raw, Path(tmp), 0)  # warm-up (imports, first file creation)
        counter = iter(range(1, 10**9))
        t = interleaved(
            {
                "floor": lambda: json.loads(raw),
                "plan": lambda: plan_refresh(
                    bundled_catalog(), json.loads(raw), source="b", today=datetime.now(UTC).date()
                ),
                "full": lambda: one_refresh(raw, Path(tmp), next(counter)),
            },
            args.repeat,
            warm_up=False,
        )
        floor, plan_only, full = t["floor"], t["plan"], t["full"]
    print(machine())
    print(f"registry: {label}, {len(raw) / 1e6:.2f} MB, {n_models:,} keys")
    print(f"median of {args.repeat} interleaved rounds")
    print(f"json.loads (floor):               {floor * 1e3:7.1f} ms")
    print(f"parse + guard + diff:             {plan_only * 1e3:7.1f} ms  ({plan_only / floor:.2f}x)")
    print(f"parse + guard + diff + save/log:  {full * 1e3:7.1f} ms  ({full / floor:.2f}x)")
    print("goal: within 5x of the floor:", "met" if full <= 5 * floor else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
