"""Bad inputs give the Excel error the docs promise, with a message naming field, value, allowed.

Through xlwings' Office.js path: an exception raised by a function propagates out of
`custom_functions_call` (Excel shows #VALUE! and, in xlwings Lite/Server, the message on hover);
a returned "#N/A" / "#NUM!" string comes back as a real error cell.
"""

import math

import pytest
import xlwings as xw

from pricing.model.breakeven import evaluate
from pricing.model.scenario import ScenarioError, make_scenario
from pricing.prices.store import bundled_catalog
from tests.helpers import priced
from tests.officejs import NA, NUM, call
from xl_addin import function_docs
from xl_addin.excel_errors import ExcelValueError

ERR_NA = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}  # an #N/A input cell


GOOD = priced()


def blk(**changes):
    values = {**GOOD, **changes}
    return [[k, v] for k, v in values.items() if v is not ...]


QC = (1000, 100, 3, 15)  # good FT_QUERY_COST arguments

# (id, function, args, expected: "#VALUE!" + message fragments | NA | NUM)
CASES = [
    (
        "text",
        "ft_query_cost",
        ("abc", *QC[1:]),
        ["FT_QUERY_COST", "input_tokens", "a number >= 0", "'abc'"],
    ),
    ("negative tokens", "ft_query_cost", (-5, *QC[1:]), ["input_tokens", ">= 0", "-5"]),
    ("bool", "ft_query_cost", (True, *QC[1:]), ["input_tokens", "a number", "True"]),
    ("nan", "ft_query_cost", (math.nan, *QC[1:]), ["input_tokens", "finite", "nan"]),
    ("inf", "ft_query_cost", (*QC[:2], math.inf, 15), ["input_price", "finite", "inf"]),
    ("huge tokens", "ft_query_cost", (1e20, *QC[1:]), ["input_tokens", "<= 1e+08", "1e+20"]),
    ("share > 1", "ft_query_cost", (*QC, 1.5), ["cached_share", "<= 1", "1.5"]),
    ("negative share", "ft_query_cost", (*QC, 0, None, -0.1), ["batch_share", ">= 0", "-0.1"]),
    ("discount > 1", "ft_query_cost", (*QC, 0, None, 0.5, 2), ["batch_discount", "<= 1", "2"]),
    (
        "range for a scalar",
        "ft_query_cost",
        ([[1, 2], [3, 4]], *QC[1:]),
        ["input_tokens", "a single cell", "2 x 2"],
    ),
    ("required left blank", "ft_query_cost", ([[""]], *QC[1:]), ["input_tokens", "is required"]),
    (
        "error cell",
        "ft_query_cost",
        ([[ERR_NA]], *QC[1:]),
        ["input_tokens", "not an error cell", "#N/A"],
    ),
    ("epochs 0", "ft_training_cost", (1e6, 0, 25), ["epochs", ">= 1", "0"]),
    ("epochs too many", "ft_training_cost", (1e6, 1000, 25), ["epochs", "<= 100", "1000"]),
    ("runs text", "ft_training_cost", (1e6, 3, 25, "two"), ["training_runs", ">= 1", "'two'"]),
    ("absurd training tokens", "ft_training_cost", (1e15, 3, 25), ["training_tokens", "<= 1e+12"]),
    (
        "negative queries",
        "ft_monthly_savings",
        (-1, 0.01, 0.001),
        ["queries_per_day", ">= 0", "-1"],
    ),
    ("ft_traffic_share > 1", "ft_monthly_savings", (500, 0.01, 0.001, 2), ["ft_traffic_share", "<= 1", "2"]),
    (
        "days_per_month 40",
        "ft_monthly_savings",
        (500, 0.01, 0.001, 1, 0, 40),
        ["days_per_month", "<= 31", "40"],
    ),
    ("payback text", "ft_payback_months", ("lots", 650), ["upfront_cost", "a number", "'lots'"]),
    ("payback negative upfront", "ft_payback_months", (-1, 650), ["upfront_cost", ">= 0", "-1"]),
    ("payback bool", "ft_payback_months", (4000, False), ["net_benefit_month", "False"]),
    ("lifetime 0", "ft_breakeven_queries", (4000, 0.01, 0.001, 0), ["lifetime_months", ">= 0.01", "0"]),
    ("never pays back", "ft_payback_months", (4000, 0), NUM),
    (
        "grid unknown input",
        "ft_grid",
        (blk(), "querys per day", [[1, 2]], "epochs", [[1]]),
        ["x_field", "querys per day", "closest: queries_per_day"],
    ),
    ("grid text value", "ft_grid", (blk(), "queries_per_day", [["x"]], "epochs", [[1]]), ["x_values", "'x'"]),
    (
        "grid no values",
        "ft_grid",
        (blk(), "queries_per_day", [[""]], "epochs", [[1]]),
        ["x_values", "required"],
    ),
    (
        "grid same input twice",
        "ft_grid",
        (blk(), "queries_per_day", [[1]], "Queries per day", [[2]]),
        ["y_field", "different input"],
    ),
    (
        "grid bad output",
        "ft_grid",
        (blk(), "queries_per_day", [[1]], "epochs", [[1]], "profit"),
        ["output", "'profit'", "npv"],
    ),
    (
        "risk range unknown input",
        "ft_risk",
        (blk(), 500, 0, [["querys per day", 1, 2, 3]]),
        ["uncertain", "querys per day", "closest: queries_per_day"],
    ),
    (
        "risk range out of order",
        "ft_risk",
        (blk(), 500, 0, [["queries_per_day", 9000, 5000, 6000]]),
        ["queries_per_day", "low <= likely <= high"],
    ),
    (
        "risk range text number",
        "ft_risk",
        (blk(), 500, 0, [["queries_per_day", "many", 5000, 6000]]),
        ["queries_per_day", "'many'"],
    ),
    (
        "risk range three columns",
        "ft_risk",
        (blk(), 500, 0, [["queries_per_day", 1, 2]]),
        ["uncertain", "four columns"],
    ),
    ("FT dearer", "ft_breakeven_queries", (4000, 0.001, 0.01, 12), NUM),
    (
        "block text",
        "ft_scenario",
        (blk(queries_per_day="abc"), "npv"),
        ["FT_SCENARIO", "queries_per_day", "a number >= 0", "'abc'"],
    ),
    ("block bool", "ft_scenario", (blk(epochs=True), "npv"), ["epochs", "True"]),
    (
        "block share > 1",
        "ft_scenario",
        (blk(cached_share=1.2), "npv"),
        ["cached_share", "<= 1", "1.2"],
    ),
    (
        "block negative",
        "ft_scenario",
        (blk(output_tokens=-3), "npv"),
        ["output_tokens", ">= 0", "-3"],
    ),
    (
        "block absurd",
        "ft_scenario",
        (blk(queries_per_day=1e15), "npv"),
        ["queries_per_day", "<= 1e+12", "1000000000000000"],
    ),
    ("block nan", "ft_scenario", (blk(eval_cost=math.nan), "npv"), ["eval_cost", "finite", "nan"]),
    (
        "block horizon not whole",
        "ft_scenario",
        (blk(horizon_months=12.5), "npv"),
        ["horizon_months", "whole number", "12.5"],
    ),
    (
        "block missing required",
        "ft_scenario",
        (blk(queries_per_day=...), "npv"),
        ["queries_per_day", "required"],
    ),
    (
        "block unknown label",
        "ft_scenario",
        ([*blk(), ["querys per day", 5]], "npv"),
        ["inputs", "querys per day", "closest: queries_per_day"],
    ),
    (
        "block duplicate label",
        "ft_scenario",
        ([*blk(), ["Queries per day", 5]], "npv"),
        ["inputs", "twice"],
    ),
    (
        "block value without label",
        "ft_scenario",
        ([*blk(), ["", 5]], "npv"),
        ["inputs", "no label", "5"],
    ),
    (
        "block ragged",
        "ft_scenario",
        ([["queries_per_day", 5], ["input_tokens"]], "npv"),
        ["inputs", "rectangular"],
    ),
    (
        "block 3x3",
        "ft_scenario",
        ([["a", 1, 2], ["b", 3, 4], ["c", 5, 6]], "npv"),
        ["inputs", "two columns", "3 x 3"],
    ),
    (
        "block one column",
        "ft_scenario",
        ([["queries_per_day"], ["input_tokens"]], "npv"),
        ["inputs", "two columns"],
    ),
    ("block empty", "ft_scenario", ([["", ""], ["", ""]], "npv"), ["inputs", "is required"]),
    (
        "block error cell",
        "ft_scenario",
        (blk(frontier_input_price=ERR_NA), "npv"),
        ["frontier_input_price", "error cell"],
    ),
    (
        "block bad date",
        "ft_scenario",
        (blk(start_date="next year"), "npv"),
        ["start_date", "a date", "'next year'"],
    ),
    ("block date serial 0", "ft_scenario", (blk(start_date=0.0), "npv"), ["start_date", "a date"]),
    (
        "unknown output",
        "ft_scenario",
        (blk(), "paybak"),
        ["output", "'paybak'", "closest: payback_date, payback_months"],
    ),
    (
        "unknown frontier model",
        "ft_scenario",
        (blk(frontier_model="gpt-9", frontier_input_price=...), "npv"),
        NA,
    ),
    (
        "unknown ft model verdict",
        "ft_verdict",
        (blk(ft_model="no-such-ft", ft_input_price=..., ft_output_price=...),),
        NA,
    ),
    (
        "not fine-tunable",
        "ft_scenario",
        (blk(ft_model="claude-sonnet-4-6"), "npv"),
        ["ft_model", "fine-tunable", "claude-sonnet-4-6"],
    ),
    ("schedule months 0.5", "ft_schedule", (blk(), 0.5), ["months", "whole number", "0.5"]),
    ("schedule months too many", "ft_schedule", (blk(), 10_000), ["months", "<= 600"]),
    ("price unknown model", "ft_price", ("gpt-4.1-mni", "input"), NA),
    (
        "price unknown field",
        "ft_price",
        ("gpt-4.1-mini", "inptu"),
        ["field", "'inptu'", "training_per_1m", "closest: input"],
    ),
    ("price blank model", "ft_price", ([[""]], "input"), ["model", "is required"]),
    ("models unknown vendor", "ft_models", ("Acme",), ["vendor", "'Acme'", "OpenAI"]),
    (
        "scenarios unknown header",
        "ft_scenarios",
        ([["queries_per_day", "tokns"], [5, 6]], "npv"),
        ["inputs_table", "'tokns'"],
    ),
    (
        "scenarios header only",
        "ft_scenarios",
        ([["queries_per_day", "input_tokens"]], "npv"),
        ["inputs_table", "header row"],
    ),
    (
        "scenarios value without header",
        "ft_scenarios",
        ([["queries_per_day", ""], [5, 6]], "npv"),
        ["inputs_table", "column 2"],
    ),
    (
        "scenarios unknown output",
        "ft_scenarios",
        ([["queries_per_day"], [5]], "speed"),
        ["output", "'speed'"],
    ),
    (
        "scenarios output missing",
        "ft_scenarios",
        ([["queries_per_day"], [5]], None),
        ["output", "is required"],
    ),
]


