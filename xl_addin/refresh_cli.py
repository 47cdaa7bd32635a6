"""`ft-breakeven refresh`: the price refresh from a terminal (pricing.refresh does the work).

    ft-breakeven refresh [--source URL|FILE] [--accept MODEL.FIELD ...] [--store DIR] [--dry-run]

Prints the changes (model, field, old -> new), what was held back and why, and the as-of date.
Progress goes to stderr (a bar on a terminal, one summary line otherwise). Exit 0 when the
refresh applied changes, found nothing to do or was a dry run; 1 when the download was rejected,
unreachable or could not be saved. The default source is $FT_BREAKEVEN_REGISTRY_URL, else
LiteLLM's registry.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from pricing.neutralise import terminal_text
from pricing.refresh import refresh, report_lines

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
    progress = StderrProgress()
    result = refresh(
        args.source,
        store=args.store,
        accepted=args.accept or (),
        dry_run=args.dry_run,
        progress=progress,
    )
    progress.close()
    print("\n".join(terminal_text(line) for line in report_lines(result)))  # ids, URLs: escaped
    return 0 if result.ok else 1
