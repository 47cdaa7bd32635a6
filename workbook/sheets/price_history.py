"""Price history sheet: chosen models' input and output rates month by month since 2023, each
change point with its source, and the yearly decline measured per vendor and tier.

Plain values (no FT_ calls): the history is bundled data plus the store's changelog, known when
the workbook is built.
"""

from __future__ import annotations

from datetime import date

from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from pricing.prices.changelog import ChangeRecord
from pricing.prices.decline import measure_all, measured_decline, months
from pricing.prices.history import PriceHistory, bundled_history
from workbook import styles

SHEET = "Price history"
CHART_MODELS = ("gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash")
DECLINE_ROW = 4
GRID_ROW = 14  # header of the monthly grid
MONTH_FORMAT = "yyyy-mm"
DATE_FORMAT = "yyyy-mm-dd"


def chosen_models(ctx, history: PriceHistory) -> list[str]:
    """The selected scenario's frontier model first, then the fixed set; those with a history."""
    first = getattr(ctx.selected, "frontier_model", None)
    wanted = [first, *CHART_MODELS] if first else list(CHART_MODELS)
    out = []
    for model in wanted:
        try:
            model_id = ctx.catalog.get(model).id
        except Exception:  # an id the catalog does not know has no history to chart
            continue
        if history.has(model_id) and model_id not in out:
            out.append(model_id)
    return out


def _history(ctx) -> PriceHistory:
    records = []
    for row in ctx.changelog or []:
        try:
            records.append(ChangeRecord(*row[:7]))
        except TypeError:  # a short or damaged row is not history
            continue
    return bundled_history().with_changes(records) if records else bundled_history()


def _declines(ws, history: PriceHistory, end: date) -> None:
    styles.section_cell(
        ws.cell(DECLINE_ROW, 1, "Measured yearly decline of list prices (blended 3:1 input:output)")
    )
    headers = (
        "family",
        "decline / year",
        "R²",
        "months",
        "from",
        "to",
        "first $/1M",
        "last $/1M",
        "24-month change",
    )
    styles.header_row(ws, DECLINE_ROW + 1, 1, headers)
    whole = measure_all(history, end)
    recent = measure_all(history, end, date(end.year - 2, end.month, 1))
    for i, (name, fit) in enumerate(whole.items()):
        r = DECLINE_ROW + 2 + i
        last24 = recent[name]
        values = (
            name,
            fit.decline_annual,
            fit.r2,
            fit.samples,
            fit.start,
            fit.end,
            fit.first_price,
            fit.last_price,
            last24.last_price / last24.first_price - 1,
        )
        for j, v in enumerate(values, start=1):
            ws.cell(r, j, v)
        ws.cell(r, 2).number_format = ws.cell(r, 9).number_format = "0%"
        ws.cell(r, 3).number_format = "0.00"
        ws.cell(r, 5).number_format = ws.cell(r, 6).number_format = MONTH_FORMAT
        ws.cell(r, 7).number_format = ws.cell(r, 8).number_format = styles.FMT_RATE
    note = DECLINE_ROW + 2 + len(whole)
    ws.cell(
        note,
        1,
        "Price of a family on a date = the newest model of its lineage listed then (pricing/data/"
        "history_models.json); ln(price) fitted to a line in time, decline = 1 - exp(slope per year)."
        " Negative = prices rose. 24-month change: last price / price 24 months earlier - 1.",
    )
    styles.note_cell(ws.cell(note, 1))


def _grid(ws, history: PriceHistory, models: list[str], end: date) -> int:
    """Month-by-month input/output rates; returns the last row."""
    styles.section_cell(
        ws.cell(GRID_ROW - 1, 1, "Rates in force on the 1st of each month, USD per 1M tokens")
    )
    headers = ["month"] + [f"{m} {side}" for m in models for side in ("input", "output")]
    # (the chart's legend reads them) as tall as the longest needs in a default-width column
    lines = max(styles.wrapped_lines(h, styles.DEFAULT_WIDTH, 10, True, per_unit=1.0) for h in headers)
    styles.header_row(ws, GRID_ROW, 1, headers, height=lines * styles.LINE_POINTS + 3)
    row = GRID_ROW
    for d in months(history.start, end):
        row += 1
        ws.cell(row, 1, d).number_format = MONTH_FORMAT
        for k, model in enumerate(models):
            point = history.point_at(model, d)
            for s, field in enumerate(("input", "output")):
                value = point.rates.get(field) if point else None
                c = ws.cell(row, 2 + 2 * k + s, value)
                c.number_format = styles.FMT_RATE
    return row


