"""Changelog sheet: every price change a refresh applied (the refresh button appends rows)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo

from pricing.neutralise import write_text_cell
from pricing.prices.changelog import CHANGELOG_FIELDS
from workbook import styles

SHEET = "Changelog"
TITLE = "Changelog: price changes applied by refreshes"
SUBTITLE = (
    "One row per changed rate: when (UTC), which model and field, old and new value, "
    "the source and the sha256 of the downloaded registry. Appended by the Refresh "
    "prices button and `ft-breakeven refresh`."
)
TABLE = "ChangelogTable"
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
STATUS_NAME = "RefreshStatus"  # the last refresh's result (xl_addin.scripts writes it)
BUTTON_ROW_HEIGHT = 21  # points: room for a Refresh prices button in its row
CHANGELOG_COLUMNS: tuple[str, ...] = tuple(CHANGELOG_FIELDS)
NOTE_WIDTH = 34  # the accept column's note, right of the table
ACCEPT_COLUMN = "accept"  # xl_addin.scripts: "yes" here applies a held-back change next time
EMPTY_ROWS = 20


TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"


def utc_cell_time(value: Any) -> Any:
    """An ISO timestamp as a naive UTC datetime (Excel has no time zones); other text unchanged."""
    try:
        stamp = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return value
    return stamp.astimezone(dt.UTC).replace(tzinfo=None) if stamp.tzinfo else stamp


def changelog_rows(store: str | Path | None = None) -> list[list[Any]]:
    """Rows of the store's changelog (empty if there is none or it cannot be read)."""
    try:
        from pricing.prices.changelog import CHANGELOG_FILE, read_changelog
        from pricing.prices.store import store_dir

        path = store_dir(store) / CHANGELOG_FILE
        if not path.exists():
            return []
        return [list(r.as_row()) for r in read_changelog(path)]
    except Exception:  # a damaged log must not stop the build
        return []


def show_refresh_status(ws, ref: str) -> None:
    """The cell beside a Refresh prices button: the last refresh's result, from RefreshStatus."""
    ws[ref] = f"={STATUS_NAME}"
    styles.note_cell(ws[ref])
    row = int("".join(ch for ch in ref if ch.isdigit()))
    ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, BUTTON_ROW_HEIGHT)


def write(ctx) -> None:
    ws = styles.titled_sheet(ctx.wb, SHEET, TITLE, SUBTITLE)
    ws["A3"] = "Last refresh"
    ws["A3"].font = styles.BOLD
    rows = ctx.changelog or []
    ws["B3"] = (
        f"{len(rows)} change(s) logged in the price store"
        if rows
        else "No refresh yet: the Pricing sheet holds the bundled prices."
    )
    styles.note_cell(ws["B3"])
    ctx.wb.defined_names[STATUS_NAME] = DefinedName(STATUS_NAME, attr_text=f"{SHEET}!$B$3")
    headers = (*CHANGELOG_COLUMNS, ACCEPT_COLUMN)
    for j, col in enumerate(headers, start=1):
        styles.header_cell(ws.cell(HEADER_ROW, j, col))
    for i, row in enumerate(rows):
        for j, value in enumerate(row, start=1):
            column = CHANGELOG_COLUMNS[j - 1] if j <= len(CHANGELOG_COLUMNS) else ""
            if column == "timestamp":  # a real date-time cell, so the log sorts and filters
                value = utc_cell_time(value)
            c = ws.cell(FIRST_ROW + i, j)
            write_text_cell(c, value)  # store text "=..." stays text, never a live formula
            if column in ("old", "new"):
                c.number_format = styles.FMT_RATE
            elif column == "timestamp" and isinstance(value, dt.datetime):
                c.number_format = TIMESTAMP_FORMAT
    end = FIRST_ROW + len(rows) + EMPTY_ROWS - 1
    for r in range(FIRST_ROW, end + 1):  # the Accept column is the only thing a user types here
        styles.input_cell(ws.cell(r, len(headers)))
    last = get_column_letter(len(headers))
    table = Table(displayName=TABLE, ref=f"A{HEADER_ROW}:{last}{end}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    ws.cell(
        HEADER_ROW - 1,
        len(headers) + 1,
        "accept: type yes on a held-back row to apply that change at the next refresh",
    )
    note = ws.cell(HEADER_ROW - 1, len(headers) + 1)
    styles.note_cell(note)
    styles.widths(ws, **{"A": 22, "B": 24, "C": 30, "D": 12, "E": 12, "F": 60, "G": 30, "H": 10})
    styles.widths(ws, **{note.column_letter: NOTE_WIDTH})
    styles.wrap_in(ws, note, NOTE_WIDTH)  # beside the table's last column: the printed edge
    ws.freeze_panes = f"A{FIRST_ROW}"
    styles.print_setup(ws, repeat_rows=f"{HEADER_ROW}:{HEADER_ROW}")
