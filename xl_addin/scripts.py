"""The "Refresh prices" button: refresh the add-in's store and mirror it into the workbook.

xlwings Lite / Server run `refresh_prices(book)` (an @script) from the button on the Pricing
sheet and `refresh_prices_calculator(book)` from the one on the Calculator; classic xlwings'
button (VBA SampleCall) and ribbon "Run main" run `main()`, the same on `xw.Book.caller()`.

The layout is the workbook builder's (workbook.sheets.pricing / .changelog): the same
PRICING_COLUMNS and pricing_rows(catalog), header texts, CHANGELOG_COLUMNS and the PricesAsOf
name. What the script writes, and nothing else:
- Pricing sheet: the values of the data rows under the header row (found by its "model" cell),
  one block per run of known columns (columns it does not know, e.g. ones a user added, are
  left alone); the table is resized when the model count changed.
- Changelog sheet: applied changes appended below the table's last row (timestamp, model,
  field, old, new, source, sha256), then held-back ones marked "(held back: reason)" in the
  field column; the table is resized to hold them. If the sheet has an "Accept" column, a user
  who types yes/x on a held-back row accepts that change on the next press; the cell then
  reads "applied".
- The as-of date: the cell of the workbook name PricesAsOf (else Pricing!B2), and the result
  in a cell named RefreshStatus if the workbook has one: "<UTC time>: N changed, M held back
  (see Changelog)" (status_text); the cells beside the buttons show it (=RefreshStatus).
When the refresh fails (offline, rejected download), the workbook is not touched: the sentence
goes to the RefreshStatus cell if there is one, else it is raised as an XlwingsError, which
xlwings shows to the user. Registry text goes through `safe_cell_text`, so no downloaded string
becomes a formula.

The source is $FT_BREAKEVEN_REGISTRY_URL, else LiteLLM's registry (pricing.prices.refresh). A cell named
RefreshFrom holding azure, aws or all makes the button read the vendors' own price APIs instead
or as well (pricing.prices.vendor_refresh; $FT_BREAKEVEN_AZURE_URL / $FT_BREAKEVEN_AWS_URL override them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

import xlwings as xw
from xlwings import script

from pricing.prices.guards import safe_cell_text
from pricing.prices.refresh import RefreshResult, report_lines
from pricing.prices.vendor_refresh import SOURCES, refresh_from
from workbook.runtimes.buttons import CALCULATOR_REFRESH, PRICING_REFRESH
from workbook.sheets import changelog as wb_changelog
from workbook.sheets import pricing as wb_pricing

PRICING_SHEET = wb_pricing.SHEET
CHANGELOG_SHEET = wb_changelog.SHEET
AS_OF_NAME = "PricesAsOf"
STATUS_NAME = wb_changelog.STATUS_NAME
FROM_NAME = "RefreshFrom"  # optional: litellm (default), azure, aws or all
ORIGINS = (*SOURCES, "all")
ACCEPT_HEADER = "accept"
ACCEPT_YES = {"yes", "y", "x", "true", "1", "accept", "ok"}
HELD_MARK = " (held back"
NO_REFRESH_NOTE = "No refresh yet"  # the builder's note below an empty Changelog table

# Header text (case-insensitive) -> index in wb_pricing.PRICING_COLUMNS / pricing_rows().
PRICING_HEADERS = {wb_pricing.header_text(col).lower(): i for i, col in enumerate(wb_pricing.PRICING_COLUMNS)}
CHANGELOG_HEADERS = tuple(wb_changelog.CHANGELOG_COLUMNS)


def _norm(header: Any) -> str:
    return str(header or "").strip().lower()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date | int | float | bool):
        return value
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    return safe_cell_text(str(value))


def _grid(sheet) -> list[list[Any]]:
    used = sheet.used_range
    values = used.options(ndim=2).value or []
    r0, c0 = used.row, used.column  # pad so grid[r][c] is cell (r+1, c+1)
    width = c0 - 1 + max((len(r) for r in values), default=0)
    rows = [[None] * width for _ in range(r0 - 1)]
    rows += [[None] * (c0 - 1) + list(r) for r in values]
    return rows


def _find_header(grid: list[list[Any]], wanted: str) -> tuple[int, list[Any]] | None:
    for r, row in enumerate(grid):
        if any(_norm(v) in (wanted, f"{wanted} id") for v in row):
            return r, row
    return None


def _table_at(sheet, row: int, col: int):
    for table in sheet.tables:
        rng = table.range
        if rng is not None and rng.row == row and rng.column <= col < rng.column + rng.shape[1]:
            return table
    return None


def _named_cell(book, name: str):
    try:
        return book.names[name].refers_to_range
    except (KeyError, ValueError, AttributeError):
        return None


def accepted_from_book(book) -> dict[str, list[tuple[int, int]]]:
    """MODEL.FIELD keys marked in the Changelog's Accept column -> their cells (row, col)."""
    if CHANGELOG_SHEET not in [s.name for s in book.sheets]:
        return {}
    grid = _grid(book.sheets[CHANGELOG_SHEET])
    found = _find_header(grid, "model")
    if not found:
        return {}
    r, header = found
    cols = {_norm(h): i for i, h in enumerate(header)}
    if ACCEPT_HEADER not in cols or "field" not in cols:
        return {}
    marks: dict[str, list[tuple[int, int]]] = {}
    for i, row in enumerate(grid[r + 1 :], start=r + 2):
        cell = row[cols[ACCEPT_HEADER]] if cols[ACCEPT_HEADER] < len(row) else None
        field = str(row[cols["field"]] or "")
        if HELD_MARK in field and _norm(cell) in ACCEPT_YES:
            key = f"{row[cols['model']]}.{field.split(HELD_MARK)[0].strip()}"
            marks.setdefault(key, []).append((i, cols[ACCEPT_HEADER] + 1))
    return marks


