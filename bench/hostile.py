"""Time and memory of an index run over a hostile corpus, against the same good documents alone.

Run: python bench/hostile.py [--scale 10] [--work /tmp/hub-hostile] [--model fake-hash]

The hostile corpus (tests/hostile_corpus.py) mixes good documents with every kind of bad input
the hub has met: impossible dates, alias bombs, encrypted and damaged PDFs, Word zip bombs and
files with hundreds of thousands of paragraphs, Markdown lines that once made the clean-up
backtrack for minutes, links out of the corpus, named pipes, names links cannot carry. `--scale`
multiplies the floods: 10 gives the sizes that once took minutes (300,000 Word paragraphs,
120 KB lines of `[a `, 200,000 HTML paragraphs). Each run is `python -m ingest --json` in a
fresh data folder, measured from outside: wall time, and the peak resident memory of the build
and its file reader.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile_corpus import make_hostile_corpus  # noqa: E402

_MEASURE = (
    "import json, resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(json.dumps({'code': done.returncode, 'out': done.stdout, 'err': done.stderr, 'rss_kb': rss}))\n"
)


def measured_run(corpus: Path, data: Path, model: str) -> tuple[float, dict[str, object]]:
    """(wall seconds, {'code', 'out', 'err', 'rss_kb'}) of one `python -m ingest --json`."""
    env = {
        **os.environ,
        "HUB_MODEL": model,
        "HUB_CORPUS_DIR": str(corpus),
        "HUB_DATA_DIR": str(data),
        "HUB_MAX_FILE_MB": "2",
        # Room for the largest floods at --scale 10 (1.2 MB Markdown lines), not for the 1.9
        # million characters of the document made to be too long.
        "HUB_MAX_TEXT_CHARS": "1500000",
    }
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "ingest", "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start, json.loads(done.stdout)


def describe(label: str, seconds: float, run: dict[str, object]) -> None:
    report = json.loads(str(run["out"])) if run["out"] else {}
    timings = report.get("timings", {})
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
    print(
        f"{label:<14} exit {run['code']}  wall {seconds:6.1f} s  peak RSS {int(str(run['rss_kb'])) / 1024:7.0f} MB  "
        f"documents {report.get('documents')}  failed {len(report.get('failed', []))}  "
        f"skipped {len(report.get('skipped', []))}  ({stages})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-hostile"))
    parser.add_argument("--model", default="fake-hash", help="HUB_MODEL for the runs (fake-hash: no model time)")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    hostile, outside = args.work / "corpus", args.work / "outside"
    expected = make_hostile_corpus(hostile, outside, scale=args.scale)
    baseline = args.work / "baseline"
    for doc_id in expected.good:
        target = baseline / doc_id
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(hostile / doc_id, target)
        sidecar = hostile / f"{doc_id}.meta.yaml"
        if sidecar.is_file() and not sidecar.is_symlink():
            shutil.copy(sidecar, baseline / f"{doc_id}.meta.yaml")
    files = sum(len(names) for _, _, names in os.walk(hostile))
    print(f"hostile corpus: {files} entries at scale {args.scale}; baseline: its {len(expected.good)} good documents")
    seconds, run = measured_run(baseline, args.work / "data-baseline", args.model)
    describe("good only", seconds, run)
    seconds, run = measured_run(hostile, args.work / "data-hostile", args.model)
    describe("hostile", seconds, run)
    seconds, run = measured_run(hostile, args.work / "data-hostile", args.model)
    describe("hostile again", seconds, run)


if __name__ == "__main__":
    main()
