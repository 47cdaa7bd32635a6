"""The printed workbook: every page at a readable scale, no title, heading or note cut at the
edge of its printed part or spilling into the next one (seen in LibreOffice renders: the
Scenarios title cut to "Scenarios: one row per c", the About page at about 35%, the
Calculator's 126 rows forced onto one page).

Text widths are estimated from the characters, the font size and boldness (no font metrics
here): a column `width` wide holds about 1.1 x width characters of 10-11 pt prose.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from libreoffice import SOFFICE, convert_many
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from workbook import styles
from workbook.sheets import about, cashflow, pricing, risk, scenarios

PER_UNIT = 1.1  # characters of 10-11 pt prose per unit of column width
DEFAULT_HEIGHT = 15.0  # points: a row the file does not size


def printed(wb) -> list:
    """The sheets a file prints: every visible one (hidden copies such as "Scenarios as built" don't)."""
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible"]


def text_width(cell) -> float:
    """Column-width units the cell's text needs on one line."""
    f = cell.font
    size = (f.sz or 11) if f else 11
    bold = bool(f and f.b)
    return len(str(cell.value)) / PER_UNIT * size / 10 * (1.1 if bold else 1.0)


def _width(ws, col: int) -> float:
    letter = get_column_letter(col)
    return styles.span_width(ws, letter, letter)


def _merged(ws):
    return {(r.min_row, r.min_col): r for r in ws.merged_cells.ranges}


def print_parts(ws) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each printed part: the print area's ranges, else
    the used range."""
    if not ws.print_area:
        return [(1, 1, ws.max_column, ws.max_row)]
    parts = ws.print_area if isinstance(ws.print_area, list) else ws.print_area.split(",")
    return [range_boundaries(p.split("!")[-1].replace("$", "")) for p in parts]


def cut_texts(ws) -> list[tuple]:
    """Texts that do not show whole on paper: a one-line text wider than the room to its right
    (up to the next filled cell, or the edge of its printed part), or a wrapped text taller
    than its row. Repeated print-title columns print beside every part."""
    merged = _merged(ws)
    inside = {c for r in ws.merged_cells.ranges for c in r.cells} - set(merged)
    titled = set()
    if ws.print_title_cols:
        a, b = ws.print_title_cols.replace("$", "").split(":")
        titled = set(range(column_index_from_string(a), column_index_from_string(b) + 1))
    out = []
    for c1, r1, c2, r2 in print_parts(ws):
        cols = sorted(set(range(c1, c2 + 1)) | titled)
        for row in ws.iter_rows(min_row=r1, max_row=r2):
            for cell in row:
                if (
                    cell.column not in cols
                    or (cell.row, cell.column) in inside
                    or _width(ws, cell.column) == 0
                ):
                    continue  # (a hidden column does not print)
                if not isinstance(cell.value, str) or cell.value.startswith("="):
                    continue
                span = merged.get((cell.row, cell.column))
                last = span.max_col if span else cell.column
                room = sum(_width(ws, c) for c in range(cell.column, last + 1))
                if cell.alignment is not None and cell.alignment.wrap_text:
                    f = cell.font
                    size = (f.sz or 11) if f else 11
                    lines = styles.wrapped_lines(cell.value, room, size, bool(f and f.b), per_unit=PER_UNIT)
                    rows = range(cell.row, (span.max_row if span else cell.row) + 1)
                    height = sum(ws.row_dimensions[r].height or DEFAULT_HEIGHT for r in rows)
                    if height < lines * styles.LINE_POINTS * size / 10:
                        out.append(
                            (cell, f"{ws.title}!{cell.coordinate} needs {lines} lines: {cell.value[:40]!r}")
                        )
                    continue
                if cell.alignment is not None and cell.alignment.horizontal in ("right", "center"):
                    continue  # (numbers and short codes: not prose that spills right)
                # a one-line text spills right over empty cells, up to the part's edge
                nxt = cell.column + (last - cell.column) + 1
                while nxt in cols and ws.cell(cell.row, nxt).value is None and nxt not in titled:
                    room += _width(ws, nxt)
                    nxt += 1
                if text_width(cell) > room:
                    out.append(
                        (cell, f"{ws.title}!{cell.coordinate} cut at {room:.0f} of {text_width(cell):.0f}")
                    )
    return out


def test_the_checker_finds_a_cut_title(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "A title much longer than its one narrow printed column"
    ws["A1"].font = styles.font(bold=True, size=16)
    ws.column_dimensions["A"].width = 20
    ws.print_area = "A1:A3"
    assert cut_texts(ws)
    ws.column_dimensions["A"].width = 100
    assert not cut_texts(ws)
    ws["A2"] = "wrapped " * 40
    ws["A2"].alignment = styles.Alignment(wrap_text=True)
    assert cut_texts(ws)  # four lines in a 15 pt row
    ws.row_dimensions[2].height = 80
    assert not cut_texts(ws)


@pytest.mark.parametrize("runtime", ["lite", "none", "classic", "server"])
def test_no_text_is_cut_on_paper(runtime_files, runtime):
    """Every sheet the file prints, a sheet added later included."""
    sheets = printed(openpyxl.load_workbook(runtime_files[runtime]))
    assert len(sheets) >= 10, [ws.title for ws in sheets]
    cut = [t for ws in sheets for _c, t in cut_texts(ws)]
    assert not cut, cut


@pytest.mark.parametrize("runtime", ["lite", "none"])
def test_printed_pages_fit_the_width_only(runtime_files, runtime):
    """Fit to the page width, as many pages tall as needed: a sheet forced onto one page tall
    printed the Calculator's 126 rows at about a third of their size."""
    for ws in printed(openpyxl.load_workbook(runtime_files[runtime])):
        ps = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ps.fitToWidth, ps.fitToHeight) == (1, 0), ws.title


