"""Cash flow sheet: the engine's calculation as native spreadsheet formulas, step by step.

Every step of pricing.model's breakeven / inputs / serving / finance for the
Calculator's input block, in the portable function set (INDEX/MATCH, IF, IFERROR, MIN, MAX,
INT, SUM, COUNT, NPV, IRR: Excel 2010+, LibreOffice, Google Sheets, the `formulas` package):

- column C, top to bottom: each input as the engine resolves it (defaults, catalog look-ups on
  the Pricing sheet, the batch and cached fall-backs, GPU-hour serving, the lifetime cut by
  shutdown dates), the per-query costs, the month-1 figures and the answers;
- columns F:T: one row per month 0..MAX_MONTHS, one formula per column, blank past the
  horizon: queries, price paths, costs, the upfront and each retrain, net and cumulative flows,
  discounted flows.

The answers carry the names of pricing.model.breakeven.Result's fields (`ANSWERS`); in the file for
people without the add-in the Calculator shows them, in the add-in files the Audit sheet sets
them beside the FT_ figures. `write_chain` also lays the same chain out on any sheet, reading
its inputs from any cells (the tests check many scenarios in one workbook that way).
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from pricing.model import breakeven as be
from pricing.model.figures import figure, in_words, is_money
from pricing.model.finance import IRR_HIGH, IRR_LOW
from pricing.model.inputs import BATCH_FALLBACK, CACHED_FALLBACK, DAYS_PER_MONTH_AVG, SEED_MLOPS_FTE
from pricing.model.scenario import Scenario
from pricing.model.serving import SECONDS_PER_DAY, THROUGHPUT_TOKENS_X_PARAMS_B
from pricing.prices.catalog import HOURS_PER_MONTH, TOKENS_PER_MILLION
from workbook import styles
from workbook.fields import label as input_label
from workbook.sheets import cashflow_billing, pricing

SHEET = "Cash flow"
TITLE = "Cash flow: the whole calculation in native formulas, one step per row, one month per row"
SUBTITLE = (
    "Reads the Calculator's inputs and the Pricing sheet; every figure equals the engine's "
    "(pricing.model.breakeven). Month 0 is the upfront; a retrain is paid at the end of each "
    "lifetime; rows past the horizon stay blank."
)
REF = f"'{SHEET}'"
MAX_MONTHS = 120  # months laid out; a longer horizon says so instead of answering
FMT_MONTHS_OR_NEVER = '[>=1E+299]"never";#,##0.0'  # FOREVER shows as "never"
NEVER_KEYS = {"service_months", "succ_cap", "succ_end", "last_retrain", "succ_last_retrain", "forever"}
TRUE_FALSE_KEYS = {"gpu_on", "succ_on", "flows_known", "has_baseline", "latency_driven"}
NA = "n/a"  # a figure that does not exist (never pays back, no IRR): the engine's None
# Guesses for the native IRR, tried in turn: Excel's and LibreOffice's IRR run Newton's method
# from the guess, which finds no root, or another root, from a bad start.
IRR_GUESSES = (
    "0",
    "payback",
    "-0.1",
    "-0.2",
    "-0.3",
    "-0.4",
    "-0.5",
    "-0.6",
    "-0.7",
    "-0.8",
    "-0.9",
    "-0.95",
    "-0.99",
)
FOREVER = "{forever}"  # "never" for months (the engine's infinity)
FOREVER_TEXT = "1E+300: never stops"
STEP_TOP = 4  # header row of the step-by-step block (columns A:D)
TABLE_COL = 6  # column F
STEP_WIDTH = 62  # characters of column A, the steps' texts

# The figures of pricing.model.breakeven.Result this chain computes: all of them, in the same order
ANSWERS: tuple[str, ...] = be.HEADLINE_FIELDS


# Excel reserves the names of worksheet functions for defined names (Microsoft KB Q111393), and
# formulon (an Excel 365 engine) lets a name `npv` shadow NPV(): these figures' names get a suffix.
FUNCTION_NAMES = {"npv", "mode"}


def defined_name(figure: str) -> str:
    """The workbook-level name of a figure's answer cell: its Result field name."""
    return f"{figure}_figure" if figure in FUNCTION_NAMES else figure


def _default(field: str):
    d = Scenario.model_fields[field].default
    return d if isinstance(d, (int, float)) and not isinstance(d, bool) else None


# steps holding each model's row on the Pricing sheet (filled in by write_chain)
FR_ROW, FT_ROW, BASE_ROW, SUCC_ROW = "{fr_row}", "{ft_row}", "{base_row}", "{succ_row}"


def _price(row: str, field: str) -> str:
    """A catalog value on the Pricing sheet, row `row` of its table (a step holding the model's
    MATCH), or "" (no model, no such rate). One column, not the whole table: the `formulas`
    package copies the whole range for every INDEX, and this chain has about a hundred."""
    col = pricing.col_letter(field)
    x = f"INDEX({pricing.SHEET}!${col}${pricing.FIRST_ROW}:${col}${pricing.LAST_ROW},{row})"
    return f'IFERROR(IF({x}="","",{x}),"")'


# (key, label, value, format) of the constants the formulas use (no number is typed into a formula)
CONSTANTS: tuple[tuple[str, str, float, str], ...] = (
    ("days_per_month_avg", "days in an average month (365.25 / 12)", DAYS_PER_MONTH_AVG, "0.0000"),
    ("hours_per_month", "hours billed per month (8,760 / 12)", HOURS_PER_MONTH, "0"),
    ("seconds_per_day", "seconds per day", SECONDS_PER_DAY, "#,##0"),
    (
        "throughput_x_params",
        "GPU tokens/s x billion parameters (MLPerf v5.1, pricing/model/serving.py)",
        THROUGHPUT_TOKENS_X_PARAMS_B,
        "#,##0",
    ),
    (
        "cached_fallback",
        "cached input rate when none is published: share of input",
        CACHED_FALLBACK,
        styles.FMT_PCT,
    ),
    (
        "batch_fallback",
        "batch rate when none is published: share of standard",
        BATCH_FALLBACK,
        styles.FMT_PCT,
    ),
    ("seed_mlops_fte", "MLOps engineers the seed budgets (verdict_with_mlops)", SEED_MLOPS_FTE, "0.0#"),
    ("mandatory_payback", "Mandatory: payback at most (months)", be.MANDATORY_PAYBACK_MONTHS, "0.0"),
    ("mandatory_net", "Mandatory: net benefit at least ($/month)", be.MANDATORY_NET_MONTH, styles.FMT_USD),
    (
        "strong_yes_share",
        "Strong yes: payback within this share of the lifetime",
        be.STRONG_YES_SHARE,
        styles.FMT_PCT,
    ),
    ("yes_share", "Yes: payback within this share of the lifetime", be.YES_SHARE, styles.FMT_PCT),
    ("eps", "rounding guard (the engine's 1e-9 on month counts)", 1e-9, "0.0E+00"),
    ("forever", "never (months): the engine's infinity", 1e300, "0.0E+00"),
    ("max_months", "months laid out on this sheet", MAX_MONTHS, "0"),
    ("irr_step", "IRR check: the NPV must change sign within this relative step", 1e-8, "0.0E+00"),
    ("irr_guess_max", "IRR guess from payback at most (monthly)", 10, "0"),
    ("irr_low", "IRR searched from (monthly; pricing/model/finance.py)", IRR_LOW, "0.00%"),
    ("irr_high", "IRR searched up to (monthly)", IRR_HIGH, "#,##0"),
)


