"""Each input's rules are declared once (scenario.py's Field(...) declarations, CHOICES and
SHARE_CAPS): one Scenario (pydantic) and a whole table (table.py, numpy) follow the same
declaration, so changing a bound there changes both checks and their messages."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import annotated_types as at
import pytest

from pricing.model import scenario as sc
from pricing.model import table as tb
from pricing.model.scenario import NUMERIC_FIELDS, Scenario, ScenarioError, field_bounds, make_scenario
from pricing.model.table import validate_table

# A valid scenario apart from the field under test (the training size is required by the table).
BASE = {"queries_per_day": 1000, "input_tokens": 500, "output_tokens": 200, "training_tokens": 1e6}


def _verdicts(field: str, value) -> tuple[str | None, str | None]:
    """(Scenario's error text or None, the table's error text or None) for BASE with field=value."""
    values = {**BASE, field: value}
    try:
        make_scenario(values)
        one = None
    except ScenarioError as err:
        one = str(err)
    row = validate_table({k: [v] for k, v in values.items()}).errors[0]
    return one, None if row is None else str(row)


def _whole(field: str) -> bool:
    return Scenario.model_fields[field].annotation in (int, int | None)


def _edges(field: str) -> tuple[object, object]:
    """(lowest, highest) value the declaration allows for a field."""
    lo, lo_inc, hi, hi_inc = field_bounds(field)
    if field in sc.CHOICES:
        return min(sc.CHOICES[field]), max(sc.CHOICES[field])
    low = lo if lo_inc else math.nextafter(lo, math.inf)
    high = hi if hi_inc else math.nextafter(hi, -math.inf)
    if _whole(field):
        return math.ceil(low), math.floor(high)
    return low, high


def test_every_numeric_input_has_both_bounds_declared():
    for field in NUMERIC_FIELDS:
        lo, _, hi, _ = field_bounds(field)
        assert math.isfinite(lo) and math.isfinite(hi), field


@pytest.mark.parametrize("field", NUMERIC_FIELDS)
def test_one_scenario_and_a_table_agree_at_and_beyond_each_bound(field):
    low, high = _edges(field)
    assert _verdicts(field, low) == (None, None)
    assert _verdicts(field, high) == (None, None)
    below = low - 1 if _whole(field) else math.nextafter(field_bounds(field)[0], -math.inf)
    above = high + 1 if _whole(field) else math.nextafter(field_bounds(field)[2], math.inf)
    for bad in (below, above):
        one, row = _verdicts(field, bad)
        assert one is not None and one == row, (field, bad)
        assert one.startswith(f"{field} must be "), one


def _tighten(field: str, monkeypatch) -> None:
    """Move both declared bounds of a field inward and rebuild Scenario from its declarations."""
    lo, _, hi, _ = field_bounds(field)
    step = (hi - lo) / 4
    new_lo, new_hi = lo + step, hi - step
    if _whole(field):
        new_lo, new_hi = math.ceil(new_lo), math.floor(new_hi)
    info = Scenario.model_fields[field]
    kept = [m for m in info.metadata if not isinstance(m, (at.Ge, at.Gt, at.Le, at.Lt))]
    monkeypatch.setattr(info, "metadata", [*kept, at.Ge(new_lo), at.Le(new_hi)])
    Scenario.model_rebuild(force=True)


@pytest.fixture
def rebuild_after(monkeypatch):
    yield monkeypatch
    monkeypatch.undo()
    Scenario.model_rebuild(force=True)  # back to the declared bounds for the other tests


@pytest.mark.parametrize("field", NUMERIC_FIELDS)
def test_changing_a_declared_bound_changes_both_checks(field, rebuild_after):
    low, high = _edges(field)  # allowed by today's declaration
    _tighten(field, rebuild_after)
    for value in (low, high):
        one, row = _verdicts(field, value)
        assert one is not None and one == row, (field, value)
        assert f"{field} must be " in one, one
    if field not in sc.CHOICES:  # and a value inside the new bounds passes both
        lo, _, hi, _ = field_bounds(field)
        middle = math.ceil((lo + hi) / 2) if _whole(field) else (lo + hi) / 2
        assert _verdicts(field, middle) == (None, None)


def test_changing_a_declared_choice_changes_both_checks(monkeypatch):
    assert _verdicts("cache_ttl_minutes", 30) == (
        "cache_ttl_minutes must be one of 5, 60, got 30",
        "cache_ttl_minutes must be one of 5, 60, got 30",
    )
    monkeypatch.setitem(sc.CHOICES, "cache_ttl_minutes", (5, 30, 60))
    assert _verdicts("cache_ttl_minutes", 30) == (None, None)


def test_changing_a_declared_share_cap_changes_both_checks(monkeypatch):
    monkeypatch.setitem(BASE, "cached_share", 0.5)
    one, row = _verdicts("cache_write_share", 0.75)
    assert (
        one
        == row
        == (
            "cache_write_share must be a number >= 0 and <= 1 - cached_share"
            " (the prompt tokens not read from cache), got 0.75"
        )
    )
    monkeypatch.setitem(sc.SHARE_CAPS, "cache_write_share", ("batch_share", "test"))
    assert _verdicts("cache_write_share", 0.75) == (None, None)


def test_table_module_states_no_rule_of_its_own():
    """table.py holds no number but 0 and no choice value: bounds and choices come from scenario.py."""
    tree = ast.parse(Path(tb.__file__).read_text(encoding="utf-8"))
    constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    numbers = {c for c in constants if isinstance(c, (int, float)) and not isinstance(c, bool)}
    assert numbers <= {0}, numbers
    choice_values = {str(v) for values in sc.CHOICES.values() for v in values}
    assert not choice_values & {c for c in constants if isinstance(c, str)}
