"""The Refresh prices buttons in the built files (workbook/runtimes/buttons.py).

lite / xlsx (xlwings Server): each `@script(button="[shape]Sheet!Cell")` names a shape that
exists in that sheet's drawing, covers that cell and hyperlinks to it, parsed the way
xlwings-server's sheet-buttons.js parses the reference. classic: a VML form button whose macro
is a Sub of the VBA project (olevba) that calls RunPython on the sibling module's main(). Every
part parses and every relationship and content type resolves. Whether Excel runs them is for
Excel to show (docs/RUNTIMES.md).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlwings.server as xs
from oletools.olevba import VBA_Parser
from openpyxl.utils.cell import range_boundaries

from tests.libreoffice import SOFFICE, convert
from workbook.package import Package
from workbook.runtimes import buttons
from workbook.runtimes.buttons import REFRESH_BUTTONS, Button, ButtonError, add_buttons
from workbook.sheets import about, calculator, changelog, pricing
from xl_addin import scripts

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
P = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
X = "{urn:schemas-microsoft-com:office:excel}"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


@pytest.fixture(scope="module")
def built(runtime_files):
    return runtime_files


# --- reading a package, independently of workbook/runtimes/buttons.py ---------------------


def _target(source: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _rels(z: zipfile.ZipFile, part: str) -> list[ET.Element]:
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    return list(ET.fromstring(z.read(rels))) if rels in z.namelist() else []


def _sheet_part(z: zipfile.ZipFile, title: str) -> str:
    book = ET.fromstring(z.read("xl/workbook.xml"))
    rid = next(s.get(f"{R}id") for s in book.iter(f"{M}sheet") if s.get("name") == title)
    rel = next(r for r in _rels(z, "xl/workbook.xml") if r.get("Id") == rid)
    return _target("xl/workbook.xml", rel.get("Target"))


def _related(z: zipfile.ZipFile, part: str, rel_type: str) -> str | None:
    kind = f"/relationships/{rel_type}"
    rel = next((r for r in _rels(z, part) if r.get("Type").endswith(kind)), None)
    return None if rel is None else _target(part, rel.get("Target"))


def parse_button_ref(ref: str) -> tuple[str | None, str, str]:
    """(shape, sheet, cell) as xlwings-server's sheet-buttons.js reads `[shape]Sheet!Cell`."""
    m = re.match(r"^\[(.*?)\](.*)$", ref)
    shape, rest = (m.group(1), m.group(2)) if m else (None, ref)
    sheet, cell = rest.split("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1]
    return shape, sheet, cell


def _covers(anchor: tuple[int, int, int, int], cell: str) -> bool:
    """Whether a (col0, row0, col1, row1) drawing anchor, 0-based and end-exclusive, covers `cell`."""
    col, row = range_boundaries(cell)[:2]
    col0, row0, col1, row1 = anchor
    return col0 <= col - 1 < col1 and row0 <= row - 1 < row1


def _shape(z: zipfile.ZipFile, sheet: str, name: str):
    drawing = _related(z, _sheet_part(z, sheet), "drawing")
    assert drawing, f"{sheet} has no drawing"
    root = ET.fromstring(z.read(drawing))
    for anchor in root.findall(f"{XDR}twoCellAnchor"):
        sp = anchor.find(f"{XDR}sp")
        if sp is None:
            continue
        props = sp.find(f"{XDR}nvSpPr/{XDR}cNvPr")
        if props.get("name") == name:
            frm, to = anchor.find(f"{XDR}from"), anchor.find(f"{XDR}to")
            box = tuple(
                int(e.find(f"{XDR}{k}").text)
                for e, k in ((frm, "col"), (frm, "row"), (to, "col"), (to, "row"))
            )
            link = props.find(f"{A}hlinkClick")
            rel = next(r for r in _rels(z, drawing) if r.get("Id") == link.get(f"{R}id"))
            text = "".join(t.text for t in sp.iter(f"{A}t"))
            return box, rel, text, root
    raise AssertionError(f"no shape named {name!r} on {sheet}")


def _button_scripts() -> list[dict]:
    return [m for m in xs.custom_scripts_meta(scripts) if m.get("button")]


# --- lite and xlwings Server: shapes --------------------------------------------------------


def test_one_script_per_button_on_the_sheets_that_mention_it():
    refs = {m["function_name"]: parse_button_ref(m["button"]) for m in _button_scripts()}
    assert refs == {
        "refresh_prices": (pricing.REFRESH_BUTTON, pricing.SHEET, pricing.REFRESH_BUTTON_CELL),
        "refresh_prices_calculator": (
            calculator.REFRESH_BUTTON,
            calculator.SHEET,
            calculator.REFRESH_BUTTON_CELL,
        ),
    }
    assert [b.reference for b in REFRESH_BUTTONS] == [m["button"] for m in _button_scripts()]


@pytest.mark.parametrize("runtime", ["lite", "server"])
def test_each_script_button_names_a_shape_that_covers_and_links_its_cell(built, runtime):
    wb = openpyxl.load_workbook(built[runtime])
    with zipfile.ZipFile(built[runtime]) as z:
        for meta in _button_scripts():
            shape, sheet, cell = parse_button_ref(meta["button"])
            box, rel, text, _ = _shape(z, sheet, shape)
            assert _covers(box, cell)
            # Following the link selects exactly `cell`: Lite compares the selection's address.
            assert rel.get("Type") == HYPERLINK and rel.get("TargetMode") is None
            assert rel.get("Target") == f"#{sheet}!{cell}"
            assert text == buttons.REFRESH_TEXT
            ws = wb[sheet]
            assert not any(cell in m for m in ws.merged_cells.ranges), f"{sheet}!{cell} is merged"
            # The button cell must not be selected on open, or the first click does nothing.
            selected = {s.activeCell for s in ws.sheet_view.selection}
            assert cell not in selected
            # A protected sheet must still let the link select the cell and the shape be clicked.
            assert not (
                ws.protection.sheet and ws.protection.selectLockedCells and ws[cell].protection.locked
            )
            assert not (ws.protection.sheet and ws.protection.objects)
    # Drawn once per runtime that runs scripts; the copy without an add-in has no button.
    with zipfile.ZipFile(built["none"]) as z:
        assert not any(
            b"RefreshPricesButton" in z.read(n) for n in z.namelist() if n.startswith("xl/drawings/")
        )


def test_the_calculator_chart_keeps_its_place_beside_the_button(built):
    with zipfile.ZipFile(built["lite"]) as z:
        drawing = _related(z, _sheet_part(z, calculator.SHEET), "drawing")
        _, _, _, root = _shape(z, calculator.SHEET, calculator.REFRESH_BUTTON)
        ids = [int(p.get("id")) for p in root.iter(f"{XDR}cNvPr")]
        assert len(ids) == len(set(ids)) >= 2  # the chart and the button
        charts = [r for r in _rels(z, drawing) if r.get("Type").endswith("/chart")]
        assert charts and all(_target(drawing, r.get("Target")) in z.namelist() for r in charts)
        rids = [r.get("Id") for r in _rels(z, drawing)]
        assert len(rids) == len(set(rids))


def test_the_cells_beside_the_buttons_show_the_last_result(built):
    for runtime in ("lite", "classic", "server"):
        wb = openpyxl.load_workbook(built[runtime])
        for sheet, cell in (
            (pricing.SHEET, pricing.REFRESH_RESULT_CELL),
            (calculator.SHEET, calculator.REFRESH_RESULT_CELL),
        ):
            assert wb[sheet][cell].value == f"={changelog.STATUS_NAME}"
        assert changelog.STATUS_NAME in wb.defined_names
    static = openpyxl.load_workbook(built["none"])
    assert static[pricing.SHEET][pricing.REFRESH_RESULT_CELL].value is None


def test_the_texts_name_the_button_as_it_appears_and_where(built):
    wb = openpyxl.load_workbook(built["lite"])
    texts = [c.value for ws in (wb[about.SHEET], wb[pricing.SHEET]) for row in ws.iter_rows() for c in row]
    mentions = [t for t in texts if isinstance(t, str) and "Refresh prices button" in t]
    assert len(mentions) >= 2
    assert all(pricing.REFRESH_BUTTON_CELL in t for t in mentions)  # names where it is
    about_texts = [t for t in mentions if "Calculator" in t and "Pricing sheet" in t]
    assert about_texts and all(calculator.REFRESH_BUTTON_CELL in t for t in about_texts)
    static = openpyxl.load_workbook(built["none"])
    texts = [c.value for ws in static for row in ws.iter_rows() for c in row]
    assert not any(isinstance(t, str) and "Refresh prices button (" in t for t in texts)


# --- classic: form controls ----------------------------------------------------------------


def _vml_buttons(z: zipfile.ZipFile, sheet: str) -> list[tuple[str, tuple[int, ...], str]]:
    vml = _related(z, _sheet_part(z, sheet), "vmlDrawing")
    assert vml, f"{sheet} has no legacy drawing"
    out = []
    for data in ET.fromstring(z.read(vml)).iter(f"{X}ClientData"):
        if data.get("ObjectType") == "Button":
            anchor = tuple(int(v) for v in data.find(f"{X}Anchor").text.split(","))
            out.append((data.find(f"{X}FmlaMacro").text, anchor, vml))
    return out


def _vba_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def test_classic_buttons_run_a_macro_of_the_vba_project_that_runs_main(built):
    path = built["classic"]
    modules = _vba_modules(path)
    with zipfile.ZipFile(path) as z:
        for b in REFRESH_BUTTONS:
            [(macro, anchor, _)] = _vml_buttons(z, b.sheet)
            # x:Anchor: left col, offset, top row, offset, right col, offset, bottom row, offset
            assert _covers((anchor[0], anchor[2], anchor[4], anchor[6]), b.cell)
            book, _, sub = macro.rpartition("!")
            assert book == "[0]"  # this workbook's own VBA project
            [code] = [c for c in modules.values() if re.search(rf"^Sub {re.escape(sub)}\(\)", c, re.M)]
            body = code.split(f"Sub {sub}()", 1)[1].split("End Sub", 1)[0]
            # The VBA computes `mymodule` from the workbook's name; evaluate it for ours.
            assert 'mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, ".", -1' in body
            call = re.search(r"RunPython (.+)", body).group(1)
            mymodule = path.stem
            command = "".join(
                mymodule if p.strip() == "mymodule" else p.strip().strip('"') for p in call.split("&")
            )
            assert command == f"import {mymodule};{mymodule}.main()"
    # ... and that module's main() is the refresh (the sibling written beside the workbook).
    sibling = path.with_suffix(".py").read_text("utf-8")
    assert "from xl_addin.scripts import main" in sibling


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_the_buttons_and_their_macro(built, tmp_path):
    """An independent reader: LibreOffice binds each form button to the VBA project's macro and
    keeps each Lite shape over its cell."""
    ods = convert(built["classic"], "ods", tmp_path / "classic")
    content = zipfile.ZipFile(ods).read("content.xml").decode("utf-8")
    labels = re.findall(r'<form:button [^>]*form:label="([^"]*)"', content)
    assert labels == [buttons.REFRESH_TEXT] * len(REFRESH_BUTTONS)
    macros = re.findall(r'script:event-name="form:performaction" xlink:href="([^"]*)"', content)
    assert (
        macros
        == ["vnd.sun.star.script:VBAProject.Module1.SampleCall?language=Basic&amp;location=document"] * 2
    )
    ods = convert(built["lite"], "ods", tmp_path / "lite")
    content = zipfile.ZipFile(ods).read("content.xml").decode("utf-8")
    cells = set(re.findall(r'table:end-cell-address="([^"]*)"[^>]*draw:name="RefreshPricesButton"', content))
    assert cells == {f"{b.sheet}.{b.cell}" for b in REFRESH_BUTTONS}


# --- every runtime: parts, relationships, content types ------------------------------------


@pytest.mark.parametrize("runtime", ["lite", "classic", "server"])
def test_every_part_parses_and_every_relationship_resolves(built, runtime):
    with zipfile.ZipFile(built[runtime]) as z:
        names = set(z.namelist())
        ct = ET.fromstring(z.read("[Content_Types].xml"))
        defaults = {d.get("Extension").lower() for d in ct.iter(f"{CT}Default")}
        overrides = {o.get("PartName")[1:] for o in ct.iter(f"{CT}Override")}
        assert overrides <= names
        for name in names:
            if name.endswith((".xml", ".rels", ".vml")):
                ET.fromstring(z.read(name))  # parses
            assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, name
            if "/_rels/" not in name and not name.startswith("_rels/"):
                continue
            rels = list(ET.fromstring(z.read(name)))
            assert len({r.get("Id") for r in rels}) == len(rels), f"duplicate ids in {name}"
            source = name.replace("_rels/", "").removesuffix(".rels")
            for r in rels:
                target = r.get("Target")
                if r.get("TargetMode") == "External" or target.startswith("#"):
                    continue
                assert _target(source, target) in names, f"{name}: {target}"
        drawings = {n for n in names if n.startswith("xl/drawings/drawing")}
        assert drawings and drawings <= overrides  # the new Pricing drawing too
        assert ("vml" in defaults) == (runtime == "classic")


# --- add_buttons itself ----------------------------------------------------------------------


def _one_sheet(tmp_path: Path, *, chart: bool = False) -> Package:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "My Sheet"
    if chart:
        from openpyxl.chart import BarChart, Reference

        ws.append([1])
        c = BarChart()
        c.add_data(Reference(ws, min_col=1, min_row=1))
        ws.add_chart(c, "E5")
    path = tmp_path / ("chart.xlsx" if chart else "plain.xlsx")
    wb.save(path)
    return Package.read(path)


def _zip(package: Package) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, data in package.parts.items():
            z.writestr(n, data)
    return zipfile.ZipFile(buf)


def test_a_sheet_name_with_a_space_is_quoted_in_the_link_and_reference(tmp_path):
    b = Button("My Sheet", "B3:C3", "Go", "GoButton")
    assert b.reference == "[GoButton]'My Sheet'!B3"
    assert parse_button_ref(b.reference) == ("GoButton", "My Sheet", "B3")
    package = _one_sheet(tmp_path, chart=True)
    add_buttons(package, [b], "lite")
    box, rel, text, root = _shape(_zip(package), "My Sheet", "GoButton")
    assert rel.get("Target") == "#'My Sheet'!B3" and text == "Go" and box == (1, 2, 3, 3)
    assert len(root) == 2  # the chart's anchor kept, the button's added


def test_bad_buttons_are_refused_with_the_reason(tmp_path):
    package = _one_sheet(tmp_path)
    with pytest.raises(ButtonError, match="no sheet 'Nope'"):
        add_buttons(package, [Button("Nope", "A1", "x", "X")], "lite")
    with pytest.raises(ButtonError, match="runtime must be one of"):
        add_buttons(package, [Button("My Sheet", "A1", "x", "X")], "none")
    add_buttons(package, [Button("My Sheet", "A1", "x", "X")], "lite")
    with pytest.raises(ButtonError, match="already has a shape named 'X'"):
        add_buttons(package, [Button("My Sheet", "B1", "y", "X")], "lite")
    add_buttons(package, [Button("My Sheet", "A1", "x", "X")], "classic")
    with pytest.raises(ButtonError, match="already has a legacy"):
        add_buttons(package, [Button("My Sheet", "A1", "x", "X")], "classic")


def test_the_sheet_elements_go_where_the_schema_wants_them(built):
    # CT_Worksheet: ... drawing, legacyDrawing, ..., tableParts, extLst (ECMA-376 sml.xsd).
    order = ["drawing", "legacyDrawing", "tableParts", "extLst"]
    for runtime in ("lite", "classic"):
        with zipfile.ZipFile(built[runtime]) as z:
            for title in (pricing.SHEET, calculator.SHEET):
                tags = [c.tag.removeprefix(M) for c in ET.fromstring(z.read(_sheet_part(z, title)))]
                present = [t for t in tags if t in order]
                assert present == sorted(present, key=order.index)
                assert present[-1] in ("tableParts", "extLst") or title == calculator.SHEET
                assert ("legacyDrawing" in tags) == (runtime == "classic")
