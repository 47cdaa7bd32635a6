"""Scenarios sheet: one row per scenario (an Excel table) and FT_SCENARIOS outputs beside it.

The input table's header row holds the cost model's input names, so the whole table (header
included) is the `inputs_table` argument of FT_SCENARIOS. Each output column is one array
formula over every table row; blank rows stay blank, so typing or copying a row below the
presets fills its outputs.
"""

from __future__ import annotations

import math
from datetime import date

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo

from pricing.model.figures import HEADLINE
from workbook import fields, styles
from workbook.sheets import currency_block

SHEET = "Scenarios"
TITLE = "Scenarios: one row per case"
TABLE = "ScenariosTable"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
EMPTY_ROWS = 20
INPUT_COLUMNS: tuple[str, ...] = fields.ORDERED  # "name" first
# The FT_SCENARIOS output columns; labels, units, descriptions and formats from pricing.model.figures.
# Each column's header is the figure's label, which FT_SCENARIOS takes as its `output`.
OUTPUT_NAMES: tuple[str, ...] = (
    "frontier_cost_month",
    "ft_cost_month",
    "inference_savings_month",
    "net_benefit_month",
    "upfront_cost",
    "payback_months",
    "breakeven_queries_per_day",
    "lifetime_months",
    "lifetime_net",
    "npv",
    "verdict",
    "mode",
)
OUTPUTS: tuple[tuple[str, str], ...] = tuple((n, HEADLINE[n].number_format) for n in OUTPUT_NAMES)
NAME_WIDTH = 44  # characters: the scenario names, and the title above them at 16 pt
OUTPUT_WIDTH = 18  # characters; wider where a label needs it to fit in two lines
HEADER_HEIGHT = 30  # two wrapped lines of the header font
LINE_POINTS = 12.5  # one wrapped line of the 9 pt description text


def two_line_width(text: str) -> int:
    """Characters a column needs to show `text` in at most two lines broken between words."""
    words = text.split()
    splits = [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]
    need = min((max(len(a), len(b)) for a, b in splits), default=len(text))
    return need + 2  # bold header text and the cell's padding


def last_row(n_presets: int) -> int:
    return FIRST_ROW + n_presets + EMPTY_ROWS - 1


def _row_value(ctx, value):
    """One scenario's figure as FT_SCENARIOS shows it (or, without the add-in, as text)."""
    if ctx.static:
        return ctx.static_value(value)
    return ctx.cell_value(value)