@pytest.mark.parametrize("runtime", ["lite", "none"])
def test_scenarios_print_their_title_whole(runtime_files, runtime):
    ws = openpyxl.load_workbook(runtime_files[runtime])[scenarios.SHEET]
    (c1, r1, _c2, _r2), *_ = print_parts(ws)
    assert r1 == 1 and ws.print_title_cols.replace("$", "") == "A:A"  # the title row prints
    assert ws["A1"].value == scenarios.TITLE
    assert text_width(ws["A1"]) <= _width(ws, 1)  # and fits the one column it prints in
    assert ws["B1"].value is None and ws["A2"].value is None  # nothing beside it to cut


def test_about_prints_one_page_wide_near_full_size(runtime_files):
    """Portrait A4 holds about 100 characters of width at 100%; About's columns fit that and no
    line spills past them (a spill is what the fit-to-width shrank)."""
    ws = openpyxl.load_workbook(runtime_files["none"])[about.SHEET]
    assert ws.page_setup.orientation == "portrait"
    assert _width(ws, 1) + _width(ws, 2) <= 105
    assert ws.max_column == 2


def test_cash_flow_prints_steps_then_months_under_the_header(runtime_files):
    """The steps (A:D) and the month table print apart, each at its own page width, the header
    row on every page; the table's part starts at that row (rows 1-3 hold the title, which
    spilled into it)."""
    ws = openpyxl.load_workbook(runtime_files["none"])[cashflow.SHEET]
    (a1, ar1, a2, _), (b1, br1, _, br2) = print_parts(ws)
    assert (a1, ar1, a2) == (1, 1, 4)
    assert (b1, br1, br2) == (
        cashflow.TABLE_COL,
        cashflow.STEP_TOP,
        cashflow.STEP_TOP + 1 + cashflow.MAX_MONTHS,
    )
    assert ws.print_title_rows.replace("$", "") == f"{cashflow.STEP_TOP}:{cashflow.STEP_TOP}"


