"""`ft-breakeven prices MODEL --history`: a model's dated change points and where each came from."""

from __future__ import annotations

import sys
from typing import TextIO

from pricing.prices.catalog import Catalog, UnknownModelError
from pricing.prices.decline import family_of, measure
from pricing.prices.history import PriceHistory

SHOWN = (
    ("in", "input"),
    ("out", "output"),
    ("cache", "cached_input"),
    ("b.in", "batch_input"),
    ("b.out", "batch_output"),
)


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.4g}"


def write_history(catalog: Catalog, history: PriceHistory, model_ids: list[str], out: TextIO) -> int:
    if not model_ids:
        print("ft-breakeven prices --history: name the models, e.g. prices gpt-4o --history", file=sys.stderr)
        return 2
    try:
        entries = [catalog.get(m) for m in model_ids]
    except UnknownModelError as exc:
        print(f"ft-breakeven prices: {exc}", file=sys.stderr)
        return 2
    for entry in entries:
        if not history.has(entry.id):
            print(f"{entry.id}: no price history (the LiteLLM registries never listed it)", file=out)
            continue
        print(f"{entry.id} ({entry.vendor}): rates in USD per 1M tokens from each date on", file=out)
        print(
            f"  {'from':<10} " + " ".join(f"{h:>7}" for h, _ in SHOWN) + "  source (registry key)",
            file=out,
        )
        for p in history.series(entry.id):
            rates = " ".join(f"{_num(p.rates.get(f)):>7}" for _, f in SHOWN)
            print(f"  {p.date.isoformat():<10} {rates}  {p.source} ({p.key})", file=out)
        family = family_of(entry.id)
        if family:
            fit = measure(history, family, catalog.as_of)
            print(f"  {family} prices: {fit.describe()}", file=out)
        print(file=out)
    print(f"History starts {history.start}; '-' = the registry did not publish that rate then.", file=out)
    return 0
