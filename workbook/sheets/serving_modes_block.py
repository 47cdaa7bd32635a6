"""The Calculator's serving-modes block: FT_SERVING_MODES(InputBlock) under a title, cheapest green.

The add-in files hold the FT_ formula (stored as a dynamic array with the engine's answer cached);
the file without add-in holds the answer computed when it was built, each figure shown only while
every input and the self-hosting GPU rate are as built (stamps.PythonCurrent) and "stale" once one
differs, under the stamp that
says so (the texts, how each mode bills and its source, stay as built): it has no native formulas
for GPU sizing and vendor offers, and never shows a stale figure.
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter

from pricing.model import constraints
from pricing.model.scenario import ScenarioError
from pricing.model.serving_modes import COLUMNS, HEADERS, serving_modes, table_rows
from pricing.prices.catalog import SERVING_MODES, UnknownModelError
from workbook import styles
from workbook.sheets import stamps

# own GPUs at the Calculator's self-hosting rate, whether or not the scenario is self-hosted
OWN_RATE = "SelfHostedGpuHour"
FORMULA = f"FT_SERVING_MODES(InputBlock,{OWN_RATE})"
TITLE = (
    "Serving modes: this scenario under each way the fine-tuned model's vendor serves it "
    "(FT_SERVING_MODES; own GPUs at the self-hosting GPU rate above; the cheapest in green)"
)
FORMATS = {
    "monthly_cost": styles.FMT_USD,
    "net_benefit_month": styles.FMT_USD,
    "payback_months": styles.FMT_MONTHS,
}
WRAPPED = ("mode", "basis", "source")
ROWS = 1 + len(SERVING_MODES)  # the header, then one row per mode


def _rows(ctx) -> list[list[Any]]:
    """The engine's table for the built scenario; a scenario it refuses shows the refusal."""
    try:
        return table_rows(serving_modes(ctx.selected_inputs, ctx.catalog, _own_rate()))
    except (ScenarioError, UnknownModelError) as exc:
        return [list(HEADERS), [f"no serving modes: {exc}"] + [""] * (len(HEADERS) - 1)]


def _own_rate() -> float:
    return next(float(a.value) for a in constraints.ASSUMPTIONS if a.name == OWN_RATE)


def _literal(value: Any) -> str:
    """An Excel formula literal; text split into pieces under Excel's 255-character limit."""
    if isinstance(value, float) and not math.isfinite(value):
        return '"never"'
    if isinstance(value, (int, float)):
        return repr(float(value))
    text = str(value).replace('"', '""')
    return "&".join(f'"{text[i : i + 200]}"' for i in range(0, max(len(text), 1), 200))


def write(ctx, ws, top: int) -> int:
    """The block from row `top` (title, stamp, table); returns its last row."""
    ws.cell(top, 1, TITLE).font = styles.BOLD
    if ctx.static:  # says when the values below were computed, and that they are stale
        stamp = ws.cell(top + 1, 1, "=PythonStamp")
        stamp.font = styles.Font(name=styles.FONT_NAME, bold=True, color=styles.WARN_TEXT, size=9)
    first = top + 2
    rows = _rows(ctx)
    anchor = f"A{first}"
    if ctx.static:
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                cell = ws.cell(first + i, 1 + j)
                figure = (
                    i > 0 and COLUMNS[j][0] not in WRAPPED
                )  # texts stay text: the row's figures say stale
                current = f"IF({OWN_RATE}={_own_rate()!r},{_literal(v)},{_literal('stale')})"
                cell.value = "=" + stamps.stamped_figure(current) if figure else v
    else:
        ctx.ft_spill(ws, anchor, FORMULA, rows)
    last_col = get_column_letter(len(HEADERS))
    for j, (key, _) in enumerate(COLUMNS, 1):
        styles.header_cell(ws.cell(first, j))
        for r in range(first + 1, first + ROWS):
            cell = ws.cell(r, j)
            styles.output_cell(cell, FORMATS.get(key))
            if key in WRAPPED:
                cell.alignment = styles.Alignment(wrap_text=True, vertical="top")
            else:
                cell.alignment = styles.Alignment(
                    vertical="top", horizontal="right" if key in FORMATS else None
                )
    cheapest = f'${get_column_letter(1 + HEADERS.index("Cheapest"))}{first + 1}="cheapest"'
    ws.conditional_formatting.add(
        f"A{first + 1}:{last_col}{first + ROWS - 1}",
        FormulaRule(
            formula=[cheapest],
            font=styles.Font(bold=True, color=styles.OK_TEXT),
            fill=styles.fill(styles.OK_GREEN),
        ),
    )
    _heights(ctx, ws, first)
    return first + ROWS - 1


LINE_POINTS = 13.5  # one line of the 10-11 pt text
BASIS_EXTRA = 80  # what the engine adds to a note: ": $0.2 in / $0.2 out per 1M tokens, hosting ..."


def _heights(ctx, ws, first: int) -> None:
    """Row heights that fit the wrapped texts of any vendor's offer (the add-in recomputes the
    texts when ft_model changes; Excel and LibreOffice do not grow a row that has a height)."""
    ws.row_dimensions[first].height = 30  # the header wraps to two lines
    width = {
        key: ws.column_dimensions[get_column_letter(j)].width or 10 for j, (key, _) in enumerate(COLUMNS, 1)
    }
    for i, mode in enumerate(SERVING_MODES, 1):
        texts = [v[mode] for v in ctx.catalog.serving_modes.values() if mode in v]
        basis = max((len(o.note) + BASIS_EXTRA for o in texts), default=BASIS_EXTRA)
        source = max((len(o.source) + len(o.rule) + 20 for o in texts), default=20)
        lines = max(
            math.ceil(basis / (width["basis"] * 1.15)), math.ceil(source / (width["source"] * 1.15)), 1
        )
        ws.row_dimensions[first + i].height = LINE_POINTS * lines
