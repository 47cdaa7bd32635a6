"""Refresh from the vendors' price APIs: recorded Azure pages and a trimmed AWS offer file on loopback.

The fixtures (tests/fixtures/vendor_prices, sources in its README) are served as recorded; a test
that needs a price to move changes it in a copy, never in the file.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from pricing.prices.changelog import read_changelog
from pricing.prices.fetch import FetchError
from pricing.prices.refresh import refresh, report_lines
from pricing.prices.sources import aws, azure
from pricing.prices.sources.offer_stream import iter_members
from pricing.prices.sources.vendor import Deadline
from pricing.prices.store import bundled_catalog, load_catalog
from pricing.prices.vendor_refresh import refresh_vendor
from tests.test_refresh_support import NOW, encode, registry_dict
from xl_addin.cli import main as cli_main

TODAY = NOW.date()
FIXTURES = Path(__file__).parent / "fixtures" / "vendor_prices"
AZURE_HOST = "https://prices.azure.com:443/api/retail/prices"
PAGES = [json.loads((FIXTURES / "azure" / f"page{i}.json").read_text()) for i in (1, 2, 3)]
OFFER = json.loads((FIXTURES / "aws" / "index.json").read_text())
VENDOR_FILES = (
    "catalog.json",
    "changelog.jsonl",
    "azure-last-good.json",
    "held-back-azure.json",
    "aws-last-good.json",
    "held-back-aws.json",
)


pytestmark = pytest.mark.usefixtures("no_backoff")  # tests/conftest.py


def files(store: Path) -> dict[str, bytes | None]:
    return {n: (store / n).read_bytes() if (store / n).exists() else None for n in VENDOR_FILES}


# ---------------------------------------------------------------- serving the recorded responses


def serve_azure(server, tag: str, pages: list[dict] | None = None, **raw: tuple[int, bytes]) -> str:
    """Serve the pages under /<tag>/...; NextPageLink rewritten from Azure's host to the server.

    raw: page number ("p2") -> (status, body) served instead of that page.
    """
    base = f"{server.base}/{tag}/api/retail/prices"
    url = base + "?" + azure.AZURE_URL.split("?", 1)[1]
    for i, page in enumerate(pages or PAGES, start=1):
        path = httpx.URL(url).raw_path.decode()
        text = json.dumps(page, indent=1).replace(AZURE_HOST, base)
        status, body = raw.get(f"p{i}", (200, text.encode()))
        server.serve(path, body, status=status)
        link = json.loads(text)["NextPageLink"]
        url = link or url
    return base + "?" + azure.AZURE_URL.split("?", 1)[1]


def priced(pages: list[dict], sku: str, price: float) -> list[dict]:
    """A copy of the pages with one meter's retailPrice changed."""
    pages = copy.deepcopy(pages)
    items = [i for p in pages for i in p["Items"] if i["skuName"] == sku]
    assert items, sku
    for item in items:
        item["retailPrice"] = item["unitPrice"] = price
    return pages


def serve_aws(
    server, tag: str, offer: dict | None = None, status: int = 200, body: bytes | None = None
) -> str:
    data = body if body is not None else json.dumps(offer or OFFER, indent=4).encode()
    return server.serve(
        f"/{tag}/offers/v1.0/aws/AmazonBedrock/current/us-east-1/index.json", data, status=status
    )


def offer_priced(usagetype: str, usd: str) -> dict:
    offer = copy.deepcopy(OFFER)
    sku = next(s for s, p in offer["products"].items() if p["attributes"]["usagetype"] == usagetype)
    for term in offer["terms"]["OnDemand"][sku].values():
        for dim in term["priceDimensions"].values():
            dim["pricePerUnit"]["USD"] = usd
    return offer


# ---------------------------------------------------------------- applying the rates


