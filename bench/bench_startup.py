"""Cold start: `ft-breakeven --version` and `--help`, and `import xl_addin.functions` (what
xlwings Lite and the classic add-in load), each in a fresh interpreter, against a bare one.

    python bench/bench_startup.py [--rounds 21]

Each command runs in a new process, the medians come from interleaved rounds, so the ratios hold
on a shared machine. The CLI runs as its console script does (`from xl_addin.cli import main`),
from this checkout. Goal (issue 19): --version and --help within 2x a bare `python -c pass`.
Then `python -X importtime -c "import xl_addin.functions"` broken down: the modules it imports
directly, by cumulative time, and the biggest single modules by their own time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import interleaved, machine  # noqa: E402

CLI = "import sys; from xl_addin.cli import main; sys.argv[0] = 'ft-breakeven'; sys.exit(main())"
COMMANDS = {
    "bare interpreter (python -c pass)": ["-c", "pass"],
    "ft-breakeven --version": ["-c", CLI, "--version"],
    "ft-breakeven --help": ["-c", CLI, "--help"],
    "import xl_addin.functions": ["-c", "import xl_addin.functions"],
}


def run(args: list[str]) -> None:
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def import_times(module: str) -> list[tuple[int, int, int, str]]:
    """(self us, cumulative us, depth, name) of every import `import module` does."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, total, name = line[len("import time:") :].split("|")
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        rows.append((int(own), int(total), depth, name.strip()))
    return rows


def breakdown(module: str, top: int) -> list[str]:
    rows = import_times(module)
    total = next(t for _, t, d, n in rows if n == module and d == 0)
    # the modules `module` imports itself are the depth-1 lines listed before it
    end = next(i for i, (_, _, d, n) in enumerate(rows) if n == module and d == 0)
    start = max((i + 1 for i, r in enumerate(rows[:end]) if r[2] == 0), default=0)
    direct = sorted((r for r in rows[start:end] if r[2] == 1), key=lambda r: -r[1])
    lines = [f"python -X importtime -c 'import {module}': {total / 1e3:.1f} ms in all; what it imports:"]
    lines += [f"  {t / 1e3:7.1f} ms  {n}" for _, t, _, n in direct[:top]]
    lines.append(f"  {sum(r[0] for r in rows[: end + 1] if r[2] >= 1) / 1e3:7.1f} ms  (sum of own times)")
    lines.append("biggest modules by their own time (body executed at import):")
    biggest = sorted(rows[start : end + 1], key=lambda r: -r[0])[:top]
    lines += [f"  {s / 1e3:7.1f} ms  {n}" for s, _, _, n in biggest]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    print(machine())
    start = time.perf_counter()
    t = interleaved({name: lambda a=a: run(a) for name, a in COMMANDS.items()}, args.rounds)
    bare = t["bare interpreter (python -c pass)"]
    took = time.perf_counter() - start
    print(f"median of {args.rounds} interleaved rounds, a new process each ({took:.0f} s)")
    for name, seconds in t.items():
        goal = " (goal <= 2x)" if "--" in name else ""
        print(f"  {name:36s} {seconds * 1e3:7.1f} ms = {seconds / bare:4.1f}x the bare interpreter{goal}")
    for line in breakdown("xl_addin.functions", args.top):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
