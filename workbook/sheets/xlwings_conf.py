"""xlwings.conf sheet: tells classic xlwings which Python module holds the UDFs."""

from __future__ import annotations

from workbook import styles

SHEET = "xlwings.conf"
# Classic xlwings reads A1:B1 downwards as key | value pairs until the first empty row, so the
# notes start below a blank row and never become keys.
SETTINGS = (("UDF Modules", "xl_addin.functions"),)
NOTES = (
    "Read by classic xlwings (Windows desktop Excel) when you press Import Functions on the "
    "xlwings ribbon; the sheet name must stay exactly xlwings.conf.",
    "UDF Modules: the Python module whose FT_ functions Excel imports (install ft-breakeven first: "
    "python -m pip install -e . in its folder; docs/RUNTIMES.md).",
    "Import Functions needs a .xlsm (`ft-breakeven build --runtime classic` writes one) and "
    "'Trust access to the VBA project object model' ticked in Excel's Trust Center.",
    "xlwings Lite and xlwings Server ignore this sheet (see the About sheet for their set-up).",
)


def write(ctx) -> None:
    ws = ctx.wb.create_sheet(SHEET)
    for i, (key, value) in enumerate(SETTINGS, start=1):
        ws.cell(i, 1, key)
        ws.cell(i, 2, value)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 64
    for i, text in enumerate(NOTES, start=len(SETTINGS) + 2):
        styles.note_cell(ws.cell(i, 1, text))
        styles.wrap_across(ws, i, "A", "B")  # merged A:B below the blank row: never read as a key
    styles.print_setup(ws, landscape=False)