def _points(ws, history: PriceHistory, models: list[str], col: int) -> None:
    styles.section_cell(ws.cell(GRID_ROW - 1, col, "Change points and their source"))
    headers = ("model", "from", "input", "output", "cached input", "source", "registry key")
    styles.header_row(ws, GRID_ROW, col, headers, height=None)  # the grid's header sets the row
    for j, width in enumerate(POINT_WIDTHS):
        ws.column_dimensions[get_column_letter(col + j)].width = width
    row = GRID_ROW
    for model in models:
        for p in history.series(model):
            row += 1
            values = (
                model,
                p.date,
                p.rates.get("input"),
                p.rates.get("output"),
                p.rates.get("cached_input"),
                p.source,
                p.key,
            )
            for j, v in enumerate(values):
                c = ws.cell(row, col + j, v)
                if j == 1:
                    c.number_format = DATE_FORMAT
                elif 2 <= j <= 4:
                    c.number_format = styles.FMT_RATE


def _chart(ws, models: list[str], last_row: int, anchor: str) -> None:
    chart = ScatterChart()
    chart.scatterStyle = "lineMarker"  # required by the schema; openpyxl leaves it out
    chart.title = "Input and output rates over time (USD per 1M tokens, log scale)"
    chart.x_axis.title = "month"
    chart.y_axis.title = "USD per 1M tokens"
    chart.x_axis.number_format = MONTH_FORMAT
    chart.y_axis.scaling.logBase = 10
    xs = Reference(ws, min_col=1, min_row=GRID_ROW + 1, max_row=last_row)
    for k in range(2 * len(models)):
        ys = Reference(ws, min_col=2 + k, min_row=GRID_ROW, max_row=last_row)
        series = Series(ys, xs, title_from_data=True)
        series.marker.symbol = "none"
        chart.series.append(series)
    chart.height, chart.width = 9, 22
    ws.add_chart(chart, anchor)


CHART_COLUMNS = 12  # the chart is 22 cm wide: about this many default columns
POINT_WIDTHS = (18, 11, 9, 9, 9, 30, 26)  # model, from, input, output, cached, source, key
BY_MODEL_COL = 60  # column BH: clear of the grid, the change points and the chart


def _declines_by_model(ctx, ws) -> None:
    """Each catalog model's family decline (floored at 0, as the engine uses it): the Calculator
    looks its frontier model up here (DeclineModels / DeclineValues) to show beside the assumed
    frontier_price_decline_annual."""
    col = BY_MODEL_COL
    ws.cell(DECLINE_ROW, col, "Measured decline by catalog model (read by the Calculator)").font = styles.BOLD
    styles.header_row(ws, DECLINE_ROW + 1, col, ("model", "decline / year", "how it was measured"))
    rows = [(m.id, *found) for m in ctx.catalog.models if (found := measured_decline(m.id)) is not None]
    for i, (model, decline, note) in enumerate(rows, start=DECLINE_ROW + 2):
        ws.cell(i, col, model)
        ws.cell(i, col + 1, decline).number_format = "0%"
        styles.note_cell(ws.cell(i, col + 2, note))
    last = DECLINE_ROW + 1 + max(len(rows), 1)
    first_row = DECLINE_ROW + 2
    for name, c in (("DeclineModels", col), ("DeclineValues", col + 1), ("DeclineNotes", col + 2)):
        letter = get_column_letter(c)
        ctx.wb.defined_names[name] = DefinedName(
            name, attr_text=f"'{SHEET}'!${letter}${first_row}:${letter}${last}"
        )


def write(ctx) -> None:
    ws = ctx.wb.create_sheet(SHEET)
    history = _history(ctx)
    end = ctx.catalog.as_of
    styles.title(
        ws,
        "Price history: list prices since 2023",
        f"LiteLLM's model registry as shipped in each monthly release on PyPI (tokencost's copy of"
        f" it where LiteLLM has no release), {history.start} to {end}, plus your refreshes."
        " FT_PRICE(model, field, date) answers for any date in it.",
    )
    models = chosen_models(ctx, history)
    _declines(ws, history, end)
    last = _grid(ws, history, models, end)
    points_col = 2 * len(models) + 3
    _points(ws, history, models, points_col)
    # the chart sits right of the change points (about 11 columns wide), clear of every table
    chart_col = points_col + len(POINT_WIDTHS) + 1
    if models:
        _chart(ws, models, last, f"{get_column_letter(chart_col)}2")
    # print what a reader looks at, not the look-up block the Calculator reads far to the right
    printed = get_column_letter(chart_col + CHART_COLUMNS)
    _declines_by_model(ctx, ws)
    styles.widths(ws, A=22, B=14)
    ws.freeze_panes = f"B{GRID_ROW + 1}"
    styles.print_setup(ws, f"A1:{printed}{ws.max_row}")
