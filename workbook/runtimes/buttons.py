"""Sheet buttons, drawn into a saved workbook package (a dict of zip part name -> bytes).

openpyxl can draw neither shapes nor form controls, so they are added to the parts it wrote:

lite, server  a DrawingML shape named `Button.name` over the cell, with a hyperlink to that
              cell, in the sheet's drawing part (merged into the one openpyxl wrote for charts).
              xlwings runs the script whose `@script(button="[name]Sheet!Cell")` names it when
              the hyperlink selects the cell (xlwings-server custom_scripts.md, "Sheet button").
classic       a form-control button (legacy VML, x:ClientData ObjectType="Button") that runs
              the VBA macro `Button.macro`, as Excel writes one (XlsxWriter's test file
              button07.xlsm, made by Excel).

Only parts that change are rewritten; new relationship ids never collide with existing ones.
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils.cell import coordinate_from_string, range_boundaries

from workbook.sheets import calculator as calculator_sheet
from workbook.sheets import pricing as pricing_sheet

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
DRAWING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STAMP = (1980, 1, 1, 0, 0, 0)  # zip time of added parts: reproducible builds
SHAPE_RUNTIMES = ("lite", "server", "xlsx")  # "xlsx" is the xlwings Server file's runtime name
VML_RUNTIMES = ("classic",)

# CT_Worksheet's children that must come after <drawing> / <legacyDrawing> (ECMA-376 sml.xsd).
AFTER_DRAWING = (
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
AFTER_LEGACY = AFTER_DRAWING[1:]

# Excel's default sizes (Calibri 11): 7 px per character of column width, 15 pt rows.
EMU_PER_PX = 9525
EMU_PER_PT = 12700
DEFAULT_COL_WIDTH = 8.43
DEFAULT_ROW_PT = 15.0

BUTTON_FILL = "1F3864"  # the workbook's navy (workbook.styles.NAVY)
BUTTON_TEXT = "FFFFFF"
# Quickstart.xlsm's Module1: `RunPython "import <workbook name>; <workbook name>.main()"`, and
# the sibling <workbook name>.py's main() is the refresh (workbook.runtimes.classic).
CLASSIC_REFRESH_MACRO = "SampleCall"
REFRESH_TEXT = "Refresh prices"


@dataclass(frozen=True)
class Button:
    sheet: str  # the sheet's title
    anchor: str  # the cell range it covers, e.g. "C2" or "C2:D2"; the first cell is its target
    text: str
    name: str  # the shape's name (what `@script(button="[name]Sheet!Cell")` looks for)
    macro: str = CLASSIC_REFRESH_MACRO  # classic: the VBA Sub the form control runs

    @property
    def cell(self) -> str:
        return self.anchor.split(":")[0].replace("$", "").upper()

    @property
    def reference(self) -> str:
        """xlwings' sheet-button reference: `[shape]Sheet!Cell`."""
        return f"[{self.name}]{_sheet_ref(self.sheet)}!{self.cell}"


def _sheet_ref(title: str) -> str:
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", title) is not None
    return title if plain else "'" + title.replace("'", "''") + "'"


# One per sheet whose text mentions it; xl_addin.scripts gives each its own @script (Lite takes
# one button per script).
PRICING_REFRESH = Button(
    pricing_sheet.SHEET, pricing_sheet.REFRESH_BUTTON_CELL, REFRESH_TEXT, pricing_sheet.REFRESH_BUTTON
)
CALCULATOR_REFRESH = Button(
    calculator_sheet.SHEET,
    calculator_sheet.REFRESH_BUTTON_CELL,
    REFRESH_TEXT,
    calculator_sheet.REFRESH_BUTTON,
)
REFRESH_BUTTONS = (PRICING_REFRESH, CALCULATOR_REFRESH)


class ButtonError(ValueError):
    """A button that cannot be placed; the text says which sheet and what is wrong."""


# --------------------------------------------------------------------------- package plumbing


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source))


def _rels(parts: Mapping[str, bytes], part: str) -> ET.Element:
    data = parts.get(_rels_name(part))
    return ET.fromstring(data) if data else ET.Element(f"{{{PKG_REL_NS}}}Relationships")


def _add_rel(rels: ET.Element, rel_type: str, target: str) -> str:
    """Append a relationship with the first free rIdN and return that id."""
    taken = {r.get("Id") for r in rels}
    rid = next(f"rId{i}" for i in range(1, len(taken) + 2) if f"rId{i}" not in taken)
    ET.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", {"Id": rid, "Type": rel_type, "Target": target})
    return rid


