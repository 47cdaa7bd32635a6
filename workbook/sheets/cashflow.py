"""Cash flow sheet: the engine's calculation as native spreadsheet formulas, step by step.

Every step of pricing.breakeven / pricing.inputs / pricing.serving / pricing.finance for the
Calculator's input block, in the portable function set (INDEX/MATCH, IF, IFERROR, MIN, MAX,
INT, SUM, COUNT, NPV, IRR: Excel 2010+, LibreOffice, Google Sheets, the `formulas` package):

- column C, top to bottom: each input as the engine resolves it (defaults, catalog look-ups on
  the Pricing sheet, the batch and cached fall-backs, GPU-hour serving, the lifetime cut by
  shutdown dates), the per-query costs, the month-1 figures and the answers;
- columns F:T: one row per month 0..MAX_MONTHS, one formula per column, blank past the
  horizon: queries, price paths, costs, the upfront and each retrain, net and cumulative flows,
  discounted flows.

The answers carry the names of pricing.breakeven.Result's fields (`ANSWERS`); in the file for
people without the add-in the Calculator shows them, in the add-in files the Audit sheet sets
them beside the FT_ figures. `write_chain` also lays the same chain out on any sheet, reading
its inputs from any cells (the tests check many scenarios in one workbook that way).
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.utils import get_column_letter

from pricing import breakeven as be
from pricing.catalog import HOURS_PER_MONTH
from pricing.inputs import BATCH_FALLBACK, CACHED_FALLBACK, DAYS_PER_MONTH_AVG
from pricing.scenario import Scenario
from pricing.serving import SECONDS_PER_DAY, THROUGHPUT_TOKENS_X_PARAMS_B
from workbook import styles

SHEET = "Cash flow"
REF = f"'{SHEET}'"
MAX_MONTHS = 120  # months laid out; a longer horizon says so instead of answering
NA = "n/a"  # a figure that does not exist (never pays back, no IRR): the engine's None
STEP_TOP = 4  # header row of the step-by-step block (columns A:D)
TABLE_COL = 6  # column F

# The figures of pricing.breakeven.Result this chain computes (all of HEADLINE_FIELDS when
# written; tests/test_native_chain.py checks that none is missing).
ANSWERS: tuple[str, ...] = (
    "frontier_cost_per_query",
    "ft_cost_per_query",
    "frontier_cost_month",
    "ft_cost_month",
    "inference_savings_month",
    "quality_value_month",
    "fixed_cost_month",
    "net_benefit_month",
    "training_cost",
    "upfront_cost",
    "payback_months",
    "breakeven_queries_per_day",
    "lifetime_months",
    "lifetime_net",
    "roi",
    "npv",
    "irr_annual",
    "discounted_payback_months",
    "verdict",
    "mode",
)


# Excel reserves the names of worksheet functions for defined names (Microsoft KB Q111393), and
# formulon (an Excel 365 engine) lets a name `npv` shadow NPV(): these figures' names get a suffix.
FUNCTION_NAMES = {"npv", "mode"}


def defined_name(figure: str) -> str:
    """The workbook-level name of a figure's answer cell: its Result field name."""
    return f"{figure}_figure" if figure in FUNCTION_NAMES else figure


def _default(field: str):
    d = Scenario.model_fields[field].default
    return d if isinstance(d, (int, float)) and not isinstance(d, bool) else None


def _price(model: str, field: str) -> str:
    """A catalog value of `model` on the Pricing sheet, or "" (no model, no such rate)."""
    x = f'INDEX(PricingData,MATCH({model},PricingIds,0),MATCH("{field}",PricingHeader,0))'
    return f'IFERROR(IF({x}="","",{x}),"")'


