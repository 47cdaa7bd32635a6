"""Texts that would be cut on paper, wrapped in their column instead.

A one-line text shows whole when it fits the room up to the next filled cell; a wrapped one when
its row is tall enough. The width of a text is estimated from its characters, font size and
boldness (no font metrics here): about 1.1 characters of 10 pt prose per unit of column width.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workbook import styles

PER_UNIT = 1.1  # characters of 10 pt prose per unit of column width


def _width(ws: Worksheet, col: int) -> float:
    letter = get_column_letter(col)
    return styles.span_width(ws, letter, letter)


def _size(cell) -> tuple[float, bool]:
    f = cell.font
    return ((f.sz or 11) if f else 11), bool(f and f.b)


def _needs_wrap(ws: Worksheet, cell, last_col: int) -> bool:
    size, bold = _size(cell)
    room = _width(ws, cell.column)
    if cell.alignment is not None and cell.alignment.wrap_text:
        lines = styles.wrapped_lines(cell.value, room, size, bold, per_unit=PER_UNIT)
        height = ws.row_dimensions[cell.row].height or 15
        return height < lines * styles.LINE_POINTS * size / 10
    nxt = cell.column + 1
    while nxt <= last_col and ws.cell(cell.row, nxt).value is None:
        room += _width(ws, nxt)
        nxt += 1
    return len(cell.value) / PER_UNIT * size / 10 * (1.1 if bold else 1.0) > room


def wrap_where_cut(ws: Worksheet, first_col: int, last_col: int, first_row: int, last_row: int) -> int:
    """Wrap each left-aligned text in the block that would be cut, its row grown to fit; returns
    how many. Merged cells, formulas and right or centred texts (numbers, codes) are left alone."""
    merged = {c for r in ws.merged_cells.ranges for c in r.cells}
    wrapped = 0
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col):
        for cell in row:
            value = cell.value
            if not isinstance(value, str) or value.startswith("=") or (cell.row, cell.column) in merged:
                continue
            if cell.alignment is not None and cell.alignment.horizontal in ("right", "center"):
                continue
            if _width(ws, cell.column) and _needs_wrap(ws, cell, last_col):
                vertical = cell.alignment.vertical if cell.alignment is not None else None
                styles.wrap_in(ws, cell, _width(ws, cell.column))
                # its last line stays level with the row's values (bottom, unless it said otherwise)
                cell.alignment = styles.Alignment(wrap_text=True, vertical=vertical)
                wrapped += 1
    return wrapped
