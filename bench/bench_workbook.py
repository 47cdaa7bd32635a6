"""Workbook benchmark: building the template, and its scenarios recalculated three ways.

    python bench/bench_workbook.py [--repeats 5] [--copies 1]

- build: the template (FT_ formulas) and the static copy, with the full bundled catalog;
- engine: pricing.breakeven.evaluate_many on the Scenarios sheet's rows (the reference);
- formulas: the `formulas` package recalculating the whole template (every sheet, the FT_
  functions plugged in from xl_addin.functions, as tests/test_workbook_formulas.py does);
- LibreOffice: headless soffice opening the static copy, recalculating its native formulas
  (look-ups, checks, the schedule's running sums) and saving it; the start-up of soffice is
  timed on an empty workbook and reported apart. LibreOffice cannot run FT_ functions (they are
  xlwings UDFs), which is why it gets the static copy.
Every way's Scenarios payback column is checked against the engine before anything is timed.
`--copies N` repeats the presets N times on the Scenarios sheet (more rows, same layout).
"""

from __future__ import annotations

import argparse
import logging
import math
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from timing import median_time  # noqa: E402

from pricing.breakeven import evaluate_many  # noqa: E402
from pricing.presets import presets  # noqa: E402
from pricing.store import bundled_catalog  # noqa: E402
from tests.libreoffice import SOFFICE, convert  # noqa: E402
from workbook.build import build_template  # noqa: E402
from workbook.sheets import scenarios as scenarios_sheet  # noqa: E402
from xl_addin.function_docs import function_table  # noqa: E402

PAYBACK_COLUMN = get_column_letter(
    len(scenarios_sheet.INPUT_COLUMNS) + 2 + [o for o, _ in scenarios_sheet.OUTPUTS].index("payback_months")
)


def runtime_builds(template: Path, tmp: Path, repeats: int) -> tuple[float, float]:
    """What each runtime adds to the template: the VBA project (classic), the Lite parts."""
    from workbook.runtimes import classic, lite
    from xl_addin.lite_main import lite_settings

    t_classic, _ = median_time(lambda i: classic.make_xlsm(template, tmp / f"book_{i}.xlsm"), repeats)

    def add_lite(i: int) -> None:
        copy = tmp / f"lite-{i}.xlsx"
        shutil.copyfile(template, copy)
        lite.inject(copy, lite_settings())

    t_lite, _ = median_time(add_lite, repeats)
    return t_classic, t_lite


def payback_cells(values_of, n: int) -> list:
    return [values_of(f"{PAYBACK_COLUMN}{scenarios_sheet.FIRST_ROW + i}") for i in range(n)]


def agree(got: list, want: list) -> bool:
    for g, w in zip(got, want, strict=True):
        if w is None:  # never pays back: #NUM! with the add-in, "n/a" in the static copy
            if g not in ("#NUM!", "n/a"):
                return False
        elif not (isinstance(g, (int, float)) and math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-9)):
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args(argv)

    catalog, functions = bundled_catalog(), function_table()
    rows = [p.scenario for p in presets()] * args.copies
    n = len(rows)
    tmp = Path(tempfile.mkdtemp(prefix="bench-workbook-"))
    template, static = tmp / "template.xlsx", tmp / "static.xlsx"

    t_build, _ = median_time(
        lambda _: build_template(catalog, rows, template, functions=functions), args.repeats
    )
    t_static, _ = median_time(
        lambda _: build_template(catalog, rows, static, static=True, functions=functions), args.repeats
    )
    t_classic, t_lite = runtime_builds(template, tmp, args.repeats)
    t_engine, results = median_time(lambda _: evaluate_many(rows, catalog), args.repeats)
    want = [r.payback_months for r in results]

    from tests.test_workbook_formulas import cell, solve  # the tests' recalculation, FT_ plugged in

    # schedula logs a dispatch it retries once its inputs exist; every formula still gets its value
    logging.getLogger("schedula").setLevel(logging.CRITICAL)

    t_formulas, solved = median_time(lambda _: solve(template), max(1, args.repeats // 2))
    formulas_ok = agree(payback_cells(lambda ref: cell(solved, "Scenarios", ref), n), want)

    print(f"scenarios: {n}; catalog: {len(catalog.models)} models; median of {args.repeats} runs")
    print(f"build template (FT_ formulas):   {t_build * 1e3:8.0f} ms  ({template.stat().st_size:,} bytes)")
    print(f"build static copy (values):      {t_static * 1e3:8.0f} ms  ({static.stat().st_size:,} bytes)")
    print(
        f"  + classic .xlsm (VBA project):  {t_classic * 1e3:8.0f} ms;  + lite parts (main.py bundle): "
        f"{t_lite * 1e3:.0f} ms"
    )
    print(f"engine, the sheet's scenarios:   {t_engine * 1e3:8.2f} ms")
    print(
        f"formulas package, whole book:    {t_formulas * 1e3:8.0f} ms  = {t_formulas / t_engine:,.0f}x the "
        f"engine; paybacks equal the engine: {formulas_ok}"
    )
    if SOFFICE is None:
        print("LibreOffice: soffice not installed, skipped")
        return 0 if formulas_ok else 1
    empty = tmp / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    convert(empty, "xlsx", tmp / "warm")  # the first start creates the profile: not timed
    t_start, _ = median_time(lambda _: convert(empty, "xlsx", tmp / "warm"), 3)
    t_lo, out = median_time(lambda _: convert(static, "xlsx", tmp / "lo"), 3)
    sheet = openpyxl.load_workbook(out, data_only=True)["Scenarios"]
    lo_ok = agree(payback_cells(lambda ref: sheet[ref].value, n), want)
    print(
        f"LibreOffice, static copy:        {t_lo * 1e3:8.0f} ms  (of which start-up on an empty book "
        f"{t_start * 1e3:.0f} ms); paybacks equal the engine: {lo_ok}"
    )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if formulas_ok and lo_ok else 1


if __name__ == "__main__":
    sys.exit(main())
