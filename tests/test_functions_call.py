"""Each FT_ function through xlwings' real Office.js call path equals the engine's answer.

Payloads are shaped as Excel sends them (research/XLWINGS.md): every argument a 2-D matrix,
None for an omitted argument, 0 for an empty cell passed to a scalar, "" inside ranges.
"""

import datetime as dt

import pytest

from pricing.model import figures
from pricing.model.breakeven import HEADLINE_FIELDS, evaluate, query_cost, schedule
from pricing.prices.store import load_catalog
from tests.helpers import EMPTY_CATALOG, priced
from tests.officejs import NA, NUM, call
from xl_addin import functions


def scalar(name, *args):
    out = call(name, *args)
    assert len(out) == 1 and len(out[0]) == 1, out
    return out[0][0]


def block(values: dict):
    """A two-column label | value block."""
    return [[k, v] for k, v in values.items()]


def row_block(values: dict):
    """Labels over values."""
    return [list(values), list(values.values())]


BLOCK = priced()  # explicit prices: independent of the catalog's data


# --- one-line questions ---------------------------------------------------------------------


def test_training_cost():
    assert scalar("ft_training_cost", 250e6, 1, 8) == pytest.approx(2000)
    assert scalar("ft_training_cost", 1e6, 3, 25, 2, 500) == pytest.approx(1e6 * 3 * 25 / 1e6 * 2 + 500)
    expected = evaluate(
        priced(epochs=3, training_runs=2, eval_cost=0, other_upfront_cost=100), EMPTY_CATALOG
    ).upfront_cost
    assert scalar("ft_training_cost", 250e6, 3, 8, 2, 100) == pytest.approx(expected)


def test_training_cost_optional_args_omitted_empty_or_blank_take_defaults():
    base = scalar("ft_training_cost", 1e6, 3, 25)
    assert base == pytest.approx(75)
    assert scalar("ft_training_cost", 1e6, 3, 25, None, None) == base
    assert scalar("ft_training_cost", 1e6, 3, 25, 0, 0) == base  # empty cells arrive as 0
    assert scalar("ft_training_cost", 1e6, 3, 25, [[""]], [[None]]) == base


def test_query_cost_equals_engine():
    assert scalar("ft_query_cost", 1000, 100, 3, 15) == pytest.approx(
        query_cost(1000, 100, 3, 15, 0.3, 0, 0, 0.5, 0.5)
    )
    got = scalar("ft_query_cost", 1000, 100, 3, 15, 0.4, 0.3, 0.25, 0.5)
    assert got == pytest.approx(query_cost(1000, 100, 3, 15, 0.3, 0.4, 0.25, 0.5, 0.5))
    # cached_price left out (or 0 from an empty cell): 10% of the input price
    assert scalar("ft_query_cost", 1000, 100, 3, 15, 0.4) == pytest.approx(
        query_cost(1000, 100, 3, 15, 0.3, 0.4, 0, 0.5, 0.5)
    )
    assert scalar("ft_query_cost", 1000, 100, 3, 15, 0.4, 0) == scalar("ft_query_cost", 1000, 100, 3, 15, 0.4)
    assert scalar("ft_query_cost", 1000, 100, 3, 15, 0, None, 1, 0.2) == pytest.approx(
        query_cost(1000, 100, 3, 15, 0.3, 0, 1, 0.8, 0.8)
    )


def test_ints_stay_ints_and_numeric_text_is_read():
    assert scalar("ft_query_cost", "1000", 100, "3", 15) == scalar("ft_query_cost", 1000.0, 100.0, 3.0, 15.0)


def test_monthly_savings():
    fq, tq = 0.0045, 0.00112
    assert scalar("ft_monthly_savings", 5000, fq, tq) == pytest.approx(5000 * 30 * (fq - tq))
    assert scalar("ft_monthly_savings", 5000, fq, tq, 0.8, 100, 31) == pytest.approx(
        5000 * 31 * 0.8 * (fq - tq) - 100
    )
    r = evaluate(priced(), EMPTY_CATALOG)
    assert scalar(
        "ft_monthly_savings", 5000, r.frontier_cost_per_query, r.ft_cost_per_query
    ) == pytest.approx(r.net_benefit_month)
    assert scalar("ft_monthly_savings", 5000, fq, tq, None, None, 0) == scalar(
        "ft_monthly_savings", 5000, fq, tq
    )


def test_payback_months():
    assert scalar("ft_payback_months", 4000, 650) == pytest.approx(4000 / 650)
    assert scalar("ft_payback_months", 0, 650) == 0
    r = evaluate(priced(), EMPTY_CATALOG)
    assert scalar("ft_payback_months", r.upfront_cost, r.net_benefit_month) == pytest.approx(r.payback_months)


