"""The one place for the workbook's colours, fonts, fills and number formats.

FAST / ICAEW conventions: inputs look like inputs (blue on pale yellow) and are the only typed
numbers a user changes; calculations are black; values pulled from another sheet are green;
headline outputs are bold on pale blue; checks read OK (green) or ERROR (red).
"""

from __future__ import annotations

import math

from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# the figures' formats are said once, in pricing.model.figures
from pricing.model.figures import INTEGER, MONTHS, PERCENT, TEXT, USD, USD_QUERY

FONT_NAME = "Calibri"

NAVY = "1F3864"
INPUT_BLUE = "0000FF"
LINK_GREEN = "00703C"
GREY = "595959"
PALE_YELLOW = "FFF2CC"
PALE_BLUE = "DDEBF7"
PALE_GREY = "F2F2F2"
SECTION_FILL = "D9E1F2"
OK_GREEN = "C6EFCE"
OK_TEXT = "006100"
BAD_RED = "FFC7CE"
BAD_TEXT = "9C0006"
WARN_TEXT = "9C5700"
INFERRED_FILL = "FCE4D6"  # a rate derived by a rule, not published
UNVERIFIED_FILL = "E4DFEC"  # a rate we could not check against the vendor's page

_thin = Side(style="thin", color="BFBFBF")
BOX = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
UNDERLINE = Border(bottom=Side(style="medium", color=NAVY))

# Number formats, by the unit names of pricing.model.scenario (field_unit) and a few of our own.
USD_CENTS = '"$"#,##0.00;[Red]-"$"#,##0.00'
USD_RATE = '"$"#,##0.00##'
DECIMAL = "#,##0.0"
DECIMAL2 = "#,##0.00"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
CHECK = '"ERROR";"ERROR";"OK"'
WARNING = '"WARN";"WARN";"OK"'

UNIT_FORMATS = {
    "text": TEXT,
    "catalog id": TEXT,
    "queries/day": INTEGER,
    "days": "0",
    "fraction": PERCENT,
    "fraction/year": PERCENT,
    "tokens/query": INTEGER,
    "tokens": INTEGER,
    "examples": INTEGER,
    "$/1M tokens": USD_RATE,
    "count": "#,##0",
    "hours": DECIMAL,
    "$": USD,
    "$/month": USD,
    "$/year": USD,
    "$/hour": USD_CENTS,
    "FTE": "0.0#",
    "months": MONTHS,
    "month": "0",
    "date": DATE,
    "ms": INTEGER,
    "$/query": USD_QUERY,
    "x": "0.0x",
}


def number_format(unit: str) -> str:
    return UNIT_FORMATS.get(unit, "General")


def font(**kw) -> Font:
    kw.setdefault("name", FONT_NAME)
    kw.setdefault("size", 10)
    return Font(**kw)


def fill(color: str) -> PatternFill:
    return PatternFill("solid", start_color=color, end_color=color)


# Cell roles. Each is (font, fill); apply with style().
ROLES = {
    "input": (font(color=INPUT_BLUE), fill(PALE_YELLOW)),
    "calc": (font(color="000000"), None),
    "link": (font(color=LINK_GREEN), None),
    "output": (font(bold=True, color="000000"), fill(PALE_BLUE)),
    "label": (font(color="000000"), None),
    "name": (font(color=GREY, size=9), None),
    "unit": (font(color=GREY, size=9), None),
    "note": (font(color=GREY, italic=True, size=9), None),
    "header": (font(bold=True, color="FFFFFF"), fill(NAVY)),
    "subheader": (font(bold=True, color=NAVY), fill(SECTION_FILL)),
    "section": (font(bold=True, color=NAVY, size=11), None),
    "title": (font(bold=True, color=NAVY, size=16), None),
    "subtitle": (font(color=GREY, size=10, italic=True), None),
    "check": (font(bold=True), None),
    "data": (font(color="000000"), None),
    "constant": (font(color=GREY), fill(PALE_GREY)),
}
INPUT_FILL = PALE_YELLOW
INPUT_FONT_COLOR = INPUT_BLUE


