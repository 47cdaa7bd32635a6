"""Pricing sheet: the catalog as an Excel table, one row per model, with the status of each rate.

The refresh button (xl_addin.scripts) rewrites the values under the header through xlwings with
the same PRICING_COLUMNS and pricing_rows(catalog); the layout constants below are its contract.
Above the header of catalog field names (what FT_PRICE and the INDEX/MATCH formulas name) a label
row says what each column is, with its unit (COLUMN_LABELS); it prints in landscape parts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo

from pricing.prices import crosscheck
from pricing.prices.catalog import (
    BILLING_FIELDS,
    DATE_FIELDS,
    FINE_TUNING_FIELDS,
    FT_INFERENCE_FIELDS,
    HOURS_PER_MONTH,
    INFERENCE_FIELDS,
    RATE_FIELDS,
    Catalog,
    ModelEntry,
)
from pricing.prices.verification import summary, vendor_checks
from workbook import styles
from workbook.sheets.changelog import show_refresh_status

SHEET = "Pricing"
TABLE = "PricingTable"
HEADER_ROW = 6
PRICES_AS_OF_CELL = "B2"  # defined name PricesAsOf; the refresh stamps the catalog date here
HOURS_CELL = "B3"  # defined name HoursPerMonth: the cloud-billing convention for hourly rates
SOURCE_NOTE_CELL = "A4"  # where the rates come from and what the colours mean
# The Refresh prices button covers this cell (runtimes/buttons.py draws it; xl_addin.scripts
# names it in `@script(button=...)`); the cell beside it shows the last refresh's result.
REFRESH_BUTTON = "RefreshPricesButton"  # the shape's name
REFRESH_BUTTON_CELL = "C2"
REFRESH_RESULT_CELL = "D2"
FIRST_ROW = HEADER_ROW + 1
MAX_ROWS = 400  # room for refreshed catalogs; look-ups and dropdowns span it
LAST_ROW = FIRST_ROW + MAX_ROWS - 1

GROUPS = (
    ("inference", INFERENCE_FIELDS),
    ("ft_inference", FT_INFERENCE_FIELDS),
    ("fine_tuning", FINE_TUNING_FIELDS),
)
STATUS_COLUMNS = tuple(f"{g}_status" for g, _ in GROUPS)

# GPU-hour serving (pricing/model/serving.py): the $/GPU-hour of the dedicated deployment a tuned
# model is served on, and its size; the Cash flow sheet sizes the GPUs from these.
SERVING_COLUMNS = ("serving_gpu_hourly", "params_b")

# The second price source (pricing/prices/crosscheck.py): per model, whether genai-prices' bundled
# rates agree, and each rate it disagrees with by more than 5%, with both values and both sources.
SECOND_SOURCE = "second_source_check"
DISAGREES = "DISAGREES"  # how the column's text starts when a rate is flagged

PRICING_COLUMNS: tuple[str, ...] = (
    "vendor",
    "id",
    "display_name",
    "fine_tunable",
    *RATE_FIELDS,
    *STATUS_COLUMNS,
    *DATE_FIELDS,
    "retired_date",
    "retired_reason",
    "inference_source",
    "inference_verified",
    "fine_tuning_source",
    "fine_tuning_verified",
    "notes",
    *SERVING_COLUMNS,
    SECOND_SOURCE,
    *BILLING_FIELDS,  # cache writes, long-context and service tiers, regional uplift
)

_TOK = "$/1M tokens"
# What a finance reader sees above each column: its label and unit (one declaration; the header
# row under it keeps the catalog field name, the name FT_PRICE(model, field) takes and the
# Calculator's and Checks' INDEX/MATCH formulas look up in PricingHeader).
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "vendor": ("Vendor", ""),
    "id": ("Model (catalog id)", ""),
    "display_name": ("Name", ""),
    "fine_tunable": ("Fine-tunable", ""),
    "input": ("Input", _TOK),
    "output": ("Output", _TOK),
    "cached_input": ("Cached input", _TOK),
    "batch_input": ("Batch input", _TOK),
    "batch_output": ("Batch output", _TOK),
    "ft_input": ("Fine-tuned input", _TOK),
    "ft_output": ("Fine-tuned output", _TOK),
    "ft_cached_input": ("Fine-tuned cached input", _TOK),
    "ft_batch_input": ("Fine-tuned batch input", _TOK),
    "ft_batch_output": ("Fine-tuned batch output", _TOK),
    "training_per_1m": ("Training", "$/1M training tokens"),
    "training_per_hour": ("Training by the hour", "$/hour"),
    "hosting_per_hour": ("Hosting by the hour", "$/hour"),
    "hosting_per_month": ("Hosting by the month", "$/month"),
    "storage_per_month": ("Storage", "$/month"),
    "min_job_charge": ("Minimum job charge", "$/job"),
    "inference_status": ("Status of the inference rates", ""),
    "ft_inference_status": ("Status of the fine-tuned rates", ""),
    "fine_tuning_status": ("Status of the training and hosting rates", ""),
    "jobs_available_until": ("New training jobs until", "date"),
    "shutdown_date": ("Shutdown", "date"),
    "deprecation_date": ("Deprecation announced", "date"),
    "retired_date": ("Retired", "date"),
    "retired_reason": ("Why retired", ""),
    "inference_source": ("Source of the inference rates", ""),
    "inference_verified": ("Inference rates checked", "date"),
    "fine_tuning_source": ("Source of the fine-tuning rates", ""),
    "fine_tuning_verified": ("Fine-tuning rates checked", "date"),
    "notes": ("Notes", ""),
    "serving_gpu_hourly": ("Serving GPU", "$/GPU-hour"),
    "params_b": ("Parameters", "billion"),
    SECOND_SOURCE: ("Second source check", ""),
    "cache_write_5m": ("Cache write, 5 minutes", _TOK),
    "cache_write_1h": ("Cache write, 1 hour", _TOK),
    "long_context_threshold": ("Long context above", "prompt tokens"),
    "long_input": ("Long-context input", _TOK),
    "long_output": ("Long-context output", _TOK),
    "long_cached_input": ("Long-context cached input", _TOK),
    "flex_input": ("Flex input", _TOK),
    "flex_output": ("Flex output", _TOK),
    "flex_cached_input": ("Flex cached input", _TOK),
    "priority_input": ("Priority input", _TOK),
    "priority_output": ("Priority output", _TOK),
    "priority_cached_input": ("Priority cached input", _TOK),
    "regional_uplift": ("Regional uplift", "x every rate"),
}


def column_label(col: str) -> str:
    """The label row's text: the label, its unit on a second line."""
    label, unit = COLUMN_LABELS[col]
    return f"{label}\n{unit}" if unit else label


