"""How much of the catalog is verified: unverified fields with their reasons, and per vendor the
last date its rates were checked and where ("N of M vendors verified", as the seed page shows it).

A vendor counts as verified when no model it still offers (retired ones aside) has an unverified
field and none of its GPU rates is unverified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pricing.prices.catalog import Catalog, ModelEntry


@dataclass(frozen=True)
class Unverified:
    model: str
    field: str
    reason: str


@dataclass(frozen=True)
class VendorCheck:
    vendor: str
    models: int  # models still offered
    retired: int
    unverified: int  # unverified fields on the offered models and GPU rates
    inference_verified: date | None
    inference_source: str
    checked: (
        date | None
    )  # the latest dated evidence in the curated file (fine-tuning, per-field, GPU, vendor note)
    checked_source: str
    fine_tuning_state: str

    @property
    def verified(self) -> bool:
        return self.unverified == 0


def unverified_fields(catalog: Catalog) -> list[Unverified]:
    """Every field marked unverified, with the reason (retired models included)."""
    return [
        Unverified(m.id, f, note.rule)
        for m in catalog.models
        for f, note in m.field_status.items()
        if note.status == "unverified"
    ]


def _fine_tuning_evidence(m: ModelEntry) -> list[tuple[date, str]]:
    dated = [(s.verified, s.source) for s in m.field_sources.values() if s.verified]
    if m.fine_tuning_verified:
        dated.append((m.fine_tuning_verified, m.fine_tuning_source))
    return dated


def vendor_checks(catalog: Catalog, today: date | None = None) -> list[VendorCheck]:
    """One row per vendor of the catalog or of its vendor notes, in catalog order."""
    day = today or catalog.as_of
    names = list(dict.fromkeys([m.vendor for m in catalog.models] + list(catalog.vendors)))
    out = []
    for vendor in names:
        models = [m for m in catalog.models if m.vendor == vendor]
        offered = [m for m in models if not m.retired_by(day)]
        bad = sum(1 for m in offered for n in m.field_status.values() if n.status == "unverified")
        bad += sum(1 for g in catalog.gpus if g.vendor == vendor and g.status == "unverified")
        inference = max(((m.inference_verified, m.inference_source) for m in models if m.inference_verified),
                        default=(None, ""))  # fmt: skip
        evidence = [e for m in models for e in _fine_tuning_evidence(m)]
        evidence += [(g.verified, g.source) for g in catalog.gpus if g.vendor == vendor and g.verified]
        note = catalog.vendors.get(vendor)
        if note is not None and note.verified:
            evidence.append((note.verified, note.source))
        fine_tuning = max(evidence, default=(None, ""))
        state = (
            note.fine_tuning_state if note else ("open" if any(m.fine_tunable for m in offered) else "none")
        )
        out.append(
            VendorCheck(
                vendor, len(offered), len(models) - len(offered), bad, *inference, *fine_tuning, state
            )
        )
    return out


def summary(checks: list[VendorCheck]) -> str:
    """'4 of 10 vendors verified' over the vendors with at least one model in the catalog."""
    priced = [c for c in checks if c.models or c.retired]
    return f"{sum(c.verified for c in priced)} of {len(priced)} vendors verified"
