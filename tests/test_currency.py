"""Issue 21 item 3: the answers in the user's currency at a typed rate (pricing.model.currency).

Hand figures: tests/test_baseline.py's support bot (gpt-4.1 -> nova-pro, baseline gpt-4.1-mini,
20,000 queries a day) at 0.9 EUR per USD. Inputs, catalog prices and verdict thresholds stay USD;
money figures are USD x 0.9; months, shares and verdicts do not move.
"""

import json

import openpyxl
import pytest
from libreoffice import SOFFICE, convert_many

from pricing.model.breakeven import evaluate, schedule
from pricing.model.currency import USD, Currency, convert_result, make_currency
from pricing.model.figures import HEADLINE, figure, money_format
from pricing.model.scenario import ScenarioError, make_scenario
from pricing.prices.store import bundled_catalog
from tests.helpers import BAD_CURRENCY_FLAGS, EUR_CAPTION, EUR_FLAGS, EUR_RECORD
from tests.officejs import call
from tests.test_baseline import CASE
from workbook.build import build_template
from workbook.sheets import calculator
from xl_addin.cli import main
from xl_addin.excel_errors import ExcelValueError

CAT = bundled_catalog()
EUR = make_currency("EUR", 0.9, "2026-12-01", "ECB euro reference rate")


def test_support_bot_in_euros_by_hand():
    r = convert_result(evaluate(CASE, CAT), EUR)
    # frontier (1000 x $2 + 200 x $8) / 1M = $0.0036 a query -> x 0.9 = EUR 0.00324
    assert r.frontier_cost_per_query == pytest.approx(0.00324)
    # 600,000 queries a month x ($0.0036 - $0.00144) = $1,296 -> EUR 1,166.40
    assert r.inference_savings_month == pytest.approx(1166.4)
    # switching to the baseline: 600,000 x ($0.0036 - $0.00072) = $1,728 -> EUR 1,555.20
    assert r.baseline_savings_month == pytest.approx(1555.2)
    assert r.savings_vs_baseline_month == pytest.approx(-432 * 0.9)  # -EUR 388.80
    assert r.quality_value_month == pytest.approx(300 * 0.9)  # 600,000 x 5% x $0.01 = $300
    assert r.upfront_cost == pytest.approx(800 * 0.9)  # $800 of training
    # ratios and verdicts are the same in any currency
    usd = evaluate(CASE, CAT)
    assert (r.payback_months, r.roi, r.irr_annual, r.verdict, r.breakeven_accuracy_lift) == (
        usd.payback_months,
        usd.roi,
        usd.irr_annual,
        usd.verdict,
        usd.breakeven_accuracy_lift,
    )
    # the notes' amounts too: $1,728 -> EUR 1,555 (1,555.2 to the whole unit, as the note rounds)
    assert any("saves EUR 1,555 a month against gpt-4.1" in n for n in r.notes), r.notes
    assert not any("$" in n for n in r.notes)


