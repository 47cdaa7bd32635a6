"""Risk sheet: how sure is the Calculator's answer? Monte Carlo ranges and a tornado.

Both blocks read the Calculator's InputBlock, so they follow the scenario picked there. Each is
one FT_ formula whose answer spills (FT_RISK 6 x 4; FT_SENSITIVITY one row per driver); the
cells below are laid out and styled for the most drivers FT_SENSITIVITY can return.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import StrData, StrRef, StrVal
from openpyxl.chart.text import Text
from openpyxl.chart.title import Title
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from pricing.model.currency import convert_bars, convert_risk
from pricing.model.figures import figure, labels
from pricing.model.figures import label as figure_label
from pricing.model.risk import DEFAULT_DRAWS, DEFAULT_TORNADO_OUTPUT, monte_carlo, tornado
from pricing.model.risk_options import MENU_OUTPUTS
from pricing.model.risk_tables import MAX_TORNADO_ROWS, risk_rows, tornado_rows
from workbook import styles, validations
from workbook.sheets import currency_block, risk_grid

SHEET = "Risk"
TITLE = "Risk: how sure is the answer?"
SUBTITLE = (
    "The Calculator's scenario with its uncertain inputs drawn thousands of times (FT_RISK), "
    "and each driver moved on its own (FT_SENSITIVITY). Change the scenario on the Calculator."
)
DRAWS, SEED, OUTPUT = DEFAULT_DRAWS, 0, DEFAULT_TORNADO_OUTPUT  # the CLI's and FT_ functions' defaults
DRAWS_CELL, SEED_CELL, OUTPUT_CELL = "C6", "C7", "C17"
SWING_UNIT_CELL = "F17"  # "swing in USD": the chosen figure's unit, the tornado's value-axis title
RISK_TOP, TORNADO_TOP = 10, 19  # header rows of the two blocks
RISK_COLS, TORNADO_COLS = 4, 6
GRID_TOP = 35  # the two-way table's section title (risk_grid), below the tornado's notes
RANGES_TOP, RANGES_ROWS, RANGES_COL = 5, 6, 9  # "your ranges": header at I5, six rows to fill
RANGES_HEAD = ("your ranges: input", "low", "likely", "high")
FIRST_COL = 2  # column B
TWO_LINES = 30  # points: a header wrapped in two lines

RANGES_TEXT = (
    "Drawn for every trial (triangular low / likely / high, around the Calculator's inputs): "
    "traffic 0.5x / 1x / 1.5x, tokens 0.8x / 1x / 1.2x, training runs 1 / 1 / 3 times, accuracy "
    "lift 0 / 1x / 1.5x when it has a value, frontier price decline +0 / +20 / +50 points a year."
)
RANGE_INPUTS = (  # offered in the dropdown; any numeric input name is accepted
    "queries_per_day",
    "input_tokens",
    "output_tokens",
    "training_runs",
    "accuracy_lift",
    "frontier_price_decline_annual",
    "ft_traffic_share",
    "lifetime_months",
    "eval_cost",
    "discount_rate_annual",
)
RANGES_NOTE = (
    "Optional: a row here replaces that input's built-in range (e.g. queries_per_day 3000 / 5000 / "
    "6000); blank rows change nothing. Retype them when you pick another scenario."
)
READING = (
    "P10 / P50 / P90: 10%, 50% and 90% of the trials are at or below this figure. 'never': at that "
    "percentile the trials never pay back. Probabilities are shares of all trials.",
    "Tornado: each driver set to its low and then its high value with everything else as on the "
    "Calculator; the biggest swing of the chosen figure comes first.",
)


def _risk_formats(ctx) -> list[str]:
    npv = currency_block.money_fmt(ctx, styles.FMT_USD)
    return ["", styles.FMT_MONTHS, styles.FMT_MONTHS, npv, styles.FMT_PCT, styles.FMT_PCT]


def _tables(ctx) -> tuple[list[list], list[list]]:
    """The engine's FT_RISK and FT_SENSITIVITY answers for the built scenario."""
    chosen, catalog = ctx.selected_inputs, ctx.catalog
    cur = ctx.currency
    risk = risk_rows(convert_risk(monte_carlo(chosen, None, DRAWS, SEED, catalog), cur))
    bars = tornado_rows(convert_bars(tornado(chosen, None, OUTPUT, catalog), OUTPUT, cur), OUTPUT)
    return risk, bars


def _anchor(top: int) -> str:
    return f"{get_column_letter(FIRST_COL)}{top}"


