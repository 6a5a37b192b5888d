"""The editors' curation files (corpus/_curation/): best bets, synonyms and the agency list; each
checked at ingest with file and line, the rest still applying; and every metadata problem told on
every run. Fast tier: the fake embedder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from index import Filters, Hub, Viewer
from index.__main__ import main as index_main
from index.curated import recommended, widened
from ingest.curation import read_curation
from ingest.embed import HashEmbedder
from ingest.settings import Access, Settings
from tests.app_support import env_for
from tests.audience_corpus import GROUP_A, RESTRICTED, write_restricted_corpus
from tests.helpers import make_pdf, write_md, write_sidecar

EDITOR = Viewer.operator()
ANYONE = Viewer.anonymous()
PIA_DOC = "guidance/assessments.md"
ROSTER = "guidance/rosters.md"
FERRY = "case-studies/ferry.md"
LONG_NAME = "Government Chief Digital Officer (GCDO)"


def write_curation(corpus: Path, name: str, text: str) -> None:
    folder = corpus / "_curation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def write_small_corpus(corpus: Path) -> None:
    """Four documents: one spells out "privacy impact assessment" (never the acronym), two name
    one agency two ways, one names an agency no list has."""
    write_md(
        corpus,
        PIA_DOC,
        "# Assessments\n\nA privacy impact assessment looks at how personal information is collected and kept.\n",
        title="Assessing personal information risks",
        kind="guidance",
        agency="GCDO",
    )
    write_md(
        corpus,
        ROSTER,
        "# Rosters\n\nShift rosters for contact centre staff are planned a month ahead.\n",
        title="Planning shift rosters",
        kind="guidance",
        agency=LONG_NAME,
    )
    write_md(
        corpus,
        FERRY,
        "# Ferry timetables\n\nA model forecast ferry demand for the summer timetable.\n",
        title="Forecasting ferry demand",
        kind="case-study",
        agency="Harbour Board",
    )
    pdf = corpus / "standards/rules.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(make_pdf(["Standard rules for rosters and timetables."]))
    write_sidecar(pdf, title="Rules", kind="nonsense", agency="GCDO")


AGENCIES = f"""- name: {LONG_NAME}
  aliases: [GCDO]