def steps(inp: Callable[[str], str]) -> list[tuple[str, str, str | float, str, float | None]]:
    """(key, label, formula, format) of the step-by-step block; formulas name other steps as
    {key}, filled in by `write_chain` with the cell that holds them."""
    rows: list[tuple[str, str, str | float, str, float | None]] = []

    def add(key: str, label: str, formula: str | float, fmt: str = styles.FMT_NUM, default=None) -> None:
        rows.append((key, label, formula, fmt, default))

    def section(title: str) -> None:
        rows.append(("", title, "", "", None))

    section("The engine's constants (pricing/*.py): typed here once, read by the formulas below")
    for key, label, value, fmt in CONSTANTS:
        add(key, label, value, fmt)
    section("Inputs as the engine reads them (blank = the default in column D)")
    plain = (
        ("queries_per_day", styles.FMT_INT),
        ("days_per_month", "0.##"),
        ("volume_growth_monthly", styles.FMT_PCT),
        ("input_tokens", styles.FMT_INT),
        ("output_tokens", styles.FMT_INT),
        ("cached_share", styles.FMT_PCT),
        ("batch_share", styles.FMT_PCT),
        ("ft_traffic_share", styles.FMT_PCT),
        ("accuracy_lift", styles.FMT_PCT),
        ("value_per_correct", styles.FMT_USD2),
        ("epochs", "0.##"),
        ("training_runs", "0.##"),
        ("eval_cost", styles.FMT_USD),
        ("data_prep_cost", styles.FMT_USD),
        ("other_upfront_cost", styles.FMT_USD),
        ("mlops_fte", "0.0#"),
        ("engineer_annual_cost", styles.FMT_USD),
        ("peak_to_average", "0.##"),
        ("gpu_uptime_share", styles.FMT_PCT),
        ("gpus_min", "0"),
        ("lifetime_months", styles.FMT_MONTHS),
        ("retrain_cost_share", styles.FMT_PCT),
        ("discount_rate_annual", styles.FMT_PCT),
        ("frontier_price_decline_annual", styles.FMT_PCT),
        ("frontier_price_cut", styles.FMT_PCT),
        ("ft_price_decline_annual", styles.FMT_PCT),
        ("horizon_months", "0"),
    )
    for f, fmt in plain:
        d = _default(f)
        x = inp(f)
        key = "lifetime_months_plan" if f == "lifetime_months" else f  # the plan, before the cut
        add(key, input_label(f), f'IF({x}="",{{@default}},{x})' if d is not None else x, fmt, default=d)
    cashflow_billing.input_steps(add, inp, styles.FMT_PCT)
    for f, base in (("ft_input_tokens", "input_tokens"), ("ft_output_tokens", "output_tokens")):
        add(f, input_label(f), f'IF({inp(f)}="",{{{base}}},{inp(f)})', styles.FMT_INT)
    cm = inp("frontier_price_cut_month")
    add(
        "cut_first_month",
        "first month of the one-off cut (0: none)",
        f'IF({cm}="",0,MAX(1,-INT(-{cm})))',
        "0",
    )
    sd = inp("start_date")
    add(
        "start_date",
        input_label("start_date"),
        f'IF({sd}="",TODAY(),{sd})',
        styles.FMT_DATE,
    )

    section("Rates ($/1M tokens): the Calculator's, else the catalog's fall-backs (pricing/model/inputs.py)")
    for key, model in (
        ("fr_row", "frontier_model"),
        ("ft_row", "ft_model"),
        ("base_row", "baseline_model"),
        ("succ_row", "successor_ft_model"),
    ):
        add(key, f"row of {model} on the Pricing sheet", f'IFERROR(MATCH({inp(model)},PricingIds,0),"")', "0")
    add("frontier_input", "frontier input", inp("frontier_input_price"), styles.FMT_RATE)
    add("frontier_output", "frontier output", inp("frontier_output_price"), styles.FMT_RATE)
    x = inp("frontier_cached_price")
    add(
        "frontier_cached",
        f"frontier cached input (blank: {CACHED_FALLBACK:.0%} of input)",
        f'IF({x}="",{{frontier_input}}*{{cached_fallback}},{x})',
        styles.FMT_RATE,
    )

    def factor(batch: str, base: str) -> str:
        known = f"AND(ISNUMBER({batch}),ISNUMBER({base}))"
        return f"IF({known},IF({base}<>0,{batch}/{base},{{batch_fallback}}),{{batch_fallback}})"

    add(
        "frontier_batch_in",
        f"frontier batch input / input (catalog; else {BATCH_FALLBACK:g})",
        factor(_price(FR_ROW, "batch_input"), _price(FR_ROW, "input")),
        "0.####",
    )
    add(
        "frontier_batch_out",
        "frontier batch output / output",
        factor(_price(FR_ROW, "batch_output"), _price(FR_ROW, "output")),
        "0.####",
    )
    cashflow_billing.factor_steps(add, _price, "frontier", FR_ROW)
    add("cat_ft_input", "catalog: fine-tuned input rate", _price(FT_ROW, "ft_input"), styles.FMT_RATE)
    add(
        "cat_ft_batch_input",
        "catalog: fine-tuned batch input",
        _price(FT_ROW, "ft_batch_input"),
        styles.FMT_RATE,
    )
    add(
        "cat_ft_batch_output",
        "catalog: fine-tuned batch output",
        _price(FT_ROW, "ft_batch_output"),
        styles.FMT_RATE,
    )
    own = "ISNUMBER({cat_ft_input})"  # the vendor publishes fine-tuned rates: their batch / theirs
    in_base = f"IF({own},{{cat_ft_input}},{_price(FT_ROW, 'input')})"
    out_base = f"IF({own},{_price(FT_ROW, 'ft_output')},{_price(FT_ROW, 'output')})"
    bi = f"IF(N({{cat_ft_batch_input}})<>0,{{cat_ft_batch_input}},{_price(FT_ROW, 'batch_input')})"
    bo = f"IF(N({{cat_ft_batch_output}})<>0,{{cat_ft_batch_output}},{_price(FT_ROW, 'batch_output')})"
    add("ft_batch_in", "fine-tuned batch input / input", factor(bi, in_base), "0.####")
    add("ft_batch_out", "fine-tuned batch output / output", factor(bo, out_base), "0.####")

    section("Serving the fine-tuned model on GPUs by the hour (pricing/model/serving.py)")
    add(
        "cat_gpu_hourly",
        "catalog: $/GPU-hour of its dedicated deployment",
        _price(FT_ROW, "serving_gpu_hourly"),
        styles.FMT_USD2,
    )
    gh, host = inp("gpu_hourly_price"), inp("hosting_per_month")
    add(
        "gpu_on",
        "served on GPUs? (a GPU rate, and no hosting given)",
        f'AND({host}="",OR(ISNUMBER({gh}),ISNUMBER({{cat_gpu_hourly}})))',
    )
    add("gpu_hourly", "$/GPU-hour", f'IF({gh}<>"",{gh},{{cat_gpu_hourly}})', styles.FMT_USD2)
    tps = inp("gpu_tokens_per_second")
    add(
        "gpu_tps",
        f"tokens/s one GPU serves (blank: {THROUGHPUT_TOKENS_X_PARAMS_B:,.0f} / billion parameters)",
        f'IF({tps}<>"",{tps},IFERROR({{throughput_x_params}}/{_price(FT_ROW, "params_b")},""))',
        styles.FMT_INT,
    )
    peak = (
        "{queries_per_day}*{ft_traffic_share}*({ft_input_tokens}+{ft_output_tokens})"
        "/{seconds_per_day}*{peak_to_average}"
    )
    add(
        "gpus",
        "GPUs for the month-1 peak (at least gpus_min)",
        f"MAX({{gpus_min}},IF(ISNUMBER({{gpu_tps}}),-INT(-({peak}/{{gpu_tps}}-{{eps}})),0))",
        "0",
    )
    add(
        "gpu_cost",
        f"GPU serving per month (x {HOURS_PER_MONTH} h x uptime)",
        "IF({gpu_on},{gpus}*{hours_per_month}*{gpu_uptime_share}*{gpu_hourly},0)",
        styles.FMT_USD,
    )
    for key, field in (("ft_input", "ft_input_price"), ("ft_output", "ft_output_price")):
        x = inp(field)
        add(
            key,
            f"fine-tuned {key[3:]} (GPU-served: 0 unless given)",
            f'IF({x}<>"",{x},IF({{gpu_on}},0,NA()))',
            styles.FMT_RATE,
        )
    x = inp("ft_cached_price")
    add(
        "ft_cached",
        "fine-tuned cached input (blank: 0 on GPUs, else 10% of input)",
        f'IF({x}<>"",{x},IF({{gpu_on}},0,{{ft_input}}*{{cached_fallback}}))',
        styles.FMT_RATE,
    )

    section("Fixed costs per month and the upfront")
    st = inp("storage_per_month")
    add(
        "hosting",
        "hosting (given, else GPU serving)",
        f'IF({host}<>"",{host},IF({{gpu_on}},{{gpu_cost}},0))',
        styles.FMT_USD,
    )
    add("storage", "storage", f'IF({st}<>"",{st},0)', styles.FMT_USD)
    add(
        "fixed",
        "fixed cost per month: hosting + storage + MLOps",
        "{hosting}+{storage}+{mlops_fte}*{engineer_annual_cost}/12",
        styles.FMT_USD,
    )
    tt, ex, tpe, hours = (
        inp("training_tokens"),
        inp("training_examples"),
        inp("tokens_per_example"),
        inp("training_hours"),
    )
    add(
        "train_tokens",
        "training tokens per epoch (or examples x tokens)",
        f'IF({tt}<>"",{tt},IF(AND({ex}<>"",{tpe}<>""),{ex}*{tpe},""))',
        styles.FMT_INT,
    )
    price = inp("training_per_1m")
    run = (
        f'IF({hours}<>"",{hours}*{_price(FT_ROW, "training_per_hour")},'
        f"IF(N({{train_tokens}})>0,{{train_tokens}}*{{epochs}}*{price}/{TOKENS_PER_MILLION},0))"
    )
    add(
        "per_run",
        "cost of one training run (at least the minimum job charge)",
        f'IF(OR({hours}<>"",N({{train_tokens}})>0),MAX({run},N({_price(FT_ROW, "min_job_charge")})),0)',
        styles.FMT_USD,
    )
    add("training_cost", "training cost: per run x runs", "{per_run}*{training_runs}", styles.FMT_USD)
    add(
        "upfront_cost",
        "upfront: training + eval + data prep + other",
        "{training_cost}+{eval_cost}+{data_prep_cost}+{other_upfront_cost}",
        styles.FMT_USD,
    )

    section("Lifetime and service: the plan, cut by the fine-tuned model's shutdown dates")
    jobs, shut, dep = (
        _price(FT_ROW, "jobs_available_until"),
        _price(FT_ROW, "shutdown_date"),
        _price(FT_ROW, "deprecation_date"),
    )
    add("shutdown_date", "catalog: fine-tuned model's shutdown date", shut, styles.FMT_DATE)
    add("deprecation_date", "catalog: its retirement (deprecation) date", dep, styles.FMT_DATE)
    add("jobs_until", "catalog: its vendor takes fine-tuning jobs until", jobs, styles.FMT_DATE)
    ends = "{shutdown_date},{deprecation_date}"
    add(
        "end_date",
        "the earlier of shutdown and retirement (blank: none)",
        f'IF(COUNT({ends})=0,"",MIN({ends}))',
        styles.FMT_DATE,
    )
    month_days = "{days_per_month_avg}"
    add(
        "lifetime_months",
        f"lifetime months: the plan, at most to that date (days / {DAYS_PER_MONTH_AVG:.4f}); "
        "#N/A: no lifetime left (the engine refuses)",
        "IF(OR(AND(ISNUMBER({jobs_until}),{start_date}>N({jobs_until})),"
        "AND(ISNUMBER({end_date}),N({end_date})<={start_date})),NA(),"
        f'IF({{end_date}}="",{{lifetime_months_plan}},MIN({{lifetime_months_plan}},({{end_date}}-{{start_date}})/{month_days})))',
        styles.FMT_MONTHS,
    )
    add(
        "retrain_blocked",
        "month of the first retrain after the vendor stops taking jobs (blank: none)",
        f"IF(AND(ISNUMBER({{jobs_until}}),{{lifetime_months}}>0),"
        f'MAX(0,(INT(({{jobs_until}}-{{start_date}})/{month_days}/{{lifetime_months}})+1)*{{lifetime_months}}),"")',
        styles.FMT_MONTHS,
    )
    add(
        "service_months",
        "months it serves: to the end date or that retrain; then traffic returns to frontier "
        f"({FOREVER_TEXT})",
        f'IF({{lifetime_months}}<=0,0,MIN(IF({{end_date}}="",{FOREVER},({{end_date}}-{{start_date}})/{month_days}),'
        f'IF({{retrain_blocked}}="",{FOREVER},{{retrain_blocked}})))',
        styles.FMT_MONTHS,
    )
    add(
        "last_retrain",
        "retrains it can still get while it serves",
        f"IF(AND({{service_months}}<{FOREVER},{{lifetime_months}}>0),"
        f"MAX(-INT(-({{service_months}}/{{lifetime_months}}-{{eps}}))-1,0),{FOREVER})",
        "0",
    )
    fl, tl, budget = inp("frontier_latency_ms"), inp("ft_latency_ms"), inp("latency_budget_ms")
    add(
        "latency_driven",
        "latency-driven? (only the fine-tuned model meets the budget)",
        f"IF(AND(ISNUMBER({tl}),ISNUMBER({budget}),ISNUMBER({fl})),AND({tl}<={budget},{fl}>{budget}),FALSE)",
    )

    section("The successor (successor_ft_model): fine-tuned when the model stops serving; blank: none")
    n = inp("successor_ft_model")
    add(
        "succ_cat_ft_input",
        "catalog: successor's fine-tuned input rate",
        _price(SUCC_ROW, "ft_input"),
        styles.FMT_RATE,
    )
    s_own = "ISNUMBER({succ_cat_ft_input})"
    add(
        "succ_input",
        "successor input rate (its fine-tuned rate, else its base rate)",
        f"IF({s_own},{{succ_cat_ft_input}},{_price(SUCC_ROW, 'input')})",
        styles.FMT_RATE,
    )
    add(
        "succ_output",
        "successor output rate",
        f"IF({s_own},{_price(SUCC_ROW, 'ft_output')},{_price(SUCC_ROW, 'output')})",
        styles.FMT_RATE,
    )
    s_ft_cached = _price(SUCC_ROW, "ft_cached_input")
    s_cached = f"IF(ISNUMBER({s_ft_cached}),{s_ft_cached},{_price(SUCC_ROW, 'cached_input')})"
    add(
        "succ_cached",
        "successor cached input (catalog, else 10% of input)",
        f'IF(ISNUMBER({s_cached}),{s_cached},IF(ISNUMBER({{succ_input}}),{{succ_input}}*{{cached_fallback}},""))',
        styles.FMT_RATE,
    )
    s_in_base = f"IF({s_own},{{succ_cat_ft_input}},{_price(SUCC_ROW, 'input')})"
    s_out_base = f"IF({s_own},{_price(SUCC_ROW, 'ft_output')},{_price(SUCC_ROW, 'output')})"
    s_ft_bi, s_ft_bo = _price(SUCC_ROW, "ft_batch_input"), _price(SUCC_ROW, "ft_batch_output")
    s_bi = f"IF(N({s_ft_bi})<>0,{s_ft_bi},{_price(SUCC_ROW, 'batch_input')})"
    s_bo = f"IF(N({s_ft_bo})<>0,{s_ft_bo},{_price(SUCC_ROW, 'batch_output')})"
    add("succ_batch_in", "successor batch input / input", factor(s_bi, s_in_base), "0.####")
    add("succ_batch_out", "successor batch output / output", factor(s_bo, s_out_base), "0.####")
    add(
        "succ_shutdown",
        "catalog: successor's shutdown date",
        _price(SUCC_ROW, "shutdown_date"),
        styles.FMT_DATE,
    )
    add(
        "succ_deprecation",
        "catalog: successor's retirement date",
        _price(SUCC_ROW, "deprecation_date"),
        styles.FMT_DATE,
    )
    add(
        "succ_jobs_until",
        "catalog: its vendor takes jobs until",
        _price(SUCC_ROW, "jobs_available_until"),
        styles.FMT_DATE,
    )
    s_ends = "{succ_shutdown},{succ_deprecation}"
    add(
        "succ_end_date",
        "the successor's earlier end date (blank: none)",
        f'IF(COUNT({s_ends})=0,"",MIN({s_ends}))',
        styles.FMT_DATE,
    )
    add(
        "succ_cap",
        "months from the start until the successor ends; #N/A: it cannot be tuned (the engine refuses)",
        f'IF({n}="",{FOREVER},IF(OR(AND(ISNUMBER({{succ_jobs_until}}),{{start_date}}>N({{succ_jobs_until}})),'
        f"AND(ISNUMBER({{succ_end_date}}),N({{succ_end_date}})<={{start_date}})),NA(),"
        f'IF({{succ_end_date}}="",{FOREVER},({{succ_end_date}}-{{start_date}})/{{days_per_month_avg}})))',
        styles.FMT_MONTHS,
    )
    s_hours = _price(SUCC_ROW, "hosting_per_hour")
    s_month = _price(SUCC_ROW, "hosting_per_month")
    add(
        "succ_fixed",
        f"successor fixed cost per month: catalog hosting (hourly x {HOURS_PER_MONTH}) + storage + MLOps",
        f"IF(ISNUMBER({s_month}),{s_month},IF(ISNUMBER({s_hours}),{s_hours}*{{hours_per_month}},0))"
        f"+N({_price(SUCC_ROW, 'storage_per_month')})+{{mlops_fte}}*{{engineer_annual_cost}}/12",
        styles.FMT_USD,
    )
    s_run = (
        f'IF({hours}<>"",{hours}*{_price(SUCC_ROW, "training_per_hour")},'
        f"IF(N({{train_tokens}})>0,"
        f"{{train_tokens}}*{{epochs}}*{_price(SUCC_ROW, 'training_per_1m')}/{TOKENS_PER_MILLION},0))"
    )
    # the rate its training is billed at (by the hour or by the token) may be missing: no cost
    s_unpriced = (
        f'IF({hours}<>"",NOT(ISNUMBER({_price(SUCC_ROW, "training_per_hour")})),'
        f"AND(N({{train_tokens}})>0,NOT(ISNUMBER({_price(SUCC_ROW, 'training_per_1m')}))))"
    )
    add(
        "succ_upfront",
        f"successor's training (its own rate, the same data) + the one-off costs again "
        f"({NA}: no training rate)",
        f'IF(ISNUMBER({{succ_input}}),IF({s_unpriced},"{NA}",IF(OR({hours}<>"",N({{train_tokens}})>0),'
        f"MAX({s_run},N({_price(SUCC_ROW, 'min_job_charge')})),0)*{{training_runs}}"
        "+{eval_cost}+{data_prep_cost}+{other_upfront_cost}),0)",
        styles.FMT_USD,
    )
    add(
        "succ_on",
        "a successor takes over? (rates known, the model stops serving within forever)",
        f"AND(ISNUMBER({{succ_input}}),{{service_months}}<{FOREVER},{{service_months}}>0,"
        "MIN({lifetime_months_plan},{succ_cap}-{service_months})>0)",
    )
    add(
        "flows_known",
        "every monthly flow has a price? (not when a successor without a training rate takes over)",
        "NOT(AND({succ_on},{service_months}<{horizon_months},NOT(ISNUMBER({succ_upfront}))))",
    )
    add(
        "succ_life",
        "successor lifetime: the plan, at most to its end",
        'IF({succ_on},MIN({lifetime_months_plan},{succ_cap}-{service_months}),"")',
        styles.FMT_MONTHS,
    )
    s_jobs = "({succ_jobs_until}-{start_date})/{days_per_month_avg}-{service_months}"
    s_blocked = (
        f"IF(ISNUMBER({{succ_jobs_until}}),MAX(0,(INT(({s_jobs})/{{succ_life}})+1)*{{succ_life}}),{FOREVER})"
    )
    add(
        "succ_end",
        "month the successor stops serving (then traffic returns to frontier)",
        f"IF({{succ_on}},{{service_months}}+MIN({{succ_cap}}-{{service_months}},{s_blocked}),{{service_months}})",
        styles.FMT_MONTHS,
    )
    add(
        "succ_last_retrain",
        "retrains the successor can get",
        f"IF(AND({{succ_on}},{{succ_end}}<{FOREVER}),MAX(-INT(-(({{succ_end}}-{{service_months}})/{{succ_life}}-{{eps}}))-1,0),{FOREVER})",
        "0",
    )

    section("Cost per query (USD): input at the cached mix, batch share at batch rates")

    def query_cost(tin: str, tout: str, p: str) -> str:
        if p in ("frontier", "baseline"):  # the prompted models: billed with the vendor's options
            return cashflow_billing.billed_query_cost(tin, tout, p)
        rate = f"((1-{{cached_share}})*{{{p}_input}}+{{cached_share}}*{{{p}_cached}})"
        std = f"({{{tin}}}*{rate}+{{{tout}}}*{{{p}_output}})/{TOKENS_PER_MILLION}"
        batch = f"{{{tin}}}*{rate}*{{{p}_batch_in}}+{{{tout}}}*{{{p}_output}}*{{{p}_batch_out}}"
        bat = f"({batch})/{TOKENS_PER_MILLION}"
        return f"(1-{{batch_share}})*{std}+{{batch_share}}*{bat}"

    add(
        "frontier_list_q",
        "frontier, list prices",
        query_cost("input_tokens", "output_tokens", "frontier"),
        styles.FMT_USD_QUERY,
    )
    add(
        "frontier_cost_per_query",
        "frontier, month 1 (the one-off cut if it starts in month 1)",
        "{frontier_list_q}*IF({cut_first_month}=1,1-{frontier_price_cut},1)",
        styles.FMT_USD_QUERY,
    )
    add(
        "ft_cost_per_query",
        "fine-tuned",
        query_cost("ft_input_tokens", "ft_output_tokens", "ft"),
        styles.FMT_USD_QUERY,
    )
    add(
        "succ_cost_per_query",
        "successor (when one takes over)",
        f"IF({{succ_on}},{query_cost('ft_input_tokens', 'ft_output_tokens', 'succ')},0)",
        styles.FMT_USD_QUERY,
    )

    section("Month 1 (README: payback uses these flat figures)")
    q1 = "{queries_per_day}*{days_per_month}"
    add("frontier_cost_month", "frontier cost per month", f"{q1}*{{frontier_cost_per_query}}", styles.FMT_USD)
    add(
        "ft_cost_month",
        "cost with fine-tuning per month (routed share fine-tuned, the rest frontier)",
        f"{q1}*({{ft_traffic_share}}*{{ft_cost_per_query}}+(1-{{ft_traffic_share}})*{{frontier_cost_per_query}})",
        styles.FMT_USD,
    )
    add(
        "inference_savings_month",
        "inference savings",
        "{frontier_cost_month}-{ft_cost_month}",
        styles.FMT_USD,
    )
    add(
        "quality_value_month",
        "value of the accuracy lift",
        f"{q1}*{{ft_traffic_share}}*{{accuracy_lift}}*{{value_per_correct}}",
        styles.FMT_USD,
    )
    add("fixed_cost_month", "fixed running cost", "{fixed}", styles.FMT_USD)
    add(
        "net_benefit_month",
        "net benefit",
        "{inference_savings_month}+{quality_value_month}-{fixed_cost_month}",
        styles.FMT_USD,
    )

    section("Against the cheaper model prompted (baseline_model; blank: none)")
    for key, field, cat in (
        ("baseline_input", "baseline_input_price", "input"),
        ("baseline_output", "baseline_output_price", "output"),
    ):
        x = inp(field)
        add(key, f"baseline {cat} rate", f'IF({x}<>"",{x},{_price(BASE_ROW, cat)})', styles.FMT_RATE)
    cached = _price(BASE_ROW, "cached_input")
    add(
        "baseline_cached",
        "baseline cached input (catalog, else 10% of input)",
        f'IF(ISNUMBER({cached}),{cached},IF(ISNUMBER({{baseline_input}}),{{baseline_input}}*{{cached_fallback}},""))',
        styles.FMT_RATE,
    )
    add(
        "baseline_batch_in",
        "baseline batch input / input",
        factor(_price(BASE_ROW, "batch_input"), _price(BASE_ROW, "input")),
        "0.####",
    )
    add(
        "baseline_batch_out",
        "baseline batch output / output",
        factor(_price(BASE_ROW, "batch_output"), _price(BASE_ROW, "output")),
        "0.####",
    )
    cashflow_billing.factor_steps(add, _price, "baseline", BASE_ROW, f'{inp("baseline_model")}<>""')
    add(
        "has_baseline",
        "a baseline with both rates?",
        "AND(ISNUMBER({baseline_input}),ISNUMBER({baseline_output}))",
    )
    add(
        "baseline_cost_per_query",
        "baseline cost per query",
        f'IF({{has_baseline}},{query_cost("input_tokens", "output_tokens", "baseline")},"{NA}")',
        styles.FMT_USD_QUERY,
    )
    add(
        "baseline_savings_month",
        "baseline_savings_month: switching to it instead (against frontier)",
        f'IF({{has_baseline}},{q1}*{{ft_traffic_share}}*({{frontier_cost_per_query}}-{{baseline_cost_per_query}}),"{NA}")',
        styles.FMT_USD,
    )
    add(
        "savings_vs_baseline_month",
        "savings_vs_baseline_month: fine-tuning's inference saving against it",
        f'IF({{has_baseline}},{q1}*({{ft_traffic_share}}*{{baseline_cost_per_query}}+(1-{{ft_traffic_share}})*{{frontier_cost_per_query}})-{{ft_cost_month}},"{NA}")',
        styles.FMT_USD,
    )
    add(
        "net_vs_baseline",
        "net benefit against the baseline",
        f'IF({{has_baseline}},{{savings_vs_baseline_month}}+{{quality_value_month}}-{{fixed_cost_month}},"{NA}")',
        styles.FMT_USD,
    )
    add(
        "payback_vs_baseline",
        "payback against the baseline",
        f'IF(N({{net_vs_baseline}})>0,{{upfront_cost}}/{{net_vs_baseline}},"{NA}")',
        styles.FMT_MONTHS,
    )
    value = f"{q1}*{{ft_traffic_share}}*{{value_per_correct}}"
    add(
        "breakeven_accuracy_lift",
        "breakeven_accuracy_lift: lift at which fine-tuning beats the baseline",
        f"IF(AND({{has_baseline}},{value}>0,{{lifetime_months}}>0),"
        f'MAX(({{upfront_cost}}/{{lifetime_months}}+{{fixed_cost_month}}-{{savings_vs_baseline_month}})/({value}),0),"{NA}")',
        styles.FMT_PCT,
    )

    section(f"With MLOps counted ({SEED_MLOPS_FTE:g} engineer, the seed's budget, when mlops_fte is 0)")
    add(
        "net_with_mlops",
        "net benefit with MLOps",
        "{net_benefit_month}-IF({mlops_fte}>0,0,{seed_mlops_fte}*{engineer_annual_cost}/12)",
        styles.FMT_USD,
    )
    add(
        "payback_with_mlops",
        "payback with MLOps",
        f'IF({{net_with_mlops}}>0,{{upfront_cost}}/{{net_with_mlops}},"{NA}")',
        styles.FMT_MONTHS,
    )

    section("Over the lifetime (sums of month weights x growth x price paths, closed form)")
    # sum over months m = 1.. of w_m r^(m-1) from month j+1 on, w_m = the share of month m
    # inside the lifetime L: r^j x (whole months k of L - j, then the fraction f of the next)
    life = "{lifetime_months}"

    def wsum(r: str, j: str) -> str:
        rest = f"MAX(0,{life}-{j})"
        k = f"INT({rest})"
        geo = f"IF({r}=1,{k},({r}^{k}-1)/({r}-1))"
        return f"IF({rest}<=0,0,{r}^{j}*({geo}+({rest}-{k})*{r}^{k}))"

    g = "(1+{volume_growth_monthly})"
    rf = f"{g}*(1-{{frontier_price_decline_annual}})^(1/12)"
    rt = f"{g}*(1-{{ft_price_decline_annual}})^(1/12)"
    add("r_g", "monthly factor: growth", g, "0.######")
    add("r_f", "monthly factor: growth x frontier decline", rf, "0.######")
    add("r_t", "monthly factor: growth x fine-tuned decline", rt, "0.######")
    add("sum_w", "months in the lifetime", f"MAX({life},0)", styles.FMT_MONTHS)
    add("sum_wg", "sum of w x growth", wsum("{r_g}", "0"), "#,##0.####")
    add(
        "sum_wgf",
        "sum of w x growth x frontier path (less the cut from its month)",
        f"{wsum('{r_f}', '0')}-IF({{cut_first_month}}>0,"
        f"{{frontier_price_cut}}*{wsum('{r_f}', '({cut_first_month}-1)')},0)",
        "#,##0.####",
    )
    add("sum_wgt", "sum of w x growth x fine-tuned path", wsum("{r_t}", "0"), "#,##0.####")

    section("Answers (defined names = pricing.model.breakeven.Result's fields)")
    add(
        "payback_months",
        "payback_months: upfront / month-1 net benefit",
        f'IF({{net_benefit_month}}>0,{{upfront_cost}}/{{net_benefit_month}},"{NA}")',
        styles.FMT_MONTHS,
    )
    add(
        "payback_date",
        "payback_date: go-live date + payback (days = months x 365.25 / 12)",
        f'IF(ISNUMBER({{payback_months}}),INT({{start_date}}+{{payback_months}}*{{days_per_month_avg}}),"{NA}")',
        styles.FMT_DATE,
    )
    gain = (
        "{days_per_month}*{ft_traffic_share}"
        "*({frontier_cost_per_query}-{ft_cost_per_query}+{accuracy_lift}*{value_per_correct})"
    )
    add(
        "breakeven_queries_per_day",
        "breakeven_queries_per_day: (upfront / lifetime + fixed) / gain per daily query",
        f'IF(AND({gain}>0,{life}>0),({{upfront_cost}}/{life}+{{fixed_cost_month}})/({gain}),"{NA}")',
        styles.FMT_INT,
    )
    add(
        "lifetime_net",
        "lifetime_net: lifetime benefit - upfront",
        "{queries_per_day}*{days_per_month}*{ft_traffic_share}*({frontier_list_q}*{sum_wgf}-{ft_cost_per_query}*{sum_wgt}"
        "+{accuracy_lift}*{value_per_correct}*{sum_wg})-{fixed_cost_month}*{sum_w}-{upfront_cost}",
        styles.FMT_USD,
    )
    add(
        "roi",
        "roi: lifetime_net / upfront",
        f'IF({{upfront_cost}}>0,{{lifetime_net}}/{{upfront_cost}},"{NA}")',
        styles.FMT_PCT,
    )
    add(
        "rate_monthly",
        "monthly discount rate: (1 + annual)^(1/12) - 1",
        "(1+{discount_rate_annual})^(1/12)-1",
        "0.0000%",
    )
    return rows