# Landscape A4 between 0.4" margins holds about 126 units of column width at 100% (measured in
# LibreOffice's PDF: the 179-wide part of Pricing printed at 70%, the 124-wide at 100%).
LANDSCAPE_WIDTH = 126


@pytest.mark.parametrize("runtime", ["lite", "none"])
def test_pricing_prints_as_a_price_list(runtime_files, runtime):
    """Pricing printed three pages wide at about 25% under snake_case headers. Now: landscape,
    every column in one of the printed parts, each part with the repeated vendor and model
    columns at 70% scale or more, the label and field-name rows on every page."""
    ws = openpyxl.load_workbook(runtime_files[runtime])[pricing.SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows.replace("$", "") == f"{pricing.LABEL_ROW}:{pricing.HEADER_ROW}"
    assert ws.print_title_cols.replace("$", "") == "A:B"
    assert [ws.cell(pricing.HEADER_ROW, c).value for c in (1, 2)] == ["vendor", "model"]
    titles = _width(ws, 1) + _width(ws, 2)
    parts = print_parts(ws)
    covered = [c for c1, _r1, c2, _r2 in parts for c in range(c1, c2 + 1)]
    assert covered == list(range(3, len(pricing.PRICING_COLUMNS) + 1))  # each column once, in order
    for c1, _r1, c2, r2 in parts:
        width = titles + sum(_width(ws, c) for c in range(c1, c2 + 1))
        assert width <= LANDSCAPE_WIDTH / 0.7, (get_column_letter(c1), width)
        assert r2 == range_boundaries(ws.tables[pricing.TABLE].ref)[3]  # down to the last model


@pytest.mark.parametrize("runtime", ["lite", "none"])
def test_pricing_labels_every_column_over_its_field_name(runtime_files, runtime):
    """A finance reader sees a label with its unit; the row under it keeps the catalog field
    name that FT_PRICE takes and the INDEX/MATCH formulas look up."""
    ws = openpyxl.load_workbook(runtime_files[runtime])[pricing.SHEET]
    for j, col in enumerate(pricing.PRICING_COLUMNS, start=1):
        label = ws.cell(pricing.LABEL_ROW, j).value
        label_text, unit = pricing.COLUMN_LABELS[col]
        assert label.split("\n") == [label_text, unit] if unit else label == label_text, col
        assert "_" not in label, col  # no engine name shown as a label
        assert ws.cell(pricing.HEADER_ROW, j).value == pricing.header_text(col)
    assert set(pricing.COLUMN_LABELS) == set(pricing.PRICING_COLUMNS)


@pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice")
def test_tornado_value_axis_names_the_chosen_figures_unit(runtime_files, tmp_path):
    """The tornado's value axis had no unit; its title is the cell that names the unit of the
    figure picked, live as the pick changes (money in the report currency)."""
    ws = openpyxl.load_workbook(runtime_files["none"])[risk.SHEET]
    chart = ws._charts[0]
    assert chart.y_axis.title.tx.strRef.f.replace("$", "") == f"'{risk.SHEET}'!{risk.SWING_UNIT_CELL}"
    picks = {"NPV over the horizon": "USD", "Payback": "months", "Net benefit per month": "USD/month"}
    files = []
    for i, label in enumerate(picks):
        src = tmp_path / f"pick{i}.xlsx"
        shutil.copy(runtime_files["none"], src)
        wb = openpyxl.load_workbook(src)
        wb[risk.SHEET][risk.OUTPUT_CELL] = label
        wb.save(src)
        files.append(src)
    done = convert_many(files, "xlsx", tmp_path / "done")
    for path, unit in zip(done, picks.values(), strict=True):
        assert openpyxl.load_workbook(path, data_only=True)[risk.SHEET][risk.SWING_UNIT_CELL].value == (
            f"swing in {unit}"
        )
