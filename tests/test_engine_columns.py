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
from pricing.model.risk import VARIABLES, points, tornado
from pricing.model.scenario import Scenario, ScenarioError
from pricing.model.table import validate_table
from tests.helpers import EMPTY_CATALOG, priced


@pytest.fixture(scope="module")
def resolved():
    """Rows with every rate given (no catalog, no dates: the same columns any day) that use
    growth, price paths, a cut, quality value, cached and batch traffic and a baseline."""
    rows = [
        priced(),
        priced(
            volume_growth_monthly=0.02,
            frontier_price_decline_annual=0.2,
            ft_price_decline_annual=0.1,
            frontier_price_cut=0.1,
            frontier_price_cut_month=5,
            accuracy_lift=0.05,
            value_per_correct=0.5,
            cached_share=0.3,
            batch_share=0.4,
            baseline_input_price=1.0,
            baseline_output_price=4.0,
            ft_traffic_share=0.7,
            retrain_cost_share=0.5,
            lifetime_months=8,
            horizon_months=30,
            days_per_month=25,
        ),
        priced(queries_per_day=300, ft_input_tokens=400, mlops_fte=0.5, hosting_per_month=400),
        priced(queries_per_day=200_000),  # "Mandatory" unless the seed's MLOps budget is counted
    ]
    table = validate_table({f: [r.get(f) for r in rows] for f in Scenario.model_fields}, len(rows))
    out = resolve_table(table, EMPTY_CATALOG)
    assert not any(out.errors)
    return out.columns


def _in_use(c: EngineColumns) -> EngineColumns:
    """The same rows with a successor taking over in month 6 (serving to month 20, or past the
    horizon) and a little cache writing, so the columns only those read count too."""
    n = len(c.queries_per_day)

    def full(v: float) -> np.ndarray:
        return np.full(n, v)

    return dataclasses.replace(
        c,
        service_months=full(6.0),
        succ_service_end=np.resize([20.0, 50.0], n),
        succ_lifetime_months=full(4.0),
        succ_ft_input=full(0.5),
        succ_ft_output=full(2.0),
        succ_ft_cached=full(0.1),
        succ_training_cost=full(1000.0),
        succ_fixed_month=full(100.0),
        cache_write_share=full(0.05),
    )


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
    cols = _in_use(resolved)
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
