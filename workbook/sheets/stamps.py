"""What only Python computes, in the file for people without the add-in: stamped, never stale.

The Monte Carlo ranges, the tornado, the two-way table and the engine's notes are values there,
computed when the file was built. This module records the inputs they were computed for (a table
on the Checks sheet: each input cell, its value then, its value now) and names two cells:
`PythonCurrent` (TRUE while every input is as stamped) and `PythonStamp` ("computed for
<scenario> on <date>", plus "; stale: rebuild or use the add-in" once an input differs). Each
such block shows PythonStamp; the master check fails while it is stale. In the add-in files
those blocks are live FT_ formulas: PythonCurrent is TRUE there.
"""

from __future__ import annotations

from datetime import date

from openpyxl.workbook.defined_name import DefinedName

from workbook import styles

STALE = "stale: rebuild or use the add-in"


def stamped_text(expr: str) -> str:
    """A Python-only text: itself with its stamp, or (stale) only the stamp."""
    return f'IF(PythonCurrent,{expr}&" ("&PythonStamp&")",PythonStamp)'


def stamped_figure(ref: str) -> str:
    """A Python-only figure: itself while current, else "stale" (its block says why)."""
    return f'IF(PythonCurrent,{ref},"stale")'


def _inputs(ctx) -> list[tuple[str, object]]:
    """(Sheet!$C$r, value when built) of every input the Python-only blocks depend on."""
    from openpyxl.utils import get_column_letter

    from workbook.sheets import calculator, risk, risk_grid

    values = calculator.python_inputs(ctx.selected, ctx.catalog)
    rows = calculator.field_rows()
    out: list[tuple[str, object]] = [
        (f"{calculator.SHEET}!$C${rows[f]}", values.get(f)) for f in calculator.fields.ORDERED
    ]
    ws = ctx.wb[risk.SHEET]
    refs = [risk.DRAWS_CELL, risk.SEED_CELL, risk.OUTPUT_CELL]
    for i in range(1, risk.RANGES_ROWS + 1):
        for j in range(len(risk.RANGES_HEAD)):
            refs.append(f"{get_column_letter(risk.RANGES_COL + j)}{risk.RANGES_TOP + i}")
    grid = risk_grid.layout(risk.GRID_TOP)
    col = risk_grid.FIRST_COL + 1
    for key in ("x_field", "y_field", "output"):
        refs.append(f"{get_column_letter(col)}{grid[key]}")
    for key, n in (("x_values", len(risk_grid.X_VALUES)), ("y_values", len(risk_grid.Y_VALUES))):
        refs += [f"{get_column_letter(col + j)}{grid[key]}" for j in range(n)]
    for ref in refs:
        letters = "".join(ch for ch in ref if ch.isalpha())
        out.append((f"{risk.SHEET}!${letters}${ref[len(letters) :]}", ws[ref].value))
    return out


def write(ctx) -> None:
    from workbook.sheets import checks, risk

    dn = ctx.wb.defined_names
    if not ctx.static:
        dn["PythonCurrent"] = DefinedName("PythonCurrent", attr_text="TRUE")
        dn["PythonStamp"] = DefinedName("PythonStamp", attr_text='"computed live by the add-in"')
        dn["ScenariosStale"] = DefinedName("ScenariosStale", attr_text="0")
        return
    ws = ctx.wb[checks.SHEET]
    top = STAMP_TOP
    ws.cell(top, 1, "Python-only blocks (Risk sheet, the engine's notes): computed for").font = styles.BOLD
    stamp = f"computed for {ctx.selected.name} on {date.today().isoformat()}"
    ws.cell(top, 2, f'="{stamp.replace(chr(34), chr(34) * 2)}"&IF(PythonCurrent,"","; {STALE}")')
    styles.output_cell(ws.cell(top, 2))
    dn["PythonStamp"] = DefinedName("PythonStamp", attr_text=f"{checks.SHEET}!$B${top}")
    ws.cell(top + 2, 1, "The engine's notes when built (the Calculator shows them while current)")
    notes = ws.cell(top + 2, 2, "; ".join(ctx.selected_result.notes))
    styles.note_cell(notes)
    dn["PythonNotes"] = DefinedName("PythonNotes", attr_text=f"{checks.SHEET}!$B${top + 2}")
    for row in (top, top + 2):  # kept inside the stamp table's columns: a spill made the page tiny
        styles.wrap_across(ws, row, "B", "D")
        ws.cell(row, 1).alignment = styles.Alignment(vertical="top")  # beside its value's first line
    for j, text in enumerate(("input", "value when built", "value now", "same (1/0)"), 1):
        styles.header_cell(ws.cell(top + 3, j, text))
    first = top + 4
    items = _inputs(ctx)
    for i, (ref, value) in enumerate(items):
        r = first + i
        ws.cell(r, 1, ref)
        styles.note_cell(ws.cell(r, 1))
        ws.cell(r, 2, value)
        ws.cell(r, 3, f'=IF(ISBLANK({ref}),"",{ref})')
        ws.cell(r, 4, f"=IF({ref}=B{r},1,0)")
        if isinstance(value, date):
            ws.cell(r, 2).number_format = ws.cell(r, 3).number_format = styles.FMT_DATE
    last = first + len(items) - 1
    ws.cell(top + 1, 1, "All inputs as when built (1 = yes)")
    ws.cell(top + 1, 2, f"=IF(MIN(D{first}:D{last})=1,1,0)")
    dn["PythonCurrent"] = DefinedName("PythonCurrent", attr_text=f"{checks.SHEET}!$B${top + 1}=1")
    rs = ctx.wb[risk.SHEET]
    for ref in BLOCK_STAMPS:
        c = rs[ref]
        c.value = "=PythonStamp"
        c.font = styles.Font(name=styles.FONT_NAME, bold=True, color=styles.WARN_TEXT, size=9)
        c.alignment = styles.Alignment(horizontal="left")  # the Risk tables right-align their cells


STAMP_TOP = 40  # Checks sheet: below the checks and the add-in probe
BLOCK_STAMPS = ("C5", "C16", "E36")  # Risk: Monte Carlo, tornado, two-way table
