"""The runtimes a workbook is built for (see docs/RUNTIMES.md).

lite     (default) the .xlsx with our code inside, for xlwings Lite: Excel on Windows, Mac and
         the web, no Python install
classic  a .xlsm on xlwings' quickstart VBA project, for Import Functions (Windows desktop)
server   the .xlsx for your own xlwings Server deployment (its add-in and namespace)
none     no add-in at all: the FT_ cells hold the engine's values (`--static` is the same)
"""

from __future__ import annotations

from pathlib import Path

RUNTIMES = ("lite", "classic", "server", "none")
DEFAULT_RUNTIME = "lite"
SUFFIX = {"lite": ".xlsx", "classic": ".xlsm", "server": ".xlsx", "none": ".xlsx"}
# classic: the sibling module is imported by this name, so it must be a Python identifier.
DEFAULT_OUTPUT = {
    "lite": "ft-breakeven.xlsx",
    "classic": "ft_breakeven.xlsm",
    "server": "ft-breakeven-server.xlsx",
    "none": "ft-breakeven-static.xlsx",
}


class RuntimeOptionError(ValueError):
    """A runtime / output combination that cannot work; the text names the flag and value."""


def check_output(runtime: str, output: str | Path) -> Path:
    """The output path, or RuntimeOptionError saying which suffix or name the runtime needs."""
    if runtime not in RUNTIMES:
        raise RuntimeOptionError(f"--runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
    path = Path(output)
    want = SUFFIX[runtime]
    if path.suffix.lower() != want:
        raise RuntimeOptionError(f"--output for --runtime {runtime} must end in {want}, got {str(output)!r}")
    if runtime == "classic":
        from workbook.runtimes.classic import check_module_name

        check_module_name(path)
    return path
