"""The FT_ Excel functions: thin xlwings wrappers around `pricing`, no maths here.

Each function converts its Excel arguments (excel_args), calls the engine and converts the
answer or the problem into cells (excel_errors). One module serves classic xlwings (Windows),
xlwings Lite and xlwings Server; Excel shows the Python name in upper case: ft_payback_months ->
FT_PAYBACK_MONTHS. Arguments follow Excel's own financial functions: required first, optional
last with defaults. Units: USD, token prices in USD per 1M tokens, time in months.

Errors (see excel_errors): #VALUE! bad argument (the message names the argument, the value and
what is allowed); #N/A an unknown model id, or a price the catalog lacks (FT_PRICE, or a
scenario that needs it); #NUM! a figure that does not exist (never pays back). No function is
volatile: FT_RISK draws with a fixed seed (0 by default), so it
recalculates only when its inputs change and gives the same answer every time.

Docs (docs/FUNCTIONS.md, the workbook's Functions sheet) are generated from this module's
metadata by xl_addin.function_docs: edit the docstrings and @arg docs here.
"""

from __future__ import annotations

from typing import Annotated, Any

from xlwings import arg, func

from pricing.model.breakeven import (
    Result,
    breakeven_queries,
    evaluate,
    evaluate_table,
    month_one,
    payback_months,
    query_cost,
    schedule,
)
from pricing.model.currency import (
    convert_bars,
    convert_grid,
    convert_result,
    convert_risk,
    convert_row,
    converted_column,
)
from pricing.model.figures import BY_LABEL, NUMERIC_OUTPUTS, SCENARIO_OUTPUTS, is_money, label, labels
from pricing.model.inputs import BATCH_FALLBACK, CACHED_FALLBACK, token_training_cost
from pricing.model.scenario import (
    FIELDS,
    Scenario,
    ScenarioError,
    field_allowed,
    field_unit,
    make_scenario,
)
from pricing.prices.catalog import DATE_FIELDS, RATE_FIELDS, Catalog, UnknownModelError
from xl_addin import excel_args as xa
from xl_addin.excel_currency import CODE_DOC, FX_DOC, excel_currency
from xl_addin.excel_errors import NA, error_code, excel_errors, figure, figure_column
from xl_addin.scenario_cache import evaluate_figure  # cached per input block

# Under Office.js (xlwings Lite/Server) arguments are taken raw and cleaned in excel_args: the
# default converter spends ~0.15 ms per cell on CPython (xlwings 0.37.8 tries to import pyodide
# for every cell), which made a 10,000-row FT_SCENARIOS take seconds on xlwings Server.
# Classic xlwings keeps its own converter (it turns COM error codes into None).
CELLS = "raw" if func.__module__.endswith("udfs_officejs") else None

# The figures FT_SCENARIO / FT_SCENARIOS can return (Result fields, plus the notes as text), each
# asked for by its name or its label (pricing.model.figures); FT_SENSITIVITY and FT_GRID take the numeric
# ones (pricing.model.risk.OUTPUTS).
OUTPUTS: tuple[str, ...] = SCENARIO_OUTPUTS
SCHEDULE_OUT = ("month", "frontier_cost", "ft_cost", "net_cash_flow", "cumulative_net")
PRICE_FIELDS: tuple[str, ...] = (*RATE_FIELDS, *DATE_FIELDS)

_INPUTS_DOC = (
    "Labelled input block: two columns (label | value) or a row of labels over a row of values."
    " Labels are input names such as queries_per_day, input_tokens, frontier_model."
)


def _declared(doc: str, **options: Any) -> Any:
    """An argument several FT_ functions take, declared once: cells (raw under Office.js, see
    CELLS), options and help; xlwings reads a typing.Annotated hint like an @arg."""
    return Annotated[Any, {"convert": CELLS, **options, "doc": doc}]


Inputs = _declared(_INPUTS_DOC, ndim=2)
UpfrontCost = _declared("One-off cost in $ (training, evaluation, data preparation); see FT_TRAINING_COST.")
FrontierCostPerQuery = _declared("Cost in $ of one query on the frontier model (see FT_QUERY_COST).")
FtTrafficShare = _declared("[optional] Share of queries routed to the fine-tuned model, 0-1. Default 1.")
FixedCostMonth = _declared(
    "[optional] Fixed cost of the fine-tuned model in $ per month (hosting, storage, MLOps). Default 0."
)
DaysPerMonth = _declared("[optional] Days of traffic per month. Default (or 0) 30.")
FxRate = _declared(FX_DOC)
CurrencyCode = _declared(CODE_DOC)