def _spill_block(ctx, ws, top: int, cols: int, formula: str, table: list[list]) -> None:
    """An FT_ block spilled from (top, FIRST_COL), its first `cols` cells styled as the header."""
    ctx.ft_spill(ws, _anchor(top), formula, table)
    for j in range(cols):
        styles.header_cell(ws.cell(top, FIRST_COL + j))


def write(ctx) -> None:
    ws = styles.titled_sheet(ctx.wb, SHEET, TITLE, SUBTITLE)
    ws["B3"] = "Scenario"
    ws["C3"] = "=SelectedScenario"
    styles.link_cell(ws["C3"])
    currency_block.put_caption(ws, "E3")

    styles.section_cell(ws["B5"])
    ws["B5"] = "Monte Carlo (FT_RISK)"
    for ref, label, value, unit in (
        (DRAWS_CELL, "Trials", DRAWS, "draws, 100-100,000"),
        (SEED_CELL, "Random seed", SEED, "the same seed gives the same answer"),
    ):
        ws[f"B{ref[1:]}"] = label
        ws[ref] = value
        styles.input_cell(ws[ref], styles.FMT_INT)
        ws[f"D{ref[1:]}"] = unit
        styles.note_cell(ws[f"D{ref[1:]}"])
    validations.attach(
        ws,
        validations.between(
            "whole",
            "100",
            "100000",
            error="Trials: a whole number from 100 to 100,000.",
            title="Trials",
        ),
        ws[DRAWS_CELL],
    )
    ws["B8"] = RANGES_TEXT
    styles.note_cell(ws["B8"], wrap=True)
    ws.merge_cells("B8:G8")  # the text wraps inside the blocks' width, clear of "your ranges"
    ws.row_dimensions[8].height = 26

    risk_table, tornado_table = _tables(ctx)
    ranges_ref = _write_ranges(ws)
    _spill_block(
        ctx,
        ws,
        RISK_TOP,
        RISK_COLS,
        f"FT_RISK(InputBlock,{DRAWS_CELL},{SEED_CELL},{ranges_ref},{currency_block.FX})",
        risk_table,
    )
    for i, fmt in enumerate(_risk_formats(ctx)[1:], start=1):
        for j in range(RISK_COLS):
            styles.output_cell(ws.cell(RISK_TOP + i, FIRST_COL + j), fmt if j else None)

    styles.section_cell(ws["B16"])
    ws["B16"] = "Sensitivity (FT_SENSITIVITY)"
    ws["B17"] = "Figure explained"
    ws[OUTPUT_CELL] = figure_label(OUTPUT)  # FT_SENSITIVITY takes a figure's label as its output
    styles.input_cell(ws[OUTPUT_CELL])
    validations.attach(
        ws,
        validations.choice(
            labels(MENU_OUTPUTS), error="Pick a figure from the list.", title="Figure explained"
        ),
        ws[OUTPUT_CELL],
    )
    _swing_unit(ws)
    _spill_block(
        ctx,
        ws,
        TORNADO_TOP,
        TORNADO_COLS,
        f"FT_SENSITIVITY(InputBlock,{OUTPUT_CELL},{currency_block.FX})",
        tornado_table,
    )
    for j in range(TORNADO_COLS):
        for i in range(1, MAX_TORNADO_ROWS):
            # low / high are inputs of any scale (0.2, 5,000): General shows each as typed
            fmt = figure(OUTPUT).number_format if j >= 3 else ("General" if j else None)
            styles.output_cell(ws.cell(TORNADO_TOP + i, FIRST_COL + j), fmt)
    last = get_column_letter(FIRST_COL + TORNADO_COLS - 1)
    block = f"B{TORNADO_TOP + 1}:{last}{TORNADO_TOP + MAX_TORNADO_ROWS - 1}"
    # rows the array does not fill hold #N/A in Excel: draw them blank, not as errors
    ws.conditional_formatting.add(
        block,
        FormulaRule(
            formula=[f"ISNA(B{TORNADO_TOP + 1})"], font=Font(color="FFFFFF"), fill=styles.fill("FFFFFF")
        ),
    )
    for row in ws.iter_rows(
        min_row=RISK_TOP + 1,
        max_row=TORNADO_TOP + MAX_TORNADO_ROWS - 1,
        min_col=FIRST_COL + 1,
        max_col=FIRST_COL + TORNADO_COLS - 1,
    ):
        for c in row:  # "never" lines up with the numbers
            c.alignment = styles.Alignment(horizontal="right")
    for j in range(TORNADO_COLS):  # "NPV over the horizon at high": two lines, not cut
        ws.cell(TORNADO_TOP, FIRST_COL + j).alignment = styles.Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[TORNADO_TOP].height = TWO_LINES
    _tornado_chart(ws, currency_block.unit(ctx, figure(OUTPUT).unit))
    note_row = TORNADO_TOP + MAX_TORNADO_ROWS + 1
    for i, line in enumerate(READING):
        ws.cell(note_row + i, 2, line)
        styles.note_cell(ws.cell(note_row + i, 2))
    risk_grid.write(ws, ctx, GRID_TOP, RANGE_INPUTS)
    styles.widths(
        ws, A=2, B=56, C=16, D=16, E=16, F=20, G=20, H=13, I=30, J=12, K=12, L=12
    )  # H: the heat map's 7th column
    ws.freeze_panes = "A4"
    styles.print_setup(ws)
    styles.protect(ws)