# Header text of a column where it differs from its catalog field. The refresh button
# (xl_addin.scripts) finds the header row by its "model" cell and maps "model" to the id.
HEADER_TEXT = {"id": "model"}


def header_text(col: str) -> str:
    return HEADER_TEXT.get(col, col)


# Columns of prose (status, sources, notes, the second-source check): wrapped, rows grown to fit.
PROSE_COLUMNS = (
    *STATUS_COLUMNS,
    "retired_reason",
    "inference_source",
    "fine_tuning_source",
    "notes",
    SECOND_SOURCE,
)
LABEL_ROW = HEADER_ROW - 1  # the labels with their units, above the field names
FIELD_FONT = styles.font(color="595959", size=8)  # the field-name header row: small, for FT_PRICE
# The printed parts, each one landscape page wide beside the repeated vendor and model columns
# (124-179 units wide: 70-100% scale in LibreOffice): base-model prices; fine-tuned prices; statuses;
# dates; sources; notes and serving; the second source and cache writes; billing tiers.
PRINT_PARTS = (
    ("display_name", "batch_output"),
    ("ft_input", "min_job_charge"),
    ("inference_status", "ft_inference_status"),
    ("fine_tuning_status", "retired_date"),
    ("retired_reason", "inference_verified"),
    ("fine_tuning_source", "fine_tuning_verified"),
    ("notes", "params_b"),
    (SECOND_SOURCE, "cache_write_1h"),
    ("long_context_threshold", "regional_uplift"),
)
# Widths of the columns that are not 11 wide (a rate): prose wide enough that its longest text
# (824 characters of status) takes a handful of lines, not twenty.
WIDTHS = {
    "vendor": 16,
    "id": 23,
    "display_name": 35,
    "fine_tunable": 10,
    "inference_status": 45,
    "ft_inference_status": 95,
    "fine_tuning_status": 70,
    "retired_reason": 30,
    "inference_source": 55,
    "fine_tuning_source": 70,
    "notes": 100,
    SECOND_SOURCE: 90,
}
VENDOR_WIDTHS = (14, 9, 8, 10, 9, 11, 12, 60)