def steps(inp: Callable[[str], str]) -> list[tuple[str, str, str, str]]:
    """(key, label, formula, format) of the step-by-step block; formulas name other steps as
    {key}, filled in by `write_chain` with the cell that holds them."""
    rows: list[tuple[str, str, str, str]] = []

    def add(key: str, label: str, formula: str, fmt: str = styles.FMT_NUM) -> None:
        rows.append((key, label, formula, fmt))

    def section(title: str) -> None:
        rows.append(("", title, "", ""))

    section("Inputs as the engine reads them (blank = the input's default)")
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
        add(key, f, f'IF({x}="",{d:g},{x})' if d is not None else x, fmt)
    for f, base in (("ft_input_tokens", "input_tokens"), ("ft_output_tokens", "output_tokens")):
        add(f, f"{f} (blank: {base})", f'IF({inp(f)}="",{{{base}}},{inp(f)})', styles.FMT_INT)
    cm = inp("frontier_price_cut_month")
    add("cut_first_month", "first month of the one-off cut (0: none)", f'IF({cm}="",0,MAX(1,-INT(-{cm})))', "0")
    sd = inp("start_date")
    add("start_date", "start_date (blank: today)", f'IF({sd}="",TODAY(),{sd})', styles.FMT_DATE)

    section("Rates ($/1M tokens): the Calculator's, else the catalog's fall-backs (pricing/inputs.py)")
    fr, ft = inp("frontier_model"), inp("ft_model")
    add("frontier_input", "frontier input", inp("frontier_input_price"), styles.FMT_RATE)
    add("frontier_output", "frontier output", inp("frontier_output_price"), styles.FMT_RATE)
    x = inp("frontier_cached_price")
    add(
        "frontier_cached",
        f"frontier cached input (blank: {CACHED_FALLBACK:.0%} of input)",
        f'IF({x}="",{{frontier_input}}*{CACHED_FALLBACK:g},{x})',
        styles.FMT_RATE,
    )

    def factor(batch: str, base: str) -> str:
        return f"IF(AND(ISNUMBER({batch}),ISNUMBER({base})),IF({base}<>0,{batch}/{base},{BATCH_FALLBACK:g}),{BATCH_FALLBACK:g})"

    add(
        "frontier_batch_in",
        f"frontier batch input / input (catalog; else {BATCH_FALLBACK:g})",
        factor(_price(fr, "batch_input"), _price(fr, "input")),
        "0.####",
    )
    add(
        "frontier_batch_out",
        "frontier batch output / output",
        factor(_price(fr, "batch_output"), _price(fr, "output")),
        "0.####",
    )
    add("cat_ft_input", "catalog: fine-tuned input rate", _price(ft, "ft_input"), styles.FMT_RATE)
    add("cat_ft_batch_input", "catalog: fine-tuned batch input", _price(ft, "ft_batch_input"), styles.FMT_RATE)
    add("cat_ft_batch_output", "catalog: fine-tuned batch output", _price(ft, "ft_batch_output"), styles.FMT_RATE)
    own = 'ISNUMBER({cat_ft_input})'  # the vendor publishes fine-tuned rates: their batch / theirs
    in_base = f'IF({own},{{cat_ft_input}},{_price(ft, "input")})'
    out_base = f'IF({own},{_price(ft, "ft_output")},{_price(ft, "output")})'
    bi = f'IF(N({{cat_ft_batch_input}})<>0,{{cat_ft_batch_input}},{_price(ft, "batch_input")})'
    bo = f'IF(N({{cat_ft_batch_output}})<>0,{{cat_ft_batch_output}},{_price(ft, "batch_output")})'
    add("ft_batch_in", "fine-tuned batch input / input", factor(bi, in_base), "0.####")
    add("ft_batch_out", "fine-tuned batch output / output", factor(bo, out_base), "0.####")

    section("Serving the fine-tuned model on GPUs by the hour (pricing/serving.py)")
    add("cat_gpu_hourly", "catalog: $/GPU-hour of its dedicated deployment", _price(ft, "serving_gpu_hourly"), styles.FMT_USD2)
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
        f'IF({tps}<>"",{tps},IFERROR({THROUGHPUT_TOKENS_X_PARAMS_B:g}/{_price(ft, "params_b")},""))',
        styles.FMT_INT,
    )
    peak = (
        f"{{queries_per_day}}*{{ft_traffic_share}}*({{ft_input_tokens}}+{{ft_output_tokens}})"
        f"/{SECONDS_PER_DAY:g}*{{peak_to_average}}"
    )
    add(
        "gpus",
        "GPUs for the month-1 peak (at least gpus_min)",
        f'MAX({{gpus_min}},IF(ISNUMBER({{gpu_tps}}),-INT(-({peak}/{{gpu_tps}}-0.000000001)),0))',
        "0",
    )
    add(
        "gpu_cost",
        f"GPU serving per month (x {HOURS_PER_MONTH} h x uptime)",
        f"{{gpus}}*{HOURS_PER_MONTH}*{{gpu_uptime_share}}*{{gpu_hourly}}",
        styles.FMT_USD,
    )
    for key, field in (("ft_input", "ft_input_price"), ("ft_output", "ft_output_price")):
        x = inp(field)
        add(key, f"fine-tuned {key[3:]} (GPU-served: 0 unless given)", f'IF({x}<>"",{x},IF({{gpu_on}},0,NA()))', styles.FMT_RATE)
    x = inp("ft_cached_price")
    add(
        "ft_cached",
        "fine-tuned cached input (blank: 0 on GPUs, else 10% of input)",
        f'IF({x}<>"",{x},IF({{gpu_on}},0,{{ft_input}}*{CACHED_FALLBACK:g}))',
        styles.FMT_RATE,
    )

    section("Fixed costs per month and the upfront")
    st = inp("storage_per_month")
    add("hosting", "hosting (given, else GPU serving)", f'IF({host}<>"",{host},IF({{gpu_on}},{{gpu_cost}},0))', styles.FMT_USD)
    add("storage", "storage", f'IF({st}<>"",{st},0)', styles.FMT_USD)
    add("fixed", "fixed cost per month: hosting + storage + MLOps", "{hosting}+{storage}+{mlops_fte}*{engineer_annual_cost}/12", styles.FMT_USD)
    tt, ex, tpe, hours = inp("training_tokens"), inp("training_examples"), inp("tokens_per_example"), inp("training_hours")
    add(
        "train_tokens",
        "training tokens per epoch (or examples x tokens)",
        f'IF({tt}<>"",{tt},IF(AND({ex}<>"",{tpe}<>""),{ex}*{tpe},""))',
        styles.FMT_INT,
    )
    price = inp("training_price")
    run = (
        f'IF({hours}<>"",{hours}*{_price(ft, "training_per_hour")},'
        f'IF({{train_tokens}}<>"",{{train_tokens}}*{{epochs}}*{price}/1000000,0))'
    )
    add(
        "per_run",
        "cost of one training run (at least the minimum job charge)",
        f'IF(OR({hours}<>"",{{train_tokens}}<>""),MAX({run},N({_price(ft, "min_job_charge")})),0)',
        styles.FMT_USD,
    )
    add("training_cost", "training cost: per run x runs", "{per_run}*{training_runs}", styles.FMT_USD)
    add("upfront_cost", "upfront: training + eval + data prep + other", "{training_cost}+{eval_cost}+{data_prep_cost}+{other_upfront_cost}", styles.FMT_USD)

    section("Lifetime: the plan, cut by the fine-tuned model's shutdown dates")
    jobs, shut, dep = _price(ft, "jobs_available_until"), _price(ft, "shutdown_date"), _price(ft, "deprecation_date")
    add("shutdown_date", "catalog: fine-tuned model's shutdown date", shut, styles.FMT_DATE)
    add("deprecation_date", "catalog: its retirement (deprecation) date", dep, styles.FMT_DATE)
    ends = "{shutdown_date},{deprecation_date}"
    add("end_date", "the earlier of the two (blank: none)", f'IF(COUNT({ends})=0,"",MIN({ends}))', styles.FMT_DATE)
    add(
        "lifetime_months",
        f"lifetime months (to that date: days / {DAYS_PER_MONTH_AVG:.4f}; 0 when jobs closed)",
        f'IF(AND(ISNUMBER({jobs}),{{start_date}}>N({jobs})),0,'
        f'IF({{end_date}}="",{{lifetime_months_plan}},MIN({{lifetime_months_plan}},MAX(0,({{end_date}}-{{start_date}})/(365.25/12)))))',
        styles.FMT_MONTHS,
    )
    fl, tl, budget = inp("frontier_latency_ms"), inp("ft_latency_ms"), inp("latency_budget_ms")
    add(
        "latency_driven",
        "latency-driven? (only the fine-tuned model meets the budget)",
        f"IF(AND(ISNUMBER({tl}),ISNUMBER({budget}),ISNUMBER({fl})),AND({tl}<={budget},{fl}>{budget}),FALSE)",
    )

    section("Cost per query (USD): input at the cached mix, batch share at batch rates")

    def query_cost(tin: str, tout: str, p: str) -> str:
        rate = f"((1-{{cached_share}})*{{{p}_input}}+{{cached_share}}*{{{p}_cached}})"
        std = f"({{{tin}}}*{rate}+{{{tout}}}*{{{p}_output}})/1000000"
        bat = f"({{{tin}}}*{rate}*{{{p}_batch_in}}+{{{tout}}}*{{{p}_output}}*{{{p}_batch_out}})/1000000"
        return f"(1-{{batch_share}})*{std}+{{batch_share}}*{bat}"

    add("frontier_list_q", "frontier, list prices", query_cost("input_tokens", "output_tokens", "frontier"), styles.FMT_USD_QUERY)
    add(
        "frontier_cost_per_query",
        "frontier, month 1 (the one-off cut if it starts in month 1)",
        "{frontier_list_q}*IF({cut_first_month}=1,1-{frontier_price_cut},1)",
        styles.FMT_USD_QUERY,
    )
    add("ft_cost_per_query", "fine-tuned", query_cost("ft_input_tokens", "ft_output_tokens", "ft"), styles.FMT_USD_QUERY)

    section("Month 1 (README: payback uses these flat figures)")
    q1 = "{queries_per_day}*{days_per_month}"
    add("frontier_cost_month", "frontier cost per month", f"{q1}*{{frontier_cost_per_query}}", styles.FMT_USD)
    add(
        "ft_cost_month",
        "cost with fine-tuning per month (routed share fine-tuned, the rest frontier)",
        f"{q1}*({{ft_traffic_share}}*{{ft_cost_per_query}}+(1-{{ft_traffic_share}})*{{frontier_cost_per_query}})",
        styles.FMT_USD,
    )
    add("inference_savings_month", "inference savings", "{frontier_cost_month}-{ft_cost_month}", styles.FMT_USD)
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
        f'{wsum("{r_f}", "0")}-IF({{cut_first_month}}>0,{{frontier_price_cut}}*{wsum("{r_f}", "({cut_first_month}-1)")},0)',
        "#,##0.####",
    )
    add("sum_wgt", "sum of w x growth x fine-tuned path", wsum("{r_t}", "0"), "#,##0.####")

    section("Answers (defined names = pricing.breakeven.Result's fields)")
    add(
        "payback_months",
        "payback_months: upfront / month-1 net benefit",
        f'IF({{net_benefit_month}}>0,{{upfront_cost}}/{{net_benefit_month}},"{NA}")',
        styles.FMT_MONTHS,
    )
    gain = "{days_per_month}*{ft_traffic_share}*({frontier_cost_per_query}-{ft_cost_per_query}+{accuracy_lift}*{value_per_correct})"
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
    add("roi", "roi: lifetime_net / upfront", f'IF({{upfront_cost}}>0,{{lifetime_net}}/{{upfront_cost}},"{NA}")', styles.FMT_PCT)
    add("rate_monthly", "monthly discount rate: (1 + annual)^(1/12) - 1", "(1+{discount_rate_annual})^(1/12)-1", "0.0000%")
    return rows


