"""The FT_ functions as Excel is told about them (xlwings' Office.js metadata), and the docs."""

import inspect
import os
import subprocess
import sys

import pytest
import xlwings.server as xs

from xl_addin import function_docs, functions

MINIMUM = {
    "FT_TRAINING_COST",
    "FT_QUERY_COST",
    "FT_MONTHLY_SAVINGS",
    "FT_PAYBACK_MONTHS",
    "FT_BREAKEVEN_QUERIES",
    "FT_SCENARIO",
    "FT_SCHEDULE",
    "FT_VERDICT",
    "FT_NPV",
    "FT_RISK",
    "FT_SENSITIVITY",
    "FT_PRICE",
    "FT_MODELS",
    "FT_PRICES_AS_OF",
    "FT_SCENARIOS",
}


def meta():
    return {f["id"]: f for f in xs.custom_functions_meta(functions)["functions"]}


def python_functions():
    return {
        name.upper(): obj
        for name, obj in inspect.getmembers(functions, inspect.isfunction)
        if name.startswith("ft_")
    }


def test_every_ft_function_is_registered_under_its_upper_case_name():
    registered = meta()
    assert set(registered) == set(python_functions())
    assert MINIMUM <= set(registered)
    for fid, f in registered.items():
        assert f["name"] == fid and fid.startswith("FT_")


def test_descriptions_exist_and_fit_the_function_wizard():
    for fid, f in meta().items():
        assert f["description"] and not f["description"].startswith("Python function"), fid
        assert len(f["description"]) <= 255, fid
        assert "\n" not in f["description"], fid
        for p in f["parameters"]:
            assert p["description"] and not p["description"].startswith("Positional argument"), (
                fid,
                p,
            )
            assert len(p["description"]) <= 255, (fid, p["name"])


def test_optional_flags_follow_the_python_defaults_and_come_last():
    pyfuncs = python_functions()
    for fid, f in meta().items():
        params = inspect.signature(pyfuncs[fid]).parameters.values()
        expected = [(p.name, p.default is not inspect.Parameter.empty) for p in params]
        got = [(p["name"], bool(p.get("optional"))) for p in f["parameters"]]
        assert got == expected, fid
        flags = [opt for _, opt in got]
        assert flags == sorted(flags), f"{fid}: optional arguments must come last"
        assert all(
            p["description"].startswith("[optional]") == opt
            for p, (_, opt) in zip(f["parameters"], got, strict=True)
            if fid != "FT_SCENARIOS"
        ), fid


def test_spec_argument_lists():
    m = meta()

    def args(fid):
        return [(p["name"], bool(p.get("optional"))) for p in m[fid]["parameters"]]

    assert args("FT_TRAINING_COST") == [
        ("training_tokens", False),
        ("epochs", False),
        ("training_per_1m", False),
        ("training_runs", True),
        ("other_costs", True),
    ]
    assert args("FT_QUERY_COST") == [
        ("input_tokens", False),
        ("output_tokens", False),
        ("input_price", False),
        ("output_price", False),
        ("cached_share", True),
        ("cached_price", True),
        ("batch_share", True),
        ("batch_discount", True),
    ]
    assert args("FT_MONTHLY_SAVINGS") == [
        ("queries_per_day", False),
        ("frontier_cost_per_query", False),
        ("ft_cost_per_query", False),
        ("ft_traffic_share", True),
        ("fixed_cost_month", True),
        ("days_per_month", True),
    ]
    assert args("FT_PAYBACK_MONTHS") == [("upfront_cost", False), ("net_benefit_month", False)]
    assert args("FT_BREAKEVEN_QUERIES") == [
        ("upfront_cost", False),
        ("frontier_cost_per_query", False),
        ("ft_cost_per_query", False),
        ("lifetime_months", False),
        ("fixed_cost_month", True),
        ("days_per_month", True),
        ("ft_traffic_share", True),
    ]
    fx, code = ("fx_rate", True), ("currency", True)  # the reporting currency (issue 21), last
    assert args("FT_SCENARIO") == [("inputs", False), ("output", True), fx, code]
    assert args("FT_SCHEDULE") == [("inputs", False), ("months", True), fx]
    assert args("FT_RISK") == [("inputs", False), ("draws", True), ("seed", True), ("uncertain", True), fx]
    assert args("FT_GRID") == [
        ("inputs", False),
        ("x_field", False),
        ("x_values", False),
        ("y_field", False),
        ("y_values", False),
        ("output", True),
        fx,
    ]
    assert args("FT_SENSITIVITY") == [("inputs", False), ("output", True), fx]
    assert args("FT_PRICE") == [("model", False), ("field", False), ("as_of", True)]
    assert args("FT_MODELS") == [("vendor", True)]
    assert args("FT_PRICES_AS_OF") == []
    assert args("FT_SCENARIOS") == [("inputs_table", False), ("output", False), fx, code]
    assert args("FT_NPV") == [("inputs", False), fx]


def test_no_function_is_volatile():
    for fid, f in meta().items():
        assert not f["options"].get("volatile"), fid


def test_functions_md_matches_the_metadata():
    current = function_docs.DOCS_PATH.read_text(encoding="utf-8")
    assert current == function_docs.markdown(), "run: python -m xl_addin.function_docs"


def test_function_table_for_the_functions_sheet():
    table = function_docs.registered_table()
    by_name = {name: (desc, params) for name, desc, params in table}
    assert set(by_name) == set(meta())
    desc, params = by_name["FT_PAYBACK_MONTHS"]
    assert "paid back" in desc
    assert [(p, opt) for p, _, opt in params] == [
        ("upfront_cost", False),
        ("net_benefit_month", False),
    ]
    assert function_docs.signature("FT_MODELS", by_name["FT_MODELS"][1]) == "FT_MODELS([vendor])"


def test_the_generated_table_matches_the_metadata():
    # what `ft-breakeven build` reads (package data) against what xlwings' Office.js path registers
    assert function_docs.function_table() == function_docs.registered_table(), (
        "run: python -m xl_addin.function_docs"
    )


def test_no_help_link_to_a_page_that_does_not_exist():
    # Excel's "More help on this function" needs a public web page; the project has none, so the
    # help is the Functions sheet and docs/FUNCTIONS.md, and no function carries a helpUrl.
    assert not [fid for fid, f in meta().items() if "helpUrl" in f]
    assert "Functions sheet" in function_docs.markdown()


@pytest.mark.parametrize("runtime", ["lite", "none", "server"])
def test_build_sets_no_xlwings_licence_key_in_the_users_process(tmp_path, runtime):
    # A fresh interpreter without the test suite's XLWINGS_* variables (tests/conftest.py sets them)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    code = (
        "import os\n"
        "from xl_addin.cli import main\n"
        f"rc = main(['build', '--runtime', {runtime!r}, '-o', {str(tmp_path / 'book.xlsx')!r}])\n"
        "leaked = sorted(k for k in os.environ if k.startswith('XLWINGS_'))\n"
        "print(rc, leaked)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "0 []"  # built, and no XLWINGS_ variable set
    assert "function list unavailable" not in run.stderr
