"""One name per concept across layers (issue 18 item 5).

A scenario input has its Scenario field's name in every layer (input blocks, FT_SCENARIOS
headers, scenario files, the Calculator's named cells, FT_ arguments, the CLI); an FT_ argument
that takes a figure has the figure's name. A renamed input's old name is still read, as the new
one, and errors name the new one. The rule is pinned by vocabulary: every FT_ argument and every
CLI option is a shared name or one listed below as belonging to that layer alone.
"""

import argparse
import json
import re
from pathlib import Path

import pytest
import xlwings.server as xs

from pricing.model.breakeven import evaluate, evaluate_table
from pricing.model.figures import SCENARIO_OUTPUTS
from pricing.model.scenario import FIELDS, RENAMED, ScenarioError, make_scenario
from pricing.prices.catalog import DATE_FIELDS, RATE_FIELDS
from pricing.prices.store import bundled_catalog
from tests.helpers import EMPTY_CATALOG, priced
from tests.officejs import call
from xl_addin import functions
from xl_addin.cli import build_parser, main
from xl_addin.excel_errors import ExcelValueError

ROOT = Path(__file__).resolve().parent.parent
OLD = priced(training_per_1m=..., training_price=8.0)  # as a file written before the rename says it
OLD = {k: v for k, v in OLD.items() if v is not ...}
NEW = priced()

# Names an FT_ argument may have that are no scenario input, figure or catalog field: each is a
# concept of the function alone (no other layer has a name for it).
FT_ONLY = {
    "inputs",  # the labelled block itself
    "inputs_table",
    "output",  # which figure to return
    "fx_rate",  # the reporting currency (CLI --fx-rate, Calculator FxRate)
    "currency",  # (CLI --currency, Calculator ReportCurrency)
    "months",  # how many schedule rows to show
    "draws",  # Monte Carlo (CLI --draws)
    "seed",  # (CLI --seed)
    "uncertain",  # the user's ranges (CLI --uncertain)
    "x_field",
    "x_values",
    "y_field",
    "y_values",
    "input_price",  # FT_QUERY_COST prices any model's query: no frontier_/ft_ side
    "output_price",
    "cached_price",
    "batch_discount",
    "other_costs",  # evaluation + data preparation + other one-off costs together
    "model",
    "field",
    "as_of",
    "vendor",
}
# Names a CLI option may have that are no FT_ argument and no scenario input.
CLI_ONLY = {
    "help",
    "version",
    "debug",
    "preset",
    "scenario",
    "all",
    "list_presets",
    "format",
    "store",
    "risk",
    "distribution",
    "sensitivity",
    "driver",
    "sensitivity_output",
    "grid",
    "grid_output",
    "couple_tokens",
    "fx_date",
    "fx_source",
    "models",
    "history",
    "origin",
    "source",
    "accept",
    "dry_run",
    "static",
    "force",
    "runtime",
    "server_namespace",
    "server_manifest_id",
    "file",
    "validation",
    "evals",
}
# Argument names retired for the shared name: none may come back (old -> new).
RETIRED = {
    **RENAMED,
    "price_per_1m": "training_per_1m",
    "runs": "training_runs",
    "ft_share": "ft_traffic_share",
    "fixed_monthly": "fixed_cost_month",
    "frontier_query_cost": "frontier_cost_per_query",
    "ft_query_cost": "ft_cost_per_query",
    "monthly_net_benefit": "net_benefit_month",
    "ranges": "uncertain",
    "fx": "fx_rate",
}


def ft_arguments() -> dict[str, set[str]]:
    """Every FT_ function's argument names, as Excel shows them (xlwings' metadata)."""
    listed = xs.custom_functions_meta(functions)["functions"]
    return {f["id"]: {p["name"] for p in f["parameters"]} for f in listed}