def _xml_bytes(root: ET.Element, default_ns: str) -> bytes:
    ET.register_namespace("", default_ns)
    return HEAD.encode() + ET.tostring(root)


def _sheet_parts(parts: Mapping[str, bytes]) -> dict[str, str]:
    """Sheet title -> its worksheet part name."""
    root_rels = ET.fromstring(parts["_rels/.rels"])
    book = next(_resolve("", r.get("Target")) for r in root_rels if r.get("Type") == DOC_REL)
    targets = {r.get("Id"): _resolve(book, r.get("Target")) for r in _rels(parts, book)}
    sheets = ET.fromstring(parts[book]).find(f"{{{MAIN_NS}}}sheets")
    return {s.get("name"): targets[s.get(f"{{{R_NS}}}id")] for s in sheets}


def _free_name(parts: Mapping[str, bytes], pattern: str) -> str:
    return next(pattern.format(i) for i in range(1, len(parts) + 2) if pattern.format(i) not in parts)


def _insert_sheet_element(sheet_xml: bytes, element: str, before: Sequence[str]) -> bytes:
    """`element` as a child of <worksheet>, ahead of the first of `before` that is present."""
    text = sheet_xml.decode("utf-8")
    root = ET.fromstring(sheet_xml)
    present = {child.tag.split("}")[-1] for child in root}
    at = None
    for name in before:
        if name not in present:
            continue
        pattern = re.compile(rf"<(?:\w+:)?{name}[\s/>]")
        found = list(pattern.finditer(text))
        # extLst may also sit inside earlier children; the worksheet's own one is the last.
        at = (found[-1] if name == "extLst" else found[0]).start()
        break
    if at is None:
        at = text.rindex("</")
    return (text[:at] + element + text[at:]).encode("utf-8")


def _add_default_type(ct: ET.Element, extension: str, content_type: str) -> None:
    defaults = {d.get("Extension", "").lower() for d in ct.iter(f"{{{CT_NS}}}Default")}
    if extension not in defaults:
        ct.insert(0, ET.Element(f"{{{CT_NS}}}Default", {"Extension": extension, "ContentType": content_type}))


def _add_override(ct: ET.Element, part: str, content_type: str) -> None:
    ET.SubElement(ct, f"{{{CT_NS}}}Override", {"PartName": f"/{part}", "ContentType": content_type})


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class _Box:
    col0: int  # 0-based first column
    row0: int  # 0-based first row
    col1: int  # 0-based column after the last one
    row1: int  # 0-based row after the last one
    x: int  # EMU from the sheet's top-left corner
    y: int
    cx: int
    cy: int


def _px(width: float) -> int:
    """Excel's pixel width of a column of `width` characters (Calibri 11, 7 px per digit)."""
    return int((256 * width + 18) / 256 * 7)


def _box(sheet_xml: bytes, anchor: str) -> _Box:
    min_col, min_row, max_col, max_row = range_boundaries(anchor.replace("$", ""))
    root = ET.fromstring(sheet_xml)
    fmt = root.find(f"{{{MAIN_NS}}}sheetFormatPr")
    default_w = float(fmt.get("defaultColWidth", DEFAULT_COL_WIDTH)) if fmt is not None else DEFAULT_COL_WIDTH
    default_h = float(fmt.get("defaultRowHeight", DEFAULT_ROW_PT)) if fmt is not None else DEFAULT_ROW_PT
    widths: dict[int, float] = {}
    for col in root.iter(f"{{{MAIN_NS}}}col"):
        for i in range(int(col.get("min")), int(col.get("max")) + 1):
            widths[i] = float(col.get("width", default_w))
    heights = {
        int(row.get("r")): float(row.get("ht")) for row in root.iter(f"{{{MAIN_NS}}}row") if row.get("ht")
    }

    def col_px(i: int) -> int:
        return _px(widths.get(i, default_w))

    def row_pt(i: int) -> float:
        return heights.get(i, default_h)

    x = sum(col_px(i) for i in range(1, min_col)) * EMU_PER_PX
    y = round(sum(row_pt(i) for i in range(1, min_row)) * EMU_PER_PT)
    cx = sum(col_px(i) for i in range(min_col, max_col + 1)) * EMU_PER_PX
    cy = round(sum(row_pt(i) for i in range(min_row, max_row + 1)) * EMU_PER_PT)
    return _Box(min_col - 1, min_row - 1, max_col, max_row, x, y, cx, cy)


# --------------------------------------------------------------------------- lite / server: a shape


