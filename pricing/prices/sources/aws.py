"""Amazon Nova fine-tuning prices from the AWS Price List offer file for Amazon Bedrock.

    prices = read_aws()                  # AWS_URL: the us-east-1 offer file, read as it streams
    prices = read_aws("index.json")      # a saved offer file

The file is {"formatVersion", "disclaimer", "offerCode": "AmazonBedrock", "version",
"publicationDate", "products": {sku: {"sku", "productFamily", "attributes": {"usagetype", ...}}},
"terms": {"OnDemand": {sku: {"<sku>.<term>": {"priceDimensions": {"<rate code>": {"unit",
"pricePerUnit": {"USD": "0.0037800000"}, ...}}}}}}} (docs.aws.amazon.com/awsaccountbilling/latest/
aboutv2/reading-service-price-list-file-for-services.html). Products come before terms, so one
pass finds the SKUs of the usage types we map and then their on-demand prices; nothing else is
kept (pricing.prices.sources.offer_stream).

Usage types (us-east-1, prefix USE1): <Model>-Customization-Training per 1K tokens ->
training_per_1m; -Customization-Storage per model-month -> storage_per_month;
-input-tokens-custom-model / -output-tokens-custom-model per 1K tokens -> ft_input / ft_output.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from pricing.prices.catalog import TOKENS_PER_MILLION
from pricing.prices.fetch import CHUNK, fetch
from pricing.prices.guards import RejectedDownload
from pricing.prices.sources.offer_stream import iter_members
from pricing.prices.sources.vendor import Deadline, Fetcher, VendorPrices, VendorRate

API = "AWS Price List (Amazon Bedrock offer file)"
AWS_URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonBedrock/current/us-east-1/index.json"
SOURCE_ENV = "FT_BREAKEVEN_AWS_URL"
OFFER_CODE = "AmazonBedrock"
MAX_BYTES = 200 * 1024 * 1024  # the file grows with every model Bedrock adds; never unbounded
REGION_PREFIX = "USE1"

MODELS = {  # catalog id -> the model's name inside usage types
    "nova-micro": "NovaMicro",
    "nova-lite": "NovaLite",
    "nova-pro": "NovaPro",
    "nova-2-lite": "Nova2.0Lite",
}
FIELDS = {  # usage type suffix -> catalog field
    "Customization-Training": "training_per_1m",
    "Customization-Storage": "storage_per_month",
    "input-tokens-custom-model": "ft_input",
    "output-tokens-custom-model": "ft_output",
}
USAGE_TYPES = {
    f"{REGION_PREFIX}-{name}-{suffix}": (model, field)
    for model, name in MODELS.items()
    for suffix, field in FIELDS.items()
}
# a price's unit -> how many of it make 1M tokens (price per unit x this = USD per 1M tokens)
TOKEN_UNITS = {
    "1k tokens": TOKENS_PER_MILLION / 1000,
    "1m tokens": 1.0,
    "tokens": float(TOKENS_PER_MILLION),
    "token": float(TOKENS_PER_MILLION),
}


def _per_unit(dimension: dict, field_name: str) -> tuple[float | None, str, str]:
    """(value in the catalog's unit or None, raw text, reason) for one price dimension."""
    unit = " ".join(str(dimension.get("unit", "")).split())
    usd = (dimension.get("pricePerUnit") or {}).get("USD")
    raw = f"{usd} USD per {unit}"
    try:
        price = float(usd)
    except (TypeError, ValueError):
        return None, raw, f"pricePerUnit {usd!r} is not a number"
    if not math.isfinite(price) or price < 0:
        return None, raw, f"pricePerUnit {usd!r} is not a price"
    if field_name == "storage_per_month":
        if "month" in unit.lower():
            return price, raw, ""
        return None, raw, f"unit {unit!r} is not per month"
    factor = TOKEN_UNITS.get(unit.lower())
    if factor is None:
        return None, raw, f"unit {unit!r} is not 1K or 1M tokens"
    return round(price * factor, 6) + 0.0, raw, ""


def _rate(usagetype: str, terms: Any) -> VendorRate:
    model, field_name = USAGE_TYPES[usagetype]
    dims = [
        d
        for term in (terms.values() if isinstance(terms, dict) else ())
        if isinstance(term, dict)
        for d in (term.get("priceDimensions") or {}).values()
        if isinstance(d, dict) and str(d.get("beginRange", "0")) in ("0", "0.0")
    ]
    found = {_per_unit(d, field_name) for d in dims}
    if not found:
        return VendorRate(model, field_name, None, "", usagetype, "no on-demand price")
    if len({v for v, _, _ in found}) > 1:
        raw = ", ".join(sorted(r for _, r, _ in found))
        return VendorRate(model, field_name, None, raw, usagetype, f"{len(found)} different prices")
    value, raw, why = found.pop()
    return VendorRate(model, field_name, value, raw, usagetype, why)


def _chunks(data: bytes) -> Iterator[memoryview]:
    view = memoryview(data)
    for i in range(0, len(view), CHUNK):
        yield view[i : i + CHUNK]


def parse_offer(chunks: Any, what: str = "the offer file") -> tuple[list[VendorRate], int, dict]:
    """(rates, products read, top-level metadata) from the offer file's bytes, in one pass."""
    meta: dict[str, Any] = {}
    wanted: dict[str, str] = {}  # sku -> usagetype
    rates: dict[str, VendorRate] = {}
    products = 0
    members = iter_members(
        chunks,
        open_under={(), ("terms",)},
        emit_under={("products",), ("terms", "OnDemand")},
        what=what,
    )
    for path, key, value in members:
        if path == ():
            meta[key] = value
            if key == "offerCode" and value != OFFER_CODE:
                raise RejectedDownload(f"{what} is the offer file of {value!r}, not {OFFER_CODE}")
        elif path == ("products",):
            products += 1
            attrs = value.get("attributes") if isinstance(value, dict) else None
            usagetype = attrs.get("usagetype") if isinstance(attrs, dict) else None
            if usagetype in USAGE_TYPES:
                wanted[key] = usagetype
        elif key in wanted:  # ("terms", "OnDemand"): the prices of one SKU
            if not products:
                raise RejectedDownload(f"{what} lists terms before products; not an offer file")
            usagetype = wanted[key]
            rates[usagetype] = _rate(usagetype, value)
    if meta.get("offerCode") != OFFER_CODE:
        raise RejectedDownload(f"{what} has no offerCode {OFFER_CODE!r}; not a Bedrock offer file")
    for usagetype in wanted.values():  # a product without an on-demand term
        rates.setdefault(usagetype, _rate(usagetype, {}))
    return [rates[u] for u in USAGE_TYPES if u in rates], products, meta


def read_aws(
    source: str = AWS_URL,
    *,
    deadline: Deadline | None = None,
    fetcher: Fetcher = fetch,
    max_bytes: int = MAX_BYTES,
) -> VendorPrices:
    """The Nova customization prices in `source`; raises FetchError or RejectedDownload."""
    deadline = deadline or Deadline()
    download = deadline.fetch(fetcher, source, max_bytes)
    rates, products, meta = parse_offer(_chunks(download.data))
    if not rates:
        raise RejectedDownload(
            f"the offer file has none of the {len(USAGE_TYPES)} Nova customization usage types "
            f"({products:,} products read)"
        )
    sha = hashlib.sha256(download.data).hexdigest()
    summary = {
        "api": API,
        "source": download.source,
        "offerCode": meta.get("offerCode"),
        "version": meta.get("version"),
        "publicationDate": meta.get("publicationDate"),
        "products": products,
        "sha256": sha,
        "rates": [asdict(r) for r in rates],
    }
    return VendorPrices(
        api=API,
        source=download.source,
        sha256=sha,
        rows=products,
        rates=rates,
        missing=[
            (model, f"{field_name}: no usage type {usagetype!r}")
            for usagetype, (model, field_name) in USAGE_TYPES.items()
            if usagetype not in {r.meter for r in rates}
        ],
        summary=json.dumps(summary, indent=1).encode(),
    )
