"""How long stages of a run report their progress, and a terminal progress bar for them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tqdm import tqdm

# Called as progress(stage, done, total): `done` of `total` items of the stage named `stage`
# ("reading", "embedding", "publishing") are finished.
Progress = Callable[[str, int, int], None]


class ProgressBar:
    """A Progress that shows one bar per stage on stderr."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

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