def style(
    cell: Cell,
    role: str,
    fmt: str | None = None,
    *,
    wrap: bool = False,
    align: str | None = None,
    box: bool = False,
) -> Cell:
    f, p = ROLES[role]
    cell.font = f
    if p is not None:
        cell.fill = p
    if fmt:
        cell.number_format = fmt
    if wrap or align:
        cell.alignment = Alignment(wrap_text=wrap, horizontal=align, vertical="top" if wrap else None)
    if box or role in ("input", "output"):
        cell.border = BOX
    if role == "input":  # the one kind of cell a user types in on a protected sheet
        cell.protection = Protection(locked=False)
    return cell


def protect(ws: Worksheet) -> None:
    """Protect the sheet without a password: formulas and answers locked, inputs (unlocked)
    open; columns and rows can still be resized, charts and buttons stay usable."""
    p = ws.protection
    p.sheet = True
    p.formatColumns = p.formatRows = False
    p.objects = False


def is_input(cell: Cell) -> bool:
    """True if the cell carries the input style (tests use this)."""
    color = cell.fill.start_color.rgb if cell.fill and cell.fill.fill_type == "solid" else None
    font_color = cell.font.color.rgb if cell.font and cell.font.color is not None else None
    return str(color).endswith(INPUT_FILL) and str(font_color).endswith(INPUT_FONT_COLOR)


def put(ws: Worksheet, ref: str, value, role: str = "label", fmt: str | None = None, **kw) -> Cell:
    cell = ws[ref]
    cell.value = value
    return style(cell, role, fmt, **kw)


def title(ws: Worksheet, text: str, subtitle: str) -> None:
    put(ws, "A1", text, "title")
    put(ws, "A2", subtitle, "subtitle")
    ws.row_dimensions[1].height = 24
    ws.sheet_view.showGridLines = False


def titled_sheet(wb, name: str, text: str, subtitle: str) -> Worksheet:
    """A new sheet `name` opening with its title and subtitle (every sheet starts this way)."""
    ws = wb.create_sheet(name)
    title(ws, text, subtitle)
    return ws


LINE_POINTS = 12.5  # one wrapped line of 9-10 pt text
DEFAULT_WIDTH = 8.43  # Excel's width of a column the file does not size


