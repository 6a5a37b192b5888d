"""The search analytics with HUB_STORE: every app process ("replica") records into the database's
`hub_analytics` tables and the Search insights read them from there, with the same figures as
the data folder's file gives for the same events. A database that is down or locked holds up no
search, and HUB_ANALYTICS=off writes nothing to it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import streamlit as st

from index import Filters, Hub, Insights, Recorder, Viewer, insights_of, open_recorder, store_path
from index.pg.analytics import PgWriter, ensure_analytics
from index.pg.server import LocalPostgres
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.app_support import app, env_for, tables
from tests.helpers import write_md
from tests.pg_support import own_postgres, pg_url, postgres_server
from tests.test_analytics import (
    ANSWERED,
    CHAT,
    LETTERS,
    PRIVACY,
    UNANSWERED,
    built,
    committed_searches,
    hub_with,
    quick,
    rows,
    search_from_threads,
    wait_for,
)

__all__ = ["built", "own_postgres", "pg_url", "postgres_server"]  # fixtures, used by name

EDITOR = Viewer.operator()
TODAY = dt.date(2026, 3, 20)


@pytest.fixture
def in_database(built: Settings, pg_url: str) -> Settings:
    """`built` with HUB_STORE naming a fresh database (searches are served from the data folder
    unless a test publishes a build into it)."""
    return replace(built, store=pg_url)


@pytest.fixture
def published(in_database: Settings, fake_embedder: HashEmbedder) -> Settings:
    """`in_database` with its corpus published into the database, as replicas serve it."""
    assert Hub(in_database, lambda _: fake_embedder).update().outcome == "published"
    return in_database


def replica(settings: Settings) -> Hub:
    """One app process serving `settings`: its own Hub and its own recorder, as the portal makes them."""
    return Hub(settings, lambda _: HashEmbedder(), observer=open_recorder(settings))


def recorder_of(hub: Hub) -> Recorder:
    assert isinstance(hub.observer, Recorder)
    return hub.observer


def test_two_replicas_record_into_one_database_and_the_insights_count_both(published: Settings) -> None:
    first, second = replica(published), replica(published)
    first.search_page(ANSWERED)
    first.search_page(ANSWERED)
    recorder_of(first).opened(PRIVACY, 1, ANSWERED)
    second.search_page(ANSWERED)
    second.search_page(UNANSWERED)
    recorder_of(second).feedback(LETTERS, False, "too short", "plain letters")
    assert recorder_of(first).flush() and recorder_of(second).flush()
    insights = insights_of(published, first.documents(viewer=EDITOR), TODAY)
    top = insights.top_queries[0]
    assert (top.query, top.searches, top.clicks) == (ANSWERED, 3, 1)
    assert [g.query for g in insights.content_gaps] == [UNANSWERED]
    assert (insights.searches, insights.clicks, insights.feedback) == (4, 1, 1)
    assert [(f.doc_id, f.comments) for f in insights.unhelpful] == [(LETTERS, ("too short",))]
    # Nothing of it is left on the replicas' own disks.
    assert not store_path(published).exists()


Step = Callable[[Hub, Recorder], object]

# Three weeks of readers: repeated queries written differently (two forms searched equally
# often), identifiers to redact, a filter, content gaps that group, results opened at several
# places (and from the Library), feedback with comments on several documents.
SCRIPT: tuple[tuple[int, Step], ...] = (
    (0, lambda hub, _: hub.search_page(ANSWERED)),
    (0, lambda hub, _: hub.search_page("Privacy impact assessment!")),
    (0, lambda _, rec: rec.opened(PRIVACY, 1, ANSWERED)),
    (1, lambda hub, _: hub.search_page("privacy impact assessment?", Filters(kinds=("guidance",)))),
    (1, lambda hub, _: hub.search_page("parking fines")),
    (2, lambda hub, _: hub.search_page("AI for parking fines")),
    (2, lambda _, rec: rec.feedback(LETTERS, False, "too short; call 021 555 0199", "plain letters")),
    (7, lambda hub, _: hub.search_page("chat assistant for letters alice@example.govt.nz")),
    (7, lambda _, rec: rec.opened(CHAT, 2, "chat assistant")),
    (8, lambda _, rec: rec.opened(LETTERS, None)),
    (8, lambda hub, _: hub.search_page(UNANSWERED)),
    (9, lambda _, rec: rec.feedback(LETTERS, True, "clear")),
    (9, lambda _, rec: rec.feedback(CHAT, False, "not what I asked")),
    (14, lambda hub, _: hub.search_page("parking fine tools")),
    (14, lambda hub, _: hub.search_page("plain letters")),
    (14, lambda hub, _: hub.search_page("Plain letters")),
    (15, lambda _, rec: rec.opened(LETTERS, 1, "plain letters")),
    (15, lambda _, rec: rec.opened(PRIVACY, 12, ANSWERED)),
    (16, lambda _, rec: rec.feedback(LETTERS, False, "", "plain letters")),
    (16, lambda hub, _: hub.search_page(ANSWERED)),
)


def play(settings: Settings, stores: list[Settings]) -> Insights:
    """The script's events spread over one recorder per entry of `stores` (each served from the
    data folder of `settings`), then the insights of the first store."""
    day = [TODAY]
    recorders = [quick(_writer(s), s.analytics_days, lambda: day[0]) for s in stores]
    hubs = [hub_with(settings, r) for r in recorders]
    start = TODAY - dt.timedelta(days=16)
    for n, (offset, step) in enumerate(SCRIPT):
        turn = n % len(hubs)
        day[0] = start + dt.timedelta(days=offset)
        step(hubs[turn], recorders[turn])
        # One event at a time, so that both stores number the rows in the same order.
        assert recorders[turn].flush()
    return insights_of(stores[0], hubs[0].documents(viewer=EDITOR), TODAY)


def _writer(settings: Settings) -> PgWriter | Path:
    return PgWriter(settings.store, busy_seconds=0.2) if settings.store else store_path(settings)


def test_the_same_events_give_the_same_insights_in_the_database_and_the_file(
    built: Settings, in_database: Settings
) -> None:
    from_file = play(built, [built])
    from_database = play(built, [in_database, in_database])  # two replicas
    assert from_database == from_file
    # Every part of the page had something to compare.
    assert len(from_file.weeks) == 3 and from_file.top_queries[0].searches == 4
    assert from_file.content_gaps and from_file.unclicked and from_file.unhelpful and from_file.overdue
    assert "[phone]" in from_file.unhelpful[0].comments[-1]
    assert {p.rank for p in from_file.positions if p.clicks} == {1, 2}
    # Two forms searched as often as each other: the query is named the same way by both.
    assert "Plain letters" in {q.query for q in from_file.top_queries}


def test_locked_analytics_tables_hold_up_no_search_and_lose_nothing(published: Settings) -> None:
    recorder = quick(PgWriter(published.store, busy_seconds=0.2), published.analytics_days)
    hub = Hub(published, lambda _: HashEmbedder(), observer=recorder)
    hub.search_page("before the lock")
    assert recorder.flush()
    locker = psycopg.connect(published.store)
    locker.execute("LOCK TABLE hub_analytics.searches IN ACCESS EXCLUSIVE MODE")  # held until rollback
    try:
        # The searches read the build from the same database while the writer waits.
        assert search_from_threads(hub) == []
        wait_for(lambda: recorder.health().problem is not None)
        assert "lock" in (recorder.health().problem or "") and recorder.health().waiting == 30
    finally:
        locker.rollback()
        locker.close()
    assert recorder.flush(20)
    assert committed_searches(published) == 31 and recorder.health().problem is None


@pytest.mark.integration  # a server of its own, stopped and started again
def test_a_stopped_database_holds_up_no_search_and_loses_nothing(built: Settings, own_postgres: LocalPostgres) -> None:
    recorder = quick(PgWriter(own_postgres.url, busy_seconds=0.2), built.analytics_days)
    hub = hub_with(built, recorder)
    hub.search_page("before the stop")
    assert recorder.flush()
    own_postgres.stop()
    assert search_from_threads(hub) == []
    wait_for(lambda: recorder.health().problem is not None)
    health = recorder.health()
    assert f"127.0.0.1:{own_postgres.port}" in (health.problem or "") and health.waiting == 30
    own_postgres.restart()
    assert recorder.flush(30)
    assert committed_searches(replace(built, store=own_postgres.url)) == 31
    assert recorder.health().problem is None


def test_analytics_off_write_nothing_to_the_database(published: Settings) -> None:
    settings = replace(
        Settings.from_env({"HUB_ANALYTICS": "off"}),
        corpus_dir=published.corpus_dir,
        data_dir=published.data_dir,
        model="fake-hash",
        store=published.store,
    )
    hub = replica(settings)
    assert hub.observer is None
    assert hub.search_page(ANSWERED).results.hits
    assert rows(settings, "SELECT to_regnamespace('hub_analytics')") == [(None,)]
    assert not settings.analytics_dir.exists()


def test_replicas_starting_at_once_create_the_tables_once(pg_url: str) -> None:
    at_once = threading.Barrier(6)
    errors: list[BaseException] = []

    def start() -> None:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            at_once.wait()
            try:
                ensure_analytics(conn)
            except BaseException as exc:  # collected: the test says which
                errors.append(exc)

    workers = [threading.Thread(target=start) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with psycopg.connect(pg_url) as conn:
        made = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'hub_analytics'")
        assert sorted(t for (t,) in made) == ["feedback", "opens", "searches"]


@pytest.mark.integration  # the Search insights page in Streamlit
def test_the_insights_page_counts_what_another_replica_recorded(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_md(corpus, PRIVACY, "# Privacy\n\nA privacy impact assessment for AI systems.\n", title="Privacy")
    env = {**env_for(corpus, data), "HUB_STORE": pg_url}
    settings = Settings.from_env(env)
    assert Hub(settings).update().outcome == "published"
    other = replica(settings)  # another app process
    other.search_page(ANSWERED)
    other.search_page(ANSWERED)
    assert recorder_of(other).flush()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    try:
        app(None, q=ANSWERED)  # this one
        page = app("pages/7_Search_insights.py")
    finally:
        st.cache_resource.clear()
    assert not page.exception
    top = {row["Query"]: row for row in tables(page)["Top queries"]}
    assert top[ANSWERED]["Searches"] == "3"
    assert not store_path(settings).exists()
