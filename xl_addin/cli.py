"""ft-breakeven: build the workbook and answer the same questions without Excel.

Each sub-command is one small function; argument parsing lives in `build_parser`.
"""

from __future__ import annotations

import argparse
import sys


def cmd_report(args: argparse.Namespace) -> int:
    from xl_addin.report import run_report

    return run_report(args)


def cmd_prices(args: argparse.Namespace) -> int:
    from xl_addin.prices_cli import run_prices

    return run_prices(args)


def add_store_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        help="folder of the user price store (default: FT_BREAKEVEN_HOME or the platform data dir)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ft-breakeven",
        description="Will fine-tuning this LLM save us money, and when does it pay back?",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    report = sub.add_parser("report", help="evaluate a preset or a scenario file")
    src = report.add_mutually_exclusive_group()
    src.add_argument("--preset", help="preset name (see --list-presets)")
    src.add_argument("--scenario", help="JSON file with scenario fields (COST_MODEL.md names)")
    src.add_argument("--all", action="store_true", help="every preset, one row each")
    report.add_argument("--list-presets", action="store_true", help="list preset names and exit")
    report.add_argument("--format", choices=["table", "json", "csv"], default="table")
    add_store_flag(report)
    report.set_defaults(func=cmd_report)

    prices = sub.add_parser("prices", help="the price catalog with provenance and as-of dates")
    prices.add_argument("models", nargs="*", help="model ids (default: all)")
    prices.add_argument("--vendor", help="only this vendor")
    prices.add_argument("--format", choices=["table", "json", "csv"], default="table")
    add_store_flag(prices)
    prices.set_defaults(func=cmd_prices)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `ft-breakeven prices | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
