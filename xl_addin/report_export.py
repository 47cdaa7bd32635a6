"""`ft-breakeven report --risk/--sensitivity/--grid --format json|csv`: the sections as data.

JSON: one object per scenario (a list for several) holding the headline figures ("result") and
each section asked for. CSV: the sections as the same tables FT_RISK, FT_SENSITIVITY and FT_GRID
return (pricing.model.risk_tables), a "scenario" column first; several tables are separated by a
blank line (one section gives one plain CSV table). Figures that do not exist are null / "never".
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from pricing.model.breakeven import Result
from pricing.model.currency import USD, Currency
from pricing.model.risk_tables import risk_rows, tornado_rows
from pricing.model.scenario import Scenario
from pricing.prices.catalog import Catalog
from xl_addin.report_risk import compute_sections


def _finite(x: Any) -> Any:
    """JSON has no infinity: an infinite swing (never pays back at one end) becomes null."""
    if isinstance(x, float):
        return float(f"{x:.12g}") if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


def _json_part(result: Result, part: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"result": result.model_dump(mode="json")}
    if "risk" in part:
        out["risk"] = part["risk"].model_dump()
    if "sensitivity" in part:
        out["sensitivity"] = {
            "output": args.sensitivity_output,
            "couple_tokens": part["couple_tokens"],
            "drivers": [bar.model_dump() for bar in part["sensitivity"]],
        }
    if "grid" in part:
        (x, _), (y, _) = args.grid
        header, *body = part["grid"]
        out["grid"] = {
            "output": args.grid_output,
            "x_field": x,
            "y_field": y,
            "couple_tokens": part["couple_tokens"],
            "x_values": header[1:],
            "y_values": [row[0] for row in body],
            "cells": [[None if isinstance(c, str) else c for c in row[1:]] for row in body],
        }
    return _finite(out)


def _csv_tables(result: Result, part: dict[str, Any], args: argparse.Namespace) -> list[list[list[Any]]]:
    tables = []
    if "risk" in part:
        tables.append(risk_rows(part["risk"]))
    if "sensitivity" in part:
        tables.append(tornado_rows(part["sensitivity"], args.sensitivity_output))
    if "grid" in part:
        tables.append(part["grid"])
    name = result.name or "(unnamed)"
    return [[["scenario", *t[0]], *([name, *row] for row in t[1:])] for t in tables]


def export_sections(
    args: argparse.Namespace,
    results: Sequence[Result],
    scenarios: Sequence[Scenario],
    catalog: Catalog | None,
    fmt: str,
    currency: Currency = USD,
) -> str:
    """`results` already in `currency` (report.run_report converts them); the sections follow."""
    parts = compute_sections(args, scenarios, catalog, currency)
    if fmt == "json":
        extra = {} if currency.is_default else {"currency": currency.record()}
        payload = [_json_part(r, p, args) | extra for r, p in zip(results, parts, strict=True)]
        return json.dumps(payload[0] if len(payload) == 1 else payload, indent=2)
    blocks: dict[int, list[list[Any]]] = {}  # one table per section kind, every scenario in it
    for r, p in zip(results, parts, strict=True):
        for k, table in enumerate(_csv_tables(r, p, args)):
            if not currency.is_default:  # the money's currency, rate, date and source on every row
                info = list(currency.record().values())
                table = [[*table[0], *currency.record()], *([*row, *info] for row in table[1:])]
            blocks.setdefault(k, [table[0]]).extend(table[1:])
    texts = []
    for table in blocks.values():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(_finite(table))
        texts.append(buf.getvalue().rstrip("\n"))
    return "\n\n".join(texts)
