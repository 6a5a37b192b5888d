"""Damage that heals: a broken embedding cache is set aside and rebuilt, and a live build that
cannot be read gives way to the newest earlier one until the next run publishes a fresh build."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.api import Hub
from index.build import update_index
from index.errors import DocumentNotFound, IndexCorrupt
from index.snapshot import Snapshot
from index.store import SqliteStore
from ingest.embed import HashEmbedder
from ingest.embed_cache import KEEP_DAMAGED, EmbeddingCache, embed_with_cache, text_hash
from ingest.settings import Settings
from tests.helpers import write_md

# --- the embedding cache ----------------------------------------------------------------------


def _filled_cache(path: Path, count: int = 2000) -> dict[str, np.ndarray]:
    """A cache file at `path` holding `count` vectors; returns them by hash."""
    rng = np.random.default_rng(7)
    items = {f"{i:064x}": rng.random(64, dtype=np.float32) for i in range(count)}
    cache = EmbeddingCache(path)
    cache.put_many("m", items)
    cache.close()
    return items


def _set_aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".damaged-*"))


def test_a_garbage_cache_file_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "embeddings.sqlite"
    path.parent.mkdir()
    path.write_bytes(os.urandom(20000))
    cache = EmbeddingCache(path)
    (aside,) = _set_aside(path)
    assert cache.problems == [
        f"the embedding cache {path} was damaged (file is not a database); it was set aside as {aside.name} and rebuilt"
    ]
    assert cache.get_many("m", ["abc"]) == {}
    cache.put_many("m", {"abc": np.ones(4, dtype=np.float32)})
    cache.close()
    again = EmbeddingCache(path)
    assert again.get_many("m", ["abc"])["abc"].tolist() == [1.0] * 4
    assert again.problems == []
    again.close()


def test_a_truncated_cache_heals_when_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    items = _filled_cache(path)
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    cache = EmbeddingCache(path)
    found = cache.get_many("m", list(items))
    assert found == {}  # nothing is returned from a file known to be damaged
    assert "was damaged (database disk image is malformed)" in cache.problems[0]
    assert str(path) in cache.problems[0]
    cache.put_many("m", {"x": np.ones(64, dtype=np.float32)})
    assert list(cache.get_many("m", ["x"])) == ["x"]
    cache.close()
    assert len(_set_aside(path)) == 1


def test_a_cache_damaged_during_a_run_takes_the_next_write_into_a_fresh_file(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    cache = EmbeddingCache(path)
    cache.put_many("m", {"a": np.ones(8, dtype=np.float32)})
    path.write_bytes(b"\0garbage" * 4096)  # damaged in place while the run has it open
    cache.put_many("m", {"b": np.full(8, 2.0, dtype=np.float32)})
    cache.close()
    assert len(cache.problems) == 1 and "set aside" in cache.problems[0]
    reopened = EmbeddingCache(path)
    assert reopened.get_many("m", ["a", "b"])["b"].tolist() == [2.0] * 8
    reopened.close()


def test_only_the_newest_damaged_caches_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    for _ in range(KEEP_DAMAGED + 3):
        path.write_bytes(b"not sqlite" * 500)
        EmbeddingCache(path).close()
    assert len(_set_aside(path)) == KEEP_DAMAGED


def test_a_journal_of_the_damaged_cache_is_not_played_into_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    path.write_bytes(b"not sqlite" * 500)
    journal = tmp_path / "embeddings.sqlite-journal"
    journal.write_bytes(b"stale journal")
    cache = EmbeddingCache(path)
    assert not journal.exists()
    cache.close()


def test_a_cache_that_cannot_be_opened_is_kept_in_memory_and_the_run_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    path.mkdir()  # not a file at all: nothing to set aside, and sqlite cannot open it
    cache = EmbeddingCache(path)
    vectors, embedded = embed_with_cache(["harbour permits", "ferry times"], HashEmbedder(), cache)
    cache.close()
    assert embedded == 2 and vectors.shape == (2, 64)
    assert path.is_dir() and _set_aside(path) == []
    assert cache.problems[0].startswith(f"the embedding cache {path} could not be used")


def test_a_cached_vector_of_the_wrong_size_is_made_again(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    embedder = HashEmbedder()
    text = "rates rebates"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE vectors (model TEXT, hash TEXT, vector BLOB, PRIMARY KEY (model, hash))")
    with db:
        db.execute("INSERT INTO vectors VALUES (?, ?, ?)", (embedder.model_key, text_hash(text), b"\1\2\3"))
    db.close()
    cache = EmbeddingCache(path)
    vectors, embedded = embed_with_cache([text], embedder, cache)
    assert embedded == 1
    assert np.allclose(vectors[0], embedder.encode_documents([text])[0])
    assert cache.get_many(embedder.model_key, [text_hash(text)], embedder.dimension)[text_hash(text)].shape == (64,)
    cache.close()


def test_embedding_reports_its_progress_by_stage_counting_only_what_it_embeds(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    embed_with_cache(["harbour permits"], HashEmbedder(), cache)
    seen: list[tuple[str, int, int]] = []
    texts = ["harbour permits", "ferry times", "bus routes", "ferry times"]
    embed_with_cache(texts, HashEmbedder(), cache, lambda *call: seen.append(call), batch_size=1)
    cache.close()
    assert seen == [("embedding", 0, 2), ("embedding", 1, 2), ("embedding", 2, 2)]


def test_a_nightly_run_over_a_garbage_cache_publishes(settings: Settings, fake_embedder: HashEmbedder) -> None:
    _corpus(settings)
    assert update_index(settings, fake_embedder).outcome == "published"
    cache = settings.cache_dir / "embeddings.sqlite"
    cache.write_bytes(os.urandom(8192))
    report = update_index(settings, fake_embedder, full=True)
    assert report.outcome == "published", report.message
    assert report.embedded == report.chunks > 0
    assert len(_set_aside(cache)) == 1
    reopened = EmbeddingCache(cache)
    assert reopened.problems == []
    reopened.close()


# --- a live build that cannot be read ---------------------------------------------------------


def _corpus(settings: Settings) -> None:
    write_md(
        settings.corpus_dir,
        "ferries.md",
        "# Ferry timetables\n\nFerries leave the harbour every hour.",
        title="Ferries",
        kind="guidance",
    )
    write_md(
        settings.corpus_dir,
        "rates.md",
        "# Rates rebates\n\nApply for a rates rebate online.",
        title="Rates",
        kind="tool",
    )


def _two_builds(settings: Settings, embedder: HashEmbedder) -> tuple[str, str]:
    """Publish a build, then a second with one more document; returns (earlier id, live id)."""
    _corpus(settings)
    first = update_index(settings, embedder)
    write_md(settings.corpus_dir, "dogs.md", "# Dog registration\n\nRegister your dog by July.", title="Dogs")
    second = update_index(settings, embedder)
    assert first.outcome == second.outcome == "published"
    return first.build_id, second.build_id


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size or 4096))


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 3)


def _empty(folder: Path) -> None:
    for item in folder.iterdir():
        item.unlink()


DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "store overwritten": ("store.sqlite", _garbage),
    "vectors truncated": ("vectors.faiss", _truncate),
    "manifest deleted": ("manifest.json", Path.unlink),
    "keyword index emptied": ("keyword", _empty),
}


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_live_build_gives_way_to_the_earlier_one(
    settings: Settings, fake_embedder: HashEmbedder, case: str
) -> None:
    earlier, live = _two_builds(settings, fake_embedder)
    name, damage = DAMAGE[case]
    damage(settings.builds_dir / live / name)
    before = _snapshot(settings.data_dir)
    hub = Hub(settings, lambda _: fake_embedder)

    results = hub.search("ferry harbour")
    assert results.hits[0].doc_id == "ferries.md"
    assert hub.snapshot().build_id == earlier
    assert sorted(r.doc_id for r in hub.documents()) == ["ferries.md", "rates.md"]
    reason = hub.fallback_reason
    assert reason is not None
    assert reason.startswith(f"The live build {live} could not be read ({name}")
    assert f"showing the earlier build {earlier} until the next build is published" in reason
    assert str(settings.data_dir) not in reason and "\n" not in reason
    assert _snapshot(settings.data_dir) == before  # the portal only reads


def test_the_live_build_is_served_and_no_reason_given_when_it_opens(
    settings: Settings, fake_embedder: HashEmbedder
) -> None:
    _, live = _two_builds(settings, fake_embedder)
    hub = Hub(settings, lambda _: fake_embedder)
    assert hub.snapshot().build_id == live
    assert hub.fallback_reason is None


def test_a_damaged_build_is_not_opened_again_on_every_call(
    settings: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier, live = _two_builds(settings, fake_embedder)
    _garbage(settings.builds_dir / live / "store.sqlite")
    opened: list[str] = []
    hub = Hub(settings, lambda _: fake_embedder)
    real_open = hub.catalogue.open

    def counting_open(build_id: str) -> Snapshot:
        opened.append(build_id)
        return real_open(build_id)

    monkeypatch.setattr(hub.catalogue, "open", counting_open)
    for _ in range(3):
        hub.search("ferry")
        assert hub.fallback_reason is not None
    assert opened == [live, earlier]

    write_md(settings.corpus_dir, "parks.md", "# Parks\n\nBook a park for an event.", title="Parks")
    newest = update_index(settings, fake_embedder)
    assert newest.outcome == "published"
    assert hub.snapshot().build_id == newest.build_id
    assert hub.fallback_reason is None
    assert opened == [live, earlier, newest.build_id]


def test_the_next_run_replaces_a_damaged_live_build(settings: Settings, fake_embedder: HashEmbedder) -> None:
    earlier, live = _two_builds(settings, fake_embedder)
    _garbage(settings.builds_dir / live / "store.sqlite")
    hub = Hub(settings, lambda _: fake_embedder)
    assert hub.snapshot().build_id == earlier
    report = update_index(settings, fake_embedder)
    assert report.outcome == "published", report.message
    assert report.build_id not in (earlier, live)
    assert hub.search("dog registration").hits[0].doc_id == "dogs.md"
    assert sorted(r.doc_id for r in hub.documents()) == ["dogs.md", "ferries.md", "rates.md"]
    assert hub.snapshot().build_id == report.build_id
    assert hub.fallback_reason is None


def test_when_no_build_opens_the_error_names_the_file(settings: Settings, fake_embedder: HashEmbedder) -> None:
    earlier, live = _two_builds(settings, fake_embedder)
    _garbage(settings.builds_dir / live / "store.sqlite")
    _truncate(settings.builds_dir / earlier / "vectors.faiss")
    hub = Hub(settings, lambda _: fake_embedder)
    with pytest.raises(IndexCorrupt) as caught:
        hub.search("ferry")
    message = str(caught.value)
    assert message.startswith(f"the live build {live} could not be read (store.sqlite: damaged")
    assert "no earlier build opens" in message and str(settings.data_dir) not in message
    assert hub.fallback_reason is None


def test_an_unreadable_pointer_gives_way_to_the_newest_published_build(
    settings: Settings, fake_embedder: HashEmbedder
) -> None:
    _, live = _two_builds(settings, fake_embedder)
    (settings.data_dir / "LIVE").write_text("{half written", encoding="utf-8")
    hub = Hub(settings, lambda _: fake_embedder)
    assert hub.has_index()
    assert hub.snapshot().build_id == live
    assert (hub.fallback_reason or "").startswith("The pointer to the live build could not be read (LIVE:")


def test_a_partial_build_is_never_served_but_an_older_finished_one_is(
    settings: Settings, fake_embedder: HashEmbedder
) -> None:
    earlier, live = _two_builds(settings, fake_embedder)
    # The earlier build has left the history; under an older id it is being written again.
    (settings.data_dir / "history.json").write_text(json.dumps([live]), encoding="utf-8")
    older = "20000101T000000Z-aaaaaa"
    (settings.builds_dir / earlier).rename(settings.builds_dir / f"{older}.partial")
    _garbage(settings.builds_dir / live / "store.sqlite")
    with pytest.raises(IndexCorrupt, match="no earlier build opens"):
        Hub(settings, lambda _: fake_embedder).snapshot()
    (settings.builds_dir / f"{older}.partial").rename(settings.builds_dir / older)
    hub = Hub(settings, lambda _: fake_embedder)
    assert hub.snapshot().build_id == older
    assert f"showing the earlier build {older}" in (hub.fallback_reason or "")


# --- damage that only shows when a passage is read -------------------------------------------

MARKER = "zebrafish quarantine"


def _long_passages(settings: Settings, tmp_path: Path) -> tuple[Settings, HashEmbedder]:
    """Settings and a model for passages of several kilobytes, which SQLite keeps on overflow
    pages of their own: opening the build reads none of them, a search reads them."""
    long = Settings(corpus_dir=settings.corpus_dir, data_dir=tmp_path / "long", model="fake-hash", chunk_tokens=1500)
    words = " ".join(f"harbour{i}" for i in range(900))
    write_md(long.corpus_dir, "harbour.md", f"# Harbour\n\nFerry harbour notes. {words}", title="Harbour")
    return long, HashEmbedder(max_tokens=2000)


def _damage_pages_holding(store: Path, text: str) -> None:
    """Overwrite every SQLite page that holds `text`, using the page size from the header."""
    raw = store.read_bytes()
    page_size = int.from_bytes(raw[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    needle = text.encode()
    pages = {offset // page_size for offset in range(len(raw)) if raw.startswith(needle, offset)}
    assert pages
    with store.open("r+b") as handle:
        for page in pages:
            handle.seek(page * page_size)
            handle.write(b"\xff" * page_size)


def _with_marked_passage(long: Settings, embedder: HashEmbedder) -> tuple[str, str]:
    first = update_index(long, embedder)
    words = " ".join(f"dredging{i}" for i in range(900))
    write_md(long.corpus_dir, "dredging.md", f"# Dredging\n\n{words} {MARKER} permits.", title="Dredging")
    second = update_index(long, embedder)
    assert first.outcome == second.outcome == "published"
    _damage_pages_holding(long.builds_dir / second.build_id / "store.sqlite", MARKER)
    return first.build_id, second.build_id


def test_a_damaged_passage_page_found_mid_search_falls_back(settings: Settings, tmp_path: Path) -> None:
    long, embedder = _long_passages(settings, tmp_path)
    earlier, live = _with_marked_passage(long, embedder)
    hub = Hub(long, lambda _: embedder)
    assert hub.snapshot().build_id == live  # the damage does not show when the build is opened

    results = hub.search(f"dredging {MARKER}")
    assert [h.doc_id for h in results.hits] == ["harbour.md"]
    assert hub.snapshot().build_id == earlier
    assert f"The live build {live} could not be read (store.sqlite: damaged" in (hub.fallback_reason or "")
    with pytest.raises(DocumentNotFound):
        hub.document("dredging.md")  # served by the earlier build, which never held it


def test_a_damaged_passage_page_with_nothing_to_fall_back_on_is_a_clear_error(
    settings: Settings, tmp_path: Path
) -> None:
    long, embedder = _long_passages(settings, tmp_path)
    _, live = _with_marked_passage(long, embedder)
    (long.data_dir / "history.json").write_text(json.dumps([live]), encoding="utf-8")
    for folder in long.builds_dir.iterdir():
        if folder.name != live:
            shutil.rmtree(folder)
    hub = Hub(long, lambda _: embedder)
    for attempt in (lambda: hub.search(MARKER), lambda: hub.document("dredging.md")):
        with pytest.raises(IndexCorrupt, match=r"store\.sqlite: damaged"):
            attempt()


def test_the_store_names_its_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(IndexCorrupt) as caught:
        SqliteStore(path).documents()
    assert str(caught.value) == f"{path}: damaged (file is not a database)"
