"""Scenarios sheet: one row per scenario (an Excel table) and FT_SCENARIOS outputs beside it.

The input table's header row holds the cost model's input names, so the whole table (header
included) is the `inputs_table` argument of FT_SCENARIOS. Each output column is one array
formula over every table row; blank rows stay blank, so typing or copying a row below the
presets fills its outputs.
"""

from __future__ import annotations

from datetime import date

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo

from workbook import fields, styles

SHEET = "Scenarios"
TABLE = "ScenariosTable"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
EMPTY_ROWS = 20
INPUT_COLUMNS: tuple[str, ...] = fields.ORDERED  # "name" first
OUTPUTS: tuple[tuple[str, str], ...] = (
    ("frontier_cost_month", styles.FMT_USD),
    ("ft_cost_month", styles.FMT_USD),
    ("inference_savings_month", styles.FMT_USD),
    ("net_benefit_month", styles.FMT_USD),
    ("upfront_cost", styles.FMT_USD),
    ("payback_months", styles.FMT_MONTHS),
    ("breakeven_queries_per_day", styles.FMT_INT),
    ("lifetime_months", styles.FMT_MONTHS),
    ("lifetime_net", styles.FMT_USD),
    ("npv", styles.FMT_USD),
    ("verdict", styles.FMT_TEXT),
    ("mode", styles.FMT_TEXT),
)


OUTPUT_TEXT = {  # output -> (human label, unit)
    "frontier_cost_month": ("Frontier cost per month (month 1)", "USD/month"),
    "ft_cost_month": ("Cost with fine-tuning per month (month 1)", "USD/month"),
    "inference_savings_month": ("Inference savings per month", "USD/month"),
    "net_benefit_month": ("Net benefit per month", "USD/month"),
    "upfront_cost": ("Upfront cost", "USD"),
    "payback_months": ("Payback (#NUM! = never)", "months"),
    "breakeven_queries_per_day": ("Break-even volume", "queries/day"),
    "lifetime_months": ("Lifetime", "months"),
    "lifetime_net": ("Net over the lifetime", "USD"),
    "npv": ("NPV over the horizon", "USD"),
    "verdict": ("Verdict", ""),
    "mode": ("What drives it", ""),
}


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
    styles.title(
        ws,
        "Scenarios: one row per case; outputs on the right (green) are FT_SCENARIOS formulas",
        "Yellow cells are inputs; a blank cell takes the input's default (see the Calculator's "
        "default / source column). "
        "Add a case by typing it in an empty row (or copy a row down); pick it on the Calculator "
        "with the scenario selector. Rates come from the Pricing sheet unless a *_price column is"
        " filled.",
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
    ws.cell(2, first_out, "Outputs: FT_SCENARIOS over the whole table, one array formula per column")
    styles.note_cell(ws.cell(2, first_out))
    results = ctx.scenario_results  # for the static copy
    for k, (out, fmt) in enumerate(OUTPUTS):
        col = first_out + k
        letter = get_column_letter(col)
        styles.header_cell(ws.cell(HEADER_ROW, col, out))
        label, unit = OUTPUT_TEXT[out]
        styles.note_cell(ws.cell(3, col, unit))
        styles.note_cell(ws.cell(4, col, label), wrap=True)
        formula = f"FT_SCENARIOS({block},{letter}${HEADER_ROW})"
        column = [
            [_row_value(ctx, results[i].get(out)) if i < len(results) else None]
            for i in range(end - FIRST_ROW + 1)
        ]
        ctx.ft_spill(ws, f"{letter}{FIRST_ROW}", formula, column)
        for i in range(end - FIRST_ROW + 1):
            styles.output_cell(ws.cell(FIRST_ROW + i, col), fmt)
        ws.column_dimensions[letter].width = (
            22
            if out in ("inference_savings_month", "breakeven_queries_per_day", "frontier_cost_month")
            else 18
        )
    widths = {"A": 32}
    for j, f in enumerate(INPUT_COLUMNS[1:], start=2):
        widths[get_column_letter(j)] = 14 if f not in ("frontier_model", "ft_model") else 22
    widths[get_column_letter(len(INPUT_COLUMNS) + 1)] = 3
    styles.widths(ws, **widths)
    ws.freeze_panes = f"B{FIRST_ROW}"
    styles.print_setup(ws)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 4, 1  # too wide for one readable page
    ws.print_title_cols = "A:A"

    sheet = f"'{SHEET}'" if " " in SHEET else SHEET
    for name, ref in {
        "ScenarioNames": f"$A${FIRST_ROW}:$A${end}",
        "ScenarioFields": f"$A${HEADER_ROW}:${last_in}${HEADER_ROW}",
        "ScenarioData": f"$A${FIRST_ROW}:${last_in}${end}",
    }.items():
        ctx.wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet}!{ref}")
