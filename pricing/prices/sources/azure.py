"""Azure OpenAI fine-tuning prices from the Azure Retail Prices API (public JSON, no key).

    prices = read_azure()                      # AZURE_URL, page by page via NextPageLink
    prices = read_azure("page1.json")          # a recorded page (its NextPageLink is followed)

A page is {"BillingCurrency", "CustomerEntityId", "CustomerEntityType", "Items": [...],
"NextPageLink": url or null, "Count"}; an item has meterName, skuName, productName,
armRegionName, currencyCode, unitOfMeasure ("1K", "1M", "1 Hour"), retailPrice, type, ...
(learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices; recorded
responses cited in tests/fixtures/vendor_prices/README.md).

The query asks for USD, product "Azure OpenAI", region eastus2, pay-as-you-go rows. Each
catalog field maps to a Global Standard meter, else the regional (Standard) one; the
Developer tier is not what the catalog prices. Token prices are per 1K (or 1M) tokens and
become USD per 1M; hosting is per hour. Reading stops at MAX_PAGES, MAX_TOTAL_BYTES or the
deadline; a page link may not leave the first page's host (or folder, for files).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit

from pricing.prices.fetch import Download, fetch, host_of
from pricing.prices.guards import RejectedDownload, is_valid_price
from pricing.prices.sources.vendor import Deadline, Fetcher, VendorPrices, VendorRate

API = "Azure Retail Prices API"
BASE_URL = "https://prices.azure.com/api/retail/prices"
REGION = "eastus2"
QUERY_FILTER = f"productName eq 'Azure OpenAI' and armRegionName eq '{REGION}' and priceType eq 'Consumption'"
AZURE_URL = BASE_URL + "?" + urlencode({"currencyCode": "'USD'", "$filter": QUERY_FILTER}, quote_via=quote)
SOURCE_ENV = "FT_BREAKEVEN_AZURE_URL"

MAX_PAGES = 50  # the query above is a few hundred rows, 100 to a page
PAGE_MAX_BYTES = 5 * 1024 * 1024  # a page of 100 items is ~70 KB
MAX_TOTAL_BYTES = 50 * 1024 * 1024

# catalog id -> field -> (Global Standard meter, regional meter), as skuName (meterName without
# its unit word). Names from the API as recorded in the fixture README's sources.
METERS: dict[str, dict[str, tuple[str, str]]] = {
    "azure-gpt-4.1-mini": {
        "training_per_1m": ("gpt-4.1-mini FT Training global", "gpt-4.1-mini FT Training regional"),
        "hosting_per_hour": ("gpt-4.1-mini-ft hosting global", "gpt-4.1-mini-ft hosting regional"),
        "ft_input": ("gpt-4.1-mini-ft input global", "gpt-4.1-mini-ft input regional"),
        "ft_output": ("gpt-4.1-mini-ft output global", "gpt-4.1-mini-ft output regional"),
    },
    "azure-gpt-4o-mini": {
        "training_per_1m": ("gpt-4o-mini-0718-FT-Trng-glbl", "gpt-4o-mini-0718-FT-Trng-regnl"),
        "hosting_per_hour": ("gpt-4o-mini-0718-FT-Hstng-glbl", "gpt-4o-mini-0718-FT-Hstng-regnl"),
        "ft_input": ("gpt-4o-mini-0718-FT-inp-glbl", "gpt-4o-mini-0718-FT-inp-regnl"),
        "ft_output": ("gpt-4o-mini-0718-FT-Outp-glbl", "gpt-4o-mini-0718-FT-Outp-regnl"),
    },
}
TOKEN_UNITS = {"1k": 1000.0, "1m": 1.0}  # unitOfMeasure -> factor to USD per 1M tokens
HOUR_UNITS = {"1 hour", "1hour", "1/hour"}
UNIT_WORDS = (" tokens", " unit", " hours", " hour")  # meterName = skuName + one of these


def _key(name: Any) -> str:
    text = " ".join(str(name or "").split()).lower()
    for word in UNIT_WORDS:
        if text.endswith(word):
            return text[: -len(word)]
    return text


def _value(item: dict, field_name: str) -> tuple[float | None, str]:
    """The item's price in the catalog's unit for `field_name`, or None and why not."""
    price, unit = item.get("retailPrice"), " ".join(str(item.get("unitOfMeasure", "")).split())
    if not is_valid_price(price):
        return None, f"retailPrice {price!r} is not a price"
    if field_name == "hosting_per_hour":
        if unit.lower() in HOUR_UNITS:
            return float(price), ""
        return None, f"unit {unit!r} is not per hour"
    factor = TOKEN_UNITS.get(unit.lower())
    if factor is None:
        return None, f"unit {unit!r} is not 1K or 1M tokens"
    return round(price * factor, 6) + 0.0, ""


def parse_items(items: list[dict]) -> tuple[list[VendorRate], list[tuple[str, str]]]:
    """The catalog rates in `items` (pay-as-you-go USD rows), and the mapped fields not found."""
    by_name: dict[str, list[dict]] = {}
    for item in items:
        if (
            item.get("currencyCode") != "USD"
            or item.get("type", "Consumption") != "Consumption"
            or item.get("tierMinimumUnits", 0) not in (0, 0.0)
        ):
            continue
        for name in {_key(item.get("skuName")), _key(item.get("meterName"))} - {""}:
            by_name.setdefault(name, []).append(item)
    rates, missing = [], []
    for model, fields in METERS.items():
        for field_name, names in fields.items():
            if not any(_key(n) in by_name for n in names):
                missing.append((model, f"{field_name}: no meter {' or '.join(map(repr, names))}"))
            for name in names:  # global first; regional only when global is absent
                found = by_name.get(_key(name))
                if not found:
                    continue
                values = {_value(i, field_name) for i in found}
                if len(values) > 1:
                    raw = ", ".join(sorted(str(i.get("retailPrice")) for i in found))
                    rates.append(
                        VendorRate(model, field_name, None, raw, name, f"{len(values)} different prices")
                    )
                else:
                    (value, why), item = values.pop(), found[0]
                    raw = f"{item.get('retailPrice')} USD per {item.get('unitOfMeasure')}"
                    rates.append(VendorRate(model, field_name, value, raw, name, why))
                break
    return rates, missing


def _page(download: Download, number: int) -> tuple[list[dict], str | None]:
    where = f"page {number} from {host_of(download.source)}"
    try:
        page = json.loads(download.data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RejectedDownload(f"{where} is not valid JSON (cut short?)") from exc
    items = page.get("Items") if isinstance(page, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RejectedDownload(f"{where} has no Items list; not an Azure Retail Prices page")
    link = page.get("NextPageLink")
    if link not in (None, "") and not isinstance(link, str):
        raise RejectedDownload(f"{where} has a NextPageLink that is not a URL")
    return items, link or None


def _is_local(source: str) -> bool:
    scheme = urlsplit(source).scheme.lower()
    return scheme in ("", "file") or len(scheme) == 1  # len 1: a Windows drive letter


def _next_url(first: str, current: str, link: str) -> str:
    """The next page's URL; it must stay on the first page's host (local pages: beside it)."""
    if _is_local(first):
        if not _is_local(link):
            raise RejectedDownload(f"a local page links to {host_of(link)}; it may link to files only")
        folder = Path(unquote(urlsplit(current).path) if current.startswith("file:") else current).parent
        return str(folder / unquote(urlsplit(link).path if link.startswith("file:") else link))
    nxt = urljoin(current, link)
    a, b = urlsplit(first), urlsplit(nxt)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        raise RejectedDownload(f"a page links to {host_of(nxt)}, away from {host_of(first)}")
    return nxt


def read_azure(
    source: str = AZURE_URL,
    *,
    deadline: Deadline | None = None,
    fetcher: Fetcher = fetch,
    max_pages: int = MAX_PAGES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> VendorPrices:
    """Every page of `source`; raises FetchError (download) or RejectedDownload (content)."""
    deadline = deadline or Deadline()
    digest, items, total, url, seen_urls, first = hashlib.sha256(), [], 0, source, set(), ""
    while url:
        if len(seen_urls) >= max_pages:
            raise RejectedDownload(f"more than {max_pages} pages; stopped reading")
        if url in seen_urls:
            raise RejectedDownload("a page links back to an earlier page")
        seen_urls.add(url)
        download = deadline.fetch(fetcher, url, PAGE_MAX_BYTES)
        total += len(download.data)
        if total > max_total_bytes:
            raise RejectedDownload(f"the pages add up to more than the {max_total_bytes:,}-byte cap")
        digest.update(download.data)
        first = first or download.source  # a local file's absolute path
        page_items, link = _page(download, len(seen_urls))
        items.extend(page_items)
        url = _next_url(source, url, link) if link else None
    if items and not any(i.get("currencyCode") == "USD" for i in items):
        currency = items[0].get("currencyCode")
        raise RejectedDownload(f"the prices are in {currency!r}, not USD")
    rates, missing = parse_items(items)
    if not rates:
        wanted = sum(len(f) for f in METERS.values())
        raise RejectedDownload(
            f"the download has none of the {wanted} fine-tuning meters the catalog maps "
            f"({len(items)} rows read; is it the Azure OpenAI price list?)"
        )
    summary = {
        "api": API,
        "source": first,
        "pages": len(seen_urls),
        "rows": len(items),
        "sha256": digest.hexdigest(),
        "rates": [asdict(r) for r in rates],
    }
    return VendorPrices(
        api=API,
        source=first,
        sha256=digest.hexdigest(),
        rows=len(items),
        rates=rates,
        missing=missing,
        summary=json.dumps(summary, indent=1).encode(),
    )
