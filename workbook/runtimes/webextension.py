"""The Office add-in part of a workbook (MS-OWEXML), shared by the Lite and Server files.

Layout as Excel saves it: _rels/.rels -> xl/webextensions/taskpanes.xml -> (its rels) ->
xl/webextensions/webextension1.xml, which names the add-in, holds its settings, and lists the
custom functions the sheets use:

    <we:extLst><a:ext uri="{7C84B067-C214-45C3-A712-C9D94CD141B2}"><we:customFunctionIdList>
      <we:customFunctionIds>_xldudf_CONTOSO_ADD</we:customFunctionIds>...

(../shared/research/EXCEL_FIDELITY.md, finding 1: a file Excel saved with Office.js functions).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from workbook.package import Package

WE_NS = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
TP_NS = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TASKPANES_REL = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
WEBEXT_REL = "http://schemas.microsoft.com/office/2011/relationships/webextension"
WEBEXT_PART = "xl/webextensions/webextension1.xml"
TASKPANES_PART = "xl/webextensions/taskpanes.xml"
WEBEXT_TYPE = "application/vnd.ms-office.webextension+xml"
TASKPANES_TYPE = "application/vnd.ms-office.webextensiontaskpanes+xml"
CUSTOM_FUNCTIONS_EXT = "{7C84B067-C214-45C3-A712-C9D94CD141B2}"
AUTO_SHOW = "Office.AutoShowTaskpaneWithDocument"  # open the add-in with the document
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def webextension_xml(
    instance_id: str,
    reference: str,
    alternate: str,
    properties: Mapping[str, str],
    function_ids: Iterable[str] = (),
) -> str:
    props = "".join(
        f"<we:property name={quoteattr(name)} value={quoteattr(value)}/>"
        for name, value in properties.items()
    )
    ids = "".join(f"<we:customFunctionIds>{escape(i)}</we:customFunctionIds>" for i in function_ids)
    ext = (
        f'<we:extLst><a:ext xmlns:a="{A_NS}" uri="{CUSTOM_FUNCTIONS_EXT}"><we:customFunctionIdList>'
        f"{ids}</we:customFunctionIdList></a:ext></we:extLst>"
        if ids
        else ""
    )
    return (
        f'{HEAD}<we:webextension xmlns:we="{WE_NS}" id="{instance_id}">{reference}'
        f"<we:alternateReferences>{alternate}</we:alternateReferences>"
        f"<we:properties>{props}</we:properties><we:bindings/>"
        f'<we:snapshot xmlns:r="{R_NS}"/>{ext}</we:webextension>'
    )


def taskpanes_xml() -> str:
    # visibility="1": the pane opens with the workbook the first time too (the add-in is offered
    # for install if missing), so the FT_ functions register without a click.
    return (
        f'{HEAD}<wetp:taskpanes xmlns:wetp="{TP_NS}"><wetp:taskpane dockstate="right" '
        f'visibility="1" width="350" row="1"><wetp:webextensionref xmlns:r="{R_NS}" r:id="rId1"/>'
        "</wetp:taskpane></wetp:taskpanes>"
    )


def add(package: Package, webextension: str) -> None:
    """Add the add-in part and its task pane to the package."""
    if WEBEXT_PART in package.parts:
        raise ValueError(f"the workbook already holds an Office add-in part ({WEBEXT_PART})")
    package.add_part(WEBEXT_PART, webextension.encode("utf-8"), WEBEXT_TYPE)
    package.add_part(TASKPANES_PART, taskpanes_xml().encode("utf-8"), TASKPANES_TYPE)
    package.add_relationship(TASKPANES_PART, WEBEXT_REL, "webextension1.xml")
    package.add_relationship("", TASKPANES_REL, TASKPANES_PART)


def read_properties(path: str | Path) -> dict[str, str]:
    """The add-in part's settings (name -> raw value), {} if the file has none."""
    with zipfile.ZipFile(path) as z:
        if WEBEXT_PART not in z.namelist():
            return {}
        root = ET.fromstring(z.read(WEBEXT_PART))
    return {p.get("name"): p.get("value") for p in root.iter(f"{{{WE_NS}}}property")}


def custom_function_ids(path: str | Path) -> list[str]:
    """The customFunctionIdList of the file's add-in part, in order."""
    with zipfile.ZipFile(path) as z:
        if WEBEXT_PART not in z.namelist():
            return []
        root = ET.fromstring(z.read(WEBEXT_PART))
    return [e.text or "" for e in root.iter(f"{{{WE_NS}}}customFunctionIds")]