def _model_table(book, name: str) -> tuple[Any, list[list[Any]], int, list[Any]]:
    """Sheet `name`, its cells, and the index and cells of its header row (the one with a 'Model'
    column); a sheet without one is refused in one sentence."""
    sheet = book.sheets[name]
    grid = _grid(sheet)
    found = _find_header(grid, "model")
    if not found:
        raise xw.XlwingsError(f"The {name} sheet has no header row with a 'Model' column.")
    return sheet, grid, *found


def write_pricing(book, catalog) -> None:
    sheet, grid, r, header = _model_table(book, PRICING_SHEET)
    cols = [PRICING_HEADERS.get(_norm(h)) for h in header]
    old_rows = 0
    for row in grid[r + 1 :]:
        if not any(v not in (None, "") for v in row):
            break
        old_rows += 1
    rows = wb_pricing.pricing_rows(catalog)
    new_rows = len(rows)
    c = 0
    while c < len(cols):  # one write per run of known columns
        if cols[c] is None:
            c += 1
            continue
        end = c
        while end < len(cols) and cols[end] is not None:
            end += 1
        block = [[_cell(row[i]) for i in cols[c:end]] for row in rows]
        block += [[""] * (end - c) for _ in range(max(0, old_rows - new_rows))]
        sheet.range((r + 2, c + 1)).value = block
        c = end
    table = _table_at(sheet, r + 1, 1 + next(i for i, f in enumerate(cols) if f is not None))
    if table is not None and new_rows != old_rows:
        rng = table.range
        table.resize(sheet.range((rng.row, rng.column), (r + 1 + new_rows, rng.last_cell.column)))
    as_of = _named_cell(book, AS_OF_NAME) or sheet.range(wb_pricing.PRICES_AS_OF_CELL)
    as_of.value = catalog.as_of


