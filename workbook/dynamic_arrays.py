"""Store every FT_ formula as Excel 365 stores a dynamic-array formula, with its cached answer.

A dynamic-array cell is `<c cm="1"><f t="array" ref="L5:P18">...</f><v>...</v></c>`: `cm`
points at the XLDAPR record of xl/metadata.xml, `ref` is the range the result spilled into when
the file was saved. Excel writes exactly this (a file Excel saved with Office.js custom
functions; XlsxWriter's write_dynamic_array_formula writes the same metadata part); without it,
Excel loads the formula as a legacy array of fixed size, or as `=@FT_...` in a single cell.

The cached value is the engine's answer for the built scenario, so the file shows real numbers
before anything recalculates (Protected View, previews, a spreadsheet program without the
add-in); the spilled cells around the anchor hold the rest of the result as plain values, as
Excel saves them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.datetime import to_excel

from workbook.formulas import Storage, ft_functions
from workbook.package import MAIN_NS, WORKBOOK, Package, serialise, xml

METADATA_PART = "xl/metadata.xml"
METADATA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"
METADATA_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"
XDA_NS = "http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray"
# One cell-metadata record, XLDAPR (dynamic array properties), as Excel writes it; cm="1" on a
# cell refers to it (cm counts from 1).
METADATA_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<metadata xmlns="{MAIN_NS}" xmlns:xda="{XDA_NS}">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
    'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
    'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst>'
    '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
).encode()
ERROR_VALUES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#BUSY!", "#CALC!", "#SPILL!"}
)


@dataclass(frozen=True)
class FtCell:
    """One FT_ formula: where it sits and the engine's answer (rows of cells) for the built file."""

    sheet: str
    anchor: str
    values: tuple[tuple[Any, ...], ...]

    @property
    def spill_ref(self) -> str:
        """The range the answer fills, e.g. L5:P18 (the anchor alone for one value)."""
        height, width = len(self.values), max((len(r) for r in self.values), default=1)
        if height <= 1 and width <= 1:
            return self.anchor
        col, row = coordinate_from_string(self.anchor)
        last = get_column_letter(column_index_from_string(col) + width - 1)
        return f"{self.anchor}:{last}{row + height - 1}"


def cached(value: Any) -> tuple[str | None, str | None]:
    """(t attribute, <v> text) of a cached cell value, as Excel stores it."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, (dt.date, dt.datetime)):
        return None, repr(float(to_excel(value)))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return "e", "#NUM!"
        return None, repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return ("e", text) if text in ERROR_VALUES else ("str", text)


def store(package: Package, storage: Storage, cells: Sequence[FtCell]) -> list[str]:
    """Rewrite every FT_ formula cell of the package; returns the stored function names used."""
    by_place = {(c.sheet, c.anchor): c for c in cells}
    sheets = package.sheet_parts()
    used: set[str] = set()
    found = 0
    for title, part in sheets.items():
        root = xml(package.parts[part])
        changed = False
        for c in root.iter(f"{{{MAIN_NS}}}c"):
            f = c.find(f"{{{MAIN_NS}}}f")
            if f is None or not f.text or not ft_functions(f.text):
                continue
            cell = by_place.get((title, c.get("r")))
            if cell is None:  # every FT_ formula is written through BuildContext.ft
                raise ValueError(f"{title}!{c.get('r')} holds an FT_ formula without a cached answer")
            used.update(storage.name(n) for n in ft_functions(f.text))
            _make_dynamic(c, f, storage.stored(f.text), cell)
            found += 1
            changed = True
        if changed:
            package.parts[part] = serialise(root)
    if found != len(by_place):
        missing = sorted(set(by_place) - _formula_places(package, sheets))
        raise ValueError(f"FT_ cells recorded but not in the file: {missing[:5]}")
    if found:
        _add_metadata(package)
    return sorted(used)


def _make_dynamic(c, f, text: str, cell: FtCell) -> None:
    for child in list(c):
        if child.tag != f.tag:
            c.remove(child)
    f.text = text
    for attr in list(f.attrib):
        del f.attrib[attr]
    f.set("t", "array")
    f.set("ref", cell.spill_ref)
    c.set("cm", "1")
    t, v = cached(cell.values[0][0] if cell.values and cell.values[0] else None)
    c.attrib.pop("t", None)
    if t:
        c.set("t", t)
    if v is not None:
        c.append(_element("v", v))


def _element(tag: str, text: str):
    from lxml import etree

    e = etree.Element(f"{{{MAIN_NS}}}{tag}")
    e.text = text
    return e


def _formula_places(package: Package, sheets: dict[str, str]) -> set[tuple[str, str]]:
    places = set()
    for title, part in sheets.items():
        for c in xml(package.parts[part]).iter(f"{{{MAIN_NS}}}c"):
            f = c.find(f"{{{MAIN_NS}}}f")
            if f is not None and f.text and "FT_" in f.text:
                places.add((title, c.get("r")))
    return places


def _add_metadata(package: Package) -> None:
    package.add_part(METADATA_PART, METADATA_XML, METADATA_TYPE)
    package.add_relationship(WORKBOOK, METADATA_REL, "metadata.xml")


def spill_values(rows: Iterable[Sequence[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(r) for r in rows)
