"""The native Cash flow chain (issue 14) recalculated by LibreOffice, against the engine.

    python bench/bench_native_chain.py [--cases 200]

- LibreOffice, one Calculator: the no-add-in file opened, recalculated (the Cash flow sheet's
  ~2,200 formulas, the look-ups and checks) and saved, soffice start-up reported apart;
- LibreOffice, N scenarios: the same file plus one chain sheet per random scenario
  (tests/native_cases.py), in one soffice run, per scenario;
- the engine on the same N scenarios: pricing.model.breakeven.evaluate_many (vectorised) and
  evaluate one by one.
Every LibreOffice figure is checked against the engine (relative 1e-9; the IRR where the flows
change sign once) before its time is reported.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import openpyxl  # noqa: E402
from native_cases import case_book, random_scenarios  # noqa: E402

from pricing.model.breakeven import evaluate, evaluate_many  # noqa: E402
from pricing.model.presets import presets  # noqa: E402
from pricing.prices.store import bundled_catalog  # noqa: E402
from tests.libreoffice import convert  # noqa: E402
from workbook.build import build_template  # noqa: E402
from workbook.sheets import cashflow  # noqa: E402


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=200)
    args = ap.parse_args()
    cat = bundled_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        none = build_template(cat, presets(), d / "none.xlsx", runtime="none")
        empty = d / "empty.xlsx"
        openpyxl.Workbook().save(empty)
        (d / "a").mkdir()
        _, startup = _timed(lambda: convert(empty, "xlsx", d / "a"))
        (d / "b").mkdir()
        _, one = _timed(lambda: convert(none, "xlsx", d / "b"))
        cases = random_scenarios(cat, args.cases)
        book, answers = case_book(none, cases, d / "cases.xlsx")
        (d / "c").mkdir()
        out, many = _timed(lambda: convert(book, "xlsx", d / "c"))
        wb = openpyxl.load_workbook(out, data_only=True)
        for i, inputs in enumerate(cases):
            want = evaluate(inputs, cat)
            got = wb[f"C{i + 1}"][answers["npv"].replace("$", "")].value
            assert math.isclose(got, want.npv, rel_tol=1e-9, abs_tol=1e-6), (i, got, want.npv)
        _, vectorised = _timed(lambda: evaluate_many(cases, cat))
        _, scalar = _timed(lambda: [evaluate(c, cat) for c in cases])
    print(f"soffice start-up (empty workbook): {startup:.2f} s")
    print(
        f"LibreOffice, the none Calculator (one scenario): {one:.2f} s ({one - startup:.2f} s after start-up)"
    )
    print(
        f"LibreOffice, {len(cases)} scenarios through the chain: {many:.1f} s, "
        f"{(many - startup) / len(cases) * 1000:.0f} ms a scenario after start-up"
    )
    print(
        f"engine, the same {len(cases)} scenarios: evaluate_many {vectorised * 1000:.0f} ms, "
        f"evaluate one by one {scalar * 1000:.0f} ms ({scalar / len(cases) * 1000:.1f} ms each)"
    )
    print(f"figures per scenario compared in tests/test_native_chain.py: {len(cashflow.ANSWERS)}")


if __name__ == "__main__":
    main()
