"""A second price source as a check: genai-prices' bundled data read next to the catalog's rates.

    refs = references(catalog)                    # catalog id -> Reference (covered models only)
    found = disagreements(catalog, refs)          # rates the two sources differ on by > 5%

genai-prices (pydantic/genai-prices, MIT) ships its price data inside the package
(genai_prices/data.py, generated from the repository's prices/providers/*.yml). We read that
bundled list directly and build our own DataSnapshot from it, so its auto-update (UpdatePrices,
which downloads a newer data.json in a background thread) is never started and no snapshot a
host program set is used: the check never goes to the network and always reads the same data
for the same package version.

A catalog model is matched with genai-prices' own rules (DataSnapshot.find_provider_model, which
applies each model's match clauses and the provider's fall-backs, e.g. Azure -> OpenAI), trying
the LiteLLM registry key (provider prefix dropped), then the catalog id, then its aliases, at the
provider its vendor maps to. Fine-tuned rates are read from the ft_registry_key's own row and
only when it matches a fine-tuned entry (an 'ft:' id), never a base model's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pricing.prices.catalog import Catalog, ModelEntry
from pricing.prices.guards import Verdict

SOURCE = "genai-prices"
DATA_SOURCE = (
    "genai-prices' bundled data (genai_prices/data.py, built from "
    "https://github.com/pydantic/genai-prices prices/providers/*.yml)"
)
TOLERANCE = 0.05  # a rate more than 5% away from genai-prices' is flagged (and held by a refresh)

# catalog vendor -> genai-prices provider id
PROVIDERS = {
    "Anthropic": "anthropic",
    "OpenAI": "openai",
    "Google": "google",
    "xAI": "x-ai",
    "Azure OpenAI": "azure",
    "Mistral": "mistral",
    "Fireworks": "fireworks",
    "Together AI": "together",
    "Amazon Bedrock": "aws",
}
BATCH = {"processing": "batch"}  # genai-prices' price variant for batch processing
# catalog field -> (genai-prices price key, variant or None, fine-tuned row?)
FIELDS: dict[str, tuple[str, dict[str, str] | None, bool]] = {
    "input": ("input_mtok", None, False),
    "output": ("output_mtok", None, False),
    "cached_input": ("cache_read_mtok", None, False),
    "batch_input": ("input_mtok", BATCH, False),
    "batch_output": ("output_mtok", BATCH, False),
    "ft_input": ("input_mtok", None, True),
    "ft_output": ("output_mtok", None, True),
    "ft_cached_input": ("cache_read_mtok", None, True),
}
_LITELLM = re.compile(r"\(litellm ([0-9][0-9.]*)\)", re.IGNORECASE)


def genai_prices_version() -> str:
    try:
        return version("genai-prices")
    except PackageNotFoundError:  # pragma: no cover - a declared dependency
        return "not installed"


def source_label() -> str:
    """'genai-prices 0.2.3': how the check names its source everywhere."""
    return f"{SOURCE} {genai_prices_version()}"


@dataclass(frozen=True)
class Reference:
    """genai-prices' rates for one catalog model (USD per 1M tokens, as of one day)."""

    model: str  # catalog id
    provider: str  # genai-prices provider id
    matched: str  # genai-prices model id the catalog model matched
    ft_matched: str = ""  # its fine-tuned entry, when the catalog names one
    rates: dict[str, float] = field(default_factory=dict)  # catalog field -> rate

    def where(self, name: str) -> str:
        """'genai-prices 0.2.3 (google gemini-2.0-flash)'."""
        entry = self.ft_matched if FIELDS[name][2] else self.matched
        return f"{source_label()} ({self.provider} {entry})"


@dataclass(frozen=True)
class Disagreement:
    model: str
    field: str
    ours: float
    theirs: float
    ours_source: str  # e.g. 'LiteLLM 1.110.2'
    theirs_source: str  # e.g. 'genai-prices 0.2.3 (google gemini-2.0-flash)'

    @property
    def relative(self) -> float:
        """(ours - theirs) / theirs; inf when genai-prices says 0 and we do not."""
        return (self.ours - self.theirs) / self.theirs if self.theirs else math.inf

    def text(self) -> str:
        """'genai-prices 0.2.3 (google gemini-2.0-flash): $0.10 vs LiteLLM 1.110.2: $0.15 (+50%)'."""
        pct = f"{self.relative:+.0%}" if math.isfinite(self.relative) else "vs 0"
        return f"{self.theirs_source}: {money(self.theirs)} vs {self.ours_source}: {money(self.ours)} ({pct})"


def money(rate: float) -> str:
    return f"${rate:,.2f}" if rate >= 0.1 else f"${rate:.4g}"


def disagree(ours: float, theirs: float, tolerance: float = TOLERANCE) -> bool:
    """More than `tolerance` apart, relative to genai-prices' rate (any difference from a zero)."""
    if theirs == 0:
        return ours != 0
    return abs(ours - theirs) > tolerance * abs(theirs) * (1 + 1e-9)


@cache
def _snapshot() -> Any:
    """genai-prices' bundled data as a private snapshot: never the auto-updated one (None where
    the package is not installed, e.g. xlwings Lite, whose requirements do not list it)."""
    try:
        from genai_prices.data import providers
        from genai_prices.data_snapshot import DataSnapshot
    except ImportError:
        return None
    return DataSnapshot(providers=providers, from_auto_update=False)