def _output_arg(what: str, default: str, other: str) -> Any:
    """The `output` argument of FT_GRID and FT_SENSITIVITY: a numeric figure by label or name."""
    doc = f"[optional] {what}: {label(default)} (default), {label(other)}, ... (a label or its name)."
    return arg("output", CELLS, doc=doc)


def _catalog() -> Catalog:
    from pricing.prices.store import load_catalog  # the user's price store, else the bundled snapshot

    return load_catalog()


def _scenario(inputs: Any):
    return make_scenario(xa.block(inputs, "inputs"))


def _cell(result: Result, output: str) -> Any:
    if output == "notes":
        return "; ".join(result.notes)
    return figure(getattr(result, output))


def _one(x: Any) -> float:
    """A figure from the engine's formulas on single numbers (a 0-d array) as a Python float."""
    return float(x)


def _query_cost_arg(value: Any, name: str, default: Any = None) -> float:
    kwargs = {} if default is None else {"default": default}
    return xa.number(value, name, maximum=1e6, **kwargs)


# --- one-line questions ---------------------------------------------------------------------


@func
@arg(
    "training_tokens",
    CELLS,
    doc="Tokens in the training set per epoch (examples x tokens per example).",
)
@arg(
    "epochs",
    CELLS,
    doc="Passes over the training set (1-100). Billed tokens = training_tokens x epochs.",
)
@arg("training_per_1m", CELLS, doc="Training price in $ per 1M training tokens.")
@arg(
    "training_runs",
    CELLS,
    doc=("[optional] Training runs until one ships (failed runs, hyper-parameter search). Default 1."),
)
@arg(
    "other_costs",
    CELLS,
    doc="[optional] Other one-off costs in $ (evaluation, data preparation). Default 0.",
)
@excel_errors
def ft_training_cost(training_tokens, epochs, training_per_1m, training_runs=1, other_costs=0):
    """Upfront cost of fine-tuning in $: training_tokens x epochs x training_per_1m / 1M x
    training_runs + other_costs."""
    tokens = xa.number(training_tokens, "training_tokens", **xa.limits("training_tokens"))
    n_epochs = xa.number(epochs, "epochs", **xa.limits("epochs"))
    price = xa.number(training_per_1m, "training_per_1m", **xa.limits("training_per_1m"))
    n_runs = xa.number(training_runs, "training_runs", default=1, zero=True, **xa.limits("training_runs"))
    other = xa.number(other_costs, "other_costs", default=0.0, **xa.limits("other_upfront_cost"))
    # training_tokens = 0: no job is run, nothing is billed (as the engine prices it)
    per_run = token_training_cost(tokens, n_epochs, price) if tokens > 0 else 0.0
    return float(per_run * n_runs + other)


@func
@arg("input_tokens", CELLS, doc="Prompt tokens per query.")
@arg("output_tokens", CELLS, doc="Completion tokens per query.")
@arg("input_price", CELLS, doc="Input price in $ per 1M tokens.")
@arg("output_price", CELLS, doc="Output price in $ per 1M tokens.")
@arg(
    "cached_share",
    CELLS,
    doc="[optional] Share of input tokens billed at the cached rate, 0-1. Default 0.",
)
@arg(
    "cached_price",
    CELLS,
    doc="[optional] Cached-input price in $ per 1M tokens. Default (or 0): 10% of input_price.",
)
@arg(
    "batch_share",
    CELLS,
    doc="[optional] Share of queries sent through the batch API, 0-1. Default 0.",
)
@arg(
    "batch_discount",
    CELLS,
    doc="[optional] Batch discount on both rates, 0-1. Default 0.5 (half price).",
)
@excel_errors
def ft_query_cost(
    input_tokens,
    output_tokens,
    input_price,
    output_price,
    cached_share=0,
    cached_price=None,
    batch_share=0,
    batch_discount=1 - BATCH_FALLBACK,
):
    """Cost in $ of one query: tokens x $/1M rates, with optional prompt caching and batch
    discount."""
    in_price = xa.number(input_price, "input_price", **xa.limits("frontier_input_price"))
    cached_default = in_price * CACHED_FALLBACK
    factor = 1 - xa.number(batch_discount, "batch_discount", default=1 - BATCH_FALLBACK, maximum=1)
    return query_cost(
        xa.number(input_tokens, "input_tokens", **xa.limits("input_tokens")),
        xa.number(output_tokens, "output_tokens", **xa.limits("output_tokens")),
        in_price,
        xa.number(output_price, "output_price", **xa.limits("frontier_output_price")),
        xa.number(
            cached_price,
            "cached_price",
            default=cached_default,
            zero=True,
            **xa.limits("frontier_cached_price"),
        ),
        xa.number(cached_share, "cached_share", default=0.0, maximum=1),
        xa.number(batch_share, "batch_share", default=0.0, maximum=1),
        factor,
        factor,
    )


