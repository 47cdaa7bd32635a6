"""Functions sheet: the FT_ functions, from the same metadata as docs/FUNCTIONS.md."""

from __future__ import annotations

from workbook import styles, text_fit

SHEET = "Functions"
TITLE = "Functions: the FT_ functions this workbook uses"
SUBTITLE = (
    "Type them like Excel's own (=FT_PAYBACK_MONTHS(4000,650)). Arguments in [brackets] are "
    "optional. #VALUE! bad argument or missing rate, #N/A unknown model, #NUM! the figure does not "
    "exist."
)
WIDTHS = {"A": 48, "B": 60, "C": 90}


def write(ctx) -> None:
    ws = styles.titled_sheet(ctx.wb, SHEET, TITLE, SUBTITLE)
    for j, h in enumerate(("function", "what it returns", "arguments"), 1):
        styles.header_cell(ws.cell(4, j, h))
    table = ctx.functions
    if not table:
        ws["A5"] = (
            "Function list not available in this build (built without the add-in's metadata); see"
            " docs/FUNCTIONS.md."
        )
        styles.note_cell(ws["A5"])
    else:
        for i, (name, description, params) in enumerate(table):
            r = 5 + i
            sig = f"{name}({', '.join(f'[{p}]' if opt else p for p, _, opt in params)})"
            ws.cell(r, 1, sig).font = styles.BOLD
            ws.cell(r, 2, description)
            ws.cell(
                r,
                3,
                "\n".join(f"{p}: {doc}" for p, doc, _opt in params)  # docs say [optional] themselves
                or "no arguments",
            )
            for j in (1, 2, 3):
                ws.cell(r, j).alignment = styles.Alignment(wrap_text=True, vertical="top")
            ws.cell(r, 3).font = styles.CODE
            lines = max(
                styles.wrapped_lines(ws.cell(r, j).value, w) for j, w in enumerate(WIDTHS.values(), 1)
            )
            ws.row_dimensions[r].height = styles.LINE_POINTS * lines + 3
    styles.widths(ws, **WIDTHS)
    text_fit.wrap_where_cut(ws, 1, 3, 1, ws.max_row)  # rows whose estimate fell a line short
    ws.freeze_panes = "A5"
    styles.print_setup(ws)
    styles.protect(ws)
