"""A model without a price is an error, never $0: every path a missing rate (None) takes.

The store holds a catalog in which claude-sonnet-4-6 (the presets' frontier model) has no input
rate and nova-pro (their fine-tuned model) has neither a fine-tuned nor a base output rate.
- catalog look-up: the rate is None ("missing"), never 0;
- the engine: ScenarioError naming the input to give; the CLI: one sentence, exit 2;
- FT_PRICE, FT_SCENARIO, FT_NPV and each FT_SCENARIOS row: #N/A, value not available (the CLI
  names the input to give); all through xlwings' real Office.js code path (tests/officejs.py);
- the no-add-in file's native Cash flow chain, recalculated by formulon (an Excel 365 engine):
  the Calculator's answers are error values, not numbers.
Rates that are absent by design stay 0 and are not tested as errors here: storage, hosting and a
minimum job charge a vendor does not bill (ModelEntry.monthly_fixed_cost), and the per-token
fine-tuned rate of a model served on dedicated GPUs (published as 0, billed per GPU-hour).
"""

from __future__ import annotations

import json

import pytest
from officejs import NA, call

from pricing.model.breakeven import evaluate
from pricing.model.presets import presets
from pricing.model.scenario import ScenarioError
from pricing.prices.catalog import Catalog
from pricing.prices.store import (
    ENV_HOME,
    bundled_catalog,
    load_catalog,
    save_catalog_atomic,
    store_catalog_path,
)
from workbook.build import build_template
from workbook.sheets import calculator
from xl_addin.cli import main

FRONTIER, FT = "claude-sonnet-4-6", "nova-pro"
VALUE = {"type": "Error", "errorType": "Value"}


def lacking() -> Catalog:
    cat = bundled_catalog()
    gaps = {FRONTIER: {"input": None}, FT: {"ft_output": None, "output": None}}
    models = [m.model_copy(update=gaps[m.id]) if m.id in gaps else m for m in cat.models]
    return cat.model_copy(update={"models": models})


@pytest.fixture
def store(tmp_path, monkeypatch):
    save_catalog_atomic(lacking(), store_catalog_path(tmp_path))
    monkeypatch.setenv(ENV_HOME, str(tmp_path))
    return tmp_path


def scenario() -> dict:
    return presets()[1].scenario.model_dump(exclude_none=True)


def test_the_catalog_says_missing_not_zero(store):
    cat = load_catalog(store)
    assert cat.get(FRONTIER).input is None and cat.get(FRONTIER).status_of("input") == "missing"
    assert cat.get(FT).output is None and cat.get(FT).status_of("ft_output") == "missing"


def test_the_engine_refuses_naming_the_input_to_give(store):
    cat = load_catalog(store)
    with pytest.raises(ScenarioError) as info:
        evaluate(scenario(), cat)
    assert str(info.value).startswith(f"frontier_input_price must be given: no input rate for {FRONTIER}")
    with pytest.raises(ScenarioError) as info:  # the frontier rate given: the fine-tuned gap remains
        evaluate(scenario() | {"frontier_input_price": 3.0}, cat)
    assert str(info.value).startswith(f"ft_output_price must be given: no output rate for {FT}")
    both = evaluate(scenario() | {"frontier_input_price": 3.0, "ft_output_price": 3.2}, cat)
    assert both.ft_cost_per_query > 0 and both.frontier_cost_per_query > 0


def test_the_cli_says_one_sentence_and_exits_non_zero(store, tmp_path, capsys):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario(), default=str), encoding="utf-8")
    code = main(["report", "--scenario", str(path), "--store", str(store)])
    out, err = capsys.readouterr()
    assert code != 0 and "Traceback" not in err and "$0" not in out
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and f"no input rate for {FRONTIER}" in lines[0], err
    assert main(["report", "--preset", presets()[1].id, "--store", str(store)]) != 0
    assert f"no input rate for {FRONTIER}" in capsys.readouterr().err


def test_excel_functions_through_office_js(store):
    """A model without a price is #N/A (ISNA works), as issue 21 asks: FT_PRICE, FT_SCENARIO and
    each FT_SCENARIOS row; never a number computed from a $0 rate. Given in the block, it answers."""
    assert call("ft_price", FRONTIER, "input") == [[NA]]
    assert call("ft_price", FT, "ft_output") == [[NA]]
    assert call("ft_price", FRONTIER, "output") == [[15.0]]  # the rates it has still answer
    block = [[k, v] for k, v in scenario().items()]
    assert call("ft_scenario", block, "npv") == [[NA]]
    assert call("ft_scenario", block + [["frontier_input_price", 3.0]], "ft_cost_per_query") == [[NA]]
    assert call("ft_npv", block) == [[NA]]
    fields = [k for k, _ in block]
    row = [v for _, v in block]
    table = [fields + ["frontier_input_price"], row + [None], row + [3.0]]  # each row lacks one rate
    assert call("ft_scenarios", table, "npv") == [[NA], [NA]]
    given = block + [["frontier_input_price", 3.0], ["ft_output_price", 3.2]]
    assert isinstance(call("ft_scenario", given, "npv")[0][0], float)


def test_the_native_chain_shows_errors_for_a_blank_rate(tmp_path):
    """The file for people without the add-in: blank the frontier's input and the fine-tuned
    model's output rates on its Pricing sheet (as a refresh that lost them, or a user, would);
    every figure that needs them is an Excel error in an Excel 365 engine, none a number."""
    formulon = pytest.importorskip("formulon")
    import openpyxl

    from workbook.sheets import pricing as wb_pricing

    built = build_template(bundled_catalog(), presets(), tmp_path / "none.xlsx", runtime="none")
    wb = openpyxl.load_workbook(built)
    ws = wb[wb_pricing.SHEET]
    ids = wb_pricing.col_letter("id")
    blanks = {FRONTIER: ("input",), FT: ("ft_output", "output")}
    for r in range(wb_pricing.FIRST_ROW, wb_pricing.FIRST_ROW + len(bundled_catalog().models)):
        for f in blanks.get(ws[f"{ids}{r}"].value, ()):
            ws[f"{wb_pricing.col_letter(f)}{r}"] = None
    wb.save(tmp_path / "blank.xlsx")
    rows = calculator.output_rows()
    needs_rates = (
        "frontier_cost_per_query",
        "ft_cost_per_query",
        "frontier_cost_month",
        "ft_cost_month",
        "inference_savings_month",
        "net_benefit_month",
        "payback_months",
        "lifetime_net",
        "roi",
        "npv",
        "verdict",
    )
    with formulon.Workbook.load((tmp_path / "blank.xlsx").read_bytes()) as book:
        sheets = {book.sheet_name(i): i for i in range(book.sheet_count())}
        book.recalc()
        s = sheets[calculator.SHEET]
        got = {k: book.get_value(s, rows[k] - 1, 7) for k in needs_rates}
        for key, v in got.items():
            assert v.number is None and v.error_code is not None, (key, v.number, v.text)
        master = book.get_value(sheets["Checks"], 2, 1).text
    assert master.endswith("check(s) fail: see the Checks sheet"), master
