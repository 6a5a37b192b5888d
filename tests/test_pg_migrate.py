"""Moving a hub between its stores: the live build copied into PostgreSQL and back, and a build
host with an empty data folder starting from the database's live build."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.__main__ import main
from index.access import Viewer
from index.api import Hub
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.helpers import write_md
from tests.pg_support import pg_url, postgres_server

__all__ = ["pg_url", "postgres_server"]  # fixtures, used by name

QUERIES = ("harbour dredging", "ferry timetables", "Māori data", "crews")


def write_corpus(corpus: Path) -> None:
    write_md(
        corpus, "harbour.md", "# Harbour\n\nHarbour dredging permits and crews. " * 4, title="Harbour", kind="guidance"
    )
    write_md(corpus, "ferry.md", "# Ferries\n\nFerry timetables for the harbour.", title="Ferries", kind="tool")
    write_md(corpus, "maori.md", "# Māori data\n\nMāori data sovereignty in records.", title="Māori data")
    write_md(corpus, "team.md", "# Team notes\n\nCrews rosters for the team.", title="Team", audience="crew")


def ranked(hub: Hub) -> list[list[str]]:
    return [[h.doc_id for h in hub.search(q, viewer=Viewer.operator()).hits] for q in QUERIES]


def use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Point the command line at `settings`, with the fake model."""
    monkeypatch.setenv("HUB_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HUB_MODEL", "fake-hash")
    monkeypatch.setenv("HUB_STORE", settings.store)


def test_the_live_build_copies_into_the_database_and_back(
    settings: Settings, fake_embedder: HashEmbedder, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_corpus(settings.corpus_dir)
    files = Hub(settings, lambda _: fake_embedder)
    assert files.update().outcome == "published"
    expected = ranked(files)

    use(monkeypatch, replace(settings, store=pg_url))
    assert main(["copy", "to-database"]) == 0
    database = Hub(replace(settings, store=pg_url), lambda _: fake_embedder)
    assert database.snapshot().build_id == files.snapshot().build_id
    assert ranked(database) == expected

    elsewhere = replace(settings, data_dir=tmp_path / "elsewhere", store=pg_url)
    use(monkeypatch, elsewhere)
    assert main(["copy", "to-files"]) == 0
    back = Hub(replace(elsewhere, store=""), lambda _: fake_embedder)
    assert back.snapshot().build_id == files.snapshot().build_id
    assert ranked(back) == expected
    assert back.document("team.md", viewer=Viewer.in_groups(("crew",))).text.startswith("Team notes")


def test_copying_needs_the_database_named(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, settings)
    assert main(["copy", "to-database"]) == 4


def test_a_build_host_with_an_empty_data_folder_starts_from_the_databases_build(
    settings: Settings, fake_embedder: HashEmbedder, pg_url: str, tmp_path: Path
) -> None:
    write_corpus(settings.corpus_dir)
    first = Hub(replace(settings, store=pg_url), lambda _: fake_embedder)
    assert first.update().outcome == "published"
    write_md(settings.corpus_dir, "new.md", "# New\n\nA new note on harbour pilots.", title="New")
    host = replace(settings, data_dir=tmp_path / "new-host", store=pg_url)
    report = Hub(host, lambda _: fake_embedder).update()
    assert report.outcome == "published"
    assert any("started from build" in n for n in report.notices)
    assert report.unchanged and "new.md" in report.added
    assert report.embedded == 1, "only the new document's passage is embedded"
    assert first.search("harbour pilots").hits[0].doc_id == "new.md"
