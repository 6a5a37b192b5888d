"""The search analytics: what a search, an opened result and feedback leave in the store, what they
never leave, retention, the off switch, and searches going on while the store is locked,
damaged or read-only. What a store keeps and the insights read back from it are checked in both
stores: the data folder's file, and the database of HUB_STORE (more in test_pg_analytics.py)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from index import Filters, Health, Hub, Recorder, Viewer, open_recorder, read_insights, store_path
from index.analytics import COMMENT_CHARS
from index.analytics_store import EventWriter, SqliteWriter
from index.build import update_index
from index.insights import insights_of
from index.pg.analytics import PgWriter, as_sqlite
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.helpers import write_md
from tests.pg_support import pg_url, postgres_server

__all__ = ["pg_url", "postgres_server"]  # fixtures, used by name

PRIVACY = "guidance/privacy.md"
CHAT = "marketplace/chat.md"
LETTERS = "guidance/letters.md"
ANSWERED = "privacy impact assessment"
UNANSWERED = "zebra quantum lasagne"


def quick(store: Path | EventWriter, days: int, today: Callable[[], dt.date] | None = None) -> Recorder:
    """A recorder with short waits, so the failure cases take a second, not the defaults' several."""
    return Recorder(store, days, today=today, busy_seconds=0.2, retry_seconds=0.1, batch_seconds=0.05)


def quick_writer(settings: Settings) -> EventWriter:
    """The writer of the analytics store `settings` name, with a short wait for locks."""
    return PgWriter(settings.store, busy_seconds=0.2) if settings.store else SqliteWriter(store_path(settings), 0.2)


@pytest.fixture
def built(settings: Settings, fake_embedder: HashEmbedder) -> Settings:
    corpus = settings.corpus_dir
    write_md(
        corpus,
        PRIVACY,
        "# Privacy\n\nA privacy impact assessment is needed when an AI system processes personal information.\n",
        title="Privacy impact assessments",
        kind="guidance",
        review_by="2020-01-01",
    )
    write_md(
        corpus, CHAT, "# Chat\n\nA secure chat assistant for drafting letters.\n", title="Secure chat", kind="tool"
    )
    write_md(
        corpus, LETTERS, "# Letters\n\nRewrite letters in plain language.\n", title="Plain letters", kind="guidance"
    )
    assert update_index(settings, fake_embedder).outcome == "published"
    return settings


def hub_with(settings: Settings, recorder: Recorder | None) -> Hub:
    return Hub(settings, lambda s: HashEmbedder(), observer=recorder)


@pytest.fixture(params=["sqlite", "postgresql"])
def analytics(request: pytest.FixtureRequest, built: Settings) -> Settings:
    """`built`, its analytics kept in the data folder's file or in a fresh database (HUB_STORE).
    Searches are served from the data folder either way (`hub_with(built, ...)`)."""
    if request.param == "sqlite":
        return built
    return replace(built, store=request.getfixturevalue("pg_url"))


@pytest.fixture
def recorder(built: Settings) -> Recorder:
    return quick(store_path(built), built.analytics_days)


@pytest.fixture
def either(analytics: Settings) -> Recorder:
    """A recorder into the analytics store of `analytics`."""
    return quick(quick_writer(analytics), analytics.analytics_days)


def rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    """What `sql` finds in the analytics store of `settings`, as the SQLite store gives it."""
    if settings.store:
        with psycopg.connect(settings.store) as conn:
            conn.execute("SET search_path TO hub_analytics")
            return [as_sqlite(row) for row in conn.execute(sql.encode()).fetchall()]
    with sqlite3.connect(store_path(settings)) as conn:
        return conn.execute(sql).fetchall()


