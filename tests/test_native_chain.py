"""Issue 14: the file for people without the add-in calculates live, in native formulas only.

Every preset picked in the selector, and 200 random valid scenarios laid out through the very
formulas of the Cash flow sheet, recalculated by LibreOffice (a real spreadsheet program),
formulon (an Excel 365 engine) and the `formulas` package, equal pricing.model.breakeven figure for
figure (relative 1e-9). Typing over an input makes the Python-only blocks say "stale" and the
master check fail. The IRR is Excel's IRR: where the flows change sign several times (retrains
bigger than a month's benefit) it can find another root than the engine's root nearest 0; the
test counts those and requires every single-sign-change case to agree.
"""

from __future__ import annotations

import contextlib
import math
import resource
import time
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from libreoffice import SOFFICE, convert_many
from native_cases import case_book, random_scenarios, unpriced_successor_cases
from openpyxl.utils import get_column_letter

from pricing.model.breakeven import evaluate, resolve_scenarios
from pricing.model.cashflow import cash_flows
from pricing.model.presets import presets
from pricing.prices.store import bundled_catalog
from workbook.build import build_template
from workbook.sheets import calculator, cashflow, risk, scenarios, stamps

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice")
RANDOM_CASES = 200


@contextlib.contextmanager
def _limit_memory():
    """LibreOffice (started inside) inherits a 6 GiB address-space cap; the test process gets its
    own limit back afterwards, so later tests are not starved by this one's cap."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = 6 * 1024**3
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def same(got, want, scale: float = 1.0) -> bool:
    """A native figure equals the engine's: None = "n/a", texts equal, numbers within 1e-9."""
    if want is None:
        return got == cashflow.NA
    if want == "":  # no baseline: LibreOffice saves the empty text as no value
        return got in ("", None)
    if isinstance(want, str):
        return got == want
    if isinstance(want, date):  # payback_date: the day, stored as a date serial
        if isinstance(got, (int, float)):  # formulon and formulas give the serial number
            return got == (want - date(1899, 12, 30)).days
        day = got.date() if isinstance(got, datetime) else got
        return day == want
    return isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9 * scale)


def _scale(result) -> float:  # money figures near 0 after a subtraction: compare on the case's scale
    return max(abs(result.frontier_cost_month), abs(result.upfront_cost), abs(result.fixed_cost_month), 1.0)


def sign_changes(inputs, catalog) -> int:
    _, resolved = resolve_scenarios([inputs], catalog)
    _, _, flows = cash_flows(resolved.columns, int(inputs.get("horizon_months", 36)))
    f = flows[0][flows[0] != 0]
    return int(np.sum(np.diff(np.sign(f)) != 0))


@pytest.fixture(scope="module")
def catalog():
    return bundled_catalog()


@pytest.fixture(scope="module")
def none_file(tmp_path_factory, catalog):
    return build_template(catalog, presets(), tmp_path_factory.mktemp("none") / "static.xlsx", runtime="none")


def _picked(none_file: Path, out: Path, name: str, edits: dict[str, object]) -> Path:
    wb = openpyxl.load_workbook(none_file)
    for ref, value in edits.items():
        sheet, cell = ref.split("!")
        wb[sheet][cell] = value
    path = out / f"{name}.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def recalculated(none_file, tmp_path_factory, catalog):
    """Each preset picked in the selector, one preset with an input typed over, and the 200
    random scenarios: recalculated in one LibreOffice start. Returns (paths, cases, answers, s)."""
    out = tmp_path_factory.mktemp("lo")
    sel = f"{calculator.SHEET}!C{calculator.SELECT_ROW}"
    files = {
        f"preset{i}": _picked(none_file, out, f"preset{i}", {sel: p.scenario.name})
        for i, p in enumerate(presets())
    }
    qpd = f"{calculator.SHEET}!C{calculator.field_rows()['queries_per_day']}"
    row2 = f"Scenarios!B{scenarios.FIRST_ROW + 1}"  # queries_per_day of the second scenario
    files["typed"] = _picked(none_file, out, "typed", {sel: presets()[0].scenario.name, qpd: 50_000, row2: 7})
    cases = random_scenarios(catalog, RANDOM_CASES)
    # after the random ones, in the same book (one LibreOffice run): see test_unpriced_successor
    book, answers = case_book(none_file, cases + unpriced_successor_cases(catalog), out / "cases.xlsx")
    files["cases"] = book
    done = out / "done"
    done.mkdir()
    start = time.perf_counter()
    with _limit_memory():
        results = convert_many(list(files.values()), "xlsx", done)
    seconds = time.perf_counter() - start
    return dict(zip(files, results, strict=True)), cases, answers, seconds


