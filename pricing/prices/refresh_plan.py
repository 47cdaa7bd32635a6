"""What a registry download would do to a catalog: the diff, judged by the guards (no I/O).

    plan = plan_refresh(catalog, registry_dict, source=url, today=date.today(), accepted=...)

Only registry-published rates move: `input`, `output`, `cached_input`, `batch_input`,
`batch_output` from the row `registry_key` (else the first alias that is a registry key), the same
`ft_*` rates from the row `ft_registry_key`, the billing rates (catalog.BillingRates: cache writes,
long-context threshold and rates, flex and priority tiers, regional uplift) from the row
`registry_key`, and `deprecation_date` (guarded like a rate:
guards.judge_date holds back a date moving into the past or by more than a year). Curated
fine-tuning rates, hosting, storage and other dates are never touched, nor is a published `ft_*`
rate of a model without `ft_registry_key` (curated, or set by a vendor price API:
pricing.prices.vendor_plan). Inferred rates are recomputed with the snapshot's rules
(pricing.prices.snapshot.build_entry), so a registry that now publishes a formerly inferred rate replaces
it and the 'inferred' mark goes. pricing.prices.refresh fetches, plans with this and saves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pricing.prices import crosscheck
from pricing.prices.catalog import (
    BILLING_FIELDS,
    FT_INFERENCE_FIELDS,
    INFERENCE_FIELDS,
    Catalog,
    ModelEntry,
)
from pricing.prices.guards import (
    check_download,
    describe,
    judge_date,
    judge_field,
)
from pricing.prices.snapshot import build_entry, load_data
from pricing.prices.sources.litellm import (
    PRICE_FIELDS,
    RegistryRow,
    _resolve_alias,
    billing_values,
    registry_date,
)

PRICED = INFERENCE_FIELDS + FT_INFERENCE_FIELDS + BILLING_FIELDS
DATED = ("deprecation_date",)  # registry dates we apply, guarded by guards.judge_date
REGISTRY_NAME = {ours: theirs for theirs, ours in PRICE_FIELDS.items()}
# Hold a change genai-prices disagrees with (pricing.prices.crosscheck). Tests of the other guards
# switch it off: they plant moves (gpt-4o input +20%) a second source rightly holds back.
CROSS_CHECK = True
_CACHED_RULE = re.compile(r"cached = ([0-9.]+)% of input")


@dataclass(frozen=True)
class Change:
    """One applied change (old/new: USD per 1M tokens, ISO dates, or status words)."""

    model: str
    field: str
    old: Any
    new: Any
    note: str = ""  # "accepted", "inferred: <rule>", ...


@dataclass(frozen=True)
class HeldBack:
    """A registry value not applied; `acceptable` ones apply with accepted={key}."""

    model: str
    field: str
    old: float | str | None  # ISO text for a date field
    new: float | str | None  # USD per 1M tokens (ISO text for a date); None when not a number
    raw: str  # the registry's value as text
    reason: str
    acceptable: bool

    @property
    def key(self) -> str:
        return f"{self.model}.{self.field}"


@dataclass
class Plan:
    """What a download would do to a catalog (no I/O)."""

    catalog: Catalog
    applied: list[Change] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)  # "model: key 'x' not in the download"
    kept: list[str] = field(default_factory=list)  # "model.field" absent from the download
    unused_accepts: list[str] = field(default_factory=list)
    models_in_download: int = 0
    not_in_catalog: list[str] = field(default_factory=list)  # priced by the source, not a catalog id


def normalise_accepts(
    catalog: Catalog, accepted: Iterable[str], fields: Iterable[str] = PRICED + DATED
) -> tuple[set[str], list[str]]:
    """'MODEL.FIELD' (any id or alias, any case; FIELD one of `fields`) -> canonical keys; the
    rest as unknown. The vendor refresh's plan takes its own fields."""
    keys, unknown = set(), []
    for item in accepted or ():
        text = str(item).strip()
        model, sep, fld = text.rpartition(".")
        fld = fld.strip().lower()
        if sep and fld in fields and model in catalog:
            keys.add(f"{catalog.get(model).id}.{fld}")
        elif text:
            unknown.append(text)
    return keys, unknown


