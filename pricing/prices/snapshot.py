"""Build the bundled catalog: LiteLLM registry + curated fine-tuning file + model list.

    python -m pricing.prices.snapshot REGISTRY.json --litellm-version 1.110.2 --as-of 2026-11-28

Merge rules (research/PRICING.md): the registry's own cached/batch fields win; where absent they
are inferred with a named rule, as the seed's pricing table does. Fine-tuning rates come only from
the curated file; fine-tuned inference from the ft: registry row, else curated, else base rates.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from importlib import resources
from pathlib import Path

from pricing.prices.catalog import (
    BILLING_FIELDS,
    FINE_TUNING_FIELDS,
    FT_INFERENCE_FIELDS,
    INFERENCE_FIELDS,
    Catalog,
    FieldSource,
    FieldStatus,
    GpuRate,
    ModelEntry,
    VendorNote,
)
from pricing.prices.sources.litellm import REGISTRY_URL, RegistryRow, parse_registry

DATA = resources.files("pricing") / "data"
DEFAULT_CACHED_RATIO = 0.10
BATCH_RATIO = 0.50
BASE_RATES_RULE = "tuned model billed at base rates"
CURATED_KEYS = (
    *FINE_TUNING_FIELDS,
    "jobs_available_until",
    "shutdown_date",
    "fine_tuning_source",
    "fine_tuning_verified",
    "fine_tuning_state",
    "retired_date",
    "retired_reason",
    "serving_gpu",
)


def load_data(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def registry_source(version: str | None) -> str:
    return f"{REGISTRY_URL} (litellm {version})" if version else REGISTRY_URL


def _r(x: float) -> float:
    return round(x, 6) + 0.0


def _infer(rates: dict, status: dict, prefix: str, cached_ratio: float) -> None:
    """Fill missing cached/batch rates from input/output with the seed's named rules."""
    inp, out = rates.get(prefix + "input"), rates.get(prefix + "output")
    rules = (
        ("cached_input", inp, cached_ratio, f"cached = {cached_ratio * 100:g}% of input"),
        ("batch_input", inp, BATCH_RATIO, "batch input = 50% of input"),
        ("batch_output", out, BATCH_RATIO, "batch output = 50% of output"),
    )
    for field, base, ratio, rule in rules:
        if rates.get(prefix + field) is None and base is not None:
            rates[prefix + field] = _r(base * ratio)
            status[prefix + field] = FieldStatus(status="inferred", rule=rule)


def _base_rates(model: dict, row: RegistryRow | None, source: str, status: dict) -> tuple:
    if row is not None:
        return {f: getattr(row, f) for f in INFERENCE_FIELDS}, source
    fallback = model.get("fallback")
    if not fallback:
        return {}, ""
    rates = {f: fallback.get(f) for f in INFERENCE_FIELDS}
    for f, v in rates.items():
        if v is not None:
            status[f] = FieldStatus(status="unverified", rule=fallback["reason"])
    return rates, fallback["source"]


def _billing(model: dict, row: RegistryRow | None) -> dict:
    """Cache-write, long-context, tier and residency rates: the registry's, else curated in
    models.json ("billing", each field with its source in field_sources)."""
    curated = model.get("billing", {})
    out = {f: getattr(row, f) if row is not None else None for f in BILLING_FIELDS}
    return {f: out[f] if out[f] is not None else curated.get(f) for f in BILLING_FIELDS}


def _ft_rates(model: dict, rows: dict, cur: dict, rates: dict, status: dict, ratio: float) -> None:
    """Fine-tuned inference: ft: registry row, else curated, else the base model's rates."""
    ft_row = rows.get(model.get("ft_registry_key") or "")
    for f in FT_INFERENCE_FIELDS:
        value = getattr(ft_row, f.removeprefix("ft_")) if ft_row else None
        rates[f] = value if value is not None else cur.get(f)
    if ft_row is not None or any(rates[f] is not None for f in FT_INFERENCE_FIELDS):
        _infer(rates, status, "ft_", ratio)
        return
    base_note = cur.get("ft_base_status")
    for f in FT_INFERENCE_FIELDS:
        base_field = f.removeprefix("ft_")
        rates[f] = rates.get(base_field)
        if rates[f] is None:
            continue
        if base_note:
            status[f] = FieldStatus(**base_note)
            continue
        rule = BASE_RATES_RULE
        if base_field in status:  # keep the base field's own caveat visible
            rule += f"; base: {status[base_field].rule}"
        status[f] = FieldStatus(status="inferred", rule=rule)