def wrapped_lines(
    text: str, width: float, points: float = 10, bold: bool = False, per_unit: float = 1.1
) -> int:
    """Wrapped lines of `text` in a column `width` characters wide (Excel and LibreOffice do not
    grow rows for wrapped text that openpyxl writes). Prose fits about `per_unit` characters per
    unit of width in the 10-11 pt body font (1.0: room for breaks between long words); a bigger
    or bold font fits fewer."""
    per_line = max(width * per_unit * 10 / points / (1.1 if bold else 1), 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def span_width(ws: Worksheet, first: str, last: str) -> float:
    """Characters across columns first..last (their set widths, else Excel's default; a hidden
    column takes none)."""
    letters = (
        get_column_letter(i)
        for i in range(column_index_from_string(first), column_index_from_string(last) + 1)
    )
    dims = ws.column_dimensions  # (looked up, not indexed: indexing adds a 13-wide column)
    return sum(
        0
        if x in dims and dims[x].hidden
        else (dims[x].width if x in dims and dims[x].width else DEFAULT_WIDTH)
        for x in letters
    )


def wrap_in(ws: Worksheet, cell: Cell, width: float) -> None:
    """`cell` wrapped (top-aligned) in `width` characters, its row made tall enough for every
    line (Excel and LibreOffice do not grow it for a file openpyxl writes)."""
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    size, bold = cell.font.sz or 11, bool(cell.font.b)
    height = LINE_POINTS * wrapped_lines(cell.value, width, size, bold, per_unit=1.0) * size / 10 + 3
    ws.row_dimensions[cell.row].height = max(ws.row_dimensions[cell.row].height or 0, height)


def wrap_across(ws: Worksheet, row: int, first: str, last: str) -> None:
    """The text of cell {first}{row} wrapped inside columns first..last (merged), so it never
    spills into the next printed part; its row made tall enough for every line."""
    ws.merge_cells(f"{first}{row}:{last}{row}")
    wrap_in(ws, ws[f"{first}{row}"], span_width(ws, first, last))


def header_row(ws: Worksheet, row: int, col: int, labels, *, height: float | None = 30) -> None:
    for j, text in enumerate(labels):
        c = ws.cell(row=row, column=col + j, value=text)
        style(c, "header", wrap=True, align="center")
    if height:
        ws.row_dimensions[row].height = height


def widths(ws: Worksheet, **cols: float) -> None:
    for letter, w in cols.items():
        ws.column_dimensions[letter].width = w


def print_setup(
    ws: Worksheet,
    area: str | None = None,
    *,
    landscape: bool = True,
    repeat_rows: str | None = None,
) -> None:
    """Fit to one page wide, as many tall as needed; landscape; small margins."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if area:
        ws.print_area = area
    if repeat_rows:
        ws.print_title_rows = repeat_rows
    ws.oddFooter.center.text = "&A - page &P of &N"
    ws.oddFooter.center.size = 8


# --- helpers used by the sheet modules (same colours and formats as the roles above) --------
HEADER_FILL = NAVY
OUTPUT_FILL = PALE_BLUE
NOTE_FONT = GREY
PASS_FILL, PASS_FONT, FAIL_FILL, FAIL_FONT = OK_GREEN, OK_TEXT, BAD_RED, BAD_TEXT
FMT_USD, FMT_USD2, FMT_USD_QUERY, FMT_RATE = USD, USD_CENTS, USD_QUERY, USD_RATE
FMT_INT, FMT_NUM, FMT_MONTHS, FMT_PCT, FMT_DATE, FMT_TEXT = (
    INTEGER,
    DECIMAL,
    MONTHS,
    PERCENT,
    DATE,
    TEXT,
)
TITLE = ROLES["title"][0]
SUBTITLE = ROLES["subtitle"][0]
BOLD = font(bold=True)
NOTE = ROLES["note"][0]
CODE = ROLES["name"][0]


def input_cell(cell, fmt: str | None = None) -> None:
    style(cell, "input", fmt)


def calc_cell(cell, fmt: str | None = None, bold: bool = False) -> None:
    style(cell, "calc", fmt)
    if bold:
        cell.font = font(bold=True)


def link_cell(cell, fmt: str | None = None) -> None:
    style(cell, "link", fmt)


def output_cell(cell, fmt: str | None = None) -> None:
    style(cell, "output", fmt)


def header_cell(cell) -> None:
    style(cell, "header", wrap=True)


def section_cell(cell) -> None:
    style(cell, "subheader")


def note_cell(cell, wrap: bool = False) -> None:
    style(cell, "note", wrap=wrap)


def pass_fail_rules(ws: Worksheet, ref: str, first_cell: str) -> None:
    """1 / 'OK...' green, anything else red (the Checks sheet's 1 = pass convention)."""
    from openpyxl.formatting.rule import FormulaRule

    ok = f'OR({first_cell}=1,LEFT({first_cell},2)="OK")'
    ws.conditional_formatting.add(
        ref, FormulaRule(formula=[ok], font=Font(bold=True, color=OK_TEXT), fill=fill(OK_GREEN))
    )
    ws.conditional_formatting.add(
        ref,
        FormulaRule(formula=[f"NOT({ok})"], font=Font(bold=True, color=BAD_TEXT), fill=fill(BAD_RED)),
    )
