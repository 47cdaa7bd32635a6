"""`ft-breakeven refresh`: the price refresh from a terminal (pricing.prices.refresh does the work).

    ft-breakeven refresh [--from litellm|azure|aws|all] [--source URL|FILE] [--accept MODEL.FIELD ...]
                         [--store DIR] [--dry-run]

Prints the changes (model, field, old -> new), what was held back and why, and the as-of date.
Progress goes to stderr (a bar on a terminal, one summary line otherwise). Exit 0 when the
refresh applied changes, found nothing to do or was a dry run; 1 when the download was rejected,
unreachable or could not be saved (with --from all: when any of the three was). --from azure / aws
read the vendors' own price APIs (pricing.prices.vendor_refresh); the default source of each is
$FT_BREAKEVEN_REGISTRY_URL, $FT_BREAKEVEN_AZURE_URL or $FT_BREAKEVEN_AWS_URL, else the public one.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from pricing.neutralise import terminal_text
from pricing.prices.refresh import report_lines
from pricing.prices.vendor_refresh import refresh_from

BAR = 30


class StderrProgress:
    """Progress callback: a redrawn bar on a terminal, a single closing line elsewhere."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.received = 0

    def __call__(self, received: int, total: int | None) -> None:
        self.received = received
        if not self.tty:
            return
        if total:
            done = min(BAR, received * BAR // total)
            self.stream.write(f"\r[{'#' * done}{'.' * (BAR - done)}] {received / 1e6:5.1f} MB")
        else:
            self.stream.write(f"\r{received / 1e6:5.1f} MB")
        self.stream.flush()

    def close(self) -> None:
        if self.received:
            self.stream.write("\n" if self.tty else f"downloaded {self.received / 1e6:.1f} MB\n")
            self.stream.flush()


def run_refresh(args: argparse.Namespace) -> int:
    origin = getattr(args, "origin", "litellm")
    if origin == "all" and args.source:
        print("--source names one source's file or URL; give it with --from litellm, azure or aws, not all.")
        return 1
    progress = StderrProgress()
    results = refresh_from(
        origin,
        args.source,
        store=args.store,
        accepted=args.accept or (),
        dry_run=args.dry_run,
        progress=progress,
    )
    progress.close()
    lines = ("\n".join(terminal_text(line) for line in report_lines(r)) for r in results)  # ids, URLs
    print("\n\n".join(lines))
    return 0 if all(r.ok for r in results) else 1