"""


def built(tmp_path: Path, **files: str) -> Hub:
    """A hub over the small corpus with the curation files given (name without .yaml -> text)."""
    corpus = tmp_path / "corpus"
    write_small_corpus(corpus)
    for name, text in files.items():
        write_curation(corpus, f"{name}.yaml", text)
    hub = Hub(Settings(corpus_dir=corpus, data_dir=tmp_path / "data", model="fake-hash"), lambda s: HashEmbedder())
    report = hub.update()
    assert report.outcome == "published", report.summary()
    hub.report = report  # type: ignore[attr-defined]
    return hub


def test_each_file_is_checked_with_file_and_line_and_the_rest_still_applies(tmp_path: Path) -> None:
    write_curation(
        tmp_path,
        "best_bets.yaml",
        "- queries: [shift rosters]\n"  # 1: valid
        f"  documents: [{ROSTER}]\n"
        "- queries: [ferry]\n"  # 3: one document unknown, the other kept
        f"  documents: [{FERRY}, nowhere/missing.md]\n"
        "- queries: [Shift  Rosters!]\n"  # 5: the same phrase as line 1, once normalised
        f"  documents: [{FERRY}]\n"
        "- queries: {not: a list}\n"  # 7: wrong type
        f"  documents: [{FERRY}]\n"
        "- queries: [old news]\n"  # 9: past its end date
        f"  documents: [{FERRY}]\n"
        "  until: 2020-01-31\n"
        "- queries: [typo]\n"  # 12: unknown field
        f"  documnets: [{FERRY}]\n",
    )
    write_curation(tmp_path, "synonyms.yaml", "- [PIA, privacy impact assessment]\n- PIA\n- [roster]\n")
    write_curation(tmp_path, "agencies.yaml", AGENCIES + "- name: Other\n  aliases: [gcdo]\n")
    curation = read_curation(tmp_path, {ROSTER, FERRY}, dt.date(2026, 6, 1))
    problems: dict[tuple[str, int], str] = {}
    for p in curation.problems:
        problems[p.file, p.line] = problems.get((p.file, p.line), "") + p.message + "\n"
    bets = "_curation/best_bets.yaml"
    assert "'nowhere/missing.md'" in problems[bets, 4]
    assert "already used on line 1" in problems[bets, 5]
    assert "must be a piece of text" in problems[bets, 7]
    assert "ended on 2020-01-31" in problems[bets, 11]
    assert "unknown field 'documnets'" in problems[bets, 13]
    assert [(b.phrases, b.documents) for b in curation.best_bets] == [
        (("shift rosters",), (ROSTER,)),
        (("ferry",), (FERRY,)),
    ]
    assert curation.synonyms == (("PIA", "privacy impact assessment"),)
    assert "expected a list" in problems["_curation/synonyms.yaml", 2]
    assert "at least two" in problems["_curation/synonyms.yaml", 3]
    assert "already used on line 1" in problems["_curation/agencies.yaml", 3]
    assert curation.agencies is not None and [a.name for a in curation.agencies] == [LONG_NAME, "Other"]


def test_a_yaml_error_names_its_line_and_the_other_files_still_apply(tmp_path: Path) -> None:
    hub = built(tmp_path, synonyms="- [PIA, privacy impact assessment]\n- [oops\n", agencies=AGENCIES)
    notes = hub.report.curation  # type: ignore[attr-defined]
    assert [(n.file, n.line) for n in notes] == [("_curation/synonyms.yaml", 3)]
    assert "invalid YAML" in notes[0].problem
    assert "CURATION _curation/synonyms.yaml, line 3: invalid YAML" in hub.report.summary()  # type: ignore[attr-defined]
    saved = json.loads((hub.settings.reports_dir / "latest.json").read_text(encoding="utf-8"))
    assert saved["curation"][0]["line"] == 3
    # The agency list still applies.
    assert {r.metadata.agency for r in hub.documents(viewer=EDITOR)} >= {LONG_NAME}
    assert "GCDO" not in {r.metadata.agency for r in hub.documents(viewer=EDITOR)}


def test_a_best_bet_is_shown_first_once_labelled_and_counted_once(tmp_path: Path) -> None:
    bets = f"- queries: [timetable]\n  documents: [{ROSTER}]\n- queries: [ferry demand]\n  documents: [{FERRY}]\n"
    hub = built(tmp_path, best_bets=bets)
    # The keyword search alone does not find it: no word of the query is in it.
    assert ROSTER not in [h.doc_id for h in hub.search("ferry summer", limit=10, mode="keyword").hits]
    results = hub.search("Ferry summer TIMETABLE?", limit=10, mode="keyword")
    assert results.hits[0].doc_id == ROSTER and results.hits[0].recommended
    assert [h.doc_id for h in results.hits].count(ROSTER) == 1
    assert not any(h.recommended for h in results.hits[1:])
    page = hub.search_page("ferry demand timetable", limit=10).results
    ids = [h.doc_id for h in page.hits]
    assert ids[:2] == [ROSTER, FERRY] and ids.count(FERRY) == 1
    # A recommended document the search found keeps the score it found it with.
    assert page.hits[1].score > 0
    assert page.matched_documents == len({h.doc_id for h in page.hits if h.confident})
    # A best bet's words must be whole words of the query: "timetables" is not "timetable".
    assert not hub.search("timetables", limit=5).hits[0].recommended


def test_a_best_bet_respects_who_is_asking_and_the_filters_chosen(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_restricted_corpus(corpus)
    case = RESTRICTED[1]  # for group A only
    write_curation(corpus, "best_bets.yaml", f"- queries: [chat assistant]\n  documents: [{case.doc_id}]\n")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", model="fake-hash", access=Access())
    hub = Hub(settings, lambda s: HashEmbedder())
    assert hub.update().outcome == "published"
    query = "chat assistant"
    for viewer in (ANYONE, Viewer.in_groups(["group-b"])):
        page = hub.search_page(query, viewer=viewer)
        assert case.doc_id not in [h.doc_id for h in page.results.hits]
        assert case.agency not in page.counts.values["agency"]
        assert not any(h.recommended for h in hub.search(query, viewer=viewer).hits)
    reader = Viewer.in_groups([GROUP_A])
    assert hub.search(query, viewer=reader).hits[0].doc_id == case.doc_id
    page = hub.search_page(query, viewer=reader)
    assert page.results.hits[0].doc_id == case.doc_id and page.results.hits[0].recommended
    assert page.counts.values["agency"][case.agency] == 1
    # A filter that leaves it out leaves out the recommendation too.
    tools = Filters(kinds=("tool",))
    assert case.doc_id not in [h.doc_id for h in hub.search(query, tools, viewer=reader).hits]
    assert case.doc_id not in [h.doc_id for h in hub.search_page(query, tools, viewer=reader).results.hits]


def test_a_best_bet_stops_at_its_end_date_and_is_reported(tmp_path: Path) -> None:
    yesterday = dt.date.today() - dt.timedelta(days=1)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    bets = (
        f"- queries: [shift]\n  documents: [{FERRY}]\n  until: {yesterday.isoformat()}\n"
        f"- queries: [planned]\n  documents: [{FERRY}]\n  until: {tomorrow.isoformat()}\n"
    )
    hub = built(tmp_path, best_bets=bets)
    assert not any(h.recommended for h in hub.search("shift rosters").hits)
    assert hub.search("planned rosters").hits[0].doc_id == FERRY
    assert any(n.line == 3 and "ended on" in n.problem for n in hub.report.curation)  # type: ignore[attr-defined]
    # A best bet kept in the build stops applying the day after its end date, without a new build.
    curation = hub.snapshot().curation
    assert recommended(curation, "planned rosters", tomorrow) == [FERRY]
    assert recommended(curation, "planned rosters", tomorrow + dt.timedelta(days=1)) == []


def test_an_acronym_finds_the_document_that_only_spells_it_out(tmp_path: Path) -> None:
    without = built(tmp_path / "without")
    assert PIA_DOC not in [h.doc_id for h in without.search("PIA", mode="keyword").hits]
    hub = built(tmp_path / "with", synonyms="- [PIA, privacy impact assessment]\n")
    for mode in ("keyword", "hybrid"):
        results = hub.search("PIA", mode=mode)
        assert results.hits[0].doc_id == PIA_DOC
        assert results.also_searched == ("privacy impact assessment",)
    # The added words are highlighted in the snippet.
    assert any(marked and text.lower() == "privacy" for text, marked in results.hits[0].passages[0].snippet)
    # And the other way round: a query spelling it out also searches for the acronym.
    assert hub.search("privacy impact assessment").also_searched == ("PIA",)
    assert widened(hub.snapshot().curation, "pianist").variants == ()


def test_agency_aliases_merge_into_one_facet_value_and_unknown_agencies_are_reported(tmp_path: Path) -> None:
    hub = built(tmp_path, agencies=AGENCIES)
    agencies = {r.doc_id: r.metadata.agency for r in hub.documents(viewer=EDITOR)}
    assert agencies[PIA_DOC] == agencies[ROSTER] == LONG_NAME
    counts = hub.search_page("rosters personal information timetables rules").counts.values["agency"]
    assert counts[LONG_NAME] >= 2 and "GCDO" not in counts
    # A link or command naming the alias finds the agency's documents.
    for name in ("GCDO", LONG_NAME):
        found = {h.doc_id for h in hub.search("rosters personal information", Filters(agencies=(name,))).hits}
        assert {PIA_DOC, ROSTER} <= found
    warnings = hub.report.warnings  # type: ignore[attr-defined]
    assert any("agency: 'Harbour Board' is not in the agency list" in w for w in warnings[FERRY])
    assert not any("agency" in w for w in warnings.get(ROSTER, []))


def test_metadata_problems_name_file_and_field_and_are_told_on_every_run(tmp_path: Path) -> None:
    hub = built(tmp_path, agencies=AGENCIES)
    again = hub.update()
    assert again.outcome == "unchanged"
    for report in (hub.report, again):  # type: ignore[attr-defined]
        kind = report.warnings["standards/rules.pdf"]
        assert any(w.startswith("metadata (standards/rules.pdf.meta.yaml): kind: 'nonsense'") for w in kind)
        assert any(w.startswith(f"metadata ({FERRY} (front matter)): agency:") for w in report.warnings[FERRY])
        assert "WARNING standards/rules.pdf: metadata (standards/rules.pdf.meta.yaml): kind:" in report.summary()


def test_a_change_to_the_curation_alone_publishes_a_build_without_embedding_anything(tmp_path: Path) -> None:
    hub = built(tmp_path)
    first = hub.report  # type: ignore[attr-defined]
    assert first.embedded > 0 and hub.update().outcome == "unchanged"
    write_curation(hub.settings.corpus_dir, "synonyms.yaml", "- [PIA, privacy impact assessment]\n")
    write_curation(hub.settings.corpus_dir, "agencies.yaml", AGENCIES)
    changed = hub.update()
    assert changed.outcome == "published" and changed.build_id != first.build_id
    assert changed.embedded == 0 and len(changed.unchanged) == first.documents
    assert hub.search("PIA", mode="keyword").hits[0].doc_id == PIA_DOC
    assert hub.documents(viewer=EDITOR)[0].metadata.agency != "GCDO"
    assert hub.update().outcome == "unchanged"
    # Removing the agency list gives the documents back their own names: nothing stored changed.
    (hub.settings.corpus_dir / "_curation" / "agencies.yaml").unlink()
    assert hub.update().embedded == 0
    assert {r.metadata.agency for r in hub.documents(viewer=EDITOR)} >= {"GCDO", LONG_NAME}


def test_the_command_line_labels_recommended_results_and_names_the_synonyms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bets = f"- queries: [PIA]\n  documents: [{PIA_DOC}]\n"
    hub = built(tmp_path, best_bets=bets, synonyms="- [PIA, privacy impact assessment]\n")
    for name, value in env_for(hub.settings.corpus_dir, hub.settings.data_dir).items():
        monkeypatch.setenv(name, value)
    assert index_main(["search", "PIA"]) == 0
    out = capsys.readouterr().out
    assert "also searched for: privacy impact assessment" in out
    assert f"1. Assessing personal information risks  [guidance]  {PIA_DOC}" in out and "(Recommended)" in out
    assert index_main(["search", "PIA", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["also_searched"] == ["privacy impact assessment"]
    assert data["hits"][0]["recommended"] is True and data["hits"][0]["doc_id"] == PIA_DOC
