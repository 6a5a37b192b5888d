"""A terminal progress bar for long stages of a run."""

from __future__ import annotations

from collections.abc import Callable

from tqdm import tqdm

# Called as progress(stage, done, total) by every long step of a run.
Progress = Callable[[str, int, int], None]


class ProgressBar:
    """Called as progress(stage, done, total); shows one bar per stage on stderr."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage or self._bar is None:
            self.close()
            self._stage = stage
            self._bar = tqdm(total=total, desc=stage, unit=" items", leave=False)
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
