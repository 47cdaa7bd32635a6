"""The constraint switches: one table (pricing.model.constraints) drives the Excel formulas and
the Python, and the two agree on every combination of switches (recalculated by `formulas`)."""

from __future__ import annotations

import itertools

import pytest

formulas = pytest.importorskip("formulas")

from openpyxl import Workbook  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from pricing.model import constraints  # noqa: E402
from pricing.model.constraints import NO, YES, Note, Rule, Switch  # noqa: E402
from pricing.model.presets import presets  # noqa: E402
from pricing.prices.store import bundled_catalog  # noqa: E402
from workbook import switch_formulas  # noqa: E402
from workbook.sheets import calculator  # noqa: E402

# Each input's own value (what it holds without the rules): blank, 0 or a number of its own
OWN_VARIANTS = ("blank", "zero", "given")


def _own(variant: str, i: int):
    return {"blank": None, "zero": 0, "given": 100.0 + i}[variant]


def combination_sheet(path):
    """A workbook with one row per (combination of switches, own-value variant): the switches,
    each ruled input's own value and, beside them, the formulas switch_formulas writes for the
    Calculator with the row's cells in place of the names. Row 1 holds the assumptions."""
    switches = [s.name for s in constraints.SWITCHES]
    fields = constraints.ruled_fields()
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    where: dict[str, str] = {}
    for j, a in enumerate(constraints.ASSUMPTIONS, 1):
        ws.cell(1, j, a.value)
        where[a.name] = f"${get_column_letter(j)}$1"
    rows = []
    combos = itertools.product((YES, NO), repeat=len(switches))
    for r, (combo, variant) in enumerate(itertools.product(combos, OWN_VARIANTS), start=2):
        col = 1
        refs = dict(where)
        for name, value in zip(switches, combo, strict=True):
            ws.cell(r, col, value)
            refs[name] = f"{get_column_letter(col)}{r}"
            col += 1
        own_refs = {}
        for i, f in enumerate(fields):
            ws.cell(r, col, _own(variant, i))
            own_refs[f] = f"{get_column_letter(col)}{r}"
            col += 1
        out = {}
        for f in fields:
            own = f'IF({own_refs[f]}="","",{own_refs[f]})'  # as the Calculator's plain look-up
            ws.cell(r, col, "=" + switch_formulas.ruled_formula(f, own, refs.__getitem__))
            out[f] = f"{get_column_letter(col)}{r}"
            col += 1
        ws.cell(r, col, "=" + switch_formulas.notes_formula(refs.__getitem__))
        out["notes"] = f"{get_column_letter(col)}{r}"
        rows.append((dict(zip(switches, combo, strict=True)), variant, out))
    wb.save(path)
    return rows


def recalculated(path) -> dict[str, object]:
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    book = f"'[{path.name}]S'!".upper()
    out = {}
    for key, value in solution.items():
        v = value.value[0][0] if hasattr(value, "value") else value
        out[key.upper().replace(book, "")] = v
    return out


def _excel_value(v):
    if v is None or str(v) in ("", "empty") or type(v).__name__ in ("_EmptyValue", "EmptyValue"):
        return None
    return v if isinstance(v, str) else float(v)


def assert_excel_agrees_with_python(tmp_path) -> int:
    path = tmp_path / "switches.xlsx"
    rows = combination_sheet(path)
    got = recalculated(path)
    fields = constraints.ruled_fields()
    for settings, variant, out in rows:
        own = {f: _own(variant, i) for i, f in enumerate(fields)}
        want = constraints.ruled_inputs(own, settings)
        for f in fields:
            excel = _excel_value(got[out[f]])
            python = None if want[f] is None else float(want[f])
            assert excel == python, (f, settings, variant, excel, python)
        assert (_excel_value(got[out["notes"]]) or "") == constraints.notes(settings), (settings,)
    return len(rows)


def test_excel_formulas_agree_with_python_on_every_combination(tmp_path):
    n = assert_excel_agrees_with_python(tmp_path)
    assert n == 2 ** len(constraints.SWITCHES) * len(OWN_VARIANTS) == 384


# A switch the seed page does not have, added to the table as a user of the code would: global
# batch endpoints may process data outside the region, so residency turns the batch share off.
RESIDENCY = Switch(
    "DataResidency",
    "Data must stay in one region (data residency)?",
    NO,
    "Yes: batch share 0 (batch endpoints may run outside the region), and a note",
)
RESIDENCY_RULE = Rule("DataResidency", YES, "batch_share", constraints.number(0))
RESIDENCY_NOTE = Note("DataResidency", YES, "Residency: check the vendor trains and serves in your region. ")


@pytest.fixture
def with_residency(monkeypatch):
    """The table with one more switch, rule and note: nothing else is edited."""
    monkeypatch.setattr(constraints, "SWITCHES", (*constraints.SWITCHES, RESIDENCY))
    monkeypatch.setattr(constraints, "RULES", (*constraints.RULES, RESIDENCY_RULE))
    monkeypatch.setattr(constraints, "NOTES", (*constraints.NOTES, RESIDENCY_NOTE))


def test_a_rule_added_to_the_table_reaches_the_calculator_and_the_python(with_residency, tmp_path):
    # the Calculator: a Yes/No row for the switch, the input's formula and the notes
    rows = calculator.switch_rows()
    assert "DataResidency" in rows and max(rows.values()) < calculator.BLOCK_TITLE_ROW
    field_rows = calculator.field_rows()
    formula = calculator.value_formula("batch_share", field_rows["batch_share"], field_rows)
    assert formula.startswith('=IF(DataResidency="Yes",0,')
    assert "Residency: check" in switch_formulas.notes_formula()
    # the Python: the static copy's inputs follow the switch
    scenario = presets()[1].scenario.model_copy(update={"batch_share": 0.4})
    off = calculator.python_inputs(scenario, bundled_catalog())
    on = calculator.python_inputs(scenario, bundled_catalog(), {"DataResidency": YES})
    assert off["batch_share"] == 0.4 and on["batch_share"] == 0
    assert "Residency: check" in constraints.notes({"DataResidency": YES})
    # and the two still agree on every combination, now 2^8 of them
    assert assert_excel_agrees_with_python(tmp_path) == 2**8 * len(OWN_VARIANTS)


def test_the_calculator_sheet_shows_an_added_switch(with_residency, tmp_path):
    from openpyxl import load_workbook

    from workbook.build import build_template

    path = build_template(bundled_catalog(), presets(), tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb[calculator.SHEET]
    row = calculator.switch_rows()["DataResidency"]
    assert ws.cell(row, 1).value == RESIDENCY.label and ws.cell(row, 3).value == NO
    assert wb.defined_names["DataResidency"].attr_text == f"{calculator.SHEET}!$C${row}"
    assert ws.cell(calculator.field_rows()["batch_share"], 3).value.startswith('=IF(DataResidency="Yes",0,')