def _find_row(data: dict, keys: Iterable[str | None]) -> tuple[str | None, dict | None]:
    for key in keys:
        if key and type(data.get(key)) is dict:
            return key, _resolve_alias(data, key)
    return None, None


class _Planner:
    def __init__(
        self, catalog: Catalog, data: dict, accepted: set[str], second: dict[str, crosscheck.Reference]
    ):
        self.data = data
        self.accepted = accepted
        self.second = second
        self.used: set[str] = set()
        self.plan = Plan(catalog=catalog)

    def merge(self, old: ModelEntry, prefix: str, raw: dict | None) -> RegistryRow:
        """The row to build from: new values where applied, known ones where not."""
        found = {ours: raw.get(theirs) for ours, theirs in REGISTRY_NAME.items()} if raw is not None else {}
        if raw is not None and not prefix:  # billing rates: the base model's row only
            found.update(billing_values(raw))
        values: dict[str, float | None] = {}
        for ours in INFERENCE_FIELDS + (() if prefix else BILLING_FIELDS):
            name = prefix + ours
            old_value = getattr(old, name)
            known = None if old.status_of(name) == "inferred" else old_value
            value = found.get(ours)
            if value is None:  # absent: never erases a known rate
                values[ours] = known
                if raw is not None and known is not None:
                    self.plan.kept.append(f"{old.id}.{name}")
                continue
            ref = self.second.get(old.id)
            verdict = crosscheck.second_opinion(
                judge_field(ours, old_value, value), ref, old.id, name, "the download"
            )
            key = f"{old.id}.{name}"
            if verdict.action in ("same", "apply"):
                values[ours] = verdict.new
            elif verdict.action == "hold" and key in self.accepted:
                values[ours] = verdict.new
                self.used.add(key)
            else:
                values[ours] = known
                self.plan.held_back.append(
                    HeldBack(
                        old.id,
                        name,
                        old_value,
                        verdict.new,
                        describe(value),
                        verdict.reason,
                        verdict.action == "hold",
                    )
                )
        dep = registry_date(raw.get("deprecation_date")) if raw is not None else None
        return RegistryRow(**values, deprecation_date=dep or old.deprecation_date)

    def entry(self, old: ModelEntry, mdef: dict, cur: dict | None, today: date, source: str):
        if not old.registry_key and not old.ft_registry_key:
            return old  # curated-only model (no registry row to read)
        key, raw = _find_row(self.data, (old.registry_key, *old.aliases))
        rows: dict[str, RegistryRow] = {}
        if old.registry_key:
            if raw is None:
                self.plan.vanished.append(f"{old.id}: registry key {old.registry_key!r} not in the download")
            rows[mdef["registry_key"]] = self.merge(old, "", raw)
        if old.ft_registry_key:
            _, ft_raw = _find_row(self.data, (old.ft_registry_key,))
            if ft_raw is None:
                self.plan.vanished.append(
                    f"{old.id}: fine-tuned key {old.ft_registry_key!r} not in the download"
                )
            ft_row = self.merge(old, "ft_", ft_raw)
            if ft_raw is not None or any(getattr(ft_row, f) is not None for f in REGISTRY_NAME):
                rows[mdef["ft_registry_key"]] = ft_row
        built = build_entry(mdef, rows, cur, today, source)
        update: dict[str, Any] = {}
        status = {k: v for k, v in old.field_status.items() if k not in PRICED}
        for name in PRICED:
            new_value, new_status = getattr(built, name), built.field_status.get(name)
            if new_value is None and getattr(old, name) is not None:  # never erase
                new_value, new_status = getattr(old, name), old.field_status.get(name)
            if self._published_elsewhere(old, name):  # e.g. by a vendor price API
                new_value, new_status = getattr(old, name), None
            update[name] = new_value
            if new_status is not None:
                status[name] = new_status
            self._diff(old, name, new_value, new_status)
        update["field_status"] = status
        new_dep = rows[mdef["registry_key"]].deprecation_date if old.registry_key else None
        if new_dep and new_dep != old.deprecation_date:
            self._date(old, "deprecation_date", new_dep, today, update)
        if raw is not None:
            update["inference_source"] = source
            update["inference_verified"] = today
        return old.model_copy(update=update)

    def _date(self, old: ModelEntry, name: str, new: date, today: date, update: dict) -> None:
        """Apply a registry date, or hold it back (guards.judge_date) unless accepted."""
        before = getattr(old, name)
        was = before.isoformat() if before else None
        action, reason = judge_date(before, new, today)
        key = f"{old.id}.{name}"
        if action == "hold" and key not in self.accepted:
            self.plan.held_back.append(
                HeldBack(old.id, name, was, new.isoformat(), new.isoformat(), reason, True)
            )
            return
        if action == "hold":
            self.used.add(key)
        update[name] = new
        note = "accepted" if action == "hold" else ""
        self.plan.applied.append(Change(old.id, name, was, new.isoformat(), note))

    @staticmethod
    def _published_elsewhere(old: ModelEntry, name: str) -> bool:
        """A published fine-tuned rate the registry has no row for: curated, or from a vendor API."""
        return name in FT_INFERENCE_FIELDS and not old.ft_registry_key and old.status_of(name) == "published"

    def _diff(self, old: ModelEntry, name: str, new: float | None, new_status) -> None:
        before = getattr(old, name)
        was_inferred = old.status_of(name) == "inferred"
        key = f"{old.id}.{name}"
        note = "accepted" if key in self.used else ""
        if new_status is not None and new_status.status == "inferred":
            note = f"inferred: {new_status.rule}"
        if before is None or new is None or not math.isclose(before, new, rel_tol=1e-9):
            if before != new:
                self.plan.applied.append(Change(old.id, name, before, new, note))
        elif was_inferred and (new_status is None or new_status.status != "inferred"):
            self.plan.applied.append(Change(old.id, f"{name} status", "inferred", "published"))


