"""The one timing rule every benchmark here uses: the median of repeated runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_time(fn: Callable[[int], Any], repeats: int, warm_up: bool = False) -> tuple[float, Any]:
    """(median seconds of `repeats` calls fn(i), the last call's result); the median, not the
    mean, because this machine is shared and one slow run says nothing about the code."""
    if warm_up:  # first-call costs (imports, caches) are not what a user repeats
        fn(-1)
    times, result = [], None
    for i in range(repeats):
        start = time.perf_counter()
        result = fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def interleaved_runs(
    fns: dict[str, Callable[[], Any]], rounds: int, warm_up: bool = True
) -> dict[str, list[float]]:
    """Seconds of each fn in each of `rounds` rounds, every round running each fn once (in a
    rotating order): a burst of load from the other workers on this shared machine then slows
    every contender alike, so the ratios between them hold even when the absolute times do not."""
    if warm_up:
        for fn in fns.values():
            fn()
    names = list(fns)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - start)
    return times


def interleaved(fns: dict[str, Callable[[], Any]], rounds: int, warm_up: bool = True) -> dict[str, float]:
    """Median seconds of each fn over interleaved rounds (see interleaved_runs)."""
    return {name: statistics.median(t) for name, t in interleaved_runs(fns, rounds, warm_up).items()}


def best_and_median(runs: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    """(fastest, median) seconds of each contender: the fastest round is the code's own cost
    with the least interference from the other workers, the median what a user meets."""
    return {name: (min(t), statistics.median(t)) for name, t in runs.items()}


def machine() -> str:
    """One line for every benchmark's output: what ran it (the ratios depend on it)."""
    import os
    import platform

    import numpy as np

    blas = ""
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(f"{i['internal_api']} {i.get('architecture', '')}" for i in threadpool_info())
    except ImportError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"Python {platform.python_version()}, numpy {np.__version__}"
        f"{f' ({blas})' if blas else ''}, {os.cpu_count()} CPUs, load average {load} (shared machine)"
    )