# month table: (header, formula of row r for month {m}, format); "{column@prev}" = the row above
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("month", "", "0"),
    (
        "queries",
        "IF({m}=0,0,{queries_per_day}*{days_per_month}*(1+{volume_growth_monthly})^({m}-1))",
        styles.FMT_INT,
    ),
    (
        "frontier price x",
        "IF({m}=0,0,(1-{frontier_price_decline_annual})^(({m}-1)/12)"
        "*IF(AND({cut_first_month}>0,{m}>={cut_first_month}),1-{frontier_price_cut},1))",
        "0.0000",
    ),
    ("fine-tuned price x", "IF({m}=0,0,(1-{ft_price_decline_annual})^(({m}-1)/12))", "0.0000"),
    ("serving share", "IF({m}=0,0,MAX(0,MIN(1,{service_months}-({m}-1))))", "0.00"),
    (
        "successor share",
        "IF({m}=0,0,MAX(0,MIN(1,MAX({succ_end},{service_months})-({m}-1)))-{serving share})",
        "0.00",
    ),
    ("frontier_cost", "{queries}*{frontier_list_q}*{frontier price x}", styles.FMT_USD),
    (
        "ft_cost",
        "{queries}*({ft_traffic_share}*({serving share}*{ft_cost_per_query}"
        "+{successor share}*{succ_cost_per_query})*{fine-tuned price x}"
        "+({serving share}+{successor share})*(1-{ft_traffic_share})*{frontier_list_q}*{frontier price x})"
        "+(1-{serving share}-{successor share})*{frontier_cost}",
        styles.FMT_USD,
    ),
    ("inference_savings", "{frontier_cost}-{ft_cost}", styles.FMT_USD),
    (
        "quality_value",
        "({serving share}+{successor share})*{queries}*{ft_traffic_share}"
        "*{accuracy_lift}*{value_per_correct}",
        styles.FMT_USD,
    ),
    ("fixed_cost", "{serving share}*{fixed}+{successor share}*{succ_fixed}", styles.FMT_USD),
    (
        "retrains",
        "IF(AND({m}>0,{m}<{horizon_months},{lifetime_months}>0),"
        "MIN(INT(({m}+{eps})/{lifetime_months}),{last_retrain})"
        "-MIN(INT(({m}-1+{eps})/{lifetime_months}),{last_retrain}),0)",
        "0",
    ),
    (
        "successor payments",
        "IF(NOT({flows_known}),NA(),IF(AND({succ_on},{m}<{horizon_months},{m}-{service_months}+{eps}>=0),"
        "(IF({m}-1-{service_months}+{eps}<0,1,0)+{retrain_cost_share}*("
        "MIN(INT(({m}-{service_months}+{eps})/{succ_life}),{succ_last_retrain})"
        "-IF({m}-1-{service_months}+{eps}>=0,MIN(INT(({m}-1-{service_months}+{eps})/{succ_life}),{succ_last_retrain}),0)))"
        "*{succ_upfront},0))",
        styles.FMT_USD,
    ),
    (
        "upfront_and_retrain",
        "IF({m}=0,{upfront_cost},{retrains}*{retrain_cost_share}*{upfront_cost})+{successor payments}",
        styles.FMT_USD,
    ),
    (
        "net_cash_flow",
        "{inference_savings}+{quality_value}-{fixed_cost}-{upfront_and_retrain}",
        styles.FMT_USD,
    ),
    ("cumulative_net", "IF({m}=0,{net_cash_flow},{cumulative_net@prev}+{net_cash_flow})", styles.FMT_USD),
    ("discounted flow", "{net_cash_flow}/(1+{rate_monthly})^{m}", styles.FMT_USD),
    (
        "cumulative discounted",
        "IF({m}=0,{discounted flow},{cumulative discounted@prev}+{discounted flow})",
        styles.FMT_USD,
    ),
    (
        "discounted payback at",
        "IF(AND({m}>0,{cumulative discounted}>=0,{cumulative discounted@prev}<0),"
        '{m}-1-{cumulative discounted@prev}/{discounted flow},"")',
        styles.FMT_MONTHS,
    ),
)
FLOW_COLUMN = "net_cash_flow"


