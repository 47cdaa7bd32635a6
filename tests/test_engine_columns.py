"""The engine's input columns are one typed declaration (pricing.model.columns.EngineColumns):
a misspelt column fails where it is written, resolve_table fills every field, and every field
it fills is read by the engine (a column nothing reads would be a figure nobody computes)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from pricing.model import billing
from pricing.model.breakeven import figures_for
from pricing.model.columns import NAMES, EngineColumns
from pricing.model.inputs import resolve_table
from pricing.model.presets import presets
from pricing.model.risk import VARIABLES, points, tornado
from pricing.model.scenario import Scenario, ScenarioError
from pricing.model.table import validate_table
from pricing.prices.store import bundled_catalog
from tests.helpers import EMPTY_CATALOG, priced
from tests.native_cases import random_scenarios


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


@pytest.fixture(scope="module")
def resolved(catalog):
    """Presets and random cases (baselines, successors, billing options, shutdowns, GPU serving)."""
    cases = [p.scenario.model_dump() for p in presets()] + random_scenarios(catalog, 60, seed=18)
    table = validate_table({f: [c.get(f) for c in cases] for f in Scenario.model_fields}, len(cases))
    out = resolve_table(table, catalog)
    assert not any(out.errors)
    return out.columns


def test_a_misspelt_column_cannot_be_built_read_or_written():
    one = {name: np.zeros(1) for name in NAMES}
    with pytest.raises(TypeError, match="queries_per_dya"):
        EngineColumns(**{**one, "queries_per_dya": np.ones(1)})
    missing = dict(one)
    del missing["queries_per_day"]
    with pytest.raises(TypeError, match="queries_per_day"):
        EngineColumns(**missing)
    c = EngineColumns(**one)
    with pytest.raises(AttributeError):
        c.queries_per_dya  # noqa: B018
    with pytest.raises(AttributeError):  # slots: no new attribute appears beside the fields
        c.queries_per_dya = np.ones(1)
    with pytest.raises(TypeError, match="queries_per_dya"):
        dataclasses.replace(c, queries_per_dya=np.ones(1))


def test_billing_factor_columns_are_fields():
    assert set(billing.COLUMNS) <= set(NAMES)


def test_resolve_table_fills_every_field_with_a_column_per_row(resolved):
    n = len(resolved.queries_per_day)
    for name in NAMES:
        col = getattr(resolved, name)
        assert isinstance(col, np.ndarray) and col.shape == (n,) and col.dtype == np.float64, name


def _shifted(col: np.ndarray) -> np.ndarray:
    """A clearly different value on every row (finite where the column was not)."""
    return np.where(np.isfinite(col), col * 3 + 7, 1.0)


def test_every_field_is_read_by_the_engine(resolved):
    # a little cache writing on every row, so the cache-write factors count on baseline rows too
    cols = dataclasses.replace(resolved, cache_write_share=np.full(len(resolved.cache_write_share), 0.05))
    base = figures_for(cols)
    unread = []
    for name in NAMES:
        with np.errstate(all="ignore"):  # a shifted share or decline may leave its range
            moved = figures_for(dataclasses.replace(cols, **{name: _shifted(getattr(cols, name))}))
        if all(np.array_equal(base[k], moved[k], equal_nan=True) for k in base):
            unread.append(name)
    assert unread == []


def test_risk_sets_engine_columns_on_a_copy_and_refuses_unknown_names():
    s = priced()
    base = points(s, {}, 2, EMPTY_CATALOG)
    moved = points(s, {"training_cost": np.array([10.0, 20.0])}, 2, EMPTY_CATALOG)
    assert list(moved.training_cost) == [10.0, 20.0]
    assert not math.isclose(base.training_cost[0], 10.0)
    with pytest.raises(ScenarioError) as err:
        tornado(s, {"traning_cost": (1.0, 2.0)}, catalog=EMPTY_CATALOG)
    allowed = f"a numeric input or engine column ({', '.join(VARIABLES[:6])}, ...)"
    assert str(err.value) == f"driver must be {allowed}, got 'traning_cost'"
