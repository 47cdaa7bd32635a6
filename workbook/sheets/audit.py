"""Audit sheet (add-in files): every native figure of the Cash flow sheet beside the FT_ figure it
mirrors, and whether they agree, so the workbook proves its own arithmetic."""

from __future__ import annotations

from openpyxl.workbook.defined_name import DefinedName

from pricing.model.figures import label
from workbook import styles, text_fit
from workbook.sheets import cashflow, currency_block

SHEET = "Audit"
TITLE = "Audit: the native Cash flow chain beside the add-in's figures"
SUBTITLE = (
    "Each figure computed twice: by native formulas step by step (Cash flow sheet) and by "
    "the FT_ function; 1 = they agree (relative 1e-9). The Checks sheet counts this."
)
FIRST_ROW = 5
REL_TOL = 1e-9  # the same tolerance the tests hold the native chain to
TOL_CELL = "$B$3"


def agree(native: str, addin: str) -> str:
    """1 when the two figures agree: numbers within REL_TOL, texts equal, both 'does not exist'."""
    return (
        f'=IF(ISERROR({addin}),IF({native}="{cashflow.NA}",1,0),IF(ISNUMBER({addin}),'
        f"IF(ISNUMBER({native}),IF(ABS({native}-{addin})<={TOL_CELL}*MAX(1,ABS({addin})),1,0),0),"
        f"IF({native}={addin},1,0)))"
    )


def write(ctx) -> None:
    if ctx.static:  # the Calculator itself shows the native figures there
        ctx.wb.defined_names["AuditAgrees"] = DefinedName("AuditAgrees", attr_text="TRUE")
        return
    result = ctx.selected_result
    ws = styles.titled_sheet(ctx.wb, SHEET, TITLE, SUBTITLE)
    ws["A3"] = "relative tolerance"
    styles.note_cell(ws["A3"])
    ws[TOL_CELL.replace("$", "")] = REL_TOL
    ws[TOL_CELL.replace("$", "")].number_format = "0.0E+00"
    for j, text in enumerate(("figure", "native (Cash flow)", "add-in (FT_)", "agree"), 1):
        styles.header_cell(ws.cell(FIRST_ROW - 1, j, text))
    for i, key in enumerate(cashflow.ANSWERS):
        r = FIRST_ROW + i
        ws.cell(r, 1, label(key))
        styles.note_cell(ws.cell(r, 1))
        styles.link_cell(ws.cell(r, 2, "=" + cashflow.answer_ref(ctx, key)))
        c = ctx.ft(
            ws, f"C{r}", f'FT_SCENARIO(InputBlock,"{key}",{currency_block.FX_CODE})', getattr(result, key)
        )
        styles.output_cell(c)
        styles.calc_cell(ws.cell(r, 4, agree(f"B{r}", f"C{r}")), "0")
    last = FIRST_ROW + len(cashflow.ANSWERS) - 1
    ctx.wb.defined_names["AuditAgrees"] = DefinedName(
        "AuditAgrees", attr_text=f"MIN({SHEET}!$D${FIRST_ROW}:$D${last})=1"
    )
    styles.widths(ws, A=30, B=20, C=20, D=8)
    for row in (1, 2):  # the title and subtitle wrap inside the printed A:D
        styles.wrap_across(ws, row, "A", "D")
    text_fit.wrap_where_cut(ws, 1, 4, 3, last)
    styles.protect(ws)
    styles.print_setup(ws, landscape=False)
