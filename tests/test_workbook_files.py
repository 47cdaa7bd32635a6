"""The template's files: LibreOffice opens them, the static copy has no error value, every
formula is portable, no stray numbers hide in formulas, and inputs look like inputs."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from pricing.model.presets import presets
from pricing.prices.store import bundled_catalog
from tests.libreoffice import SOFFICE, convert
from workbook import styles
from workbook.build import build_template
from workbook.sheets import calculator, changelog, pricing, scenarios

PORTABLE = {
    "TEXT",  # the measured price decline beside its input, as a percentage
    "ISFORMULA",  # Excel 2013+ (stored _xlfn.ISFORMULA), LibreOffice, formulas: the "overridden" flags
    "INDEX",
    "MATCH",
    "SUM",
    "IF",
    "IFERROR",
    "MIN",
    "MAX",
    "AND",
    "OR",
    "NOT",
    "ISNUMBER",
    "ISBLANK",
    "ISERROR",
    "ERROR.TYPE",  # Excel 2000+, LibreOffice, formulas: a payback's #NUM! shown as "never"
    "TODAY",
    "COUNTIF",
    "ROUND",
    "ROWS",
    "LEFT",
    "SEARCH",
    # the native Cash flow chain (issue 14): Excel 2010+, LibreOffice, Google Sheets, formulas
    "INT",
    "N",
    "NA",
    "COUNT",
    "ABS",
    "NPV",
    "IRR",
    "SUMPRODUCT",  # no add-in: a Scenarios row against its inputs as built
}
CONSTANTS = {"0", "1", "12", "100", "1000", "1000000"}  # unit constants only
ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("wb")
    fn = [("FT_X", "demo", [("a", "doc", False)])]
    t = build_template(bundled_catalog(), presets(), d / "ft-breakeven.xlsx", functions=fn)
    s = build_template(
        bundled_catalog(), presets(), d / "ft-breakeven-static.xlsx", static=True, functions=fn
    )
    return d, t, s


def _formulas(path: Path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                text = v.text if isinstance(v, ArrayFormula) else v
                if isinstance(text, str) and text.startswith("="):
                    yield ws.title, c.coordinate, text


def test_sheets_and_contracts(built):
    _, t, _ = built
    wb = openpyxl.load_workbook(t)
    assert wb.sheetnames == [
        "About",
        "Calculator",
        "Cash flow",
        "Risk",
        "Scenarios",
        "Pricing",
        "Price history",
        "Changelog",
        "Checks",
        "Audit",
        "Functions",
        "xlwings.conf",
    ]
    assert (wb["xlwings.conf"]["A1"].value, wb["xlwings.conf"]["B1"].value) == (
        "UDF Modules",
        "xl_addin.functions",
    )
    head = [c.value for c in wb["Pricing"][pricing.HEADER_ROW]][: len(pricing.PRICING_COLUMNS)]
    assert tuple(head) == tuple(pricing.header_text(c) for c in pricing.PRICING_COLUMNS)
    assert len(pricing.pricing_rows(bundled_catalog())) == len(bundled_catalog().models)
    head = [c.value for c in wb["Changelog"][changelog.HEADER_ROW]][: len(changelog.CHANGELOG_COLUMNS) + 1]
    assert tuple(head) == (*changelog.CHANGELOG_COLUMNS, changelog.ACCEPT_COLUMN)
    dest = list(wb.defined_names["PricesAsOf"].destinations)
    assert (
        len(dest) == 1 and wb[dest[0][0]][dest[0][1].replace("$", "")].value.date() == bundled_catalog().as_of
    )
    assert wb["Functions"]["A5"].value == "FT_X(a)"
    assert {"PricingTable", "ScenariosTable"} <= set(wb["Pricing"].tables) | set(wb["Scenarios"].tables)
    names = [wb["Scenarios"].cell(scenarios.FIRST_ROW + i, 1).value for i in range(len(presets()))]
    assert names == [p.scenario.name for p in presets()]


def test_refresh_button_finds_what_it_rewrites(built):
    """xl_addin.scripts (the Refresh prices button) locates the header rows by their "model"
    cell and maps every Pricing header to its column of pricing_rows()."""
    from xl_addin import scripts

    _, t, _ = built
    wb = openpyxl.load_workbook(t)
    for sheet, header_row in (("Pricing", pricing.HEADER_ROW), ("Changelog", changelog.HEADER_ROW)):
        grid = [[c.value for c in row] for row in wb[sheet].iter_rows()]
        assert scripts._find_header(grid, "model")[0] == header_row - 1, sheet
    head = [c.value for c in wb["Pricing"][pricing.HEADER_ROW]][: len(pricing.PRICING_COLUMNS)]
    assert [scripts.PRICING_HEADERS.get(scripts._norm(h)) for h in head] == list(
        range(len(pricing.PRICING_COLUMNS))
    )
    row = [c.value for c in wb["Pricing"][pricing.FIRST_ROW]]
    assert isinstance(row[pricing.PRICING_COLUMNS.index("fine_tunable")], bool)  # as the refresh writes it
    for name in ("PricesAsOf", "RefreshStatus", "HoursPerMonth"):
        assert name in wb.defined_names
    conf = wb["xlwings.conf"]
    assert conf["A2"].value is None and conf["A3"].value  # the note sits below the key block


def test_formulas_are_portable_and_have_no_stray_numbers(built):
    _, t, _ = built
    found = 0
    for sheet, ref, f in _formulas(t):
        found += 1
        body = re.sub(r'"[^"]*"', '""', f)  # drop text literals
        for name in re.findall(r"([A-Z][A-Z0-9_.]*)\(", body):
            assert name in PORTABLE or name.startswith("FT_"), (sheet, ref, name)
        body = re.sub(r"'[^']*'!|\$?[A-Z]{1,3}\$?\d+", "", body)  # drop cell references
        body = re.sub(r"[A-Za-z_][A-Za-z0-9_.]*", "", body)  # drop names
        for number in re.findall(r"\d+(?:\.\d+)?", body):
            assert number in CONSTANTS, (sheet, ref, f, number)
    assert found > 100


def test_input_cells_are_styled(built):
    _, t, _ = built
    wb = openpyxl.load_workbook(t)
    ws = wb["Calculator"]
    for f, row in calculator.field_rows().items():
        assert styles.is_input(ws.cell(row, 3)), f
    for ref in ("C4",):
        assert styles.is_input(ws[ref])
    # every typed number on the Calculator and Scenarios sheets is an input (the numbers an FT_
    # array spilled when the file was built are its cached answer, not typed)
    for name in ("Calculator", "Scenarios"):
        spilled = set()
        for row in wb[name].iter_rows():
            for c in row:
                if isinstance(c.value, ArrayFormula):
                    c1, r1, c2, r2 = range_boundaries(c.value.ref)
                    spilled |= {(r, k) for r in range(r1, r2 + 1) for k in range(c1, c2 + 1)}
        assert spilled
        for row in wb[name].iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    assert styles.is_input(c) or (c.row, c.column) in spilled, (name, c.coordinate)


def test_static_copy_has_no_ft_formula(built):
    _, _, s = built
    assert not [x for x in _formulas(s) if "FT_" in x[2]]


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_both_and_static_has_no_errors(built, tmp_path):
    _, t, s = built
    assert convert(t, "pdf", tmp_path / "t").stat().st_size > 0
    xlsx = convert(s, "xlsx", tmp_path / "s")
    wb = openpyxl.load_workbook(xlsx, data_only=True)
    bad = [
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith(ERRORS)
    ]
    assert not bad, bad[:10]
    calc = wb["Calculator"]
    verdict_row = calculator.output_rows()["verdict"]
    assert calc.cell(verdict_row, 8).value == "Strong yes"
    assert str(wb["Checks"]["B3"].value).startswith("OK")
    assert (
        calc.cell(calculator.field_rows()["frontier_input_price"], 3).value
        == bundled_catalog().get("claude-sonnet-4-6").input
    )


def test_cli_build_writes_both(tmp_path, capsys):
    from xl_addin.cli import main

    assert main(["build", "-o", str(tmp_path / "a.xlsx")]) == 0
    assert main(["build", "--static", "-o", str(tmp_path / "b.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert str(wb["Functions"]["A5"].value).startswith("FT_")  # rows from the add-in's metadata
    assert "wrote" in capsys.readouterr().out


def test_changelog_timestamps_are_date_time_cells(tmp_path):
    logged = [
        ["2026-12-01T09:30:00+01:00", "gpt-4o", "input", 2.5, 2.0, "litellm", "ab12"],
        ["not a time", "gpt-4o", "output", 10.0, 8.0, "litellm", "ab12"],
    ]
    path = build_template(bundled_catalog(), presets(), tmp_path / "b.xlsx", changelog_rows=logged)
    ws = openpyxl.load_workbook(path)["Changelog"]
    first = ws.cell(changelog.FIRST_ROW, 1)
    assert first.value == datetime(2026, 12, 1, 8, 30) and first.is_date  # UTC, no zone
    assert ws.cell(changelog.FIRST_ROW + 1, 1).value == "not a time"  # kept as typed, not lost
    assert ws.cell(changelog.FIRST_ROW, 4).value == 2.5


def test_pricing_sheet_greys_retired_models_and_counts_verified_vendors(built):
    from pricing.prices.store import bundled_catalog
    from pricing.prices.verification import summary, vendor_checks

    _, t, _ = built
    ws = openpyxl.load_workbook(t)["Pricing"]
    cols = pricing.PRICING_COLUMNS
    catalog = bundled_catalog()
    retired = {
        row[cols.index("id")].value: row[cols.index("retired_date")].value
        for row in ws.iter_rows(
            min_row=pricing.FIRST_ROW, max_row=pricing.FIRST_ROW + len(catalog.models) - 1
        )
    }
    gone = {m.id for m in catalog.models if m.retired_by(catalog.as_of)}
    assert {"gemini-2.5-flash", "o4-mini", "bedrock-claude-3-haiku"} <= gone
    assert all(retired[m] is not None for m in gone) and retired["gpt-4.1"] is None
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    letter = pricing.col_letter("retired_date")
    assert any(f"${letter}{pricing.FIRST_ROW}<=PricesAsOf" in (r.formula or [""])[0] for r in rules)
    texts = [
        c.value for row in ws.iter_rows(max_row=pricing.HEADER_ROW) for c in row if isinstance(c.value, str)
    ]
    assert any(summary(vendor_checks(catalog)) in s for s in texts)
    headers = [c.value for c in ws[pricing.HEADER_ROW]]
    assert headers.count("vendor") == 1  # the refresh maps the table's columns by header text
