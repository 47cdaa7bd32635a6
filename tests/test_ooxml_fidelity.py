"""Every runtime's built file is what Excel itself would save (issue 13; tests/ooxml.py says how).

Three independent checks per file: the ISO/IEC 29500-4 transitional XSDs (lxml), openxml-audit (the
Open XML SDK's validator, Microsoft 365 profile) and formulon (an Excel 365 engine) reading it back.
Negative controls prove each validator can fail; a copy stored the way Excel stores a bound custom
function as a dynamic array (EXCEL_FIDELITY.md finding 1) proves the readers find that form.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests import ooxml
from workbook import runtimes
from xl_addin.cli import main

needs_schemas = pytest.mark.skipif(
    not ooxml.have_schemas(),
    reason="set FT_BREAKEVEN_OOXML_SCHEMAS to a folder of the ECMA-376 XSDs (tests/schemas/README.md)",
)

# Every runtime the CLI offers, plus --static while it is a flag and not a runtime of its own.
KINDS = list(runtimes.RUNTIMES) + ([] if "none" in runtimes.RUNTIMES else ["static"])
# openxml-audit warnings known and harmless: openpyxl's inline strings, which Excel moves to a
# shared-strings part on the first save (EXCEL_FIDELITY.md finding 9; no repair prompt).
KNOWN_AUDIT_WARNINGS = {"Excel_InlineStrCells"}
# Parts no vendored XSD covers, by content type: Microsoft's extensions and VML (xsd_errors checks
# their well-formedness and, for web extensions, Excel's layout; openxml-audit knows their schemas).
UNCOVERED_OK = ("application/vnd.ms-", "application/vnd.openxmlformats-officedocument.vmlDrawing")


def _build_args(kind: str, folder: Path) -> list[str]:
    if kind == "static":
        return ["build", "--static", "-o", str(folder / "fidelity_static.xlsx")]
    suffix = getattr(runtimes, "SUFFIX", {}).get(kind, ".xlsx")
    # An identifier: the classic runtime imports the sibling module by the file's name.
    return ["build", "--runtime", kind, "-o", str(folder / f"fidelity_{kind}{suffix}")]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """Each kind built once per session."""
    folder = tmp_path_factory.mktemp("fidelity")
    files = {}
    for kind in KINDS:
        args = _build_args(kind, folder)
        assert main(args) == 0, args
        files[kind] = Path(args[-1])
    return files


@needs_schemas
@pytest.mark.parametrize("kind", KINDS)
def test_every_xml_part_is_valid_against_the_transitional_schemas(built, kind):
    parts = ooxml.xml_parts(built[kind])
    uncovered = [p for p in parts if p.schema is None and not p.content_type.startswith(UNCOVERED_OK)]
    assert uncovered == [], "an ECMA-376 part type without a schema mapping in tests/ooxml.py"
    assert {"xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"} <= {p.name for p in parts}
    assert ooxml.xsd_errors(built[kind]) == []


@pytest.mark.parametrize("kind", KINDS)
def test_openxml_audit_finds_nothing_but_known_warnings(built, kind):
    findings = ooxml.audit_findings(built[kind])
    assert [str(f) for f in findings if f.severity != "warning"] == []
    assert {f.rule for f in findings} <= KNOWN_AUDIT_WARNINGS, [str(f) for f in findings]


@pytest.mark.parametrize("kind", KINDS)
def test_formulon_decodes_every_formula(built, kind):
    stored = list(ooxml.formula_cells(built[kind]))
    view = ooxml.formulon_view(built[kind], stored)
    assert view.diagnostics and not any(view.diagnostics.values()), view.diagnostics
    assert [cell for cell in stored if not view.formulas[cell]] == [], (
        "cells formulon reads without a formula"
    )


# --- negative controls: each validator can fail --------------------------------------------------


def _copy_with(src: Path, dst: Path, edits: dict[str, object]) -> Path:
    """A copy of the package with some parts rewritten (part name -> function of the text, or new text)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            edit = edits.pop(info.filename, None)
            if edit is not None:
                data = (edit(data.decode()) if callable(edit) else edit).encode()
            zout.writestr(info, data)
        for name, text in edits.items():  # parts the source lacks
            zout.writestr(name, text)
    return dst


