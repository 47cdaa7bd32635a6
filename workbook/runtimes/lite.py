"""xlwings Lite: the add-in part that carries our code, as Lite and Excel write it.

Lite keeps its code as settings of its Office add-in (store id wa200008175):
`<we:property name="main.py" value="<JSON string>"/>` in xl/webextensions/webextension1.xml,
reached from _rels/.rels through xl/webextensions/taskpanes.xml. The part also lists every
custom function the sheets use (customFunctionIdList, as Excel writes it), which is what lets
Excel bind the stored `_xldudf_FT_...` formulas to Lite's functions when it registers them, and
asks Office to open the add-in with the document (Office.AutoShowTaskpaneWithDocument, task pane
visibility 1: Microsoft's "Automatically open a task pane with a document") and Lite to start
with it (Lite's workbook setting startupBehavior).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from workbook.package import Package
from workbook.runtimes import webextension as wx

ADDIN_ID = "wa200008175"  # xlwings Lite in Microsoft's add-in store (OMEX)
# A fixed add-in instance id keeps builds byte-for-byte reproducible.
INSTANCE_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "ft-breakeven/xlwings-lite")).upper() + "}"
# Lite's own workbook setting (seen in a workbook Lite saved): start with the workbook.
LITE_SETTINGS = {"xlwingsSettingsWorkbook": json.dumps({"startupBehavior": "taskpane"})}


def webextension_xml(settings: Mapping[str, str], function_ids: Iterable[str] = ()) -> str:
    props = {wx.AUTO_SHOW: "true", **LITE_SETTINGS}
    props.update({name: json.dumps(text) for name, text in settings.items()})
    ref = f'id="{ADDIN_ID}" version="1.0.0.0" storeType="OMEX"'
    return wx.webextension_xml(
        INSTANCE_ID,
        f'<we:reference {ref} store="en-US"/>',
        f'<we:reference {ref} store="{ADDIN_ID.upper()}"/>',
        props,
        function_ids,
    )


def add_addin(package: Package, settings: Mapping[str, str], function_ids: Iterable[str]) -> None:
    """Add the Lite add-in with `settings` (main.py, requirements.txt) listing `function_ids`."""
    wx.add(package, webextension_xml(settings, function_ids))


def read_settings(path: str | Path) -> dict[str, str]:
    """Lite's code settings stored in a workbook (name -> text), {} if it has none."""
    props = wx.read_properties(path)
    return {k: json.loads(v) for k, v in props.items() if k not in (wx.AUTO_SHOW, *LITE_SETTINGS)}
