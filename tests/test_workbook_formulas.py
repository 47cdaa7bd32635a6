"""The template recalculated by the `formulas` package, with the FT_ functions plugged in.

The Calculator's and the Scenarios sheet's answers must equal pricing.model.breakeven.evaluate on the
same scenario: the INDEX/MATCH look-ups, the switches and the input block carry the inputs
faithfully from the Scenarios and Pricing sheets to the functions.
"""

from __future__ import annotations

import importlib
import math
import re
from datetime import date
from xml.etree import ElementTree as ET

import numpy as np
import pytest

formulas = pytest.importorskip("formulas")

from xlwings import XlwingsError  # noqa: E402

from pricing.model import constraints  # noqa: E402
from pricing.model.breakeven import evaluate, schedule  # noqa: E402
from pricing.model.presets import presets  # noqa: E402
from pricing.prices.store import bundled_catalog  # noqa: E402
from workbook.build import build_template  # noqa: E402
from workbook.sheets import calculator, scenarios  # noqa: E402
from xl_addin import functions as ft  # noqa: E402

XL_ERRORS = dict(importlib.import_module("formulas.functions").Error.errors)


def _plain(x):
    """formulas' cell values -> what xlwings hands a UDF (None for empty)."""
    if hasattr(x, "value"):
        x = x.value
    if isinstance(x, np.ndarray):
        return (
            [[_plain(v) for v in row] for row in x.tolist()]
            if x.ndim == 2
            else [_plain(v) for v in x.tolist()]
        )
    if x is None or type(x).__name__ in ("_EmptyValue", "EmptyValue") or str(x) == "empty":
        return None
    if isinstance(x, (np.floating, np.integer)):
        return float(x)
    if isinstance(x, bool):
        return x
    return x


def _out(v):
    """A UDF's answer as Office.js shows it: "#N/A"/"#NUM!" strings become real error values."""
    if isinstance(v, list):
        return np.array([[_out(c) for c in row] for row in v], dtype=object)
    if isinstance(v, str) and v in XL_ERRORS:
        return XL_ERRORS[v]
    if isinstance(v, date):  # xlwings hands Excel a date as its serial number
        return float((v - date(1899, 12, 30)).days)
    return v


def _wrap(fn):
    def call(*args):
        try:
            return _out(fn(*[_plain(a) for a in args]))
        except XlwingsError:  # what Excel shows for a bad argument
            return XL_ERRORS["#VALUE!"]

    return call


def formulas_copy(path):
    """A copy `formulas` can read: it parses neither Office.js stored names (_xldudf_FT_...) nor
    structured references (ScenariosTable[#All]), so those become FT_... and the table's range.
    Nothing else changes: the same cells, the same formulas."""
    from workbook.package import Package

    package = Package.read(path)
    tables = {}
    for name, data in package.parts.items():
        if name.startswith("xl/tables/"):
            root = ET.fromstring(data)
            tables[root.get("displayName")] = root.get("ref")
    sheets = package.sheet_parts()
    for part in sheets.values():
        text = package.parts[part].decode("utf-8")
        text = re.sub(r"_xldudf_(?:XLWINGS_)?(FT_)", r"\1", text)
        for table, ref in tables.items():
            owner = next(t for t, p in sheets.items() if _owns(package, p, table))
            first, last = ref.split(":")
            absolute = (
                "$" + re.sub(r"(\d)", r"$\1", first, count=1) + ":$" + re.sub(r"(\d)", r"$\1", last, count=1)
            )
            text = text.replace(f"{table}[#All]", f"{_quote(owner)}!{absolute}")
        package.parts[part] = text.encode("utf-8")
    out = path.with_name(path.stem + "-formulas" + path.suffix)
    return package.write(out)


def _owns(package, sheet_part, table) -> bool:
    return any(
        target.startswith("xl/tables/") and f'displayName="{table}"' in package.parts[target].decode()
        for _type, target in package.relationships(sheet_part).values()
    )


def _quote(title: str) -> str:
    return f"'{title}'" if not title.isalnum() else title


def _missing(*args):
    return XL_ERRORS["#NAME?"]  # what Excel shows before the add-in has registered its functions