def _calculator_answers(path: Path) -> tuple[dict, openpyxl.Workbook]:
    wb = openpyxl.load_workbook(path, data_only=True)
    rows = calculator.output_rows()
    got = {k: wb[calculator.SHEET][f"H{rows[k]}"].value for k in calculator.OUTPUTS_BY_NAME}
    for k in set(cashflow.ANSWERS) - set(got):
        sheet, ref = wb.defined_names[cashflow.defined_name(k)].attr_text.split("!")
        got[k] = wb[sheet.strip("'")][ref.replace("$", "")].value
    return got, wb


def test_every_figure_is_mirrored_and_named(none_file):
    """The chain answers every headline figure of Result, and each Calculator answer carries its
    figure's name (npv and mode with a suffix: Excel reserves function names)."""
    from pricing.model.breakeven import HEADLINE_FIELDS

    assert set(cashflow.ANSWERS) == set(HEADLINE_FIELDS)
    wb = openpyxl.load_workbook(none_file)
    rows = calculator.output_rows()
    for key in cashflow.ANSWERS:
        dn = wb.defined_names[cashflow.defined_name(key)]
        if key in calculator.OUTPUTS_BY_NAME:  # shown on the Calculator: named there
            assert dn.attr_text == f"{calculator.SHEET}!$H${rows[key]}", key
            assert wb[calculator.SHEET][f"H{rows[key]}"].value.startswith("='Cash flow'!"), key
        else:
            assert dn.attr_text.startswith("'Cash flow'!$C$"), key


def test_native_formulas_only(none_file):
    """No FT_ call, no function outside the portable set, in any formula of the none file."""
    import re

    allowed = {
        "IF",
        "IFERROR",
        "INDEX",
        "MATCH",
        "MIN",
        "MAX",
        "INT",
        "SUM",
        "COUNT",
        "COUNTIF",
        "NPV",
        "IRR",
        "AND",
        "OR",
        "NOT",
        "ISNUMBER",
        "ISERROR",
        "ISBLANK",
        "N",
        "NA",
        "TODAY",
        "ABS",
        "TEXT",
        "_XLFN.ISFORMULA",
        "ROUND",
        "ROWS",
        "LEFT",
        "SEARCH",
        "SUMPRODUCT",
    }
    wb = openpyxl.load_workbook(none_file)
    used = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    text = re.sub(r'"[^"]*"', "", c.value)
                    used |= {f.upper() for f in re.findall(r"([A-Za-z_.][A-Za-z0-9_.]*)\(", text)}
    assert not {u for u in used if u.startswith("FT_")}
    assert used <= allowed, used - allowed


def test_each_preset_picked_gives_its_answers(recalculated, catalog):
    paths, *_ = recalculated
    for i, p in enumerate(presets()):
        got, wb = _calculator_answers(paths[f"preset{i}"])
        want = evaluate(calculator.python_inputs(p.scenario, catalog), catalog)
        for key in cashflow.ANSWERS:
            assert same(got[key], getattr(want, key), _scale(want)), (p.id, key, got[key], getattr(want, key))
        assert wb["Checks"]["B3"].value == "OK: all checks pass" or i != 1, wb["Checks"]["B3"].value
        stamp = wb[risk.SHEET][stamps.BLOCK_STAMPS[0]].value
        assert ("stale" in stamp) == (i != 1), stamp  # built for preset 1: the others are stale


def test_typing_an_input_updates_the_answers_and_marks_python_blocks_stale(recalculated, catalog):
    paths, *_ = recalculated
    got, wb = _calculator_answers(paths["typed"])
    inputs = calculator.python_inputs(presets()[0].scenario, catalog) | {"queries_per_day": 50_000}
    want = evaluate(inputs, catalog)
    assert want.verdict != evaluate(calculator.python_inputs(presets()[0].scenario, catalog), catalog).verdict
    for key in cashflow.ANSWERS:
        assert same(got[key], getattr(want, key), _scale(want)), key
    for ref in stamps.BLOCK_STAMPS:
        text = wb[risk.SHEET][ref].value
        assert text.startswith(f"computed for {presets()[1].scenario.name} on ") and stamps.STALE in text
    notes = wb[calculator.SHEET][f"H{calculator.output_rows()['notes']}"].value
    assert stamps.STALE in notes
    assert wb["Checks"]["B3"].value.endswith("check(s) fail: see the Checks sheet")
    col = len(scenarios.INPUT_COLUMNS) + 2 + len(scenarios.OUTPUTS)  # each row's stamp
    marks = [wb["Scenarios"].cell(scenarios.FIRST_ROW + i, col).value for i in range(3)]
    assert stamps.STALE not in marks[0] and marks[1] == stamps.STALE and stamps.STALE not in marks[2], marks


