"""What the benchmarks share: printing, timing, percentiles, and the filter and page size they use."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from index.filters import Filters

FILTER = Filters(kinds=("guidance",))
RESULTS_SHOWN = 20  # the Search page's first page of results


def say(text: str = "") -> None:
    print(text, flush=True)


def percentiles(ms: Sequence[float]) -> str:
    p50, p95, p99 = np.percentile(np.asarray(ms), [50, 95, 99])
    return f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result