def test_usd_at_one_changes_nothing():
    r = evaluate(CASE, CAT)
    assert convert_result(r, USD) is r
    assert convert_result(r, Currency("USD", 1.0)) == r
    assert make_currency() == USD and make_currency("usd") == USD
    assert money_format(HEADLINE["npv"].number_format) == HEADLINE["npv"].number_format
    # another code at rate 1: the same numbers, named in the other currency
    same = convert_result(r, make_currency("GBP", 1))
    assert same.npv == r.npv and same.notes[-1].count("GBP 1,728") == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("EURO", 0.9), ["currency", "ISO 4217", "'EURO'"]),
        (("EUR", None), ["fx_rate", "> 0", "required for a currency other than USD"]),
        (("EUR", -1), ["fx_rate", "> 0", "-1"]),
        (("EUR", "abc"), ["fx_rate", "'abc'"]),
        (("EUR", 0.9, "1 Dec"), ["fx_date", "YYYY-MM-DD", "'1 Dec'"]),
        (("EUR", 0.9, None, "x" * 201), ["fx_source", "at most 200"]),
    ],
)
def test_a_bad_currency_names_the_input(args, words):
    with pytest.raises(ScenarioError) as info:
        make_currency(*args)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_cli_report_in_euros(capsys, tmp_path):
    scenario = tmp_path / "bot.json"
    scenario.write_text(json.dumps(CASE))
    assert main(["report", "--scenario", str(scenario), "--format", "json"]) == 0
    usd = json.loads(capsys.readouterr().out)
    flags = EUR_FLAGS
    assert main(["report", "--scenario", str(scenario), "--format", "json", *flags]) == 0
    eur = json.loads(capsys.readouterr().out)
    assert eur["currency"] == EUR_RECORD
    assert eur["npv"] == pytest.approx(usd["npv"] * 0.9)
    assert eur["upfront_cost"] == pytest.approx(720.0) and eur["payback_months"] == usd["payback_months"]
    assert main(["report", "--scenario", str(scenario), *flags]) == 0
    text = capsys.readouterr().out
    assert EUR_CAPTION in text
    assert "Upfront cost" in text and "EUR 720" in text and "$" not in text.split("Notes:")[0]
    assert main(["report", "--scenario", str(scenario), "--format", "csv", *flags]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.endswith("currency,fx_rate,fx_date,fx_source") and row.endswith("EUR,0.9,2026-12-01,ECB")


@pytest.mark.parametrize(("flags", "words"), BAD_CURRENCY_FLAGS)
def test_cli_refuses_a_bad_currency_in_one_sentence(capsys, flags, words):
    assert main(["report", "--preset", "faisal", *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and all(w in err for w in words), err


def test_ft_functions_take_the_rate_through_office_js():
    case = {k: v for k, v in CASE.items() if k != "baseline_model"}  # as test_ft_baseline_function
    block = [[k, v] for k, v in case.items()]
    usd = evaluate(case, CAT)
    assert call("ft_npv", block, 0.9)[0][0] == pytest.approx(usd.npv * 0.9)
    assert call("ft_npv", block)[0][0] == usd.npv  # omitted: USD, exactly as before
    assert call("ft_scenario", block, "upfront_cost", 0.9)[0][0] == pytest.approx(720.0)
    assert call("ft_scenario", block, "payback_months", 0.9)[0][0] == usd.payback_months
    better = dict((r[0], r[1]) for r in call("ft_baseline", block, "gpt-4.1-mini", 0.9, "EUR"))
    assert "saves EUR 1,555 a month" in better["Better move"]
    assert better["Savings against the baseline per month"] == pytest.approx(-432 * 0.9)
    rows = call("ft_schedule", block, 3, 0.9)
    want = schedule(case, CAT, 3)
    assert rows[1][4] == pytest.approx(want[0]["cumulative_net"] * 0.9)  # month 0: -upfront
    with pytest.raises(ExcelValueError) as info:
        call("ft_npv", block, -2)
    assert "fx_rate" in str(info.value) and "-2" in str(info.value)


@pytest.fixture(scope="module")
def eur_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("eur") / "eur.xlsx"
    build_template(CAT, [CASE], path, currency=EUR)
    return openpyxl.load_workbook(path)


def test_workbook_shows_the_currency_and_formats_carry_it(eur_book):
    wb = eur_book
    got = {}
    for name in ("ReportCurrency", "FxRate", "FxDate", "FxSource"):
        sheet, ref = wb.defined_names[name].attr_text.split("!")
        got[name] = wb[sheet][ref.replace("$", "")].value
    assert (
        got["ReportCurrency"] == "EUR"
        and got["FxRate"] == 0.9
        and got["FxSource"] == "ECB euro reference rate"
    )
    assert got["FxDate"].date().isoformat() == "2026-12-01"
    ws = wb[calculator.SHEET]
    rows = calculator.output_rows()
    npv = ws[f"H{rows['npv']}"]
    assert '"EUR "' in npv.number_format and "FxRate" in getattr(npv.value, "text", npv.value)
    assert ws[f"I{rows['npv']}"].value == "EUR"
    assert ws[f"I{rows['net_benefit_month']}"].value == "EUR/month"
    assert (
        ws[f"H{rows['payback_months']}"].number_format == figure("payback_months").number_format
    )  # not money
    top = ws[f"{calculator.SCHEDULE_COL}{calculator.SCHEDULE_HEADER_ROW}"].value
    assert "FxRate" in getattr(top, "text", top)
    pricing = wb["Pricing"]
    assert not any('"EUR' in (c.number_format or "") for row in pricing.iter_rows() for c in row)  # USD


@pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice")
def test_native_cash_flow_chain_converts_in_libreoffice(tmp_path):
    """The no-add-in file: the Cash flow chain's money answers are USD x FxRate, live."""
    path = build_template(CAT, [CASE], tmp_path / "eur-static.xlsx", runtime="none", currency=EUR)
    (done,) = convert_many([path], "xlsx", tmp_path / "done")
    wb = openpyxl.load_workbook(done, data_only=True)
    ws = wb[calculator.SHEET]
    caption = EUR.caption()  # the CLI's line; the printed sheets show the same, live
    assert caption == (
        "Money in EUR at 1 USD = 0.9 EUR (rate of 2026-12-01; source: ECB euro reference rate); "
        "inputs and catalog prices are USD"
    )
    assert wb["Risk"]["E3"].value == caption and wb["Cash flow"]["A3"].value == caption
    rows = calculator.output_rows()
    usd = evaluate(calculator.python_inputs(make_scenario(CASE), CAT), CAT)
    for key in ("npv", "upfront_cost", "net_benefit_month", "frontier_cost_per_query"):
        assert ws[f"H{rows[key]}"].value == pytest.approx(getattr(usd, key) * 0.9, rel=1e-9), key
    assert ws[f"H{rows['payback_months']}"].value == pytest.approx(usd.payback_months, rel=1e-9)
    assert ws[f"H{rows['verdict']}"].value == usd.verdict
    month0 = ws[f"P{calculator.SCHEDULE_HEADER_ROW + 1}"].value  # cumulative net, month 0
    assert month0 == pytest.approx(-usd.upfront_cost * 0.9, rel=1e-9)
