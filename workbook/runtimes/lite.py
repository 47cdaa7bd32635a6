"""xlwings Lite: store main.py and requirements.txt inside the workbook, as Lite itself does.

Lite keeps its code as settings of its Office add-in (store id wa200008175):
`<we:property name="main.py" value="<JSON string>"/>` in xl/webextensions/webextension1.xml,
reached from _rels/.rels through xl/webextensions/taskpanes.xml. openpyxl drops these parts on
load and save, so they are added to the zip after openpyxl has written the file.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

ADDIN_ID = "wa200008175"  # xlwings Lite in Microsoft's add-in store (OMEX)
WE_NS = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
TP_NS = "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
TASKPANES_REL = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
WEBEXT_REL = "http://schemas.microsoft.com/office/2011/relationships/webextension"
WEBEXT_PART = "xl/webextensions/webextension1.xml"
TASKPANES_PART = "xl/webextensions/taskpanes.xml"
TASKPANES_RELS = "xl/webextensions/_rels/taskpanes.xml.rels"
CONTENT_TYPES = {
    WEBEXT_PART: "application/vnd.ms-office.webextension+xml",
    TASKPANES_PART: "application/vnd.ms-office.webextensiontaskpanes+xml",
}
# A fixed add-in instance id keeps builds byte-for-byte reproducible.
INSTANCE_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "ft-breakeven/xlwings-lite")).upper() + "}"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STAMP = (1980, 1, 1, 0, 0, 0)  # zip entry time of the parts we add (reproducible builds)


def webextension_xml(settings: Mapping[str, str]) -> str:
    props = "".join(
        f"<we:property name={quoteattr(name)} value={quoteattr(json.dumps(text))}/>"
        for name, text in settings.items()
    )
    ref = 'version="1.0.0.0" storeType="OMEX"'
    return (
        f'{HEAD}<we:webextension xmlns:we="{WE_NS}" id="{INSTANCE_ID}">'
        f'<we:reference id="{ADDIN_ID}" {ref} store="en-US"/>'
        f'<we:alternateReferences><we:reference id="{ADDIN_ID.upper()}" {ref} '
        f'store="{ADDIN_ID.upper()}"/></we:alternateReferences>'
        f"<we:properties>{props}</we:properties><we:bindings/>"
        f'<we:snapshot xmlns:r="{R_NS}"/></we:webextension>'
    )


def taskpanes_xml() -> str:
    # visibility="1": the pane opens with the workbook, so Lite starts and registers FT_ functions.
    return (
        f'{HEAD}<wetp:taskpanes xmlns:wetp="{TP_NS}"><wetp:taskpane dockstate="right" '
        f'visibility="1" width="350" row="1"><wetp:webextensionref xmlns:r="{R_NS}" r:id="rId1"/>'
        "</wetp:taskpane></wetp:taskpanes>"
    )


def taskpanes_rels_xml() -> str:
    return (
        f'{HEAD}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
        f'Type="{WEBEXT_REL}" Target="webextension1.xml"/></Relationships>'
    )


def _add_root_rel(xml: bytes) -> bytes:
    ET.register_namespace("", PKG_REL_NS)
    root = ET.fromstring(xml)
    ids = {r.get("Id") for r in root}
    rid = next(f"rId{i}" for i in range(1, len(ids) + 2) if f"rId{i}" not in ids)
    ET.SubElement(
        root, f"{{{PKG_REL_NS}}}Relationship", {"Id": rid, "Type": TASKPANES_REL, "Target": TASKPANES_PART}
    )
    return HEAD.encode() + ET.tostring(root)


def _add_content_types(xml: bytes) -> bytes:
    ET.register_namespace("", CT_NS)
    root = ET.fromstring(xml)
    for part, ctype in CONTENT_TYPES.items():
        ET.SubElement(root, f"{{{CT_NS}}}Override", {"PartName": f"/{part}", "ContentType": ctype})
    return HEAD.encode() + ET.tostring(root)


def inject(path: str | Path, settings: Mapping[str, str]) -> Path:
    """Add the Lite add-in with `settings` (e.g. main.py, requirements.txt) to the saved file."""
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        if WEBEXT_PART in src.namelist():
            raise ValueError(f"{path} already holds an Office add-in part ({WEBEXT_PART})")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
                for info in src.infolist():
                    data = src.read(info)
                    if info.filename == "_rels/.rels":
                        data = _add_root_rel(data)
                    elif info.filename == "[Content_Types].xml":
                        data = _add_content_types(data)
                    out.writestr(info, data)
                for name, text in (
                    (WEBEXT_PART, webextension_xml(settings)),
                    (TASKPANES_PART, taskpanes_xml()),
                    (TASKPANES_RELS, taskpanes_rels_xml()),
                ):
                    out.writestr(zipfile.ZipInfo(name, STAMP), text.encode("utf-8"), zipfile.ZIP_DEFLATED)
            os.chmod(tmp, path.stat().st_mode)  # mkstemp's 0600 would hide it from others
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path


def read_settings(path: str | Path) -> dict[str, str]:
    """The Lite settings stored in a workbook (name -> text), {} if it has none."""
    with zipfile.ZipFile(path) as z:
        if WEBEXT_PART not in z.namelist():
            return {}
        root = ET.fromstring(z.read(WEBEXT_PART))
    return {p.get("name"): json.loads(p.get("value")) for p in root.iter(f"{{{WE_NS}}}property")}
