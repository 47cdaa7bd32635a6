"""Bills priced as vendors bill them (issue 21): cache writes, long-context tiers, flex and
priority tiers, data-residency uplifts, for the prompted models (frontier and baseline).

Each is held as a factor on the model's standard rates, so an overridden rate keeps the vendor's
premium or discount (as batch does). Per side (`frontier`, `baseline`) the engine gets:

- `tier_in`, `tier_out`, `tier_cached`: service tier rate / standard rate (non-batch queries);
- `long_in`, `long_out`, `long_cached`: long-context rate / standard rate when the query's prompt
  is above the vendor's threshold (the whole query is billed at the higher rate), else 1;
- `write`: cache-write rate for the chosen time-to-live / input rate (0 when nothing is written);
- `uplift`: the multiplier on the whole bill for regional processing (1 when global).

Every default is 1 (0 for `write`): a plain API call costs exactly what it did. An option whose
rate the catalog lacks fails the row with a sentence naming the input and the model.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from pricing.model.scenario import ScenarioError
from pricing.prices.catalog import ModelEntry

SIDES = ("frontier", "baseline")
FACTORS = ("tier_in", "tier_out", "tier_cached", "long_in", "long_out", "long_cached", "write", "uplift")
NEUTRAL = {f: (0.0 if f == "write" else 1.0) for f in FACTORS}
COLUMNS: tuple[str, ...] = tuple(f"{side}_{f}" for side in SIDES for f in FACTORS)
TIERS = ("flex", "priority")


@dataclass
class BillingRates:
    """One catalog model's billing options as ratios of its standard rates (NaN: not published)."""

    name: str = "the model"
    flex_in: float = math.nan
    flex_out: float = math.nan
    flex_cached: float = math.nan
    priority_in: float = math.nan
    priority_out: float = math.nan
    priority_cached: float = math.nan
    long_threshold: float = math.inf  # prompt tokens above which the long rates apply
    long_in: float = math.nan
    long_out: float = math.nan
    long_cached: float = math.nan
    write_5: float = math.nan  # cache write, 5-minute time-to-live
    write_60: float = math.nan  # cache write, 1-hour time-to-live
    uplift: float = math.nan


NUMBERS = tuple(f.name for f in fields(BillingRates) if f.name != "name")


def _ratio(rate: float | None, standard: float | None) -> float:
    return float(rate) / float(standard) if rate is not None and standard else math.nan


def billing_rates(entry: ModelEntry, name: str) -> BillingRates:
    """The ratios of one model; `name` is how errors call it ("gpt-5 (baseline_model)")."""
    inp, out, cached = entry.input, entry.output, entry.cached_input
    r = BillingRates(name=name)
    for tier in TIERS:
        setattr(r, f"{tier}_in", _ratio(getattr(entry, f"{tier}_input"), inp))
        setattr(r, f"{tier}_out", _ratio(getattr(entry, f"{tier}_output"), out))
        setattr(r, f"{tier}_cached", _ratio(getattr(entry, f"{tier}_cached_input"), cached))
    if entry.long_context_threshold is not None and entry.long_input is not None:
        r.long_threshold = float(entry.long_context_threshold)
        r.long_in = _ratio(entry.long_input, inp)
        r.long_out = _ratio(entry.long_output, out)
        r.long_cached = _ratio(entry.long_cached_input, cached)
    r.write_5 = _ratio(entry.cache_write_5m, inp)
    r.write_60 = _ratio(entry.cache_write_1h, inp)
    r.uplift = float(entry.regional_uplift) if entry.regional_uplift is not None else math.nan
    return r


def _arrays(rates: Sequence[BillingRates | None], row_group: np.ndarray) -> dict[str, np.ndarray]:
    blank = BillingRates()
    if len(rates) == 1:  # one model for every row: read-only broadcasts, no copies
        return {
            n: np.broadcast_to(np.float64(getattr(rates[0] or blank, n)), row_group.shape) for n in NUMBERS
        }
    table = {n: np.array([getattr(r or blank, n) for r in rates], dtype=float) for n in NUMBERS}
    return {n: v[row_group] for n, v in table.items()}


