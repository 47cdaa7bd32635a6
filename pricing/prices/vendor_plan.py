"""What a vendor price API read would do to a catalog: the diff, judged by the guards (no I/O).

    plan = plan_vendor(catalog, prices, today=date.today(), accepted={"nova-pro.training_per_1m"})

Only the fields the vendor publishes for the models it maps move (VENDOR_FIELDS: training,
hosting, storage, fine-tuned input/output). A rate the vendor carries becomes "published": its
unverified or inferred note goes (logged as "<field> status") and the model's fine-tuning
source and verified date become the API and today. The guards are the LiteLLM refresh's
(pricing.prices.guards.judge_rate: a 10x move, a drop to zero or an absurd rate is held back until
accepted; an unusable value is never applied), and so is its cross-check: a change genai-prices
disagrees with by more than 5% is held back until accepted (pricing.prices.crosscheck).
A model the vendor prices that the catalog does not have is listed in `not_in_catalog` and
skipped; a mapped rate missing from the download keeps its old value (`vanished`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pricing.prices import crosscheck, refresh_plan
from pricing.prices.catalog import Catalog, ModelEntry
from pricing.prices.guards import MAX_RATE, judge_rate
from pricing.prices.refresh_plan import Change, HeldBack, Plan, normalise_accepts
from pricing.prices.sources.vendor import VendorPrices, VendorRate

# field -> (highest believable value, its unit); rates above it are held back until accepted.
VENDOR_FIELDS = {
    "training_per_1m": (MAX_RATE, "USD per 1M tokens"),
    "ft_input": (MAX_RATE, "USD per 1M tokens"),
    "ft_output": (MAX_RATE, "USD per 1M tokens"),
    "hosting_per_hour": (1_000.0, "USD per hour"),  # the dearest real one is ~$7/h (Azure gpt-4.1)
    "storage_per_month": (10_000.0, "USD per month"),
}


class _Planner:
    def __init__(
        self,
        prices: VendorPrices,
        accepted: set[str],
        today: date,
        second: dict[str, crosscheck.Reference],
    ):
        self.prices, self.accepted, self.today, self.second = prices, accepted, today, second
        self.used: set[str] = set()
        self.plan = Plan(catalog=None)  # type: ignore[arg-type]  # set by plan_vendor

    def rate(self, old: ModelEntry, rate: VendorRate, update: dict, status: dict) -> bool:
        """Judge one published rate into update/status; True when the vendor now vouches for it."""
        before = getattr(old, rate.field)
        key = f"{old.id}.{rate.field}"
        if rate.value is None:
            self.plan.held_back.append(
                HeldBack(old.id, rate.field, before, None, rate.raw or rate.meter, rate.reason, False)
            )
            return False
        limit, unit = VENDOR_FIELDS[rate.field]
        verdict = crosscheck.second_opinion(
            judge_rate(before, rate.value, limit, unit),
            self.second.get(old.id),
            old.id,
            rate.field,
            f"the {self.prices.api}",
        )
        note = ""
        if verdict.action == "hold":
            if key not in self.accepted:
                reason = f"{verdict.reason}; {rate.meter}"
                self.plan.held_back.append(
                    HeldBack(old.id, rate.field, before, verdict.new, rate.raw, reason, True)
                )
                return False
            self.used.add(key)
            note = "accepted"
        if verdict.action != "same":
            update[rate.field] = rate.value
            self.plan.applied.append(Change(old.id, rate.field, before, rate.value, note))
        if rate.field in status:
            was = old.status_of(rate.field)
            del status[rate.field]
            self.plan.applied.append(Change(old.id, f"{rate.field} status", was, "published"))
        return True

    def entry(self, old: ModelEntry, rates: list[VendorRate]) -> ModelEntry:
        update: dict = {}
        status = dict(old.field_status)
        vouched = [self.rate(old, r, update, status) for r in rates]
        if any(vouched):
            update["fine_tuning_source"] = self.prices.label
            update["fine_tuning_verified"] = self.today
        update["field_status"] = status
        return old.model_copy(update=update)


def plan_vendor(
    catalog: Catalog,
    prices: VendorPrices,
    *,
    today: date,
    accepted: Iterable[str] = (),
    second_source: dict[str, crosscheck.Reference] | None = None,
) -> Plan:
    """Guard and diff one vendor read against a catalog (raises nothing: bad rows are held back).

    `second_source` (default: genai-prices' bundled rates on `today` for the models the vendor
    prices) holds back a change it disagrees with by more than 5%, as the registry refresh does;
    {} turns the check off."""
    accepted_keys, unknown = normalise_accepts(catalog, accepted, VENDOR_FIELDS)
    by_model: dict[str, list[VendorRate]] = {}
    for rate in prices.rates:
        by_model.setdefault(rate.model, []).append(rate)
    known = {m: catalog.get(m).id for m in by_model if m in catalog}
    wanted = {known[m]: rates for m, rates in by_model.items() if m in known}
    if second_source is None and refresh_plan.CROSS_CHECK:
        found = (crosscheck.reference(catalog.get(m), today) for m in wanted)
        second_source = {r.model: r for r in found if r is not None}
    planner = _Planner(prices, accepted_keys, today, second_source or {})
    entries = [planner.entry(m, wanted[m.id]) if m.id in wanted else m for m in catalog.models]
    plan = planner.plan
    plan.catalog = catalog.model_copy(update={"models": entries})
    plan.catalog.__dict__.pop("_by_key", None)  # model_copy shares the old lookup cache
    plan.not_in_catalog = sorted(m for m in by_model if m not in known)
    plan.vanished = [f"{known[m]}: {what}" for m, what in prices.missing if m in known]
    plan.unused_accepts = unknown + sorted(accepted_keys - planner.used)
    plan.models_in_download = len(by_model)
    return plan