@func
@arg("queries_per_day", CELLS, doc="Queries per day.")
@arg("ft_cost_per_query", CELLS, doc="Cost in $ of one query on the fine-tuned model.")
@excel_errors
def ft_monthly_savings(
    queries_per_day,
    frontier_cost_per_query: FrontierCostPerQuery,
    ft_cost_per_query,
    ft_traffic_share: FtTrafficShare = 1,
    fixed_cost_month: FixedCostMonth = 0,
    days_per_month: DaysPerMonth = 30,
):
    """Net saving in $ per month: queries x days x ft_traffic_share x (frontier - fine-tuned cost
    per query) - fixed_cost_month."""
    queries = xa.number(queries_per_day, "queries_per_day", **xa.limits("queries_per_day"))
    frontier_q = _query_cost_arg(frontier_cost_per_query, "frontier_cost_per_query")
    ft_q = _query_cost_arg(ft_cost_per_query, "ft_cost_per_query")
    share = xa.number(ft_traffic_share, "ft_traffic_share", default=1.0, maximum=1)
    fixed = xa.number(fixed_cost_month, "fixed_cost_month", default=0.0, **xa.limits("hosting_per_month"))
    days = xa.number(days_per_month, "days_per_month", default=30.0, zero=True, **xa.limits("days_per_month"))
    return _one(month_one(queries * days, share, frontier_q, ft_q, 0.0, 0.0, fixed)[-1])


@func
@arg(
    "net_benefit_month",
    CELLS,
    doc="Net benefit in $ per month (see FT_MONTHLY_SAVINGS). #NUM! if <= 0: never pays back.",
)
@excel_errors
def ft_payback_months(upfront_cost: UpfrontCost, net_benefit_month):
    """Months until the upfront cost is paid back: upfront_cost / net_benefit_month. #NUM! if it
    never pays back."""
    upfront = xa.number(upfront_cost, "upfront_cost", **xa.limits("other_upfront_cost"))
    net = xa.number(net_benefit_month, "net_benefit_month", minimum=-xa.BIG)
    return figure(_one(payback_months(upfront, net)))


@func
@arg(
    "ft_cost_per_query",
    CELLS,
    doc="Cost in $ of one query on the fine-tuned model. #NUM! if not cheaper than frontier.",
)
@arg("lifetime_months", CELLS, doc="Months the fine-tuned model is used before it must be retrained.")
@excel_errors
def ft_breakeven_queries(
    upfront_cost: UpfrontCost,
    frontier_cost_per_query: FrontierCostPerQuery,
    ft_cost_per_query,
    lifetime_months,
    fixed_cost_month: FixedCostMonth = 0,
    days_per_month: DaysPerMonth = 30,
    ft_traffic_share: FtTrafficShare = 1,
):
    """Queries per day at which fine-tuning pays back exactly over its lifetime. #NUM! if it never
    can."""
    upfront = xa.number(upfront_cost, "upfront_cost", **xa.limits("other_upfront_cost"))
    frontier_q = _query_cost_arg(frontier_cost_per_query, "frontier_cost_per_query")
    ft_q = _query_cost_arg(ft_cost_per_query, "ft_cost_per_query")
    life = xa.number(lifetime_months, "lifetime_months", **xa.limits("lifetime_months"))
    fixed = xa.number(fixed_cost_month, "fixed_cost_month", default=0.0, **xa.limits("hosting_per_month"))
    days = xa.number(days_per_month, "days_per_month", default=30.0, zero=True, **xa.limits("days_per_month"))
    share = xa.number(ft_traffic_share, "ft_traffic_share", default=1.0, maximum=1)
    return figure(_one(breakeven_queries(upfront, life, fixed, days, share, frontier_q, ft_q, 0.0)))