def solve(path, plugged: bool = True):
    """Recalculate a workbook with `formulas`, the FT_ functions plugged in as Python callables
    (plugged=False: as before the add-in has loaded)."""
    path = formulas_copy(path)
    table = formulas.get_functions()
    for name in (
        "ft_scenario",
        "ft_scenarios",
        "ft_schedule",
        "ft_verdict",
        "ft_npv",
        "ft_risk",
        "ft_sensitivity",
        "ft_grid",
        "ft_prices_as_of",
    ):
        table[name.upper()] = _wrap(getattr(ft, name)) if plugged else _missing
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    book = f"[{path.name}]".upper()
    values = {}
    for key, ranges in solution.items():
        values[key.upper().replace(book, "")] = ranges.value if hasattr(ranges, "value") else ranges
    return values


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "template.xlsx"
    return build_template(bundled_catalog(), presets(), path)


@pytest.fixture(scope="module")
def solved(template):
    return solve(template)


def _edited(template, tmp_path, edits: dict[str, object]):
    """A copy of the template with cells typed over, as a user would."""
    import openpyxl

    wb = openpyxl.load_workbook(template)
    for ref, value in edits.items():
        sheet, coord = ref.split("!")
        wb[sheet][coord] = value
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    return path


def cell(values, sheet: str, ref: str):
    """One cell's value, also when it is part of an array formula's range."""
    from openpyxl.utils.cell import coordinate_from_string, range_boundaries

    key = f"'{sheet.upper()}'!{ref}"
    if key in values:
        v = values[key]
        return _plain(np.asarray(v)[0][0] if np.ndim(v) == 2 else v)
    col_letter, row = coordinate_from_string(ref)
    from openpyxl.utils import column_index_from_string

    col = column_index_from_string(col_letter)
    for k, v in values.items():
        if k.startswith(f"'{sheet.upper()}'!") and ":" in k:
            c1, r1, c2, r2 = range_boundaries(k.split("!")[1])
            if c1 <= col <= c2 and r1 <= row <= r2 and np.ndim(v) == 2:
                return _plain(np.asarray(v)[row - r1][col - c1])
    raise KeyError(key)


def _same(a, b):
    if b is None:  # a figure that does not exist: #NUM! in Excel
        return str(a) == "#NUM!"
    if isinstance(b, float):
        return isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(b, date):  # a date figure: Excel holds its serial number
        return a == (b - date(1899, 12, 30)).days
    return a == b


def test_calculator_outputs_equal_the_engine(solved):
    preset = presets()[1]  # the build's default selection
    result = evaluate(preset.scenario, bundled_catalog())
    rows = calculator.output_rows()
    for key, *_rest in calculator.OUTPUTS:
        if key.startswith("="):
            continue
        got = cell(solved, "Calculator", f"H{rows[key]}")
        want = "; ".join(result.notes) if key == "notes" else getattr(result, key)
        assert _same(got, want), (key, got, want)
    year = cell(solved, "Calculator", f"H{rows['=year:frontier_cost_month']}")
    assert math.isclose(year, result.frontier_cost_month * 12)
    day = cell(solved, "Calculator", f"H{rows['=day:ft_cost_month']}")
    assert math.isclose(day, result.ft_cost_month / preset.scenario.days_per_month)


def test_switches_and_selector_flow_through(template, tmp_path):
    """Another scenario picked and every Yes/No constraint flipped: the answer equals the engine
    on the inputs the static copy computes in Python (calculator.python_inputs)."""
    chosen = presets()[5]  # voice intent routing: a self-hostable open model, latency figures
    flipped = {name: ("No" if default == "Yes" else "Yes") for name, _, default, _ in constraints.SWITCHES}
    rows = calculator.switch_rows()
    edits = {f"Calculator!C{calculator.SELECT_ROW}": chosen.scenario.name}
    edits.update({f"Calculator!C{rows[name]}": value for name, value in flipped.items()})
    got = solve(_edited(template, tmp_path, edits))
    inputs = calculator.python_inputs(chosen.scenario, bundled_catalog(), flipped)
    result = evaluate(inputs, bundled_catalog())
    assert inputs["mlops_fte"] > 0 and inputs["ft_input_price"] == 0  # the switches did change costs
    out = calculator.output_rows()
    for key in (
        "upfront_cost",
        "fixed_cost_month",
        "net_benefit_month",
        "payback_months",
        "npv",
        "verdict",
        "mode",
        "notes",
    ):
        want = "; ".join(result.notes) if key == "notes" else getattr(result, key)
        assert _same(cell(got, "Calculator", f"H{out[key]}"), want), key


def test_checks_catch_an_unknown_model(template, tmp_path):
    row = calculator.field_rows()["frontier_model"]
    got = solve(_edited(template, tmp_path, {f"Calculator!C{row}": "no-such-model"}))
    assert cell(got, "Checks", "B3") != "OK: all checks pass"