def _column_widths(ws) -> None:
    """Each column wide enough for its values and for its field name in the small header font."""
    for j, col in enumerate(PRICING_COLUMNS, start=1):
        width = WIDTHS.get(col, 11)
        need = len(header_text(col)) / 1.1 * FIELD_FONT.sz / 10 + 1
        ws.column_dimensions[get_column_letter(j)].width = max(width, round(need, 1))


def _header_rows(ws) -> None:
    """The label row (label and unit, wrapped to its column) over the table's header row of
    catalog field names, which the formulas and the refresh read."""
    lines = 1
    for j, col in enumerate(PRICING_COLUMNS, start=1):
        label = ws.cell(LABEL_ROW, j, column_label(col))
        styles.style(label, "header", wrap=True, align="center")
        label.font = styles.font(bold=True, color="FFFFFF", size=9)
        label.alignment = styles.Alignment(horizontal="center", vertical="center", wrap_text=True)
        width = ws.column_dimensions[get_column_letter(j)].width
        lines = max(lines, styles.wrapped_lines(label.value, width, 9, True, per_unit=1.0))
        field = ws.cell(HEADER_ROW, j, header_text(col))
        field.font = FIELD_FONT
        field.fill = styles.fill("F2F2F2")
    ws.row_dimensions[LABEL_ROW].height = lines * styles.LINE_POINTS * 0.9 + 4
    ws.row_dimensions[HEADER_ROW].height = 12


def _print_setup(ws, last_row: int) -> None:
    """Landscape, each part one page wide, the label and field rows on every page and the vendor
    and model columns beside every part. The vendor block (on screen) does not print: its rows
    are the models' rows, so the repeated model columns would stand beside vendors."""
    parts = []
    for i, (first, last) in enumerate(PRINT_PARTS):
        top = 1 if i == 0 else LABEL_ROW
        parts.append(f"${col_letter(first)}${top}:${col_letter(last)}${last_row}")
    styles.print_setup(ws, ",".join(parts), repeat_rows=f"{LABEL_ROW}:{HEADER_ROW}")
    ws.print_title_cols = "A:B"


def _status_text(entry: ModelEntry, fields: tuple[str, ...]) -> str:
    """'published', or the inferred/unverified fields with their rule; '' if the group is empty."""
    present = [f for f in fields if getattr(entry, f) is not None]
    if not present:
        return ""
    flagged = [(f, entry.field_status[f]) for f in present if f in entry.field_status]
    if not flagged:
        return "published"
    parts = []
    for f, note in flagged:
        parts.append(f"{note.status.upper()} {f}" + (f" ({note.rule})" if note.rule else ""))
    return "; ".join(parts)


def pricing_rows(catalog: Catalog) -> list[list[Any]]:
    """One row per model in PRICING_COLUMNS order (None for a missing rate or date)."""
    rows = []
    refs = crosscheck.references(catalog)
    for m in catalog.models:
        row: list[Any] = []
        for col in PRICING_COLUMNS:
            if col == SECOND_SOURCE:
                row.append(crosscheck.row_text(catalog, m, refs))
            elif col in STATUS_COLUMNS:
                fields = dict(GROUPS)[col.removesuffix("_status")]
                row.append(_status_text(m, fields))
            elif col == "fine_tunable":
                row.append(bool(m.fine_tunable))  # TRUE/FALSE, as the refresh writes it
            elif col == "serving_gpu_hourly":
                gpu = catalog.gpu(m.serving_gpu) if m.serving_gpu else None
                row.append(gpu.per_hour if gpu else None)
            else:
                row.append(getattr(m, col))
        rows.append(row)
    return rows


def col_letter(name: str) -> str:
    return get_column_letter(PRICING_COLUMNS.index(name) + 1)


RETIRED_FILL = "D9D9D9"
VENDOR_HEADERS = (  # none may equal a catalog header: the refresh maps columns by header text
    "vendor checked",
    "models offered",
    "retired",
    "unverified fields",
    "verified?",
    "fine-tuning",
    "last checked",
    "where",
)


