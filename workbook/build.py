"""Build the template workbook with openpyxl (imports pricing, never xl_addin).

    build_template(catalog, scenarios, path)                 # FT_ formulas (needs the add-in)
    build_template(catalog, scenarios, path, static=True)    # FT_ cells as values computed here

The static copy holds the same formulas except that every FT_ call is replaced by the value the
engine computes for the same inputs, so it renders fully in any spreadsheet program.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from pricing.breakeven import Result, evaluate, schedule
from pricing.catalog import Catalog
from pricing.scenario import Scenario, make_scenario
from workbook.sheets import about, calculator, changelog, checks, price_history, pricing, risk, xlwings_conf
from workbook.sheets import functions as functions_sheet
from workbook.sheets import scenarios as scenarios_sheet

SHEET_ORDER = (
    about.SHEET,
    calculator.SHEET,
    risk.SHEET,
    scenarios_sheet.SHEET,
    pricing.SHEET,
    price_history.SHEET,
    changelog.SHEET,
    checks.SHEET,
    functions_sheet.SHEET,
    xlwings_conf.SHEET,
)
NA_TEXT = "n/a"  # the static copy's text where the add-in would show #NUM! (never pays back)


@dataclass
class BuildContext:
    wb: Workbook
    catalog: Catalog
    scenarios: list[Scenario]
    static: bool = False
    functions: Any = None
    changelog: list[list[Any]] = field(default_factory=list)
    selected: Scenario | None = None
    selected_inputs: Scenario | None = None  # static copy: the Calculator's inputs, resolved
    selected_result: Result | None = None
    selected_schedule: list[dict[str, float]] | None = None
    scenario_results: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def static_value(v: Any) -> Any:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return NA_TEXT
        return v


def _as_scenarios(items: Sequence[Any]) -> list[Scenario]:
    out = []
    for s in items:
        s = getattr(s, "scenario", s)  # a Preset
        out.append(s if isinstance(s, Scenario) else make_scenario(s))
    return out


def _row_results(scens: list[Scenario], catalog: Catalog) -> list[dict[str, Any]]:
    rows = []
    for s in scens:
        try:
            r = evaluate(s, catalog)
            d = r.model_dump()
            d["notes"] = "; ".join(r.notes)
        except Exception as exc:  # a bad preset row shows its error as text, never breaks the build
            d = {k: f"error: {exc}" for k in Result.model_fields}
        rows.append(d)
    return rows


def build_template(
    catalog: Catalog,
    scenarios: Sequence[Any],
    path: str | Path,
    *,
    static: bool = False,
    functions: Any = None,
    selected: int = 1,
    changelog_rows: list[list[Any]] | None = None,
) -> Path:
    """Write the template (or its static copy) to `path`; `selected` is the scenario shown first."""
    scens = _as_scenarios(scenarios)
    if not scens:
        raise ValueError("build_template needs at least one scenario")
    wb = Workbook()
    wb.remove(wb.active)
    ctx = BuildContext(
        wb=wb,
        catalog=catalog,
        scenarios=scens,
        static=static,
        functions=functions,
        changelog=changelog_rows or [],
    )
    ctx.selected = scens[min(max(selected, 0), len(scens) - 1)]
    if static:
        inputs = calculator.python_inputs(ctx.selected, catalog)
        chosen = make_scenario(inputs)
        ctx.selected_inputs = chosen
        ctx.selected_result = evaluate(chosen, catalog)
        ctx.selected_schedule = schedule(chosen, catalog, calculator.SCHEDULE_MONTHS)
        ctx.scenario_results = _row_results(scens, catalog)
    # sheets that define names first; order fixed below
    for sheet in (
        pricing,
        scenarios_sheet,
        calculator,
        risk,
        checks,
        changelog,
        price_history,
        functions_sheet,
        about,
        xlwings_conf,
    ):
        sheet.write(ctx)
    wb._sheets = [wb[name] for name in SHEET_ORDER]
    wb.active = 1
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == calculator.SHEET
    wb.calculation.fullCalcOnLoad = True
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