def test_azure_pages_apply_the_rates_and_log_every_change(server, store):
    pages = priced(PAGES, "gpt-4.1-mini FT Training global", 0.0055)
    pages = priced(pages, "gpt-4o-mini-0718-FT-Hstng-glbl", 1.8)
    url = serve_azure(server, "az-apply", pages)
    result = refresh_vendor("azure", url, store=store, now=NOW)
    assert result.status == "applied", result.message
    catalog = load_catalog(store)
    mini, fouro = catalog.get("azure-gpt-4.1-mini"), catalog.get("azure-gpt-4o-mini")
    # The Global Standard meter, not the regional (6.6) or Developer-tier (2.5) one.
    assert mini.training_per_1m == 5.5 and fouro.hosting_per_hour == 1.8
    for m in (mini, fouro):
        for f in ("training_per_1m", "hosting_per_hour", "ft_input", "ft_output"):
            assert m.status_of(f) == "published", (m.id, f)
        assert m.fine_tuning_verified == TODAY
        assert m.fine_tuning_source == f"Azure Retail Prices API: {url}"
        assert m.status_of("ft_cached_input") == "inferred"  # not carried by the API: unchanged
    assert catalog.get("nova-pro") == bundled_catalog().get("nova-pro")
    assert all(server.hits(httpx.URL(u).raw_path.decode()) == 1 for u in [url])
    log = read_changelog(store / "changelog.jsonl")
    assert [(r.model, r.field, r.old, r.new) for r in log] == [
        (c.model, c.field, c.old, c.new) for c in result.applied
    ]
    assert ("azure-gpt-4.1-mini", "training_per_1m", 5.0, 5.5) in [
        (r.model, r.field, r.old, r.new) for r in log
    ]
    # a field the catalog had only inferred becomes published, and the log says so
    assert ("azure-gpt-4o-mini", "ft_input status", "inferred", "published") in [
        (r.model, r.field, r.old, r.new) for r in log
    ]
    assert {r.source for r in log} == {url} and all(r.sha256 == result.sha256 for r in log)
    used = json.loads((store / "azure-last-good.json").read_text())
    assert used["pages"] == 3 and used["rows"] == sum(len(p["Items"]) for p in PAGES)


def test_aws_offer_file_applies_the_rates(server, store):
    url = serve_aws(server, "aws-apply", offer_priced("USE1-NovaPro-Customization-Training", "0.0090000000"))
    result = refresh_vendor("aws", url, store=store, now=NOW)
    assert result.status == "applied", result.message
    catalog = load_catalog(store)
    pro = catalog.get("nova-pro")
    assert pro.training_per_1m == 9.0  # 0.009 per 1K tokens
    assert (pro.storage_per_month, pro.ft_input, pro.ft_output) == (1.95, 0.8, 3.2)
    for f in ("training_per_1m", "storage_per_month", "ft_input", "ft_output"):
        assert pro.status_of(f) == "published"
    assert pro.status_of("ft_batch_input") == "unverified"  # the offer file does not price it
    assert pro.fine_tuning_source.startswith("AWS Price List") and pro.fine_tuning_verified == TODAY
    text = "\n".join(report_lines(result))
    if "nova-2-lite" in catalog:  # added by the catalog's own update
        assert catalog.get("nova-2-lite").training_per_1m == 3.78
    else:
        assert result.not_in_catalog == ["nova-2-lite"] and "nova-2-lite: not in catalog" in text
    log = read_changelog(store / "changelog.jsonl")
    assert len(log) == len(result.applied) and ("nova-pro", "training_per_1m", 8.0, 9.0) in [
        (r.model, r.field, r.old, r.new) for r in log
    ]


