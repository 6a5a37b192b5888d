"""A tiny corpus and index for the portal's tests, and the environment the app reads it from.

The index is built once per test session with the fake model; each test points the app at it
through HUB_* variables and starts with an empty Streamlit resource cache.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from index import DocumentRecord, Hub
from ingest.settings import Settings
from ingest.types import Metadata
from tests.helpers import make_pdf, write_md, write_sidecar

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "hub_app.py")
TIMEOUT = 60
HOSTILE = "other/hostile.md"
HOSTILE_TITLE = 'Evil <script>alert("title")</script> notes'
HOSTILE_BODY = (
    "Watch out: <script>alert('body')</script> and <img src=x onerror=\"alert('img')\"> "
    "and a [link](javascript:alert(1)) should all show as text.\n"
)
# Names and reasons an attacker could choose, each of which some renderer would act on.
HOSTILE_TEXTS = (
    "[Click here](https://evil.example)",
    "![x](http://evil.example/x.png)",
    "<img src=x onerror=alert(1)>",
    ":red[x] and :material/home: and :material_home: and :streamlit:",
    "www.evil.example, mail@evil.example and https://evil.example/page",
    "**bold** `code` $x^2$ a -> b",
)
# File names (no "/") that Markdown would make a link and an image. "https:" with no slashes still
# names another host when the page itself is served over http.
HOSTILE_FILE_NAMES = ("[Click here](https:__evil.example).md", "![x](https:__evil.example_x.png).md")
# Values people (or attackers) put in a URL where a number goes. str.isdigit() accepts the
# first few, and int() then fails on them.
NOT_NUMBERS = [
    "²",  # superscript two
    "2⁰²⁵",  # superscript digits after an ASCII one
    "①",  # circled one
    "٣",  # Arabic-Indic three
    "۲۰۲۵",  # extended Arabic-Indic digits
    "२०२५",  # Devanagari digits
    "２０２５",  # fullwidth digits
    "𝟐𝟎𝟐𝟓",  # mathematical bold digits
    "1234567",  # more than six digits
    "9" * 5000,  # more digits than int() converts
    "-1",
    "+1",
    "",
    " 1",
    "1 ",
    "1\n",
    "1.5",
    "1e3",
    "0x1",
    "1_000",
]
PRIVACY = "guidance/privacy.md"
PDF = "standards/assurance.pdf"

GUIDANCE_BODY = """# Privacy impact assessments

## When you need one

A privacy impact assessment is needed when an AI system processes personal information about clients.

## Who signs it off

The privacy officer signs off the privacy impact assessment before the system goes live.
"""


def write_corpus(corpus: Path) -> None:
    """Eight small documents covering every kind of page, plus one file that cannot be read."""
    write_md(
        corpus,
        PRIVACY,
        GUIDANCE_BODY,
        title="Privacy impact assessments for AI",
        kind="guidance",
        agency="Privacy Office",
        focus_area="Safe and responsible AI",
        initiative="I-01",
        published="2024-05-20",
        review_by="2099-01-01",
        status="current",
        summary="When and how to assess privacy risks of an AI system.",
        related=["guidance/old-privacy.md"],
    )
    write_md(
        corpus,
        "guidance/old-privacy.md",
        "# Interim privacy advice\n\nOld advice on privacy and chat assistants, replaced by newer guidance.\n",
        title="Interim privacy advice",
        kind="guidance",
        agency="Privacy Office",
        focus_area="Safe and responsible AI",
        published="2022-03-01",
        review_by="2023-03-01",
        status="superseded",
        superseded_by=PRIVACY,
    )
    write_md(
        corpus,
        "guidance/withdrawn.md",
        "# Chat assistant rules\n\nThese rules about chat assistants were withdrawn.\n",
        title="Withdrawn chat assistant rules",
        kind="guidance",
        agency="Digital Office",
        focus_area="Common use tools",
        published="2023-06-01",
        status="withdrawn",
    )
    write_md(
        corpus,
        "marketplace/chat.md",
        "# Secure chat assistant\n\nA chat assistant for drafting letters, approved with conditions.\n",
        title="Secure chat assistant",
        kind="tool",
        agency="Digital Office",
        focus_area="Common use tools",
        initiative="I-01",
        published="2025-02-17",
        summary="A chat assistant for drafting.",
        provider="Harbour Ltd",
        capability="Drafting and summarising text",
        max_classification="IN-CONFIDENCE",
        approval_status="approved with conditions",
        conditions=["Review every output", "Nothing above IN-CONFIDENCE"],
        used_by=["Ministry of Letters"],
        related=[PRIVACY],
    )
    write_md(
        corpus,
        "marketplace/translator.md",
        "# Translation service\n\nMachine translation of public notices.\n",
        title="Translation service",
        kind="tool",
        agency="Digital Office",
        published="2024-01-10",
        provider="Lingua Ltd",
        capability="Translation",
        max_classification="UNCLASSIFIED",
        approval_status="under assessment",
    )
    write_md(
        corpus,
        "case-studies/letters.md",
        "# Plain language letters\n\nA team rewrote benefit letters with a chat assistant.\n",
        title="Rewriting letters in plain language",
        kind="case-study",
        agency="Ministry of Letters",
        focus_area="Customer and partnerships",
        published="2026-01-15",
        problem="Letters were hard to read.",
        approach="Staff drafted with a chat assistant and checked every letter.",
        outcome="Complaints fell by a third.",
        tools_used=["marketplace/chat.md"],
        related=[PRIVACY, "guidance/not-in-the-hub.md"],
    )
    for code, area, title in (
        ("I-01", "Common use tools", "I-01 Shared chat assistant"),
        ("I-02", "AI workforce", "I-02 Skills for everyone"),
    ):
        write_md(
            corpus,
            f"programme/{code.lower()}.md",
            f"# {title}\n\nAn initiative of the work programme.\n",
            title=title,
            kind="initiative",
            agency="Digital Office",
            focus_area=area,
            initiative=code,
            published="2024-07-01",
            summary=f"What {code} is for.",
            goal=f"The goal of {code}.",
            deliverable=f"The deliverable of {code}.",
            related=[PRIVACY] if code == "I-01" else [],
        )
    write_md(corpus, HOSTILE, HOSTILE_BODY, title=HOSTILE_TITLE, kind="other", agency="Unknown", published="2025-05-05")
    pdf = corpus / PDF
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(
        make_pdf(
            [
                "Assurance framework. This standard explains risk tiers for AI systems.",
                "Independent review is required for tier three systems before go-live.",
            ]
        )
    )
    write_sidecar(
        pdf,
        title="AI assurance framework",
        kind="standard",
        agency="Digital Office",
        focus_area="Safe and responsible AI",
        published="2025-07-21",
    )
    (corpus / "standards" / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")


def record(doc_id: str, path: str = "", **meta: Any) -> DocumentRecord:
    """A document record as the index would hold it, for the portal's plain-function tests."""
    return DocumentRecord(doc_id, path or doc_id, "markdown", "hash", Metadata(**meta), (), 1, ())


