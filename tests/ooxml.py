"""Check a built .xlsx/.xlsm the way Excel would read it, with three independent tools.

xsd_errors      every XML part against the ISO/IEC 29500-4 transitional schemas, from the folder
                $FT_BREAKEVEN_OOXML_SCHEMAS (ECMA-376 / ISO 29500-4 XSDs; not shipped: see
                tests/schemas/README.md); tests skip this check without it
audit_findings  openxml-audit, a port of the Open XML SDK validator (it knows Microsoft's extension
                schemas too), less its one known false positive
formulon_view   the formulas as formulon (an Excel 365 engine) reads them, and its read diagnostics
Small readers of the package: cell_xml, formula_cells, dynamic_array_cells, stored_udf_names,
custom_function_ids. Why each check exists: ../shared/research/EXCEL_FIDELITY.md (issue 13).
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import zipfile
from pathlib import Path
from typing import NamedTuple

from lxml import etree
from openpyxl.utils.cell import coordinate_to_tuple

STUBS = Path(__file__).resolve().parent / "schemas" / "stubs"
# The normative schemas are not redistributed with the project; point this at Ecma's download.
SCHEMAS = Path(os.environ.get("FT_BREAKEVEN_OOXML_SCHEMAS", "/nonexistent-ooxml-schemas"))


def have_schemas() -> bool:
    return (SCHEMAS / "ISO-IEC29500-4_2016" / "sml.xsd").is_file()


ISO = "ISO-IEC29500-4_2016"
OPC = "ecma/fouth-edition"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XDA = "http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray"
WE = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
WETP = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
DRAWING_MAIN = "http://schemas.openxmlformats.org/drawingml/2006/main"
# The extension under which Excel lists the Office.js custom functions a workbook uses (EXCEL_FIDELITY.md 1).
CUSTOM_FUNCTIONS_EXT = "{7C84B067-C214-45C3-A712-C9D94CD141B2}"
SHEET_METADATA_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"

OFFICE = "application/vnd.openxmlformats-officedocument."
# Content type -> the schema whose global element is the part's root. SpreadsheetML parts (sheets,
# styles, tables, metadata, ...) all live in sml.xsd, so any "...spreadsheetml.*+xml" type maps there.
SCHEMA_BY_CONTENT_TYPE = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": f"{ISO}/sml.xsd",
    OFFICE + "drawing+xml": f"{ISO}/dml-spreadsheetDrawing.xsd",
    OFFICE + "drawingml.chart+xml": f"{ISO}/dml-chart.xsd",
    OFFICE + "drawingml.chartshapes+xml": f"{ISO}/dml-chartDrawing.xsd",
    OFFICE + "theme+xml": f"{ISO}/dml-main.xsd",
    OFFICE + "extended-properties+xml": f"{ISO}/shared-documentPropertiesExtended.xsd",
    OFFICE + "custom-properties+xml": f"{ISO}/shared-documentPropertiesCustom.xsd",
    "application/vnd.openxmlformats-package.core-properties+xml": f"{OPC}/opc-coreProperties.xsd",
    "application/vnd.openxmlformats-package.relationships+xml": f"{OPC}/opc-relationships.xsd",
}
CONTENT_TYPES_PART = "[Content_Types].xml"
# opc-coreProperties.xsd imports Dublin Core from the network; these local stand-ins answer instead.
REMOTE_SCHEMAS = {
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dc.xsd": STUBS / "dc.xsd",
    "http://dublincore.org/schemas/xmls/qdc/2003/04/02/dcterms.xsd": STUBS / "dcterms.xsd",
}


# --- the package -------------------------------------------------------------------------------


class Part(NamedTuple):
    name: str  # zip member name, e.g. xl/worksheets/sheet1.xml
    content_type: str
    schema: str | None  # path under tests/schemas, or None when no vendored XSD covers the part


def _content_types(z: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, str]]:
    root = etree.fromstring(z.read(CONTENT_TYPES_PART))
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    defaults = {d.get("Extension").lower(): d.get("ContentType") for d in root.iter(ns + "Default")}
    overrides = {o.get("PartName").lstrip("/"): o.get("ContentType") for o in root.iter(ns + "Override")}
    return defaults, overrides


def _schema_for(content_type: str) -> str | None:
    if content_type in SCHEMA_BY_CONTENT_TYPE:
        return SCHEMA_BY_CONTENT_TYPE[content_type]
    if content_type.startswith(OFFICE + "spreadsheetml.") and content_type.endswith("+xml"):
        return f"{ISO}/sml.xsd"
    return None


def xml_parts(path: str | Path) -> list[Part]:
    """Every XML part of the package with its content type and the schema that covers it (if any)."""
    with zipfile.ZipFile(path) as z:
        defaults, overrides = _content_types(z)
        parts = [Part(CONTENT_TYPES_PART, "", f"{OPC}/opc-contentTypes.xsd")]
        for name in z.namelist():
            if name == CONTENT_TYPES_PART or name.endswith("/"):
                continue
            ctype = overrides.get(name) or defaults.get(name.rsplit(".", 1)[-1].lower(), "")
            if ctype.endswith("xml") or "vmlDrawing" in ctype:
                parts.append(Part(name, ctype, _schema_for(ctype)))
        return parts


def _read(path: str | Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


# --- (a) XSD validation ------------------------------------------------------------------------


class _LocalSchemas(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url in REMOTE_SCHEMAS:
            return self.resolve_filename(str(REMOTE_SCHEMAS[url]), context)
        return None


@functools.cache
def _schema(relative: str) -> etree.XMLSchema:
    """The schema compiled behind a wrapper that first imports xml.xsd: opc-coreProperties.xsd imports the
    xml: namespace without a location, which libxml2 cannot resolve on its own."""
    target = SCHEMAS / relative
    tns = etree.parse(str(target)).getroot().get("targetNamespace")
    xs = "http://www.w3.org/2001/XMLSchema"
    wrapper = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    for ns, location in (("http://www.w3.org/XML/1998/namespace", SCHEMAS / ISO / "xml.xsd"), (tns, target)):
        etree.SubElement(wrapper, f"{{{xs}}}import", namespace=ns, schemaLocation=location.as_uri())
    parser = etree.XMLParser()
    parser.resolvers.add(_LocalSchemas())
    doc = etree.fromstring(etree.tostring(wrapper), parser, base_url=(SCHEMAS / "wrapper.xsd").as_uri())
    return etree.XMLSchema(doc)


@functools.cache
def _understood_namespaces() -> frozenset[str]:
    """Namespaces a vendored schema defines: what this validator 'understands' in MCE's terms."""
    found = {"http://www.w3.org/XML/1998/namespace"}
    for xsd in SCHEMAS.rglob("*.xsd"):
        tns = etree.parse(str(xsd)).getroot().get("targetNamespace")
        if tns:
            found.add(tns)
    return frozenset(found)