def test_calculator_schedule_equals_the_engine(solved):
    preset = presets()[1]
    rows = schedule(preset.scenario, bundled_catalog(), calculator.SCHEDULE_MONTHS)
    top = calculator.SCHEDULE_HEADER_ROW
    assert cell(solved, "Calculator", f"L{top}") == "Month"  # the label, not the engine name
    for m in (0, 1, 12, calculator.SCHEDULE_MONTHS):
        got = cell(solved, "Calculator", f"P{top + 1 + m}")
        assert math.isclose(got, rows[m]["cumulative_net"], rel_tol=1e-9, abs_tol=1e-6)


def test_scenarios_outputs_equal_the_engine(solved):
    first_out = len(scenarios.INPUT_COLUMNS) + 2
    from openpyxl.utils import get_column_letter

    for i, preset in enumerate(presets()):
        result = evaluate(preset.scenario, bundled_catalog())
        for k, (out, _fmt) in enumerate(scenarios.OUTPUTS):
            got = cell(solved, "Scenarios", f"{get_column_letter(first_out + k)}{scenarios.FIRST_ROW + i}")
            assert _same(got, getattr(result, out)), (preset.id, out, got)
    # blank rows stay blank
    blank = cell(solved, "Scenarios", f"{get_column_letter(first_out)}{scenarios.FIRST_ROW + len(presets())}")
    assert blank in (None, "")


def test_checks_all_pass(solved):
    assert cell(solved, "Checks", "B3") == "OK: all checks pass"
    assert cell(solved, "Calculator", "A3") in ("", None)  # no banner


def test_without_the_add_in_the_calculator_says_so_instead_of_failing_checks(template):
    got = solve(template, plugged=False)
    assert cell(got, "Checks", "B3") == calculator.ADDIN_MISSING
    assert cell(got, "Calculator", "A3") == calculator.ADDIN_MISSING
    # and once the functions answer, the same file passes (test_checks_all_pass)


def test_risk_sheet_equals_monte_carlo_and_tornado_of_the_calculator_scenario(solved):
    from openpyxl.utils import get_column_letter

    from pricing.model import risk as risk_model
    from workbook.sheets import risk as risk_sheet

    preset = presets()[1]
    catalog = bundled_catalog()
    mc = risk_model.monte_carlo(preset.scenario, None, risk_sheet.DRAWS, risk_sheet.SEED, catalog)
    bars = risk_model.tornado(preset.scenario, None, risk_sheet.OUTPUT, catalog)

    def at(top, i, j):
        return cell(solved, "Risk", f"{get_column_letter(risk_sheet.FIRST_COL + j)}{top + i}")

    top = risk_sheet.RISK_TOP
    assert at(top, 3, 0) == "NPV over the horizon" and at(top, 0, 2) == "P50"
    assert math.isclose(at(top, 3, 2), mc.npv_p50, rel_tol=1e-9)
    assert math.isclose(at(top, 1, 1), mc.payback_p10, rel_tol=1e-9)
    assert math.isclose(at(top, 5, 1), mc.prob_npv_positive, rel_tol=1e-12)
    top = risk_sheet.TORNADO_TOP
    assert len(bars) >= 5
    for i, bar in enumerate(bars, start=1):
        assert at(top, i, 0) == bar.label
        assert math.isclose(at(top, i, 5), bar.swing, rel_tol=1e-9)


def test_risk_sheet_uses_the_ranges_a_user_types(template, tmp_path):
    from openpyxl.utils import get_column_letter

    from pricing.model import risk as risk_model
    from workbook.sheets import risk as risk_sheet

    col = get_column_letter(risk_sheet.RANGES_COL)
    row = risk_sheet.RANGES_TOP + 2  # leave the first row blank, as a user might
    edits = {
        f"Risk!{get_column_letter(risk_sheet.RANGES_COL + j)}{row}": v
        for j, v in enumerate(("Training runs", 1, 2, 4))
    }
    assert f"Risk!{col}{row}" in edits
    got = solve(_edited(template, tmp_path, edits))
    preset = presets()[1]
    ranges = risk_model.default_uncertain(preset.scenario, bundled_catalog())
    ranges["training_runs"] = (1, 2, 4)
    want = risk_model.monte_carlo(
        preset.scenario, ranges, risk_sheet.DRAWS, risk_sheet.SEED, bundled_catalog()
    )
    p50 = cell(got, "Risk", f"{get_column_letter(risk_sheet.FIRST_COL + 2)}{risk_sheet.RISK_TOP + 3}")
    assert math.isclose(p50, want.npv_p50, rel_tol=1e-9)