@pytest.mark.parametrize("net", [0, -5, -1e6])
def test_payback_never_is_num_error(net):
    assert scalar("ft_payback_months", 4000, net) == NUM


def test_breakeven_queries():
    fq, tq = 0.0045, 0.00112
    assert scalar("ft_breakeven_queries", 4000, fq, tq, 12) == pytest.approx((4000 / 12) / (30 * (fq - tq)))
    assert scalar("ft_breakeven_queries", 4000, fq, tq, 12, 100, 31, 0.5) == pytest.approx(
        (4000 / 12 + 100) / (31 * 0.5 * (fq - tq))
    )
    r = evaluate(priced(lifetime_months=12), EMPTY_CATALOG)
    assert scalar(
        "ft_breakeven_queries", r.upfront_cost, r.frontier_cost_per_query, r.ft_cost_per_query, 12
    ) == pytest.approx(r.breakeven_queries_per_day)


def test_breakeven_queries_when_fine_tuned_is_not_cheaper_is_num():
    assert scalar("ft_breakeven_queries", 4000, 0.001, 0.002, 12) == NUM
    assert scalar("ft_breakeven_queries", 4000, 0.001, 0.001, 12) == NUM


# --- scenarios from blocks ------------------------------------------------------------------


@pytest.mark.parametrize("output", [*HEADLINE_FIELDS, "notes"])
def test_scenario_each_output_equals_engine(output):
    r = evaluate(BLOCK, EMPTY_CATALOG)
    got = scalar("ft_scenario", block(BLOCK), output)
    want = getattr(r, output) if output != "notes" else "; ".join(r.notes)
    if want is None:
        assert got == NUM
    elif isinstance(want, float):
        assert got == pytest.approx(want)
    elif isinstance(want, dt.date):  # an Excel date: the serial day number
        assert got["type"] == "FormattedNumber" and got["basicValue"] == (want - dt.date(1899, 12, 30)).days
    else:
        assert got == want


def test_scenario_whole_result_spills_two_columns():
    out = call("ft_scenario", block(BLOCK), None)
    assert len(out) == len(functions.OUTPUTS) and all(len(r) == 2 for r in out)
    assert [r[0] for r in out] == [figures.label(f) for f in functions.OUTPUTS]  # labels, not names
    r = evaluate(BLOCK, EMPTY_CATALOG)
    values = dict(out)
    assert values["Payback"] == pytest.approx(r.payback_months)
    assert values["Verdict"] == r.verdict
    assert values["Notes"] == "; ".join(r.notes)


def test_an_output_is_asked_for_by_its_name_or_its_label():
    want = scalar("ft_scenario", block(BLOCK), "payback_months")
    assert scalar("ft_scenario", block(BLOCK), "Payback") == want
    assert scalar("ft_scenario", block(BLOCK), "net benefit per month") == scalar(
        "ft_scenario", block(BLOCK), "net_benefit_month"
    )
    table = [list(BLOCK), list(BLOCK.values())]
    assert call("ft_scenarios", table, "NPV over the horizon") == call("ft_scenarios", table, "npv")
    assert call("ft_sensitivity", block(BLOCK), "NPV over the horizon") == call(
        "ft_sensitivity", block(BLOCK), "npv"
    )


def test_block_layouts_labels_and_blank_rows():
    want = scalar("ft_scenario", block(BLOCK), "npv")
    assert scalar("ft_scenario", row_block(BLOCK), "npv") == want
    human = [[k.replace("_", " ").title(), v] for k, v in BLOCK.items()]
    assert scalar("ft_scenario", human, "NPV") == want
    spaced = [["", ""], *block(BLOCK)[:3], ["", ""], *block(BLOCK)[3:], ["", ""]]
    assert scalar("ft_scenario", spaced, "Npv") == want
    # a wider selection: an empty third column is ignored
    assert scalar("ft_scenario", [[*r, ""] for r in block(BLOCK)], "npv") == want
    # a label with a blank value takes the default
    assert scalar("ft_scenario", [*block(BLOCK), ["days_per_month", ""]], "npv") == want


def test_block_dates_as_excel_serials():
    serial = (dt.date(2027, 1, 1) - dt.date(1899, 12, 30)).days
    got = scalar("ft_scenario", block({**BLOCK, "start_date": serial}), "payback_months")
    assert got == pytest.approx(
        evaluate({**BLOCK, "start_date": dt.date(2027, 1, 1)}, EMPTY_CATALOG).payback_months
    )
    assert scalar("ft_scenario", block({**BLOCK, "start_date": "2027-01-01"}), "payback_months") == got


