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
