"""Every FT_ call stored the way Excel binds it, for each runtime (issue 13).

Lite and Server: `_xldudf_` names, each listed in the add-in part's customFunctionIdList and
registered by the code the add-in runs; classic: the plain names Import Functions writes. Every
FT_ cell is a dynamic array (cm + xl/metadata.xml as Excel and XlsxWriter write them), carries the
engine's answer as its cached value, and has room to spill to its largest size. formulon, an
Excel 365 engine independent of us, shows no implicit-intersection `@` on an FT_ cell.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings.server as xs
from lxml import etree
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from pricing.model.breakeven import evaluate, schedule
from pricing.model.presets import presets
from pricing.model.risk_tables import MAX_TORNADO_ROWS
from pricing.model.serving_modes import HEADERS as SERVING_HEADERS
from pricing.prices.catalog import SERVING_MODES
from pricing.prices.store import bundled_catalog
from tests import ooxml
from tests.officejs import call
from workbook.build import build_template
from workbook.dynamic_arrays import METADATA_PART, METADATA_XML
from workbook.formulas import ft_functions, storage
from workbook.runtimes import lite
from workbook.sheets import calculator, risk, risk_grid, scenarios
from xl_addin import functions

ADDIN_RUNTIMES = ("lite", "server", "classic")
FT_IDS = {f["id"] for f in xs.custom_functions_meta(functions)["functions"]}


@pytest.fixture(scope="module")
def built(runtime_files):
    return runtime_files


def _ft_cells(path: Path) -> dict[tuple[str, str], str]:
    return {k: c.text for k, c in ooxml.formula_cells(path).items() if c.text and "FT_" in c.text}


@pytest.mark.parametrize("runtime", ADDIN_RUNTIMES)
def test_every_ft_formula_is_a_dynamic_array_and_nothing_else_is(built, runtime):
    cells = _ft_cells(built[runtime])
    assert len(cells) >= 30
    assert ooxml.dynamic_array_cells(built[runtime]) == set(cells)


def test_the_file_without_add_in_has_no_ft_formula_and_no_dynamic_array(built):
    assert _ft_cells(built["none"]) == {}
    with zipfile.ZipFile(built["none"]) as z:
        assert METADATA_PART not in z.namelist()
    assert lite.read_settings(built["none"]) == {}


def test_metadata_part_is_what_xlsxwriter_writes_for_a_dynamic_array(built, tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    ref = tmp_path / "xlsxwriter.xlsx"
    wb = xlsxwriter.Workbook(str(ref))
    wb.add_worksheet().write_dynamic_array_formula("A1", "=SEQUENCE(3)")
    wb.close()

    def canonical(data: bytes) -> bytes:
        return etree.tostring(etree.fromstring(data), method="c14n")

    with zipfile.ZipFile(ref) as theirs, zipfile.ZipFile(built["lite"]) as ours:
        assert canonical(ours.read(METADATA_PART)) == canonical(theirs.read(METADATA_PART))
        cell = etree.fromstring(theirs.read("xl/worksheets/sheet1.xml")).find(f".//{{{ooxml.MAIN}}}c")
        assert cell.get("cm") == "1"  # XlsxWriter points its cells at record 1, as we do
    assert canonical(METADATA_XML) == canonical(theirs_metadata(ref))


def theirs_metadata(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(METADATA_PART)


@pytest.mark.parametrize("runtime", ["lite", "server"])
def test_stored_names_equal_the_id_list_and_what_the_add_in_registers(built, runtime, tmp_path, monkeypatch):
    path = built[runtime]
    names = ooxml.stored_udf_names(path)
    assert names == set(ooxml.custom_function_ids(path))
    prefix = storage(runtime).prefix
    assert all(n.startswith(prefix) for n in names)
    used = {n.removeprefix(prefix) for n in names}
    assert {"FT_SCENARIO", "FT_SCHEDULE", "FT_SCENARIOS", "FT_RISK", "FT_PRICES_AS_OF"} <= used
    registered = FT_IDS
    if runtime == "lite":  # the main.py stored in the workbook, run through xlwings' Office.js path
        main_py = tmp_path / "main.py"
        main_py.write_text(lite.read_settings(path)["main.py"], "utf-8")
        monkeypatch.setattr(sys, "path", list(sys.path))
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        spec = importlib.util.spec_from_file_location("ft_lite_main_storage", main_py)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        registered = {f["id"] for f in xs.custom_functions_meta(module)["functions"]}
    assert used <= registered
    # and no formula calls FT_ under any other name
    for text in _ft_cells(path).values():
        assert all(f"{prefix}{name}(" in text for name in ft_functions(text.replace(prefix, "")))


def test_classic_stores_plain_names_that_import_functions_defines(built):
    cells = _ft_cells(built["classic"])
    assert not ooxml.stored_udf_names(built["classic"]) and not ooxml.custom_function_ids(built["classic"])
    used = {name for text in cells.values() for name in ft_functions(text)}
    assert used <= FT_IDS  # Import Functions writes one VBA function per Python ft_ function


@pytest.mark.parametrize("runtime", ADDIN_RUNTIMES)
def test_formulon_shows_no_implicit_intersection_on_ft_cells(built, runtime):
    view = ooxml.formulon_view(built[runtime], sorted(_ft_cells(built[runtime])))
    assert all(v == 0 for k, v in view.diagnostics.items() if k.startswith("undecoded")), view.diagnostics
    assert view.formulas and all(f and f.startswith("=") for f in view.formulas.values())
    at = {k: f for k, f in view.formulas.items() if "@" in f}
    assert not at, at


def test_cached_values_are_the_engine_answers(built):
    preset = presets()[1]  # the build's default selection
    catalog = bundled_catalog()
    inputs = calculator.python_inputs(preset.scenario, catalog)
    result = evaluate(inputs, catalog)
    rows = calculator.output_rows()

    def cached(ref):
        c = ooxml.cell_xml(built["lite"], calculator.SHEET, ref)
        return c.get("t"), c.findtext(f"{{{ooxml.MAIN}}}v")

    t, v = cached(f"H{rows['payback_months']}")
    assert t is None and math.isclose(float(v), result.payback_months, rel_tol=1e-12)
    assert cached(f"H{rows['verdict']}") == ("str", result.verdict)
    wb = openpyxl.load_workbook(built["lite"])
    ws = wb[calculator.SHEET]
    top = calculator.SCHEDULE_HEADER_ROW
    want = schedule(inputs, catalog, calculator.SCHEDULE_MONTHS)
    assert ws[f"L{top}"].value.ref == f"L{top}:P{top + calculator.SCHEDULE_MONTHS + 1}"
    assert math.isclose(ws[f"P{top + 1 + 12}"].value, want[12]["cumulative_net"], rel_tol=1e-12)


def _anchors(path: Path) -> dict[tuple[str, str], str]:
    """(sheet, anchor) -> the range its cached answer spills into, for every dynamic-array cell."""
    return {k: f.get("ref") for k, f in ooxml.formula_cells(path).items() if f.getparent().get("cm")}


def _largest(function: str, anchor: str) -> tuple[int, int]:
    """The most rows and columns an FT_ function can spill here (its arguments' limits)."""
    if function == "FT_SCHEDULE":
        return calculator.MAX_SCHEDULE_MONTHS + 2, 5
    if function == "FT_SENSITIVITY":
        return MAX_TORNADO_ROWS, 6
    if function == "FT_RISK":
        return 6, 4
    if function == "FT_SCENARIOS":  # the table grows downwards: keep the column clear below it
        return 1000, 1
    if function == "FT_SERVING_MODES":  # a header and one row per serving mode, every column
        return 1 + len(SERVING_MODES), len(SERVING_HEADERS)
    if function == "FT_GRID":
        return len(risk_grid.Y_VALUES) + 1, len(risk_grid.X_VALUES) + 1
    return 1, 1


def test_every_spill_has_room_to_grow_to_its_largest_size(built):
    """A blocked spill shows #SPILL!: every cell an FT_ answer may cover holds nothing else (its
    own cached answer apart) and is not merged."""
    wb = openpyxl.load_workbook(built["lite"])
    anchors = _anchors(built["lite"])
    assert len(anchors) >= 30
    for (title, anchor), ref in anchors.items():
        ws = wb[title]
        text = ws[anchor].value.text
        height, width = _largest(ft_functions(text.replace("_xldudf_", ""))[0], anchor)
        c1, r1, c2, r2 = range_boundaries(ref)
        height, width = max(height, r2 - r1 + 1), max(width, c2 - c1 + 1)
        # a one-value answer may sit in a merged text box (the notes): it spills nowhere
        merged = [m for m in ws.merged_cells.ranges if m.min_row < r1 + height and m.max_row >= r1]
        if (height, width) == (1, 1):
            continue
        for i in range(height):
            for j in range(width):
                r, c = r1 + i, c1 + j
                cached = r <= r2 and c <= c2
                if not cached:
                    assert ws.cell(r, c).value is None, (title, anchor, ws.cell(r, c).coordinate)
                assert not [m for m in merged if m.min_col <= c <= m.max_col and m.min_row <= r <= m.max_row]


@pytest.mark.parametrize("months", [1, 12, 60, 120])
def test_schedule_spills_its_true_size(built, months):
    """FT_SCHEDULE through the Office.js path returns months + 2 rows (header, month 0..months);
    the Calculator's validation allows 1..120 and the sheet is laid out for all of them."""
    inputs = calculator.python_inputs(presets()[1].scenario, bundled_catalog())
    block = [[k, v] for k, v in inputs.items()]
    rows = call("ft_schedule", block, months)
    assert len(rows) == months + 2 and rows[-1][0] == months
    wb = openpyxl.load_workbook(built["lite"])
    dv = [
        d
        for d in wb[calculator.SHEET].data_validations.dataValidation
        if f"N{calculator.SCHEDULE_HEADER_ROW - 1}" in str(d.sqref)
    ]
    assert dv and dv[0].formula2 == str(calculator.MAX_SCHEDULE_MONTHS) and dv[0].showErrorMessage


def test_scenarios_outputs_follow_a_200_row_table(tmp_path):
    """The table may grow: FT_SCENARIOS reads ScenariosTable[#All], so its answer covers every
    row (stored ref and the Office.js call agree), here for 200 scenarios."""
    many = []
    for i in range(200):
        s = presets()[i % len(presets())].scenario.model_copy(update={"name": f"case {i}"})
        many.append(s)
    path = build_template(bundled_catalog(), many, tmp_path / "many.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[scenarios.SHEET]
    table = ws.tables[scenarios.TABLE]
    c1, r1, c2, r2 = range_boundaries(table.ref)
    assert r2 - r1 >= 200
    first_out = len(scenarios.INPUT_COLUMNS) + 2
    anchor = ws.cell(scenarios.FIRST_ROW, first_out)
    assert f"{scenarios.TABLE}[#All]" in anchor.value.text
    assert anchor.value.ref == f"{anchor.coordinate}:{get_column_letter(first_out)}{r2}"
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2)]
    header = ws.cell(scenarios.HEADER_ROW, first_out).value
    name = scenarios.OUTPUT_NAMES[0]
    assert header == "Frontier cost per month"  # the label heads the column and is the `output`
    got = call("ft_scenarios", values, header)
    assert len(got) == r2 - r1
    for i in (0, 77, 199):
        cached = ws.cell(scenarios.FIRST_ROW + i, first_out).value
        cached = anchor.value if i == 0 else cached
        want = evaluate(many[i], bundled_catalog())
        assert math.isclose(got[i][0], getattr(want, name), rel_tol=1e-9)
        if i:
            assert math.isclose(cached, got[i][0], rel_tol=1e-9)


