"""Support for the refresh tests: registry files and a loopback HTTP server (no tests here).

No network and no /tmp copy of the real registry: everything is generated from the bundled
catalog.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pricing.prices.catalog import BILLING_FIELDS, ModelEntry
from pricing.prices.refresh_plan import REGISTRY_NAME
from pricing.prices.sources.litellm import BILLING_FIELDS as BILLING_NAMES
from pricing.prices.sources.litellm import REGIONAL_UPLIFT, long_context_names
from pricing.prices.store import bundled_catalog
from tests.helpers import loopback_server

FILLERS = 5000
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # the refreshes' clock


def registry_dict(fillers: int = FILLERS) -> dict:
    """A LiteLLM-shaped registry that reproduces the bundled catalog's published rates.

    Rows for every registry_key / ft_registry_key (published fields only, so a refresh from it
    changes nothing), the two documentation keys, a few alias rows and `fillers` other models.
    """
    data: dict = {
        "sample_spec": {"input_cost_per_token": 0.0, "litellm_provider": "doc"},
        "fallback_generalizations": {"gpt-x": "gpt-4o"},
    }
    for m in bundled_catalog().models:
        for prefix, key in (("", m.registry_key), ("ft_", m.ft_registry_key)):
            if not key:
                continue
            row: dict = {"litellm_provider": m.vendor.lower(), "mode": "chat"}
            for ours, theirs in REGISTRY_NAME.items():
                value = getattr(m, prefix + ours)
                if value is not None and m.status_of(prefix + ours) == "published":
                    row[theirs] = value / 1e6
            if prefix == "" and m.deprecation_date:
                row["deprecation_date"] = m.deprecation_date.isoformat()
            if prefix == "":
                row.update(billing_row(m))
            data[key] = row
    for i in range(fillers):
        data[f"filler/model-{i}"] = {
            "litellm_provider": "filler",
            "mode": "chat",
            "max_input_tokens": 128000,
            "input_cost_per_token": (i % 97 + 1) * 1e-7,
            "output_cost_per_token": (i % 89 + 1) * 4e-7,
            "supports_function_calling": True,
        }
        if i % 50 == 0:
            data[f"filler/alias-{i}"] = {"alias_of": f"filler/model-{i}"}
    return data


def billing_row(m: ModelEntry) -> dict:
    """A model's billing rates under their registry names (curated ones, with a source of their
    own, left out as the registry lacks them)."""
    names = {ours: theirs for theirs, ours in BILLING_NAMES.items()}
    if m.long_context_threshold is not None:
        names.update(long_context_names(int(m.long_context_threshold // 1000)))
    row: dict = {}
    for f in BILLING_FIELDS:
        value = getattr(m, f)
        if value is None or f in m.field_sources or f == "long_context_threshold":
            continue  # the threshold is in the long-context rates' names
        if f == "regional_uplift":
            row[REGIONAL_UPLIFT] = value
        else:
            row[names[f]] = value / 1e6
    return row


def encode(data: dict) -> bytes:
    return json.dumps(data, indent=1).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}
    hits: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        status, body, headers = self.routes.get(self.path, (404, b"Not Found", {}))
        self.send_response(status)
        headers = {"Content-Type": "application/json", **headers}
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep pytest output clean
        pass


class LocalServer:
    def __init__(self, httpd: ThreadingHTTPServer, handler: type[_Handler]):
        self.httpd = httpd
        self.handler = handler
        self.base = f"http://127.0.0.1:{httpd.server_address[1]}"

    def serve(self, path: str, body: bytes, status: int = 200, **headers: str) -> str:
        self.handler.routes[path] = (status, body, headers)
        return self.base + path

    def hits(self, path: str) -> int:
        return self.handler.hits.get(path, 0)


@contextmanager
def local_server():
    handler = type("Handler", (_Handler,), {"routes": {}, "hits": {}})
    with loopback_server(handler) as httpd:
        yield LocalServer(httpd, handler)


def store_bytes(store: Path) -> dict[str, bytes | None]:
    """The bytes of every file a refresh may write (None = absent)."""
    names = ("catalog.json", "changelog.jsonl", "registry-last-good.json", "held-back.json")
    return {n: (store / n).read_bytes() if (store / n).exists() else None for n in names}