def test_a_store_changed_during_the_read_is_not_overwritten(server, store, monkeypatch):
    """The vendor refresh saves fenced like the registry's (refresh.save): a refresh that applied
    while this one read the vendor's file survives, and this one says it did not save."""
    from pricing.prices import vendor_refresh

    url = serve_aws(server, "aws-fence", offer_priced("USE1-NovaPro-Customization-Training", "0.0090000000"))
    first = serve_aws(
        server, "aws-first", offer_priced("USE1-NovaPro-Customization-Training", "0.0100000000")
    )
    vendor = vendor_refresh.VENDORS["aws"]

    def read_while_another_applies(*args, **kwargs):
        prices = vendor.read(*args, **kwargs)
        monkeypatch.setitem(vendor_refresh.VENDORS, "aws", vendor)  # the other refresh reads as usual
        assert vendor_refresh._refresh_locked(vendor, first, store, (), False, None, NOW, 60.0, None).ok
        return prices

    monkeypatch.setitem(
        vendor_refresh.VENDORS,
        "aws",
        vendor_refresh.Vendor("aws", "AWS", url, aws.SOURCE_ENV, read_while_another_applies),
    )
    result = refresh_vendor("aws", url, store=store, now=NOW)
    assert result.status == "failed" and not result.ok
    assert "Not saved" in result.message and "changed while this refresh ran" in result.message
    assert load_catalog(store).get("nova-pro").training_per_1m == 10.0  # the other refresh's


def test_nothing_new_still_verifies_and_a_second_read_changes_nothing(server, store):
    url = serve_aws(server, "aws-twice")
    first = refresh_vendor("aws", url, store=store, now=NOW)
    assert first.status == "applied" and all(c.field.endswith(" status") for c in first.applied)
    second = refresh_vendor("aws", url, store=store, now=NOW)
    assert second.status == "unchanged" and second.applied == []
    assert len(read_changelog(store / "changelog.jsonl")) == len(first.applied)


def test_a_later_litellm_refresh_keeps_what_the_vendor_published(server, store):
    pages = priced(PAGES, "gpt-4.1-mini-ft input global", 0.00045)
    refresh_vendor("azure", serve_azure(server, "az-then-litellm", pages), store=store, now=NOW)
    result = refresh(
        server.serve("/registry-after-vendor.json", encode(registry_dict())), store=store, now=NOW
    )
    assert result.ok, result.message
    mini = load_catalog(store).get("azure-gpt-4.1-mini")
    assert (mini.ft_input, mini.status_of("ft_input")) == (0.45, "published")


# ---------------------------------------------------------------- the guards


@pytest.mark.parametrize(
    "vendor, serve, key, new",
    [
        (
            "azure",
            lambda s: serve_azure(s, "az-10x", priced(PAGES, "gpt-4o-mini-0718-FT-Trng-glbl", 0.0301)),
            "azure-gpt-4o-mini.training_per_1m",
            30.1,  # 0.0301 per 1K: 10.03x the catalog's 3.0
        ),
        (
            "aws",
            lambda s: serve_aws(s, "aws-10x", offer_priced("USE1-NovaLite-Customization-Training", "0.0201")),
            "nova-lite.training_per_1m",
            20.1,
        ),
    ],
)
def test_a_ten_x_move_is_held_back_until_accepted(server, store, vendor, serve, key, new):
    url = serve(server)
    model, field = key.split(".training")[0], "training_per_1m"
    old = bundled_catalog().get(model).training_per_1m
    result = refresh_vendor(vendor, url, store=store, now=NOW)
    assert result.ok and [h.key for h in result.held_back] == [key]
    assert load_catalog(store).get(model).training_per_1m == old
    assert load_catalog(store).get(model).status_of(field) == "unverified"  # not vouched for
    assert f"--accept {key}" in "\n".join(report_lines(result))
    assert key in (store / f"held-back-{vendor}.json").read_text()
    accepted = refresh_vendor(vendor, url, store=store, now=NOW, accepted=[key])
    change = next(c for c in accepted.applied if c.field == field)
    assert change.note == "accepted" and (change.old, change.new) == (old, new)
    assert load_catalog(store).get(model).status_of(field) == "published"


def test_an_unusable_price_is_never_applied(server, store):
    url = serve_aws(server, "aws-bad-price", offer_priced("USE1-NovaMicro-Customization-Training", "-1"))
    result = refresh_vendor("aws", url, store=store, now=NOW)
    held = [h for h in result.held_back if h.key == "nova-micro.training_per_1m"]
    assert held and not held[0].acceptable and "not a price" in held[0].reason
    assert load_catalog(store).get("nova-micro").training_per_1m == 1.0