def append_changelog(book, result: RefreshResult, consumed: list[tuple[int, int]]) -> None:
    sheet, grid, r, header = _model_table(book, CHANGELOG_SHEET)
    cols = [_norm(h).replace("-", "") for h in header]
    known = [i for i, name in enumerate(cols) if name in CHANGELOG_HEADERS]
    table = _table_at(sheet, r + 1, min(known) + 1) if known else None
    limit = table.range.last_cell.row if table is not None else len(grid)
    last = r + 1  # 1-based row of the last non-empty row of the table
    notes = []  # the builder's "No refresh yet" note goes once there is a refresh
    for i, row in enumerate(grid[r + 1 :], start=r + 2):
        texts = [v for v in row if v not in (None, "")]
        if texts and str(texts[0]).startswith(NO_REFRESH_NOTE):
            notes.append(i)
        elif texts and i <= limit:
            last = i
    records = [asdict(rec) for rec in result.changelog_records()]
    for h in result.held_back:
        records.append(
            {
                "timestamp": result.timestamp,
                "model": h.model,
                "field": f"{h.field}{HELD_MARK}: {h.reason})",
                "old": h.old,
                "new": h.new if h.new is not None else h.raw,
                "source": result.source,
                "sha256": result.sha256,
            }
        )
    # A date-time cell, not ISO text: xlwings' Office.js reader fails on text such as
    # "2026-12-01T09:30:00+00:00" (it strips one character as if it were a "Z").
    stamp = wb_changelog.utc_cell_time(result.timestamp)
    for rec in records:
        rec["timestamp"] = stamp
    if records and known:
        for i in notes:
            sheet.range((i, 1)).value = ""
        first, end = min(known), max(known) + 1
        block = [
            [_cell(rec.get(cols[j])) if cols[j] in CHANGELOG_HEADERS else None for j in range(first, end)]
            for rec in records
        ]
        if any(cols[j] not in CHANGELOG_HEADERS for j in range(first, end)):
            block = [[v if v is not None else "" for v in row] for row in block]
        sheet.range((last + 1, first + 1)).value = block
        if table is not None and last + len(records) > table.range.last_cell.row:
            rng = table.range  # grow only: the builder leaves empty rows for the Accept column
            table.resize(sheet.range((rng.row, rng.column), (last + len(records), rng.last_cell.column)))
    for row, col in consumed:
        sheet.range((row, col)).value = "applied"


def status_text(results: list[RefreshResult]) -> str:
    """What the cells beside the buttons show: "<UTC time>: N changed, M held back (see
    Changelog)", then the sentence of each source that failed (only those if all failed)."""
    ok = [r for r in results if r.ok]
    failed = " ".join(r.message for r in results if not r.ok)
    if not ok:
        return failed
    when = wb_changelog.utc_cell_time(ok[-1].timestamp)
    when = when.strftime("%Y-%m-%d %H:%M UTC") if isinstance(when, dt.datetime) else ok[-1].timestamp
    changed = sum(len(r.applied) for r in ok)
    held = sum(len(r.held_back) for r in ok)
    text = f"{when}: {changed} changed, {held} held back (see Changelog)"
    return f"{text}. {failed}" if failed else text


def _origin(book) -> str:
    """What the workbook's RefreshFrom cell asks for (litellm when there is none or it is empty)."""
    cell = _named_cell(book, FROM_NAME)
    origin = str(cell.value or "").strip().lower() if cell is not None else ""
    if origin and origin not in ORIGINS:
        raise xw.XlwingsError(f"{FROM_NAME} is {origin!r}; it takes {', '.join(ORIGINS)}.")
    return origin or "litellm"


def run(book, source: str | None = None, origin: str | None = None) -> list[RefreshResult]:
    """Refresh the store, then mirror it into `book` (see the module docstring)."""
    marks = accepted_from_book(book)
    try:
        results = refresh_from(origin or _origin(book), source, accepted=set(marks))
    except xw.XlwingsError:
        raise
    except Exception as exc:  # one sentence for the button, never a traceback
        raise xw.XlwingsError(
            f"Refresh failed unexpectedly ({type(exc).__name__}: {exc}); prices unchanged. "
            "Run `ft-breakeven refresh --debug` for details."
        ) from None
    if any(r.ok for r in results):
        write_pricing(book, results[-1].catalog)  # the store as the last refresh left it
    for result in (r for r in results if r.ok):
        used = {f"{c.model}.{c.field}" for c in result.applied if c.note == "accepted"}
        append_changelog(book, result, [cell for key in sorted(used) for cell in marks.get(key, [])])
    print("\n\n".join("\n".join(report_lines(r)) for r in results))  # Lite shows it in its pane
    cell = _named_cell(book, STATUS_NAME)
    if cell is not None:
        cell.value = safe_cell_text(status_text(results))
    elif not all(r.ok for r in results):
        raise xw.XlwingsError(" ".join(r.message for r in results if not r.ok))
    return results


# Lite / Server sheet buttons: a script takes one `button`, so each button has its own script.
@script(button=PRICING_REFRESH.reference)
def refresh_prices(book: xw.Book):
    """Refresh prices: update rates from the registry or vendor APIs (guarded) and log the changes."""
    run(book)


@script(button=CALCULATOR_REFRESH.reference)
def refresh_prices_calculator(book: xw.Book):
    """Refresh prices from the Calculator's button: the same as refresh_prices."""
    run(book)


def main():
    """Classic xlwings: the Refresh prices buttons (VBA SampleCall) and the ribbon's "Run main"."""
    run(xw.Book.caller())