# month table: (header, formula of row r for month {m}, format); "{column@prev}" = the row above
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("month", "", "0"),
    ("queries", "IF({m}=0,0,{queries_per_day}*{days_per_month}*(1+{volume_growth_monthly})^({m}-1))", styles.FMT_INT),
    (
        "frontier price x",
        "IF({m}=0,0,(1-{frontier_price_decline_annual})^(({m}-1)/12)"
        "*IF(AND({cut_first_month}>0,{m}>={cut_first_month}),1-{frontier_price_cut},1))",
        "0.0000",
    ),
    ("fine-tuned price x", "IF({m}=0,0,(1-{ft_price_decline_annual})^(({m}-1)/12))", "0.0000"),
    ("frontier_cost", "{queries}*{frontier_list_q}*{frontier price x}", styles.FMT_USD),
    (
        "ft_cost",
        "IF({alive},{queries}*({ft_traffic_share}*{ft_cost_per_query}*{fine-tuned price x}"
        "+(1-{ft_traffic_share})*{frontier_list_q}*{frontier price x}),{frontier_cost})",
        styles.FMT_USD,
    ),
    ("inference_savings", "{frontier_cost}-{ft_cost}", styles.FMT_USD),
    ("quality_value", "IF({alive},{queries}*{ft_traffic_share}*{accuracy_lift}*{value_per_correct},0)", styles.FMT_USD),
    ("fixed_cost", "IF(AND({alive},{m}>0),{fixed},0)", styles.FMT_USD),
    (
        "retrains",
        "IF(AND({alive},{m}>0,{m}<{horizon_months}),INT(({m}+0.000000001)/{lifetime_months})-INT(({m}-1+0.000000001)/{lifetime_months}),0)",
        "0",
    ),
    ("upfront_and_retrain", "IF({m}=0,{upfront_cost},{retrains}*{retrain_cost_share}*{upfront_cost})", styles.FMT_USD),
    ("net_cash_flow", "{inference_savings}+{quality_value}-{fixed_cost}-{upfront_and_retrain}", styles.FMT_USD),
    ("cumulative_net", "IF({m}=0,{net_cash_flow},{cumulative_net@prev}+{net_cash_flow})", styles.FMT_USD),
    ("discounted flow", "{net_cash_flow}/(1+{rate_monthly})^{m}", styles.FMT_USD),
    ("cumulative discounted", "IF({m}=0,{discounted flow},{cumulative discounted@prev}+{discounted flow})", styles.FMT_USD),
    (
        "discounted payback at",
        'IF(AND({m}>0,{cumulative discounted}>=0,{cumulative discounted@prev}<0),'
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


def write_chain(ws, inp: Callable[[str], str], top: int = STEP_TOP, table_col: int = TABLE_COL) -> dict[str, str]:
    """Lay the chain out on `ws` (inputs read through `inp(field)`); returns each answer's cell
    (sheet-local, absolute) by its Result field name."""
    cells: dict[str, str] = {}
    items = steps(inp)
    for col, text in enumerate(("Step", "name", "value"), 1):
        styles.header_cell(ws.cell(top, col, text))
    for i, (key, _label, _formula, _fmt) in enumerate(items):
        if key:
            cells[key] = f"$C${top + 1 + i}"
    for i, (key, label, formula, fmt) in enumerate(items):
        r = top + 1 + i
        ws.cell(r, 1, label)
        if not key:
            for c in range(1, 4):
                styles.section_cell(ws.cell(r, c))
            continue
        ws.cell(r, 2, key)
        styles.note_cell(ws.cell(r, 2))
        c = ws.cell(r, 3, "=" + _fill(formula, cells))
        styles.calc_cell(c, fmt or None)
    last_step = top + len(items)

    # the month table
    letters = {h: get_column_letter(table_col + j) for j, (h, _f, _fmt) in enumerate(COLUMNS)}
    for j, (h, _f, _fmt) in enumerate(COLUMNS):
        styles.header_cell(ws.cell(top, table_col + j, h))
    first = top + 1
    m_col = letters["month"]
    for i in range(MAX_MONTHS + 1):
        r = first + i
        row_cells = dict(cells)
        row_cells.update({h: f"{letters[h]}{r}" for h in letters})
        row_cells.update({f"{h}@prev": f"{letters[h]}{r - 1}" for h in letters})
        row_cells["m"] = f"${m_col}{r}"
        row_cells["alive"] = f"({cells['lifetime_months']}>0)"
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
    too_long = f'{cells["horizon_months"]}>{MAX_MONTHS}'
    guess = f'IF(ISNUMBER({cells["payback_months"]}),MIN(10,1/MAX({cells["payback_months"]},0.1)),0.1)'
    finance = (
        ("npv", "npv: NPV(monthly rate, months 1..horizon) + month 0", f'NPV({cells["rate_monthly"]},{rest})+{f0}', styles.FMT_USD),
        (
            "irr_monthly",
            "IRR of the monthly flows (native IRR; from 0 first, for the root nearest 0)",
            _irr_tries(flows, ["0", guess, "-0.1", "-0.3", "-0.6", "-0.9", "-0.99"]),
            "0.0000%",
        ),
        (
            "irr_annual",
            "irr_annual: (1 + monthly IRR)^12 - 1",
            '{x}',
            styles.FMT_PCT,
        ),
        (
            "discounted_payback_months",
            "discounted_payback_months: first month the discounted cumulative reaches 0",
            f'IF({f0}>=0,0,IF(COUNT({col["discounted payback at"]})=0,"{NA}",MIN({col["discounted payback at"]})))',
            styles.FMT_MONTHS,
        ),
    )
    r = last_step + 1
    for key, label, formula, fmt in finance:
        if key == "irr_annual":
            im = cells["irr_monthly"]
            formula = f'IF(ISNUMBER({im}),(1+{im})^12-1,"{NA}")'
        formula = f'IF({too_long},"horizon > {MAX_MONTHS} months: use the add-in",{formula})'
        ws.cell(r, 1, label)
        ws.cell(r, 2, key)
        styles.note_cell(ws.cell(r, 2))
        cells[key] = f"$C${r}"
        styles.calc_cell(ws.cell(r, 3, "=" + formula), fmt)
        r += 1
    lifetime, net, payback = cells["lifetime_months"], cells["net_benefit_month"], cells["payback_months"]
    pays = f"AND(ISNUMBER({payback}),{lifetime}>0)"
    share = f"{payback}/{lifetime}"
    code = (
        f'IF(AND({pays},{payback}<={be.MANDATORY_PAYBACK_MONTHS:g},{net}>={be.MANDATORY_NET_MONTH:g}),4,'
        f"IF({pays},IF({share}<={be.STRONG_YES_SHARE:g},3,IF({share}<={be.YES_SHARE:g},2,IF({share}<=1,1,0))),0))"
    )
    lat = cells["latency_driven"]
    for key, label, formula in (
        ("verdict_code", "verdict code (0 Don't fine-tune .. 4 Mandatory; latency-driven: at least 2)", f"IF(AND({lat},{code}<2,{lifetime}>0),2,{code})"),
        ("verdict", "verdict (README's rules)", "CHOOSE({verdict_code}+1," + ",".join(f'"{v}"' for v in be.VERDICTS) + ")"),
        (
            "mode",
            "mode: latency, else quality when it beats the savings, else volume",
            f'IF({lat},"latency",IF({cells["quality_value_month"]}>{cells["inference_savings_month"]},"quality","volume"))',
        ),
    ):
        ws.cell(r, 1, label)
        ws.cell(r, 2, key)
        styles.note_cell(ws.cell(r, 2))
        cells[key] = f"$C${r}"
        styles.calc_cell(ws.cell(r, 3, "=" + _fill(formula, cells)), "0" if key == "verdict_code" else None)
        r += 1
    return {k: cells[k] for k in ANSWERS}


def _irr_tries(flows: str, guesses: list[str]) -> str:
    """Native IRR from each guess in turn (0 first: the root nearest 0, as the engine picks),
    the next where one does not converge; "n/a" when none does."""
    expr = f'"{NA}"'
    for g in reversed(guesses):
        expr = f"IFERROR(IRR({flows},{g}),{expr})"
    return expr


def write(ctx) -> None:
    from workbook.sheets import calculator

    ws = ctx.wb.create_sheet(SHEET)
    styles.title(
        ws,
        "Cash flow: the whole calculation in native formulas, one step per row, one month per row",
        "Reads the Calculator's inputs and the Pricing sheet; every figure equals the engine's "
        "(pricing.breakeven). Month 0 is the upfront; a retrain is paid at the end of each "
        "lifetime; rows past the horizon stay blank.",
    )
    rows = calculator.field_rows()
    ctx.native_answers = write_chain(ws, lambda f: f"{calculator.SHEET}!$C${rows[f]}")
    styles.widths(ws, A=62, B=26, C=16, D=2, E=2)
    for j in range(len(COLUMNS)):
        ws.column_dimensions[get_column_letter(TABLE_COL + j)].width = 13 if j else 7
    ws.freeze_panes = "A4"
    styles.protect(ws)
    styles.print_setup(ws)


def answer_ref(ctx, key: str) -> str:
    """The Cash flow cell of one answer, for formulas on other sheets."""
    return f"{REF}!{ctx.native_answers[key]}"