def _vendor_block(ws, catalog: Catalog, col: int) -> None:
    """ "N of M vendors verified", as the seed page shows it: per vendor, the last date its rates
    were checked and where (pricing.prices.verification; as of the catalog the file was built from)."""
    checks = vendor_checks(catalog)
    top = HEADER_ROW - 2
    title = ws.cell(top, col, f"Vendors: {summary(checks)} (no unverified field on a model still offered)")
    title.font = styles.BOLD
    for j, width in enumerate(VENDOR_WIDTHS):
        ws.column_dimensions[get_column_letter(col + j)].width = width
    for j, text in enumerate(VENDOR_HEADERS):  # on the label row: the field-name row is the table's
        styles.style(ws.cell(LABEL_ROW, col + j, text), "header", wrap=True, align="center")
    for i, c in enumerate(checks, start=1):
        values = (
            c.vendor,
            c.models,
            c.retired,
            c.unverified,
            "yes" if c.verified else "no",
            c.fine_tuning_state,
            c.checked,
            c.checked_source,
        )
        for j, v in enumerate(values):
            cell = ws.cell(HEADER_ROW + i, col + j, v)
            styles.note_cell(cell)
            if isinstance(v, date):
                cell.number_format = styles.FMT_DATE


def _second_source_marks(ws) -> None:
    """A rate genai-prices disagrees with, and the check's cell, in red (the text says why)."""
    check = col_letter(SECOND_SOURCE)
    flag = dict(fill=styles.fill(DISAGREE_FILL), font=styles.Font(bold=True, color="9C0006"))
    for f in crosscheck.FIELDS:
        col = col_letter(f)
        formula = f'ISNUMBER(SEARCH("| {f}: ",${check}{FIRST_ROW}))'
        ws.conditional_formatting.add(
            f"{col}{FIRST_ROW}:{col}{LAST_ROW}", FormulaRule(formula=[formula], **flag)
        )
    ws.conditional_formatting.add(
        f"{check}{FIRST_ROW}:{check}{LAST_ROW}",
        FormulaRule(formula=[f'LEFT(${check}{FIRST_ROW},{len(DISAGREES)})="{DISAGREES}"'], **flag),
    )


DISAGREE_FILL = "FFC7CE"


# the status words that mark a rate, with its fill and (italic) font colour
STATUS_MARKS = (
    ("INFERRED", styles.INFERRED_FILL, "C65911"),
    ("UNVERIFIED", styles.UNVERIFIED_FILL, "7F7F7F"),
)