def _fill(formula: str, cells: dict[str, str]) -> str:
    for key in sorted(cells, key=len, reverse=True):
        formula = formula.replace("{" + key + "}", cells[key])
    if "{" in formula:
        raise KeyError(f"unresolved step in {formula}")
    return formula


def write_chain(
    ws,
    inp: Callable[[str], str],
    top: int = STEP_TOP,
    table_col: int = TABLE_COL,
    fx: str | None = None,
    code: str = "USD",
) -> dict[str, str]:
    """Lay the chain out on `ws` (inputs read through `inp(field)`); returns each answer's cell
    (sheet-local, absolute) by its Result field name. With `fx` (a cell holding units of the
    reporting currency per USD) the money answers are those USD figures times it, a row each."""
    cells: dict[str, str] = {}
    items = steps(inp)
    for col, text in enumerate(("Step", "name", "value", "default"), 1):
        styles.header_cell(ws.cell(top, col, text))
    for i, (key, *_rest) in enumerate(items):
        if key:
            cells[key] = f"$C${top + 1 + i}"
    for i, (key, label, formula, fmt, default) in enumerate(items):
        r = top + 1 + i
        ws.cell(r, 1, in_words(label))
        if not key:
            for c in range(1, 5):
                styles.section_cell(ws.cell(r, c))
            continue
        ws.cell(r, 2, key)
        styles.note_cell(ws.cell(r, 2))
        if default is not None:  # the input's default, typed beside it (read when the input is blank)
            styles.note_cell(ws.cell(r, 4, default))
            formula = formula.replace("{@default}", f"$D${r}")
        value = formula if isinstance(formula, (int, float)) else "=" + _fill(formula, cells)
        fmt = FMT_MONTHS_OR_NEVER if key in NEVER_KEYS else ("General" if key in TRUE_FALSE_KEYS else fmt)
        styles.calc_cell(ws.cell(r, 3, value), fmt or None)
    last_step = top + len(items)

    # the month table
    letters = {h: get_column_letter(table_col + j) for j, (h, _f, _fmt) in enumerate(COLUMNS)}
    for j, (h, _f, _fmt) in enumerate(COLUMNS):
        styles.header_cell(ws.cell(top, table_col + j, in_words(h)))
    first = top + 1
    m_col = letters["month"]
    for i in range(MAX_MONTHS + 1):
        r = first + i
        row_cells = dict(cells)
        row_cells.update({h: f"{letters[h]}{r}" for h in letters})
        row_cells.update({f"{h}@prev": f"{letters[h]}{r - 1}" for h in letters})
        row_cells["m"] = f"${m_col}{r}"
        for j, (h, formula, fmt) in enumerate(COLUMNS):
            cell = ws.cell(r, table_col + j)
            if h == "month":
                cell.value = i
            else:
                body = _fill(formula, row_cells)
                cell.value = f'=IF({row_cells["m"]}>{cells["horizon_months"]},"",{body})'
            styles.calc_cell(cell, fmt)
    last = first + MAX_MONTHS
    col = {h: f"${letters[h]}${first}:${letters[h]}${last}" for h in letters}
    flows = col[FLOW_COLUMN]
    f0 = f"${letters[FLOW_COLUMN]}${first}"
    rest = f"${letters[FLOW_COLUMN]}${first + 1}:${letters[FLOW_COLUMN]}${last}"
    too_long = f"{cells['horizon_months']}>{cells['max_months']}"
    guess = (
        f"IF(ISNUMBER({cells['payback_months']}),MIN({cells['irr_guess_max']},1/{cells['payback_months']}),0)"
    )
    r = last_step + 1
    tries = []
    for g in IRR_GUESSES:
        irr = f"IRR({flows},$D${r})"

        def npv_at(rate: str) -> str:
            return f"(NPV({rate},{rest})+{f0})"

        step = f"{cells['irr_step']}*(1+ABS({irr}))"  # NPV changes sign across the rate: a root, not a stall
        check = f"{npv_at(f'{irr}-{step}')}*{npv_at(f'{irr}+{step}')}<=0"
        ws.cell(
            r,
            1,
            f"IRR from the guess in column D{' (1 / payback)' if g == 'payback' else ''}"
            " (n/a: none, or it stalled)",
        )
        styles.note_cell(ws.cell(r, 4, f"={guess}" if g == "payback" else float(g)))
        ws.cell(r, 4).number_format = "0.00"
        inside = f"{irr}>={cells['irr_low']},{irr}<={cells['irr_high']}"  # the engine's search range
        styles.calc_cell(ws.cell(r, 3, f'=IFERROR(IF(AND({inside},{check}),{irr},"{NA}"),"{NA}")'), "0.0000%")
        tries.append(f"$C${r}")
        r += 1
    first_root = f'"{NA}"'
    for t in reversed(tries):
        first_root = f"IF(ISNUMBER({t}),{t},{first_root})"
    crossings = col["discounted payback at"]
    finance = (
        (
            "npv",
            "npv: NPV(monthly rate, months 1..horizon) + month 0",
            f'IF({cells["flows_known"]},NPV({cells["rate_monthly"]},{rest})+{f0},"{NA}")',
            styles.FMT_USD,
        ),
        (
            "irr_monthly",
            "IRR of the monthly flows: the first guess above that finds a root (0 first: the root nearest 0)",
            first_root,
            "0.0000%",
        ),
        (
            "irr_annual",
            "irr_annual: (1 + monthly IRR)^12 - 1",
            "{x}",
            styles.FMT_PCT,
        ),
        (
            "discounted_payback_months",
            "discounted_payback_months: first month the discounted cumulative reaches 0",
            f'IF(NOT({cells["flows_known"]}),"{NA}",IF({f0}>=0,0,IF(COUNT({crossings})=0,"{NA}",MIN({crossings}))))',
            styles.FMT_MONTHS,
        ),
    )
    for key, label, formula, fmt in finance:
        if key == "irr_annual":
            im = cells["irr_monthly"]
            formula = f'IF(ISNUMBER({im}),(1+{im})^12-1,"{NA}")'
        formula = f'IF({too_long},"horizon > {MAX_MONTHS} months: use the add-in",{formula})'
        ws.cell(r, 1, in_words(label))
        ws.cell(r, 2, key)
        styles.note_cell(ws.cell(r, 2))
        cells[key] = f"$C${r}"
        styles.calc_cell(ws.cell(r, 3, "=" + formula), fmt)
        r += 1
    lifetime, lat = cells["lifetime_months"], cells["latency_driven"]
    texts = (
        (
            "verdict_rules",
            "verdict by the payback rules (README)",
            verdict_rules(cells["payback_months"], lifetime, cells["net_benefit_month"]),
            None,
        ),
        (
            "verdict",
            "verdict: at least Yes when latency-driven",
            latency_floor("{verdict_rules}", lifetime, lat),
            None,
        ),
        (
            "mlops_rules",
            "with MLOps: by the payback rules",
            verdict_rules(cells["payback_with_mlops"], lifetime, cells["net_with_mlops"]),
            None,
        ),
        (
            "verdict_with_mlops",
            "verdict_with_mlops: the same rules on the net with MLOps",
            latency_floor("{mlops_rules}", lifetime, lat),
            None,
        ),
        (
            "baseline_rules",
            "against the baseline: by the payback rules",
            verdict_rules(cells["payback_vs_baseline"], lifetime, f"N({cells['net_vs_baseline']})"),
            None,
        ),
        (
            "baseline_verdict",
            "baseline_verdict: the same rules on the net against the baseline (blank: none)",
            f'IF({{has_baseline}},{latency_floor("{baseline_rules}", lifetime, lat)},"")',
            None,
        ),
        (
            "mode",
            "mode: latency, else quality when it beats the savings, else volume",
            f'IF({lat},"latency",IF({cells["quality_value_month"]}>{cells["inference_savings_month"]},"quality","volume"))',
            None,
        ),
    )
    for key, label, formula, fmt in texts:
        ws.cell(r, 1, in_words(label))
        ws.cell(r, 2, key)
        styles.note_cell(ws.cell(r, 2))
        cells[key] = f"$C${r}"
        styles.calc_cell(ws.cell(r, 3, "=" + _fill(formula, cells)), fmt)
        r += 1
    if fx is not None:
        cells.update(_in_currency(ws, r, cells, fx, code))
    return {k: cells[k] for k in ANSWERS}


