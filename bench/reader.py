"""How long the reader takes to draw a document's full text as HTML, for the largest documents.

Run:  python bench/reader.py

Each document is read with the hub's own loaders (reading is not timed), then drawn with the
passage marked in its middle, three times; the best time is printed with the HTML's size. The
real PDFs and Markdown come from ../shared/realdocs when present; the 300,000-paragraph text and
the 80,000-character Markdown are made here. Nothing here is a test: it asserts nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.api import DocumentView  # noqa: E402
from index.store import DocumentRecord  # noqa: E402
from ingest.loaders import load_bytes  # noqa: E402
from ingest.types import FORMATS, Metadata  # noqa: E402
from portal.reader import full_text_html  # noqa: E402
from portal.render import Marks  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"


def documents() -> list[tuple[str, bytes]]:
    """(name, bytes) of the documents to draw."""
    part = "## Part {n}\n\n- a *point* with [a link](other.md)\n- and `code`"
    made = [
        ("300,000 paragraphs.txt", "\n\n".join(f"Paragraph {n} of the log." for n in range(300_000)).encode()),
        (
            "80,000 characters.md",
            "\n\n".join(part.format(n=n) for n in range(1_300)).encode(),
        ),
    ]
    real = sorted((REALDOCS / "pdf").glob("*.pdf"), key=lambda p: p.stat().st_size)[-3:] if REALDOCS.is_dir() else []
    return made + [(p.name, p.read_bytes()) for p in real if "corrupt" not in p.name]


def main() -> None:
    for name, raw in documents():
        fmt = FORMATS[Path(name).suffix]
        extracted, _ = load_bytes(name, fmt, raw)
        record = DocumentRecord(name, name, fmt, "", Metadata(), (), 0, extracted.page_starts)
        view = DocumentView(record, extracted.text, (), extracted.layout)
        middle = len(view.text) // 2
        marks = Marks((middle, middle + 1500), (middle + 200, middle + 400))
        best, size = float("inf"), 0
        for _ in range(3):
            started = time.perf_counter()
            size = len(full_text_html(view, marks, {"other.md"}))
            best = min(best, time.perf_counter() - started)
        print(f"{name}: {len(view.text):,} characters of text -> {size:,} of HTML in {best * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