def test_risk_sheet_heat_map_equals_the_engine_grid(solved):
    from openpyxl.utils import get_column_letter

    from pricing.model import risk as risk_model
    from pricing.model.risk_tables import grid_title
    from workbook.sheets import risk as risk_sheet
    from workbook.sheets import risk_grid

    g = risk_grid
    want = risk_model.grid(
        presets()[1].scenario, g.X_FIELD, g.X_VALUES, g.Y_FIELD, g.Y_VALUES, g.OUTPUT, bundled_catalog()
    )
    top = g.layout(risk_sheet.GRID_TOP)["table"]
    for i in range(len(g.Y_VALUES)):
        for j in range(len(g.X_VALUES)):
            got = cell(solved, "Risk", f"{get_column_letter(g.FIRST_COL + 1 + j)}{top + 1 + i}")
            assert math.isclose(got, want[i][j], rel_tol=1e-9), (i, j, got, want[i][j])
    corner = cell(solved, "Risk", f"{get_column_letter(g.FIRST_COL)}{top}")
    assert corner == grid_title(g.OUTPUT, g.X_FIELD, g.Y_FIELD)  # says what the grid is, in words
    assert corner.startswith("NPV over the horizon (USD): rows = ")


def test_calculator_shows_the_risk_range_beside_the_answer(solved):
    from pricing.model import risk as risk_model
    from workbook.sheets import risk as risk_sheet

    mc = risk_model.monte_carlo(
        presets()[1].scenario, None, risk_sheet.DRAWS, risk_sheet.SEED, bundled_catalog()
    )
    rows = calculator.output_rows()
    assert math.isclose(cell(solved, "Calculator", f"H{rows['=risk:npv:1']}"), mc.npv_p10, rel_tol=1e-9)
    assert math.isclose(cell(solved, "Calculator", f"H{rows['=risk:npv:3']}"), mc.npv_p90, rel_tol=1e-9)
    chance = cell(solved, "Calculator", f"H{rows['=risk:probability_pays_back_within_lifetime:1']}")
    assert math.isclose(chance, mc.prob_payback_within_lifetime, rel_tol=1e-12)


def test_an_input_typed_over_its_look_up_is_flagged_overridden(template, tmp_path):
    rows = calculator.field_rows()
    typed, kept = rows["queries_per_day"], rows["input_tokens"]
    got = solve(_edited(template, tmp_path, {f"Calculator!C{typed}": 12345}))
    assert cell(got, "Calculator", f"F{typed}") == "overridden"
    assert cell(got, "Calculator", f"F{kept}") in ("", None)


def test_calculator_shows_the_measured_decline_of_the_frontier_family(solved, template, tmp_path):
    from pricing.prices.decline import measured_decline

    rows = calculator.field_rows()
    row = rows["frontier_price_decline_annual"]
    frontier = presets()[1].scenario.frontier_model
    decline, _note = measured_decline(frontier)
    text = cell(solved, "Calculator", f"E{row}")
    assert f"{decline:.0%} a year" in text and "default 0" in text, text
    got = solve(_edited(template, tmp_path, {f"Calculator!C{rows['frontier_model']}": "gpt-4o"}))
    other = cell(got, "Calculator", f"E{row}")
    assert f"{measured_decline('gpt-4o')[0]:.0%} a year" in other, other


def test_audit_sheet_native_chain_equals_the_add_in(solved):
    """Issue 14: the Cash flow sheet's native figures equal the FT_ figures beside them."""
    from pricing.model.figures import label
    from workbook.sheets import audit, cashflow

    for i, key in enumerate(cashflow.ANSWERS):
        r = audit.FIRST_ROW + i
        assert cell(solved, "Audit", f"A{r}") == label(key)  # the figure's label, not its engine name
        assert cell(solved, "Audit", f"D{r}") == 1, (
            key,
            cell(solved, "Audit", f"B{r}"),
            cell(solved, "Audit", f"C{r}"),
        )
    assert "Audit" in cell(solved, "Checks", f"A{checks_row('Audit sheet')}")


def checks_row(text: str) -> int:
    from workbook.sheets import checks

    items = checks.checks(len(presets()))
    return checks.FIRST_ROW + next(i for i, (t, _) in enumerate(items) if text in t)
