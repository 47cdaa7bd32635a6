"""Build the template workbook for one runtime (imports pricing, never xl_addin).

    build_template(catalog, scenarios, path)                    # xlwings Lite (the default)
    build_template(catalog, scenarios, path, runtime="classic") # .xlsm on xlwings' VBA project
    build_template(catalog, scenarios, path, runtime="none")    # FT_ cells as values computed here

Sheets write each FT_ call once, in canonical form, through BuildContext.ft / ft_spill, with the
engine's answer for the built scenario. openpyxl saves the sheets; then the package is edited
as Excel would have saved it for the runtime (workbook.formulas decides the stored names,
workbook.dynamic_arrays stores every FT_ cell as a dynamic array with its cached answer,
runtimes/ add the add-in part) and written whole.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from pricing.model.breakeven import Result, evaluate, schedule
from pricing.model.currency import USD, Currency, convert_result, convert_row
from pricing.model.scenario import Scenario, make_scenario
from pricing.prices.catalog import Catalog
from workbook import dynamic_arrays
from workbook.dynamic_arrays import FtCell
from workbook.formulas import SERVER_NAMESPACE, Storage, storage
from workbook.package import Package
from workbook.sheets import (
    about,
    audit,
    calculator,
    cashflow,
    changelog,
    checks,
    price_history,
    pricing,
    risk,
    stamps,
    xlwings_conf,
)
from workbook.sheets import functions as functions_sheet
from workbook.sheets import scenarios as scenarios_sheet

SHEET_ORDER = (
    about.SHEET,
    calculator.SHEET,
    cashflow.SHEET,
    risk.SHEET,
    scenarios_sheet.SHEET,
    pricing.SHEET,
    price_history.SHEET,
    changelog.SHEET,
    checks.SHEET,
    audit.SHEET,  # add-in files only
    functions_sheet.SHEET,
    xlwings_conf.SHEET,
    scenarios_sheet.AS_BUILT,  # no add-in only: hidden
)
NA_TEXT = "n/a"  # the static copy's text where the add-in would show #NUM! (never pays back)
NUM = "#NUM!"  # what an FT_ function returns for a figure that does not exist (never pays back)


@dataclass
class BuildContext:
    wb: Workbook
    catalog: Catalog
    scenarios: list[Scenario]
    storage: Storage = field(default_factory=lambda: storage("lite"))
    functions: Any = None
    ft_cells: list[FtCell] = field(default_factory=list)
    changelog: list[list[Any]] = field(default_factory=list)
    selected: Scenario | None = None
    selected_inputs: Scenario | None = None  # static copy: the Calculator's inputs, resolved
    selected_result: Result | None = None
    selected_schedule: list[dict[str, float]] | None = None
    scenario_results: list[dict[str, Any]] = field(default_factory=list)
    native_answers: dict[str, str] = field(default_factory=dict)  # Result field -> Cash flow cell
    currency: Currency = USD  # the answers' currency (pricing.model.currency); the catalog stays USD

    @property
    def static(self) -> bool:
        """The copy for people without the add-in: values where the FT_ formulas would be."""
        return not self.storage.formulas

    @staticmethod
    def static_value(v: Any) -> Any:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return NA_TEXT
        return v

    @staticmethod
    def cell_value(v: Any) -> Any:
        """A figure as an FT_ function returns it: one that does not exist is #NUM!."""
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return NUM
        return v

    def ft(self, ws, ref: str, formula: str, value: Any):
        """One FT_ cell: the formula (canonical form, no '=') with the engine's answer cached, or
        (no add-in) the answer itself."""
        cell = ws[ref]
        if self.static:
            cell.value = self.static_value(value)
            return cell
        cell.value = "=" + formula
        self.ft_cells.append(FtCell(ws.title, ref, ((self.cell_value(value),),)))
        return cell

    def ft_spill(self, ws, ref: str, formula: str, rows: Sequence[Sequence[Any]]):
        """An FT_ array: the formula at `ref` spilling `rows` (the engine's answer) to its true
        size, or (no add-in) the values alone."""
        missing = NA_TEXT if self.static else NUM
        values = dynamic_arrays.spill_values(
            [missing if isinstance(v, float) and not math.isfinite(v) else v for v in row] for row in rows
        )
        top = ws[ref]
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                ws.cell(top.row + i, top.column + j).value = v
        if not self.static:
            top.value = "=" + formula
            self.ft_cells.append(FtCell(ws.title, ref, values))
        return top


