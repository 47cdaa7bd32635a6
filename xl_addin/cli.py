"""ft-breakeven: build the workbook and answer the same questions without Excel.

Each sub-command is one small function; argument parsing lives in `build_parser`.
"""

from __future__ import annotations

import argparse
import sys

from workbook.runtimes import DEFAULT_RUNTIME, RUNTIMES
from xl_addin.report_risk import add_risk_args


def cmd_report(args: argparse.Namespace) -> int:
    from xl_addin.report import run_report

    return run_report(args)


def cmd_prices(args: argparse.Namespace) -> int:
    from xl_addin.prices_cli import run_prices

    return run_prices(args)


def cmd_refresh(args: argparse.Namespace) -> int:
    from xl_addin.refresh_cli import run_refresh

    return run_refresh(args)


def cmd_build(args: argparse.Namespace) -> int:
    import tempfile
    import time
    from pathlib import Path

    from pricing.presets import presets
    from pricing.store import load_catalog
    from workbook.build import build_template
    from workbook.runtimes import DEFAULT_OUTPUT, RuntimeOptionError, check_output
    from workbook.sheets.changelog import changelog_rows
    from xl_addin.function_docs import function_table

    runtime = args.runtime
    if args.static and runtime != "xlsx":
        print(
            f"error: --static cannot be combined with --runtime {runtime}: the static copy has "
            "no FT_ formulas, so it needs no runtime (use --static alone, or drop it)",
            file=sys.stderr,
        )
        return 2
    if args.static:
        out = Path(args.output or "ft-breakeven-static.xlsx")
    else:
        try:
            out = check_output(runtime, args.output or DEFAULT_OUTPUT[runtime])
        except RuntimeOptionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    try:
        functions = function_table()
    except Exception as exc:  # the Functions sheet then says where to read the docs
        print(
            f"note: function list unavailable ({exc}); the Functions sheet points to docs/FUNCTIONS.md",
            file=sys.stderr,
        )
        functions = None
    started = time.perf_counter()

    def template(path) -> Path:
        return build_template(
            load_catalog(args.store),
            presets(),
            path,
            static=args.static,
            functions=functions,
            changelog_rows=changelog_rows(args.store),
        )

    if runtime == "classic":  # the template gets xlwings' VBA project on its way to .xlsm
        from workbook.runtimes import classic

        with tempfile.TemporaryDirectory() as tmp:
            written = [classic.make_xlsm(template(Path(tmp) / "template.xlsx"), out)]
        written.append(classic.write_sibling(out))
    else:
        written = [template(out)]
    if runtime == "lite":  # after openpyxl's save: openpyxl would drop the add-in parts
        from workbook.runtimes import lite
        from xl_addin.lite_main import lite_settings

        lite.inject(out, lite_settings())
    for path in written:
        print(f"wrote {path}")
    if runtime != "xlsx":
        print(f"runtime {runtime}: {time.perf_counter() - started:.1f} s; set-up in docs/RUNTIMES.md")
    return 0


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
    add_risk_args(report)
    report.set_defaults(func=cmd_report)

    prices = sub.add_parser("prices", help="the price catalog with provenance and as-of dates")
    prices.add_argument("models", nargs="*", help="model ids (default: all)")
    prices.add_argument("--vendor", help="only this vendor")
    prices.add_argument("--format", choices=["table", "json", "csv"], default="table")
    add_store_flag(prices)
    prices.set_defaults(func=cmd_prices)

    refresh = sub.add_parser(
        "refresh",
        help="update inference rates from the LiteLLM registry (guarded, audited)",
        description="Download the registry, apply safe changes to the price store, log them, "
        "hold back suspicious ones. Exit 1 when the download was rejected or unreachable.",
    )
    refresh.add_argument(
        "--source",
        help="registry URL (https) or local file (default: $FT_BREAKEVEN_REGISTRY_URL or LiteLLM)",
    )
    refresh.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="MODEL.FIELD",
        help="apply this held-back change anyway, e.g. gpt-4o.input (repeatable)",
    )
    refresh.add_argument("--dry-run", action="store_true", help="report only, save nothing")
    add_store_flag(refresh)
    refresh.set_defaults(func=cmd_refresh)

    build = sub.add_parser(
        "build",
        help="write the template workbook (calculator, scenarios, pricing, checks)",
        description="Write the Excel template from the stored (or bundled) price catalog. "
        "--static replaces every FT_ formula with its computed value (no add-in needed). "
        "--runtime classic writes a .xlsm for classic xlwings plus the <name>.py of Run main; "
        "--runtime lite stores main.py and requirements.txt for xlwings Lite in the workbook "
        "(docs/RUNTIMES.md).",
    )
    build.add_argument(
        "-o",
        "--output",
        help="file to write (default ./ft-breakeven.xlsx; "
        "./ft-breakeven-static.xlsx with --static; ./ft_breakeven.xlsm with "
        "--runtime classic; ./ft-breakeven-lite.xlsx with --runtime lite)",
    )
    build.add_argument("--static", action="store_true", help="values instead of FT_ formulas")
    build.add_argument(
        "--runtime",
        choices=RUNTIMES,
        default=DEFAULT_RUNTIME,
        help="xlsx (default: xlwings Server, or classic xlwings' Run main), classic (.xlsm for "
        "Import Functions, Windows) or lite (code inside the workbook, xlwings Lite)",
    )
    add_store_flag(build)
    build.set_defaults(func=cmd_build)

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