def _once(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


@pytest.fixture(scope="session")
def plain(built) -> Path:
    """The file the negative controls break: a runtime with FT_ formulas in the Calculator."""
    return built["lite" if "lite" in built else runtimes.RUNTIMES[0]]


def _calculator(path: Path) -> str:
    return ooxml.sheet_parts(path)["Calculator"]


FOREIGN_NS = 'xmlns:foo="urn:example:foo" '
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
BROKEN = {
    "bogus element": ("</sheetData>", "</sheetData><bogus/>"),
    "cm not a number": ('cm="1"', 'cm="x"'),  # the first dynamic-array cell
    "foreign attribute": ("<worksheet ", "<worksheet " + FOREIGN_NS + 'foo:bar="1" '),
    "undeclared attribute": ("<f>", '<f foo="1">'),
    "Excel attribute not declared ignorable": (
        "<worksheet ",
        f'<worksheet xmlns:x14ac="{X14AC}" x14ac:dyDescent="1" ',
    ),
}


@needs_schemas
@pytest.mark.parametrize("case", list(BROKEN))
def test_schema_check_rejects_a_broken_sheet(plain, tmp_path, case):
    sheet = _calculator(plain)
    broken = _copy_with(plain, tmp_path / "broken.xlsx", {sheet: _once(*BROKEN[case])})
    errors = ooxml.xsd_errors(broken)
    assert errors and {part for part, _ in errors} == {sheet}, errors


# openxml-audit, like the Open XML SDK, lets any foreign-namespace attribute through and checks
# undeclared plain attributes only on some elements (<f> is one): the XSD check covers the rest.
@pytest.mark.parametrize("case", ["bogus element", "cm not a number", "undeclared attribute"])
def test_openxml_audit_rejects_a_broken_sheet(plain, tmp_path, case):
    sheet = _calculator(plain)
    broken = _copy_with(plain, tmp_path / "broken.xlsx", {sheet: _once(*BROKEN[case])})
    errors = [f for f in ooxml.audit_findings(broken) if f.severity == "error"]
    assert errors and {f.part for f in errors} == {"/" + sheet}, [str(f) for f in errors]


@needs_schemas
def test_markup_compatibility_drops_only_what_the_part_declares_ignorable(plain, tmp_path):
    """Excel writes x14ac:/xr: attributes under mc:Ignorable; the schema check must accept those."""
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
    ignorable = BROKEN["Excel attribute not declared ignorable"][1].replace("<worksheet ", "<worksheet " + mc)
    ok = _copy_with(plain, tmp_path / "ok.xlsx", {_calculator(plain): _once("<worksheet ", ignorable)})
    assert ooxml.xsd_errors(ok) == []


@needs_schemas
def test_font_order_filter_hides_nothing_else(plain, tmp_path):
    """A wrong element inside a <font> is still reported: the filter knows CT_Font's children."""
    broken = _copy_with(plain, tmp_path / "font.xlsx", {"xl/styles.xml": _once("<font>", "<font><bogus/>")})
    errors = [f for f in ooxml.audit_findings(broken) if f.severity == "error"]
    assert any("'bogus'" in f.description and f.part == "/xl/styles.xml" for f in errors)
    assert ooxml.xsd_errors(broken), "and the XSD rejects it too"


@needs_schemas
def test_web_extension_layout_is_checked(built, tmp_path):
    if "lite" not in built:
        pytest.skip("no runtime with a web extension")
    part = "xl/webextensions/webextension1.xml"
    broken = _copy_with(
        built["lite"], tmp_path / "we.xlsx", {part: _once("<we:bindings", "<we:bogus/><we:bindings")}
    )
    assert [p for p, _ in ooxml.xsd_errors(broken)] == [part]
    assert any(f.part == "/" + part for f in ooxml.audit_findings(broken) if f.severity == "error")


# --- the readers, on a copy stored the way Excel stores a bound custom function ------------------

# xl/metadata.xml as Excel (and XlsxWriter) write it: one XLDAPR record, dynamic array properties on.
METADATA = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
    'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
    'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst><ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
)
# The custom-function list Excel writes into the web-extension part (EXCEL_FIDELITY.md finding 1).
CF_EXT = (
    '<we:extLst><a:ext xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'uri="{7C84B067-C214-45C3-A712-C9D94CD141B2}"><we:customFunctionIdList>'
    "<we:customFunctionIds>_xldudf_FT_SCENARIO</we:customFunctionIds></we:customFunctionIdList></a:ext>"
    "</we:extLst></we:webextension>"
)