def test_schedule_spill():
    out = call("ft_schedule", block(BLOCK), 6)
    assert out[0] == ["Month", "Frontier cost", "Cost with fine-tuning", "Net cash flow", "Cumulative net"]
    assert len(out) == 1 + 7 and all(len(r) == 5 for r in out)
    rows = schedule(BLOCK, EMPTY_CATALOG, 6)
    for got, want in zip(out[1:], rows, strict=True):
        assert got == pytest.approx([want[c] for c in functions.SCHEDULE_OUT])
    default = call("ft_schedule", block(BLOCK), None)
    assert len(default) == 1 + 36 + 1
    assert call("ft_schedule", block(BLOCK), 0) == default  # an empty cell: the horizon


def test_verdict_and_npv():
    r = evaluate(BLOCK, EMPTY_CATALOG)
    assert scalar("ft_verdict", block(BLOCK)) == r.verdict
    npv = scalar("ft_npv", block(BLOCK))
    assert npv == (NUM if r.npv is None else pytest.approx(r.npv))


def test_scenario_with_catalog_models():
    cat = load_catalog()
    values = {
        "queries_per_day": 5000,
        "input_tokens": 1000,
        "output_tokens": 100,
        "frontier_model": "claude-sonnet-4-6",
        "ft_model": "gpt-4.1-mini",
        "training_tokens": 250e6,
        "epochs": 1,
    }
    r = evaluate(values, cat)
    assert scalar("ft_scenario", block(values), "payback_months") == pytest.approx(r.payback_months)
    assert scalar("ft_scenario", block(values), "frontier_cost_per_query") == pytest.approx(
        (1000 * cat.get("claude-sonnet-4-6").input + 100 * cat.get("claude-sonnet-4-6").output) / 1e6
    )
    # a price in the block wins over the catalog
    override = {**values, "frontier_input_price": 1.0}
    assert scalar("ft_scenario", block(override), "frontier_cost_per_query") == pytest.approx(
        evaluate(override, cat).frontier_cost_per_query
    )


# --- many scenarios at once -----------------------------------------------------------------


def table(rows):
    header = list(dict.fromkeys(k for r in rows for k in r))
    return [header] + [[r.get(h, "") for h in header] for r in rows]


@pytest.mark.parametrize(
    "output",
    [
        "payback_months",
        "npv",
        "verdict",
        "notes",
        "mode",
        "roi",
        "breakeven_queries_per_day",
        "discounted_payback_months",
    ],
)
def test_scenarios_column_equals_engine_per_row(output):
    rows = [priced(queries_per_day=q, name=f"r{q}") for q in (50, 500, 5000, 50_000, 500_000)]
    out = call("ft_scenarios", table(rows), output)
    assert len(out) == len(rows) and all(len(r) == 1 for r in out)
    for (got,), row in zip(out, rows, strict=True):
        want = getattr(evaluate(row, EMPTY_CATALOG), output)
        if output == "notes":
            want = "; ".join(want)
        if want is None:
            assert got == NUM
        elif isinstance(want, float):
            assert got == pytest.approx(want)
        else:
            assert got == want


def test_scenarios_bad_rows_get_their_own_errors_and_blank_rows_stay_blank():
    good = priced()
    rows = table(
        [
            {**good, "frontier_model": ""},
            {**good, "queries_per_day": "abc"},
            {
                **good,
                "frontier_model": "no-such-model",
                "frontier_input_price": "",
                "frontier_output_price": "",
            },
            {k: "" for k in good},
            {**good, "ft_input_price": 50, "ft_output_price": 50},  # FT dearer: never pays back
            {**good, "cached_share": 1.5},
            {**good, "epochs": True},
            {
                **good,
                "queries_per_day": {
                    "type": "Error",
                    "basicValue": "#N/A",
                    "errorType": "NotAvailable",
                },
            },
        ]
    )
    out = [r[0] for r in call("ft_scenarios", rows, "payback_months")]
    assert out[0] == pytest.approx(evaluate(good, EMPTY_CATALOG).payback_months)
    assert out[1] == {"type": "Error", "errorType": "Value"}
    assert out[2] == NA
    assert out[3] == ""
    assert out[4] == NUM
    assert out[5] == {"type": "Error", "errorType": "Value"}
    assert out[6] == {"type": "Error", "errorType": "Value"}
    assert out[7] == {"type": "Error", "errorType": "Value"}


def test_scenarios_with_catalog_model_ids():
    rows = [
        {
            "queries_per_day": q,
            "input_tokens": 1000,
            "output_tokens": 100,
            "frontier_model": "claude-sonnet-4-6",
            "ft_model": "gpt-4.1-mini",
            "training_tokens": 250e6,
        }
        for q in (500, 5000)
    ]
    out = call("ft_scenarios", table(rows), "net_benefit_month")
    cat = load_catalog()
    assert [r[0] for r in out] == pytest.approx([evaluate(r, cat).net_benefit_month for r in rows])