def _as_scenarios(items: Sequence[Any]) -> list[Scenario]:
    out = []
    for s in items:
        s = getattr(s, "scenario", s)  # a Preset
        out.append(s if isinstance(s, Scenario) else make_scenario(s))
    return out


def _row_results(scens: list[Scenario], catalog: Catalog, currency: Currency = USD) -> list[dict[str, Any]]:
    rows = []
    for s in scens:
        try:
            r = convert_result(evaluate(s, catalog), currency)
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
    runtime: str = "lite",
    static: bool = False,
    functions: Any = None,
    selected: int = 1,
    changelog_rows: list[list[Any]] | None = None,
    addin_settings: dict[str, str] | None = None,
    server_namespace: str = SERVER_NAMESPACE,
    server_manifest_id: str | None = None,
    currency: Currency = USD,
) -> Path:
    """Write the workbook for `runtime` (lite, classic, server, none; static=True means none) to
    `path`; `selected` is the scenario shown first. `addin_settings`: Lite's main.py and
    requirements.txt (xl_addin.lite_main makes them)."""
    scens = _as_scenarios(scenarios)
    if not scens:
        raise ValueError("build_template needs at least one scenario")
    runtime = "none" if static else runtime
    wb = Workbook()
    wb.remove(wb.active)
    ctx = BuildContext(
        wb=wb,
        catalog=catalog,
        scenarios=scens,
        storage=storage(runtime, server_namespace),
        functions=functions,
        changelog=changelog_rows or [],
        currency=currency,
    )
    ctx.selected = scens[min(max(selected, 0), len(scens) - 1)]
    # The engine's answers for the built scenario: the cached values of the FT_ cells, or (no
    # add-in) the values themselves.
    inputs = calculator.python_inputs(ctx.selected, catalog)
    chosen = make_scenario(inputs)
    ctx.selected_inputs = chosen
    ctx.selected_result = convert_result(evaluate(chosen, catalog), currency)
    ctx.selected_schedule = [
        convert_row(row, currency) for row in schedule(chosen, catalog, calculator.SCHEDULE_MONTHS)
    ]
    ctx.scenario_results = _row_results(scens, catalog, currency)
    # sheets that define names first; order fixed below
    for sheet in (
        pricing,
        scenarios_sheet,
        cashflow,
        calculator,
        risk,
        audit,
        checks,
        stamps,  # after checks: its table goes on the Checks sheet
        changelog,
        price_history,
        functions_sheet,
        about,
        xlwings_conf,
    ):
        sheet.write(ctx)
    wb._sheets = [wb[name] for name in SHEET_ORDER if name in wb.sheetnames]
    wb.active = 1
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == calculator.SHEET
    wb.calculation.fullCalcOnLoad = True
    if runtime == "classic":
        from workbook.runtimes import classic

        classic.attach_vba(wb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    package = Package.read(path)
    used = dynamic_arrays.store(package, ctx.storage, ctx.ft_cells)
    if runtime == "lite":
        from workbook.runtimes import lite

        lite.add_addin(package, addin_settings or {}, used)
    elif runtime == "server":
        from workbook.runtimes import server

        server.add_addin(package, used, server_manifest_id)
    if runtime != "none":  # the Refresh prices buttons (openpyxl cannot draw them)
        from workbook.runtimes.buttons import REFRESH_BUTTONS, add_buttons

        add_buttons(package, REFRESH_BUTTONS, runtime)
    package.write(path)
    return path