@pytest.fixture(scope="session")
def excel_form(built, tmp_path_factory) -> Path:
    """The lite file with Calculator H5 stored as Excel saves a bound Office.js function and H6 as a
    legacy formula (today's form), whatever form the build itself uses."""
    if "lite" not in built:
        pytest.skip("no lite runtime")
    src = built["lite"]
    workbook = ooxml._workbook_part(src)
    rels = workbook.replace("xl/", "xl/_rels/", 1) + ".rels"

    def stored(ref: str, dynamic: bool) -> str:
        """The cell as Excel stores it: bound and dynamic (_xldudf_, cm, t="array") or legacy plain."""
        cell = ooxml.cell_xml(src, "Calculator", ref)
        formula = escape(cell.find(f"{{{ooxml.MAIN}}}f").text.removeprefix("_xldudf_"))
        style = f' s="{cell.get("s")}"' if cell.get("s") else ""
        if dynamic:
            return f'<c r="{ref}"{style} cm="1"><f t="array" ref="{ref}">_xldudf_{formula}</f><v>0</v></c>'
        return f'<c r="{ref}"{style}><f>{formula}</f><v>0</v></c>'

    def cells(text: str) -> str:
        for ref, dynamic in (("H5", True), ("H6", False)):
            text, n = re.subn(
                rf'<c r="{ref}"[^>]*>.*?</c>', stored(ref, dynamic).replace("\\", r"\\"), text, count=1
            )
            assert n == 1, ref
        return text

    def web_extension(text: str) -> str:
        return text if "customFunctionIdList" in text else _once("</we:webextension>", CF_EXT)(text)

    edits = {
        _calculator(src): cells,
        "xl/webextensions/webextension1.xml": web_extension,
        "xl/metadata.xml": METADATA,
    }
    if "xl/metadata.xml" not in zipfile.ZipFile(src).namelist():
        rel = f'<Relationship Id="rIdFidelityMeta" Type="{ooxml.SHEET_METADATA_REL}" Target="metadata.xml"/>'
        ctype = (
            '<Override PartName="/xl/metadata.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"/>'
        )
        edits[rels] = _once("</Relationships>", rel + "</Relationships>")
        edits["[Content_Types].xml"] = _once("</Types>", ctype + "</Types>")
    return _copy_with(src, tmp_path_factory.mktemp("excel-form") / "excel_form.xlsx", edits)


def test_readers_find_excels_stored_form(built, excel_form):
    dynamic = ooxml.dynamic_array_cells(excel_form)
    assert ("Calculator", "H5") in dynamic and ("Calculator", "H6") not in dynamic
    assert "_xldudf_FT_SCENARIO" in ooxml.stored_udf_names(excel_form)
    assert "_xldudf_FT_SCENARIO" in ooxml.custom_function_ids(excel_form)
    cell = ooxml.cell_xml(excel_form, "Calculator", "H5")
    assert cell.get("cm") == "1" and cell.find(f"{{{ooxml.MAIN}}}f").get("t") == "array"
    assert ooxml.formula_cells(excel_form).keys() == ooxml.formula_cells(built["lite"]).keys()


@needs_schemas
def test_excels_stored_form_passes_every_check(excel_form):
    assert ooxml.xsd_errors(excel_form) == []
    assert [str(f) for f in ooxml.audit_findings(excel_form) if f.severity != "warning"] == []
    view = ooxml.formulon_view(excel_form, [("Calculator", "H5"), ("Calculator", "H6")])
    assert not any(view.diagnostics.values()), view.diagnostics
    # A dynamic-array cell reads without the implicit-intersection @ that a legacy one gets.
    assert "@" not in view.formulas[("Calculator", "H5")]
    assert view.formulas[("Calculator", "H6")].startswith("=@FT_SCENARIO(")
