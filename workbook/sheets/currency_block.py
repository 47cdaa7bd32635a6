"""The Calculator's reporting-currency block: code, rate, the rate's date and its source.

Typed by the user (yellow), never downloaded; named ReportCurrency, FxRate, FxDate, FxSource.
Every FT_ call that returns money passes FxRate (and ReportCurrency where notes carry amounts),
and the no-add-in Cash flow chain multiplies its money answers by FxRate
(pricing.model.currency). Number formats carry the code the file was built for
(`ft-breakeven build --currency`): a different code typed here is flagged beside it.
"""

from __future__ import annotations

from openpyxl.workbook.defined_name import DefinedName

from pricing.model.currency import DATE_ALLOWED, MAX_RATE, RATE_ALLOWED, Currency
from pricing.model.figures import money_format, money_unit
from workbook import styles, validations

NAMES = ("ReportCurrency", "FxRate", "FxDate", "FxSource")
ROWS = 2  # the block's height on the Calculator
FX = "FxRate"  # what FT_ formulas pass as their fx_rate
FX_CODE = "FxRate,ReportCurrency"  # ... and fx_rate, currency where notes carry amounts


def money_fmt(ctx, fmt: str) -> str:
    """A USD number format in the currency the file is built for."""
    return money_format(fmt, ctx.currency.code)


def unit(ctx, text: str) -> str:
    return money_unit(text, ctx.currency.code)


def caption_formula() -> str:
    """A live line for printed pages: the code, rate, date and source as the Calculator has them
    now (pricing.model.currency.Currency.caption says the same in the CLI)."""
    day = 'IF(FxDate="","rate date not given","rate of "&TEXT(FxDate,"yyyy-mm-dd"))'
    source = 'IF(FxSource="","source not given","source: "&FxSource)'
    return (
        f'="Money in "&ReportCurrency&" at 1 USD = "&FxRate&" "&ReportCurrency&" ("&{day}&"; "&{source}'
        '&"); inputs and catalog prices are USD"'
    )


def put_caption(ws, ref: str) -> None:
    """The live currency line at `ref` of a printed sheet."""
    ws[ref] = caption_formula()
    styles.note_cell(ws[ref])


def write(ctx, ws, row: int) -> None:
    """The block at `row` (two rows, columns A:F) of the Calculator `ws`."""
    cur: Currency = ctx.currency
    sheet = ws.title
    ws.cell(row, 1, "Reporting currency (ISO 4217 code) and its rate: units per 1 USD").font = styles.BOLD
    ws.cell(row + 1, 1, "The rate's date and source (typed: no rate is downloaded)")
    cells = {
        "ReportCurrency": (ws.cell(row, 3, cur.code), "@"),
        "FxRate": (ws.cell(row, 4, cur.rate), "0.0000##"),
        "FxDate": (ws.cell(row + 1, 3, cur.as_of), styles.FMT_DATE),
        "FxSource": (ws.cell(row + 1, 4, cur.source), "@"),
    }
    for name, (cell, fmt) in cells.items():
        styles.input_cell(cell, fmt)
        ctx.wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet}!${cell.column_letter}${cell.row}")
    ws.merge_cells(start_row=row + 1, start_column=4, end_row=row + 1, end_column=5)
    built = cur.code
    ws.cell(
        row,
        5,
        f'=IF(ReportCurrency="{built}","Money answers = USD x rate; inputs and Pricing stay USD",'
        f'"Formats show {built}: rebuild with --currency "&ReportCurrency)',
    )
    styles.note_cell(ws.cell(row, 5))
    rate = validations.between(
        "decimal", "0.000000001", str(MAX_RATE), error=f"FxRate: {RATE_ALLOWED}.", title="Rate per USD"
    )
    code = validations.rule(
        "textLength", "3", operator="equal", error="A three-letter ISO 4217 code, e.g. EUR.", title="Currency"
    )
    day = validations.rule(
        "date", "1", operator="greaterThan", error=f"FxDate: {DATE_ALLOWED}.", title="Date", allow_blank=True
    )
    for dv, name in ((rate, "FxRate"), (code, "ReportCurrency"), (day, "FxDate")):
        validations.attach(ws, dv, cells[name][0])
