"""A tiny corpus and index for the portal's tests, and the environment the app reads it from.

The index is built once per test session with the fake model; each test points the app at it
through HUB_* variables and starts with an empty Streamlit resource cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from index.api import Hub
from ingest.settings import Settings
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


def env_for(corpus: Path, data: Path) -> dict[str, str]:
    return {"HUB_CORPUS_DIR": str(corpus), "HUB_DATA_DIR": str(data), "HUB_MODEL": "fake-hash"}


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
