"""Text from a store, a download or a scenario file, made harmless wherever it lands.

- a spreadsheet cell (via xlwings) or a CSV field: `safe_cell_text`, OWASP's CSV-injection rule
  (https://owasp.org/www-community/attacks/CSV_Injection): text starting with = + - @ tab or CR
  gets a leading apostrophe, so Excel and LibreOffice show it instead of evaluating it;
- an openpyxl cell: `write_text_cell` stores a string as a string (openpyxl itself would turn
  "=..." into a live formula, and refuses control characters); `workbook_safe` does the same
  for every text of a catalog before a workbook is built from it;
- a terminal: `terminal_text` shows control characters (escape codes, bidi overrides) as
  \\x1b-style escapes, so a model name cannot recolour or rewrite the screen.
"""

from __future__ import annotations

import unicodedata
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell_text(value: Any) -> Any:
    """Text that Excel will show, never evaluate: OWASP CSV-injection rule.

    Strings starting with = + - @ (or tab / CR / LF) get a leading apostrophe, which Excel
    treats as a text marker. Non-strings are returned unchanged; None stays None.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    """A CSV row with every text field neutralised (numbers stay numbers)."""
    return [safe_cell_text(v) for v in values]


def write_text_cell(cell: Any, value: Any) -> None:
    """Put `value` into an openpyxl cell; a string stays text even when it starts with '=', and
    control characters (which openpyxl refuses) are shown escaped."""
    if isinstance(value, str):
        value = terminal_text(value)
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"


def _workbook_text(value: Any) -> Any:
    if isinstance(value, str):
        return safe_cell_text(terminal_text(value))
    if isinstance(value, list):
        return [_workbook_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _workbook_text(v) for k, v in value.items()}
    return value


def workbook_safe(catalog: Any) -> Any:
    """A catalog whose every text is fit for an openpyxl cell: no formula, no control character
    (the bundled catalog comes back unchanged: none of its texts needs either)."""
    data = catalog.model_dump(mode="json")
    safe = _workbook_text(data)
    return catalog if safe == data else type(catalog).model_validate(safe)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: Any, keep_newlines: bool = False) -> str:
    """`text` with control and format characters (C0, C1, DEL, bidi overrides) escaped."""
    out = []
    for ch in str(text):
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)