def write(ctx) -> None:
    ws = ctx.wb.create_sheet(SHEET)
    cat: Catalog = ctx.catalog
    styles.title(ws, "Price catalog (USD)", "")
    ws.merge_cells("A1:B1")  # the title prints in the repeated columns, beside every part
    ws["A2"] = "Prices as of"
    ws["A2"].font = styles.BOLD
    ws[PRICES_AS_OF_CELL] = cat.as_of
    styles.input_cell(ws[PRICES_AS_OF_CELL], styles.FMT_DATE)
    refresh = (
        "Use `ft-breakeven refresh`, then rebuild, to update this copy."
        if ctx.static
        else f"The Refresh prices button ({REFRESH_BUTTON_CELL}, and on the Calculator) rewrites "
        "this table and the date; the cell beside it shows the last result."
    )
    ws[SOURCE_NOTE_CELL] = (
        "One row per model. "
        f"Inference rates: {cat.source}. "
        f"Fine-tuning rates curated {cat.fine_tuning_as_of or 'n/a'}. "
        "Each column's label and unit sit above its catalog field name, the name FT_PRICE takes. "
        "Orange rate = inferred, grey = unverified (the status columns give the rule); red = "
        f"{crosscheck.source_label()} ({crosscheck.DATA_SOURCE}) disagrees by more than "
        f"{crosscheck.TOLERANCE:.0%} ({COLUMN_LABELS[SECOND_SOURCE][0]} column). " + refresh
    )
    styles.note_cell(ws[SOURCE_NOTE_CELL])
    if not ctx.static:
        show_refresh_status(ws, REFRESH_RESULT_CELL)
    ctx.wb.defined_names["PricesAsOf"] = DefinedName("PricesAsOf", attr_text=f"{SHEET}!$B$2")
    ws["A3"] = "Hours per month"
    ws["A3"].font = styles.BOLD
    ws[HOURS_CELL] = HOURS_PER_MONTH
    styles.input_cell(ws[HOURS_CELL], styles.FMT_INT)
    ws["C3"] = "hours billed per month for hourly rates (8,760 h / 12, the cloud-billing convention)"
    styles.note_cell(ws["C3"])
    ctx.wb.defined_names["HoursPerMonth"] = DefinedName(
        "HoursPerMonth", attr_text=f"{SHEET}!${HOURS_CELL[0]}${HOURS_CELL[1:]}"
    )
    last_col = get_column_letter(len(PRICING_COLUMNS))
    _column_widths(ws)
    _header_rows(ws)
    note_row = int(SOURCE_NOTE_CELL[1:])
    styles.wrap_across(ws, note_row, "A", col_letter(PRINT_PARTS[0][1]))  # the source note, in part one
    rows = pricing_rows(cat)
    for i, row in enumerate(rows):
        r = FIRST_ROW + i
        for j, (col, value) in enumerate(zip(PRICING_COLUMNS, row, strict=True), start=1):
            c = ws.cell(r, j, value)
            if col in RATE_FIELDS:
                c.number_format = styles.FMT_RATE
                styles.input_cell(c, styles.FMT_RATE)  # catalog data: the refresh (or you) may retype it
            elif col in DATE_FIELDS or col.endswith("_verified") or col == "retired_date":
                c.number_format = styles.FMT_DATE
                styles.input_cell(c, styles.FMT_DATE)
            elif col in PROSE_COLUMNS:
                styles.note_cell(c)
                if value:
                    styles.wrap_in(ws, c, styles.span_width(ws, c.column_letter, c.column_letter))
            elif col == "fine_tunable":
                styles.input_cell(c, '"yes";"yes";"no"')  # Excel shows TRUE/FALSE, LibreOffice yes/no
            else:
                styles.input_cell(c)
            c.alignment = styles.Alignment(
                horizontal=c.alignment.horizontal, vertical="top", wrap_text=c.alignment.wrap_text
            )  # a row grown for its prose reads from its top line
    end = FIRST_ROW + max(len(rows), 1) - 1
    table = Table(displayName=TABLE, ref=f"A{HEADER_ROW}:{last_col}{end}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)

    # inferred / unverified rates visibly marked (the status text names the field and the rule)
    for group, fields in GROUPS:
        status_col = col_letter(f"{group}_status")
        for f in fields:
            col = col_letter(f)
            for mark, fill, color in STATUS_MARKS:
                ws.conditional_formatting.add(
                    f"{col}{FIRST_ROW}:{col}{LAST_ROW}",
                    FormulaRule(
                        formula=[f'ISNUMBER(SEARCH("{mark} {f}",${status_col}{FIRST_ROW}))'],
                        fill=styles.fill(fill),
                        font=styles.Font(italic=True, color=color),
                    ),
                )

    _second_source_marks(ws)

    # a retired model (it can no longer be tuned or served) is greyed across the row, with its reason
    retired = col_letter("retired_date")
    ws.conditional_formatting.add(
        f"A{FIRST_ROW}:{last_col}{LAST_ROW}",
        FormulaRule(
            formula=[f"AND(ISNUMBER(${retired}{FIRST_ROW}),${retired}{FIRST_ROW}<=PricesAsOf)"],
            fill=styles.fill(RETIRED_FILL),
            font=styles.Font(strike=True, color="808080"),
            stopIfTrue=True,
        ),
    )
    _vendor_block(ws, cat, len(PRICING_COLUMNS) + 2)

    _print_setup(ws, end)

    names = {
        "PricingIds": f"${col_letter('id')}${FIRST_ROW}:${col_letter('id')}${LAST_ROW}",
        "PricingHeader": f"$A${HEADER_ROW}:${last_col}${HEADER_ROW}",
        "PricingData": f"$A${FIRST_ROW}:${last_col}${LAST_ROW}",
    }
    for name, ref in names.items():
        ctx.wb.defined_names[name] = DefinedName(name, attr_text=f"{SHEET}!{ref}")
