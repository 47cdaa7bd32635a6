"""Issue 15, point 3: an IRR above 1,000% a year reads ">1,000%" with the reason; JSON keeps it."""

import json

import openpyxl
import pytest

from pricing.model.breakeven import evaluate
from pricing.model.finance import irr_beyond_meaning
from pricing.model.presets import preset
from pricing.prices.store import bundled_catalog
from tests.libreoffice import SOFFICE, convert
from workbook.sheets.calculator import FMT_IRR
from xl_addin.cli import main
from xl_addin.function_docs import markdown


def test_the_rule():
    assert irr_beyond_meaning(10.01, 5.0) and not irr_beyond_meaning(10.0, 5.0)  # 1,000% itself shows
    assert irr_beyond_meaning(3.0, 0.9)  # payback under a month
    assert not irr_beyond_meaning(None, 0.5) and not irr_beyond_meaning(-0.5, None)


def test_cli_table_shows_the_bound_and_the_reason_json_keeps_the_number(capsys):
    r = evaluate(preset("enterprise").scenario, bundled_catalog())
    assert r.irr_annual > 1e6  # 239,347,476% on main when the issue was filed
    assert main(["report", "--preset", "enterprise"]) == 0
    out = capsys.readouterr().out
    assert "IRR (annual)" in out and ">1,000% (see the notes)" in out
    assert "IRR >1,000%: above 1,000% a year the IRR only says the upfront cost is tiny" in out
    assert "read payback and NPV" in out
    assert main(["report", "--preset", "enterprise", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["irr_annual"] == pytest.approx(r.irr_annual, rel=1e-9)
    assert main(["report", "--preset", "faisal"]) == 0  # 1.7x a year: shown as the number
    faisal = capsys.readouterr().out
    assert (
        ">1,000%" not in faisal
        and f"{evaluate(preset('faisal').scenario, bundled_catalog()).irr_annual:.0%}" in faisal
    )


def test_ft_help_says_it():
    assert 'shows an IRR above 1,000% a year as ">1,000%": read payback and NPV' in markdown()


@pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice")
def test_workbook_format_reads_the_bound_in_libreoffice(tmp_path):
    wb = openpyxl.Workbook()
    values = [2393474.76, 10.5, 10.0, 1.7, -0.3, 0.0]
    for i, v in enumerate(values, 1):
        wb.active.cell(i, 1, v).number_format = FMT_IRR
    wb.save(tmp_path / "irr.xlsx")
    csv = convert(
        tmp_path / "irr.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", tmp_path
    )
    shown = [line.strip('"') for line in csv.read_text().splitlines()]
    assert shown == [">1,000%", ">1,000%", "1000.0%", "170.0%", "-30.0%", "0.0%"]
