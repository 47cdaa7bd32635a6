"""The Refresh button (xl_addin.scripts.refresh_prices) through xlwings' real Office.js path,
and the `ft-breakeven refresh` command."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import re
import socket

import openpyxl
import pytest
import xlwings as xw
import xlwings.server as xs
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from pricing.model.presets import presets
from pricing.prices.store import bundled_catalog, load_catalog
from tests.test_refresh_support import encode, registry_dict
from workbook.build import build_template
from workbook.sheets import changelog as wb_changelog
from workbook.sheets import pricing as wb_pricing
from xl_addin import scripts
from xl_addin.cli import main

pytestmark = pytest.mark.usefixtures("no_second_source", "no_backoff")  # tests/conftest.py

BASE = registry_dict()


@pytest.fixture(autouse=True)
def env(monkeypatch, store):
    monkeypatch.setenv("FT_BREAKEVEN_HOME", str(store))
    return store


def jump_registry() -> dict:
    data = copy.deepcopy(BASE)
    data["gpt-4o"]["input_cost_per_token"] *= 1.2  # applied
    data["ft:gpt-4o-2024-08-06"]["input_cost_per_token"] *= 20  # held back
    return data


def _table(name: str, address: str, rows: int, cols: int) -> dict:
    return {
        "name": name,
        "range_address": address,
        "header_row_range_address": None,
        "data_body_range_address": None,
        "total_row_range_address": None,
        "show_headers": True,
        "show_totals": False,
        "row_count": rows,
        "column_count": cols,
        "table_style": "",
        "show_autofilter": True,
    }


def _plain(v):
    return v.date().isoformat() if isinstance(v, dt.datetime) else v


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The real template (workbook.build) as the sheets/names JSON an Office.js client sends."""
    path = build_template(bundled_catalog(), presets()[:1], tmp_path_factory.mktemp("wb") / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        values = [[_plain(c.value) for c in row] for row in ws.iter_rows()] or [[None]]
        tables = []
        for name, ref in ws.tables.items():
            (c1, r1), (c2, r2) = (coordinate_from_string(x) for x in ref.split(":"))
            tables.append(_table(name, ref, r2 - r1 + 1, column_index_from_string(c2)))
        sheets.append({"name": ws.title, "values": values, "pictures": [], "tables": tables})
    index = {s["name"]: i for i, s in enumerate(sheets)}
    names = []
    for name, dn in wb.defined_names.items():
        sheet, _, ref = dn.attr_text.partition("!")
        if re.fullmatch(r"\$?[A-Z]{1,3}\$?\d+", ref):  # cell names, not a formula like AddinReady
            names.append(
                {
                    "name": name,
                    "sheet_index": index[sheet.strip("'")],
                    "address": ref.replace("$", ""),
                    "book_scope": True,
                    "scope_sheet_name": None,
                }
            )
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": "t.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


def book_from(template: dict) -> xw.Book:
    return xw.Book(json=copy.deepcopy(template))


def make_book(changelog_rows: list[list] | None = None, status_cell: bool = True) -> xw.Book:
    """A hand-made layout: a user column on Pricing, an Accept column on the Changelog."""
    cat = bundled_catalog()
    pricing = [
        ["Title", None],
        ["Prices as of", "2026-11-28"],
        ["model", "vendor", "input", "output", "My comments", "cached_input"],
    ]
    pricing += [[m.id, m.vendor, m.input, m.output, "my note", m.cached_input] for m in cat.models]
    changelog = [["Timestamp", "Model", "Field", "Old", "New", "Source", "SHA-256", "Accept"]]
    changelog += changelog_rows or [[None] * 8]
    return xw.Book(
        json={
            "client": "Office.js",
            "version": xw.__version__,
            "book": {"name": "T.xlsx", "active_sheet_index": 0, "selection": "A1"},
            "names": [
                {
                    "name": "RefreshStatus",
                    "sheet_index": 2,
                    "address": "B2",
                    "book_scope": True,
                    "scope_sheet_name": None,
                }
            ]
            if status_cell
            else [],
            "sheets": [
                {
                    "name": "Pricing",
                    "values": pricing,
                    "pictures": [],
                    "tables": [_table("Prices", f"A3:F{len(pricing)}", len(pricing) - 2, 6)],
                },
                {
                    "name": "Changelog",
                    "values": changelog,
                    "pictures": [],
                    "tables": [_table("Log", f"A1:H{len(changelog)}", len(changelog), 8)],
                },
                {
                    "name": "Calculator",
                    "values": [["Status", None], [None, None]],
                    "pictures": [],
                    "tables": [],
                },
            ],
        }
    )


def press(book: xw.Book, script: str = "refresh_prices") -> list[dict]:
    book = asyncio.run(xs.custom_scripts_call(scripts, script, typehint_to_value={xw.Book: book}))
    return book.json()["actions"]


def _by_sheet(actions: list[dict]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for a in actions:
        out.setdefault(a["sheet_position"], []).append(a)
    return out


def test_button_on_the_template(server, monkeypatch, template):
    """Pricing values, Changelog rows, the PricesAsOf stamp and the status; nothing else."""
    url = server.serve("/jump.json", encode(jump_registry()))
    monkeypatch.setenv("FT_BREAKEVEN_REGISTRY_URL", url)
    actions = press(book_from(template))
    names = [s["name"] for s in template["sheets"]]
    pricing_at, log_at = names.index("Pricing"), names.index("Changelog")
    by_sheet = _by_sheet(actions)
    assert set(by_sheet) == {pricing_at, log_at}
    assert {a["func"] for a in actions} <= {"setValues", "resizeTable"}
    # Pricing: every column of the table in one write under the header, then PricesAsOf.
    n, width = len(bundled_catalog().models), len(wb_pricing.PRICING_COLUMNS)
    table_write, stamp = by_sheet[pricing_at]
    assert (table_write["start_row"], table_write["start_column"]) == (wb_pricing.HEADER_ROW, 0)
    assert (table_write["row_count"], table_write["column_count"]) == (n, width)
    rows = table_write["values"]
    gpt4o = next(r for r in rows if r[wb_pricing.PRICING_COLUMNS.index("id")] == "gpt-4o")
    assert gpt4o[wb_pricing.PRICING_COLUMNS.index("input")] == 3.0
    assert gpt4o[wb_pricing.PRICING_COLUMNS.index("ft_input")] == 3.75  # held back
    row, col = coordinate_from_string(wb_pricing.PRICES_AS_OF_CELL)
    assert (stamp["start_row"], stamp["start_column"]) == (
        col - 1,
        column_index_from_string(row) - 1,
    )
    assert stamp["values"] == [[load_catalog().as_of.isoformat()]]
    # Changelog: two rows into the empty table body, then the status sentence.
    log = by_sheet[log_at]
    [rows_write] = [a for a in log if a["func"] == "setValues" and a["row_count"] == 2]
    assert (rows_write["start_row"], rows_write["start_column"]) == (wb_changelog.FIRST_ROW - 1, 0)
    applied, held = rows_write["values"]
    assert applied[1:5] == ["gpt-4o", "input", 2.5, 3.0]
    assert applied[5] == url and len(applied[6]) == 64
    assert held[1] == "gpt-4o" and held[2].startswith("ft_input (held back: 20x")
    # The result the cells beside the buttons show: the refresh's UTC time, as in the log rows.
    status = log[-1]["values"][0][0]
    stamp_text = str(applied[0])  # ISO date-time of the logged change
    assert status == f"{stamp_text[:10]} {stamp_text[11:16]} UTC: 1 changed, 1 held back (see Changelog)"
    assert load_catalog().get("gpt-4o").ft_input == 3.75


def test_the_calculator_button_runs_the_same_refresh(server, monkeypatch, template):
    """Lite takes one button per script: the Calculator's script writes what the Pricing one does."""
    monkeypatch.setenv("FT_BREAKEVEN_REGISTRY_URL", server.serve("/jump-c.json", encode(jump_registry())))
    actions = press(book_from(template), "refresh_prices_calculator")
    names = [s["name"] for s in template["sheets"]]
    assert set(_by_sheet(actions)) == {names.index("Pricing"), names.index("Changelog")}
    status = _by_sheet(actions)[names.index("Changelog")][-1]["values"][0][0]
    assert status.endswith(": 1 changed, 1 held back (see Changelog)")
    assert load_catalog().get("gpt-4o").input == 3.0


def apply_actions(book_json: dict, actions: list[dict]) -> dict:
    """What Excel would hold after the queued actions (setValues and resizeTable only)."""
    out = copy.deepcopy(book_json)
    for a in actions:
        sheet = out["sheets"][a["sheet_position"]]
        if a["func"] == "resizeTable":
            index, address = a["args"]
            sheet["tables"][index]["range_address"] = address.replace("$", "")
            continue
        grid = sheet["values"]
        for i, row in enumerate(a["values"]):
            r = a["start_row"] + i
            while len(grid) <= r:
                grid.append([None] * len(grid[0]))
            for j, v in enumerate(row):
                c = a["start_column"] + j
                while len(grid[r]) <= c:
                    grid[r].append(None)
                grid[r][c] = v
    return out


def test_accept_on_the_template_applies_the_held_back_change(server, monkeypatch, template):
    url = server.serve("/jump-t.json", encode(jump_registry()))
    monkeypatch.setenv("FT_BREAKEVEN_REGISTRY_URL", url)
    after = apply_actions(template, press(book_from(template)))
    log = next(s for s in after["sheets"] if s["name"] == wb_changelog.SHEET)["values"]
    header = log[wb_changelog.HEADER_ROW - 1]
    accept = header.index(wb_changelog.ACCEPT_COLUMN)
    held = next(r for r in log if str(r[2] or "").startswith("ft_input (held back"))
    held[accept] = "yes"  # the user's one keystroke
    actions = press(xw.Book(json=after))
    log_at = [s["name"] for s in after["sheets"]].index(wb_changelog.SHEET)
    rows = [r for a in actions if a["sheet_position"] == log_at for r in a["values"]]
    assert ["gpt-4o", "ft_input", 3.75, 75.0] in [r[1:5] for r in rows]
    assert ["applied"] in rows
    assert load_catalog().get("gpt-4o").ft_input == 75.0


def test_button_leaves_unknown_columns_alone(server, monkeypatch):
    monkeypatch.setenv("FT_BREAKEVEN_REGISTRY_URL", server.serve("/j3.json", encode(jump_registry())))
    by_sheet = _by_sheet(press(make_book()))
    n = len(bundled_catalog().models)
    pricing = [(a["start_row"], a["start_column"], a["row_count"], a["column_count"]) for a in by_sheet[0]]
    # A:D and F ("My comments" in E is the user's), then the builder's as-of cell B2.
    assert pricing == [(3, 0, n, 4), (3, 5, n, 1), (1, 1, 1, 1)]
    [status] = by_sheet[2]  # the RefreshStatus cell, nothing else on that sheet
    text = status["values"][0][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC: 1 changed, 1 held back \(see Changelog\)", text)


def test_accept_column_applies_a_held_back_change(server, monkeypatch):
    url = server.serve("/jump2.json", encode(jump_registry()))
    monkeypatch.setenv("FT_BREAKEVEN_REGISTRY_URL", url)
    press(make_book())
    held_row = [
        "2026-12-01",
        "gpt-4o",
        "ft_input (held back: 20x change)",
        3.75,
        75.0,
        url,
        "x",
        "yes",
    ]
    actions = press(make_book([held_row]))
    log = [a for a in actions if a["sheet_position"] == 1]
    written = log[0]["values"]
    assert [r[1:5] for r in written] == [["gpt-4o", "ft_input", 3.75, 75.0]]
    assert log[-1]["values"] == [["applied"]] and log[-1]["start_row"] == 1
    assert load_catalog().get("gpt-4o").ft_input == 75.0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_button_touches_nothing_and_says_why(monkeypatch, env, template):
    monkeypatch.setenv("FT_BREAKEVEN_REGISTRY_URL", f"http://127.0.0.1:{_closed_port()}/r.json")
    sentence = "Could not reach 127.0.0.1: prices unchanged (as of 2026-11-28)."
    # The template's RefreshStatus cell gets the sentence; nothing else is written.
    actions = press(book_from(template))
    assert [(a["func"], a["values"]) for a in actions] == [("setValues", [[sentence]])]
    names = [s["name"] for s in template["sheets"]]
    assert actions[0]["sheet_position"] == names.index("Changelog")
    # Without a status cell the sentence is raised, which xlwings shows to the user.
    with pytest.raises(xw.XlwingsError) as err:
        press(make_book(status_cell=False))
    assert str(err.value) == sentence
    assert not env.exists()


def test_hostile_names_never_become_formulas(server, monkeypatch):
    data = copy.deepcopy(BASE)
    data["gpt-5"]["output_cost_per_token"] = '=HYPERLINK("http://evil","x")'
    monkeypatch.setenv("FT_BREAKEVEN_REGISTRY_URL", server.serve("/hostile.json", encode(data)))
    actions = press(make_book())
    cells = [v for a in actions for row in a.get("values") or [] for v in row]
    assert any(isinstance(v, str) and "HYPERLINK" in v for v in cells)
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in cells)


# ---------------------------------------------------------------- the command line


def test_cli_refresh_reports_changes_and_holds(server, capsys, tmp_path):
    url = server.serve("/cli.json", encode(jump_registry()))
    store = tmp_path / "cli-store"
    assert main(["refresh", "--source", url, "--store", str(store), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Dry run, nothing saved" in out and "gpt-4o input: 2.5 -> 3" in out
    assert "gpt-4o.ft_input: 3.75 -> 75" in out and "--accept gpt-4o.ft_input" in out
    assert not store.exists()
    assert main(["refresh", "--source", url, "--store", str(store), "--accept", "gpt-4o.ft_input"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "gpt-4o ft_input: 3.75 -> 75  (accepted)" in out and "Prices as of" in out
    assert captured.err.startswith("downloaded ") and "MB" in captured.err  # not a terminal
    assert load_catalog(store).get("gpt-4o").ft_input == 75.0


def test_cli_refresh_failures_exit_1(server, capsys, tmp_path, monkeypatch):
    store = tmp_path / "cli-store"
    url = server.serve("/cli-404.json", b"nope", status=404)
    assert main(["refresh", "--source", url, "--store", str(store)]) == 1
    assert "answered 404" in capsys.readouterr().out
    assert main(["refresh", "--source", "http://example.com/r.json", "--store", str(store)]) == 1
    assert not store.exists()
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(["refresh", "--source", server.serve("/ok.json", encode(BASE)), "--store", str(store)]) == 0
    assert "[##############################]" in capsys.readouterr().err