def build_entry(model: dict, rows: dict, cur: dict | None, as_of: date, source: str) -> ModelEntry:
    status: dict[str, FieldStatus] = {}
    row = rows.get(model.get("registry_key") or "")
    rates, inference_source = _base_rates(model, row, source, status)
    ratio = model.get("cached_ratio", DEFAULT_CACHED_RATIO)
    _infer(rates, status, "", ratio)
    notes = [model.get("notes", "")]
    if row is None and model.get("registry_key"):
        notes.append(f"registry key {model['registry_key']!r} missing from this registry")
    extra: dict = {}
    if cur is not None:
        _ft_rates(model, rows, cur, rates, status, ratio)
        extra = {k: cur[k] for k in CURATED_KEYS if cur.get(k) is not None}
        status.update({k: FieldStatus(**v) for k, v in cur.get("field_status", {}).items()})
        notes.append(cur.get("notes", ""))
        if "shutdown_date" not in extra and row is not None and row.deprecation_date:
            extra["shutdown_date"] = row.deprecation_date
            status["shutdown_date"] = FieldStatus(
                status="inferred",
                rule="tuned model retires with its base model (registry deprecation_date)",
            )
    # A field confirmed by its own source is published, whatever rule would have flagged it.
    sources = {**model.get("field_sources", {}), **((cur or {}).get("field_sources", {}))}
    for f in sources:
        status.pop(f, None)
    return ModelEntry(
        id=model["id"],
        vendor=model["vendor"],
        display_name=model["display_name"],
        aliases=model.get("aliases", []),
        registry_key=model.get("registry_key"),
        ft_registry_key=model.get("ft_registry_key"),
        **rates,
        **_billing(model, row),
        inference_source=inference_source,
        inference_verified=as_of if inference_source else None,
        deprecation_date=row.deprecation_date if row is not None else None,
        fine_tunable=cur is not None,
        **extra,
        field_status=status,
        notes=" ".join(n for n in notes if n),
        field_sources={f: FieldSource(**v) for f, v in sources.items()},
        params_b=model.get("params_b"),
    )


def build_catalog(
    rows: dict[str, RegistryRow],
    curated: dict,
    as_of: date,
    source: str,
    models: list[dict] | None = None,
) -> Catalog:
    """Merge registry rows, the curated fine-tuning file and the model list into a Catalog."""
    if models is None:
        models = load_data("models.json")["models"]
    by_id = curated.get("models", {})
    return Catalog(
        as_of=as_of,
        source=source,
        fine_tuning_as_of=curated.get("as_of"),
        models=[build_entry(m, rows, by_id.get(m["id"]), as_of, source) for m in models],
        gpus=[GpuRate(**g) for g in curated.get("gpus", [])],
        vendors={k: VendorNote(**v) for k, v in curated.get("vendors", {}).items()},
        serving_modes=curated.get("serving_modes", {}),
    )


def main(argv: list[str] | None = None) -> int:
    from pricing.prices.store import save_catalog_atomic

    p = argparse.ArgumentParser(
        prog="python -m pricing.prices.snapshot", description="rewrite the bundled catalog"
    )
    p.add_argument("registry", help="a LiteLLM model_prices_and_context_window JSON file")
    p.add_argument("--litellm-version", default="1.110.2", help="version the file came from")
    p.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    p.add_argument("--out", default=str(Path(str(DATA)) / "catalog.json"))
    args = p.parse_args(argv)
    rows = parse_registry(json.loads(Path(args.registry).read_text(encoding="utf-8")))
    catalog = build_catalog(
        rows, load_data("fine_tuning.json"), args.as_of, registry_source(args.litellm_version)
    )
    save_catalog_atomic(catalog, args.out)
    print(f"wrote {args.out}: {len(catalog.models)} models as of {catalog.as_of}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
