"""About sheet: what the workbook answers, how to use it, set-up, prices date, legend, rules."""

from __future__ import annotations

from pricing.model.breakeven import VERDICT_RULES
from workbook import styles
from workbook.sheets import calculator, pricing

SHEET = "About"
TITLE = "Fine-tuning break-even: will fine-tuning this LLM save us money, and when does it pay back?"
SUBTITLE = (
    "Training is paid upfront; savings come month by month from serving a cheaper fine-tuned "
    "model "
    "instead of a frontier one. This workbook finds when the savings overtake the cost."
)


def refresh_how(static: bool) -> str:
    """How to refresh the prices, naming the button as it appears and where it is."""
    if static:
        return "Refresh with `ft-breakeven refresh`, then rebuild this copy."
    return (
        f"Refresh with the Refresh prices button (Pricing sheet {pricing.REFRESH_BUTTON_CELL}, "
        f"Calculator {calculator.REFRESH_BUTTON_CELL}; the cell beside it shows the last result) "
        "or `ft-breakeven refresh`; changes go to the Changelog sheet."
    )


HOW_TO = (
    "1. Calculator: pick a scenario in the yellow selector; every input below it fills in from "
    "the Scenarios sheet and the Pricing sheet.",
    "2. Type over any yellow cell to try your own numbers (a model id, a token count, a rate); "
    "the Yes/No constraints change costs or add notes.",
    "3. Read the answer in green: cost per query, per month and per year, savings, payback, "
    "break-even volume, NPV and the verdict; the chart shows when the cumulative net turns "
    "positive.",
    "4. Risk: how sure the answer is: payback and NPV at P10 / P50 / P90 over thousands of "
    "trials, which input moves the answer most, and a heat map of any figure over two inputs.",
    "5. Scenarios: one row per case; add your own in an empty row and its outputs appear on the "
    "right. Checks: the master check must say OK.",
)
# Set-up per runtime: what the user does first, and what they see at each step (docs/RUNTIMES.md
# says the same at length). The Calculator's banner points at step 2.
RUNTIMES = (
    "Set-up: the first five minutes (step 2 is what the Calculator's 'Add-in not loaded' banner means)",
    "1. Open this file in Excel (Microsoft 365 or Office 2021+, Windows, Mac or the web). Until "
    "the add-in runs, the green answers show the values computed when the file was built.",
    "2. xlwings Lite (the file built by `ft-breakeven build`): Home > Add-ins, search xlwings, "
    "add xlwings Lite (free). The file asks for it and opens it with the workbook; trust it if "
    "asked. Lite installs its packages (about a minute the first time), then the FT_ cells "
    "recalculate and the banner disappears.",
    f"3. Refresh prices: the Refresh prices button on the Pricing sheet ({pricing.REFRESH_BUTTON_CELL}) "
    f"and on the Calculator ({calculator.REFRESH_BUTTON_CELL}) runs the refresh script; the cell "
    "beside it says when it ran and what changed.",
    "Other runtimes: Windows desktop with Python: `ft-breakeven build --runtime classic` (a .xlsm;"
    " xlwings > Import Functions). Your own xlwings Server: `--runtime server` (its add-in and "
    "namespace). No add-in at all: `--runtime none` (live native formulas: the Calculator's "
    "answers from the Cash flow sheet; Risk, notes and Scenarios outputs frozen and marked stale "
    "once an input changes). Step by step: docs/RUNTIMES.md.",
)


# The file for people without the add-in: what it does live, what is frozen, what it cannot do.
NO_ADDIN = (
    "This file needs no add-in: it calculates in any spreadsheet program (Excel 2010 or later, "
    "LibreOffice, Google Sheets)",
    "Live: pick a scenario or type over any yellow input and every answer on the Calculator "
    "follows, computed step by step in native formulas on the Cash flow sheet (one row per month, "
    "up to 120 months; each answer cell carries a defined name: see Formulas > Name Manager).",
    "Frozen, computed in Python when the file was built: the Risk sheet (Monte Carlo, tornado, "
    "two-way table), the engine's notes and the Scenarios sheet's outputs. Each says which "
    "scenario and date it was computed for; once an input differs it says 'stale: rebuild or use "
    "the add-in' and the master check fails.",
    "Cannot: refresh prices (run `ft-breakeven refresh`, then rebuild), run FT_ functions, or "
    "answer for a horizon beyond 120 months (the answers say so). Its IRR is the spreadsheet's "
    "IRR: where the flows change sign several times it may find another root than the add-in.",
    "With the add-in everything is live: `ft-breakeven build` (xlwings Lite, free) or "
    "`--runtime classic|server`; step by step: docs/RUNTIMES.md.",
)


WIDTHS = {"A": 28, "B": 72}  # one portrait page wide at about 100%