def env_for(corpus: Path, data: Path, *, local_editor: bool = True) -> dict[str, str]:
    """The settings of a test hub. The portal's page tests run as the local single-user setup
    (HUB_LOCAL_EDITOR=1), so the Index status page is open; tests of who sees what pass
    `local_editor=False` and sign in (tests/test_audience_portal.py)."""
    env = {"HUB_CORPUS_DIR": str(corpus), "HUB_DATA_DIR": str(data), "HUB_MODEL": "fake-hash"}
    return {**env, "HUB_LOCAL_EDITOR": "1"} if local_editor else env


@dataclass(frozen=True)
class BuiltHub:
    corpus: Path
    data: Path

    @property
    def env(self) -> dict[str, str]:
        return env_for(self.corpus, self.data)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltHub:
    """The tiny corpus with a published index (read-only for tests)."""
    root = tmp_path_factory.mktemp("portal")
    corpus, data = root / "corpus", root / "data"
    write_corpus(corpus)
    report = Hub(Settings.from_env(env_for(corpus, data))).update()
    assert report.outcome == "published", report.summary()
    return BuiltHub(corpus, data)


@pytest.fixture
def hub_env(built: BuiltHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[BuiltHub]:
    """Point the app at the built index, with a cold resource cache."""
    for name, value in built.env.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    yield built
    st.cache_resource.clear()


def app(page: str | None = None, **params: str | list[str]) -> AppTest:
    """An app test on `page` (None for Search) with the given URL parameters, already run."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if page is not None:
        # Pages in pages/ are found by file name, so no first run of Search is needed (it would
        # start building an index in the tests about having none).
        at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(params)
    return at.run()


def get(at: AppTest | Any, kind: str) -> list[Any]:
    """Elements of one type (html, page_link, download_button...), typed loosely: AppTest's own
    annotation is a union with blocks, which have no value."""
    return list(at.get(kind))


def texts(at: AppTest) -> str:
    """Everything the page shows as text or HTML, joined, for 'is it on the page' checks."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts.extend(str(e.value) for e in get(at, kind))
    parts.extend(e.value for e in get(at, "html"))
    parts.extend(e.value for e in get(at, "page_link"))
    return "\n".join(parts)


def write_hostile_files(corpus: Path) -> list[str]:
    """Files named like a link and like an image that cannot be indexed (they are empty), in
    `corpus/names/`; their document ids."""
    folder = corpus / "names"
    folder.mkdir(parents=True, exist_ok=True)
    for name in HOSTILE_FILE_NAMES:
        (folder / name).write_text("", encoding="utf-8")
    return [f"names/{name}" for name in HOSTILE_FILE_NAMES]


def write_report(data: Path, report: dict[str, Any], name: str = "20261101T000000Z") -> None:
    """`report` as the latest run report and as one run in the history, under `data/reports`."""
    reports = data / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    for path in (reports / "latest.json", reports / f"run-{name}.json"):
        path.write_text(json.dumps(report), encoding="utf-8")


class _Tables(HTMLParser):
    """Collects each <table>'s rows as lists of cell texts, the header row first."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows = self.tables.setdefault(dict(attrs).get("aria-label") or "", [])
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(at: AppTest) -> dict[str, list[dict[str, str]]]:
    """Every table the page draws as HTML, by its label: rows as {column: cell text}."""
    parser = _Tables()
    for element in get(at, "html"):
        parser.feed(element.value)
    return {label: [dict(zip(rows[0], row, strict=True)) for row in rows[1:]] for label, rows in parser.tables.items()}


_ESCAPED = re.compile("\\\\([" + re.escape(string.punctuation) + "])")


def shown_text(markdown: str) -> str:
    """What Markdown made by portal.html.md_escape shows a reader: escapes and word joiners removed."""
    return _ESCAPED.sub(r"\1", markdown).replace("\u2060", "")