def _in_currency(ws, r: int, cells: dict[str, str], fx: str, code: str) -> dict[str, str]:
    """The money answers in the reporting currency from row `r` down: USD figure x `fx` (a
    figure that does not exist, "n/a", stays as it is)."""
    ws.cell(r, 1, "In the reporting currency: each money answer x FxRate (Calculator)")
    for c in range(1, 5):
        styles.section_cell(ws.cell(r, c))
    out = {}
    for key in (k for k in ANSWERS if is_money(k)):
        r += 1
        usd = cells[key]
        ws.cell(r, 1, f"{figure(key).label} in {code}")
        ws.cell(r, 2, key)
        styles.note_cell(ws.cell(r, 2))
        styles.calc_cell(ws.cell(r, 3, f"=IF(ISNUMBER({usd}),{usd}*{fx},{usd})"), figure(key).format_in(code))
        out[key] = f"$C${r}"
    return out


def verdict_rules(payback: str, lifetime: str, net: str) -> str:
    """pricing.model.breakeven.verdict_codes' payback rules as a formula giving the verdict's text."""
    v = [f'"{t}"' for t in be.VERDICTS]
    pays = f"AND(ISNUMBER({payback}),{lifetime}>0)"
    share = f"{payback}/{lifetime}"
    return (
        f"IF(AND({pays},N({payback})<={{mandatory_payback}},{net}>={{mandatory_net}}),{v[4]},"
        f"IF({pays},IF({share}<={{strong_yes_share}},{v[3]},IF({share}<={{yes_share}},{v[2]},"
        f"IF({share}<=1,{v[1]},{v[0]}))),{v[0]}))"
    )


