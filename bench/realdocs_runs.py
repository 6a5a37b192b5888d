"""Index ../shared/realdocs twice as the nightly job would, and time searches on the result.

Run: python bench/realdocs_runs.py [--realdocs ../shared/realdocs] [--work /tmp/hub-realdocs]

1. a full build of a copy of the real documents;
2. a re-run with no changes;
3. a run after adding one file, changing one and deleting one;
4. 100 searches at the search API (median and 95th percentile).
Prints each run's summary and writes the JSON reports beside the copy.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.api import Hub
from index.build import update_index
from index.reports import RunReport
from ingest.embed import load_embedder
from ingest.settings import Settings

QUERIES = [
    "how should an organisation govern AI risk",
    "incident response roles and responsibilities",
    "what is a generative AI profile",
    "measuring trustworthiness of AI systems",
    "secure software development for AI models",
    "public attitudes to AI tools in consultations",
    "theme mapping of consultation responses",
    "evaluation of AI in water commission",
    "human review of AI outputs",
    "prompt library for writing user stories",
]


def run(settings: Settings, label: str, embedder: object) -> RunReport:
    start = time.perf_counter()
    report = update_index(settings, embedder)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    print(f"\n== {label}: {seconds:.1f} s wall")
    print(report.summary())
    (settings.data_dir / f"report-{label}.json").write_text(json.dumps(asdict(report), indent=2))
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--realdocs", type=Path, default=Path(__file__).resolve().parents[2] / "shared/realdocs")
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-realdocs"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = args.work / "corpus"
    shutil.copytree(args.realdocs, corpus, ignore=shutil.ignore_patterns("SOURCE.md"))
    for path in corpus.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    settings = Settings.from_env()
    settings = Settings(corpus_dir=corpus, data_dir=args.work / "data", model=settings.model, runtime=settings.runtime)
    embedder = load_embedder(settings.model, settings.runtime, settings.data_dir / "models")

    run(settings, "1-full", embedder)
    run(settings, "2-no-change", embedder)
    added = corpus / "markdown/added-note.md"
    added.write_text("---\ntitle: Added note\nkind: guidance\n---\n# Added\n\nA new note about AI model cards.\n")
    changed = corpus / "markdown/defra-ai-sdlc/pages/getting-started/workflow.md"
    changed.write_text(changed.read_text() + "\n\n## Added section\n\nReview every AI suggestion before merging.\n")
    (corpus / "pdf/thatguy__NIST.AI.100-1.pdf").unlink()
    run(settings, "3-add-change-delete", embedder)

    hub = Hub(settings, lambda s: embedder)
    hub.search("warm up")
    times = []
    for i in range(100):
        start = time.perf_counter()
        hub.search(QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {i}"))
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(
        f"\n== 100 searches (hybrid, top 10): median {statistics.median(times):.1f} ms, "
        f"p95 {times[94]:.1f} ms, max {times[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
