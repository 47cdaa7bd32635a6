"""Checks sheet: each check a formula giving 1 (pass) or 0 (fail), and a master check."""

from __future__ import annotations

from openpyxl.workbook.defined_name import DefinedName

from pricing.model.scenario import Scenario
from workbook import styles
from workbook.sheets import calculator, pricing, scenarios
from workbook.sheets.calculator import ADDIN_MISSING


def scenarios_upfront(n_scenarios: int) -> str:
    """The Scenarios sheet's upfront_cost output column (an error there means a bad row)."""
    from openpyxl.utils import get_column_letter

    k = [o for o, _ in scenarios.OUTPUTS].index("upfront_cost")
    col = get_column_letter(len(scenarios.INPUT_COLUMNS) + 2 + k)
    return f"Scenarios!${col}${scenarios.FIRST_ROW}:${col}${scenarios.last_row(n_scenarios)}"


SHEET = "Checks"
FIRST_ROW = 5


def _price(field: str, model: str) -> str:
    return f'INDEX(PricingData,MATCH({model},PricingIds,0),MATCH("{field}",PricingHeader,0))'


def checks(n_scenarios: int) -> list[tuple[str, str]]:
    rows = calculator.field_rows()

    def c(field: str) -> str:
        return f"Calculator!$C${rows[field]}"

    fr, ft = c("frontier_model"), c("ft_model")

    def in_catalog(m: str) -> str:
        return f"ISNUMBER(MATCH({m},PricingIds,0))"

    start = f"IF(ISNUMBER({c('start_date')}),{c('start_date')},TODAY())"  # go-live, else today

    def date_ok(field: str, m: str, cmp: str) -> str:
        d = _price(field, m)
        return f"IF({in_catalog(m)},IF(ISNUMBER({d}),IF({d}{cmp}{start},1,0),1),0)"

    def share_ok(field: str) -> str:
        x = c(field)
        return f'IF(ISNUMBER({x}),AND({x}>=0,{x}<=1),{x}="")'

    numeric = [
        f
        for f in calculator.fields.ORDERED
        if f not in ("name", "frontier_model", "ft_model", "baseline_model", "successor_ft_model")
        and f not in ("start_date", "service_tier", "data_residency")
    ]
    shares = ["cached_share", "cache_write_share", "batch_share", "ft_traffic_share", "retrain_cost_share"]
    training = (
        f"OR(ISNUMBER({c('training_per_1m')}),ISNUMBER({c('training_hours')}),"
        f'AND({c("training_tokens")}="",OR({c("training_examples")}="",{c("tokens_per_example")}="")))'
    )
    required = [f for f, info in Scenario.model_fields.items() if info.is_required()]
    return [
        (
            "The selected scenario is a row of the Scenarios table",
            "=IF(ISNUMBER(MATCH(SelectedScenario,ScenarioNames,0)),1,0)",
        ),
        ("The frontier model is on the Pricing sheet", f"=IF({in_catalog(fr)},1,0)"),
        (
            "The fine-tuned model is on the Pricing sheet and fine-tunable",
            f"=IF({in_catalog(ft)},IF({_price('fine_tunable', ft)}=TRUE,1,0),0)",
        ),
        (
            "Frontier input and output rates are present",
            f"=IF(AND(ISNUMBER({c('frontier_input_price')}),ISNUMBER({c('frontier_output_price')})),1,0)",
        ),
        (
            "Fine-tuned input and output rates are present",
            f"=IF(AND(ISNUMBER({c('ft_input_price')}),ISNUMBER({c('ft_output_price')})),1,0)",
        ),
        ("A training rate is present when a training data size is given", f"=IF({training},1,0)"),
        (
            "Shares are within 0..1 (" + ", ".join(shares) + ")",
            "=IF(AND(" + ",".join(share_ok(s) for s in shares) + "),1,0)",
        ),
        (
            "Required inputs are numbers (" + ", ".join(required) + ")",
            "=IF(AND(" + ",".join(f"ISNUMBER({c(f)})" for f in required) + "),1,0)",
        ),
        (
            "Every numeric input is a number or blank",
            "=IF(AND(" + ",".join(f'OR(ISNUMBER({c(f)}),{c(f)}="")' for f in numeric) + "),1,0)",
        ),
        (
            "The fine-tuned model is not past its shutdown date at the go-live date (start_date, else today)",
            "=" + date_ok("shutdown_date", ft, ">"),
        ),
        (
            "The fine-tuned model's vendor still accepts fine-tuning jobs",
            "=" + date_ok("jobs_available_until", ft, ">="),
        ),
        (
            "The frontier model is not past its deprecation date",
            "=" + date_ok("deprecation_date", fr, ">"),
        ),
        (
            "The add-in answered: the verdict is not an error (needs the FT_ functions)",
            "=IF(ISERROR(verdict),0,1)",
        ),
        (
            "The Python-only blocks (Risk sheet, the engine's notes, the Scenarios outputs) were "
            "computed for these inputs (no add-in: rebuild after a change)",
            "=IF(AND(PythonCurrent,ScenariosStale=0),1,0)",
        ),
        (
            "The native Cash flow chain equals the add-in's figures "
            "(Audit sheet; always 1 without the add-in)",
            "=IF(AddinReady,IF(AuditAgrees,1,0),1)",
        ),
        (
            "Every filled row of the Scenarios table computes (no #VALUE! or #N/A in its upfront cost)",
            f"=IF(ISERROR(SUM({scenarios_upfront(n_scenarios)})),0,1)",
        ),
    ]


