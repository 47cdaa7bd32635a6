"""One input block's figures kept between cells: a spreadsheet concern, so it lives here.

A workbook asks one scenario for many figures (the Calculator: ~25 cells read one input block).
pricing.model.breakeven.scenario_figures resolves the scenario once; this keeps that answer per
(inputs, catalog, day) so the other cells read it. The day is in the key because a scenario
without a go-live date starts today: tomorrow the same inputs are another scenario.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from datetime import date
from typing import Any

from pricing.model.breakeven import TableResult, as_scenario, scenario_figures
from pricing.model.scenario import Scenario
from pricing.prices.catalog import Catalog

ONE_SCENARIO_CACHE_SIZE = 64
# key -> (the catalog, held so its id stays unique while cached; the scenario's TableResult)
_ONE_SCENARIO_CACHE: OrderedDict[tuple, tuple[Catalog | None, TableResult]] = OrderedDict()


def evaluate_figure(scenario: Scenario | Mapping[str, Any], output: str, catalog: Catalog | None) -> Any:
    """pricing.model.breakeven.evaluate_figure, from the cached figures of this input block."""
    s = as_scenario(scenario)
    key = (tuple(getattr(s, f) for f in Scenario.model_fields), id(catalog), date.today())
    hit = _ONE_SCENARIO_CACHE.get(key)
    if hit is None:  # (the catalog is held in the entry, so its id cannot be reused while cached)
        hit = _ONE_SCENARIO_CACHE[key] = (catalog, scenario_figures(s, catalog))
        while len(_ONE_SCENARIO_CACHE) > ONE_SCENARIO_CACHE_SIZE:
            _ONE_SCENARIO_CACHE.popitem(last=False)
    _ONE_SCENARIO_CACHE.move_to_end(key)
    return hit[1].value(output, 0)
