"""How a document is laid out (headings, list items, Markdown source) is kept in the index for
the reader, and a build made before layouts were kept still opens and is replaced cleanly."""

from __future__ import annotations

import sqlite3

from index.api import Hub
from index.build import update_index
from index.layout import STORE, read_pointer
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.helpers import make_docx, write_md

BODY = "# Scope\n\nWho this covers, with a [link](other.md).\n\n- first item\n- second item\n"


def fill(settings: Settings) -> None:
    write_md(settings.corpus_dir, "guide.md", BODY, title="Guide")
    write_md(settings.corpus_dir, "other.md", "# Other\n\nAnother page about the same scope.\n", title="Other")
    raw = make_docx([("Heading 1", "Keeping data"), ("List Bullet", "Name the purpose"), ("Normal", "Then act.")])
    (settings.corpus_dir / "keep.docx").write_bytes(raw)


def test_layouts_are_kept_for_the_reader(settings: Settings, fake_embedder: HashEmbedder) -> None:
    fill(settings)
    update_index(settings, fake_embedder)
    hub = Hub(settings, lambda _: fake_embedder)
    guide = hub.document("guide.md")
    assert guide.layout.source == BODY  # the body, without its front matter
    word = hub.document("keep.docx")
    assert [word.text[s:e] for _, s, e in word.layout.headings] == ["Keeping data"]
    assert [word.text[s:e] for s, e in word.layout.items] == ["Name the purpose"]


def test_a_build_from_before_layouts_opens_and_the_next_run_reads_its_files_again(
    settings: Settings, fake_embedder: HashEmbedder
) -> None:
    fill(settings)
    update_index(settings, fake_embedder)
    live = read_pointer(settings)
    assert live is not None
    store = settings.builds_dir / live / STORE
    with sqlite3.connect(store) as db:
        db.execute("ALTER TABLE documents DROP COLUMN layout")
    db.close()
    old = Hub(settings, lambda _: fake_embedder).document("guide.md")
    assert old.layout.source == "" and "Who this covers" in old.text  # opens, drawn without structure
    # The next run, with no file changed, reads every file again instead of keeping the build.
    report = update_index(settings, fake_embedder)
    assert report.outcome == "published" and not report.failed and not report.warnings
    assert report.embedded == 0  # the passages' vectors come from the embedding cache
    hub = Hub(settings, lambda _: fake_embedder)
    assert hub.document("guide.md").layout.source == BODY
    assert hub.document("keep.docx").layout.items
