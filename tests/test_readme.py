"""The README's promises stay true: its commands, its presets table."""

import re
from pathlib import Path

from pricing.model.presets import seed_comparison_markdown
from pricing.prices.store import bundled_catalog

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def _first_commands():
    return re.findall(r"```bash\n(.+?)\n```", README)[:2]


def test_readme_opens_with_two_commands_and_ci_runs_the_second():
    main_cmd, test_cmd = _first_commands()
    assert "pip install" in main_cmd and "ft-breakeven" in main_cmd
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert test_cmd in ci


def test_readme_presets_table_matches_the_engine():
    block = README.split("<!-- presets-table:start")[1].split("<!-- presets-table:end")[0]
    table = block.split("-->", 1)[1].strip()
    assert table == seed_comparison_markdown(bundled_catalog())


def test_readme_main_command_builds_the_workbook(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from xl_addin.cli import main

    main_cmd = _first_commands()[0]
    args = main_cmd.split("ft-breakeven", 1)[1].split()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FT_BREAKEVEN_HOME", str(tmp_path / "store"))  # fresh machine: no store
    assert main(args) == 0
    book = load_workbook(tmp_path / "ft-breakeven.xlsx")
    assert {"Calculator", "Scenarios", "Pricing", "Changelog", "Checks"} <= set(book.sheetnames)
