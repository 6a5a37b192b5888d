"""Search latency of the current code against a baseline commit, on the same corpus, in one run.

Run:  python bench/latency.py --baseline COMMIT [--work /tmp/hub-latency] [--size 200000]
                              [--queries 200] [--rounds 3]

1. Prepared once and kept in --work: the real passages and their vectors (the sample corpus and
   ../shared/realdocs, embedded by the real model, as bench/speed.py does), a corpus padded with
   generated documents to --size passages, and the queries.
2. The baseline is checked out with `git worktree add --detach <work>/baseline COMMIT`. Each
   version builds its own index of the corpus with its own code (the index's files differ
   between versions), in a child process that imports only that version's modules
   (bench/latency_child.py), both with the same vectors: the saved real ones, and for generated
   passages the same mixes of them bench/synthetic.py's Replay makes.
3. Searches are timed in fresh child processes that only open their own index, as the portal
   does, baseline and current taking turns for --rounds rounds so load from elsewhere on the
   machine falls on both alike: `Hub.search` and `Hub.search_page`, each with no filter and
   with the kind filter, over the same queries. A fifth of the generated documents is for one of
   five teams (`audience:`); versions that know audiences search as an editor (everything, as
   earlier versions did), and also as a reader of one team and as someone not signed in,
   compared with their own unrestricted search.
4. Per measure: each version's p50/p95/p99, the change of p50 and p95, and a verdict.

Nothing here is a test: it asserts nothing. The load average is printed at the start and end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import synthetic  # noqa: E402
from bench.measure import FILTER, RESULTS_SHOWN, say  # noqa: E402
from bench.speed import grow_corpus, machine, real_passages  # noqa: E402
from ingest.embed import load_embedder  # noqa: E402
from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, Settings  # noqa: E402

CHILD = Path(__file__).resolve().parent / "latency_child.py"
ALLOWED_SLOWDOWN = 20.0  # percent of p50 or p95 before a measure is called slower
# Searches restricted to what one person may see (measures named so by bench/latency_child.py)
# against the same version's unrestricted search.
RESTRICTED_PREFIX = "search as "
ALLOWED_RESTRICTED = 10.0


@dataclass(frozen=True)
class Version:
    """One side of the comparison: its label, the checkout its code comes from, its index."""

    label: str
    code: Path
    data: Path


# --- figures -----------------------------------------------------------------------------------


def change(before: float, after: float) -> float:
    """The change from `before` to `after` in percent of `before` (positive: slower)."""
    return (after - before) / before * 100.0


def signed(percent: float) -> str:
    """`percent` as '+12.3%' or '-4.0%'."""
    return f"{percent:+.1f}%"


def verdict(p50_change: float, p95_change: float, allowed: float = ALLOWED_SLOWDOWN) -> str:
    """'within 20%' when neither p50 nor p95 grew by more than `allowed` percent, otherwise
    'slower by N%' with the larger growth and which percentile it was."""
    worst, which = max((p50_change, "p50"), (p95_change, "p95"))
    if worst <= allowed:
        return f"within {allowed:.0f}%"
    return f"slower by {worst:.0f}% ({which})"


def three(ms: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 of `ms`."""
    p50, p95, p99 = np.percentile(np.asarray(ms), [50, 95, 99])
    return float(p50), float(p95), float(p99)


