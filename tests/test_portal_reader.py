"""The reader's original file, banners, passage locations and text pieces (portal/reader.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.reading import content_hash
from portal.reader import banners, indexed_original, location, original_download, original_file, passage_html
from tests.app_support import record


def test_original_file_must_resolve_inside_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "g").mkdir(parents=True)
    inside = corpus / "g" / "a.md"
    inside.write_text("x")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (corpus / "g" / "link.md").symlink_to(outside)
    assert original_file(record("g/a.md", str(inside)), corpus) == inside.resolve()
    assert original_file(record("g/a.md", str(corpus / "g" / ".." / "g" / "a.md")), corpus) == inside.resolve()
    assert original_file(record("x", str(outside)), corpus) is None
    assert original_file(record("x", str(corpus / ".." / "secret.txt")), corpus) is None
    assert original_file(record("g/link.md", str(corpus / "g" / "link.md")), corpus) is None
    assert original_file(record("g/gone.md", str(corpus / "g" / "gone.md")), corpus) is None
    assert original_file(record("g", str(corpus / "g")), corpus) is None


def test_the_original_is_offered_only_while_it_is_the_indexed_version(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = corpus / "a.md"
    doc.write_bytes(b"# A\n\nThe indexed text.")
    indexed = replace(record("a.md", str(doc)), content_hash=content_hash(doc.read_bytes(), None))
    offered = original_download(indexed, corpus, 1000)
    assert offered is not None and offered.problem == "" and offered.size == len(doc.read_bytes())
    # A sidecar written since is part of the version too.
    (corpus / "a.md.meta.yaml").write_text("title: A\n", encoding="utf-8")
    changed = original_download(indexed, corpus, 1000)
    assert changed is not None and "changed since this version was indexed" in changed.problem
    (corpus / "a.md.meta.yaml").unlink()
    doc.write_bytes(b"x" * 5000)
    large = original_download(indexed, corpus, 1000)
    assert large is not None and "larger than the hub serves" in large.problem


def test_a_linked_document_with_its_own_metadata_can_be_downloaded(tmp_path: Path) -> None:
    from ingest.scan import scan_corpus

    corpus = tmp_path / "corpus"
    (corpus / "shared").mkdir(parents=True)
    (corpus / "team").mkdir()
    (corpus / "shared/policy.txt").write_text("The shared policy text. " * 10, encoding="utf-8")
    (corpus / "team/policy.txt").symlink_to(corpus / "shared/policy.txt")
    (corpus / "team/policy.txt.meta.yaml").write_text("title: Team copy\n", encoding="utf-8")
    source = next(f for f in scan_corpus(corpus).files if f.doc_id == "team/policy.txt")
    indexed = replace(record("team/policy.txt", source.path), content_hash=source.content_hash)
    offered = original_download(indexed, corpus, 10_000)
    assert offered is not None and offered.problem == ""
    assert indexed_original(indexed, corpus, 10_000).startswith(b"The shared policy text.")


def test_a_download_never_follows_a_folder_swapped_for_a_link_after_the_page_was_drawn(tmp_path: Path) -> None:
    corpus, secret = tmp_path / "corpus", tmp_path / "secret"
    (corpus / "team").mkdir(parents=True)
    secret.mkdir()
    (corpus / "team/a.md").write_bytes(b"# A\n\nIndexed.")
    (secret / "a.md").write_bytes(b"# A\n\nIndexed.")
    indexed = replace(
        record("team/a.md", str(corpus / "team/a.md")), content_hash=content_hash(b"# A\n\nIndexed.", None)
    )
    assert indexed_original(indexed, corpus, 1000) == b"# A\n\nIndexed."
    (corpus / "team").rename(tmp_path / "moved")
    (corpus / "team").symlink_to(secret)
    with pytest.raises(OSError):
        indexed_original(indexed, corpus, 1000)


def test_banners() -> None:
    today = dt.date(2026, 1, 1)
    old = record("a.md", status="superseded", review_by=dt.date(2025, 1, 1), extra={"superseded_by": "b.md"})
    found = banners(old, today, {"a.md", "b.md"})
    assert [b.level for b in found] == ["warning", "warning"]
    assert found[0].link == "b.md"
    assert "1 January 2025" in found[1].message
    assert banners(record("a.md", status="withdrawn"), today, set())[0].level == "error"
    assert banners(record("a.md", review_by=today), today, set()) == []
    assert (
        banners(record("a.md", status="superseded", extra={"superseded_by": "gone.md"}), today, set())[0].link is None
    )


def test_location() -> None:
    assert location(3, ("A",)) == "Page 3"
    assert location(None, ("Guide", "Part", "Step"), "guide") == "Part › Step"
    assert location(None, ()) == ""


def test_the_opened_passage_marks_its_answer_and_shows_bullets_not_dashes() -> None:
    text = "Rules for staff:\n- Keep a person in the loop.\n- Report incidents within two days."
    start = text.index("Report")
    html = passage_html(text, "report incidents", (start, len(text)), pdf=False)
    assert "• Keep a person in the loop." in html and "- Keep" not in html
    assert '<mark class="hub-answer"><mark>Report</mark> <mark>incidents</mark> within two days.</mark>' in html


def test_the_opened_passage_of_a_pdf_joins_its_lines_and_escapes_text() -> None:
    text = "The agency must tell <b>people</b>\nwhen a decision was made\nby a system.\n\nNext paragraph."
    html = passage_html(text, "", None, pdf=True)
    assert "must tell &lt;b&gt;people&lt;/b&gt; when a decision was made by a system.\n\nNext" in html
    assert "<b>" not in html


def test_an_answer_outside_the_passage_is_ignored() -> None:
    assert "hub-answer" not in passage_html("Short text.", "text", (5, 500), pdf=False)
