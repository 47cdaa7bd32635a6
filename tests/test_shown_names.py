"""No engine name is shown to a user: every string cell of every visible sheet of every runtime's
file is scanned for the figures registry's snake_case names (pricing.model.figures)."""

from __future__ import annotations

import re

import openpyxl
import pytest

from pricing.model import figures
from pricing.model.scenario import Scenario
from xl_addin.function_docs import function_table

# The engine's names of the figures it computes; one-word names (npv, roi, verdict) read as words.
# Input names and the FT_ functions' argument names are the functions' vocabulary (an input
# block's labels, the Scenarios table's header, the Functions sheet) and are shown on purpose,
# also where a figure shares one (lifetime_months, upfront_cost).
ARGUMENTS = {a for _name, _doc, args in function_table() for a, _adoc, _opt in args}
VOCABULARY = set(Scenario.model_fields) | ARGUMENTS
ENGINE_NAMES = {n for n in (*figures.HEADLINE, *figures.SCHEDULE, *figures.RISK) if "_" in n} - VOCABULARY
WORD = re.compile(r"[A-Za-z0-9_]+")


def _hidden(ws, cell) -> bool:
    """Cells a user does not see: hidden sheets, columns and rows (sheet-internal helpers)."""
    if ws.sheet_state != "visible":
        return True
    column = ws.column_dimensions.get(cell.column_letter)
    row = ws.row_dimensions.get(cell.row)
    return bool((column is not None and column.hidden) or (row is not None and row.hidden))


def shown_engine_names(path) -> list[str]:
    found = []
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if not isinstance(v, str) or v.startswith("=") or _hidden(ws, cell):
                    continue  # formulas are not shown; their string results are checked where cached
                names = ENGINE_NAMES.intersection(WORD.findall(v))
                if names:
                    found.append(f"{ws.title}!{cell.coordinate}: {sorted(names)} in {v[:80]!r}")
    return found


def test_the_scan_finds_an_engine_name(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["B2"] = "Figure: payback_months"
    wb.active["C3"] = "Payback (months)"
    wb.save(tmp_path / "x.xlsx")
    assert shown_engine_names(tmp_path / "x.xlsx") == [
        "Sheet!B2: ['payback_months'] in 'Figure: payback_months'"
    ]


@pytest.mark.parametrize("runtime", ["lite", "classic", "server", "none"])
def test_no_engine_name_is_shown(runtime_files, runtime):
    assert shown_engine_names(runtime_files[runtime]) == []