def report(base: dict[str, list[float]], current: dict[str, list[float]]) -> None:
    """Print each measure both versions have: percentiles, changes and a verdict."""
    say(f"\n{'measure':<26} {'baseline p50/p95/p99 ms':>24} {'current p50/p95/p99 ms':>24} {'p50':>8} {'p95':>8}")
    verdicts = []
    for name in [n for n in current if n in base]:
        b, c = three(base[name]), three(current[name])
        d50, d95 = change(b[0], c[0]), change(b[1], c[1])
        cells = " / ".join(f"{v:.1f}" for v in b), " / ".join(f"{v:.1f}" for v in c)
        say(f"{name:<26} {cells[0]:>24} {cells[1]:>24} {signed(d50):>8} {signed(d95):>8}")
        verdicts.append(f"  {name}: {verdict(d50, d95)}")
    for name in [n for n in current if n not in base]:
        say(f"{name:<26} {'(not in the baseline)':>24} {' / '.join(f'{v:.1f}' for v in three(current[name])):>24}")
    say(f"\nverdict (p50 and p95 against the baseline, {ALLOWED_SLOWDOWN:.0f}% allowed):")
    for line in verdicts:
        say(line)
    restricted = [n for n in current if n.startswith(RESTRICTED_PREFIX)]
    if restricted and "search" in current:
        say(
            f"\nwho is asking, in the current version (against its own unrestricted search, "
            f"{ALLOWED_RESTRICTED:.0f}% allowed):"
        )
        free = three(current["search"])
        for name in restricted:
            mine = three(current[name])
            d50, d95 = change(free[0], mine[0]), change(free[1], mine[1])
            say(f"  {name}: p50 {signed(d50)}, p95 {signed(d95)}: {verdict(d50, d95, ALLOWED_RESTRICTED)}")


# --- preparing ----------------------------------------------------------------------------------


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def prepare_passages(work: Path, models: Path, count: int) -> Path:
    """The real passages' texts and vectors saved in <work>/known-vectors.npz, and the queries
    in <work>/queries.json, made once; the path of the vectors file."""
    known = work / "known-vectors.npz"
    if not known.exists():
        say("embedding the real passages with the real model (once)")
        texts, vectors = real_passages(work, load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, models))
        np.savez(work / "known-vectors.partial.npz", texts=np.asarray(texts), vectors=vectors)
        os.replace(work / "known-vectors.partial.npz", known)
    queries = work / "queries.json"
    saved = json.loads(queries.read_text(encoding="utf-8")) if queries.exists() else {}
    if len(saved.get("queries", [])) != count:
        with np.load(known) as data:
            pool = synthetic.sentences([str(t) for t in data["texts"]])
        chosen = synthetic.queries(ROOT / "tests" / "golden", pool, count)
        inputs = {"queries": chosen, "kinds": list(FILTER.kinds), "page_limit": RESULTS_SHOWN}
        queries.write_text(json.dumps(inputs), encoding="utf-8")
    return known


def prepare_corpus(work: Path, models: Path, known: Path, size: int) -> Path:
    """The real documents padded with generated ones until the current code's index of them
    holds `size` passages, in <work>/corpus (made once; that index is <work>/data-current).
    Raises SystemExit when <work> holds a corpus of another size."""
    corpus, done = work / "corpus", work / "corpus.json"
    if done.exists():
        made = json.loads(done.read_text(encoding="utf-8"))
        if made["size"] != size:
            raise SystemExit(f"{work} holds a corpus padded to {made['size']:,} passages; pass another --work")
        return corpus
    if not corpus.exists():
        shutil.copytree(work / "real-corpus", corpus)
    with np.load(known) as data:
        vectors = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))
    replay = synthetic.Replay(load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, models), vectors)
    settings = Settings(corpus_dir=corpus, data_dir=work / "data-current", model=DEFAULT_MODEL, max_shrink=1.0)
    say(f"padding the corpus to {size:,} passages, built by the current code (once)")
    pool = synthetic.sentences(list(vectors))
    passages = grow_corpus(corpus, settings, replay, size, pool, audiences=True)
    done.write_text(json.dumps({"size": size, "passages": passages}), encoding="utf-8")
    return corpus


def baseline_checkout(work: Path, commit: str) -> Path:
    """<work>/baseline checked out at `commit` (added as a detached worktree unless already
    there). Raises SystemExit when it is there at another commit."""
    path, wanted = work / "baseline", git("rev-parse", f"{commit}^{{commit}}")
    if path.exists():
        found = git("rev-parse", "HEAD", cwd=path)
        if found != wanted:
            raise SystemExit(f"{path} is at {found[:12]}, not {wanted[:12]}; pass another --work")
        return path
    git("worktree", "add", "--detach", str(path), wanted)
    return path


def code_stamp() -> str:
    """Which code the current version is: the commit plus any uncommitted change to the hub."""
    diff = git("diff", "HEAD", "--", "index", "ingest")
    return f"{git('rev-parse', 'HEAD')}+{hashlib.sha256(diff.encode()).hexdigest()[:12]}"