def _wrap_paragraphs(ws) -> None:
    """Each line of text wrapped inside the page's columns: a long line left to spill past
    column B made the printed page (fit to its width) tiny."""
    for row in ws.iter_rows(min_col=1, max_col=2):
        a, b = row
        if b.value is None and isinstance(a.value, str) and len(a.value) > WIDTHS["A"]:
            styles.wrap_across(ws, a.row, "A", "B")
        elif isinstance(b.value, str) and len(b.value) > WIDTHS["B"]:
            styles.wrap_in(ws, b, WIDTHS["B"])
            a.alignment = styles.Alignment(vertical="top")  # the label beside its first line


def write(ctx) -> None:
    ws = styles.titled_sheet(ctx.wb, SHEET, TITLE, SUBTITLE)
    r = 4
    ws.cell(r, 1, "How to use it").font = styles.BOLD
    for i, line in enumerate(HOW_TO, 1):
        ws.cell(r + i, 1, line)
    r += len(HOW_TO) + 2
    setup = NO_ADDIN if ctx.static else RUNTIMES
    for i, line in enumerate(setup):
        c = ws.cell(r + i, 1, line)
        if i == 0:
            c.font = styles.BOLD
    r += len(setup) + 1
    ws.cell(r, 1, "Prices as of").font = styles.BOLD
    c = ws.cell(r, 2, "=PricesAsOf")
    styles.link_cell(c, styles.FMT_DATE)
    c.alignment = styles.Alignment(horizontal="left")
    ws.cell(
        r + 1,
        1,
        f"Source: {ctx.catalog.source}. {refresh_how(ctx.static)}",
    )
    styles.note_cell(ws.cell(r + 1, 1))
    r += 3
    ws.cell(r, 1, "Colour legend").font = styles.BOLD
    legend = (
        (
            styles.input_cell,
            "Input: a value you may type (blue on yellow). Some hold a look-up formula you can type over.",
        ),
        (styles.calc_cell, "Calculation: a formula; do not type over it."),
        (styles.link_cell, "Link: a value brought from another sheet."),
        (
            styles.output_cell,
            "Answer: computed live by native formulas (Cash flow sheet)."
            if ctx.static
            else "Answer: an FT_ function's result (the Cash flow sheet recomputes it natively; "
            "the Audit sheet checks they agree).",
        ),
    )
    for i, (style, text) in enumerate(legend, 1):
        c = ws.cell(r + i, 1, text)
        style(c)
    c = ws.cell(r + len(legend) + 1, 1, "Check passes (1 / OK)")
    c.fill, c.font = styles.fill(styles.PASS_FILL), styles.font(bold=True, color=styles.PASS_FONT)
    c = ws.cell(r + len(legend) + 2, 1, "Check fails (0)")
    c.fill, c.font = styles.fill(styles.FAIL_FILL), styles.font(bold=True, color=styles.FAIL_FONT)
    c = ws.cell(r + len(legend) + 3, 1, "Pricing: inferred rate (rule in the *_status column)")
    c.fill = styles.fill(styles.INFERRED_FILL)
    c = ws.cell(r + len(legend) + 4, 1, "Pricing: unverified rate")
    c.fill = styles.fill(styles.UNVERIFIED_FILL)
    r += len(legend) + 6
    ws.cell(r, 1, "Verdict rules (the first that holds)").font = styles.BOLD
    styles.header_cell(ws.cell(r + 1, 1, "verdict"))
    styles.header_cell(ws.cell(r + 1, 2, "rule"))
    for i, (verdict, rule) in enumerate(VERDICT_RULES, 2):
        ws.cell(r + i, 1, verdict).font = styles.BOLD
        ws.cell(r + i, 2, rule)
    r += len(VERDICT_RULES) + 3
    notes = (
        "Payback is simple payback: upfront cost / month-1 net benefit. The lifetime is the "
        "planned life cut short by the fine-tuned model's shutdown date.",
        "Mode: latency when only the fine-tuned model meets the latency budget; quality when the "
        "accuracy lift is worth more than the inference savings; else volume.",
        "Frontier prices fall (Epoch AI, a16z: often 10x a year): set "
        "frontier_price_decline_annual to test the saving against tomorrow's prices.",
        "Sheets: Calculator (one case), Risk (P10/P50/P90 and a tornado), Scenarios (many), "
        "Pricing (catalog), Changelog (price changes), Checks, Functions (FT_ reference), "
        "xlwings.conf (set-up).",
    )
    ws.cell(r, 1, "Good to know").font = styles.BOLD
    for i, line in enumerate(notes, 1):
        ws.cell(r + i, 1, line)
    styles.widths(ws, **WIDTHS)
    _wrap_paragraphs(ws)
    styles.print_setup(ws, landscape=False)
    styles.protect(ws)
