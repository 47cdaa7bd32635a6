"""Turn what Excel sends into clean Python values, or a ScenarioError naming what is wrong.

Excel hands a custom function different things for the same worksheet in each xlwings
runtime (research/XLWINGS.md). This module evens them out so that functions.py can stay thin:

| Excel sends                              | here it means                                    |
|------------------------------------------|--------------------------------------------------|
| argument left out (None)                 | the optional argument's default                  |
| `=""` or an empty cell inside a range    | blank: the default (optional) / "is required"    |
| an error cell (#N/A, ...) as an argument | blank (xlwings turns error cells into None)      |
| 0 from an empty cell (Office.js scalars) | the default where 0 is not allowed (`zero=...`); |
|                                          | elsewhere 0 is a real 0, so leave the argument   |
|                                          | out rather than pointing it at an empty cell     |
| TRUE / FALSE                             | rejected: a number is expected                   |
| text                                     | numeric text ("500") is read as the number;      |
|                                          | other text is rejected, "5,000" too (in many     |
|                                          | locales "1,5" is 1.5): pricing.model.table's reading   |
| NaN, +/-inf                              | rejected: numbers must be finite                 |
| a multi-cell range for a single value    | rejected                                         |
| a date (Excel serial number, ISO text,   | a `datetime.date` (1900 date system)             |
|   or a datetime in classic xlwings)      |                                                  |

Every rejection is a `pricing.model.scenario.ScenarioError(field, value, allowed)`, whose message reads
"queries_per_day must be a number >= 0, got 'abc'"; excel_errors turns it into #VALUE!.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

from pricing.model.scenario import (
    FIELDS,
    Scenario,
    ScenarioError,
    field_allowed,
    field_for_label,
    normalise_label,
)
from pricing.model.table import NUMERIC as NUMERIC_FIELDS
from pricing.model.table import TEXT_FIELDS, number_from_text, read_floats

DATE_FIELDS = ("start_date",)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
MAX_SERIAL = 2958465  # 9999-12-31
BIG = 1e12  # the engine's "absurdly large" guard for money and counts

_MISSING = object()
PLAIN = frozenset({int, float, str, type(None)})  # cell types that need no cleaning
NUMBERS = frozenset({int, float})


class ErrorCell:
    """An error value (#N/A, #DIV/0!, ...) in an argument: it fails the argument."""

    __slots__ = ("code",)

    def __init__(self, code: str):
        self.code = code

    def __repr__(self) -> str:
        return self.code


def clean(value: Any) -> Any:
    """One cell as Office.js delivers it with the raw converter: errors, formatted numbers and
    Pyodide's JsNull become ErrorCell, the plain number and None."""
    kind = type(value)
    if kind in PLAIN:
        return value
    if kind is dict:
        if value.get("type") == "Error":
            return ErrorCell(str(value.get("basicValue") or f"#{value.get('errorType', 'ERROR')}"))
        return value.get("basicValue")
    if kind.__name__ == "JsNull":
        return None
    return value


def _error_cell(name: str, value: ErrorCell) -> ScenarioError:
    return ScenarioError(name, value.code, "a value, not an error cell")


def is_blank(value: Any) -> bool:
    """None (omitted, empty or error cell) or text of only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def rows_with_values(rows: list[list[Any]]) -> list[int]:
    """Indexes of the rows with at least one non-blank cell (is_blank, inlined: a 10,000-row
    table would otherwise make 10,000 generator calls)."""
    filled = []
    for i, row in enumerate(rows):
        for v in row:
            if v is not None and (type(v) is not str or v.strip()):
                filled.append(i)
                break
    return filled


def risk_input(value: Any, name: str) -> str:
    """An input name for the risk functions (labels matched like block labels)."""
    return field_name(single(value, name), name)


def numbers_list(value: Any, name: str, most: int = 100) -> list[float]:
    """The numbers of a row or column of cells, blanks skipped, at least one and at most `most`."""
    cells = [c for row in matrix(value, name) for c in row if not is_blank(c)]
    if not cells:
        raise _required(name, "a row or column of numbers")
    if len(cells) > most:
        raise ScenarioError(name, f"{len(cells)} values", f"at most {most} values")
    return [to_float(c, name, "a number") for c in cells]


def _is_number_text(value: Any) -> bool:
    return isinstance(value, str) and number_from_text(value) is not None


def ranges_table(value: Any, name: str = "ranges") -> dict[str, tuple[float, float, float]]:
    """Rows of input | low | likely | high as {input: (low, likely, high)}; a header row (text
    that is not a number where the numbers go) and blank rows are skipped. Numbers stored as
    text are numbers, an input given twice or a fifth column with values is an error. The risk
    model checks names and order."""
    rows = [r for r in matrix(value, name) if any(not is_blank(c) for c in r)]
    if (
        rows
        and len(rows[0]) >= 4
        and all(isinstance(c, str) and not _is_number_text(c) for c in rows[0][1:4])
    ):
        rows = rows[1:]  # "input | low | likely | high"
    out: dict[str, tuple[float, float, float]] = {}
    for row in rows:
        if len(row) < 4:
            raise ScenarioError(name, f"{len(row)} column(s)", "four columns: input | low | likely | high")
        extra = [c for c in row[4:] if not is_blank(c)]
        if extra:
            raise ScenarioError(
                name, extra[0], "four columns: input | low | likely | high (nothing after high)"
            )
        field = field_name(row[0], name)
        if field in out:
            raise ScenarioError(name, row[0], "each input once (this row repeats an input)")
        allowed = f"a number for {field}'s low, likely and high"
        out[field] = tuple(to_float(c, field, allowed) for c in row[1:4])  # type: ignore[assignment]
    return out


def single(value: Any, name: str) -> Any:
    """The one value of a cell, also when xlwings hands over a 1x1 or 1-item list."""
    while isinstance(value, (list, tuple)):
        cells = [c for row in value for c in (row if isinstance(row, (list, tuple)) else [row])]
        if len(cells) == 1:
            return cells[0]
        if not cells:
            return None
        rows = len(value)
        cols = len(value[0]) if isinstance(value[0], (list, tuple)) else len(value)
        rows = rows if isinstance(value[0], (list, tuple)) else 1
        raise ScenarioError(name, f"a range of {rows} x {cols} cells", "a single cell")
    return clean(value)


def limits(field: str) -> dict[str, Any]:
    """number() keyword bounds of a Scenario field, so a shortcut argument obeys the same range."""
    info = Scenario.model_fields[field]
    out: dict[str, Any] = {
        "minimum": None,
        "maximum": None,
        "min_exclusive": False,
        "integer": info.annotation is int,
    }
    for meta in info.metadata:
        if getattr(meta, "ge", None) is not None:
            out["minimum"] = float(meta.ge)
        if getattr(meta, "gt", None) is not None:
            out["minimum"], out["min_exclusive"] = float(meta.gt), True
        if getattr(meta, "le", None) is not None:
            out["maximum"] = float(meta.le)
        if getattr(meta, "lt", None) is not None:
            out["maximum"] = float(meta.lt)
    return out


def _bounds_text(minimum, maximum, min_exclusive, integer) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if min_exclusive else '>='} {minimum:g}")
    if maximum is not None:
        parts.append(f"<= {maximum:g}")
    kind = "a whole number" if integer else "a number"
    return f"{kind} {' and '.join(parts)}".strip()


def to_float(value: Any, name: str, allowed: str) -> float:
    """A finite float from a number or numeric text; bools, other text and NaN/inf fail."""
    if isinstance(value, bool):
        raise ScenarioError(name, value, allowed)
    if isinstance(value, ErrorCell):
        raise _error_cell(name, value)
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str):
        x = number_from_text(value)  # the same reading as FT_SCENARIOS' table (pricing.model.table)
        if x is None:
            raise ScenarioError(name, value, allowed)
    else:
        try:
            x = float(value)  # numpy scalars, Decimal
        except (TypeError, ValueError):
            raise ScenarioError(name, value, allowed) from None
    if not math.isfinite(x):
        raise ScenarioError(name, value, f"{allowed} (finite)")
    return x


def number(
    value: Any,
    name: str,
    *,
    default: Any = _MISSING,
    minimum: float | None = 0.0,
    maximum: float | None = BIG,
    min_exclusive: bool = False,
    integer: bool = False,
    zero: bool = False,
) -> Any:
    """One numeric argument, checked against its bounds.

    default: the value of an optional argument when it is blank (leave out for required ones).
    zero: True where 0 is not a valid value, so a 0 means "an empty cell": use the default.
    """
    allowed = _bounds_text(minimum, maximum, min_exclusive, integer)
    value = single(value, name)
    if is_blank(value):
        if default is _MISSING:
            raise _required(name, allowed)
        return default
    x = to_float(value, name, allowed)
    if zero and x == 0 and default is not _MISSING:
        return default
    too_low = minimum is not None and (x <= minimum if min_exclusive else x < minimum)
    too_high = maximum is not None and x > maximum
    if too_low or too_high or (integer and not x.is_integer()):
        raise ScenarioError(name, value, allowed)
    return int(x) if integer else x


def _required(name: str, allowed: str) -> ScenarioError:
    err = ScenarioError(name, None, allowed)
    err.args = (f"{name} is required ({allowed}); the cell is empty or holds an error",)
    return err


def text(value: Any, name: str, *, default: Any = _MISSING) -> Any:
    """One text argument (a number is read as its text, e.g. a model id typed as 4)."""
    value = single(value, name)
    if is_blank(value):
        if default is _MISSING:
            raise _required(name, "text")
        return default
    if isinstance(value, bool):
        raise ScenarioError(name, value, "text")
    if isinstance(value, ErrorCell):
        raise _error_cell(name, value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def excel_date(value: Any, name: str) -> dt.date:
    """An Excel date: serial number (1900 system), ISO text 'YYYY-MM-DD', or a date/datetime."""
    allowed = "a date (an Excel date or YYYY-MM-DD text)"
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, ErrorCell):
        raise _error_cell(name, value)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ScenarioError(name, value, allowed) from None
    serial = to_float(value, name, allowed)
    if not 1 <= serial <= MAX_SERIAL:
        raise ScenarioError(name, value, allowed)
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def matrix(value: Any, name: str) -> list[list[Any]]:
    """A 2-D list from a range argument; a scalar is a 1x1 range. Jagged rows are refused."""
    if value is None:
        raise _required(name, "a range of cells")
    if not isinstance(value, (list, tuple)):
        return [[clean(value)]]
    if not value:
        return []
    if not isinstance(value[0], (list, tuple)):
        value = [value]
    if set(map(type, value)) == {list} and PLAIN.issuperset(set(map(type, chain.from_iterable(value)))):
        rows = list(value)  # every cell plain already (a 10,000-row table: C-level passes, no copies)
    else:
        rows = [
            [c if type(c) in PLAIN else clean(c) for c in r] if isinstance(r, (list, tuple)) else [clean(r)]
            for r in value
        ]
    width = len(rows[0])
    if len(set(map(len, rows))) == 1:
        return rows
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ScenarioError(
                name, f"row {i + 1} with {len(row)} cells", f"rectangular ({width} cells a row)"
            )
    return rows


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop rows and columns that are entirely blank (a selection larger than the data)."""
    rows = [r for r in rows if not all(is_blank(c) for c in r)]
    if not rows:
        return rows
    keep = [j for j in range(len(rows[0])) if not all(is_blank(r[j]) for r in rows)]
    return [[r[j] for j in keep] for r in rows]


def _unknown_label(label: Any, name: str, choices: Sequence[str], what: str) -> ScenarioError:
    close = difflib.get_close_matches(
        normalise_label(label), [normalise_label(c) for c in choices], n=3, cutoff=0.6
    )
    by_norm = {normalise_label(c): c for c in choices}
    hint = f" (closest: {', '.join(by_norm[c] for c in close)})" if close else ""
    return ScenarioError(name, label, f"{what}{hint}")


def field_name(label: Any, name: str = "inputs") -> str:
    """The Scenario field a block label stands for (case, spaces and underscores ignored)."""
    if not isinstance(label, str) or not label.strip():
        raise ScenarioError(name, label, "a label naming an input, e.g. queries_per_day")
    field = field_for_label(label)
    if field is None:
        raise _unknown_label(label, name, FIELDS, "labels that are input names such as queries_per_day")
    return field


def field_value(field: str, value: Any) -> Any:
    """One block value converted for its field; blank means 'not given' (None)."""
    if is_blank(value):
        return None
    if field in TEXT_FIELDS:
        return text(value, field)
    if field in DATE_FIELDS:
        return excel_date(value, field)
    return to_float(value, field, field_allowed(field))


def _is_label_column(column: Iterable[Any]) -> bool:
    cells = [c for c in column if not is_blank(c)]
    return bool(cells) and all(isinstance(c, str) and field_for_label(c) is not None for c in cells)


def block(value: Any, name: str = "inputs") -> dict[str, Any]:
    """Scenario values from a labelled block.

    Two layouts: two columns (label | value) or two rows (labels over values). Labels are
    Scenario field names matched ignoring case, spaces and underscores. Blank rows/columns are
    ignored; a label with a blank value is not given (the field's default applies).
    """
    rows = _trim(matrix(value, name))
    if not rows:
        raise _required(name, "a block of labels and values")
    n_rows, n_cols = len(rows), len(rows[0])
    if n_cols == 2 and (n_rows != 2 or _is_label_column(r[0] for r in rows)):
        pairs = [(r[0], r[1]) for r in rows]
    elif n_rows == 2 and n_cols > 1:
        pairs = list(zip(rows[0], rows[1], strict=True))
    elif n_cols == 1 or n_rows == 1:
        raise ScenarioError(
            name,
            f"{n_rows} x {n_cols} cells",
            ("labels with their values: two columns (label | value) or two rows (labels over values)"),
        )
    else:
        raise ScenarioError(
            name,
            f"{n_rows} x {n_cols} cells",
            "two columns (label | value) or two rows (labels over values)",
        )
    values: dict[str, Any] = {}
    for label, cell in pairs:
        if is_blank(label):
            raise ScenarioError(name, cell, "a value beside a label (this value has no label)")
        field = field_name(label, name)
        if field in values:
            raise ScenarioError(name, label, "each input once (this label appears twice)")
        values[field] = field_value(field, cell)
    return {k: v for k, v in values.items() if v is not None}


def table_columns(value: Any, name: str = "inputs_table") -> tuple[dict[str, Sequence[Any]], list[int], int]:
    """FT_SCENARIOS' table for pricing.model.table's vectorised validation: (field -> its cells
    in the filled rows, the indexes of the filled rows, the number of data rows). A header row of
    input names over the rows; blank rows are left out of the columns (the answer keeps them blank).

    Each cell is read once: one zip turns the rows into columns, one C-level pass per column
    collects its cell types (which also tells whether a cell needs cleaning and whether any row
    can be blank), and a numeric column of plain finite numbers (no TRUE/FALSE, text or blank)
    becomes floats in one np.fromiter (pricing.model.table.read_floats), which the validation
    takes as they are. Any other column goes as its cells, read one by one there (a bad cell fails
    its own row with the field, the cell as given and what is allowed). A table with cells to
    clean (error cells, Office.js formatted numbers) is cleaned first, then read the same way."""
    if _is_rectangle(value):
        plain = _columns(value, name, plain=True)
        if plain is not None:
            return plain
    return _columns(matrix(value, name), name, plain=False)  # type: ignore[return-value]


def _columns(rows: list[list[Any]], name: str, plain: bool):
    """table_columns of rows; None when `plain` and a cell needs cleaning."""
    while rows and all(is_blank(c) for c in rows[0]):  # (an uncleaned error cell is not blank)
        rows = rows[1:]
    if len(rows) < 2:
        raise ScenarioError(name, f"{len(rows)} row(s)", "a header row of input names plus at least one row")
    header, body = rows[0], rows[1:]
    if plain and not PLAIN.issuperset(map(type, header)):
        return None
    cells = list(zip(*body, strict=True))
    kinds, floats = [], {}
    for j, (label, column) in enumerate(zip(header, cells, strict=True)):
        kind = set(map(type, column))
        if plain and not PLAIN.issuperset(kind):
            return None
        if is_blank(label) and any(not is_blank(c) for c in column):
            raise ScenarioError(
                name, f"column {j + 1}", "a label in the header row above every column with values"
            )
        # A numeric column read while its cells are still in the CPU cache (a second pass over
        # 10,000 scattered objects later costs as much as the first on a loaded machine).
        field = field_for_label(label) if isinstance(label, str) else None
        if field in NUMERIC_FIELDS and kind <= NUMBERS:
            floats[j] = read_floats(column, kind)
        kinds.append(kind)
    keep = [j for j, label in enumerate(header) if not is_blank(label)]
    fields = [field_name(header[j], name) for j in keep]
    _refuse_duplicates(fields, name)
    # A column of numbers only means every row has a value; otherwise look for blank rows.
    filled = list(range(len(body))) if any(kinds[j] <= NUMBERS for j in keep) else rows_with_values(body)
    if not filled:
        return {}, filled, len(body)
    if len(filled) < len(body):  # (then no column was numbers only: none is in floats)
        cells = list(zip(*(body[i] for i in filled), strict=True))
        kinds = [set(map(type, c)) for c in cells]
    columns = {
        f: _column(f, cells[j]) if floats.get(j) is None else floats[j]
        for f, j in zip(fields, keep, strict=True)
    }
    return columns, filled, len(body)


def _is_rectangle(value: Any) -> bool:
    """A list of at least two rows, each a list of the same length (what Office.js sends)."""
    return (
        type(value) is list
        and len(value) > 1
        and set(map(type, value)) == {list}
        and len(set(map(len, value))) == 1
        and len(value[0]) > 0
    )


def _column(field: str, cells: tuple[Any, ...]) -> Sequence[Any]:
    """One table column for the validation that is not Floats: dates from Excel serials, anything
    else as it came."""
    if field in DATE_FIELDS:
        return [table_cell(field, v) for v in cells]
    return list(cells)


def _refuse_duplicates(fields: list[str], name: str) -> None:
    dupes = {f for f in fields if fields.count(f) > 1}
    if dupes:
        raise ScenarioError(name, sorted(dupes)[0], "each input once (this column appears twice)")


def choice(
    value: Any,
    name: str,
    choices: Sequence[str],
    *,
    default: Any = _MISSING,
    aliases: Mapping[str, str] | None = None,
) -> Any:
    """One of `choices`, matched like block labels (case, spaces, underscores ignored); `aliases`
    maps other accepted texts (a figure's label) to a choice."""
    value = single(value, name)
    if is_blank(value):
        if default is _MISSING:
            raise _required(name, f"one of {', '.join(choices)}")
        return default
    if isinstance(value, str):
        by_norm = {normalise_label(c): c for c in choices}
        by_norm |= {normalise_label(a): c for a, c in (aliases or {}).items() if c in choices}
        hit = by_norm.get(normalise_label(value))
        if hit is not None:
            return hit
    raise _unknown_label(value, name, choices, f"one of {', '.join(choices)}")


def table_cell(field: str, value: Any) -> Any:
    """A scenario-table cell for pricing's vectorised validation: dates converted from Excel
    serials, everything else as it came (pricing.model.table checks numbers column by column)."""
    if field in DATE_FIELDS and not is_blank(value):
        try:
            return excel_date(value, field)
        except ScenarioError:
            return value  # the row fails in pricing.model.table with the same wording
    return value
