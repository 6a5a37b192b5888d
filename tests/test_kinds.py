"""Typed metadata of tools, case studies and initiatives: parsed, checked, stored and read back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from index.build import update_index
from index.layout import STORE, read_pointer
from index.snapshot import open_live
from ingest.embed import HashEmbedder
from ingest.kinds import CaseStudyDetails, InitiativeDetails, ToolDetails
from ingest.metadata import load_yaml_mapping, metadata_from_json, metadata_to_json, parse_metadata
from ingest.pipeline import read_document, scan_corpus
from ingest.settings import Settings
from portal.catalogue import case_studies, extra_fields, programme, tools
from tests.helpers import write_md

TOOL_YAML = """\
title: Secure chat assistant
kind: tool
provider: Harbour Ltd
capability: Drafting and summarising text
max_classification: in-confidence
approval_status: Approved with conditions
conditions:
  - Review every output
  - Nothing above IN-CONFIDENCE
used_by: Ministry of Letters
related: [guidance/privacy.md]
superseded_by: marketplace/chat-2.md
"""


def words(text: str) -> int:
    return len(text.split())


def test_a_valid_tool_is_parsed_into_its_details() -> None:
    raw, problem = load_yaml_mapping(TOOL_YAML, "front matter")
    parsed = parse_metadata(raw)
    assert (problem, parsed.problems) == ("", ())
    assert parsed.metadata.details == ToolDetails(
        provider="Harbour Ltd",
        capability="Drafting and summarising text",
        max_classification="IN-CONFIDENCE",
        approval_status="approved with conditions",
        conditions=("Review every output", "Nothing above IN-CONFIDENCE"),
        used_by=("Ministry of Letters",),
        related=("guidance/privacy.md",),
    )
    # Keys of no kind stay as written; the tool's own are no longer among them.
    assert parsed.metadata.extra == {"superseded_by": "marketplace/chat-2.md"}


def test_an_invalid_classification_is_a_warning_naming_the_file_field_and_value(tmp_path: Path) -> None:
    write_md(tmp_path, "marketplace/bot.md", "# Bot\n\nA chat bot.", kind="tool", max_classification="TOP SECRET")
    doc = read_document(scan_corpus(tmp_path).files[0], words, 256, 50, 5)
    assert doc.doc_id == "marketplace/bot.md"
    assert (
        "metadata: max_classification: 'TOP SECRET' is not one of "
        "UNCLASSIFIED, IN-CONFIDENCE, SENSITIVE, RESTRICTED" in doc.warnings
    )
    assert doc.metadata.details == ToolDetails()
    assert "max_classification" not in doc.metadata.extra


def test_an_invalid_classification_reaches_the_run_report(settings: Settings) -> None:
    write_md(settings.corpus_dir, "bot.md", "# Bot\n\nA chat bot for letters.", kind="tool", max_classification="X")
    report = update_index(settings, HashEmbedder())
    assert report.outcome == "published"
    assert any("max_classification: 'X' is not one of" in w for w in report.warnings["bot.md"])
    saved = json.loads((settings.reports_dir / "latest.json").read_text(encoding="utf-8"))
    assert any("max_classification: 'X'" in w for w in saved["warnings"]["bot.md"])


def test_every_invalid_detail_is_reported_and_none_dropped_silently() -> None:
    raw = {
        "kind": "tool",
        "provider": ["Acme", "Other"],
        "approval_status": "pending",
        "conditions": ["Keep logs", {"note": "x"}, True],
        "used_by": {"agency": "A"},
    }
    parsed = parse_metadata(raw)
    assert parsed.problems == (
        "provider: expected text, got list",
        "approval_status: 'pending' is not one of approved, approved with conditions, under assessment, not approved",
        "conditions: item 2 is a dict, not text; left out",
        "conditions: item 3 is True, not text; left out",
        "used_by: expected text or a list of texts, got dict",
    )
    assert parsed.metadata.details == ToolDetails(conditions=("Keep logs",))


def test_a_case_study_has_its_story_and_its_tools() -> None:
    raw, _ = load_yaml_mapping(
        "kind: case-study\nproblem: Letters were hard to read.\napproach: Drafted with a chat assistant.\n"
        "outcome: Complaints fell by a third.\ntools_used: marketplace/chat.md\n"
        "related: [guidance/privacy.md, guidance/letters.md]\nprovider: not a case study field\n",
        "front matter",
    )
    parsed = parse_metadata(raw)
    assert parsed.problems == ()
    assert parsed.metadata.details == CaseStudyDetails(
        problem="Letters were hard to read.",
        approach="Drafted with a chat assistant.",
        outcome="Complaints fell by a third.",
        tools_used=("marketplace/chat.md",),
        related=("guidance/privacy.md", "guidance/letters.md"),
    )
    assert parsed.metadata.extra == {"provider": "not a case study field"}


def test_other_kinds_keep_every_key_in_extra() -> None:
    raw = {"kind": "guidance", "related": ["a.md"], "goal": "g", "max_classification": "nonsense"}
    parsed = parse_metadata(raw)
    assert parsed.problems == ()
    assert parsed.metadata.details is None
    assert parsed.metadata.extra == {"related": ["a.md"], "goal": "g", "max_classification": "nonsense"}


def test_details_survive_json() -> None:
    for raw in (
        load_yaml_mapping(TOOL_YAML, "front matter")[0],
        {"kind": "initiative", "initiative": "I-07", "goal": "G", "deliverable": "D", "related": ["x.md"]},
        {"kind": "standard", "related": ["x.md"]},
    ):
        meta = parse_metadata(raw).metadata
        again = metadata_from_json(json.loads(json.dumps(metadata_to_json(meta))))
        assert again == meta and again.extra == meta.extra


def test_metadata_saved_before_details_still_loads_with_them() -> None:
    old = {
        "title": "I-07 Shared assistant",
        "kind": "initiative",
        "initiative": "I-07",
        "status": "current",
        "tags": [],
        "extra": {"goal": "One assistant for all.", "deliverable": "A pilot.", "related": "a.md", "owner": "GCDO"},
    }
    meta = metadata_from_json(old)
    assert meta.details == InitiativeDetails(goal="One assistant for all.", deliverable="A pilot.", related=("a.md",))
    assert meta.extra == {"owner": "GCDO"}
    assert metadata_from_json({"title": "T", "kind": "guidance", "extra": {"goal": "g"}}).details is None


def test_an_index_written_before_details_opens_and_shows_them(settings: Settings) -> None:
    corpus = settings.corpus_dir
    write_md(
        corpus,
        "chat.md",
        "# Chat\n\nA chat assistant.",
        kind="tool",
        provider="Harbour Ltd",
        max_classification="SENSITIVE",
    )
    write_md(
        corpus,
        "letters.md",
        "# Letters\n\nPlain letters.",
        kind="case-study",
        problem="Hard letters.",
        tools_used=["chat.md"],
    )
    write_md(corpus, "i-1.md", "# I-1\n\nAn initiative.", kind="initiative", initiative="I-1", goal="Goal one.")
    assert update_index(settings, HashEmbedder()).outcome == "published"
    # Rewrite the saved metadata as the hub wrote it before details were kept apart.
    store = settings.builds_dir / str(read_pointer(settings)) / STORE
    with sqlite3.connect(store) as db:
        for doc_id, saved in db.execute("SELECT doc_id, metadata FROM documents").fetchall():
            data = json.loads(saved)
            details = data.pop("details") or {}
            data["extra"] = {**details, **data["extra"]}
            db.execute("UPDATE documents SET metadata = ? WHERE doc_id = ?", (json.dumps(data), doc_id))
    db.close()
    build = open_live(settings)
    try:
        records = list(build.documents.values())
    finally:
        build.close()
    (tool,) = tools(records)
    assert (tool.details.provider, tool.details.max_classification, [c.doc_id for c in tool.case_studies]) == (
        "Harbour Ltd",
        "SENSITIVE",
        ["letters.md"],
    )
    assert tool.cleared_for("IN-CONFIDENCE") and not tool.cleared_for("RESTRICTED")
    (story,) = case_studies(records)
    assert story.story.problem == "Hard letters."
    (area,) = programme(records)
    assert area.initiatives[0].plan.goal == "Goal one."
    assert ("Provider", ("Harbour Ltd",)) in extra_fields(tool.record)


def test_a_case_studys_fields_still_describe_it_in_its_summary_passage(tmp_path: Path) -> None:
    write_md(tmp_path, "cs.md", "# Letters\n\nBody text.", kind="case-study", problem="Letters were hard to read.")
    doc = read_document(scan_corpus(tmp_path).files[0], words, 256, 50, 5)
    assert doc.chunks[0].heading_path == ("Summary",)
    assert "Letters were hard to read." in doc.chunks[0].text
