"""What each xlwings runtime needs around the template (see docs/RUNTIMES.md).

xlsx     the plain template: xlwings Server, or classic xlwings with the add-in (Run main)
classic  a .xlsm on xlwings' quickstart VBA project, for Import Functions (Windows desktop)
lite     the .xlsx with main.py and requirements.txt stored inside, for xlwings Lite
"""

from __future__ import annotations

from pathlib import Path

RUNTIMES = ("xlsx", "classic", "lite")
DEFAULT_RUNTIME = "xlsx"
SUFFIX = {"xlsx": ".xlsx", "classic": ".xlsm", "lite": ".xlsx"}
# classic: the sibling module is imported by this name, so it must be a Python identifier.
DEFAULT_OUTPUT = {
    "xlsx": "ft-breakeven.xlsx",
    "classic": "ft_breakeven.xlsm",
    "lite": "ft-breakeven-lite.xlsx",
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