def billing_columns(
    side: str,
    rates: Sequence[BillingRates | None],
    row_group: np.ndarray,
    x: dict[str, np.ndarray],
    texts: dict[str, list[str]],
    tokens: np.ndarray,
    applies: np.ndarray,
    errors: list,
) -> dict[str, np.ndarray]:
    """The factor columns of one side for every row; rows where the side is not priced
    (`applies` False: no baseline named) get the neutral factors. A chosen option the catalog
    does not price sets that row's error (the first problem of a row is the one kept)."""
    n = len(row_group)
    out = {f"{side}_{f}": np.broadcast_to(np.float64(v), (n,)) for f, v in NEUTRAL.items()}
    tiers, places = texts["service_tier"], texts["data_residency"]
    write_share, cached_share = x["cache_write_share"], x["cached_share"]
    r = _arrays(rates, row_group)
    long = applies & (tokens > r["long_threshold"])
    plain = tiers.count("standard") == n and places.count("global") == n and not write_share.any()
    if plain and not long.any():  # the common case: plain API calls, no long prompts
        return out
    out = {k: np.array(v) for k, v in out.items()}  # writable: the rows' factors go in below
    tier = np.array(tiers, dtype=object)
    regional = np.array([v == "regional" for v in places], dtype=bool)
    names = [(rates[k] or BillingRates()).name for k in row_group.tolist()]

    def fail(mask: np.ndarray, make) -> None:
        for i in np.flatnonzero(mask & applies):
            if errors[i] is None:
                errors[i] = make(int(i))

    cached = cached_share > 0
    for t in TIERS:
        on = tier == t
        fail(on & (np.isnan(r[f"{t}_in"]) | np.isnan(r[f"{t}_out"])), lambda i, t=t: _no_tier(names[i], t))
        fail(on & cached & np.isnan(r[f"{t}_cached"]), lambda i, t=t: _no_tier_cached(names[i], t))
        for f in ("in", "out", "cached"):
            col = out[f"{side}_tier_{f}"]
            col[on] = np.nan_to_num(r[f"{t}_{f}"][on], nan=1.0)
    fail(
        long & np.isnan(r["long_out"]),
        lambda i: _no_long(names[i], r["long_threshold"][i], "output", tokens[i]),
    )
    fail(long & cached & np.isnan(r["long_cached"]), lambda i: _no_long_cached(names[i], r, i, x))
    for f in ("in", "out", "cached"):
        col = out[f"{side}_long_{f}"]
        col[long] = np.nan_to_num(r[f"long_{f}"][long], nan=1.0)
    writes = write_share > 0
    by_ttl = np.where(x["cache_ttl_minutes"] == 60, r["write_60"], r["write_5"])
    fail(writes & np.isnan(by_ttl), lambda i: _no_write(names[i], x, i))
    fail(writes & (tier != "standard"), lambda i: _write_tier(tier[i], x, i))
    fail(writes & long, lambda i: _write_long(names[i], r["long_threshold"][i], x, i))
    out[f"{side}_write"] = np.where(writes & applies, np.nan_to_num(by_ttl, nan=0.0), 0.0)
    fail(regional & np.isnan(r["uplift"]), lambda i: _no_uplift(names[i]))
    out[f"{side}_uplift"] = np.where(regional & applies, np.nan_to_num(r["uplift"], nan=1.0), 1.0)
    return {k: np.where(applies, v, NEUTRAL[k.removeprefix(side + "_")]) for k, v in out.items()}


def _no_tier(name: str, tier: str) -> ScenarioError:
    return ScenarioError("service_tier", tier, f"standard for {name}: the catalog has no {tier} rate for it")


def _no_tier_cached(name: str, tier: str) -> ScenarioError:
    return ScenarioError(
        "service_tier",
        tier,
        f"standard while cached_share > 0: the catalog has no {tier} cached-input rate for {name}",
    )


def _no_long(name: str, threshold: float, what: str, tokens: float) -> ScenarioError:
    return ScenarioError(
        "input_tokens",
        float(tokens),
        f"at most {threshold:,.0f} for {name}: the catalog has its long-context input rate "
        f"but no {what} rate",
    )


def _no_long_cached(name: str, r: dict, i: int, x: dict) -> ScenarioError:
    return ScenarioError(
        "cached_share",
        float(x["cached_share"][i]),
        f"0 for prompts above {r['long_threshold'][i]:,.0f} tokens: the catalog has no long-context "
        f"cached-input rate for {name}",
    )


def _no_write(name: str, x: dict, i: int) -> ScenarioError:
    ttl = int(x["cache_ttl_minutes"][i])
    return ScenarioError(
        "cache_write_share",
        float(x["cache_write_share"][i]),
        f"0 for {name}: the catalog has no {ttl}-minute cache-write rate for it",
    )


def _write_tier(tier: str, x: dict, i: int) -> ScenarioError:
    return ScenarioError(
        "cache_write_share",
        float(x["cache_write_share"][i]),
        f"0 with service_tier {tier}: the catalog has cache-write rates for the standard tier only",
    )


def _write_long(name: str, threshold: float, x: dict, i: int) -> ScenarioError:
    return ScenarioError(
        "cache_write_share",
        float(x["cache_write_share"][i]),
        f"0 for prompts above {threshold:,.0f} tokens: the catalog has no long-context "
        f"cache-write rate for {name}",
    )


def _no_uplift(name: str) -> ScenarioError:
    return ScenarioError(
        "data_residency", "regional", f"global for {name}: the catalog has no regional uplift for it"
    )