def test_random_scenarios_equal_the_engine_in_libreoffice(recalculated, catalog):
    paths, cases, answers, seconds = recalculated
    wb = openpyxl.load_workbook(paths["cases"], data_only=True)
    irr_misses, multi = [], 0
    kinds = dict.fromkeys(
        (
            "shutdown inside the horizon",
            "growth",
            "decline",
            "cached",
            "batch",
            "gpu",
            "baseline",
            "successor",
        ),
        0,
    )
    for i, inputs in enumerate(cases):
        want = evaluate(inputs, catalog)
        ws = wb[f"C{i + 1}"]
        changes = sign_changes(inputs, catalog)
        multi += changes > 1
        for key in cashflow.ANSWERS:
            got = ws[answers[key].replace("$", "")].value
            ok = same(got, getattr(want, key), _scale(want))
            if key == "irr_annual" and not ok:
                # one root must agree, unless it lies beyond -90% a month (Excel's IRR gives up)
                deep = (1 + want.irr_annual) ** (1 / 12) - 1 < -0.9
                assert changes > 1 or deep, (i, inputs, got, want.irr_annual)
                irr_misses.append(i)
                continue
            assert ok, (i, key, got, getattr(want, key), inputs)
        kinds["shutdown inside the horizon"] += "traffic returns to" in " ".join(want.notes)
        kinds["growth"] += bool(inputs.get("volume_growth_monthly"))
        kinds["decline"] += bool(
            inputs.get("frontier_price_decline_annual") or inputs.get("frontier_price_cut")
        )
        kinds["cached"] += bool(inputs.get("cached_share"))
        kinds["batch"] += bool(inputs.get("batch_share"))
        kinds["gpu"] += "GPU serving" in " ".join(want.notes)
        kinds["baseline"] += want.baseline_verdict != ""
        kinds["successor"] += "takes over" in " ".join(want.notes)
    assert all(n >= 5 for n in kinds.values()), kinds
    # Excel's IRR (Newton from 0) finds another root than the engine's, or none, for a few flows
    # that change sign many times; measured: 9 of 200 (seed 14).
    assert len(irr_misses) <= 0.05 * len(cases), (irr_misses, multi)
    print(
        f"LibreOffice: {len(paths)} files, {len(cases)} cases in {seconds:.1f} s; {kinds}; "
        f"IRR misses {irr_misses}"
    )


def test_unpriced_successor_shows_what_the_engine_shows(recalculated, catalog):
    """A successor without a training rate: NPV and IRR n/a where the engine has none (not
    #VALUE!), the month table's flows #N/A (the engine's NaN), every other figure the engine's."""
    paths, cases, answers, _ = recalculated
    wb = openpyxl.load_workbook(paths["cases"], data_only=True)
    extra = unpriced_successor_cases(catalog)
    assert extra, "the catalog has no fine-tunable model without a training rate to test with"
    unknown = 0
    for i, inputs in enumerate(extra, start=len(cases) + 1):
        want = evaluate(inputs, catalog)
        ws = wb[f"C{i}"]
        got = {key: ws[answers[key].replace("$", "")].value for key in cashflow.ANSWERS}
        for key in cashflow.ANSWERS:
            assert same(got[key], getattr(want, key), _scale(want)), (i, key, got[key], getattr(want, key))
        flow_col = get_column_letter(
            cashflow.TABLE_COL + [c[0] for c in cashflow.COLUMNS].index(cashflow.FLOW_COLUMN)
        )
        month_1 = ws[f"{flow_col}{cashflow.STEP_TOP + 2}"].value
        assert month_1 == "#N/A" if want.npv is None else isinstance(month_1, (int, float)), (i, month_1)
        unknown += want.npv is None
    assert 0 < unknown < len(extra)  # both sides of the horizon: the successor inside it, and not


def test_formulon_recalculates_the_none_file(none_file, catalog):
    """formulon (Excel 365 engine) recalculates the Calculator from the native chain."""
    formulon = pytest.importorskip("formulon")
    want = evaluate(calculator.python_inputs(presets()[1].scenario, catalog), catalog)
    rows = calculator.output_rows()
    with formulon.Workbook.load(none_file.read_bytes()) as wb:
        sheets = {wb.sheet_name(i): i for i in range(wb.sheet_count())}
        wb.recalc()
        s = sheets[calculator.SHEET]
        for key in calculator.OUTPUTS_BY_NAME:
            v = wb.get_value(s, rows[key] - 1, 7)
            got = v.number if v.number is not None else v.text
            assert same(got, getattr(want, key), _scale(want)), (key, v)
        check = wb.get_value(sheets["Checks"], 2, 1)
        assert check.text == "OK: all checks pass", check


def test_formulas_package_recalculates_the_none_file(none_file, catalog):
    from test_workbook_formulas import cell, solve

    want = evaluate(calculator.python_inputs(presets()[1].scenario, catalog), catalog)
    values = solve(none_file, plugged=False)
    rows = calculator.output_rows()
    for key in calculator.OUTPUTS_BY_NAME:
        got = cell(values, calculator.SHEET, f"H{rows[key]}")
        assert same(got, getattr(want, key), _scale(want)), (key, got, getattr(want, key))
