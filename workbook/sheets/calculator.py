"""Calculator sheet: pick a scenario, see its inputs (overridable), the answer, the payback chart.

Column B holds the cost model's input names and column C their values: B:C of the input block is
the labelled block every FT_ function reads (section rows are blank in B:C and are ignored).
Values are formulas: the selected row of the Scenarios table, rates from the Pricing sheet, and
the constraint switches; typing over a value overrides it.
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from pricing.model import constraints
from pricing.model.figures import NEVER, PAYBACKS, figure, labels
from pricing.model.finance import IRR_ABOVE_TEXT, IRR_SHOWN_MAX
from pricing.model.scenario import Scenario
from pricing.prices.catalog import HOURS_PER_MONTH, Catalog
from workbook import fields, styles, validations
from workbook.sheets import cashflow, currency_block, serving_modes_block, stamps
from workbook.sheets.changelog import show_refresh_status
from workbook.switch_formulas import notes_formula, ruled_formula

SHEET = "Calculator"
ADDIN_MISSING = "Add-in not loaded: see About, step 2"
SELECT_ROW = 4
BLOCK_TITLE_ROW = 24  # room for one more constraint switch or assumption above the block
BLOCK_FIRST_ROW = BLOCK_TITLE_ROW + 1
SCHEDULE_COL = "L"
SCHEDULE_LAST_COL = "P"
SCHEDULE_HEADER_ROW = 5
SCHEDULE_MONTHS = 36
MAX_SCHEDULE_MONTHS = 120  # the longest schedule the Calculator lays out (styles, chart)
MONTH_LABEL_STEP = 6  # the chart labels every 6th month: 21 labels at most, none overlapping
SCHEDULE_OUT = ("month", "frontier_cost", "ft_cost", "net_cash_flow", "cumulative_net")
# The Refresh prices button sits beside "Prices as of" (runtimes/buttons.py draws it over this
# cell; xl_addin.scripts names it in `@script(button=...)`), its last result in the next cell.
REFRESH_BUTTON = "RefreshPricesButton"  # the shape's name
REFRESH_BUTTON_CELL = f"D{SELECT_ROW + 2}"
REFRESH_RESULT_CELL = f"E{SELECT_ROW + 2}"

# Number formats of the constraint switches' assumptions (the switches, their rules and the
# assumptions themselves: pricing.model.constraints)
ASSUMPTION_FORMATS = {
    "SelfHostedGpuHour": "0.00",
    "EvalHarnessCost": styles.FMT_USD,
    "MLOpsFte": "0.0#",
    "LatencyBudgetMs": styles.FMT_INT,
}

# An IRR above 1,000% a year says only that the upfront cost is tiny: shown as ">1,000%"
# (the negative section carries its own sign: with a condition in the first section, a plain
# second section would show -30% as 30% in LibreOffice)
FMT_IRR = f'[>{IRR_SHOWN_MAX:g}]"{IRR_ABOVE_TEXT}";[<0]-{styles.FMT_PCT};{styles.FMT_PCT}'
# The answer's rows in order: a figure's name (label, unit and format from pricing.model.figures)
# or a row the Calculator derives itself ("=..."), whose texts are below.
OUTPUT_KEYS: tuple[str, ...] = (
    "frontier_cost_per_query",
    "ft_cost_per_query",
    "=day:frontier_cost_month",
    "=day:ft_cost_month",
    "frontier_cost_month",
    "ft_cost_month",
    "=year:frontier_cost_month",
    "=year:ft_cost_month",
    "inference_savings_month",
    "quality_value_month",
    "fixed_cost_month",
    "net_benefit_month",
    "training_cost",
    "upfront_cost",
    "payback_months",
    "payback_date",
    "discounted_payback_months",
    "breakeven_queries_per_day",
    "lifetime_months",
    "lifetime_net",
    "roi",
    "npv",
    "irr_annual",
    "verdict",
    "verdict_with_mlops",
    "mode",
    "baseline_verdict",
    "savings_vs_baseline_month",
    "breakeven_accuracy_lift",
    "=risk:npv:1",
    "=risk:npv:3",
    "=risk:probability_pays_back_within_lifetime:1",
    "=risk:probability_npv_positive:1",
    "notes",
    "=constraints",
)
# (label, unit, format) of the rows the Calculator derives from the figures
DERIVED: dict[str, tuple[str, str, str]] = {
    "=day:frontier_cost_month": ("Frontier cost per day (month 1)", "USD/day", styles.FMT_USD),
    "=day:ft_cost_month": ("Cost with fine-tuning per day (month 1)", "USD/day", styles.FMT_USD),
    "=year:frontier_cost_month": ("Frontier cost per year (month 1 x 12)", "USD/year", styles.FMT_USD),
    "=year:ft_cost_month": ("Cost with fine-tuning per year (month 1 x 12)", "USD/year", styles.FMT_USD),
    "=risk:npv:1": ("NPV if it goes badly (P10, Risk sheet)", "USD", styles.FMT_USD),
    "=risk:npv:3": ("NPV if it goes well (P90, Risk sheet)", "USD", styles.FMT_USD),
    "=constraints": ("Notes from the constraints", "", styles.FMT_TEXT),
}
# where the Calculator shows a figure in its own format: an IRR above 1,000% as a text
FORMATS = {"irr_annual": FMT_IRR}


def _output_row(key: str) -> tuple[str, str, str, str]:
    if key in DERIVED:
        return (key, *DERIVED[key])
    shown = figure(key.split(":")[1] if key.startswith("=risk:") else key)
    suffix = " (Risk sheet)" if key.startswith("=risk:") else ""
    return key, shown.label + suffix, shown.unit, FORMATS.get(shown.name, shown.number_format)


# (key, label, unit, format) of each row of the answer
OUTPUTS: tuple[tuple[str, str, str, str], ...] = tuple(_output_row(k) for k in OUTPUT_KEYS)
OUT_FIRST_ROW = 5
# answers that carry a workbook-level name equal to their pricing.model.breakeven.Result field
OUTPUTS_BY_NAME = tuple(k for k, *_ in OUTPUTS if not k.startswith("=") and k != "notes")


def never_shown(call: str) -> str:
    """A payback's FT_ call shown as "never" where the add-in answers #NUM! (it never pays back;
    classic xlwings returns the text "#NUM!"). Any other error, #NAME? when the add-in is not
    loaded above all, still shows as itself: never a "never" that is really a missing add-in."""
    is_num = f"ERROR.TYPE({call})=ERROR.TYPE(#NUM!)"
    return f'IFERROR(IF({is_num},"{NEVER}",{call}),IF({call}="#NUM!","{NEVER}",{call}))'


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


SWITCH_HEADER_ROW = SELECT_ROW + 5


def switch_rows() -> dict[str, int]:
    """Row of each Yes/No constraint switch (named after the switch)."""
    return {sw.name: SWITCH_HEADER_ROW + 1 + i for i, sw in enumerate(constraints.SWITCHES)}


def block_rows() -> list[tuple[str | None, str]]:
    """(field or None for a section row, text) in sheet order, starting at BLOCK_FIRST_ROW."""
    rows: list[tuple[str | None, str]] = []
    for title, fs in fields.SECTIONS:
        rows.append((None, title))
        rows.extend((f, fields.label(f)) for f in fs)
    return rows


def field_rows() -> dict[str, int]:
    return {f: BLOCK_FIRST_ROW + i for i, (f, _) in enumerate(block_rows()) if f is not None}


def block_ref() -> str:
    return f"$B${BLOCK_FIRST_ROW}:$C${BLOCK_FIRST_ROW + len(block_rows()) - 1}"


NOTE_ROWS = 9  # the two notes outputs are text boxes of merged cells this many rows high


def risk_cell(key: str) -> str:
    """'=risk:<figure row>:<column>' -> the Risk sheet cell holding it (FT_RISK's table)."""
    from pricing.model.risk_tables import RISK_FIGURES
    from workbook.sheets import risk  # the Risk sheet's layout; it does not import this module

    _, figure, column = key.split(":")
    row = risk.RISK_TOP + RISK_FIGURES.index(figure) + 1
    return f"{risk.SHEET}!{get_column_letter(risk.FIRST_COL + int(column))}{row}"


def output_rows() -> dict[str, int]:
    rows, r = {}, OUT_FIRST_ROW
    for key, *_rest in OUTPUTS:
        rows[key] = r
        r += NOTE_ROWS if key in ("notes", "=constraints") else 1
    return rows


# --- formulas -----------------------------------------------------------------------------


def _scen(row: int) -> str:
    return f"INDEX(ScenarioData,ScenarioRow,MATCH($B{row},ScenarioFields,0))"


def _price(field: str, model_cell: str) -> str:
    return f'INDEX(PricingData,MATCH({model_cell},PricingIds,0),MATCH("{field}",PricingHeader,0))'


def _rate_chain(fields_: list[str], model_cell: str) -> str:
    """First non-blank of the Pricing fields, else blank."""
    last = fields_[-1]
    expr = f'IF({_price(last, model_cell)}="","",{_price(last, model_cell)})'
    for f in reversed(fields_[:-1]):
        expr = f'IF({_price(f, model_cell)}<>"",{_price(f, model_cell)},{expr})'
    return expr


RATE_SOURCES = {
    "frontier_input_price": ("frontier_model", ["input"]),
    "frontier_output_price": ("frontier_model", ["output"]),
    "frontier_cached_price": ("frontier_model", ["cached_input"]),
    "ft_input_price": ("ft_model", ["ft_input", "input"]),
    "ft_output_price": ("ft_model", ["ft_output", "output"]),
    "ft_cached_price": ("ft_model", ["ft_cached_input", "cached_input"]),
    "training_per_1m": ("ft_model", ["training_per_1m"]),
    "storage_per_month": ("ft_model", ["storage_per_month"]),
}


def value_formula(field: str, row: int, rows: dict[str, int]) -> str:
    """An input cell's formula: its own value with the constraint switches' rules around it."""
    return "=" + ruled_formula(field, _own_formula(field, row, rows))


def _own_formula(field: str, row: int, rows: dict[str, int]) -> str:
    """An input's value before the switches: the scenario's, else the Pricing sheet's rate."""
    s = _scen(row)
    if field in RATE_SOURCES:
        model, chain = RATE_SOURCES[field]
        return f'IF({s}<>"",{s},{_rate_chain(chain, f"$C${rows[model]}")})'
    if field == "hosting_per_month":
        m = f"$C${rows['ft_model']}"
        hourly = _price("hosting_per_hour", m)
        monthly = _price("hosting_per_month", m)
        catalog = f'IF({monthly}<>"",{monthly},IF({hourly}="","",{hourly}*HoursPerMonth))'
        return f'IF({s}<>"",{s},{catalog})'
    return f'IF({s}="","",{s})'


def python_inputs(
    scenario: Scenario,
    catalog: Catalog,
    switches: dict[str, str] | None = None,
    assumptions: dict[str, float] | None = None,
) -> dict[str, Any]:
    """What the input block's formulas yield for one scenario row (the static copy's inputs)."""
    values = {k: v for k, v in scenario.model_dump().items() if v is not None and v != ""}
    out = dict(values)

    def price(model: str, names: list[str]) -> Any:
        try:
            entry = catalog.get(model)
        except Exception:
            return None
        for n in names:
            v = getattr(entry, n, None)
            if v is not None:
                return v
        return None

    for f, (model_field, chain) in RATE_SOURCES.items():
        v = values.get(f)
        if v is None:
            v = price(values.get(model_field, ""), chain)
        out[f] = v
    hosting = values.get("hosting_per_month")
    if hosting is None:
        hosting = price(values.get("ft_model", ""), ["hosting_per_month"])
        if hosting is None:
            hourly = price(values.get("ft_model", ""), ["hosting_per_hour"])
            hosting = None if hourly is None else hourly * HOURS_PER_MONTH
    out["hosting_per_month"] = hosting
    out = constraints.ruled_inputs(out, switches, assumptions)
    return {k: v for k, v in out.items() if v is not None}


# --- the sheet ------------------------------------------------------------------------------


def _measured_decline_note(model_cell: str, default: str) -> str:
    """Beside the assumed frontier price decline: the one measured for the frontier model's family
    (Price history sheet), following the model picked."""
    found = f"INDEX(DeclineValues,MATCH({model_cell},DeclineModels,0))"
    return (
        f'=IFERROR("Scenarios; default {default}. Measured for this model\'s family: "'
        f'&TEXT({found},"0%")&" a year (Price history sheet)",'
        f'"Scenarios; default {default}. No measured history for this model\'s family")'
    )


def _chart_over_months(ws, chart, top: int, months_cell: str) -> None:
    """Point the schedule chart at names covering month 0 to the months shown."""
    for chart_name, col in (("ScheduleMonths", SCHEDULE_COL), ("ScheduleCumulative", SCHEDULE_LAST_COL)):
        first, last = f"${col}${top + 1}", f"${col}${top + 1 + MAX_SCHEDULE_MONTHS}"
        rows = f"MIN({months_cell},{MAX_SCHEDULE_MONTHS})+1"
        ws.defined_names[chart_name] = DefinedName(
            chart_name, attr_text=f"{SHEET}!{first}:INDEX({SHEET}!{first}:{last},{rows})"
        )
    chart.series[0].xVal.numRef.f = f"{SHEET}!ScheduleMonths"
    chart.series[0].yVal.numRef.f = f"{SHEET}!ScheduleCumulative"


def write(ctx) -> None:
    ws = ctx.wb.create_sheet(SHEET)
    styles.title(
        ws,
        "Calculator: will fine-tuning this model save money, and when does it pay back?",
        "Pick a scenario; yellow cells are inputs (type over any of them); green cells are the "
        + (
            "answer, computed live by native formulas on the Cash flow sheet (no add-in needed); "
            "the Risk figures and the engine's notes were computed when the file was built and say "
            "when they are stale. "
            if ctx.static
            else "answer from the FT_ functions (the Cash flow sheet recomputes them natively, the "
            "Audit sheet checks they agree). "
        )
        + f"Units: answers in {ctx.currency.code} (the rate below), inputs and token rates in USD "
        "(per 1M tokens), time in months.",
    )
    rows = field_rows()
    dn = ctx.wb.defined_names

    def name(n: str, ref: str) -> None:
        dn[n] = DefinedName(n, attr_text=f"{SHEET}!{ref}")

    # before the add-in has loaded, say so instead of showing errors or failing checks
    banner = ws.cell(3, 1, f'=IF(AddinReady,"","{ADDIN_MISSING}")')
    banner.font = styles.Font(name=styles.FONT_NAME, bold=True, color=styles.BAD_TEXT, size=12)
    ws.merge_cells("A3:H3")

    # scenario selector
    r = SELECT_ROW
    ws.cell(r, 1, "Scenario (pick a row of the Scenarios sheet)").font = styles.BOLD
    sel = ws.cell(r, 3, ctx.selected.name)
    styles.input_cell(sel)
    ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=5)
    name("SelectedScenario", f"$C${r}")
    dv = validations.rule(
        "list",
        "ScenarioNames",
        error="Pick a scenario name from the Scenarios sheet.",
        title="Unknown scenario",
    )
    ws.add_data_validation(dv)
    dv.add(sel)
    ws.cell(r + 1, 1, "Row of that scenario in the Scenarios table")
    c = ws.cell(r + 1, 3, "=MATCH(SelectedScenario,ScenarioNames,0)")
    styles.calc_cell(c, "0")
    name("ScenarioRow", f"$C${r + 1}")
    ws.cell(r + 2, 1, "Prices as of (Pricing sheet)")
    styles.link_cell(ws.cell(r + 2, 3, "=PricesAsOf"), styles.FMT_DATE)
    if not ctx.static:
        show_refresh_status(ws, REFRESH_RESULT_CELL)
    ws.cell(r + 3, 1, "Master check (Checks sheet)").font = styles.BOLD
    c = ws.cell(r + 3, 3, "=MasterCheck")
    styles.link_cell(c)
    ws.merge_cells(start_row=r + 3, start_column=3, end_row=r + 3, end_column=5)
    styles.pass_fail_rules(ws, f"C{r + 3}", f"$C${r + 3}")

    # constraints
    r = SWITCH_HEADER_ROW
    for col, text in (
        (1, "Constraints from the seed page"),
        (3, "Yes / No"),
        (4, "What it changes"),
    ):
        styles.header_cell(ws.cell(r, col, text))
    styles.header_cell(ws.cell(r, 2))
    styles.header_cell(ws.cell(r, 5))
    yn = validations.choice(("Yes", "No"), error="Type Yes or No (or pick one).", title="Yes or No")
    ws.add_data_validation(yn)
    for n, label, default, effect in constraints.SWITCHES:
        rr = switch_rows()[n]
        ws.cell(rr, 1, label)
        c = ws.cell(rr, 3, default)
        styles.input_cell(c)
        c.alignment = styles.Alignment(horizontal="center")
        yn.add(c)
        ws.cell(rr, 4, effect)
        styles.note_cell(ws.cell(rr, 4))
        name(n, f"$C${rr}")
    r = r + 1 + len(constraints.SWITCHES)
    for i, (n, label, value, unit) in enumerate(constraints.ASSUMPTIONS):
        rr = r + i
        ws.cell(rr, 1, label)
        styles.input_cell(ws.cell(rr, 3, value), ASSUMPTION_FORMATS.get(n, styles.FMT_NUM))
        ws.cell(rr, 4, unit)
        styles.note_cell(ws.cell(rr, 4))
        name(n, f"$C${rr}")
    currency_block.write(ctx, ws, r + len(constraints.ASSUMPTIONS))
    assert r + len(constraints.ASSUMPTIONS) + currency_block.ROWS <= BLOCK_TITLE_ROW

    # input block
    r = BLOCK_TITLE_ROW
    for col, text in enumerate(
        ("Inputs", "input name (read by FT_)", "value", "unit", "default / source", "typed over?"), 1
    ):
        styles.header_cell(ws.cell(r, col, text))
    for i, (f, text) in enumerate(block_rows()):
        rr = BLOCK_FIRST_ROW + i
        if f is None:
            c = ws.cell(rr, 1, text)
            for col in range(1, 7):
                styles.section_cell(ws.cell(rr, col))
            continue
        ws.cell(rr, 1, text)
        styles.note_cell(ws.cell(rr, 2, f))
        ws.cell(rr, 2).font = styles.CODE
        c = ws.cell(rr, 3, value_formula(f, rr, rows))
        styles.input_cell(c, fields.number_format(f))
        ws.cell(rr, 4, fields.unit(f))
        styles.note_cell(ws.cell(rr, 4))
        if f in RATE_SOURCES:
            model, chain = RATE_SOURCES[f]
            src = f"Pricing ({model}): {' else '.join(chain)}"
            if f.startswith("ft_"):
                src += "; 0 if self-hosted"
        elif f == "hosting_per_month":
            src = "Pricing: monthly, or hourly x HoursPerMonth; blank when served per GPU-hour"
        elif constraints.rules_for(f):
            src = f"Scenarios, or the constraint switch; default {fields.default_text(f)}"
        elif f == "frontier_price_decline_annual":
            src = _measured_decline_note(f"$C${rows['frontier_model']}", fields.default_text(f))
        else:
            src = f"Scenarios; default {fields.default_text(f)}"
        styles.note_cell(ws.cell(rr, 5, src))
        # typed over its look-up formula: say so, so an override is never forgotten
        flag = ws.cell(rr, 6, f'=IF(_xlfn.ISFORMULA(C{rr}),"","overridden")')
        flag.font = styles.Font(name=styles.FONT_NAME, bold=True, color=styles.WARN_TEXT, size=9)
        rule = validations.for_input(f, text) if f not in ("frontier_model", "ft_model") else None
        if rule is not None:
            ws.add_data_validation(rule)
            rule.add(c)
    last_block = BLOCK_FIRST_ROW + len(block_rows()) - 1
    name("InputBlock", block_ref())
    models = validations.rule(
        "list",
        "PricingIds",
        allow_blank=True,
        error="Pick a model id from the Pricing sheet (its first column).",
        title="Unknown model id",
    )
    ws.add_data_validation(models)
    models.add(f"C{rows['frontier_model']}")
    models.add(f"C{rows['ft_model']}")

    # outputs
    result = ctx.selected_result
    for col, text in ((7, "Answer"), (8, "value"), (9, "unit")):
        styles.header_cell(ws.cell(OUT_FIRST_ROW - 1, col, text))
    out_rows = output_rows()
    for key, label, unit, fmt in OUTPUTS:
        rr = out_rows[key]
        fmt, unit = currency_block.money_fmt(ctx, fmt), currency_block.unit(ctx, unit)
        ws.cell(rr, 7, label)
        c = ws.cell(rr, 8)
        if key.startswith(("=year:", "=day:")):
            month = f"H{out_rows[key.split(':')[1]]}"
            days = f"$C${rows['days_per_month']}"
            c.value = f"={month}*12" if key.startswith("=year:") else f"={month}/{days}"
            styles.output_cell(c, fmt)
            c.font = styles.Font(name=styles.FONT_NAME, bold=False)
        elif key.startswith("=risk:"):  # the Risk sheet's Monte Carlo, shown beside the answer
            c.value = "=" + (stamps.stamped_figure(risk_cell(key)) if ctx.static else risk_cell(key))
            styles.link_cell(c, fmt)
        elif key == "=constraints":
            c.value = "=" + notes_formula()
            styles.output_cell(c, fmt)
            c.font = styles.NOTE
        else:
            if ctx.static and key in ctx.native_answers:  # no add-in: the native Cash flow chain
                formula = None
                c.value = "=" + cashflow.answer_ref(ctx, key)
            elif ctx.static and key == "notes":  # Python-only: stamped, says when it is stale
                formula = None
                c.value = "=" + stamps.stamped_text("PythonNotes")
            elif key == "verdict":
                formula = "=FT_VERDICT(InputBlock)"
            elif key == "npv":
                formula = f"=FT_NPV(InputBlock,{currency_block.FX})"
            else:
                formula = f'=FT_SCENARIO(InputBlock,"{key}",{currency_block.FX_CODE})'
            v = "; ".join(result.notes) if key == "notes" else getattr(result, key)
            if formula is not None and key in PAYBACKS:  # shown as "never", not #NUM!
                formula, v = "=" + never_shown(formula[1:]), NEVER if _missing(v) else v
            if formula is not None:
                c = ctx.ft(ws, c.coordinate, formula[1:], v)
            styles.output_cell(c, fmt)
            if key == "verdict":
                c.font = styles.Font(name=styles.FONT_NAME, bold=True, size=13, color=styles.HEADER_FILL)
            if key in ("notes", "=constraints"):
                c.font = styles.NOTE
        if key in ("notes", "=constraints"):
            c.alignment = styles.Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(start_row=rr, start_column=8, end_row=rr + NOTE_ROWS - 1, end_column=10)
            ws.cell(rr, 7).alignment = styles.Alignment(vertical="top")
        else:
            ws.cell(rr, 9, unit)
            styles.note_cell(ws.cell(rr, 9))
    # each answer under its Result field's name, in every runtime's file (links, reviews, tests)
    for key in OUTPUTS_BY_NAME:
        if key in out_rows:
            name(cashflow.defined_name(key), f"$H${out_rows[key]}")

    # schedule: FT_SCHEDULE spills one row per month, as many as asked for
    top = SCHEDULE_HEADER_ROW
    bottom = top + SCHEDULE_MONTHS + 1
    ws[f"{SCHEDULE_COL}{top - 2}"] = (
        "Month-by-month cash flow (from the Cash flow sheet; month 0 = upfront; to the horizon), "
        if ctx.static
        else "Month-by-month cash flow (FT_SCHEDULE; month 0 = upfront), "
    ) + ctx.currency.code
    ws[f"{SCHEDULE_COL}{top - 2}"].font = styles.BOLD
    ws[f"{SCHEDULE_COL}{top - 1}"] = "months shown"
    styles.note_cell(ws[f"{SCHEDULE_COL}{top - 1}"])
    months_cell = f"N{top - 1}"
    months_cell_abs = f"{SHEET}!$N${top - 1}"
    ws[months_cell] = SCHEDULE_MONTHS
    styles.input_cell(ws[months_cell], "0")
    room = validations.rule(
        "whole",
        "1",
        formula2=str(MAX_SCHEDULE_MONTHS),
        operator="between",
        error=f"Months shown: a whole number from 1 to {MAX_SCHEDULE_MONTHS}.",
        title="Months shown",
    )
    ws.add_data_validation(room)
    room.add(ws[months_cell])
    ws[f"O{top - 1}"] = f"(1 to {MAX_SCHEDULE_MONTHS}; the table grows or shrinks to fit)"
    styles.note_cell(ws[f"O{top - 1}"])
    sched = ctx.selected_schedule
    table = [labels(SCHEDULE_OUT)] + [[row[h] for h in SCHEDULE_OUT] for row in sched[: SCHEDULE_MONTHS + 1]]
    ctx.ft_spill(
        ws, f"{SCHEDULE_COL}{top}", f"FT_SCHEDULE(InputBlock,{months_cell},{currency_block.FX})", table
    )
    if ctx.static:  # no add-in: the months shown, read live from the Cash flow sheet
        for i in range(MAX_SCHEDULE_MONTHS + 1):
            for j, column in enumerate(SCHEDULE_OUT):
                ref = cashflow.table_ref(column, i)
                if j:  # money columns: USD x the rate (past the horizon the chain's cell is blank)
                    ref = f"IF(ISNUMBER({ref}),{ref}*{currency_block.FX},{ref})"
                month = cashflow.table_ref("month", i)
                ws.cell(top + 1 + i, 12 + j).value = f'=IF({month}>{months_cell},"",{ref})'
    for j in range(5):
        styles.header_cell(ws.cell(top, 12 + j))
        for i in range(MAX_SCHEDULE_MONTHS + 1):
            styles.calc_cell(
                ws.cell(top + 1 + i, 12 + j), "0" if j == 0 else currency_block.money_fmt(ctx, styles.FMT_USD)
            )

    # A scatter chart: its month axis is a number axis labelled every MONTH_LABEL_STEP months, which
    # Excel and LibreOffice both honour (a line chart's category labels overlapped in LibreOffice,
    # which ignores tickLblSkip)
    chart = ScatterChart(scatterStyle="line")
    chart.title = f"Cumulative net cash flow of fine-tuning ({ctx.currency.code})"
    chart.y_axis.title = f"{ctx.currency.code} (cumulative)"
    chart.x_axis.title = "month"
    chart.y_axis.number_format = '"$"#,##0'
    chart.x_axis.number_format = "0"
    chart.y_axis.majorGridlines = chart.y_axis.majorGridlines
    chart.x_axis.majorGridlines = None
    chart.x_axis.scaling.min = 0
    chart.x_axis.majorUnit = MONTH_LABEL_STEP
    months = Reference(ws, min_col=12, min_row=top + 1, max_row=bottom)
    cumulative = Reference(ws, min_col=16, min_row=top + 1, max_row=bottom)
    title = f"Cumulative net cash flow ({ctx.currency.code}): crosses 0 at payback"
    series = Series(cumulative, months, title=title)
    series.marker.symbol = "none"
    chart.series.append(series)
    # Plot the months shown, however many: in the add-in files the series are sheet-level names
    # sized by the months cell (Excel's dynamic-chart idiom). LibreOffice draws no series over a
    # name, so the file without add-in keeps the fixed range of the months it was built with.
    if not ctx.static:
        _chart_over_months(ws, chart, top, months_cell_abs)

    series.graphicalProperties.line.solidFill = styles.HEADER_FILL
    series.graphicalProperties.line.width = 28000
    series.smooth = False
    chart.legend.position = "b"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"
    if ctx.static:  # the fixed range of the months built: the axis ends there, not at auto's next step
        chart.x_axis.scaling.max = SCHEDULE_MONTHS
    chart.height, chart.width = 10, 15  # within the printed columns G:J
    ws.add_chart(chart, f"G{out_rows['=constraints'] + NOTE_ROWS + 1}")

    styles.widths(
        ws,
        **{
            "A": 48,
            "B": 24,
            "C": 24,
            "D": 12,
            "E": 58,
            "F": 11,
            "G": 46,
            "H": 17,
            "I": 11,
            "J": 2,
            "K": 2,
            "L": 8,
            "M": 14,
            "N": 14,
            "O": 14,
            "P": 15,
        },
    )
    ws.freeze_panes = "A4"
    styles.protect(ws)
    # two printed parts, each fit to the page width: inputs beside the answer and its chart,
    # then the month-by-month table
    chart_end = out_rows["=constraints"] + NOTE_ROWS + 22
    modes_end = serving_modes_block.write(ctx, ws, max(last_block, chart_end) + 2)
    styles.print_setup(ws, f"A1:J{modes_end},L1:P{bottom}")
    ws.page_setup.fitToHeight = 1  # each part on one page