def available() -> bool:
    return _snapshot() is not None


def _refs(entry: ModelEntry) -> list[str]:
    key = entry.registry_key or ""
    first = key.split("/", 1)[1] if "/" in key and not key.startswith("accounts/") else key
    return [r for r in (first, entry.id, *entry.aliases) if r]


def _find(provider: str, refs: list[str]) -> tuple[Any, Any] | None:
    for ref in refs:
        try:
            return _snapshot().find_provider_model(ref, None, provider, None)
        except LookupError:
            continue
    return None


def _rate(model: Any, key: str, variant: dict[str, str] | None, when: datetime) -> float | None:
    """One rate of a genai-prices model; a tiered rate gives its base (below the first tier)."""
    if variant is None:
        value = getattr(model.get_prices(when), key, None)
    else:  # only a variant that sets the key itself (never the standard rate under its name)
        value = next(
            (
                getattr(v.prices, key, None)
                for v in model.price_variants or ()
                if v.when == variant and (v.constraint is None or v.constraint.active(when))
            ),
            None,
        )
    value = getattr(value, "base", value)
    return None if value is None else float(value)


def reference(entry: ModelEntry, day: date) -> Reference | None:
    """genai-prices' rates for `entry` on `day`, or None when it does not cover the model."""
    provider = PROVIDERS.get(entry.vendor)
    if provider is None or not available():
        return None
    hit = _find(provider, _refs(entry))
    if hit is None:
        return None
    prov, model = hit
    ft = _find(provider, [entry.ft_registry_key]) if entry.ft_registry_key else None
    if ft is not None and not ft[1].id.startswith("ft:"):
        ft = None  # matched a base model's entry: not a fine-tuned rate
    when = datetime.combine(day, time(12), UTC)
    rates: dict[str, float] = {}
    for name, (key, variant, tuned) in FIELDS.items():
        source = ft[1] if tuned and ft is not None else (None if tuned else model)
        value = _rate(source, key, variant, when) if source is not None else None
        if value is not None:
            rates[name] = value
    return Reference(entry.id, prov.id, model.id, ft[1].id if ft else "", rates)


def references(catalog: Catalog, day: date | None = None) -> dict[str, Reference]:
    """Catalog id -> genai-prices' rates, for every catalog model genai-prices covers."""
    day = day or catalog.as_of
    found = (reference(m, day) for m in catalog.models)
    return {r.model: r for r in found if r is not None}


def catalog_source(catalog: Catalog, entry: ModelEntry, name: str) -> str:
    """Short name of where the catalog's rate came from: 'LiteLLM 1.110.2', or its field source."""
    if name in entry.field_sources:
        return entry.field_sources[name].source.split(" [")[0][:80]
    text = entry.inference_source or catalog.source
    match = _LITELLM.search(text)
    return f"LiteLLM {match.group(1)}" if match else text[:80]


def compared(entry: ModelEntry, ref: Reference) -> list[str]:
    """The fields both carry: a catalog rate published (or unverified), not inferred by a rule."""
    return [
        f
        for f in FIELDS
        if f in ref.rates and getattr(entry, f) is not None and entry.status_of(f) != "inferred"
    ]


def disagreements(catalog: Catalog, refs: dict[str, Reference] | None = None) -> list[Disagreement]:
    """Every rate the catalog and genai-prices both carry and disagree on by more than 5%."""
    refs = references(catalog) if refs is None else refs
    out = []
    for entry in catalog.models:
        ref = refs.get(entry.id)
        if ref is None:
            continue
        for f in compared(entry, ref):
            ours, theirs = float(getattr(entry, f)), ref.rates[f]
            if disagree(ours, theirs):
                out.append(
                    Disagreement(entry.id, f, ours, theirs, catalog_source(catalog, entry, f), ref.where(f))
                )
    return out


def second_opinion(verdict: Verdict, ref: Reference | None, model: str, name: str, new_from: str) -> Verdict:
    """A change the guards would apply, held (acceptable) when genai-prices disagrees with its new
    value by more than 5%; every refresh (the registry's, each vendor's) asks this. `new_from`
    names where the new value came from ('the download', 'the Azure price list')."""
    theirs = ref.rates.get(name) if ref is not None else None
    if verdict.action != "apply" or verdict.new is None or theirs is None:
        return verdict
    if not disagree(verdict.new, theirs):
        return verdict
    gap = Disagreement(model, name, verdict.new, theirs, new_from, ref.where(name))
    return Verdict("hold", verdict.new, f"disagrees with {gap.text()}")


def row_text(catalog: Catalog, entry: ModelEntry, refs: dict[str, Reference]) -> str:
    """One model's check for the Pricing sheet: 'agrees (3 rates)', the disagreements, or why none."""
    ref = refs.get(entry.id)
    if not available():
        return f"{SOURCE} is not installed here: no second-source check"
    if ref is None:
        return f"not covered by {source_label()}"
    fields = compared(entry, ref)
    bad = [d for d in disagreements(catalog, {entry.id: ref}) if d.model == entry.id]
    if not bad:
        return f"agrees with {source_label()} on {len(fields)} rate{'s' * (len(fields) != 1)}"
    return "DISAGREES" + "".join(f" | {d.field}: {d.text()}" for d in bad)
