"""Sheet buttons, drawn into the saved package (workbook.package) after openpyxl's save.

openpyxl can draw neither shapes nor form controls, so they are added to the parts it wrote:

lite, server  a DrawingML shape named `Button.name` over the cell, with a hyperlink to that
              cell, in the sheet's drawing part (merged into the one openpyxl wrote for charts).
              xlwings runs the script whose `@script(button="[name]Sheet!Cell")` names it when
              the hyperlink selects the cell (xlwings-server docs/custom_scripts.md, "Sheet
              button"; its static/js/custom-scripts/sheet-buttons.js).
classic       a form-control button (legacy VML, x:ClientData ObjectType="Button") that runs
              the VBA macro `Button.macro`, as Excel writes one (XlsxWriter's test file
              button07.xlsm, made by Excel).

New relationship ids never collide with existing ones (Package.add_relationship).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from openpyxl.utils.cell import coordinate_from_string, range_boundaries

from workbook.package import CONTENT_TYPES, CT_NS, MAIN_NS, Package, serialise, xml
from workbook.sheets import calculator as calculator_sheet
from workbook.sheets import pricing as pricing_sheet

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
DRAWING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
VML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
SHAPE_RUNTIMES = ("lite", "server")
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


def _relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source))


def _related(package: Package, part: str, rel_type: str) -> str | None:
    return next((t for kind, t in package.relationships(part).values() if kind == rel_type), None)


def _free_name(package: Package, pattern: str) -> str:
    names = (pattern.format(i) for i in range(1, len(package.parts) + 2))
    return next(n for n in names if n not in package.parts)


def _insert_sheet_element(
    package: Package, sheet_part: str, tag: str, rid: str, before: Sequence[str]
) -> None:
    """<tag r:id="rid"/> as a child of <worksheet>, ahead of the first of `before` present."""
    root = xml(package.parts[sheet_part])
    element = etree.Element(f"{{{MAIN_NS}}}{tag}", nsmap={"r": R_NS})
    element.set(f"{{{R_NS}}}id", rid)
    names = [etree.QName(child).localname for child in root]
    at = next((i for i, name in enumerate(names) if name in before), len(names))
    root.insert(at, element)
    package.parts[sheet_part] = serialise(root)


def _add_default_type(package: Package, extension: str, content_type: str) -> None:
    root = xml(package.parts[CONTENT_TYPES])
    if extension not in {d.get("Extension", "").lower() for d in root.iter(f"{{{CT_NS}}}Default")}:
        root.insert(0, etree.Element(f"{{{CT_NS}}}Default", Extension=extension, ContentType=content_type))
        package.parts[CONTENT_TYPES] = serialise(root)


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
    root = xml(sheet_xml)
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


def _shape_anchor(shape_id: int, button: Button, box: _Box, link_rid: str) -> str:
    p = "xdr:"
    return (
        f'<{p}twoCellAnchor xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
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


def _add_shape(package: Package, sheet_part: str, button: Button) -> None:
    drawing = _related(package, sheet_part, DRAWING_REL)
    if drawing is None:  # the sheet has no drawing yet: give it one
        drawing = _free_name(package, "xl/drawings/drawing{}.xml")
        empty = f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}"/>'.encode()
        package.add_part(drawing, empty, DRAWING_TYPE)
        rid = package.add_relationship(sheet_part, DRAWING_REL, _relative(sheet_part, drawing))
        _insert_sheet_element(package, sheet_part, "drawing", rid, AFTER_DRAWING)
    root = xml(package.parts[drawing])
    shapes = list(root.iter(f"{{{XDR_NS}}}cNvPr"))
    if any(c.get("name") == button.name for c in shapes):
        raise ButtonError(f"sheet {button.sheet!r} already has a shape named {button.name!r}")
    shape_id = 1 + max((int(c.get("id")) for c in shapes), default=1)
    link = package.add_relationship(drawing, HYPERLINK_REL, f"#{_sheet_ref(button.sheet)}!{button.cell}")
    anchor = _shape_anchor(shape_id, button, _box(package.parts[sheet_part], button.anchor), link)
    root.append(etree.fromstring(anchor))
    package.parts[drawing] = serialise(root)


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


def _add_vml_buttons(package: Package, sheet_part: str, buttons: list[Button]) -> None:
    if _related(package, sheet_part, VML_REL):
        raise ButtonError(f"sheet {buttons[0].sheet!r} already has a legacy (VML) drawing; not merged")
    # Each VML drawing owns blocks of 1024 shape ids (o:idmap); take one no other drawing uses.
    used = {
        int(n)
        for name, data in package.parts.items()
        if name.endswith(".vml")
        for m in re.finditer(rb'<o:idmap[^>]*data="([\d,]+)"', data)
        for n in m.group(1).decode().split(",")
    }
    block = next(i for i in range(1, len(used) + 2) if i not in used)
    sheet_xml = package.parts[sheet_part]
    shapes = "".join(
        _vml_button(block * 1024 + i, i, b, _box(sheet_xml, b.anchor)) for i, b in enumerate(buttons, 1)
    )
    vml = _free_name(package, "xl/drawings/vmlDrawing{}.vml")
    package.add_part(vml, (VML_HEAD.format(block=block) + shapes + "</xml>").encode("utf-8"))
    _add_default_type(package, "vml", VML_TYPE)
    rid = package.add_relationship(sheet_part, VML_REL, _relative(sheet_part, vml))
    _insert_sheet_element(package, sheet_part, "legacyDrawing", rid, AFTER_LEGACY)


# --------------------------------------------------------------------------- entry points


def add_buttons(package: Package, buttons: Sequence[Button], runtime: str) -> None:
    """Draw `buttons` into the package for `runtime` (lite/server: shapes; classic: controls)."""
    if runtime not in SHAPE_RUNTIMES + VML_RUNTIMES:
        allowed = ", ".join(SHAPE_RUNTIMES + VML_RUNTIMES)
        raise ButtonError(f"buttons: runtime must be one of {allowed}, got {runtime!r}")
    sheets = package.sheet_parts()
    by_sheet: dict[str, list[Button]] = {}
    for b in buttons:
        if b.sheet not in sheets:
            raise ButtonError(f"button {b.name!r}: the workbook has no sheet {b.sheet!r}")
        coordinate_from_string(b.cell)  # a malformed cell fails here, naming itself
        by_sheet.setdefault(b.sheet, []).append(b)
    for sheet, group in by_sheet.items():
        if runtime in VML_RUNTIMES:
            _add_vml_buttons(package, sheets[sheet], group)
        else:
            for b in group:
                _add_shape(package, sheets[sheet], b)