# --- whole scenarios from a labelled input block ------------------------------------------


@func
@arg(
    "output",
    CELLS,
    doc=(
        "[optional] Figure to return, e.g. Payback, NPV over the horizon, Verdict (a label or its "
        "name). Omitted: every figure as a two-column list."
    ),
)
@excel_errors
def ft_scenario(inputs: Inputs, output=None, fx_rate: FxRate = None, currency: CurrencyCode = None):
    """A scenario's figure (output) or all figures as field | value rows; model ids fill in
    prices. The Calculator shows an IRR above 1,000% a year as ">1,000%": read payback and NPV."""
    want = xa.choice(output, "output", OUTPUTS, default=None, aliases=BY_LABEL)
    cur = excel_currency(fx_rate, currency)
    if want is not None:  # one figure: only what it needs is computed
        value = evaluate_figure(_scenario(inputs), want, _catalog())
        if want == "notes":
            return cur.notes([value])[0]
        return figure(cur.money(value) if is_money(want) else value)
    result = convert_result(evaluate(_scenario(inputs), _catalog()), cur)
    return [[label(field), _cell(result, field)] for field in OUTPUTS]


@func
@arg(
    "months",
    CELLS,
    doc=("[optional] Months to show after month 0. Default (or 0): the scenario's horizon_months (36)."),
)
@excel_errors
def ft_schedule(inputs: Inputs, months=None, fx_rate: FxRate = None):
    """Month-by-month cash flow (month 0 = upfront): month, frontier cost, FT cost, net cash flow,
    cumulative net."""
    n = xa.number(months, "months", default=None, zero=True, **xa.limits("horizon_months"))
    cur = excel_currency(fx_rate)
    rows = [convert_row(row, cur) for row in schedule(_scenario(inputs), _catalog(), n)]
    return [labels(SCHEDULE_OUT)] + [[row[c] for c in SCHEDULE_OUT] for row in rows]


BASELINE_OUT = (
    "baseline_cost_per_query",
    "baseline_savings_month",
    "savings_vs_baseline_month",
    "breakeven_accuracy_lift",
    "baseline_verdict",
)


@func
@arg(
    "baseline_model",
    CELLS,
    doc="[optional] Catalog id of the cheaper model used prompted, e.g. gpt-4.1-mini. Default: the "
    "block's baseline_model.",
)
@excel_errors
def ft_baseline(inputs: Inputs, baseline_model=None, fx_rate: FxRate = None, currency: CurrencyCode = None):
    """Fine-tuning against switching to a cheaper model without fine-tuning: its savings, the
    verdict against it, the accuracy lift that beats it and which move is better (rows)."""
    values = xa.block(inputs, "inputs")
    if not xa.is_blank(baseline_model):
        values = {**values, "baseline_model": xa.text(baseline_model, "baseline_model")}
    if not values.get("baseline_model"):
        raise ScenarioError("baseline_model", None, "a model id (in the block or as the argument)")
    r = convert_result(evaluate(make_scenario(values), _catalog()), excel_currency(fx_rate, currency))
    better = next((n for n in r.notes if "without fine-tuning" in n), "")
    return [[label(name), figure(getattr(r, name))] for name in BASELINE_OUT] + [["Better move", better]]


@func
@excel_errors
def ft_verdict(inputs: Inputs):
    """The verdict: Don't fine-tune, Marginal, Yes, Strong yes or Mandatory (rules: README)."""
    return evaluate_figure(_scenario(inputs), "verdict", _catalog())


@func
@excel_errors
def ft_npv(inputs: Inputs, fx_rate: FxRate = None):
    """Net present value in $ of fine-tuning over horizon_months at discount_rate_annual. Month 0
    (the upfront cost) is not discounted: Excel's =NPV(r, month 1..n) + month 0."""
    return figure(excel_currency(fx_rate).money(evaluate_figure(_scenario(inputs), "npv", _catalog())))


