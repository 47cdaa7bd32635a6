"""`ft-breakeven prices`: the catalog with provenance markers and as-of dates."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import textwrap
from typing import TextIO

from pricing.neutralise import csv_row, terminal_text
from pricing.prices import crosscheck
from pricing.prices.catalog import (
    DATE_FIELDS,
    HOURS_PER_MONTH,
    RATE_FIELDS,
    Catalog,
    ModelEntry,
    UnknownModelError,
)
from pricing.prices.store import load_catalog
from pricing.prices.verification import summary, vendor_checks

MARK = {"inferred": "*", "unverified": "?"}
DISAGREES = "!"  # genai-prices disagrees with this rate by more than 5% (listed under the table)
# (header, field); headers short so the table fits 120 columns.
COLUMNS = (
    ("in", "input"),
    ("out", "output"),
    ("cache", "cached_input"),
    ("b.in", "batch_input"),
    ("b.out", "batch_output"),
    ("train", "training_per_1m"),
    ("ft.i", "ft_input"),
    ("ft.o", "ft_output"),
    ("host", "hosting_per_month"),
    ("stor", "storage_per_month"),
    ("jobs until", "jobs_available_until"),
    ("shutdown", "shutdown_date"),
)
VENDOR_SHORT = {"Amazon Bedrock": "Bedrock", "Azure OpenAI": "Azure", "Together AI": "Together"}


def _num(v: float) -> str:
    return f"{v:.4g}" if v < 1000 else f"{v:,.0f}"


def _cell(m: ModelEntry, field: str, catalog: Catalog | None = None) -> str:
    if field == "hosting_per_month" and m.serving_gpu:
        gpu = catalog.gpu(m.serving_gpu) if catalog is not None else None
        return f"{_num(gpu.per_hour)}/h" if gpu else "/h"
    if field == "training_per_1m" and m.training_per_1m is None and m.training_per_hour is not None:
        field, suffix = "training_per_hour", "/h"
    elif field == "hosting_per_month" and m.hosting_per_month is None and m.hosting_per_hour:
        status = m.status_of("hosting_per_hour")
        return _num(m.hosting_per_hour * HOURS_PER_MONTH) + MARK.get(status, "")
    else:
        suffix = ""
    value = getattr(m, field)
    if value is None:
        return "-"
    text = value.isoformat() if field in DATE_FIELDS else _num(value) + suffix
    return text + MARK.get(m.status_of(field), "")


def select(catalog: Catalog, ids: list[str], vendor: str | None) -> list[ModelEntry]:
    """Models by id (raises UnknownModelError) or all, optionally one vendor."""
    models = [catalog.get(i) for i in ids] if ids else list(catalog.models)
    if vendor:
        want = vendor.casefold()
        models = [
            m for m in models if want in (m.vendor.casefold(), VENDOR_SHORT.get(m.vendor, "").casefold())
        ]
    return models


def write_table(catalog: Catalog, models: list[ModelEntry], out: TextIO) -> None:
    header = ("id", "vendor", *(h for h, _ in COLUMNS))
    refs = crosscheck.references(catalog)
    flagged = {(d.model, d.field) for d in crosscheck.disagreements(catalog, refs)}

    def cell(m: ModelEntry, f: str) -> str:
        return _cell(m, f, catalog) + (DISAGREES if (m.id, f) in flagged else "")

    rows = [
        tuple(
            terminal_text(c)
            for c in (m.id, VENDOR_SHORT.get(m.vendor, m.vendor), *(cell(m, f) for _, f in COLUMNS))
        )
        for m in models
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(r: tuple) -> str:
        left = [f"{c:<{w}}" for c, w in zip(r[:2], widths[:2], strict=True)]
        right = [f"{c:>{w}}" for c, w in zip(r[2:], widths[2:], strict=True)]
        return " ".join(left + right).rstrip()

    print(line(header), file=out)
    for r in rows:
        print(line(r), file=out)
    print(file=out)
    print(
        "USD per 1M tokens. b. = batch; ft.i/ft.o = fine-tuned input/output; train /h = per"
        f" training hour;\nhost, stor = USD per month (hourly hosting x {HOURS_PER_MONTH} h).",
        file=out,
    )
    print(
        f"* inferred (rule in --format json)   ? unverified   - not published   "
        f"{DISAGREES} {crosscheck.SOURCE} disagrees by more than 5%",
        file=out,
    )
    for state, mark in (("retired", " on their shutdown date"), ("deprecated", ""), ("preview", "")):
        ids = [m.id for m in models if m.fine_tuning_state == state]
        if ids:
            print(textwrap.fill(f"{state.capitalize()}{mark}: {', '.join(ids)}", 118), file=out)
    print(
        "A retired model can no longer be fine-tuned or served; host /h: tuned models run on dedicated"
        " GPUs billed per hour\n(GPUs sized from your traffic: gpu_tokens_per_second, peak_to_average,"
        " gpu_uptime_share).",
        file=out,
    )
    print(f"Inference rates as of {catalog.as_of}:\n  {terminal_text(catalog.source)}", file=out)
    sources = sorted({m.fine_tuning_source for m in models if m.fine_tuning_source})
    if sources:
        print(f"Fine-tuning rates: curated file as of {catalog.fine_tuning_as_of}:", file=out)
        for s in sources:
            print(f"  {terminal_text(textwrap.shorten(s, 116))}", file=out)
    write_vendor_checks(catalog, {m.vendor for m in models}, out)
    write_second_source(catalog, models, refs, out)


def write_second_source(
    catalog: Catalog, models: list[ModelEntry], refs: dict[str, crosscheck.Reference], out: TextIO
) -> None:
    """What genai-prices' bundled data says about the same rates: coverage and every disagreement."""
    shown = {m.id for m in models}
    covered = [m for m in models if m.id in refs]
    gaps = [d for d in crosscheck.disagreements(catalog, refs) if d.model in shown]
    print(
        f"\nSecond source: {crosscheck.source_label()} covers {len(covered)} of {len(models)} models; "
        f"{len(gaps)} rate{'s' * (len(gaps) != 1)} disagree by more than {crosscheck.TOLERANCE:.0%}"
        + (":" if gaps else "."),
        file=out,
    )
    for d in gaps:
        line = terminal_text(f"  {d.model} {d.field}: {d.text()}")
        print(textwrap.fill(line, 118, subsequent_indent="    "), file=out)


