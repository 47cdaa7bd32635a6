"""The saved workbook as a package of parts, edited in memory and written whole.

openpyxl cannot write what Excel writes for dynamic arrays, Office add-ins or shapes, and it
drops such parts when it loads a file. So the build saves with openpyxl first, then edits the
package here: each step changes `parts` (name -> bytes), and `write` replaces the target file in
one move, so a failure half-way leaves the old file whole.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK = "xl/workbook.xml"
HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STAMP = (1980, 1, 1, 0, 0, 0)  # zip time of the parts we add: the same build, the same bytes


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=False, resolve_entities=False))


def serialise(root: etree._Element) -> bytes:
    return HEAD + etree.tostring(root, encoding="UTF-8")


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


class Package:
    """A zip package's parts in memory, in their original order."""

    def __init__(self, parts: dict[str, bytes], infos: dict[str, zipfile.ZipInfo]):
        self.parts = parts
        self._infos = infos

    @classmethod
    def read(cls, path: str | Path) -> Package:
        with zipfile.ZipFile(path) as z:
            infos = {i.filename: i for i in z.infolist()}
            return cls({name: z.read(name) for name in infos}, infos)

    def write(self, path: str | Path) -> Path:
        """Write all parts to `path`, replacing it in one move."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
                for name, data in self.parts.items():
                    info = self._infos.get(name) or zipfile.ZipInfo(name, STAMP)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    out.writestr(info, data)
            os.chmod(tmp, 0o644 & ~_umask())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    # --- relationships and content types -------------------------------------------------------

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type, target resolved to a part name) of `part`'s relationships."""
        name = rels_name(part) if part else "_rels/.rels"
        if name not in self.parts:
            return {}
        base = posixpath.dirname(part)
        out = {}
        for rel in xml(self.parts[name]):
            target = rel.get("Target")
            if rel.get("TargetMode") != "External":
                target = posixpath.normpath(posixpath.join(base, target)).lstrip("/")
            out[rel.get("Id")] = (rel.get("Type"), target)
        return out

    def add_relationship(self, part: str, rel_type: str, target: str) -> str:
        """Add a relationship from `part` ("" = the package) to `target` (relative); its new rId."""
        name = rels_name(part) if part else "_rels/.rels"
        root = (
            xml(self.parts[name])
            if name in self.parts
            else etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
        )
        taken = {r.get("Id") for r in root}
        rid = next(f"rId{i}" for i in range(1, len(taken) + 2) if f"rId{i}" not in taken)
        etree.SubElement(root, f"{{{PKG_REL_NS}}}Relationship", Id=rid, Type=rel_type, Target=target)
        self.parts[name] = serialise(root)
        return rid

    def add_part(self, name: str, data: bytes, content_type: str | None = None) -> None:
        if name in self.parts:
            raise ValueError(f"the package already has a part {name}")
        self.parts[name] = data
        if content_type:
            self.set_content_type(name, content_type)

    def set_content_type(self, name: str, content_type: str) -> None:
        root = xml(self.parts[CONTENT_TYPES])
        for o in root.findall(f"{{{CT_NS}}}Override"):
            if o.get("PartName") == f"/{name}":
                root.remove(o)
        etree.SubElement(root, f"{{{CT_NS}}}Override", PartName=f"/{name}", ContentType=content_type)
        self.parts[CONTENT_TYPES] = serialise(root)

    # --- sheets -----------------------------------------------------------------------------------

    def sheet_parts(self) -> dict[str, str]:
        """Sheet title -> its part name, in workbook order."""
        rels = self.relationships(WORKBOOK)
        book = xml(self.parts[WORKBOOK])
        return {s.get("name"): rels[s.get(f"{{{REL_NS}}}id")][1] for s in book.iter(f"{{{MAIN_NS}}}sheet")}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
