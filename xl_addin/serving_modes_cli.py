"""`ft-breakeven serving-modes`: one scenario's answer under each serving mode of its vendor.

The same rows as FT_SERVING_MODES and the Calculator's block (pricing.model.serving_modes): a
mode the vendor does not offer reads "not offered" with the reason, never $0; the cheapest is
marked. Sources are listed under the table.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from pricing.model.scenario import ScenarioError
from pricing.neutralise import csv_row, terminal_text
from pricing.prices.catalog import UnknownModelError

HEADS = ("Serving mode", "Monthly cost", "Net benefit/mo", "Payback", "Verdict", "")


def _money(x: float) -> str:
    return f"-${-x:,.0f}" if x < 0 else f"${x:,.0f}"


def render_table(name: str, ft_model: str, answers) -> str:
    rows = []
    for a in answers:
        r = a.result
        if r is None:
            rows.append([a.label, a.state.replace("_", " "), "", "", "", ""])
            continue
        payback = "never" if r.payback_months is None else f"{r.payback_months:,.1f} months"
        mark = "<- cheapest" if a.cheapest else ""
        rows.append([a.label, _money(a.monthly_cost), _money(r.net_benefit_month), payback, r.verdict, mark])
    widths = [max(len(str(x)) for x in col) for col in zip(HEADS, *rows, strict=True)]
    numeric = {1, 2, 3}

    def line(cells) -> str:
        parts = [
            c.rjust(w) if j in numeric else c.ljust(w)
            for j, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out = [f"Scenario: {terminal_text(name) or '(unnamed)'}, fine-tuned model {terminal_text(ft_model)}", ""]
    out += [line(HEADS), *(line(r) for r in rows), "", "How each mode is billed, or why it is not offered:"]
    for i, a in enumerate(answers, 1):
        out.append(f"  {i}. {a.label}: {terminal_text(a.basis)}")
        if a.source:
            out.append(f"     source: {terminal_text(a.source)}")
    return "\n".join(out)


def render(name: str, ft_model: str, answers, fmt: str) -> str:
    records = [a.record() for a in answers]
    if fmt == "json":
        return json.dumps({"scenario": name, "ft_model": ft_model, "modes": records}, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(list(records[0]))
        for rec in records:
            writer.writerow(csv_row(list(rec.values())))
        return out.getvalue().rstrip("\n")
    return render_table(name, ft_model, answers)


def run_serving_modes(args: argparse.Namespace) -> int:
    from pricing.model.serving_modes import serving_modes
    from pricing.prices.store import load_catalog
    from xl_addin.report import _load_scenarios

    args.all = False
    try:
        catalog = load_catalog(args.store)
        scenarios = _load_scenarios(args)
        if len(scenarios) != 1:
            raise ScenarioError("--scenario", args.scenario, "a file of one scenario (a JSON object)")
        s = scenarios[0]
        answers = serving_modes(s, catalog)
    except (ScenarioError, UnknownModelError) as exc:
        print(f"ft-breakeven serving-modes: {terminal_text(str(exc))}", file=sys.stderr)
        return 2
    print(render(s.name, s.ft_model, answers, args.format))
    return 0