@func
@arg("inputs", CELLS, ndim=2, doc=_INPUTS_DOC + " Uncertain inputs: see docs/FUNCTIONS.md.")
@arg("draws", CELLS, doc="[optional] Monte Carlo draws, 100-100,000. Default (or 0) 10,000.")
@arg("seed", CELLS, doc="[optional] Random seed; the same seed gives the same answer. Default 0.")
@arg(
    "uncertain",
    CELLS,
    ndim=2,
    doc="[optional] Your uncertain inputs, one per row: input name | low | likely | high (a header "
    "row and blank rows are skipped; an input given twice or a fifth column is an error). Each row "
    "replaces that input's built-in range; the others keep theirs.",
)
@excel_errors
def ft_risk(inputs: Inputs, draws=10_000, seed=0, uncertain=None, fx_rate: FxRate = None):
    """Uncertainty: P10/P50/P90 of payback months and NPV, and the probability of paying back
    within the lifetime. The built-in ranges are centred on the block's own values."""
    n = xa.number(
        draws, "draws", default=_risk().DEFAULT_DRAWS, zero=True, minimum=100, maximum=100_000, integer=True
    )
    s = xa.number(seed, "seed", default=0, maximum=2**32 - 1, integer=True)
    scenario = _scenario(inputs)
    given = xa.ranges_table(uncertain, "uncertain") if uncertain is not None else None
    ranges = _risk().with_defaults(scenario, given, _catalog())  # the user's rows + built-in ones
    cur = excel_currency(fx_rate)
    risk = _risk().monte_carlo(scenario, ranges, n, s, _catalog())
    return _risk_tables().risk_rows(convert_risk(risk, cur))


@func
@arg("x_field", CELLS, doc="Input varied across the columns, e.g. queries_per_day.")
@arg("x_values", CELLS, ndim=2, doc="Its values: a row or column of numbers (blanks skipped).")
@arg("y_field", CELLS, doc="Input varied down the rows, e.g. frontier_price_decline_annual.")
@arg("y_values", CELLS, ndim=2, doc="Its values: a row or column of numbers (blanks skipped).")
@_output_arg("Figure in every cell", "payback_months", "npv")
@excel_errors
def ft_grid(
    inputs: Inputs, x_field, x_values, y_field, y_values, output="payback_months", fx_rate: FxRate = None
):
    """Two-way table (a heat map's data, like Excel's two-variable data table): the output for
    every pair of x and y values, the other inputs as in the block."""
    want = xa.choice(output, "output", NUMERIC_OUTPUTS, default="payback_months", aliases=BY_LABEL)
    x_name = xa.risk_input(x_field, "x_field")
    y_name = xa.risk_input(y_field, "y_field")
    xs = xa.numbers_list(x_values, "x_values")
    ys = xa.numbers_list(y_values, "y_values")
    cur = excel_currency(fx_rate)
    rows = _risk_tables().grid_rows(_scenario(inputs), x_name, xs, y_name, ys, want, _catalog())
    return convert_grid(rows, want, cur)


@func
@_output_arg("Figure to explain", "npv", "payback_months")
@excel_errors
def ft_sensitivity(inputs: Inputs, output="npv", fx_rate: FxRate = None):
    """Tornado: how much each driver moves the output when set to its low and high value, biggest
    first."""
    want = xa.choice(
        output, "output", NUMERIC_OUTPUTS, default=_risk().DEFAULT_TORNADO_OUTPUT, aliases=BY_LABEL
    )
    cur = excel_currency(fx_rate)
    bars = convert_bars(_risk().tornado(_scenario(inputs), None, want, _catalog()), want, cur)
    return _risk_tables().tornado_rows(bars, want)


@func
@arg("inputs", CELLS, ndim=2, doc=_INPUTS_DOC)
@arg(
    "gpu_hourly_price",
    CELLS,
    doc="[optional] $ per GPU-hour of your own GPUs (the own-GPU row only). Default (or 0): the "
    "block's gpu_hourly_price; neither: that row is not priced.",
)
@excel_errors
def ft_serving_modes(inputs, gpu_hourly_price=None):
    """The scenario under each serving mode of its model's vendor: hosted per token, serverless LoRA
    at base price, dedicated GPU-hours, own GPUs (gpu_hourly_price). Cost, net benefit, payback,
    verdict, cheapest marked; not offered says why."""
    from pricing.model.serving_modes import serving_modes, table_rows

    own = xa.number(
        gpu_hourly_price, "gpu_hourly_price", default=None, zero=True, **xa.limits("gpu_hourly_price")
    )
    rows = table_rows(serving_modes(_scenario(inputs), _catalog(), own))
    return [[figure(v) for v in row] for row in rows]


@func
@excel_errors
def ft_inputs():
    """The input names an input block may use, with unit, default and allowed values (spills)."""
    rows: list[list[Any]] = [["input", "unit", "default", "allowed"]]
    for name in FIELDS:
        info = Scenario.model_fields[name]
        default = "required" if info.is_required() else info.default
        rows.append([name, field_unit(name), "" if default is None else default, field_allowed(name)])
    return rows


