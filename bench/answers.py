"""How well the hub answers, on the development sets: the figures the answer work is judged by.

Run:  python bench/answers.py [--work /tmp/hub-answers] [--mode hybrid]

1. Core questions (tests/golden/dev_core.yaml, sample corpus): the share with a right document
   in the top 3, and MRR@10.
2. Queries the hub cannot answer (tests/golden/dev_no_answer.yaml, sample corpus): how many
   documents each one "matches" (results clearing the confidence bar), the best score, and how
   many are flagged "no good match"; for comparison the same for the answerable sets.
3. Recall@5 counting every result and counting only confident ones, on the development sets
   and on the golden set (tests/golden/queries_*.yaml: a test set, measured here, never tuned on).
4. Real documents (tests/golden/realdocs_pages.yaml, ../shared/realdocs, when present): the share
   of queries whose first result is a right document and whose first passage is on a page (PDF)
   or under a heading (Markdown) that answers the query.

Indexes are built with the default runtime, as the hub builds them, and kept in --work so a
second run only searches. Nothing here is a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import say  # noqa: E402
from index.build import update_index  # noqa: E402
from index.results import Hit  # noqa: E402
from index.search import Mode, search  # noqa: E402
from index.snapshot import Snapshot, open_live  # noqa: E402
from ingest.embed import Embedder, load_embedder  # noqa: E402
from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, Settings  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
REALDOCS = ROOT.parent / "shared" / "realdocs"


def entries(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load((GOLDEN / name).read_text(encoding="utf-8"))
    return data


def opened(corpus: Path, data: Path, embedder: Embedder) -> tuple[Snapshot, Settings]:
    """The index of `corpus` kept in `data`, brought up to date first."""
    settings = Settings(corpus_dir=corpus, data_dir=data, model=DEFAULT_MODEL)
    report = update_index(settings, embedder)
    if report.outcome not in ("published", "unchanged"):
        raise SystemExit(f"the index of {corpus} could not be built: {report.message}")
    return open_live(settings), settings


def core_questions(build: Snapshot, settings: Settings, embedder: Embedder, mode: Mode) -> None:
    questions = entries("dev_core.yaml")
    top3, on_card, reciprocal = 0, 0, []
    for item in questions:
        hits = search(build, embedder, item["query"], settings.search, limit=10, mode=mode).hits
        ranks = [n for n, hit in enumerate(hits, start=1) if hit.doc_id in item["relevant"]]
        top3 += bool(ranks and ranks[0] <= 3)
        reciprocal.append(1 / ranks[0] if ranks else 0.0)
        landing = hits[0].passages[0] if hits and hits[0].passages else None
        on_card += landing is not None and landing.heading_path == ("Summary",) and landing.end == 0
    n = len(questions)
    say(f"core questions ({n}): right document in the top 3 for {top3} ({top3 / n:.0%})")
    say(f"  MRR@10 {statistics.mean(reciprocal):.3f}")
    say(f"  the first result opens at its summary card (no text to land on) for {on_card} ({on_card / n:.0%})")


def matching(build: Snapshot, settings: Settings, embedder: Embedder, name: str, mode: Mode) -> None:
    """How many documents each query of `name` matches, and the best result's score."""
    counts, best, flagged = [], [], 0
    for item in entries(name):
        results = search(build, embedder, item["query"], settings.search, limit=1, mode=mode)
        counts.append(results.matched_documents)
        best.append(results.hits[0].score if results.hits else 0.0)
        flagged += results.no_good_match
    say(
        f"  {name}: documents matched per query median {statistics.median(counts):.0f} "
        f"(of {len(build.documents)}), best score median {statistics.median(best):.3f}, "
        f"min {min(best):.3f}, max {max(best):.3f}; no good match {flagged} of {len(counts)} "
        f"({flagged / len(counts):.0%})"
    )


