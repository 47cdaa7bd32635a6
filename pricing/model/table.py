"""Validate a whole table of scenarios at once (column by column, with numpy).

The constraints come from pydantic's Scenario fields, so a cell is allowed here exactly when
Scenario would allow it, and the message is the same ScenarioError text. A bad cell fails its
row only: array functions and sweeps keep the other rows' answers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
from pydantic_core import PydanticUndefined

from pricing.model.scenario import (
    CHOICES,
    DATE_FIELDS,
    NUMERIC_FIELDS,
    SHARE_CAPS,
    TEXT_FIELDS,
    Scenario,
    ScenarioError,
    current_names,
    field_allowed,
    field_bounds,
    over_share_cap,
    unknown_input,
)

# The rules are Scenario's own declarations (scenario.py); nothing here restates a bound or choice.
(DATE_FIELD,) = DATE_FIELDS  # one date column
NUMERIC = NUMERIC_FIELDS
DEFAULTS = {
    f: (math.nan if info.default is None or info.default is PydanticUndefined else float(info.default))
    for f, info in Scenario.model_fields.items()
    if f in NUMERIC
}
REQUIRED = {f for f, info in Scenario.model_fields.items() if info.is_required()}
INTEGER = {f for f, info in Scenario.model_fields.items() if info.annotation in (int, int | None)}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def number_from_text(text: str) -> float | None:
    """Numeric text as every FT_ function reads it (numpy's fast path in _parse agrees): Python's
    float() of the stripped text. "5,000" is refused, not guessed: in many locales "1,5" is 1.5."""
    if "," in text:
        return None
    try:
        return float(text.strip())
    except ValueError:
        return None


def _to_float(value: Any) -> float | None:
    """A finite number (numeric text too, as pydantic's lax mode allows), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        x = number_from_text(value)
    else:
        try:
            x = float(value)
        except (TypeError, ValueError, OverflowError):  # (an int beyond float range)
            return None
    return x if x is not None and math.isfinite(x) else None


class Floats(Sequence[Any]):
    """A numeric column read already, in one pass, as finite floats (read_floats), with the cells
    it came from: an error message quotes the cell as given (500, not np.float64(500.0))."""

    __slots__ = ("cells", "floats")

    def __init__(self, floats: np.ndarray, cells: Sequence[Any]):
        self.floats, self.cells = floats, cells

    def __len__(self) -> int:
        return len(self.cells)

    def __getitem__(self, i):  # type: ignore[override]
        return self.cells[i]


PLAIN_NUMBERS = frozenset({int, float})  # not bool: TRUE is not a number here


def read_floats(cells: Sequence[Any], kinds: set[type] | None = None) -> Floats | None:
    """A column of plain finite numbers (ints and floats: no TRUE/FALSE, text or blank) as Floats,
    converted by one np.fromiter; None for any other column (read cell by cell in _parse).
    kinds: the cells' types, when the caller has collected them already."""
    if not PLAIN_NUMBERS.issuperset(set(map(type, cells)) if kinds is None else kinds):
        return None
    try:
        floats = np.fromiter(cells, dtype=float, count=len(cells))
    except OverflowError:  # an int beyond float range
        return None
    return Floats(floats, cells) if np.isfinite(floats).all() else None


def _parse(values: Sequence[Any], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(numbers with NaN where absent, blank mask, not-a-number mask) of one column."""
    if isinstance(values, Floats) and len(values) == n:
        none = np.zeros(n, dtype=bool)
        return values.floats, none, none
    try:  # fast path: a clean numeric column converts in one call
        column = np.asarray(values, dtype=float)
        numeric_array = isinstance(values, np.ndarray) and values.dtype.kind in "fiu"
        if (
            column.shape == (n,)
            and np.isfinite(column).all()
            and (numeric_array or bool not in set(map(type, values)))
        ):
            none = np.zeros(n, dtype=bool)
            return column, none, none
    except (TypeError, ValueError, OverflowError):
        pass
    column = np.full(n, math.nan)
    blank = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    for i, v in enumerate(values):
        if _is_blank(v):
            blank[i] = True
        elif (x := _to_float(v)) is None:
            bad[i] = True
        else:
            column[i] = x
    return column, blank, bad


class Table:
    """Validated columns of n scenarios: floats (NaN = not given), texts, dates, row errors."""

    def __init__(self, n: int):
        self.n = n
        self.numbers: dict[str, np.ndarray] = {}
        self.texts: dict[str, list[str]] = {}
        self.dates: list[date | None] = [None] * n
        self.errors: list[ScenarioError | None] = [None] * n

    def fail(self, row: int, error: ScenarioError) -> None:
        if self.errors[row] is None:  # the first problem of a row is the one reported
            self.errors[row] = error

    @property
    def ok(self) -> np.ndarray:
        return np.array([e is None for e in self.errors], dtype=bool)


def _clean_within(column, blank, bad, lo, lo_inc, hi, hi_inc, integer: bool) -> bool:
    """True when every cell is a number inside the bounds (checked by its minimum and maximum)."""
    if blank.any() or bad.any() or not column.size:
        return False
    low, high = column.min(), column.max()
    if not (low > lo or (lo_inc and low == lo)) or not (high < hi or (hi_inc and high == hi)):
        return False
    return not integer or bool((np.floor(column) == column).all())


def _numeric_column(table: Table, field: str, values: Sequence[Any]) -> None:
    column, blank, bad = _parse(values, table.n)
    lo, lo_inc, hi, hi_inc = field_bounds(field)  # read at each call: the Field(...) is the one source
    if _clean_within(column, blank, bad, lo, lo_inc, hi, hi_inc, field in INTEGER):
        table.numbers[field] = column  # the clean column of a sweep: two reductions, no copies
        return
    given = ~blank & ~bad
    with np.errstate(invalid="ignore"):
        outside = (column < lo) | (column > hi)
        outside |= (column == lo) & (not lo_inc) | (column == hi) & (not hi_inc)
        if field in INTEGER:
            outside |= np.floor(column) != column
    bad |= given & outside
    if not (bad.any() or blank.any()):  # the clean column of a sweep: no copies
        table.numbers[field] = column
        return
    for i in np.flatnonzero(bad):
        table.fail(int(i), ScenarioError(field, values[i], field_allowed(field)))
    if field in REQUIRED:
        for i in np.flatnonzero(blank):
            table.fail(int(i), ScenarioError.missing(field))
    column = np.where(blank, DEFAULTS[field], column)
    table.numbers[field] = np.where(bad, math.nan, column)


def _date_value(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise ValueError(value)


def validate_table(columns: Mapping[str, Sequence[Any]], n: int | None = None) -> Table:
    """Check every cell against the Scenario constraints; unknown column names are errors."""
    if n is None:
        n = max((len(v) for v in columns.values()), default=0)
    columns = current_names(columns)  # a renamed input's old header still reads
    table = Table(n)
    for name, values in columns.items():
        if name not in Scenario.model_fields:
            err = unknown_input(name, name)
            for i in range(n):
                table.fail(i, err)
        elif len(values) != n:
            raise ScenarioError(name, f"{len(values)} values", f"one value per scenario ({n})")
    for field in NUMERIC:
        values = columns.get(field)
        if values is None:  # a column not given: every row takes the default
            if field in REQUIRED:
                for i in range(n):
                    table.fail(i, ScenarioError.missing(field))
            # one read-only value for every row: no n-sized copy per absent field
            table.numbers[field] = np.broadcast_to(np.float64(DEFAULTS[field]), (n,))
        else:
            _numeric_column(table, field, values)
    for field in TEXT_FIELDS:
        values = columns.get(field)
        table.texts[field] = (
            [""] * n if values is None else ["" if _is_blank(v) else str(v).strip() for v in values]
        )
    _check_choices(table)
    _check_training_size(table)
    for i, v in enumerate(columns.get(DATE_FIELD) or ()):
        if _is_blank(v):
            continue
        try:
            table.dates[i] = _date_value(v)
        except (TypeError, ValueError):
            table.fail(i, ScenarioError(DATE_FIELD, v, field_allowed(DATE_FIELD)))
    return table


def _check_choices(table: Table) -> None:
    """Inputs that take one of a few values (scenario.CHOICES): a blank is the default; and the
    shares capped by another (scenario.SHARE_CAPS), as Scenario checks them."""
    for field, allowed in CHOICES.items():
        if field in table.texts:
            default = Scenario.model_fields[field].default
            column = table.texts[field]
            if column.count(default) == len(column):  # the common table: every row the default
                continue
            if column.count("") == len(column):  # a column not given, or left blank
                table.texts[field] = [default] * len(column)
                continue
            for i, v in enumerate(column):
                if v == "":
                    column[i] = default
                elif v not in allowed:
                    table.fail(i, ScenarioError(field, v, field_allowed(field)))
        else:
            x = table.numbers[field]
            for i in np.flatnonzero(~np.isin(x, allowed) & ~np.isnan(x)):
                v = float(x[i])
                table.fail(
                    int(i), ScenarioError(field, int(v) if v.is_integer() else v, field_allowed(field))
                )
    for field, (other, _why) in SHARE_CAPS.items():
        share = table.numbers[field]
        with np.errstate(invalid="ignore"):
            over = over_share_cap(share, table.numbers[other])
        for i in np.flatnonzero(over):
            table.fail(int(i), ScenarioError(field, float(share[i]), field_allowed(field)))


TRAINING_SIZE = "training_tokens (or training_examples and tokens_per_example, or training_hours)"


def _check_training_size(table: Table) -> None:
    """Refuse a training set whose size is half given or not given at all: either would price
    training at $0 without a word. training_tokens = 0 says on purpose that training is free."""
    x = table.numbers
    tokens, hours = ~np.isnan(x["training_tokens"]), ~np.isnan(x["training_hours"])
    examples, per_example = ~np.isnan(x["training_examples"]), ~np.isnan(x["tokens_per_example"])
    sized = tokens | hours
    for i in np.flatnonzero(~sized & (examples != per_example)):
        given, other = (
            ("training_examples", "tokens_per_example")
            if examples[i]
            else ("tokens_per_example", "training_examples")
        )
        table.fail(
            int(i),
            ScenarioError(
                other, None, f"given with {given} (billed tokens = their product), or use training_tokens"
            ),
        )
    for i in np.flatnonzero(~sized & ~examples & ~per_example):
        err = ScenarioError("training_tokens", None, TRAINING_SIZE)
        err.args = (
            f"training size missing: give {TRAINING_SIZE}; training_tokens = 0 if training costs nothing",
        )
        table.fail(int(i), err)