def _apply_markup_compatibility(root: etree._Element) -> None:
    """Do what an MCE consumer (ECMA-376 Part 3) does before schema validation: drop content in the
    namespaces a part declares mc:Ignorable that this validator does not understand (Excel writes
    x14ac:, xr: ... that way) and resolve mc:AlternateContent. Undeclared foreign content stays and fails."""
    understood = _understood_namespaces()
    ignorable: set[str] = set()
    for el in root.iter(etree.Element):
        for prefix in (el.get(f"{{{MC}}}Ignorable") or "").split():
            if prefix in el.nsmap:
                ignorable.add(el.nsmap[prefix])
    skip = ignorable - understood
    for alt in list(root.iter(f"{{{MC}}}AlternateContent")):
        chosen = next(
            (
                c
                for c in alt.iterchildren(f"{{{MC}}}Choice")
                if all(c.nsmap.get(p) in understood for p in (c.get("Requires") or "").split())
            ),
            alt.find(f"{{{MC}}}Fallback"),
        )
        parent = alt.getparent()
        at = parent.index(alt)
        for child in reversed(list(chosen) if chosen is not None else []):
            parent.insert(at, child)
        parent.remove(alt)
    for el in list(root.iter(etree.Element)):
        if etree.QName(el).namespace in skip and el is not root:
            el.getparent().remove(el)
            continue
        for attr in list(el.attrib):
            ns = etree.QName(attr).namespace
            if ns in skip or ns == MC:
                del el.attrib[attr]


def _layout_errors(part: Part, root: etree._Element) -> list[str]:
    """Parts no vendored XSD covers: their layout against what Excel writes (MS-OWEXML; the Excel-saved
    reference in EXCEL_FIDELITY.md findings 1 and 6). openxml-audit checks them against the schema too."""
    if part.content_type == "application/vnd.ms-office.webextension+xml":
        order = ["reference", "alternateReferences", "properties", "bindings", "snapshot", "extLst"]
        errors = [] if root.tag == f"{{{WE}}}webextension" else [f"root is {root.tag}, not we:webextension"]
        names = [etree.QName(c).localname for c in root.iterchildren(etree.Element)]
        if any(n not in order for n in names) or names != sorted(names, key=order.index):
            errors.append(f"children {names} are not in the order {order}")
        for required in ("reference", "properties", "bindings"):
            if required not in names:
                errors.append(f"no we:{required}")
        for ids in root.iter(f"{{{WE}}}customFunctionIds"):
            if not re.fullmatch(r"_xldudf_[A-Za-z0-9_.]+", ids.text or ""):
                errors.append(f"customFunctionIds {ids.text!r} is not an _xldudf_ name")
        return errors
    if part.content_type == "application/vnd.ms-office.webextensiontaskpanes+xml":
        refs = list(root.iter(f"{{{WETP}}}webextensionref"))
        if (
            root.tag != f"{{{WETP}}}taskpanes"
            or not refs
            or any(r.get(f"{{{DOC_REL}}}id") is None for r in refs)
        ):
            return ["not wetp:taskpanes/wetp:taskpane/wetp:webextensionref r:id=..."]
    return []