def write(ctx) -> None:
    ws = ctx.wb.create_sheet(SHEET)
    styles.title(
        ws,
        "Checks: 1 = pass, 0 = fail",
        "Every check is a formula on the Calculator's inputs and the Pricing sheet; the master "
        "check is shown on the Calculator.",
    )
    items = checks(len(ctx.scenarios))
    last = FIRST_ROW + len(items) - 1
    ws["A3"] = "Master check"
    ws["A3"].font = styles.BOLD
    ws["B3"] = (
        f'=IF(NOT(AddinReady),"{ADDIN_MISSING}",'
        f'IFERROR(IF(MIN(B{FIRST_ROW}:B{last})=1,"OK: all checks pass",'
        f'COUNTIF(B{FIRST_ROW}:B{last},0)&" check(s) fail: see the Checks sheet"),'
        '"A check is an error: see the Checks sheet"))'
    )
    styles.output_cell(ws["B3"])
    styles.pass_fail_rules(ws, "B3", "$B$3")
    ctx.wb.defined_names["MasterCheck"] = DefinedName("MasterCheck", attr_text=f"{SHEET}!$B$3")
    styles.header_cell(ws.cell(FIRST_ROW - 1, 1, "check"))
    styles.header_cell(ws.cell(FIRST_ROW - 1, 2, "result (1 = pass)"))
    for i, (text, formula) in enumerate(items):
        r = FIRST_ROW + i
        ws.cell(r, 1, text)
        c = ws.cell(r, 2, formula)
        styles.calc_cell(c, "0")
        c.alignment = styles.Alignment(horizontal="center")
    styles.pass_fail_rules(ws, f"B{FIRST_ROW}:B{last}", f"B{FIRST_ROW}")
    _addin_probe(ctx, ws, last + 2)
    _second_source_count(ws, last + 3)
    styles.protect(ws)
    styles.widths(ws, **{"A": 80, "B": 40})
    styles.print_setup(ws, landscape=False)


def _second_source_count(ws, row: int) -> None:
    """How many Pricing rows genai-prices disagrees with: information, not a pass/fail check
    (a disagreement is a question for the price's source, not an error in the workbook)."""
    col = pricing.col_letter(pricing.SECOND_SOURCE)
    ws.cell(
        row,
        1,
        "Models on the Pricing sheet with a rate the second source disagrees with by more than 5% "
        f"(red on the Pricing sheet, {pricing.SECOND_SOURCE} column; information, not a check)",
    )
    first, last = pricing.FIRST_ROW, pricing.LAST_ROW
    formula = f'=COUNTIF({pricing.SHEET}!${col}${first}:${col}${last},"{pricing.DISAGREES}*")'
    styles.calc_cell(ws.cell(row, 2, formula), "0")
    ws.cell(row, 2).alignment = styles.Alignment(horizontal="center")


def _addin_probe(ctx, ws, row: int) -> None:
    """AddinReady: TRUE once the FT_ functions answer (the cheapest one, FT_PRICES_AS_OF, is
    probed), so the Calculator and the master check can say the add-in is missing instead of
    showing errors; always TRUE in the file for people without the add-in."""
    if ctx.static:
        ctx.wb.defined_names["AddinReady"] = DefinedName("AddinReady", attr_text="TRUE")
        return
    ws.cell(row, 1, "The add-in answers (FT_PRICES_AS_OF: the add-in's price date)")
    cell = ctx.ft(ws, f"B{row}", "FT_PRICES_AS_OF()", ctx.catalog.as_of)
    styles.calc_cell(cell, styles.FMT_DATE)
    ctx.wb.defined_names["AddinReady"] = DefinedName(
        "AddinReady", attr_text=f"NOT(ISERROR({SHEET}!$B${row}))"
    )