def everything_stored(settings: Settings) -> str:
    """Every row of every table (and, in the file, the schema) as text."""
    if settings.store:
        return "\n".join(repr(rows(settings, f"SELECT * FROM {table}")) for table in ("searches", "opens", "feedback"))
    conn = sqlite3.connect(store_path(settings))
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def wait_for(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_search_an_open_and_feedback_are_kept_without_who_or_when(
    built: Settings, analytics: Settings, either: Recorder
) -> None:
    reader = Viewer(groups=frozenset({"procurement-team"}), signed_in=True, name="Alice Example")
    recorder = either
    hub = hub_with(built, recorder)
    hub.search_page(f"{ANSWERED} for alice@example.govt.nz 021 555 0199", Filters(kinds=("guidance",)), viewer=reader)
    hub.search_page(UNANSWERED, viewer=reader)
    recorder.opened(PRIVACY, 1, ANSWERED)
    recorder.feedback(PRIVACY, False, "Call me on 09 123 4567 — it did not say who signs off", ANSWERED)
    assert recorder.flush()
    searches = rows(
        analytics, "SELECT query, norm, mode, filters, results, hits, no_good_match FROM searches ORDER BY id"
    )
    assert searches[0][:4] == (
        f"{ANSWERED} for [email] [phone]",
        f"{ANSWERED} for email phone",
        "hybrid",
        '{"kind": ["guidance"]}',
    )
    assert searches[0][4] >= 1 and searches[0][6] == 0
    assert searches[1][4] == 0 and searches[1][6] == 1  # no good match: no result counted
    assert rows(analytics, "SELECT doc_id, rank FROM opens") == [(PRIVACY, 1)]
    assert rows(analytics, "SELECT helpful, comment FROM feedback") == [
        (0, "Call me on [phone] — it did not say who signs off")
    ]
    stored = everything_stored(analytics)
    for personal in ("alice@example", "555 0199", "123 4567", "Alice", "procurement-team"):
        assert personal not in stored
    # The day only, never the time of day.
    assert rows(analytics, "SELECT DISTINCT day FROM searches") == [(dt.datetime.now(dt.UTC).date().isoformat(),)]
    assert "builds" not in str(store_path(built).relative_to(built.data_dir))


def test_a_search_shown_again_is_not_counted_again(built: Settings, recorder: Recorder) -> None:
    hub = hub_with(built, recorder)
    hub.search_page(ANSWERED)
    hub.search_page(ANSWERED, limit=40, observed=False)  # "Show more"
    assert recorder.flush()
    assert rows(built, "SELECT COUNT(*) FROM searches") == [(1,)]


def test_comments_are_cut_to_their_limit(analytics: Settings, either: Recorder) -> None:
    either.feedback(CHAT, True, "x" * 5000)
    assert either.flush()
    assert rows(analytics, "SELECT LENGTH(comment) FROM feedback") == [(COMMENT_CHARS,)]


@pytest.mark.parametrize("env", [{"HUB_ANALYTICS": "off"}, {"HUB_ANALYTICS": "0"}, {"HUB_ANALYTICS": "false"}])
def test_analytics_off_records_nothing_and_creates_no_file(built: Settings, env: dict[str, str]) -> None:
    settings = replace(Settings.from_env(env), corpus_dir=built.corpus_dir, data_dir=built.data_dir, model="fake-hash")
    assert settings.analytics is False
    assert open_recorder(settings) is None
    hub = hub_with(settings, open_recorder(settings))
    assert hub.search_page(ANSWERED).results.hits
    assert not settings.analytics_dir.exists()


def test_analytics_are_on_by_default_and_days_are_checked() -> None:
    assert Settings.from_env({}).analytics is True
    assert Settings.from_env({"HUB_ANALYTICS_DAYS": "30"}).analytics_days == 30
    with pytest.raises(Exception, match="HUB_ANALYTICS_DAYS"):
        Settings.from_env({"HUB_ANALYTICS_DAYS": "0"})
    with pytest.raises(Exception, match="HUB_ANALYTICS"):
        Settings.from_env({"HUB_ANALYTICS": "maybe"})


def test_rows_older_than_the_retention_are_purged_on_the_first_write_of_a_day(
    built: Settings, analytics: Settings
) -> None:
    day = [dt.date(2026, 1, 1)]
    recorder = quick(quick_writer(analytics), 90, lambda: day[0])
    hub = hub_with(built, recorder)
    hub.search_page("old question")
    recorder.opened(CHAT, None)
    recorder.feedback(CHAT, True)
    assert recorder.flush()
    day[0] = dt.date(2026, 3, 31)  # 89 days later: kept
    hub.search_page("newer question")
    assert recorder.flush()
    assert rows(analytics, "SELECT query FROM searches ORDER BY id") == [("old question",), ("newer question",)]
    day[0] = dt.date(2026, 4, 2)  # 91 days after the first: gone from every table
    hub.search_page("newest question")
    assert recorder.flush()
    assert rows(analytics, "SELECT query FROM searches ORDER BY id") == [("newer question",), ("newest question",)]
    assert rows(analytics, "SELECT COUNT(*) FROM opens") == rows(analytics, "SELECT COUNT(*) FROM feedback") == [(0,)]


def search_from_threads(hub: Hub, threads: int = 6, each: int = 5) -> list[BaseException]:
    """`threads` sessions searching at once; the errors any search raised."""
    errors: list[BaseException] = []

    def session(n: int) -> None:
        for i in range(each):
            try:
                results = hub.search_page(f"{ANSWERED} {n} {i}").results
                assert results.hits
            except BaseException as exc:  # collected: the test says which
                errors.append(exc)

    workers = [threading.Thread(target=session, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def committed_searches(settings: Settings) -> int:
    return int(rows(settings, "SELECT COUNT(*) FROM searches")[0][0])


def test_many_sessions_at_once_lose_nothing(built: Settings, analytics: Settings, either: Recorder) -> None:
    assert search_from_threads(hub_with(built, either), threads=8, each=10) == []
    assert either.flush()
    assert committed_searches(analytics) == 80
    assert either.health() == Health()


def test_a_locked_store_holds_up_no_search_and_loses_nothing(built: Settings, recorder: Recorder) -> None:
    hub = hub_with(built, recorder)
    hub.search_page("before the lock")
    assert recorder.flush()
    locker = sqlite3.connect(store_path(built), isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        assert search_from_threads(hub) == []
        wait_for(lambda: recorder.health().problem is not None)
        problem = recorder.health().problem or ""
        assert "locked" in problem and recorder.health().waiting == 30
        assert not recorder.flush(0.3)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert recorder.flush(20)
    assert committed_searches(built) == 31
    assert recorder.health().problem is None


def test_a_damaged_store_is_set_aside_and_recording_goes_on(built: Settings, recorder: Recorder) -> None:
    path = store_path(built)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database at all " * 500)
    assert search_from_threads(hub_with(built, recorder)) == []
    assert recorder.flush(20)
    assert committed_searches(built) == 30
    health = recorder.health()
    assert health.problem is None and len(health.notes) == 1 and "damaged" in health.notes[0]
    aside = [p for p in path.parent.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")


@pytest.fixture
def read_only(built: Settings) -> Iterator[Callable[[bool], None]]:
    """Makes the analytics store read-only and back: by its mode, or for root (whom modes do
    not stop) by the immutable attribute."""
    path = store_path(built)
    folder = path.parent

    def set_read_only(on: bool) -> None:
        if os.geteuid() != 0:
            for target, mode in ((path, 0o444), (folder, 0o555)):
                target.chmod(mode if on else 0o755)
            return
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: a read-only store cannot be made")
        flag = "+i" if on else "-i"
        done = subprocess.run(["chattr", flag, str(path), str(folder)], capture_output=True, check=False)
        if done.returncode and on:
            pytest.skip(f"chattr cannot make files immutable here: {done.stderr.decode().strip()}")

    yield set_read_only
    set_read_only(False)


def test_a_read_only_store_holds_up_no_search(
    built: Settings, recorder: Recorder, read_only: Callable[[bool], None]
) -> None:
    hub_with(built, recorder).search_page("written before")
    assert recorder.flush()
    read_only(True)
    # The hub restarted with the store read-only.
    again = quick(store_path(built), built.analytics_days)
    assert search_from_threads(hub_with(built, again)) == []
    wait_for(lambda: again.health().problem is not None)
    assert "readonly" in (again.health().problem or "").replace("read-only", "readonly").replace(" ", "")
    read_only(False)
    assert again.flush(20)
    assert committed_searches(built) == 31


def test_insights_read_back_what_was_recorded(built: Settings, analytics: Settings, either: Recorder) -> None:
    recorder = either
    hub = hub_with(built, recorder)
    with_results = 0
    for query in (ANSWERED, ANSWERED, "Privacy impact assessment!", "chat assistant", UNANSWERED):
        with_results += bool(hub.search_page(query).results.hits)
    for query in ("parking fines", "AI for parking fines", "parking fine tools"):
        with_results += bool(hub.search_page(query).results.hits)
    recorder.opened(PRIVACY, 1, ANSWERED)
    recorder.opened(CHAT, None)  # from the Library: an open, not a click
    recorder.feedback(LETTERS, False, "too short", "plain letters")
    recorder.feedback(LETTERS, True)
    assert recorder.flush()
    insights = insights_of(analytics, hub.documents(viewer=Viewer.operator()), dt.date(2026, 11, 29))
    top = insights.top_queries[0]
    assert (top.query, top.searches, top.clicks) == (ANSWERED, 3, 1)
    gaps = {g.query: g for g in insights.content_gaps}
    assert gaps["parking fines"].searches == 3
    assert set(gaps["parking fines"].variants) == {"AI for parking fines", "parking fine tools"}
    assert UNANSWERED in gaps
    assert [q.query for q in insights.unclicked] == ["chat assistant"]
    assert (insights.positions[0].clicks, insights.positions[0].searches) == (1, with_results)
    assert insights.positions[1].clicks == 0
    assert len(insights.weeks) == 1 and insights.weeks[0].searches == 8 and insights.weeks[0].feedback == 2
    assert [(f.doc_id, f.unhelpful, f.helpful, f.comments) for f in insights.unhelpful] == [
        (LETTERS, 1, 1, ("too short",))
    ]
    assert [d.doc_id for d in insights.never_opened] == [LETTERS]
    assert [d.doc_id for d in insights.overdue] == [PRIVACY]


def test_insights_of_a_damaged_store_say_so(built: Settings) -> None:
    from index import AnalyticsUnreadable

    path = store_path(built)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(AnalyticsUnreadable, match="cannot be read"):
        read_insights(path, [], dt.date.today())


def test_insights_before_anything_was_recorded_are_empty(analytics: Settings) -> None:
    insights = insights_of(analytics, [], dt.date.today())
    assert insights.searches == 0 and insights.top_queries == () and insights.first_day == ""
    assert not store_path(analytics).exists()  # nor, reading, is any store created
    if analytics.store:
        assert rows(analytics, "SELECT to_regnamespace('hub_analytics')") == [(None,)]


def test_characters_a_store_cannot_hold_are_left_out_and_recording_goes_on(
    analytics: Settings, either: Recorder
) -> None:
    # A NUL from a URL, a lone surrogate from a browser: either would stop every later write.
    either.opened(PRIVACY, 1, "privacy\x00 impact")
    either.feedback(CHAT, False, "odd \ud800 text", "chat\x00")
    either.opened(LETTERS, None)
    assert either.flush() and either.health() == Health()
    assert rows(analytics, "SELECT doc_id, query FROM opens ORDER BY id") == [
        (PRIVACY, "privacy impact"),
        (LETTERS, ""),
    ]
    assert rows(analytics, "SELECT comment, query FROM feedback") == [("odd ? text", "chat")]
