"""xlwings Server: the add-in part that names the Server's own Office add-in.

xlwings Server deploys an Office.js add-in whose manifest id is the deployment's own
(`manifest_id_prod` in xlwings-server's config.py, a fresh UUID per `xlwings-server init`;
the stock default below), installed through the Microsoft 365 admin centre (Centralized
Deployment, storeType EXCatalog in Microsoft's "Automatically open a task pane with a document").
Its functions carry the manifest's namespace (`functions_namespace`, default XLWINGS), so cells
store `_xldudf_XLWINGS_FT_...` (workbook.formulas) and the part lists those ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from workbook.package import Package
from workbook.runtimes import webextension as wx

# xlwings-server's default production manifest id (config.py, manifest_id_prod).
DEFAULT_MANIFEST_ID = "4f342d85-3a49-41cb-90a5-37b1f2219040"
INSTANCE_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "ft-breakeven/xlwings-server")).upper() + "}"


def check_manifest_id(value: str) -> str:
    """The manifest id as a UUID string, or ValueError naming the flag and what is allowed."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise ValueError(
            f"--server-manifest-id must be the UUID in your xlwings Server's manifest <Id>, got {value!r}"
        ) from None


def add_addin(package: Package, function_ids: Iterable[str], manifest_id: str | None = None) -> None:
    ref = f'id="{check_manifest_id(manifest_id or DEFAULT_MANIFEST_ID)}" version="1.0.0.0"'
    wx.add(
        package,
        wx.webextension_xml(
            INSTANCE_ID,
            f'<we:reference {ref} store="EXCatalog" storeType="EXCatalog"/>',
            "",
            {wx.AUTO_SHOW: "true"},
            function_ids,
        ),
    )
