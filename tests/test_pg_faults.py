"""The PostgreSQL store when things go wrong: the server stops or dies, a build run is killed
while publishing, every connection is in use, the URL is wrong. Each case checks what a reader,
an editor or an operator would notice."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st

from index.api import Hub
from index.errors import IndexUnavailable
from index.pg.catalogue import PgCatalogue
from index.pg.server import LocalPostgres
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.app_support import app, env_for, texts
from tests.helpers import write_md
from tests.pg_support import own_postgres, pg_url, postgres_server

__all__ = ["own_postgres", "pg_url", "postgres_server"]  # fixtures, used by name

# Servers stopped and killed, subprocesses and a page run: the integration tier.
pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent


def write_corpus(corpus: Path, count: int = 6) -> None:
    for i in range(count):
        write_md(
            corpus,
            f"note{i}.md",
            f"# Note {i}\n\nHarbour safety note number {i} about dredging crews and vessels.",
            title=f"Harbour note {i}",
        )


def published_hub(settings: Settings, url: str, embedder: HashEmbedder, **changes: object) -> Hub:
    write_corpus(settings.corpus_dir)
    hub = Hub(replace(settings, store=url, **changes), lambda _: embedder)  # type: ignore[arg-type]
    assert hub.update().outcome == "published"
    return hub


def test_a_stopped_server_gives_a_clear_error_and_searches_work_again_when_it_returns(
    settings: Settings, fake_embedder: HashEmbedder, own_postgres: LocalPostgres
) -> None:
    hub = published_hub(settings, own_postgres.url, fake_embedder)
    assert hub.search("harbour safety").hits
    own_postgres.stop()
    with pytest.raises(IndexUnavailable, match=f"127.0.0.1:{own_postgres.port}.*cannot be reached"):
        hub.search("harbour safety")
    own_postgres.restart()
    # The same Hub, never restarted: its pool reconnects.
    assert hub.search("harbour safety").hits


def test_a_server_that_dies_mid_session_recovers_after_its_restart(
    settings: Settings, fake_embedder: HashEmbedder, own_postgres: LocalPostgres
) -> None:
    hub = published_hub(settings, own_postgres.url, fake_embedder)
    before = [h.doc_id for h in hub.search("dredging crews").hits]
    own_postgres.kill()
    with pytest.raises(IndexUnavailable):
        hub.search("dredging crews")
    own_postgres.restart()
    assert [h.doc_id for h in hub.search("dredging crews").hits] == before


def test_a_server_killed_while_a_search_holds_its_connection_fails_that_search_cleanly(
    settings: Settings, fake_embedder: HashEmbedder, own_postgres: LocalPostgres
) -> None:
    hub = published_hub(settings, own_postgres.url, fake_embedder)
    build = hub.snapshot()
    with build.reading():
        # The search's connection is taken; the server dies before its statements run.
        own_postgres.kill()
        with pytest.raises(IndexUnavailable, match="cannot be reached"):
            hub.search("dredging crews")
    own_postgres.restart()
    assert hub.search("dredging crews").hits


def test_the_search_page_says_the_service_cannot_be_reached_and_recovers(
    tmp_path: Path, own_postgres: LocalPostgres, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus)
    env = {**env_for(corpus, data), "HUB_STORE": own_postgres.url}
    assert Hub(Settings.from_env(env)).update().outcome == "published"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    try:
        own_postgres.stop()
        down = texts(app(q="harbour safety"))
        assert "cannot be reached just now" in down
        assert "Harbour note" not in down
        own_postgres.restart()
        assert "Harbour note" in texts(app(q="harbour safety"))
    finally:
        st.cache_resource.clear()


KILL_WHILE_COPYING = """
import os, signal, sys
import index.pg.write as write
real = write._write_terms
def dying(*args, **kwargs):
    real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # as a power cut or an OOM kill would, mid-copy
write._write_terms = dying
from ingest.__main__ import main
sys.exit(main(["--quiet"]))
"""


def test_a_run_killed_while_publishing_leaves_the_live_build_and_the_next_run_publishes(
    settings: Settings, pg_url: str
) -> None:
    write_corpus(settings.corpus_dir)
    env = {
        **os.environ,
        "HUB_CORPUS_DIR": str(settings.corpus_dir),
        "HUB_DATA_DIR": str(settings.data_dir),
        "HUB_MODEL": "fake-hash",
        "HUB_STORE": pg_url,
    }
    first = subprocess.run([sys.executable, "-m", "ingest", "--quiet"], env=env, cwd=ROOT, timeout=300)
    assert first.returncode == 0
    catalogue = PgCatalogue(replace(settings, store=pg_url))
    live = catalogue.live_id()
    write_md(settings.corpus_dir, "ferry.md", "# Ferries\n\nFerry timetables for the harbour.", title="Ferries")
    killed = subprocess.run([sys.executable, "-c", KILL_WHILE_COPYING], env=env, cwd=ROOT, timeout=300)
    assert killed.returncode == -9
    assert catalogue.live_id() == live
    searching = Hub(replace(settings, store=pg_url), lambda _: HashEmbedder())
    assert "ferry.md" not in {h.doc_id for h in searching.search("ferry timetables").hits}
    # The killed run's lock died with it: the next run is not blocked, clears the half-written
    # build and publishes (its data folder already holds the new build).
    again = subprocess.run([sys.executable, "-m", "ingest", "--quiet"], env=env, cwd=ROOT, timeout=300)
    assert again.returncode == 0
    assert catalogue.live_id() != live
    assert searching.search("ferry timetables").hits[0].doc_id == "ferry.md"
    with catalogue.db.connection() as conn:
        states = [r[0] for r in conn.execute("SELECT state FROM hub.builds")]
    assert states and set(states) == {"ready"}


def test_searches_wait_for_a_free_connection_and_none_is_lost(
    settings: Settings, fake_embedder: HashEmbedder, pg_url: str
) -> None:
    hub = published_hub(settings, pg_url, fake_embedder, store_pool=1)
    expected = [h.doc_id for h in hub.search("dredging vessels").hits]
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def search() -> None:
        try:
            results.append([h.doc_id for h in hub.search("dredging vessels").hits])
        # Every failure is counted, whatever it is: a lost search must not pass unseen.
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=search) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert results == [expected] * 12


@pytest.mark.parametrize("command", [["-m", "ingest"], ["-m", "index", "search", "harbour"]])
@pytest.mark.parametrize(
    "url",
    [
        "postgresql://hub:secret@127.0.0.1:1/hub",
        "postgresql://hub@127.0.0.1:1/hub?connect_timeout=2&password=secret",
        "mysql://hub:secret@127.0.0.1/hub",
    ],
    ids=["unreachable", "password-parameter", "wrong"],
)
def test_a_wrong_or_unreachable_store_stops_the_command_with_exit_4_naming_the_setting(
    settings: Settings, command: list[str], url: str
) -> None:
    env = {**os.environ, "HUB_DATA_DIR": str(settings.data_dir), "HUB_MODEL": "fake-hash", "HUB_STORE": url}
    done = subprocess.run([sys.executable, *command], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 4, done.stderr
    assert "HUB_STORE" in done.stderr
    assert "secret" not in done.stderr
    assert not (settings.data_dir / "builds").exists()