def seeded(server, store, tag: str) -> dict[str, bytes | None]:
    """A store after one good refresh of each vendor; returns every file's bytes."""
    assert refresh_vendor("azure", serve_azure(server, f"{tag}-az"), store=store, now=NOW).ok
    assert refresh_vendor("aws", serve_aws(server, f"{tag}-aws"), store=store, now=NOW).ok
    return files(store)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "vendor, case",
    [
        ("azure", "truncated"),
        ("azure", "500"),
        ("aws", "truncated"),
        ("aws", "500"),
    ],
)
def test_a_truncated_page_or_a_500_changes_nothing(server, store, vendor, case, capsys):
    before = seeded(server, store, f"fail-{vendor}-{case}")
    tag = f"{vendor}-{case}"
    if vendor == "azure":
        page2 = json.dumps(priced(PAGES, "gpt-4.1-mini-ft hosting regional", 9.0)[1]).encode()
        page = (500, b"Internal Server Error") if case == "500" else (200, truncated(page2))
        url = serve_azure(server, tag, priced(PAGES, "gpt-4.1-mini FT Training global", 0.0055), p2=page)
    else:
        body = json.dumps(offer_priced("USE1-NovaPro-Customization-Training", "0.009"), indent=4).encode()
        url = (
            serve_aws(server, tag, status=500, body=b"Internal Server Error")
            if case == "500"
            else serve_aws(server, tag, body=truncated(body))
        )
    code = cli_main(["refresh", "--from", vendor, "--source", url, "--store", str(store)])
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.out + out.err
    message = out.out.strip()
    assert "\n" not in message and message.endswith("prices unchanged.")
    assert ("500" in message) if case == "500" else ("ends early" in message or "not valid JSON" in message)
    assert files(store) == before


