"""Small builders shared by tests: scenarios with explicit prices need no catalog data."""

import os
from pathlib import Path

from pricing.prices.catalog import Catalog

EMPTY_CATALOG = Catalog(as_of="2026-11-28", source="test", models=[])


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
        training_price=8.0,
        eval_cost=2000,
    )
    base.update(overrides)
    return base


# The LiteLLM registry our bundled snapshot came from (.ci/run extracts it from the litellm wheel).
REAL_REGISTRY = Path(os.environ.get("FT_BREAKEVEN_REAL_REGISTRY", "/tmp/ft-breakeven-registry-1.110.2.json"))

# The reporting currency on the command line (report, build, serving-modes): EUR at 0.9 with its
# date and source, and flags each refused in one sentence naming the flag (exit 2).
EUR_FLAGS = ["--currency", "EUR", "--fx", "0.9", "--fx-date", "2026-12-01", "--fx-source", "ECB"]
EUR_CAPTION = "Money in EUR at 1 USD = 0.9 EUR (rate of 2026-12-01; source: ECB)"
EUR_RECORD = {"currency": "EUR", "fx_rate": 0.9, "fx_date": "2026-12-01", "fx_source": "ECB"}
BAD_CURRENCY_FLAGS = [
    (["--currency", "XYZ", "--fx", "2"], ["--currency", "ISO 4217", "'XYZ'"]),
    (["--currency", "EUR", "--fx", "0"], ["--fx", "> 0", "'0'"]),
    (["--currency", "EUR"], ["--fx", "required"]),
    (["--currency", "EUR", "--fx", "0.9", "--fx-date", "1 Dec"], ["--fx-date", "YYYY-MM-DD", "'1 Dec'"]),
]
