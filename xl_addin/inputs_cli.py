"""`ft-breakeven inputs`: every scenario input with its label, unit, allowed values and default."""

from __future__ import annotations

import argparse
import csv
import io
import json

from pricing.model.input_docs import COLUMNS, input_rows


def render_inputs(fmt: str) -> str:
    rows = input_rows()
    if fmt == "json":
        return json.dumps(rows, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().rstrip("\n")
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip()]
    lines += ["  ".join(r[c].ljust(widths[c]) for c in COLUMNS).rstrip() for r in rows]
    return "\n".join(lines)


def run_inputs(args: argparse.Namespace) -> int:
    print(render_inputs(args.format))
    return 0