# --- children -----------------------------------------------------------------------------------


def run_child(work: Path, version: Version, *args: str) -> dict[str, Any]:
    """Run bench/latency_child.py with `version`'s code alone on the path; its JSON figures.

    The child runs from the checkout with PYTHONPATH set to it, and with `-P` so the folder the
    child script sits in is not put ahead of the checkout."""
    env = {**os.environ, "PYTHONPATH": str(version.code), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-P", str(work / CHILD.name), *args]
    command += ["--code", str(version.code), "--data", str(version.data), "--models", str(work / "models")]
    done = subprocess.run(command, cwd=version.code, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the {version.label} child failed:\n{done.stderr.strip()[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def build(work: Path, version: Version, corpus: Path, known: Path, full: bool) -> int:
    """Bring `version`'s index of `corpus` up to date with its own code; its passage count."""
    flags = ["--corpus", str(corpus), "--known", str(known), *(["--full"] if full else [])]
    figures = run_child(work, version, "build", *flags)
    say(
        f"  {version.label}: {figures['outcome']}, {figures['passages']:,} passages, "
        f"{figures['documents']:,} documents, {figures['seconds']:.0f} s "
        f"({figures['real']:,} real vectors and {figures['mixed']:,} mixed ones embedded)"
    )
    return int(figures["passages"])


def build_both(work: Path, versions: list[Version], corpus: Path, known: Path) -> None:
    """Each version's index of the corpus; the current one rebuilt in full when its code changed
    since it was built. Raises SystemExit when the two hold different numbers of passages."""
    say("\n== Builds (each version's own update_index, the same vectors)")
    stamp_file, stamp = work / "data-current.code", code_stamp()
    changed = stamp_file.exists() and stamp_file.read_text(encoding="utf-8") != stamp
    counts = [build(work, v, corpus, known, full=changed and v.label == "current") for v in versions]
    stamp_file.write_text(stamp, encoding="utf-8")
    if len(set(counts)) != 1:
        raise SystemExit(f"the two indexes hold different numbers of passages: {counts}")


def time_rounds(work: Path, versions: list[Version], rounds: int) -> dict[str, dict[str, list[float]]]:
    """Each version's milliseconds per measure over all rounds, the versions taking turns (and
    swapping which goes first each round)."""
    say(f"\n== Timing: {rounds} rounds, a fresh process per version and round")
    ms: dict[str, dict[str, list[float]]] = {v.label: {} for v in versions}
    for n in range(rounds):
        order = versions if n % 2 == 0 else versions[::-1]
        for version in order:
            figures = run_child(work, version, "time", "--queries", str(work / "queries.json"))
            for name, values in figures["ms"].items():
                ms[version.label].setdefault(name, []).extend(values)
            p50 = three(figures["ms"]["search"])[0]
            say(
                f"  round {n + 1} {version.label:<8} search p50 {p50:6.1f} ms over "
                f"{figures['passages']:,} passages; load average {os.getloadavg()[0]:.2f}"
            )
    return ms


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="the commit to compare against")
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-latency"))
    parser.add_argument("--size", type=int, default=200_000, help="passages in the padded corpus")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    say(f"machine: {machine()}; load average at start {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    baseline = baseline_checkout(work, args.baseline)
    say(f"baseline = {git('rev-parse', 'HEAD', cwd=baseline)} ({baseline})")
    say(f"current  = {git('rev-parse', 'HEAD')}; current = working tree of {ROOT}")
    models = work / "models"
    known = prepare_passages(work, models, args.queries)
    corpus = prepare_corpus(work, models, known, args.size)
    shutil.copyfile(CHILD, work / CHILD.name)
    versions = [Version("baseline", baseline, work / "data-baseline"), Version("current", ROOT, work / "data-current")]
    build_both(work, versions, corpus, known)
    ms = time_rounds(work, versions, args.rounds)
    report(ms["baseline"], ms["current"])
    say(f"\n{args.queries} queries x {args.rounds} rounds per version; model {DEFAULT_MODEL}, {DEFAULT_RUNTIME}")
    say(
        f"total {time.perf_counter() - started:.0f} s; "
        f"load average at end {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