def _model_def(old: ModelEntry) -> dict:
    """A models.json-style definition for a store model the bundled list does not know."""
    mdef = {
        "id": old.id,
        "vendor": old.vendor,
        "display_name": old.display_name,
        "aliases": list(old.aliases),
        "registry_key": old.registry_key,
        "ft_registry_key": old.ft_registry_key,
    }
    note = old.field_status.get("cached_input")
    match = _CACHED_RULE.match(note.rule) if note else None
    if match:
        mdef["cached_ratio"] = float(match.group(1)) / 100
    return mdef


def plan_refresh(
    catalog: Catalog,
    data: Any,
    *,
    source: str,
    today: date,
    accepted: Iterable[str] = (),
    models: list[dict] | None = None,
    curated: dict | None = None,
    second_source: dict[str, crosscheck.Reference] | None = None,
) -> Plan:
    """Guard and diff a parsed registry against a catalog; raises RejectedDownload.

    `second_source` (default: genai-prices' bundled rates on `today`, pricing.prices.crosscheck)
    holds back a change whose new value it disagrees with by more than 5%; {} turns the check off."""
    catalog_keys = [k for m in catalog.models for k in (m.registry_key, m.ft_registry_key) if k]
    count = check_download(data, catalog_keys)
    accepted_keys, unknown = normalise_accepts(catalog, accepted)
    defs = {m["id"]: m for m in (models or load_data("models.json")["models"])}
    cur_by_id = (curated or load_data("fine_tuning.json")).get("models", {})
    if second_source is None:
        second_source = crosscheck.references(catalog, today) if CROSS_CHECK else {}
    planner = _Planner(catalog, data, accepted_keys, second_source)
    entries = []
    for old in catalog.models:
        mdef = defs.get(old.id) or _model_def(old)
        cur = (cur_by_id.get(old.id) or {}) if old.fine_tunable else None
        entries.append(planner.entry(old, mdef, cur, today, source))
    plan = planner.plan
    plan.catalog = catalog.model_copy(update={"as_of": today, "source": source, "models": entries})
    plan.catalog.__dict__.pop("_by_key", None)  # model_copy shares the old lookup cache
    plan.unused_accepts = unknown + sorted(accepted_keys - planner.used)
    plan.models_in_download = count
    return plan