# --- many scenarios at once ----------------------------------------------------------------


@func
@arg(
    "inputs_table",
    CELLS,
    ndim=2,
    doc=("A header row of input names (queries_per_day, input_tokens, ...) over one row per scenario."),
)
@arg(
    "output",
    CELLS,
    doc="Figure to return for each row, e.g. Payback, NPV over the horizon, Verdict (a label or its name).",
)
@excel_errors
def ft_scenarios(inputs_table, output, fx_rate: FxRate = None, currency: CurrencyCode = None):
    """One figure for every row of a scenario table, in one fast call.
    Bad rows show #VALUE!, #N/A or #NUM!; blank rows stay blank."""
    want = xa.choice(output, "output", OUTPUTS, aliases=BY_LABEL)
    cur = excel_currency(fx_rate, currency)
    # A blank row stays blank, keeping the column aligned with the table.
    columns, filled, n_rows = xa.table_columns(inputs_table, "inputs_table")
    cells: list[Any] = [""] * n_rows
    result = evaluate_table(columns, _catalog(), n=len(filled))
    values = converted_column(result.column(want), want, cur)
    if len(filled) == n_rows and not any(result.errors):  # every row filled and fine: one pass
        return figure_column(values)
    for k, i in enumerate(filled):
        err = result.errors[k]
        cells[i] = error_code(err) if err is not None else figure(values[k])
    return [[c] for c in cells]


# --- the price catalog ---------------------------------------------------------------------


@func
@arg(
    "model",
    CELLS,
    doc=("Catalog model id, e.g. gpt-4.1-mini or claude-sonnet-4-6 (FT_MODELS lists them). #N/A if unknown."),
)
@arg(
    "field",
    CELLS,
    doc=(
        "Rate: input, output, cached_input, batch_input, batch_output, ft_input, ft_output, "
        "training_per_1m, hosting_per_hour, ..."
    ),
)
@arg(
    "as_of",
    CELLS,
    doc=(
        "[optional] A date: the rate in force then, from the LiteLLM registry history (since"
        " 2023; published input, output, cached and batch rates). Default: today's catalog."
    ),
)
@excel_errors
def ft_price(model, field, as_of=None):
    """A catalog price in $ per 1M tokens (hourly/monthly rates in $), today or on a past date.
    #N/A: unknown model (see FT_MODEL_CHECK) or no such rate on that date."""
    want = xa.choice(field, "field", PRICE_FIELDS)
    catalog = _catalog()
    name = xa.text(model, "model")
    when = xa.single(as_of, "as_of")
    if xa.is_blank(when):
        value = getattr(catalog.get(name), want)
    else:
        from pricing.prices.history import price_on
        from pricing.prices.history_store import load_history

        value = price_on(catalog, load_history(), name, want, xa.excel_date(when, "as_of"))
    return NA if value is None else value


@func
@arg("model", CELLS, doc="A model id to check, e.g. gpt-4.1-mini.")
@excel_errors
def ft_model_check(model):
    """The catalog id a model name resolves to, or a text naming the closest known ids when it is
    unknown."""
    wanted = xa.text(model, "model")
    try:
        return _catalog().get(wanted).id
    except UnknownModelError as exc:
        return str(exc)


@func
@arg(
    "vendor",
    CELLS,
    doc="[optional] Only this vendor's models, e.g. OpenAI, Anthropic, Google. Default: all.",
)
@excel_errors
def ft_models(vendor=None):
    """The catalog's model ids as a column (spills), optionally for one vendor only."""
    catalog = _catalog()
    vendors = sorted({m.vendor for m in catalog.models})
    who = xa.choice(vendor, "vendor", vendors, default=None)
    return [[model_id] for model_id in catalog.ids(who)]


@func
@excel_errors
def ft_prices_as_of():
    """Date of the price catalog in use (bundled snapshot or your last refresh): an Excel date."""
    return _catalog().as_of


def _risk() -> Any:
    """pricing.model.risk, imported late: numpy's random machinery loads only when a risk function runs."""
    from pricing.model import risk

    return risk


def _risk_tables() -> Any:
    from pricing.model import risk_tables

    return risk_tables


# --- helpers for the risk module's results ---------------------------------------------------
