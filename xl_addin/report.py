"""`ft-breakeven report`: evaluate presets or a scenario file and print table, JSON or CSV.

A scenario file is read bounded (pricing.prices.bounded: MAX_SCENARIO_BYTES, JSON depth, number
length); text that came from it is neutralised on the way out (CSV: OWASP's formula rule;
table: control characters escaped).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from pricing.model.breakeven import Result, evaluate_many
from pricing.model.currency import USD, Currency, convert_result
from pricing.model.figures import HEADLINE, KIND_TEXT, VERDICT_FIGURES, verdict_text
from pricing.model.finance import IRR_ABOVE_REASON, IRR_ABOVE_TEXT, irr_beyond_meaning
from pricing.model.presets import preset, presets
from pricing.model.scenario import Scenario, ScenarioError, make_scenario
from pricing.neutralise import csv_row, terminal_text
from pricing.prices.bounded import ReadRefused, loads, read_bytes
from pricing.prices.catalog import UnknownModelError
from xl_addin.currency_cli import currency_from_args
from xl_addin.report_risk_args import DEFAULT_PRESET

# The table's rows: every headline figure in the registry's order (pricing.model.figures), the
# notes printed below the table; labels and text formats from the registry too.
TABLE_ROWS = tuple((n, f.label, f.text_format) for n, f in HEADLINE.items() if n != "notes")
BASELINE_ROWS = {f for f, _, _ in TABLE_ROWS if "baseline" in f} | {"breakeven_accuracy_lift"}
NEVER = {
    "payback_months": "never",
    "payback_date": "never",
    "breakeven_queries_per_day": "never (FT costs more per query)",
    "discounted_payback_months": "not within the horizon",
    "breakeven_accuracy_lift": "n/a (give value_per_correct)",
}
MAX_SCENARIO_BYTES = 10 * 1024 * 1024  # a 10,000-scenario file is ~5 MB
JSON_KINDS = {int: "number", float: "number", str: "string", bool: "boolean", type(None): "null"}


def never(field: str, result: Result | None = None) -> str:
    """Why a figure does not exist, in the words that are true for this result."""
    if field == "breakeven_queries_per_day" and result is not None:
        if result.lifetime_months <= 0:
            return "never (lifetime 0: the fine-tuned model cannot serve)"
        if result.ft_cost_per_query < result.frontier_cost_per_query or result.quality_value_month:
            return "never (no gain per query)"
    return NEVER.get(field, "n/a")


def format_value(field: str, value, fmt: str, result: Result | None = None) -> str:
    if value is None:
        return never(field, result)
    if field in VERDICT_FIGURES and result is not None:  # a latency-driven "Yes" says why
        return verdict_text(value, result.mode)
    if not fmt.startswith("{") and value < 0:  # money: -$6,059, as accountants write it, not $-6,059
        return "-" + fmt.format(-value)
    if fmt == KIND_TEXT["share"] and abs(value) < 0.1:  # 2.5%, not 3%: small shares keep a decimal
        return f"{value:.1%}"
    return fmt.format(value)


def _read_scenario_file(name: str) -> list[dict]:
    """The scenario objects of a JSON file: one object, or a non-empty list of objects."""
    allowed = "a JSON file of one object of inputs, or a list of them"
    try:
        data = loads(read_bytes(Path(name), MAX_SCENARIO_BYTES))
    except OSError as exc:
        raise ScenarioError("--scenario", name, f"{allowed} ({exc.strerror or exc})") from None
    except ReadRefused as exc:
        raise ScenarioError("--scenario", name, f"{allowed} ({exc})") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ScenarioError("--scenario", name, f"{allowed} (the list is empty)")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            where = f"item {i + 1} is" if isinstance(data, list) else "it is"
            kind = JSON_KINDS.get(type(item), type(item).__name__)  # list: a nested list
            raise ScenarioError("--scenario", name, f"{allowed} ({where} a JSON {kind})")
    return items


def _shown(r: Result, field: str, fmt: str) -> str:
    """One figure as the table shows it: an IRR beyond meaning reads IRR_ABOVE_TEXT."""
    if field == "irr_annual" and irr_beyond_meaning(r.irr_annual, r.payback_months):
        return f"{IRR_ABOVE_TEXT} (see the notes)"
    return format_value(field, getattr(r, field), fmt, r)


def _load_scenarios(args: argparse.Namespace) -> list[Scenario]:
    if args.scenario is not None:
        return [make_scenario(item) for item in _read_scenario_file(args.scenario)]
    if args.all:
        return [p.scenario for p in presets()]
    return [preset(DEFAULT_PRESET if args.preset is None else args.preset).scenario]


def render_table(results: list[Result], currency: Currency = USD) -> str:
    rows = [(f, label, currency.text_format(fmt)) for f, label, fmt in TABLE_ROWS]
    caption = [] if currency.is_default else [terminal_text(currency.caption())]
    if len(results) == 1:
        r = results[0]
        width = max(len(label) for _, label, _ in rows)
        lines = [f"Scenario: {terminal_text(r.name) or '(unnamed)'}", *caption, ""]
        lines += [
            f"  {label:<{width}}  {_shown(r, f, fmt)}"
            for f, label, fmt in rows
            if r.baseline_verdict or f not in BASELINE_ROWS  # baseline rows only when one is named
        ]
        notes = list(r.notes)
        if irr_beyond_meaning(r.irr_annual, r.payback_months):
            notes.append(f"IRR {IRR_ABOVE_TEXT}: {IRR_ABOVE_REASON} (JSON and CSV keep the number)")
        if notes:
            lines += ["", "Notes:"] + [f"  - {terminal_text(n)}" for n in notes]
        return "\n".join(lines)
    short = (
        "frontier_cost_month",
        "inference_savings_month",
        "upfront_cost",
        "payback_months",
        "npv",
        "verdict",
    )
    heads = ["Scenario", "Frontier/mo", "Savings/mo", "Upfront", "Payback", "NPV", "Verdict"]
    fmts = dict((f, fmt) for f, _, fmt in rows)
    table = [
        [terminal_text(r.name)] + [format_value(f, getattr(r, f), fmts[f], r) for f in short] for r in results
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(heads, *table, strict=True)]
    text_columns = {0, len(heads) - 1}  # name and verdict read left to right; figures line up right

    def line(cells: list[str]) -> str:
        parts = [
            c.ljust(w) if j in text_columns else c.rjust(w)
            for j, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([*caption, line(heads), *(line(row) for row in table)])


def _tidy(record: dict) -> dict:
    """Floats to 12 significant digits: 19.2, not 19.200000000000003, in files people open."""
    return {k: float(f"{v:.12g}") if isinstance(v, float) else v for k, v in record.items()}


def render(results: list[Result], fmt: str, currency: Currency = USD) -> str:
    """`results` as the user reads them: money figures already in `currency` (convert_result);
    a currency other than USD at 1 is named in every format (caption, "currency" key, columns)."""
    extra = {} if currency.is_default else currency.record()
    if fmt == "json":
        payload = [_tidy(r.model_dump(mode="json")) | ({"currency": extra} if extra else {}) for r in results]
        return json.dumps(payload[0] if len(payload) == 1 else payload, indent=2)
    if fmt == "csv":
        fields = list(Result.model_fields)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(fields + list(extra))
        for r in results:
            row = _tidy(r.model_dump(mode="json"))
            row["notes"] = "; ".join(r.notes)
            writer.writerow(csv_row([row[f] for f in fields] + list(extra.values())))  # "=cmd()" stays text
        return out.getvalue().rstrip("\n")
    return render_table(results, currency)


def run_report(args: argparse.Namespace) -> int:
    if args.list_presets:
        for p in presets():
            print(f"{p.id:<16} {p.scenario.name}")
        return 0
    try:
        from pricing.prices.store import load_catalog  # the engine is pure: the CLI loads prices

        catalog = load_catalog(args.store)  # --store, else the user's store, else the bundled one
        currency = currency_from_args(args)
        scenarios = _load_scenarios(args)
        results = [convert_result(r, currency) for r in evaluate_many(scenarios, catalog)]
    except (ScenarioError, UnknownModelError, KeyError) as exc:
        message = exc.args[0] if type(exc) is KeyError else exc  # KeyError would add quotes
        print(f"ft-breakeven report: {terminal_text(message)}", file=sys.stderr)
        return 2
    if args.format != "table" and getattr(args, "extra_sections", None):
        from xl_addin.report_risk import wanted

        if wanted(args):  # the sections as data: the headline figures travel inside them
            from xl_addin.report_export import export_sections

            print(export_sections(args, results, scenarios, catalog, args.format, currency))
            return 0
    extra = getattr(args, "extra_sections", None)
    sections = extra(args, scenarios, catalog, currency) if extra else ""  # a bad range stops us first
    print(render(results, args.format, currency))
    if args.format == "table" and len(scenarios) == 1 and scenarios[0].frontier_model:
        from pricing.prices.decline import decline_note

        s = scenarios[0]
        print(f"  - {decline_note(s.frontier_model, s.frontier_price_decline_annual)}")
    if sections:
        print(sections)
    return 0
