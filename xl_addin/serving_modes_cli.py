"""`ft-breakeven serving-modes`: one scenario's answer under each serving mode of its vendor.

The same rows as FT_SERVING_MODES and the Calculator's block (pricing.model.serving_modes): a
mode the vendor does not offer reads "not offered" with the reason, never $0; the cheapest is
marked. Sources are listed under the table. With --currency the money columns are in that currency
(pricing.model.currency) and every format names it; the billing basis quotes the catalog's USD rates.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import replace

from pricing.model.currency import USD, Currency, convert_result
from pricing.model.scenario import ScenarioError
from pricing.neutralise import csv_row, terminal_text
from pricing.prices.catalog import UnknownModelError
from xl_addin.currency_cli import currency_from_args

HEADS = ("Serving mode", "Monthly cost", "Net benefit/mo", "Payback", "Verdict", "")


def converted(answers, currency: Currency) -> list:
    """The answers with each mode's money figures in `currency` (the monthly cost follows)."""
    return [a if a.result is None else replace(a, result=convert_result(a.result, currency)) for a in answers]


def render_table(name: str, ft_model: str, answers, currency: Currency = USD) -> str:
    rows = []
    for a in answers:
        r = a.result
        if r is None:
            rows.append([a.label, a.state.replace("_", " "), "", "", "", ""])
            continue
        payback = "never" if r.payback_months is None else f"{r.payback_months:,.1f} months"
        mark = "<- cheapest" if a.cheapest else ""
        money = [currency.amount_text(x) for x in (a.monthly_cost, r.net_benefit_month)]
        rows.append([a.label, *money, payback, r.verdict, mark])
    widths = [max(len(str(x)) for x in col) for col in zip(HEADS, *rows, strict=True)]
    numeric = {1, 2, 3}

    def line(cells) -> str:
        parts = [
            c.rjust(w) if j in numeric else c.ljust(w)
            for j, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out = [f"Scenario: {terminal_text(name) or '(unnamed)'}, fine-tuned model {terminal_text(ft_model)}"]
    out += [] if currency.is_default else [terminal_text(currency.caption())]
    out.append("")
    out += [line(HEADS), *(line(r) for r in rows), "", "How each mode is billed, or why it is not offered:"]
    for i, a in enumerate(answers, 1):
        out.append(f"  {i}. {a.label}: {terminal_text(a.basis)}")
        if a.source:
            out.append(f"     source: {terminal_text(a.source)}")
    return "\n".join(out)


def render(name: str, ft_model: str, answers, fmt: str, currency: Currency = USD) -> str:
    """`answers` as the user reads them: money already in `currency` (converted); a currency other
    than USD at 1 is named in every format (caption, "currency" key, columns), as in the report."""
    extra = {} if currency.is_default else currency.record()
    records = [a.record() for a in answers]
    if fmt == "json":
        payload = {"scenario": name, "ft_model": ft_model, "modes": records}
        return json.dumps(payload | ({"currency": extra} if extra else {}), indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(list(records[0]) + list(extra))
        for rec in records:
            writer.writerow(csv_row(list(rec.values()) + list(extra.values())))
        return out.getvalue().rstrip("\n")
    return render_table(name, ft_model, answers, currency)


def run_serving_modes(args: argparse.Namespace) -> int:
    from pricing.model.serving_modes import serving_modes
    from pricing.prices.store import load_catalog
    from xl_addin.report import _load_scenarios

    args.all = False
    try:
        catalog = load_catalog(args.store)
        currency = currency_from_args(args)
        scenarios = _load_scenarios(args)
        if len(scenarios) != 1:
            raise ScenarioError("--scenario", args.scenario, "a file of one scenario (a JSON object)")
        s = scenarios[0]
        answers = converted(serving_modes(s, catalog), currency)
    except (ScenarioError, UnknownModelError) as exc:
        print(f"ft-breakeven serving-modes: {terminal_text(str(exc))}", file=sys.stderr)
        return 2
    print(render(s.name, s.ft_model, answers, args.format, currency))
    return 0