def write(ctx) -> None:
    ws = ctx.wb.create_sheet(SHEET)
    scenarios = ctx.scenarios
    end = last_row(len(scenarios))
    last_in = get_column_letter(len(INPUT_COLUMNS))
    # Column A prints beside the outputs on every page: the title fits it, the rest of the
    # heading starts in B (a longer title was cut at A's edge on paper)
    styles.title(ws, TITLE, "")
    styles.put(
        ws,
        "B2",
        "Outputs on the right (green) "
        + (
            "were computed when the file was built (no add-in). "
            if ctx.static
            else "are FT_SCENARIOS formulas. "
        )
        + "Yellow cells are inputs; a blank cell takes the input's default (see the Calculator's "
        "default / source column). "
        "Add a case by typing it in an empty row (or copy a row down); pick it on the Calculator "
        "with the scenario selector. Rates come from the Pricing sheet unless a *_price column is"
        " filled.",
        "subtitle",
    )
    ws["A3"] = "unit"
    styles.note_cell(ws["A3"])
    for j, f in enumerate(INPUT_COLUMNS, start=1):
        styles.header_cell(ws.cell(HEADER_ROW, j, f))
        styles.note_cell(ws.cell(3, j if j > 1 else 1, fields.unit(f) if j > 1 else "unit"))
        ws.cell(4, j, fields.label(f))
        styles.note_cell(ws.cell(4, j), wrap=True)
    ws.row_dimensions[4].height = 48
    for i in range(end - FIRST_ROW + 1):
        values = scenarios[i].model_dump() if i < len(scenarios) else {}
        for j, f in enumerate(INPUT_COLUMNS, start=1):
            v = values.get(f)
            c = ws.cell(FIRST_ROW + i, j, v if not (v == "" or v is None) else None)
            styles.input_cell(c, fields.number_format(f))
            if isinstance(v, date):
                c.number_format = styles.FMT_DATE
    table = Table(displayName=TABLE, ref=f"A{HEADER_ROW}:{last_in}{end}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    ws.add_table(table)

    # outputs: one FT_SCENARIOS array per column, after a gap column
    first_out = len(INPUT_COLUMNS) + 2
    block = f"{TABLE}[#All]"  # the whole table, however many rows it grows to
    ws.cell(
        2,
        first_out,
        "Outputs: the engine's, for each row as it was when the file was built"
        if ctx.static  # (no FT_ formula in this file)
        else "Outputs: FT_SCENARIOS over the whole table, one array formula per column",
    )
    styles.note_cell(ws.cell(2, first_out))
    currency_block.put_caption(ws, f"{get_column_letter(first_out)}1")
    results = ctx.scenario_results  # for the static copy
    lines = 1  # of the longest description (row 4)
    for k, (out, fmt) in enumerate(OUTPUTS):
        col = first_out + k
        letter = get_column_letter(col)
        shown = HEADLINE[out]
        styles.header_cell(ws.cell(HEADER_ROW, col, shown.label))
        styles.note_cell(ws.cell(3, col, currency_block.unit(ctx, shown.unit)))
        styles.note_cell(ws.cell(4, col, shown.description), wrap=True)
        formula = f"FT_SCENARIOS({block},{letter}${HEADER_ROW},{currency_block.FX_CODE})"
        column = [
            [_row_value(ctx, results[i].get(out)) if i < len(results) else None]
            for i in range(end - FIRST_ROW + 1)
        ]
        ctx.ft_spill(ws, f"{letter}{FIRST_ROW}", formula, column)
        for i in range(end - FIRST_ROW + 1):
            styles.output_cell(ws.cell(FIRST_ROW + i, col), currency_block.money_fmt(ctx, fmt))
        width = max(OUTPUT_WIDTH, two_line_width(shown.label))
        ws.column_dimensions[letter].width = width
        lines = max(lines, math.ceil(len(shown.description) * 1.1 / width))  # 1.1: a generous estimate
    ws.row_dimensions[4].height = max(48, LINE_POINTS * lines + 3)
    ws.row_dimensions[HEADER_ROW].height = HEADER_HEIGHT
    if ctx.static:
        _stamp_rows(ctx, ws, first_out + len(OUTPUTS), end)
    widths = {"A": NAME_WIDTH}
    for j, f in enumerate(INPUT_COLUMNS[1:], start=2):
        widths[get_column_letter(j)] = 14 if f not in ("frontier_model", "ft_model") else 22
    widths[get_column_letter(len(INPUT_COLUMNS) + 1)] = 3
    styles.widths(ws, **widths)
    ws.freeze_panes = f"B{FIRST_ROW}"
    # Printed: the outputs beside the scenario names (column A repeats as the page's first column),
    # one landscape page wide; the inputs are 25 columns, unreadable at any print scale
    last_out = get_column_letter(first_out + len(OUTPUTS) - (0 if ctx.static else 1))
    styles.print_setup(ws, f"{get_column_letter(first_out)}1:{last_out}{end}")
    ws.print_title_cols = "A:A"

    sheet = f"'{SHEET}'" if " " in SHEET else SHEET
    for name, ref in {
        "ScenarioNames": f"$A${FIRST_ROW}:$A${end}",
        "ScenarioFields": f"$A${HEADER_ROW}:${last_in}${HEADER_ROW}",
        "ScenarioData": f"$A${FIRST_ROW}:${last_in}${end}",
    }.items():
        ctx.wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet}!{ref}")


AS_BUILT = "Scenarios as built"  # no add-in: the table's inputs when the outputs were computed


def _stamp_rows(ctx, ws, col: int, end: int) -> None:
    """No add-in: the outputs are values computed when the file was built. A hidden copy of the
    table's inputs keeps what they were computed for; each row says "stale" once its inputs
    differ, and the Checks sheet counts such rows (ScenariosStale)."""
    from workbook.sheets.stamps import STALE

    copy = ctx.wb.create_sheet(AS_BUILT)
    copy.sheet_state = "hidden"
    last_in = get_column_letter(len(INPUT_COLUMNS))
    for r in range(FIRST_ROW, end + 1):
        for j in range(1, len(INPUT_COLUMNS) + 1):
            copy.cell(r, j, ws.cell(r, j).value).number_format = ws.cell(r, j).number_format
    letter = get_column_letter(col)
    styles.header_cell(ws.cell(HEADER_ROW, col, "outputs computed for"))
    styles.note_cell(ws.cell(4, col, "the inputs when the file was built"), wrap=True)
    stamp = f"computed on {date.today().isoformat()}"
    for r in range(FIRST_ROW, end + 1):
        row = f"$A{r}:${last_in}{r}"
        c = ws.cell(
            r,
            col,
            f'=IF(SUMPRODUCT(--({row}<>\'{AS_BUILT}\'!{row}))=0,"{stamp}","{STALE}")',
        )
        styles.note_cell(c)
    ws.column_dimensions[letter].width = 30
    ctx.wb.defined_names["ScenariosStale"] = DefinedName(
        "ScenariosStale", attr_text=f'COUNTIF({SHEET}!${letter}${FIRST_ROW}:${letter}${end},"{STALE}")'
    )