def _shape_anchor(prefix: str, shape_id: int, button: Button, box: _Box, link_rid: str) -> str:
    p = prefix
    return (
        f'<{p}twoCellAnchor xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
        f"<{p}from><{p}col>{box.col0}</{p}col><{p}colOff>0</{p}colOff>"
        f"<{p}row>{box.row0}</{p}row><{p}rowOff>0</{p}rowOff></{p}from>"
        f"<{p}to><{p}col>{box.col1}</{p}col><{p}colOff>0</{p}colOff>"
        f"<{p}row>{box.row1}</{p}row><{p}rowOff>0</{p}rowOff></{p}to>"
        f'<{p}sp macro="" textlink="">'
        f'<{p}nvSpPr><{p}cNvPr id="{shape_id}" name={quoteattr(button.name)} '
        f"descr={quoteattr(f'{button.text} button')}>"
        f'<a:hlinkClick r:id="{link_rid}" tooltip={quoteattr(button.text)}/></{p}cNvPr>'
        f"<{p}cNvSpPr/></{p}nvSpPr>"
        f'<{p}spPr><a:xfrm><a:off x="{box.x}" y="{box.y}"/><a:ext cx="{box.cx}" cy="{box.cy}"/></a:xfrm>'
        '<a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom>'
        f'<a:solidFill><a:srgbClr val="{BUTTON_FILL}"/></a:solidFill>'
        f'<a:ln w="9525"><a:solidFill><a:srgbClr val="{BUTTON_FILL}"/></a:solidFill></a:ln></{p}spPr>'
        f'<{p}txBody><a:bodyPr wrap="none" lIns="0" tIns="0" rIns="0" bIns="0" rtlCol="0" anchor="ctr"/>'
        '<a:lstStyle/><a:p><a:pPr algn="ctr"/><a:r><a:rPr lang="en-US" sz="1000" b="1">'
        f'<a:solidFill><a:srgbClr val="{BUTTON_TEXT}"/></a:solidFill><a:latin typeface="Calibri"/></a:rPr>'
        f"<a:t>{escape(button.text)}</a:t></a:r></a:p></{p}txBody></{p}sp>"
        f"<{p}clientData/></{p}twoCellAnchor>"
    )


def _add_shape(parts: dict[str, bytes], ct: ET.Element, sheet_part: str, button: Button) -> None:
    sheet_rels = _rels(parts, sheet_part)
    drawing_rel = next((r for r in sheet_rels if r.get("Type") == DRAWING_REL), None)
    if drawing_rel is None:  # the sheet has no drawing yet: give it one
        drawing = _free_name(parts, "xl/drawings/drawing{}.xml")
        parts[drawing] = (HEAD + f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}"></xdr:wsDr>').encode()
        rid = _add_rel(sheet_rels, DRAWING_REL, _relative(sheet_part, drawing))
        parts[_rels_name(sheet_part)] = _xml_bytes(sheet_rels, PKG_REL_NS)
        element = f'<drawing xmlns:r="{R_NS}" r:id="{rid}"/>'
        parts[sheet_part] = _insert_sheet_element(parts[sheet_part], element, AFTER_DRAWING)
        _add_override(ct, drawing, DRAWING_TYPE)
    else:
        drawing = _resolve(sheet_part, drawing_rel.get("Target"))
    text = parts[drawing].decode("utf-8")
    root = ET.fromstring(parts[drawing])
    if any(c.get("name") == button.name for c in root.iter(f"{{{XDR_NS}}}cNvPr")):
        raise ButtonError(f"sheet {button.sheet!r} already has a shape named {button.name!r}")
    shape_id = 1 + max((int(c.get("id")) for c in root.iter(f"{{{XDR_NS}}}cNvPr")), default=1)
    drawing_rels = _rels(parts, drawing)
    link = _add_rel(drawing_rels, HYPERLINK_REL, f"#{_sheet_ref(button.sheet)}!{button.cell}")
    parts[_rels_name(drawing)] = _xml_bytes(drawing_rels, PKG_REL_NS)
    prefix = re.match(r"(?:<\?xml[^>]*\?>\s*)?<(\w+:)?wsDr\b", text).group(1) or ""
    anchor = _shape_anchor(prefix, shape_id, button, _box(parts[sheet_part], button.anchor), link)
    at = text.rindex("</")
    parts[drawing] = (text[:at] + anchor + text[at:]).encode("utf-8")


# --------------------------------------------------------------------------- classic: a form control

VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel">'
    '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
    '<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/>'
    '<v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>'
    '<o:lock v:ext="edit" shapetype="t"/></v:shapetype>'
)