def xsd_errors(path: str | Path) -> list[tuple[str, str]]:
    """(part, error) for every XML part that is not well formed or not valid against its schema.

    Parts without a vendored XSD (Microsoft extension parts, VML) are checked for well-formedness and,
    for the web-extension parts, for Excel's layout."""
    errors: list[tuple[str, str]] = []
    for part in xml_parts(path):
        try:
            root = etree.fromstring(_read(path, part.name))
        except etree.XMLSyntaxError as exc:
            errors.append((part.name, f"not well formed: {exc}"))
            continue
        if part.schema is None:
            errors += [(part.name, e) for e in _layout_errors(part, root)]
            continue
        _apply_markup_compatibility(root)
        schema = _schema(part.schema)
        if not schema.validate(root):
            errors += [(part.name, f"line {e.line}: {e.message}") for e in schema.error_log]
    return errors


# --- (b) openxml-audit -------------------------------------------------------------------------


class AuditFinding(NamedTuple):
    severity: str  # "error" or "warning"
    rule: str  # openxml-audit's id, "" for schema findings
    part: str
    path: str
    description: str

    def __str__(self) -> str:
        return f"{self.severity} {self.rule or 'schema'} {self.part} {self.path}: {self.description}"


# CT_Font's children. ECMA's sml.xsd declares them an xsd:choice (any order); the Open XML SDK's data
# has a fixed sequence, so openpyxl's order is reported although Excel accepts it (EXCEL_FIDELITY.md 10).
FONT_CHILDREN = {
    "b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
    "name", "family", "charset", "scheme",
}  # fmt: skip
FONT_PATH = re.compile(r"/styleSheet\[1\]/(fonts\[1\]|dxfs\[1\]/dxf\[\d+\])/font\[\d+\]")


def _font_order_false_positive(f: AuditFinding) -> bool:
    m = re.fullmatch(r"Unexpected element '(\w+)' found", f.description)
    return (
        f.part == "/xl/styles.xml" and bool(FONT_PATH.fullmatch(f.path)) and bool(m) and m[1] in FONT_CHILDREN
    )


@functools.cache
def _auditor():
    from openxml_audit import FileFormat, OpenXmlValidator

    return OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=10_000)


def audit_findings(path: str | Path) -> list[AuditFinding]:
    """openxml-audit's errors and warnings (Microsoft 365 profile), less the font-order false positive."""
    result = _auditor().validate(str(path))
    found = [
        AuditFinding(e.severity.value, e.id or "", e.part_uri or "", e.path or "", e.description)
        for e in result.errors
    ]
    return [f for f in found if not _font_order_false_positive(f)]


# --- (c) formulon ------------------------------------------------------------------------------


class FormulonView(NamedTuple):
    formulas: dict[tuple[str, str], str | None]  # (sheet title, A1 ref) -> formula text as read
    diagnostics: dict[str, int]  # ReadDiagnostics counters: undecoded formulas/names/parts, ...


def formulon_view(path: str | Path, cells: list[tuple[str, str]] | None = None) -> FormulonView:
    """Load the file into formulon and read the formulas back as Excel 365 would show them.

    A legacy single-cell formula whose function could return an array reads "=@FT_X(...)" (implicit
    intersection); a dynamic-array one reads "=FT_X(...)". cells=None gives every formula cell."""
    import formulon

    with formulon.Workbook.load(Path(path).read_bytes()) as wb:
        d = wb.read_diagnostics()
        diagnostics = {k: v for k, v in vars(d).items() if not k.startswith("_")}
        sheets = {wb.sheet_name(i): i for i in range(wb.sheet_count())}
        formulas: dict[tuple[str, str], str | None] = {}
        if cells is None:
            from openpyxl.utils import get_column_letter

            for title, i in sheets.items():
                for c in wb.iter_cells(i):
                    if c.formula is not None:
                        formulas[(title, f"{get_column_letter(c.col + 1)}{c.row + 1}")] = c.formula
        else:
            for title, ref in cells:
                row, col = coordinate_to_tuple(ref)
                formulas[(title, ref)] = wb.get_formula(sheets[title], row - 1, col - 1)
    return FormulonView(formulas, diagnostics)


# --- (d) small readers -------------------------------------------------------------------------