def latency_floor(verdict: str, lifetime: str, latency: str) -> str:
    """Only the fine-tuned model meets the latency budget: at least Yes while it can ship."""
    v = [f'"{t}"' for t in be.VERDICTS]
    return f"IF(AND({latency},{lifetime}>0,OR({verdict}={v[0]},{verdict}={v[1]})),{v[2]},{verdict})"


def write(ctx) -> None:
    from workbook.sheets import calculator, currency_block

    ws = styles.titled_sheet(ctx.wb, SHEET, TITLE, SUBTITLE)
    currency_block.put_caption(ws, "A3")
    rows = calculator.field_rows()
    ctx.native_answers = write_chain(
        ws, lambda f: f"{calculator.SHEET}!$C${rows[f]}", fx="FxRate", code=ctx.currency.code
    )
    for key, cell in ctx.native_answers.items():  # the Calculator names the figures it shows
        if key not in calculator.OUTPUTS_BY_NAME:
            name = defined_name(key)
            ctx.wb.defined_names[name] = DefinedName(name, attr_text=f"{REF}!{cell}")
    styles.widths(ws, A=STEP_WIDTH, B=26, C=16, D=10, E=2)
    ws.column_dimensions["B"].hidden = True  # each step's internal name: its formulas use cells
    for j in range(len(COLUMNS)):
        ws.column_dimensions[get_column_letter(TABLE_COL + j)].width = 15 if j else 7
        # "Cost with fine-tuning", "cumulative discounted": two lines, not cut at the column's edge
        ws.cell(STEP_TOP, TABLE_COL + j).alignment = styles.Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[STEP_TOP].height = 30  # points: two lines of the header font
    ws.freeze_panes = "A4"
    styles.protect(ws)
    # two printed parts, the steps then the month table, each fit to the page width and under
    # the header row: the whole sheet on one page width printed both at about 40%
    steps_end = max(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None)
    first, last = get_column_letter(TABLE_COL), get_column_letter(TABLE_COL + len(COLUMNS) - 1)
    for row in (1, 2):  # the title and subtitle inside the steps' part
        styles.wrap_across(ws, row, "A", "D")
    for row in range(STEP_TOP + 1, steps_end + 1):  # a long step's text wraps, not cut by its value
        label = ws.cell(row, 1)
        if isinstance(label.value, str) and len(label.value) > STEP_WIDTH:
            styles.wrap_in(ws, label, STEP_WIDTH)
    styles.print_setup(
        ws,
        f"A1:D{steps_end},{first}{STEP_TOP}:{last}{STEP_TOP + 1 + MAX_MONTHS}",
        repeat_rows=f"{STEP_TOP}:{STEP_TOP}",
    )


def table_ref(column: str, month: int) -> str:
    """The Cash flow sheet's cell of one month-table column (as laid out by `write`)."""
    j = [h for h, *_ in COLUMNS].index(column)
    return f"{REF}!${get_column_letter(TABLE_COL + j)}${STEP_TOP + 1 + month}"


def answer_ref(ctx, key: str) -> str:
    """The Cash flow cell of one answer, for formulas on other sheets."""
    return f"{REF}!{ctx.native_answers[key]}"