def _swing_unit(ws) -> None:
    """The unit of the figure picked in OUTPUT_CELL, live (money in ReportCurrency): the labels
    and units of the menu's figures as array constants, from the figures registry."""
    units = [figure(n).unit for n in MENU_OUTPUTS]
    money = ",".join("1" if u.startswith("USD") else "0" for u in units)
    rest = ",".join(f'"{u.removeprefix("USD")}"' for u in units)
    names = ",".join(f'"{figure_label(n)}"' for n in MENU_OUTPUTS)
    pick = f"MATCH({OUTPUT_CELL},{{{names}}},0)"
    ws[SWING_UNIT_CELL] = (
        f'=IFERROR("swing in "&IF(INDEX({{{money}}},{pick})=1,ReportCurrency,"")&INDEX({{{rest}}},{pick}),"")'
    )
    styles.note_cell(ws[SWING_UNIT_CELL])


def _tornado_chart(ws, built_unit: str) -> None:
    """Swing per driver as horizontal bars, biggest on top (the tornado's usual picture)."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Swing of the chosen figure, by driver"
    swing_col = FIRST_COL + TORNADO_COLS - 1
    last_row = TORNADO_TOP + MAX_TORNADO_ROWS - 1
    chart.add_data(
        Reference(ws, min_col=swing_col, min_row=TORNADO_TOP, max_row=last_row), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=FIRST_COL, min_row=TORNADO_TOP + 1, max_row=last_row))
    chart.series[0].graphicalProperties.solidFill = styles.NAVY
    chart.x_axis.scaling.orientation = "maxMin"  # first row (biggest swing) at the top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = "#,##0"
    # the value axis names its unit from SWING_UNIT_CELL (Excel follows it; the cache is the built one)
    ref = StrRef(f=f"'{SHEET}'!${SWING_UNIT_CELL[0]}${SWING_UNIT_CELL[1:]}")
    ref.strCache = StrData(ptCount=1, pt=[StrVal(idx=0, v=f"swing in {built_unit}")])
    chart.y_axis.title = Title(tx=Text(strRef=ref), overlay=False)
    chart.legend = None
    chart.height, chart.width = 10, 16  # tall enough to label all eleven drivers
    ws.add_chart(chart, f"I{TORNADO_TOP}")


def _write_ranges(ws) -> str:
    """The user's own (low, likely, high) rows for FT_RISK; blank rows keep the built-in ranges."""
    first, last = get_column_letter(RANGES_COL), get_column_letter(RANGES_COL + len(RANGES_HEAD) - 1)
    for j, head in enumerate(RANGES_HEAD):
        styles.header_cell(ws.cell(RANGES_TOP, RANGES_COL + j, head))
        for i in range(1, RANGES_ROWS + 1):
            styles.input_cell(ws.cell(RANGES_TOP + i, RANGES_COL + j), None if j == 0 else "General")
    validations.attach(
        ws,
        validations.choice(
            RANGE_INPUTS, allow_blank=True, error="Pick an input name from the list.", title="Input name"
        ),
        f"{first}{RANGES_TOP + 1}:{first}{RANGES_TOP + RANGES_ROWS}",
    )
    note = ws.cell(RANGES_TOP + RANGES_ROWS + 1, RANGES_COL, RANGES_NOTE)
    styles.note_cell(note, wrap=True)
    ws.merge_cells(
        start_row=note.row,
        start_column=RANGES_COL,
        end_row=note.row + 2,
        end_column=RANGES_COL + len(RANGES_HEAD) - 1,
    )
    return f"{first}{RANGES_TOP}:{last}{RANGES_TOP + RANGES_ROWS}"