# --- the catalog ----------------------------------------------------------------------------


def test_price_models_and_as_of():
    cat = load_catalog()
    assert scalar("ft_price", "gpt-4.1-mini", "input") == cat.get("gpt-4.1-mini").input
    assert scalar("ft_price", "GPT-4.1-MINI", "Training per 1M") == cat.get("gpt-4.1-mini").training_per_1m
    assert scalar("ft_price", "claude-sonnet-4-6", "training_per_1m") == NA  # not fine-tunable: no rate
    ids = [r[0] for r in call("ft_models", None)]
    assert ids == cat.ids() and "gpt-4.1-mini" in ids
    assert [r[0] for r in call("ft_models", "openai")] == cat.ids("OpenAI")
    as_of = scalar("ft_prices_as_of")
    assert as_of["type"] == "FormattedNumber"
    assert as_of["basicValue"] == (cat.as_of - dt.date(1899, 12, 30)).days


def test_model_check():
    assert scalar("ft_model_check", "GPT-4.1-mini") == "gpt-4.1-mini"
    text = scalar("ft_model_check", "gpt-4.1-mni")
    assert "unknown model 'gpt-4.1-mni'" in text and "gpt-4.1-mini" in text


def test_inputs_lists_every_field():
    out = call("ft_inputs")
    assert out[0] == ["input", "unit", "default", "allowed"]
    names = [r[0] for r in out[1:]]
    assert "queries_per_day" in names and "horizon_months" in names
    assert all(len(r) == 4 for r in out)


def test_risk_and_sensitivity_spills():
    from pricing.model import risk

    out = call("ft_risk", block(BLOCK), 500, 1)
    assert out[0][:4] == ["Figure", "P10", "P50", "P90"]
    assert call("ft_risk", block(BLOCK), 500, 1) == out  # same seed, same answer
    assert call("ft_risk", block(BLOCK), None, None) == call("ft_risk", block(BLOCK), 0, 0)
    want = risk.monte_carlo(BLOCK, None, 500, 1, EMPTY_CATALOG)
    rows = {r[0]: r[1:] for r in out[1:]}
    assert rows["NPV over the horizon"] == pytest.approx([want.npv_p10, want.npv_p50, want.npv_p90])
    assert rows["Chance the NPV is positive"][0] == pytest.approx(want.prob_npv_positive)
    tornado = call("ft_sensitivity", block(BLOCK), None)
    bars = risk.tornado(BLOCK, None, "npv", EMPTY_CATALOG)
    assert tornado[0][:4] == ["Driver", "Low", "High", "NPV over the horizon at low"]
    assert len(tornado) == len(bars) + 1 > 2
    assert [r[0] for r in tornado[1:]] == [b.label for b in bars]  # labels, not engine names


def test_risk_with_own_ranges_replaces_only_those_inputs():
    from pricing.model import risk

    own = [["input", "low", "likely", "high"], ["Queries per day", 4000, 5000, 5200], ["", "", "", ""]]
    got = call("ft_risk", block(BLOCK), 500, 3, own)
    ranges = risk.default_uncertain(BLOCK)
    ranges["queries_per_day"] = (4000, 5000, 5200)
    want = risk.monte_carlo(BLOCK, ranges, 500, 3, EMPTY_CATALOG)
    assert got[3][2] == pytest.approx(want.npv_p50, rel=1e-12)
    default = risk.monte_carlo(BLOCK, None, 500, 3, EMPTY_CATALOG)
    assert want.npv_p50 != pytest.approx(default.npv_p50, rel=1e-6)  # the row did change it
    blank = call("ft_risk", block(BLOCK), 500, 3, [["", "", "", ""]])
    assert blank[3][2] == pytest.approx(default.npv_p50, rel=1e-12)


def test_grid_spills_the_two_way_table_of_the_engine():
    from pricing.model import risk

    xs, ys = [1000, 5000, 20000], [0, 0.3]
    out = call(
        "ft_grid",
        block(BLOCK),
        "Queries per day",
        [xs],
        "frontier_price_decline_annual",
        [[y] for y in ys],
        "npv",
    )
    want = risk.grid(BLOCK, "queries_per_day", xs, "frontier_price_decline_annual", ys, "npv", EMPTY_CATALOG)
    assert out[0][1:] == xs and [r[0] for r in out[1:]] == ys
    assert [r[1:] for r in out[1:]] == [pytest.approx(row, rel=1e-12) for row in want]
    assert out[2][3] < out[1][3]  # prices falling 30% a year shrink the NPV of the same volume
    never = call("ft_grid", block(BLOCK), "queries_per_day", [[0, 5000]], "epochs", [[1]], None)
    assert never[1][1] == "never" and isinstance(never[1][2], float)  # no traffic never pays back
