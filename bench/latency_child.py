"""One version's side of bench/latency.py, run in a child process: build that version's index of
the benchmark corpus, or time its searches; prints one JSON object as its last line.

bench/latency.py copies this file beside its data and runs it with the working directory and
PYTHONPATH set to one checkout (and `python -P`, so the script's own folder is not searched
first): the hub modules it imports are that checkout's, which it checks before doing anything.
It needs nothing from the checkout but `ingest` and `index`, so the same file serves a baseline
commit that never had it.

Run:  python -P latency_child.py build --code DIR --data DIR --corpus DIR --models DIR --known NPZ [--full]
      python -P latency_child.py time  --code DIR --data DIR --models DIR --queries JSON
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

PACKAGES = ("ingest", "index", "bench")


def mixed_vector(text: str, pool: np.ndarray) -> np.ndarray:
    """The vector bench/synthetic.py's Replay gives a generated passage: a mix of two real
    passage vectors from `pool` plus a little noise, chosen by a hash of `text`. Kept the same
    here so both versions' builds get the very vectors the benchmark's own Replay would."""
    seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
    rng = np.random.default_rng(seed)
    first, second = rng.integers(0, len(pool), 2)
    weight = rng.uniform(0.5, 1.0)
    mixed = weight * pool[first] + (1 - weight) * pool[second]
    mixed = mixed + rng.normal(0.0, 0.02, pool.shape[1])
    return (mixed / np.linalg.norm(mixed)).astype(np.float32)


class FileReplay:
    """An embedder giving the real vectors saved in a file for real passages and mixes of
    them for generated ones; tokens are counted, and queries embedded, by the real model."""

    def __init__(self, inner: Any, known: dict[str, np.ndarray]) -> None:
        self.inner = inner
        self.known = known
        self.pool = np.stack(list(known.values()))
        self.real = 0
        self.mixed = 0

    @property
    def model_key(self) -> str:
        return str(self.inner.model_key)

    @property
    def dimension(self) -> int:
        return int(self.inner.dimension)

    @property
    def max_tokens(self) -> int:
        return int(self.inner.max_tokens)

    def count_tokens(self, text: str) -> int:
        return int(self.inner.count_tokens(text))

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        out = []
        for text in texts:
            if text in self.known:
                self.real += 1
                out.append(self.known[text])
            else:
                self.mixed += 1
                out.append(mixed_vector(text, self.pool))
        return np.stack(out)

    def encode_query(self, text: str) -> np.ndarray:
        return np.asarray(self.inner.encode_query(text))


def foreign_modules(code: Path) -> list[str]:
    """Hub modules loaded in this process from anywhere but `code` (an empty list is right)."""
    found = []
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if name.split(".")[0] in PACKAGES and where and not Path(where).resolve().is_relative_to(code):
            found.append(f"{name} from {where}")
    return found


def build(code: Path, data: Path, corpus: Path, models: Path, known_file: Path, full: bool) -> dict[str, Any]:
    """Bring `data`'s index up to date with `corpus` through this checkout's `update_index`;
    what the run did, as a dict. Raises SystemExit when the build is not published."""
    from index.build import update_index
    from ingest.embed import load_embedder
    from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, Settings

    with np.load(known_file) as saved:
        known = dict(zip((str(t) for t in saved["texts"]), saved["vectors"], strict=True))
    replay = FileReplay(load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, models), known)
    settings = Settings(corpus_dir=corpus, data_dir=data, model=DEFAULT_MODEL, max_shrink=1.0)
    start = time.perf_counter()
    report = update_index(settings, replay, full=full)
    if report.outcome not in ("published", "unchanged"):
        raise SystemExit(f"the build in {data} was not published: {report.outcome}: {report.message}")
    return {
        "outcome": report.outcome,
        "passages": report.chunks,
        "documents": report.documents,
        "seconds": time.perf_counter() - start,
        "real": replay.real,
        "mixed": replay.mixed,
        "foreign": foreign_modules(code),
    }


def time_searches(code: Path, data: Path, models: Path, queries_file: Path) -> dict[str, Any]:
    """Open `data`'s live index as the portal does and time each query under each measure,
    the measures taking turns query by query; milliseconds per measure, as a dict."""
    from index.api import Hub
    from index.filters import Filters
    from ingest.embed import load_embedder
    from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, Settings

    inputs = json.loads(queries_file.read_text(encoding="utf-8"))
    queries: list[str] = inputs["queries"]
    kind = Filters(kinds=tuple(inputs["kinds"]))
    page = int(inputs["page_limit"])
    embedder = load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, models)
    hub = Hub(Settings(data_dir=data, model=DEFAULT_MODEL), lambda s: embedder)
    runs: dict[str, Any] = {
        "search": lambda q: hub.search(q, limit=10),
        "search + kind filter": lambda q: hub.search(q, kind, limit=10),
    }
    if hasattr(hub, "search_page"):
        runs["search_page"] = lambda q: hub.search_page(q, limit=page)
        runs["search_page + kind filter"] = lambda q: hub.search_page(q, kind, limit=page)
    try:
        from index.access import Viewer
    except ImportError:  # a version from before audiences: every search sees everything
        pass
    else:
        # Unrestricted, as the versions before audiences searched; then who is asking, over a
        # corpus where a fifth of the generated documents is for one of five teams.
        everything, team, anyone = Viewer.operator(), Viewer.in_groups(["team-1"]), Viewer.anonymous()
        runs["search"] = lambda q: hub.search(q, limit=10, viewer=everything)
        runs["search + kind filter"] = lambda q: hub.search(q, kind, limit=10, viewer=everything)
        runs["search_page"] = lambda q: hub.search_page(q, limit=page, viewer=everything)
        runs["search_page + kind filter"] = lambda q: hub.search_page(q, kind, limit=page, viewer=everything)
        runs["search as a team-1 reader"] = lambda q: hub.search(q, limit=10, viewer=team)
        runs["search as not signed in"] = lambda q: hub.search(q, limit=10, viewer=anyone)
    for query in queries[:5]:  # the first calls load the index and warm the model
        for run in runs.values():
            run(query)
    figures: dict[str, list[float]] = {name: [] for name in runs}
    for query in queries:
        for name, run in runs.items():
            start = time.perf_counter()
            run(query)
            figures[name].append((time.perf_counter() - start) * 1000)
    build_ = hub.snapshot()
    return {
        "ms": figures,
        "passages": int(build_.vectors.size),
        "documents": len(build_.documents),
        "foreign": foreign_modules(code),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("build", "time"))
    parser.add_argument("--code", type=Path, required=True, help="the checkout whose hub modules must be used")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--known", type=Path)
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    code = args.code.resolve()
    import index
    import ingest

    # Refuse to measure one version with another's modules: the whole comparison rests on it.
    if wrong := foreign_modules(code) or [m.__name__ for m in (index, ingest) if m.__file__ is None]:
        raise SystemExit(f"hub modules loaded from outside {code}: {wrong}")
    if args.mode == "build":
        figures = build(code, args.data, args.corpus, args.models, args.known, args.full)
    else:
        figures = time_searches(code, args.data, args.models, args.queries)
    if figures["foreign"]:
        raise SystemExit(f"hub modules loaded from outside {code}: {figures['foreign']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