def confident_recall(build: Snapshot, settings: Settings, embedder: Embedder, names: list[str], mode: Mode) -> None:
    """Recall@5 of the queries of `names` counting every result, and only confident ones: as
    tests/test_golden.py counts it (a relevant document in the top 5), and as the share of the
    relevant documents in the top 5."""
    found: dict[str, list[float]] = {"all": [], "confident": []}
    share: dict[str, list[float]] = {"all": [], "confident": []}
    for name in names:
        for item in entries(name):
            hits = search(build, embedder, item["query"], settings.search, limit=5, mode=mode).hits
            relevant = set(item["relevant"])
            for kind, shown in (("all", hits), ("confident", [h for h in hits if h.confident])):
                right = len(relevant & {h.doc_id for h in shown})
                found[kind].append(float(right > 0))
                share[kind].append(right / len(relevant))
    say(f"  {' + '.join(names)} ({len(found['all'])} queries), all results / confident only:")
    for label, figures in (("a relevant document in the top 5", found), ("share of relevant documents", share)):
        every, sure = statistics.mean(figures["all"]), statistics.mean(figures["confident"])
        say(f"    Recall@5 ({label}) {every:.3f} / {sure:.3f} (loss {every - sure:.3f})")


def on_judged_place(hit: Hit, judged: dict[str, Any]) -> bool:
    """Whether the hit's first passage is on a judged page or under a judged heading."""
    passage = hit.passages[0] if hit.passages else None
    if passage is None:
        return False
    pages = judged.get("pages", {}).get(hit.doc_id, [])
    headings = judged.get("sections", {}).get(hit.doc_id, [])
    # A heading inside a fenced block (rules files keep theirs there) is no heading to the
    # loader, so it shows as a "## ..." line of the passage instead of in its heading path.
    lines = {line.lstrip("#").strip() for line in passage.text.splitlines() if line.lstrip().startswith("#")}
    in_section = any(h in passage.heading_path or h in lines for h in headings)
    return (passage.page is not None and passage.page in pages) or in_section


def real_pages(build: Snapshot, settings: Settings, embedder: Embedder, mode: Mode) -> None:
    judged = {item["query"]: item for item in entries("realdocs_pages.yaml")}
    right_doc = right_place = 0
    for item in entries("realdocs.yaml"):
        hits = search(build, embedder, item["query"], settings.search, limit=1, mode=mode).hits
        if not hits or hits[0].doc_id not in item["relevant"]:
            continue
        right_doc += 1
        right_place += on_judged_place(hits[0], judged.get(item["query"], {}))
    n = len(judged)
    say(f"real documents ({n} queries): first result a right document {right_doc} ({right_doc / n:.0%}),")
    say(f"  and its first passage on a right page or section {right_place} ({right_place / n:.0%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-answers"))
    parser.add_argument("--mode", choices=("hybrid", "dense", "keyword"), default="hybrid")
    args = parser.parse_args()
    embedder = load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, args.work / "models")
    build, settings = opened(ROOT / "corpus", args.work / "sample", embedder)
    core_questions(build, settings, embedder, args.mode)
    say("documents that 'match' (the hub shows a result list for every query):")
    matching(build, settings, embedder, "dev_no_answer.yaml", args.mode)
    for name in ("dev_core.yaml", "dev_sample.yaml", "dev_hard.yaml"):
        matching(build, settings, embedder, name, args.mode)
    say("Recall@5, counting every result and only those clearing the confidence bar:")
    for names in (["dev_core.yaml"], ["dev_sample.yaml"], ["dev_hard.yaml"]):
        confident_recall(build, settings, embedder, names, args.mode)
    golden = sorted(path.name for path in GOLDEN.glob("queries_*.yaml"))
    confident_recall(build, settings, embedder, golden, args.mode)
    if REALDOCS.is_dir():
        build, settings = opened(REALDOCS, args.work / "realdocs", embedder)
        real_pages(build, settings, embedder, args.mode)
    else:
        say(f"real documents: skipped, {REALDOCS} is not present")


if __name__ == "__main__":
    main()