def _vml_button(spid: int, z: int, button: Button, box: _Box) -> str:
    pt = EMU_PER_PT
    style = (
        f"position:absolute;margin-left:{box.x / pt:g}pt;margin-top:{box.y / pt:g}pt;"
        f"width:{box.cx / pt:g}pt;height:{box.cy / pt:g}pt;z-index:{z};mso-wrap-style:tight"
    )
    anchor = f"{box.col0}, 0, {box.row0}, 0, {box.col1}, 0, {box.row1}, 0"
    return (
        f'<v:shape id="_x0000_s{spid}" type="#_x0000_t201" style="{style}" o:button="t" '
        'fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">'
        '<v:fill color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/>'
        '<v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-align:center">'
        f'<font face="Calibri" size="220" color="#000000">{escape(button.text)}</font></div></v:textbox>'
        f'<x:ClientData ObjectType="Button"><x:Anchor>{anchor}</x:Anchor>'
        "<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>"
        f"<x:FmlaMacro>[0]!{escape(button.macro)}</x:FmlaMacro>"
        "<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>"
    )


def _add_vml_buttons(parts: dict[str, bytes], ct: ET.Element, sheet_part: str, buttons: list[Button]) -> None:
    sheet_rels = _rels(parts, sheet_part)
    if any(r.get("Type") == VML_REL for r in sheet_rels):
        raise ButtonError(f"sheet {buttons[0].sheet!r} already has a legacy (VML) drawing; not merged")
    # Each VML drawing owns blocks of 1024 shape ids (o:idmap); take one no other drawing uses.
    used = {
        int(n)
        for name, data in parts.items()
        if name.endswith(".vml")
        for m in re.finditer(rb'<o:idmap[^>]*data="([\d,]+)"', data)
        for n in m.group(1).decode().split(",")
    }
    block = next(i for i in range(1, len(used) + 2) if i not in used)
    shapes = "".join(
        _vml_button(block * 1024 + i, i, b, _box(parts[sheet_part], b.anchor))
        for i, b in enumerate(buttons, 1)
    )
    vml = _free_name(parts, "xl/drawings/vmlDrawing{}.vml")
    parts[vml] = (VML_HEAD.format(block=block) + shapes + "</xml>").encode("utf-8")
    rid = _add_rel(sheet_rels, VML_REL, _relative(sheet_part, vml))
    parts[_rels_name(sheet_part)] = _xml_bytes(sheet_rels, PKG_REL_NS)
    element = f'<legacyDrawing xmlns:r="{R_NS}" r:id="{rid}"/>'
    parts[sheet_part] = _insert_sheet_element(parts[sheet_part], element, AFTER_LEGACY)
    _add_default_type(ct, "vml", VML_TYPE)


# --------------------------------------------------------------------------- entry points


def add_buttons(parts: dict[str, bytes], buttons: Sequence[Button], runtime: str) -> dict[str, bytes]:
    """The package with `buttons` drawn for `runtime` (lite/server/xlsx: shapes; classic: controls)."""
    if runtime not in SHAPE_RUNTIMES + VML_RUNTIMES:
        raise ButtonError(
            f"buttons: runtime must be one of {', '.join(SHAPE_RUNTIMES + VML_RUNTIMES)}, got {runtime!r}"
        )
    out = dict(parts)
    sheets = _sheet_parts(out)
    ct = ET.fromstring(out["[Content_Types].xml"])
    by_sheet: dict[str, list[Button]] = {}
    for b in buttons:
        if b.sheet not in sheets:
            raise ButtonError(f"button {b.name!r}: the workbook has no sheet {b.sheet!r}")
        coordinate_from_string(b.cell)  # a malformed cell fails here, naming itself
        by_sheet.setdefault(b.sheet, []).append(b)
    for sheet, group in by_sheet.items():
        if runtime in VML_RUNTIMES:
            _add_vml_buttons(out, ct, sheets[sheet], group)
        else:
            for b in group:
                _add_shape(out, ct, sheets[sheet], b)
    out["[Content_Types].xml"] = _xml_bytes(ct, CT_NS)
    return out


def read_parts(path: str | Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def write_parts(path: str | Path, parts: Mapping[str, bytes]) -> Path:
    """Write the package atomically (a temp file beside it, then a rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for name in sorted(parts, key=lambda n: n != "[Content_Types].xml"):  # content types first
                z.writestr(zipfile.ZipInfo(name, STAMP), parts[name], zipfile.ZIP_DEFLATED)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def add_buttons_to_file(path: str | Path, buttons: Sequence[Button], runtime: str) -> Path:
    """Until the package post-processing step lands: read the file, draw the buttons, rewrite it."""
    return write_parts(path, add_buttons(read_parts(path), buttons, runtime))
