"""The refresh's safety rules, as small pure functions.

Whole download (nothing is applied when one fails):
- it must be a JSON object with at least MIN_MODELS model rows, and at least half of the bundled
  registry's count (BUNDLED_REGISTRY_MODELS, litellm 1.110.2);
- at least half of the catalog's registry keys must be present (otherwise it is some other file).
One rate (held back, reported, applied only when the user accepts MODEL.FIELD):
- a move of MAX_RATIO or more in either direction (10x itself is held: a per-1K vs per-1M or
  cents vs dollars slip is exactly 10x, 100x or 1,000x), a drop to zero or a rate above MAX_RATE $/1M;
- a negative, NaN, infinite, boolean or non-numeric value is never applied, accepted or not.
- a change the second price source disagrees with by more than 5% (pricing.prices.crosscheck;
  applied in refresh_plan, which holds it like the moves above).
A field missing from the download never erases a known rate (the caller keeps the old value).
The billing rates (catalog.BillingRates: cache writes, long-context tier, service tiers, regional
uplift) follow the same rules; the long-context threshold and the regional uplift have their own
units and limits (OTHER_UNITS).
One date (deprecation_date; held back and accepted like a rate):
- a date that moves into the past (it was in the future, or unknown), or by more than
  MAX_DATE_MOVE_DAYS either way: such a date decides a model's lifetime and so every verdict.

`safe_cell_text` (pricing.neutralise) keeps registry text from becoming a formula in a cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from pricing.neutralise import safe_cell_text  # noqa: F401 (re-exported: refresh, scripts)
from pricing.prices.sources.litellm import NON_MODEL_KEYS, billing_rate, per_million

MIN_MODELS = 50
MIN_SHARE_OF_BUNDLED = 0.5
BUNDLED_REGISTRY_MODELS = 4876  # model rows of litellm 1.110.2, the bundled snapshot's source
MIN_SHARE_OF_CATALOG_KEYS = 0.5
MAX_RATIO = 10.0
MAX_RATE = 10_000.0  # USD per 1M tokens; the dearest real rate is ~600 (o1-pro output)
REL_TOL = 1e-9
MAX_DATE_MOVE_DAYS = 366
# Billing fields not in USD per 1M tokens: (highest believable value, unit). litellm 1.110.2's
# long-context thresholds run from 32k to 512k tokens; a regional uplift is read only from 1 to 10.
OTHER_UNITS = {
    "long_context_threshold": (10_000_000.0, "prompt tokens"),
    "regional_uplift": (10.0, "x every rate"),
}


class RejectedDownload(ValueError):
    """The whole download is unusable; str(e) is a clause for the user."""


def count_models(data: Any) -> int:
    """Model rows in a registry dict (objects, not the two documentation keys)."""
    if not isinstance(data, dict):
        return 0
    n = sum(1 for v in data.values() if type(v) is dict)
    return n - sum(1 for k in NON_MODEL_KEYS if type(data.get(k)) is dict)


def check_download(
    data: Any,
    catalog_keys: list[str],
    *,
    reference_count: int = BUNDLED_REGISTRY_MODELS,
    min_models: int = MIN_MODELS,
) -> int:
    """Raise RejectedDownload unless `data` looks like a whole registry; return its model count."""
    if not isinstance(data, dict):
        raise RejectedDownload(f"the download is a JSON {type(data).__name__}, not an object")
    n = count_models(data)
    if n < min_models:
        raise RejectedDownload(f"the download lists {n} models, fewer than {min_models}")
    if n < MIN_SHARE_OF_BUNDLED * reference_count:
        raise RejectedDownload(
            f"the download lists {n:,} models, under half of the {reference_count:,} expected"
        )
    if catalog_keys:
        found = sum(1 for k in catalog_keys if type(data.get(k)) is dict)
        if found < MIN_SHARE_OF_CATALOG_KEYS * len(catalog_keys):
            raise RejectedDownload(
                f"the download has only {found} of the catalog's {len(catalog_keys)} models"
            )
    return n


def is_valid_price(value: Any) -> bool:
    return (
        not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value) and value >= 0
    )


def describe(value: Any, limit: int = 40) -> str:
    """A short, safe rendering of a raw registry value for reports."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Verdict:
    action: str  # "same", "apply", "hold" (acceptable by the user), "invalid" (never applied)
    new: float | None = None  # USD per 1M tokens (None when invalid)
    reason: str = ""


def judge(old: float | None, raw: Any) -> Verdict:
    """Decide what to do with one registry value (USD per token) against the old $/1M rate."""
    if not is_valid_price(raw):
        kind = "NaN" if isinstance(raw, float) and math.isnan(raw) else None
        if kind is None and isinstance(raw, float) and math.isinf(raw):
            kind = "infinite"
        if kind is None and is_number(raw) and raw < 0:
            kind = "negative"
        return Verdict("invalid", None, f"{kind or 'non-numeric'} value, not a price")
    return judge_rate(old, per_million(raw))


def judge_field(field: str, old: float | None, raw: Any) -> Verdict:
    """`judge` for any registry field we read: a rate in USD per token, or a billing field in its
    own unit (OTHER_UNITS; sources.litellm.billing_values says what the registry holds)."""
    if field not in OTHER_UNITS:
        return judge(old, raw)
    new = billing_rate(field, raw)
    if new is None:
        return Verdict("invalid", None, "not a multiplier from 1 to 10")
    limit, unit = OTHER_UNITS[field]
    return judge_rate(old, new, limit, unit)


def judge_rate(
    old: float | None, new: float, max_rate: float = MAX_RATE, unit: str = "USD per 1M tokens"
) -> Verdict:
    """The move rules for a valid rate already in the catalog's unit (`unit` names it)."""
    if old is not None and math.isclose(new, old, rel_tol=REL_TOL, abs_tol=1e-12):
        return Verdict("same", old)
    if new == 0:
        return Verdict("hold", new, "drop to zero")
    if new > max_rate:
        return Verdict("hold", new, f"above {max_rate:,.0f} {unit}")
    if old is None:
        return Verdict("apply", new)
    if old == 0:
        return Verdict("hold", new, "was zero")
    ratio = new / old
    # within rounding of 10x counts as 10x: 3e-5 $/token is 29.999999999999996 $/1M
    if ratio >= MAX_RATIO * (1 - REL_TOL) or ratio <= (1 + REL_TOL) / MAX_RATIO:
        return Verdict("hold", new, f"{ratio:.3g}x change (held from {MAX_RATIO:g}x either way)")
    return Verdict("apply", new)


def is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


def judge_date(old: date | None, new: date, today: date) -> tuple[str, str]:
    """("same" | "apply" | "hold", reason) for a registry date against the catalog's."""
    if new == old:
        return "same", ""
    if new < today and (old is None or old >= today):
        return "hold", f"moves into the past ({new.isoformat()}, before today {today.isoformat()})"
    if old is not None and abs((new - old).days) > MAX_DATE_MOVE_DAYS:
        return "hold", f"moves by {abs((new - old).days):,} days (limit {MAX_DATE_MOVE_DAYS} either way)"
    return "apply", ""