def write_vendor_checks(catalog: Catalog, vendors: set[str], out: TextIO) -> None:
    """Per vendor: verified or how many fields are not, and the last check's date and source."""
    checks = vendor_checks(catalog)
    print(f"\n{summary(checks)} (verified: no unverified rate on a model still offered):", file=out)
    for c in checks:
        if c.vendor not in vendors and (c.models or c.retired):
            continue
        flag = "verified" if c.verified else f"{c.unverified} unverified"
        flag = flag if c.models or c.retired else "no model in the catalog"
        when = c.checked.isoformat() if c.checked else "never"
        print(f"  {c.vendor}: {flag}; fine-tuning {c.fine_tuning_state}; last checked {when}", file=out)
        if c.checked_source:
            print(f"    {textwrap.shorten(c.checked_source, 114)}", file=out)


def write_json(catalog: Catalog, models: list[ModelEntry], out: TextIO) -> None:
    meta = catalog.model_dump(mode="json", exclude={"models"})
    meta["models"] = [m.model_dump(mode="json") for m in models]
    checks = vendor_checks(catalog)
    meta["vendors_verified"] = summary(checks)
    meta["vendor_checks"] = [
        {
            **c.__dict__,
            "verified": c.verified,
            "inference_verified": c.inference_verified and c.inference_verified.isoformat(),
            "checked": c.checked and c.checked.isoformat(),
        }
        for c in checks
    ]
    refs = crosscheck.references(catalog)
    shown = {m.id for m in models}
    meta["second_source"] = {
        "source": crosscheck.source_label(),
        "data": crosscheck.DATA_SOURCE,
        "tolerance": crosscheck.TOLERANCE,
        "covered": sorted(i for i in refs if i in shown),
        "disagreements": [
            {**d.__dict__, "relative": d.relative, "text": d.text()}
            for d in crosscheck.disagreements(catalog, refs)
            if d.model in shown
        ],
    }
    json.dump(meta, out, indent=1)
    out.write("\n")


def write_csv(catalog: Catalog, models: list[ModelEntry], out: TextIO) -> None:
    fields = ("id", "vendor", "display_name", *RATE_FIELDS, *DATE_FIELDS)
    status_cols = [f"{f}_status" for f in (*RATE_FIELDS, *DATE_FIELDS)]
    w = csv.writer(out, lineterminator="\n")
    w.writerow(  # header: our own names
        [
            *fields,
            *status_cols,
            "inference_source",
            "inference_verified",
            "fine_tuning_source",
            "fine_tuning_verified",
            "aliases",
        ]
    )
    for m in models:
        values = [getattr(m, f) for f in fields]
        statuses = []
        for f in (*RATE_FIELDS, *DATE_FIELDS):
            note = m.field_status.get(f)
            statuses.append(f"{note.status}: {note.rule}" if note and getattr(m, f) is not None else "")
        w.writerow(
            csv_row(  # store text (ids, sources, rules) never becomes a formula
                [
                    *("" if v is None else v for v in values),
                    *statuses,
                    m.inference_source,
                    m.inference_verified or "",
                    m.fine_tuning_source,
                    m.fine_tuning_verified or "",
                    ";".join(m.aliases),
                ]
            )
        )


WRITERS = {"table": write_table, "json": write_json, "csv": write_csv}


def run_prices(args: argparse.Namespace) -> int:
    catalog = load_catalog(getattr(args, "store", None))
    if getattr(args, "history", False):
        from pricing.prices.history_store import load_history
        from xl_addin.history_cli import write_history

        return write_history(
            catalog, load_history(getattr(args, "store", None)), list(args.models or []), sys.stdout
        )
    try:
        models = select(catalog, list(args.models or []), args.vendor)
    except UnknownModelError as exc:
        print(f"ft-breakeven prices: {terminal_text(exc)}", file=sys.stderr)
        return 2
    if not models:
        vendors = sorted({m.vendor for m in catalog.models})
        print(
            terminal_text(
                f"ft-breakeven prices: no models for vendor {args.vendor!r}; vendors: {', '.join(vendors)}"
            ),
            file=sys.stderr,
        )
        return 2
    WRITERS[args.format](catalog, models, sys.stdout)
    return 0