def test_at_least_thirty_bad_inputs():
    assert len(CASES) >= 30


@pytest.mark.parametrize(("case", "name", "args", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(case, name, args, expected):
    if isinstance(expected, dict):
        out = call(name, *args)
        assert out == [[expected]]
        return
    with pytest.raises(ExcelValueError) as info:
        call(name, *args)
    message = str(info.value)
    assert message.startswith(name.upper() + ": "), message
    for fragment in expected:
        assert fragment in message, (fragment, message)


def test_value_errors_are_xlwings_errors_so_server_shows_the_message():
    with pytest.raises(xw.XlwingsError):
        call("ft_query_cost", "abc", *QC[1:])


def test_unknown_model_in_a_scalar_result_is_isna_able():
    # The returned "#N/A" becomes Office.js's NotAvailable error (ISNA is TRUE), not #VALUE!.
    assert call("ft_npv", blk(frontier_model="gpt-9", frontier_input_price=...)) == [[NA]]
    assert call("ft_scenario", blk(frontier_model="gpt-9", frontier_input_price=...), None) == [[NA]]


def test_a_rate_the_catalog_lacks():
    # gemini-3.1-flash-lite is fine-tunable in the bundled catalog but has no training rate. A
    # scenario needs one: a model without a price is #N/A (value not available, ISNA works; issue
    # 21), never $0; given, the scenario computes. FT_PRICE of the same rate is #N/A too, and the
    # engine's sentence (what the CLI prints) names the input to give.
    lacking = blk(
        ft_model="gemini-3.1-flash-lite", ft_input_price=..., ft_output_price=..., training_per_1m=...
    )
    assert call("ft_scenario", lacking, "npv") == [[NA]]
    rows = call("ft_scenarios", [[k for k, _ in lacking], [v for _, v in lacking]], "npv")
    assert rows == [[NA]]  # that row's own #N/A
    given = call("ft_scenario", lacking + [["training_per_1m", 2.0]], "npv")
    assert isinstance(given[0][0], float)
    assert call("ft_price", "gemini-3.1-flash-lite", "training_per_1m") == [[NA]]
    with pytest.raises(ScenarioError, match="training_per_1m must be given: no training rate for gemini-3.1"):
        evaluate(make_scenario(dict(lacking)), bundled_catalog())
    table = function_docs.HEADER
    assert "a price the catalog does not have" in table and "training_per_1m" in table