def _rels(path: str | Path, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target part name) of one part."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    with zipfile.ZipFile(path) as z:
        if rels_name not in z.namelist():
            return {}
        root = etree.fromstring(z.read(rels_name))
    out = {}
    for r in root.iter(f"{{{PKG_REL}}}Relationship"):
        target = r.get("Target")
        target = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[r.get("Id")] = (r.get("Type"), target)
    return out


def _workbook_part(path: str | Path) -> str:
    return next(t for typ, t in _rels(path, "").values() if typ.endswith("/officeDocument"))


def sheet_parts(path: str | Path) -> dict[str, str]:
    """Sheet title -> worksheet part name, in workbook order."""
    wb = _workbook_part(path)
    rels = _rels(path, wb)
    root = etree.fromstring(_read(path, wb))
    return {s.get("name"): rels[s.get(f"{{{DOC_REL}}}id")][1] for s in root.iter(f"{{{MAIN}}}sheet")}


def _cells(path: str | Path):
    """(sheet title, <c> element) for every cell of every worksheet."""
    for title, part in sheet_parts(path).items():
        for c in etree.fromstring(_read(path, part)).iter(f"{{{MAIN}}}c"):
            yield title, c


def cell_xml(path: str | Path, sheet_title: str, ref: str) -> etree._Element | None:
    """The <c r="ref"> element of that sheet, or None if the sheet stores no such cell."""
    root = etree.fromstring(_read(path, sheet_parts(path)[sheet_title]))
    return next((c for c in root.iter(f"{{{MAIN}}}c") if c.get("r") == ref), None)


def formula_cells(path: str | Path) -> dict[tuple[str, str], etree._Element]:
    """(sheet title, ref) -> the cell's <f> element, for every cell that stores a formula."""
    out = {}
    for title, c in _cells(path):
        f = c.find(f"{{{MAIN}}}f")
        if f is not None:
            out[(title, c.get("r"))] = f
    return out


def _dynamic_array_cm(path: str | Path) -> set[int]:
    """The cm values (1-based cellMetadata records) that mean "dynamic array" in xl/metadata.xml: a record
    whose rc points at the XLDAPR metadata type, whose future-metadata entry has fDynamic set."""
    wb = _workbook_part(path)
    target = next((t for typ, t in _rels(path, wb).values() if typ == SHEET_METADATA_REL), None)
    if target is None:
        return set()
    root = etree.fromstring(_read(path, target))
    types = [t.get("name") for t in root.iter(f"{{{MAIN}}}metadataType")]
    if "XLDAPR" not in types:
        return set()
    xldapr = types.index("XLDAPR") + 1
    future = next((f for f in root.iter(f"{{{MAIN}}}futureMetadata") if f.get("name") == "XLDAPR"), None)
    dynamic = []
    for bk in future.iterfind(f"{{{MAIN}}}bk") if future is not None else []:
        props = bk.find(f".//{{{XDA}}}dynamicArrayProperties")
        dynamic.append(props is not None and props.get("fDynamic") in ("1", "true"))
    cell_metadata = root.find(f"{{{MAIN}}}cellMetadata")
    out = set()
    for i, bk in enumerate(cell_metadata.iterfind(f"{{{MAIN}}}bk") if cell_metadata is not None else [], 1):
        for rc in bk.iterfind(f"{{{MAIN}}}rc"):
            v = int(rc.get("v"))
            if int(rc.get("t")) == xldapr and v < len(dynamic) and dynamic[v]:
                out.add(i)
    return out


def dynamic_array_cells(path: str | Path) -> set[tuple[str, str]]:
    """(sheet title, ref) of the formula cells Excel loads as dynamic arrays (cm -> an XLDAPR record)."""
    dynamic = _dynamic_array_cm(path)
    return {
        (title, c.get("r"))
        for title, c in _cells(path)
        if c.get("cm") and c.get("cm").isdigit() and int(c.get("cm")) in dynamic
    }


UDF_NAME = re.compile(r"_xldudf_[A-Za-z0-9_.]+")


def stored_udf_names(path: str | Path) -> set[str]:
    """Every _xldudf_ name (Excel's stored form of an add-in custom function) used in a sheet formula."""
    return {name for f in formula_cells(path).values() for name in UDF_NAME.findall(f.text or "")}


def custom_function_ids(path: str | Path) -> list[str]:
    """The web-extension parts' customFunctionIdList entries, in file order ([] if there is none)."""
    ids = []
    for part in xml_parts(path):
        if part.content_type == "application/vnd.ms-office.webextension+xml":
            root = etree.fromstring(_read(path, part.name))
            for ext in root.iter(f"{{{DRAWING_MAIN}}}ext"):
                if ext.get("uri") == CUSTOM_FUNCTIONS_EXT:
                    ids += [e.text for e in ext.iter(f"{{{WE}}}customFunctionIds")]
    return ids
