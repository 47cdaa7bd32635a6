"""Hostile inputs at every entry point (issue 20): the CLI, the FT_ functions, build and the
Refresh button. Each case asserts one sentence naming the input, the value and what is allowed,
a non-zero exit (an Excel error in Excel), and that prices, changelog and workbook survive.
The refresh's faults (drip, bombs, races, dates) are in test_hostile_refresh.py."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

from pricing.model.breakeven import evaluate
from pricing.prices.changelog import ChangeRecord, append_changelog
from pricing.prices.store import bundled_catalog
from tests.helpers import EMPTY_CATALOG, priced
from tests.hostile_support import (
    ROOT,
    assert_one_sentence,
    run_limited,
    run_with_file_limit,
    tree_bytes,
)
from tests.officejs import call
from xl_addin import scripts
from xl_addin.cli import main
from xl_addin.excel_errors import ExcelValueError
from xl_addin.report import never

GOOD = priced(name="ok")


def scenario_file(tmp_path: Path, content: bytes | str | object, name: str = "s.json") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content), encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------- report: (id, file, argv, code, fragments)
# `file` is the scenario file's content (None: no file); "{f}" in argv is its path.
REPORT = [
    ("JSON number", b"5", ["--scenario", "{f}"], 2, ["--scenario", "a JSON number"]),
    ("JSON string", b'"x"', ["--scenario", "{f}"], 2, ["--scenario", "a JSON string"]),
    ("JSON null", b"null", ["--scenario", "{f}"], 2, ["--scenario", "a JSON null"]),
    ("JSON true", b"true", ["--scenario", "{f}"], 2, ["a JSON boolean"]),
    ("list of numbers", b"[1, 2]", ["--scenario", "{f}"], 2, ["item 1 is a JSON number"]),
    ("nested list", b"[[{}]]", ["--scenario", "{f}"], 2, ["item 1 is a JSON list"]),
    ("second item bad", json.dumps([GOOD, 7]).encode(), ["--scenario", "{f}"], 2, ["item 2"]),
    ("empty list", b"[]", ["--scenario", "{f}"], 2, ["the list is empty"]),
    ("empty file", b"", ["--scenario", "{f}"], 2, ["not valid JSON"]),
    ("not UTF-8", b"\xff\xfe{}", ["--scenario", "{f}"], 2, ["not UTF-8"]),
    ("latin-1 name", b'{"name": "caf\xe9"}', ["--scenario", "{f}"], 2, ["not UTF-8"]),
    ("10,000 deep", b"[" * 10_000 + b"]" * 10_000, ["--scenario", "{f}"], 2, ["nested deeper than 64"]),
    ("65 deep", b"[" * 65 + b"]" * 65, ["--scenario", "{f}"], 2, ["nested deeper than 64"]),
    (
        "5,000-digit integer",
        b'{"queries_per_day": 1' + b"0" * 5000 + b"}",
        ["--scenario", "{f}"],
        2,
        ["digits"],
    ),
    ("trailing garbage", b"{} {}", ["--scenario", "{f}"], 2, ["not valid JSON"]),
    ("missing file", None, ["--scenario", "/nonexistent/s.json"], 2, ["No such file"]),
    ("a folder", None, ["--scenario", "/tmp"], 2, ["Is a directory"]),
    ("empty name", None, ["--scenario", ""], 2, ["--scenario", "''"]),
    (
        "true for a number",
        {**GOOD, "queries_per_day": True},
        ["--scenario", "{f}"],
        2,
        ["queries_per_day", "True"],
    ),
    ("false for epochs", {**GOOD, "epochs": False}, ["--scenario", "{f}"], 2, ["epochs", "False"]),
    ("NaN", b'{"queries_per_day": NaN}', ["--scenario", "{f}"], 2, ["queries_per_day", "finite"]),
    ("1e400", b'{"queries_per_day": 1e400}', ["--scenario", "{f}"], 2, ["queries_per_day", "got inf"]),
    (
        "negative traffic",
        {**GOOD, "queries_per_day": -1},
        ["--scenario", "{f}"],
        2,
        ["queries_per_day", ">= 0"],
    ),
    ("share above 1", {**GOOD, "cached_share": 1.5}, ["--scenario", "{f}"], 2, ["cached_share", "<= 1"]),
    (
        "text number",
        {**GOOD, "queries_per_day": "lots"},
        ["--scenario", "{f}"],
        2,
        ["queries_per_day", "'lots'"],
    ),
    ("unknown input", {**GOOD, "querys": 1}, ["--scenario", "{f}"], 2, ["querys", "not an input name"]),
    ("empty object", {}, ["--scenario", "{f}"], 2, ["queries_per_day is required"]),
    ("unknown model", {**GOOD, "frontier_model": "gpt-9"}, ["--scenario", "{f}"], 2, ["gpt-9"]),
    ("empty preset", None, ["--preset", ""], 2, ["unknown preset ''", "known presets"]),
    ("unknown preset", None, ["--preset", "nope"], 2, ["unknown preset 'nope'"]),
    ("escape in preset", None, ["--preset", "\x1b[2J"], 2, ["\\x1b[2J"]),
    ("draws 5", None, ["--risk", "--draws", "5"], 2, ["--draws", "100 to 1,000,000", "'5'"]),
    ("unknown flag", None, ["--frobnicate"], 2, ["unrecognized arguments: --frobnicate", "--help"]),
    ("bad format", None, ["--format", "xml"], 2, ["--format", "'xml'", "table"]),
    (
        "engine column overflow",
        None,
        ["--risk", "--uncertain", "training_cost=0,1e300,1e308"],
        2,
        ["training_cost", "<= 1e+12", "1e+300"],
    ),
    (
        "range out of order",
        None,
        ["--risk", "--uncertain", "queries_per_day=3,2,1"],
        2,
        ["low <= likely <= high"],
    ),
    ("range unknown input", None, ["--risk", "--uncertain", "querys=1,2,3"], 2, ["querys"]),
    ("range NaN", None, ["--risk", "--uncertain", "queries_per_day=nan,1,2"], 2, ["finite"]),
    ("tornado driver unknown", None, ["--sensitivity", "--driver", "nope=1,2"], 2, ["nope"]),
    ("grid unknown input", None, ["--grid", "nope=1,2", "epochs=1,2"], 2, ["nope"]),
    ("store is a file", None, ["--store", "/etc/hostname"], 0, []),  # falls back: the bundled prices
]


def _argv(tmp_path, content, argv):
    f = scenario_file(tmp_path, content) if content is not None else ""
    return ["report", *(a.replace("{f}", f) for a in argv)]


@pytest.mark.parametrize(("case", "content", "argv", "code", "fragments"), REPORT, ids=[c[0] for c in REPORT])
def test_report_refuses_in_one_sentence(tmp_path, capsys, case, content, argv, code, fragments):
    try:
        status = main(_argv(tmp_path, content, argv))
    except SystemExit as stop:  # the risk sections stop the command this way
        status = stop.code
    assert status == code
    out = capsys.readouterr()
    if code:
        assert out.out == ""
        line = assert_one_sentence(out.err, *fragments)
        assert line.startswith("ft-breakeven"), line
        assert "\x1b" not in line
    else:
        assert "Verdict" in out.out


def test_a_default_risk_range_names_the_input_it_came_from(tmp_path, capsys):
    f = scenario_file(tmp_path, {**GOOD, "queries_per_day": 1e12})
    with pytest.raises(SystemExit) as stop:
        main(["report", "--scenario", f, "--risk"])
    assert stop.value.code == 2
    assert_one_sentence(
        capsys.readouterr().err,
        "built-in risk range of queries_per_day",
        "derived from your queries_per_day = 1e+12",
    )


def test_grid_values_are_checked(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["report", "--grid", "queries_per_day=a,b", "epochs=1"])
    assert stop.value.code == 2
    assert_one_sentence(capsys.readouterr().err, "expected NAME=numbers", "--help")


def test_lifetime_zero_is_not_explained_as_dearer_queries(tmp_path, capsys):
    store = tmp_path / "store"
    store.mkdir()
    catalog = bundled_catalog().model_copy(deep=True)
    object.__setattr__(catalog.get("gpt-4.1-mini"), "shutdown_date", date(2020, 1, 1))
    (store / "catalog.json").write_text(catalog.model_dump_json())
    scenario = {
        "queries_per_day": 5000,
        "input_tokens": 1000,
        "output_tokens": 100,
        "frontier_model": "gpt-4.1",
        "ft_model": "gpt-4.1-mini",
        "training_tokens": 1e6,
    }
    assert main(["report", "--scenario", scenario_file(tmp_path, scenario), "--store", str(store)]) == 2
    line = assert_one_sentence(capsys.readouterr().err, "gpt-4.1-mini", "no lifetime left")
    assert "costs more" not in line
    result = evaluate(priced(), EMPTY_CATALOG)
    dead = result.model_copy(update={"lifetime_months": 0.0, "breakeven_queries_per_day": None})
    assert never("breakeven_queries_per_day", dead) == "never (lifetime 0: the fine-tuned model cannot serve)"
    dearer = result.model_copy(update={"ft_cost_per_query": 1.0, "breakeven_queries_per_day": None})
    assert never("breakeven_queries_per_day", dearer) == "never (FT costs more per query)"


def test_a_huge_scenario_file_is_capped_in_limited_memory():
    run = run_limited(["report", "--scenario", "/dev/zero"], headroom_mb=200)
    assert run.returncode == 2, run.stderr
    assert_one_sentence(run.stderr, "--scenario", "larger than the 10,485,760-byte limit")


def test_unexpected_errors_are_one_sentence_with_a_pointer_to_debug(monkeypatch, capsys):
    from xl_addin import report

    monkeypatch.setattr(report, "evaluate_many", lambda *a: 1 / 0)
    assert main(["report"]) == 1
    assert_one_sentence(capsys.readouterr().err, "unexpected error (ZeroDivisionError", "--debug")
    with pytest.raises(ZeroDivisionError):
        main(["report", "--debug"])
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "report"])


@pytest.mark.parametrize("command", [["report"], ["prices"], ["report", "--format", "csv"]])
def test_a_full_output_is_one_sentence(command):
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-m", "xl_addin.cli", *command],
            cwd=ROOT,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert run.returncode == 1
    assert_one_sentence(run.stderr, "could not read or write the output", "No space left on device")


# ---------------------------------------------------------------- text neutralised on the way out

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("name", FORMULAS, ids=["=", "+", "-", "@", "tab", "CR"])
def test_csv_never_starts_a_field_with_a_formula(tmp_path, capsys, name):
    f = scenario_file(tmp_path, {**GOOD, "name": name})
    assert main(["report", "--scenario", f, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["name"] == "'" + name
    assert rows[0]["npv"] and not rows[0]["npv"].startswith("'")  # numbers stay numbers


@pytest.mark.parametrize("name", ["\x1b[31mred\x1b[0m", "\u202eevil", "a\rb", "bell\x07"])
def test_terminal_output_shows_control_characters_escaped(tmp_path, capsys, name):
    f = scenario_file(tmp_path, [{**GOOD, "name": name}, GOOD])
    assert main(["report", "--scenario", f]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\u202e\r\x07")
    assert "\\x" in out or "\\u202e" in out


def _hostile_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    store.mkdir()
    catalog = bundled_catalog().model_copy(deep=True)
    m = catalog.models[0]
    object.__setattr__(m, "display_name", "=cmd|' /C calc'!A0")
    object.__setattr__(m, "inference_source", "\x1b[2J@evil")
    (store / "catalog.json").write_text(catalog.model_dump_json())
    records = [ChangeRecord("2026-12-01T00:00:00+00:00", "=1+1", "+input", 1.0, 2.0, "=HYPERLINK(1)", "@x")]
    append_changelog(store / "changelog.jsonl", records)
    return store


def test_prices_csv_and_table_neutralise_store_text(tmp_path, capsys):
    store = _hostile_store(tmp_path)
    assert main(["prices", "--format", "csv", "--store", str(store)]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["display_name"] == "'=cmd|' /C calc'!A0"
    assert main(["prices", "--store", str(store)]) == 0
    assert "\x1b" not in capsys.readouterr().out


# ---------------------------------------------------------------- build: (id, -o, extra, code, fragments)


def _long(tmp_path):
    return str(tmp_path / ("a" * 300 + ".xlsx"))


BUILD = [
    (
        "read-only folder",
        lambda p: "/proc/ft-breakeven.xlsx",
        [],
        1,
        ["could not write", "nothing was replaced"],
    ),
    ("a folder as output", lambda p: str(_mk(p / "book.xlsx")), [], 2, ["is a folder"]),
    ("a folder, forced", lambda p: str(_mk(p / "book.xlsx")), ["--force"], 2, ["is a folder"]),
    ("under a file", lambda p: str(_file(p / "f") / "book.xlsx"), [], 2, ["which is a file"]),
    ("deep under a file", lambda p: str(_file(p / "f") / "a" / "b.xlsx"), [], 2, ["which is a file"]),
    ("300-character name", _long, [], 1, ["File name too long"]),
    ("wrong suffix", lambda p: str(p / "book.txt"), [], 2, ["must end in .xlsx"]),
    ("/dev/full", lambda p: "/dev/full", [], 2, ["must end in .xlsx"]),
    ("existing file", lambda p: str(_file(p / "book.xlsx")), [], 2, ["already exists", "--force"]),
    (
        "static with classic",
        lambda p: str(p / "b.xlsm"),
        ["--static", "--runtime", "classic"],
        2,
        ["--static"],
    ),
]


def _mk(path: Path) -> Path:
    path.mkdir()
    return path


def _file(path: Path) -> Path:
    path.write_text("the user's own file")
    return path


@pytest.mark.parametrize(("case", "out", "extra", "code", "fragments"), BUILD, ids=[c[0] for c in BUILD])
def test_build_refuses_in_one_sentence(tmp_path, capsys, case, out, extra, code, fragments):
    target = out(tmp_path)
    before = tree_bytes(tmp_path)
    assert main(["build", "-o", target, *extra]) == code
    captured = capsys.readouterr()
    assert_one_sentence(captured.err, "ft-breakeven build: ", *fragments)
    assert captured.out == ""
    assert tree_bytes(tmp_path) == before  # nothing half-written, nothing replaced


def test_build_on_a_full_disk_leaves_the_old_workbook_whole(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"the previous workbook")
    run = run_with_file_limit(["build", "-o", str(target), "--force"], max_file_bytes=20_000)
    assert run.returncode == 1, run.stderr
    assert_one_sentence(run.stderr, "could not write", "nothing was replaced")
    assert target.read_bytes() == b"the previous workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_changelog_text_in_a_built_workbook_stays_text(tmp_path, capsys):
    store = _hostile_store(tmp_path)
    out = tmp_path / "book.xlsx"
    assert main(["build", "--static", "-o", str(out), "--store", str(store)]) == 0
    ws = openpyxl.load_workbook(out)["Changelog"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+@"]
    assert {c.value for c in cells} >= {"=1+1", "+input", "=HYPERLINK(1)", "@x"}
    assert all(c.data_type == "s" for c in cells)  # shown as text, never evaluated


# ---------------------------------------------------------------- FT_ functions (Office.js path)


def blk(**changes):
    values = {**priced(), **changes}
    return [[k, v] for k, v in values.items() if v is not ...]


def table(**changes):
    values = {**priced(), **changes}
    return [list(values), list(values.values())]


RANGES_HEAD = ["input", "low", "likely", "high"]
VALUE_CELL = {"type": "Error", "errorType": "Value"}  # #VALUE! as Office.js receives it

# (id, function, args, message fragments)
EXCEL = [
    ("bool in a block", "ft_scenario", (blk(queries_per_day=True), "npv"), ["queries_per_day", "True"]),
    ("bool in a table", "ft_scenarios", (table(queries_per_day=True), "npv"), None),
    (
        "5,000 in a block",
        "ft_scenario",
        (blk(queries_per_day="5,000"), "npv"),
        ["queries_per_day", "'5,000'"],
    ),
    ("5,000 in a table", "ft_scenarios", (table(queries_per_day="5,000"), "npv"), None),
    ("1,5 in a block", "ft_scenario", (blk(cached_share="1,5"), "npv"), ["cached_share", "'1,5'"]),
    ("repeated block row", "ft_scenario", ([*blk(), ["queries_per_day", 7]], "npv"), ["appears twice"]),
    ("repeated table column", "ft_scenarios", ([["epochs", "epochs"], [1, 2]], "npv"), ["appears twice"]),
    ("three-column block", "ft_scenario", ([[k, v, 1] for k, v in blk()], "npv"), ["two columns"]),
    ("empty block", "ft_scenario", ([[""]], "npv"), ["inputs", "required"]),
    (
        "repeated ranges row",
        "ft_risk",
        (blk(), 500, 0, [["epochs", 1, 2, 3], ["Epochs", 1, 2, 4]]),
        ["each input once"],
    ),
    (
        "ranges extra column",
        "ft_risk",
        (blk(), 500, 0, [["epochs", 1, 2, 3, 9]]),
        ["nothing after high", "9"],
    ),
    ("ranges text number", "ft_risk", (blk(), 500, 0, [["epochs", "1", "x", "3"]]), ["epochs", "'x'"]),
    ("ranges 1,5", "ft_risk", (blk(), 500, 0, [["epochs", "1,5", "2", "3"]]), ["epochs", "'1,5'"]),
    ("ranges bool", "ft_risk", (blk(), 500, 0, [["epochs", True, 2, 3]]), ["epochs", "True"]),
    (
        "built-in range too wide",
        "ft_risk",
        (blk(queries_per_day=1e12),),
        ["built-in risk range", "queries_per_day"],
    ),
    ("draws text", "ft_risk", (blk(), "many"), ["draws", "'many'"]),
    ("draws 1e9", "ft_risk", (blk(), 1e9), ["draws", "<= 100000"]),
    ("seed negative", "ft_risk", (blk(), 500, -1), ["seed", ">= 0"]),
    (
        "grid 101 values",
        "ft_grid",
        (blk(), "epochs", [list(range(1, 102))], "training_runs", [[1]]),
        ["x_values", "at most 100"],
    ),
    ("schedule months 1e9", "ft_schedule", (blk(), 1e9), ["months", "<= 600"]),
    ("price of a text field", "ft_price", ("gpt-4o", "=1+1"), ["field", "'=1+1'"]),
    ("escape in a label", "ft_scenario", ([["\x1b[2J", 1], *blk()], "npv"), ["inputs", "\\x1b[2J"]),
]


@pytest.mark.parametrize(("case", "name", "args", "fragments"), EXCEL, ids=[c[0] for c in EXCEL])
def test_excel_functions_refuse_with_a_value_error(case, name, args, fragments):
    if fragments is None:  # an array function: the bad row's cell holds #VALUE!
        assert call(name, *args) == [[VALUE_CELL]]
        return
    with pytest.raises(ExcelValueError) as info:
        call(name, *args)
    message = str(info.value)
    assert message.startswith(name.upper() + ": ") and "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_numeric_text_is_read_the_same_by_every_function():
    one = call("ft_scenario", blk(queries_per_day="5000"), "npv")
    many = call("ft_scenarios", table(queries_per_day="5000"), "npv")
    number = call("ft_scenario", blk(queries_per_day=5000), "npv")
    assert one == number and many[0][0] == number[0][0]


def test_a_ranges_row_of_text_numbers_is_used_not_dropped():
    as_text = call("ft_risk", blk(), 500, 0, [RANGES_HEAD, ["queries_per_day", "100", "200", "300"]])
    as_numbers = call("ft_risk", blk(), 500, 0, [RANGES_HEAD, ["queries_per_day", 100, 200, 300]])
    default = call("ft_risk", blk(), 500, 0)
    assert as_text == as_numbers != default


def test_an_unforeseen_error_in_a_function_is_still_one_sentence(monkeypatch):
    from xl_addin import functions

    monkeypatch.setattr(functions, "evaluate_figure", lambda *a: {}["boom"])
    with pytest.raises(ExcelValueError, match=r"^FT_NPV: unexpected error \(KeyError: 'boom'\)$"):
        call("ft_npv", blk())


# ---------------------------------------------------------------- the Refresh button


def test_the_refresh_button_turns_an_unexpected_error_into_one_sentence(monkeypatch):
    monkeypatch.setattr(scripts, "refresh_from", lambda *a, **k: [][1])
    monkeypatch.setattr(scripts, "accepted_from_book", lambda book: {})
    with pytest.raises(xw.XlwingsError) as info:
        scripts.run(object(), origin="litellm")
    assert_one_sentence(
        str(info.value), "Refresh failed unexpectedly (IndexError", "prices unchanged", "--debug"
    )


def test_at_least_a_hundred_hostile_cases():
    from tests import test_hostile_refresh as r

    tables = [REPORT, FORMULAS, BUILD, EXCEL, r.FAULTS, r.LOCAL, r.SOURCES]
    assert sum(len(t) for t in tables) >= 100, [len(t) for t in tables]