def test_cli_from_all_runs_each_source_and_source_needs_one(server, store, capsys, monkeypatch):
    monkeypatch.setenv(
        "FT_BREAKEVEN_REGISTRY_URL", server.serve("/all-registry.json", encode(registry_dict()))
    )
    monkeypatch.setenv("FT_BREAKEVEN_AZURE_URL", serve_azure(server, "all-az"))
    monkeypatch.setenv("FT_BREAKEVEN_AWS_URL", serve_aws(server, "all-aws"))
    assert cli_main(["refresh", "--from", "all", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "Azure fine-tuning prices read" in out and "AWS fine-tuning prices read" in out
    assert "Prices as of" in out  # the LiteLLM refresh's report
    assert cli_main(["refresh", "--from", "all", "--source", "x.json", "--store", str(store)]) == 1
    assert capsys.readouterr().out.strip().endswith("with --from litellm, azure or aws, not all.")


# ---------------------------------------------------------------- pages, caps, deadline


def test_page_links_stay_on_the_first_host_and_never_loop(server, store):
    looping = copy.deepcopy(PAGES)
    looping[2]["NextPageLink"] = AZURE_HOST + "?" + azure.AZURE_URL.split("?", 1)[1]
    result = refresh_vendor("azure", serve_azure(server, "az-loop", looping), store=store, now=NOW)
    assert result.status == "rejected" and "links back" in result.message
    away = copy.deepcopy(PAGES)
    away[0]["NextPageLink"] = "https://elsewhere.example/prices?page=2"
    result = refresh_vendor("azure", serve_azure(server, "az-away", away), store=store, now=NOW)
    assert result.status == "rejected" and "elsewhere.example" in result.message
    assert not (store / "catalog.json").exists()


def test_page_and_byte_caps(server):
    url = serve_azure(server, "az-caps")
    with pytest.raises(Exception, match="more than 2 pages"):
        azure.read_azure(url, max_pages=2)
    with pytest.raises(Exception, match="byte cap"):
        azure.read_azure(url, max_total_bytes=6000)
    with pytest.raises(FetchError, match="cap"):
        aws.read_aws(serve_aws(server, "aws-cap"), max_bytes=10_000)


def test_prices_not_in_usd_are_rejected(server, store):
    pages = copy.deepcopy(PAGES)
    for page in pages:
        for item in page["Items"]:
            item["currencyCode"] = "EUR"
    result = refresh_vendor("azure", serve_azure(server, "az-eur", pages), store=store, now=NOW)
    assert result.status == "rejected" and "'EUR', not USD" in result.message


def test_the_deadline_covers_the_whole_read(server, store, monkeypatch):
    result = refresh_vendor("azure", serve_azure(server, "az-deadline"), store=store, now=NOW, deadline=0)
    assert result.status == "unreachable" and "time limit" in result.message
    clock = iter([0.0, 1.0, 500.0])  # start, one chunk in time, the next after the limit
    monkeypatch.setattr("pricing.prices.sources.vendor.time.monotonic", lambda: next(clock))
    deadline = Deadline(300)
    progress = deadline.progress_for("https://prices.azure.com/x")
    progress(1, None)
    with pytest.raises(FetchError, match="after 300 s"):
        progress(2, None)


def test_another_offer_file_is_rejected(server, store):
    other = dict(OFFER, offerCode="AmazonEC2")
    result = refresh_vendor("aws", serve_aws(server, "aws-ec2", other), store=store, now=NOW)
    assert result.status == "rejected" and "'AmazonEC2'" in result.message


# ---------------------------------------------------------------- the streamed offer-file reader


def test_member_reader_matches_json_at_any_chunk_size():
    data = json.dumps(OFFER, indent=4).encode()
    want = [(("products",), k, v) for k, v in OFFER["products"].items()]
    want += [(("terms", "OnDemand"), k, v) for k, v in OFFER["terms"]["OnDemand"].items()]
    for size in (1, 3, 64, 65536):
        chunks = (data[i : i + size] for i in range(0, len(data), size))
        got = [
            m
            for m in iter_members(
                chunks, open_under={(), ("terms",)}, emit_under={("products",), ("terms", "OnDemand")}
            )
            if m[0]
        ]
        assert got == want, size


def test_a_large_offer_file_streams_in_bounded_memory():
    """~125 MB of offer file parsed under a 600 MB address-space limit.

    Measured: the streamed parse peaks at ~30 MB resident; json.loads of the same bytes at ~540 MB.
    """
    script = textwrap.dedent(
        f"""
        import json, resource, sys, time
        sys.path.insert(0, {str(Path(__file__).parents[1])!r})
        from pricing.prices.sources.aws import parse_offer
        offer = json.loads(open({str(FIXTURES / "aws" / "index.json")!r}).read())
        def chunks():
            yield b'{{"formatVersion": "v1.0", "offerCode": "AmazonBedrock", "products": {{'
            attrs = {{"usagetype": "USE1-Filler-input-tokens", "note": "x" * 300}}
            filler = {{"sku": "F", "productFamily": "x", "attributes": attrs}}
            for i in range(300_000):
                yield json.dumps("F%d" % i).encode() + b": " + json.dumps(filler).encode() + b", "
            yield json.dumps(offer["products"]).encode()[1:-1]
            yield b'}}, "terms": {{"OnDemand": ' + json.dumps(offer["terms"]["OnDemand"]).encode() + b"}}}}"
        resource.setrlimit(resource.RLIMIT_AS, (600 * 1024 * 1024, 600 * 1024 * 1024))
        start = time.perf_counter()
        rates, products, meta = parse_offer(chunks())
        print(len(rates), products, round(time.perf_counter() - start, 1))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    n_rates, products, seconds = done.stdout.split()
    print(f"streamed {products} products in {seconds} s under a 600 MB limit")
    assert int(n_rates) == 16 and int(products) == 300_000 + len(OFFER["products"])
