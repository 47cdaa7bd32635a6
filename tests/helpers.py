"""Small builders shared by tests: scenarios with explicit prices need no catalog data."""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

from pricing.prices.catalog import Catalog, ModelEntry


def catalog_of(*models: ModelEntry, **fields) -> Catalog:
    """A catalog of just `models` (and `fields` such as gpus or serving_modes), dated 2026-11-28."""
    return Catalog(as_of="2026-11-28", source="test", models=list(models), **fields)


EMPTY_CATALOG = catalog_of()


def acme_ft(model_id: str, **fields) -> ModelEntry:
    """Acme's fine-tunable `model_id` at $1 per 1M tokens in, out and training; `fields` add the
    rest (shutdown_date, jobs_available_until, ...)."""
    return ModelEntry(
        id=model_id,
        vendor="Acme",
        display_name=model_id,
        input=1.0,
        output=1.0,
        fine_tunable=True,
        training_per_1m=1.0,
        **fields,
    )


def on_gpt41(**fields) -> dict:
    """A scenario on the bundled catalog: 5,000 queries a day of 1,000 prompt and 100 completion
    tokens from gpt-4.1 ($2 / $8 per 1M) to a fine-tuned gpt-4.1-mini ($0.80 / $3.20, training $5
    per 1M) trained on 1M tokens, from 2026-12-01; `fields` change or add inputs."""
    base = dict(
        queries_per_day=5000,
        frontier_model="gpt-4.1",
        ft_model="gpt-4.1-mini",
        input_tokens=1000,
        output_tokens=100,
        training_tokens=1e6,
        start_date="2026-12-01",
    )
    return base | fields


def priced(**overrides):
    """A scenario dict with every rate given, so it evaluates against EMPTY_CATALOG."""
    base = dict(
        name="t",
        queries_per_day=5000,
        input_tokens=1000,
        output_tokens=100,
        frontier_input_price=3.0,
        frontier_output_price=15.0,
        ft_input_price=0.8,
        ft_output_price=3.2,
        training_tokens=250e6,
        epochs=1,
        training_per_1m=8.0,
        eval_cost=2000,
    )
    base.update(overrides)
    return base


# The LiteLLM registry our bundled snapshot came from (.ci/run extracts it from the litellm wheel).
REAL_REGISTRY = Path(os.environ.get("FT_BREAKEVEN_REAL_REGISTRY", "/tmp/ft-breakeven-registry-1.110.2.json"))

# The reporting currency on the command line (report, build, serving-modes): EUR at 0.9 with its
# date and source, and flags each refused in one sentence naming the flag (exit 2).
EUR_FLAGS = ["--currency", "EUR", "--fx-rate", "0.9", "--fx-date", "2026-12-01", "--fx-source", "ECB"]
EUR_CAPTION = "Money in EUR at 1 USD = 0.9 EUR (rate of 2026-12-01; source: ECB)"
EUR_RECORD = {"currency": "EUR", "fx_rate": 0.9, "fx_date": "2026-12-01", "fx_source": "ECB"}
BAD_CURRENCY_FLAGS = [
    (["--currency", "XYZ", "--fx-rate", "2"], ["--currency", "ISO 4217", "'XYZ'"]),
    (["--currency", "EUR", "--fx-rate", "0"], ["--fx-rate", "> 0", "'0'"]),
    (["--currency", "EUR"], ["--fx-rate", "required"]),
    (["--currency", "EUR", "--fx-rate", "0.9", "--fx-date", "1 Dec"], ["--fx-date", "YYYY-MM-DD", "'1 Dec'"]),
]


@contextmanager
def loopback_server(handler: type, daemon_threads: bool = False) -> Iterator[ThreadingHTTPServer]:
    """An HTTP server on 127.0.0.1 (a free port) answering with `handler`, stopped on exit (no
    internet in tests: downloads come from here)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = daemon_threads
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