def cli_options() -> set[str]:
    names: set[str] = set()

    def walk(parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    walk(sub)
            elif action.help is not argparse.SUPPRESS or action.dest == "help":
                names.add(action.dest)

    walk(build_parser())
    return names


def test_every_ft_argument_is_a_shared_name_or_the_functions_own():
    shared = set(FIELDS) | set(SCENARIO_OUTPUTS) | set(RATE_FIELDS) | set(DATE_FIELDS)
    for fid, names in ft_arguments().items():
        assert not names & set(RETIRED), f"{fid} uses a retired name: {names & set(RETIRED)}"
        stray = names - shared - FT_ONLY
        assert not stray, f"{fid}: {stray} is no input, figure or catalog name (rename it, or list it)"
    # the one-line functions take the Scenario's and the figures' names for the same things
    assert {"training_per_1m", "training_runs", "epochs", "training_tokens"} <= ft_arguments()[
        "FT_TRAINING_COST"
    ]
    assert {"frontier_cost_per_query", "ft_cost_per_query", "ft_traffic_share", "fixed_cost_month"} <= (
        ft_arguments()["FT_BREAKEVEN_QUERIES"]
    )


def test_every_cli_option_is_a_shared_name_or_the_cli_own():
    shared = set(FIELDS) | {n for names in ft_arguments().values() for n in names}
    options = cli_options()
    assert not options & set(RETIRED), options & set(RETIRED)
    assert not options - shared - CLI_ONLY, options - shared - CLI_ONLY
    assert {"fx_rate", "currency", "draws", "seed", "uncertain", "epochs"} <= options & shared


def test_the_renamed_input_is_the_catalog_name_and_its_old_name_is_no_field():
    for old, new in RENAMED.items():
        assert new in FIELDS and old not in FIELDS
    assert "training_per_1m" in RATE_FIELDS  # the catalog's rate, the input that overrides it


def test_an_old_scenario_gives_the_same_figures_and_errors_name_the_new_name():
    assert evaluate(make_scenario(OLD), EMPTY_CATALOG) == evaluate(make_scenario(NEW), EMPTY_CATALOG)
    assert evaluate(make_scenario(OLD), EMPTY_CATALOG).training_cost == pytest.approx(250 * 8.0)
    with pytest.raises(ScenarioError, match=r"^training_per_1m must be a number >= 0 and <= 1e\+06, got -1"):
        make_scenario({**OLD, "training_price": -1})
    with pytest.raises(ScenarioError, match="training_per_1m must be given once"):
        make_scenario({**NEW, "training_price": 9.0})
    # a model without a training rate: the refusal names the input to give by its new name
    lacking = {**NEW, "ft_model": "gemini-3.1-flash-lite", "training_per_1m": None}
    with pytest.raises(ScenarioError, match="^training_per_1m must be given: no training rate"):
        evaluate(make_scenario({k: v for k, v in lacking.items() if v is not None}), bundled_catalog())


def test_an_old_table_header_gives_the_same_column():
    def column(scenario):
        t = evaluate_table({k: [v, v] for k, v in scenario.items()}, EMPTY_CATALOG)
        assert not any(t.errors)
        return list(t.column("upfront_cost"))

    assert column(OLD) == column(NEW) == [2000 + 250 * 8.0] * 2


def test_an_old_ft_block_and_table_give_the_same_figures():
    # Through xlwings' Office.js path, as Excel Lite/Server calls it; labels as users typed them.
    new = [[k, v] for k, v in NEW.items()]
    for old_label in ("training_price", "Training price", "TrainingPrice"):
        old = [[old_label if k == "training_per_1m" else k, v] for k, v in NEW.items()]
        assert call("ft_scenario", old, None) == call("ft_scenario", new, None)
    header = [k for k, _ in new]
    rows = [v for _, v in new]
    old_header = ["training_price" if k == "training_per_1m" else k for k in header]
    assert call("ft_scenarios", [old_header, rows], "npv") == call("ft_scenarios", [header, rows], "npv")
    bad = [
        ["training_price" if k == "training_per_1m" else k, -3 if k == "training_per_1m" else v]
        for k, v in new
    ]
    with pytest.raises(ExcelValueError, match="training_per_1m must be a number >= 0"):
        call("ft_scenario", bad, "npv")


def test_an_old_scenario_file_reports_the_same(tmp_path, capsys):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(OLD))
    new.write_text(json.dumps(NEW))
    argv = ["--format", "json", "--sensitivity", "--driver", "training_per_1m=4,12"]
    assert main(["report", "--scenario", str(new), *argv]) == 0
    want = capsys.readouterr().out
    old_driver = ["--format", "json", "--sensitivity", "--driver", "training_price=4,12"]
    assert main(["report", "--scenario", str(old), *old_driver]) == 0
    assert capsys.readouterr().out == want
    assert "training_per_1m" in want


def test_the_old_fx_flag_still_reads(tmp_path, capsys):
    new = tmp_path / "new.json"
    new.write_text(json.dumps(NEW))
    assert (
        main(["report", "--scenario", str(new), "--format", "json", "--currency", "EUR", "--fx-rate", "0.9"])
        == 0
    )
    want = capsys.readouterr().out
    assert (
        main(["report", "--scenario", str(new), "--format", "json", "--currency", "EUR", "--fx", "0.9"]) == 0
    )
    assert capsys.readouterr().out == want and json.loads(want)["currency"]["fx_rate"] == 0.9
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    helptext = capsys.readouterr().out
    assert "--fx-rate" in helptext and not re.search(r"--fx\b(?!-)", helptext)


def test_estimate_training_reads_an_old_base_file(tmp_path, capsys):
    base = {k: v for k, v in OLD.items() if k not in ("training_tokens", "name")}
    base_file = tmp_path / "base.json"
    base_file.write_text(json.dumps(base))
    train = tmp_path / "train.jsonl"
    train.write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n")
    out = tmp_path / "out.json"
    argv = [
        "estimate-training",
        str(train),
        "--scenario",
        str(base_file),
        "--model",
        "gpt-4o-mini",
        "-o",
        str(out),
    ]
    assert main(argv) == 0, capsys.readouterr().err
    written = json.loads(out.read_text(encoding="utf-8"))
    # the file's own price is the catalog's for the model priced: the old override went with the others
    assert "training_price" not in written[0] and "training_per_1m" not in written[0]


def test_no_bare_tokens_per_million():
    """Token rates are $ per 1M tokens: code divides by TOKENS_PER_MILLION, never a bare 1e6."""
    bare = re.compile(r"/\s*(1e6|1_000_000|1000000)\b|\*\s*1e-6\b")
    not_tokens = {"xl_addin/refresh_cli.py", "bench/bench_refresh.py"}  # bytes per MB there
    found = []
    for folder in ("pricing", "workbook", "xl_addin", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if bare.search(line) and rel not in not_tokens:
                    found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, found


def test_the_built_workbook_names_the_input_by_its_new_name(tmp_path):
    import openpyxl

    from pricing.model.presets import presets
    from workbook.build import build_template

    path = build_template(bundled_catalog(), presets(), tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)

    def cells(name):
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        return [c.value for row in wb[sheet][ref.replace("$", "")] for c in row]

    assert "training_per_1m" in cells("InputBlock")  # the Calculator's block: FT_ calls read it
    assert "training_per_1m" in cells("ScenarioFields")  # the Scenarios table's header
    old = {f"{name}" for name in RETIRED}
    seen = [
        f"{ws.title}!{c.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
        and set(re.findall(r"[a-z_0-9]+", c.value)) & (old - {"runs", "ranges", "fx"})
    ]
    assert not seen, seen  # no sheet shows a retired name (the plain words runs/ranges are prose)
