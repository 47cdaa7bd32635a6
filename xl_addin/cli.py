"""ft-breakeven: build the workbook and answer the same questions without Excel.

Each sub-command is one small function; argument parsing lives in `build_parser`.

One rule for every failure: one sentence on stderr naming the input, the value and what is
allowed, and a non-zero exit (2 bad input, 1 anything else). `main` is the last line of
defence: an unexpected error becomes one sentence pointing to --debug, which shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from pricing.neutralise import terminal_text
from workbook.formulas import SERVER_NAMESPACE
from workbook.runtimes import DEFAULT_RUNTIME, RUNTIMES
from xl_addin import __version__
from xl_addin.currency_cli import add_currency_args
from xl_addin.report_risk_args import add_risk_args

DEBUG_HELP = "show the Python traceback of an unexpected error"


def add_command(sub: argparse._SubParsersAction, name: str, runner: str, **kwargs) -> argparse.ArgumentParser:
    """Sub-command `name`, run by `runner` ("module:function"), imported only when that
    sub-command runs (`--help` and `--version` stay fast: issue 19)."""
    module, function = runner.split(":")

    def run(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(module), function)(args)

    p = sub.add_parser(name, **kwargs)
    p.set_defaults(func=run)
    return p


def add_store_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store",
        help="folder of the user price store (default: FT_BREAKEVEN_HOME or the platform data dir)",
    )


def add_format_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad flag is one sentence (no usage block), as every other refusal is."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: {terminal_text(message)} (--help lists the options)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="ft-breakeven",
        description="Will fine-tuning this LLM save us money, and when does it pay back?",
    )
    # the package's own __version__, not importlib.metadata (which scans every installed
    # distribution: 3x the interpreter's start-up, issue 19); pyproject.toml reads it too
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True)

    report = add_command(
        sub, "report", "xl_addin.report:run_report", help="evaluate a preset or a scenario file"
    )
    src = report.add_mutually_exclusive_group()
    src.add_argument("--preset", help="preset name (see --list-presets)")
    src.add_argument("--scenario", help="JSON file with scenario fields (COST_MODEL.md names)")
    src.add_argument("--all", action="store_true", help="every preset, one row each")
    report.add_argument("--list-presets", action="store_true", help="list preset names and exit")
    add_format_flag(report)
    add_store_flag(report)
    add_risk_args(report)
    add_currency_args(report)

    modes = add_command(
        sub,
        "serving-modes",
        "xl_addin.serving_modes_cli:run_serving_modes",
        help="one scenario under each serving mode of its vendor (hosted, serverless LoRA, "
        "dedicated GPUs, own GPUs), the cheapest marked",
    )
    src = modes.add_mutually_exclusive_group()
    src.add_argument("--preset", help="preset name (`ft-breakeven report --list-presets`)")
    src.add_argument("--scenario", help="JSON file of one scenario (COST_MODEL.md names)")
    add_format_flag(modes)
    add_store_flag(modes)
    add_currency_args(modes)

    inputs = add_command(
        sub,
        "inputs",
        "xl_addin.inputs_cli:run_inputs",
        help="every scenario input: name, label, unit, allowed values, default (docs/INPUTS.md)",
    )
    add_format_flag(inputs)

    prices = add_command(
        sub,
        "prices",
        "xl_addin.prices_cli:run_prices",
        help="the price catalog with provenance and as-of dates",
    )
    prices.add_argument("models", nargs="*", help="model ids (default: all)")
    prices.add_argument("--vendor", help="only this vendor")
    add_format_flag(prices)
    prices.add_argument("--history", action="store_true", help="each model's dated price changes since 2023")
    add_store_flag(prices)

    refresh = add_command(
        sub,
        "refresh",
        "xl_addin.refresh_cli:run_refresh",
        help="update rates from the LiteLLM registry or a vendor price API (guarded, audited)",
        description="Download the registry (or a vendor's price list), apply safe changes to the "
        "price store, log them, hold back suspicious ones. Exit 1 when a download was rejected or "
        "unreachable.",
    )
    refresh.add_argument(
        "--from",
        dest="origin",
        choices=["litellm", "azure", "aws", "all"],
        default="litellm",
        help="what to read: the LiteLLM registry (default), the Azure Retail Prices API, the AWS "
        "Price List for Bedrock, or all three in turn",
    )
    refresh.add_argument(
        "--source",
        help="URL (https) or local file for the --from source (default: $FT_BREAKEVEN_REGISTRY_URL, "
        "$FT_BREAKEVEN_AZURE_URL or $FT_BREAKEVEN_AWS_URL, else the public one)",
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

    build = add_command(
        sub,
        "build",
        "xl_addin.build_cli:run_build",
        help="write the workbook (calculator, risk, scenarios, pricing, checks)",
        description="Write the Excel workbook from the stored (or bundled) price catalog, for one "
        "runtime: lite (default: xlwings Lite, code inside the workbook; Excel on Windows, Mac, "
        "web), classic (.xlsm for classic xlwings plus the <name>.py of Run main), server (your "
        "xlwings Server deployment) or none (no add-in: values instead of FT_ formulas; "
        "--static is the same). Set-up per runtime: docs/RUNTIMES.md.",
    )
    build.add_argument(
        "-o",
        "--output",
        help="file to write (default ./ft-breakeven.xlsx; ./ft_breakeven.xlsm with --runtime "
        "classic; ./ft-breakeven-server.xlsx with server; ./ft-breakeven-static.xlsx with none)",
    )
    build.add_argument("--static", action="store_true", help="the same as --runtime none")
    build.add_argument("--force", action="store_true", help="replace an existing file of the same name")
    build.add_argument(
        "--runtime",
        default=None,
        metavar="RUNTIME",
        help=f"one of {', '.join(RUNTIMES)} (default {DEFAULT_RUNTIME})",
    )
    build.add_argument(
        "--server-namespace",
        default=SERVER_NAMESPACE,
        help="--runtime server: your xlwings Server's functions_namespace (default XLWINGS; '' for none)",
    )
    build.add_argument(
        "--server-manifest-id",
        default=None,
        help="--runtime server: the <Id> of your xlwings Server's manifest (default: the stock one)",
    )
    add_currency_args(build)
    add_store_flag(build)

    from xl_addin.training_args import add_training_parser  # its module: the command is not in this file

    training = add_training_parser(sub, add_store_flag)

    for p in (report, modes, prices, refresh, build, training):  # --debug after the sub-command works too
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (tests capture it)
        pass


def _flush_stdout() -> None:
    """Flush now, so a full disk or a closed pipe is reported here, not at interpreter exit."""
    try:
        sys.stdout.flush()
    except OSError:
        _silence_stdout()
        raise


def _say(command: str, message: str) -> None:
    print(f"ft-breakeven {command}: {terminal_text(message)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        _flush_stdout()
        return code
    except BrokenPipeError:  # `ft-breakeven prices | head`
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        _say(args.command, "interrupted; nothing was saved half-way")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        if isinstance(exc, OSError):  # a full disk, a read-only folder, a vanished file
            where = exc.filename or "the output"
            _say(args.command, f"could not read or write {where} ({exc.strerror or exc})")
            _silence_stdout()
            return 1
        first = (str(exc).splitlines() or [""])[0][:200]
        _say(
            args.command,
            f"unexpected error ({type(exc).__name__}: {first}); run again with --debug for the traceback",
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
