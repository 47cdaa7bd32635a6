"""`ft-breakeven build`: the template for one runtime, written so that nothing is ever lost.

The workbook is assembled in a temporary folder beside the target and moved into place only
when complete, so a failure half-way leaves the old file whole. An existing file, perhaps one a
user has filled in, is replaced only with --force.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

try:  # openpyxl writes through lxml when it is installed; its write errors are not OSErrors
    from lxml.etree import SerialisationError
except ImportError:  # pragma: no cover

    class SerialisationError(Exception):  # type: ignore[no-redef]
        """Stands in for lxml's error when openpyxl writes without lxml."""


from pricing.model.presets import presets
from pricing.neutralise import terminal_text, workbook_safe
from pricing.prices.store import load_catalog
from workbook.build import build_template
from workbook.formulas import SERVER_NAMESPACE
from workbook.runtimes import DEFAULT_OUTPUT, DEFAULT_RUNTIME, RUNTIMES, RuntimeOptionError, check_output
from workbook.runtimes.server import check_manifest_id
from workbook.sheets.changelog import changelog_rows
from xl_addin.currency_cli import currency_from_args
from xl_addin.function_docs import function_table


class BuildRefused(ValueError):
    """A flag combination or target that cannot be honoured; str(e) tells the user why."""


def chosen_runtime(args: argparse.Namespace) -> str:
    """--runtime, with --static meaning none; BuildRefused names the flag and what is allowed."""
    runtime = args.runtime
    if args.static:
        if runtime not in (None, "none"):
            raise BuildRefused(
                f"--static cannot be combined with --runtime {runtime}: --static is --runtime none "
                "(no add-in, values instead of FT_ formulas); give one of them"
            )
        return "none"
    runtime = DEFAULT_RUNTIME if runtime is None else runtime
    if runtime not in RUNTIMES:
        raise BuildRefused(f"--runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
    return runtime


NEXT_STEP = {
    "lite": "open it in Excel with the free xlwings Lite add-in (About sheet, step 2)",
    "classic": "open the .xlsm in Windows Excel, then xlwings > Import Functions (docs/RUNTIMES.md)",
    "server": "open it in Excel with your xlwings Server add-in installed (docs/RUNTIMES.md)",
    "none": "live native formulas: opens in any spreadsheet program, no add-in needed",
}


def output_paths(args: argparse.Namespace) -> list[Path]:
    """The files this build writes (the workbook first), or BuildRefused naming the flag."""
    runtime = chosen_runtime(args)
    try:
        out = check_output(runtime, args.output or DEFAULT_OUTPUT[runtime])
        currency_from_args(args)  # a bad --currency/--fx-rate is refused before anything is written
        if runtime == "server" and args.server_manifest_id is not None:
            check_manifest_id(args.server_manifest_id)
    except (RuntimeOptionError, ValueError) as exc:
        raise BuildRefused(str(exc)) from None
    paths = [out, out.with_suffix(".py")] if runtime == "classic" else [out]
    above = next((p for p in out.absolute().parents if p.exists()), None)
    if above is not None and not above.is_dir():
        raise BuildRefused(f"-o {out} is under {above}, which is a file, not a folder")
    folder = next((p for p in paths if p.is_dir()), None)
    if folder is not None:
        raise BuildRefused(f"-o {folder} is a folder: give a file name, e.g. -o {folder / out.name}")
    existing = [p for p in paths if p.exists()]
    if existing and not args.force:
        raise BuildRefused(
            f"{existing[0]} already exists and may hold your edits: pass --force to replace it, "
            "or -o to write another file"
        )
    return paths


def _function_list():
    try:
        return function_table()
    except Exception as exc:  # the Functions sheet then says where to read the docs
        print(
            f"note: function list unavailable ({exc}); the Functions sheet points to docs/FUNCTIONS.md",
            file=sys.stderr,
        )
        return None


def _assemble(args: argparse.Namespace, catalog, folder: Path, name: str) -> list[Path]:
    """Write the runtime's files into `folder` (the workbook under `name`)."""
    runtime = chosen_runtime(args)
    settings = None
    if runtime == "lite":  # our code travels inside the workbook
        from xl_addin.lite_main import lite_settings

        settings = lite_settings()
    out = build_template(
        catalog,
        presets(),
        folder / name,
        runtime=runtime,
        functions=_function_list(),
        changelog_rows=changelog_rows(args.store),
        addin_settings=settings,
        server_namespace=getattr(args, "server_namespace", SERVER_NAMESPACE),
        server_manifest_id=getattr(args, "server_manifest_id", None),
        currency=currency_from_args(args),
    )
    if runtime == "classic":
        from workbook.runtimes import classic

        return [out, classic.write_sibling(out)]
    return [out]


def _write(args: argparse.Namespace, targets: list[Path]):
    """Build into a temporary folder beside the target, then move the files into place."""
    target_dir = targets[0].resolve().parent
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".ft-breakeven-build-") as tmp:
        catalog = load_catalog(args.store)
        built = _assemble(args, workbook_safe(catalog), Path(tmp), targets[0].name)  # store text
        for src, dest in zip(built, targets, strict=True):
            os.replace(src, dest)  # same folder, so each file appears whole or not at all
    return catalog


def _quiet_write_errors(unraisable, default=sys.unraisablehook) -> None:
    if not isinstance(unraisable.exc_value, (OSError, SerialisationError)):
        default(unraisable)


def run_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        targets = output_paths(args)
        runtime = chosen_runtime(args)
        catalog = _write(args, targets)
    except BuildRefused as exc:
        print(f"ft-breakeven build: {terminal_text(exc)}", file=sys.stderr)
        return 2
    except (OSError, SerialisationError) as exc:  # read-only folder, full disk, long name
        target = args.output or "the workbook"
        why = getattr(exc, "strerror", None) or exc  # lxml says IO_ENOSPC / IO_EFBIG
        print(
            terminal_text(f"ft-breakeven build: could not write {target} ({why}); nothing was replaced"),
            file=sys.stderr,
        )
        # openpyxl's half-written sheet generators re-raise the same error when collected
        sys.unraisablehook = _quiet_write_errors
        return 1
    for path in targets:
        print(f"wrote {path}")
    origin = catalog.source.rsplit("(", 1)[-1].rstrip(")") if "(" in catalog.source else catalog.source
    print(f"prices as of {catalog.as_of.isoformat()}: {len(catalog.models)} models, from {origin}")
    print(f"runtime {runtime}: {NEXT_STEP[runtime]} ({time.perf_counter() - started:.1f} s)")
    return 0