def test_validations_stop_bad_entries_with_their_message(built):
    wb = openpyxl.load_workbook(built["lite"])
    found = 0
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            found += 1
            assert dv.showErrorMessage and dv.errorStyle in (None, "stop"), (ws.title, dv.sqref)
            assert dv.error and dv.errorTitle, (ws.title, dv.sqref)
    assert found >= 30  # the old 10, plus one per numeric input of the Calculator


def test_sheets_are_protected_with_inputs_open_and_answers_locked(built):
    wb = openpyxl.load_workbook(built["lite"])
    ws = wb[calculator.SHEET]
    assert ws.protection.sheet and not ws.protection.password
    for row in calculator.field_rows().values():
        assert ws.cell(row, 3).protection.locked is False
    for row in calculator.output_rows().values():
        assert ws.cell(row, 8).protection.locked is not False
    for title in (risk.SHEET, "Checks", "About"):
        assert wb[title].protection.sheet
    # the sheets a refresh or a new scenario writes to stay open
    for title in (scenarios.SHEET, "Pricing", "Changelog"):
        assert not wb[title].protection.sheet


def test_every_ft_anchor_is_recorded_once(built):
    anchors = _anchors(built["lite"])
    assert len(anchors) == len(_ft_cells(built["lite"]))
    for (_title, anchor), ref in anchors.items():
        assert ref.split(":")[0] == anchor  # each answer spills from its own cell


def test_schedule_chart_plots_the_months_shown(built):
    """The chart's series are sheet-level names from month 0 to the months cell (no blank or #N/A
    months plotted); the file without add-in keeps a fixed range LibreOffice can draw."""
    for runtime, named in (("lite", True), ("classic", True), ("none", False)):
        with zipfile.ZipFile(built[runtime]) as z:
            chart = next(
                z.read(n).decode()
                for n in sorted(z.namelist())
                if n.startswith("xl/charts/") and "Cumulative net cash flow" in z.read(n).decode()
            )
        refs = re.findall(r"<(?:c:)?f>([^<]*)</", chart)
        assert (refs == ["Calculator!ScheduleMonths", "Calculator!ScheduleCumulative"]) is named, refs
    wb = openpyxl.load_workbook(built["lite"])
    names = wb[calculator.SHEET].defined_names
    months = f"$N${calculator.SCHEDULE_HEADER_ROW - 1}"
    for name in ("ScheduleMonths", "ScheduleCumulative"):
        assert months in names[name].attr_text and "INDEX(" in names[name].attr_text
