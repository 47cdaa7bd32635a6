"""The Risk sheet's two-way table (FT_GRID): any figure over two inputs, shaded as a heat map.

The user picks the two inputs, their values and the figure in yellow cells; the table is a
fixed-size array formula on the Calculator's InputBlock, like the blocks above it.
"""

from __future__ import annotations

from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.utils import get_column_letter

from pricing.model.currency import convert_grid
from pricing.model.figures import figure
from pricing.model.figures import label as figure_label
from pricing.model.figures import labels as figure_labels
from pricing.model.risk_options import MENU_OUTPUTS
from pricing.model.risk_tables import grid_rows
from workbook import styles, validations
from workbook.sheets import currency_block

X_FIELD, Y_FIELD, OUTPUT = "queries_per_day", "frontier_price_decline_annual", "npv"
X_VALUES = (1000, 2000, 5000, 10000, 20000, 50000, 100000)
Y_VALUES = (0, 0.1, 0.2, 0.3, 0.5)
FIRST_COL = 2  # column B: labels, then the y values down the table's first column
# red for a loss, white at 0, green for a gain (Excel's red-white-green scale); a figure in months
# (payback) has no sign to show and stays unshaded
HEAT_LOSS, HEAT_ZERO, HEAT_GAIN = "F8696B", "FFFFFF", "63BE7B"


CORNER_HEIGHT = 42  # points: the corner's title wrapped in up to three lines


def layout(top: int) -> dict[str, int]:
    """Rows of the block that starts at `top` (its section title)."""
    return {
        "x_field": top + 1,
        "y_field": top + 2,
        "output": top + 3,
        "x_values": top + 4,
        "y_values": top + 5,
        "table": top + 7,
    }


def write(ws, ctx, top: int, inputs: tuple[str, ...]) -> None:
    rows = layout(top)
    ws.cell(top, FIRST_COL, "Two-way table (FT_GRID): one figure over two inputs, as a heat map")
    styles.section_cell(ws.cell(top, FIRST_COL))
    value_col = FIRST_COL + 1
    settings = (
        ("x_field", "Across: input", X_FIELD, inputs),
        ("y_field", "Down: input", Y_FIELD, inputs),
        ("output", "Figure in the cells", figure_label(OUTPUT), figure_labels(MENU_OUTPUTS)),
    )
    for key, label, value, choices in settings:
        ws.cell(rows[key], FIRST_COL, label)
        c = ws.cell(rows[key], value_col, value)
        styles.input_cell(c)
        pick = validations.choice(choices, error=f"{label}: pick one from the list.", title=label)
        ws.add_data_validation(pick)
        pick.add(c)
    for key, label, values in (
        ("x_values", "Across: values", X_VALUES),
        ("y_values", "Down: values", Y_VALUES),
    ):
        ws.cell(rows[key], FIRST_COL, label)
        for j, v in enumerate(values):
            styles.input_cell(ws.cell(rows[key], value_col + j, v), "General")
    ref = {k: f"{get_column_letter(value_col)}{rows[k]}" for k in ("x_field", "y_field", "output")}
    x_ref = _row_ref(rows["x_values"], value_col, len(X_VALUES))
    y_ref = _row_ref(rows["y_values"], value_col, len(Y_VALUES))
    axes = f"{ref['x_field']},{x_ref},{ref['y_field']},{y_ref}"
    formula = f"FT_GRID(InputBlock,{axes},{ref['output']},{currency_block.FX})"

    height, width = len(Y_VALUES) + 1, len(X_VALUES) + 1
    t = rows["table"]
    last = get_column_letter(FIRST_COL + width - 1)
    table = grid_rows(ctx.selected_inputs, X_FIELD, X_VALUES, Y_FIELD, Y_VALUES, OUTPUT, ctx.catalog)
    table = convert_grid(table, OUTPUT, ctx.currency)
    ctx.ft_spill(ws, f"{get_column_letter(FIRST_COL)}{t}", formula, table)
    styles.header_cell(ws.cell(t, FIRST_COL))
    for j in range(1, width):
        styles.header_cell(ws.cell(t, FIRST_COL + j))
        ws.cell(t, FIRST_COL + j).number_format = "#,##0.##"
    for i in range(1, height):
        styles.header_cell(ws.cell(t + i, FIRST_COL))
        ws.cell(t + i, FIRST_COL).number_format = "#,##0.##"
        for j in range(1, width):
            styles.output_cell(ws.cell(t + i, FIRST_COL + j), figure(OUTPUT).number_format)
    corner = ws.cell(t, FIRST_COL)
    corner.alignment = styles.Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[t].height = CORNER_HEIGHT
    body = f"{get_column_letter(FIRST_COL + 1)}{t + 1}:{last}{t + height - 1}"
    months = [figure_label(n) for n in MENU_OUTPUTS if figure(n).kind == "months"]
    picked = f"${get_column_letter(value_col)}${rows['output']}"
    ws.conditional_formatting.add(  # stop before the colour scale when the figure is in months
        body,
        FormulaRule(formula=[" + ".join(f'({picked}="{m}")' for m in months)], stopIfTrue=True),
    )
    ws.conditional_formatting.add(
        body,
        ColorScaleRule(
            start_type="min",
            start_color=HEAT_LOSS,
            mid_type="num",
            mid_value=0,
            mid_color=HEAT_ZERO,
            end_type="max",
            end_color=HEAT_GAIN,
        ),
    )
    note = ws.cell(
        t + height + 1,
        FIRST_COL,
        "Shading: red below 0 (a loss), white at 0, green above 0 (a gain); a figure in months is "
        "not shaded. 'never': that pair never pays back.",
    )
    styles.note_cell(note)


def _row_ref(row: int, col: int, n: int) -> str:
    return f"{get_column_letter(col)}{row}:{get_column_letter(col + n - 1)}{row}"
