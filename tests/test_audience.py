"""Audiences: documents for some groups only. Reading the `audience:` field (failing closed), and
the Hub showing each viewer only what they may see, in every call a page or the command line
makes: search, the search page's counts and facets, listings, the reader, named copies, and
`python -m index search --as`. Fast tier: the fake embedder; tests/test_audience_portal.py checks
the pages and tests/test_sign_in.py the sign-in in a browser."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from index import DocumentNotFound, Filters, Hub, Viewer
from index.__main__ import main as index_main
from index.access import viewer_of
from ingest.audience import EDITORS_ONLY, read_audience
from ingest.embed import HashEmbedder
from ingest.metadata import metadata_from_json
from ingest.settings import Access, Settings
from tests.app_support import env_for
from tests.audience_corpus import (
    GROUP_A,
    GROUP_B,
    PROCUREMENT,
    RECORDS,
    RESTRICTED,
    Restricted,
    write_restricted_corpus,
)
from tests.helpers import write_md

EDITOR = Viewer.operator()
ANYONE = Viewer.anonymous()
KNOWN = (GROUP_A, GROUP_B, "group-c")  # "procurement" is left out: its documents get a warning


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    root = tmp_path_factory.mktemp("audience")
    write_restricted_corpus(root / "corpus")
    settings = Settings(
        corpus_dir=root / "corpus", data_dir=root / "data", model="fake-hash", access=Access(groups=KNOWN)
    )
    hub = Hub(settings, lambda s: HashEmbedder())
    report = hub.update()
    assert report.outcome == "published", report.summary()
    hub.report = report  # type: ignore[attr-defined]
    yield hub


@pytest.mark.parametrize(
    ("value", "audience", "problem"),
    [
        (None, (), ""),
        ("everyone", (), ""),
        ("Everyone", (), ""),
        ("group-a", ("group-a",), ""),
        ("group-a, group-b", ("group-a", "group-b"), ""),
        (["group-a", "Group-A", " group-b "], ("group-a", "group-b"), ""),
        ([2024], ("2024",), ""),
        ([], (EDITORS_ONLY,), "names no group"),
        ("", (EDITORS_ONLY,), "names no group"),
        ([{"group": "x"}], (EDITORS_ONLY,), "item 1 is a dict"),
        (True, (EDITORS_ONLY,), "item 1 is True"),
        (["group-a", None], (EDITORS_ONLY,), "item 2 is None"),
        (["everyone", "group-a"], (EDITORS_ONLY,), "cannot be combined"),
    ],
)
def test_an_audience_is_read_and_anything_unreadable_keeps_the_document_for_editors(
    value: object, audience: tuple[str, ...], problem: str
) -> None:
    problems: list[str] = []
    assert read_audience({} if value is None else {"audience": value}, problems) == audience
    if problem:
        assert len(problems) == 1 and problem in problems[0] and "only editors" in problems[0]
    else:
        assert problems == []


def test_an_index_made_before_audiences_were_read_keeps_a_documents_restriction() -> None:
    saved = {"title": "Old", "kind": "guidance", "extra": {"audience": ["group-a"], "owner": "x"}}
    metadata = metadata_from_json(saved)
    assert metadata.audience == ("group-a",) and metadata.extra == {"owner": "x"}


def test_editors_come_from_a_group_or_an_address_and_group_names_ignore_case() -> None:
    access = Access(editor_groups=("Hub-Editors",), editors=("Ed@Example.org",))
    assert viewer_of(access, ["hub-editors"], "", "Ann").editor
    assert viewer_of(access, [], "ed@example.org", "Ed").editor
    reader = viewer_of(access, ["GROUP-A", EDITORS_ONLY], "someone@example.org", "")
    assert not reader.editor and reader.groups == {"group-a"} and reader.name == "someone@example.org"
    assert reader.sees(("Group-A",)) and reader.sees(()) and not reader.sees((EDITORS_ONLY,))


def viewers_outside(item: Restricted) -> list[Viewer]:
    """Everyone who must not see `item`: not signed in, and each group not in its audience."""
    others = [g for g in (GROUP_A, GROUP_B, PROCUREMENT, "group-c") if g not in item.audience]
    return [ANYONE, *(Viewer.in_groups([g]) for g in others), Viewer.in_groups(others)]


def query_for(item: Restricted) -> str:
    return item.secret or "keeping records of AI use seven years"


@pytest.mark.parametrize("item", RESTRICTED, ids=lambda r: r.doc_id)
def test_nobody_outside_its_audience_finds_sees_or_counts_a_restricted_document(hub: Hub, item: Restricted) -> None:
    missing = _not_found_message(hub, "restricted/no-such-file.md", ANYONE)
    for viewer in viewers_outside(item):
        results = hub.search(query_for(item), limit=50, viewer=viewer)
        assert item.doc_id not in {h.doc_id for h in results.hits}
        assert all(item.doc_id not in h.copies + h.editions for h in results.hits)
        page = hub.search_page(query_for(item), limit=50, viewer=viewer)
        assert item.doc_id not in {h.doc_id for h in page.results.hits}
        assert item.agency not in page.counts.values["agency"] or item.agency == "Records Office"
        assert item.doc_id not in {r.doc_id for match in hub.matching(query_for(item), viewer=viewer) for r in match}
        assert item.doc_id not in {r.doc_id for r in hub.documents(viewer=viewer)}
        # The same words as for a document that does not exist: the error says nothing.
        assert _not_found_message(hub, item.doc_id, viewer) == missing.replace(
            "restricted/no-such-file.md", item.doc_id
        )


def _not_found_message(hub: Hub, doc_id: str, viewer: Viewer) -> str:
    with pytest.raises(DocumentNotFound) as caught:
        hub.document(doc_id, viewer=viewer)
    return str(caught.value)


@pytest.mark.parametrize("item", [r for r in RESTRICTED if r.secret], ids=lambda r: r.doc_id)
def test_its_audience_and_editors_find_and_open_a_restricted_document(hub: Hub, item: Restricted) -> None:
    readers = [EDITOR, *(Viewer.in_groups([g]) for g in item.audience)]
    for viewer in readers:
        results = hub.search(item.secret, limit=5, viewer=viewer)
        assert results.hits and results.hits[0].doc_id == item.doc_id
        assert hub.document(item.doc_id, viewer=viewer).record.metadata.title == item.title
        assert item.doc_id in {r.doc_id for r in hub.documents(viewer=viewer)}


def test_a_public_document_names_a_restricted_copy_only_to_those_who_may_see_it(hub: Hub) -> None:
    copy = RESTRICTED[-1]
    query = "keeping records of AI use seven years"
    public = hub.search(query, limit=5, viewer=ANYONE).hits[0]
    assert public.doc_id == RECORDS and public.copies == ()
    for viewer in (Viewer.in_groups([GROUP_B]), EDITOR):
        hit = hub.search(query, limit=5, viewer=viewer).hits[0]
        assert {hit.doc_id, *hit.copies} == {RECORDS, copy.doc_id}


def test_the_build_report_names_unreadable_audiences_and_unknown_groups(hub: Hub) -> None:
    warnings: dict[str, list[str]] = hub.report.warnings  # type: ignore[attr-defined]
    draft, pricing = RESTRICTED[3], RESTRICTED[0]
    assert any("audience" in w and "only editors" in w for w in warnings[draft.doc_id])
    assert any("'procurement'" in w and "HUB_GROUPS" in w for w in warnings[pricing.doc_id])
    assert not any("audience" in w for w in warnings.get(RESTRICTED[1].doc_id, []))


def test_the_index_status_is_for_editors_only(hub: Hub) -> None:
    from index import EditorsOnly

    assert hub.status(viewer=EDITOR).served is not None
    for viewer in (ANYONE, Viewer.in_groups([GROUP_A])):
        with pytest.raises(EditorsOnly):
            hub.status(viewer=viewer)


def test_the_command_line_searches_as_someone_not_signed_in_unless_told(
    hub: Hub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env_for(Path(hub.settings.corpus_dir), Path(hub.settings.data_dir)).items():
        monkeypatch.setenv(name, value)

    def found(*args: str) -> list[str]:
        assert index_main(["search", "quoxbridge rate card", "--json", *args]) == 0
        return [hit["doc_id"] for hit in json.loads(capsys.readouterr().out)["hits"]]

    pricing = RESTRICTED[0].doc_id
    assert pricing not in found()
    assert pricing not in found("--as", GROUP_A)
    assert found("--as", PROCUREMENT)[0] == pricing
    assert found("--as", GROUP_A, "--as", PROCUREMENT)[0] == pricing
    assert found("--all")[0] == pricing
    with pytest.raises(SystemExit) as usage:  # one or the other
        index_main(["search", "x", "--all", "--as", GROUP_A])
    assert usage.value.code == 4 and "not allowed with" in capsys.readouterr().err


WORDS = "ferry rates privacy chat letters records tools pilot budget roster triage audit".split()
GROUPS = ("g1", "g2", "g3", "g4")


def test_random_viewers_see_only_what_they_may_and_counts_equal_the_visible_results(tmp_path: Path) -> None:
    rng = random.Random(20261129)
    corpus = tmp_path / "corpus"
    audiences: dict[str, tuple[str, ...]] = {}
    for n in range(40):
        audience = tuple(rng.sample(GROUPS, rng.choice([0, 0, 1, 1, 2])))
        doc_id = f"docs/d{n:02d}.md"
        audiences[doc_id] = audience
        body = " ".join(rng.choices(WORDS, k=40)) + f". Document {n} of the set."
        meta = {"audience": list(audience)} if audience else {}
        write_md(
            corpus,
            doc_id,
            f"# Note {n}\n\n{body}\n",
            title=f"Note {n}",
            kind=rng.choice(["guidance", "tool"]),
            agency=rng.choice(["A", "B", "C"]),
            **meta,
        )
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", model="fake-hash")
    hub = Hub(settings, lambda s: HashEmbedder())
    assert hub.update().outcome == "published"
    everything = {r.doc_id for r in hub.documents(viewer=EDITOR)}
    assert everything == set(audiences)
    for _ in range(60):
        viewer = Viewer.in_groups(rng.sample(GROUPS, rng.choice([0, 1, 2])))
        visible = {d for d, a in audiences.items() if not a or set(a) & viewer.groups}
        query = " ".join(rng.sample(WORDS, rng.choice([1, 2, 3])))
        filters = Filters(kinds=(rng.choice(["guidance", "tool"]),)) if rng.random() < 0.3 else None
        page = hub.search_page(query, filters, limit=100, viewer=viewer)
        shown = {h.doc_id for h in page.results.hits}
        assert shown <= visible
        # (The kind filter's own count is what removing it would leave; agency is never filtered.)
        counted = page.counts.totals["agency"]
        assert counted == page.results.matched_documents == sum(h.confident for h in page.results.hits)
        assert sum(page.counts.values["kind"].values()) == page.counts.totals["kind"] >= counted
        assert {r.doc_id for r in hub.documents(viewer=viewer)} == visible
        # What the viewer's search finds is what an editor's search finds among the visible
        # documents: the restriction removes, it does not reshuffle which documents match.
        mine = {r.doc_id for match in hub.matching(query, filters, viewer=viewer) for r in match}
        editors = {r.doc_id for match in hub.matching(query, filters, viewer=EDITOR) for r in match}
        assert mine == editors & visible


@pytest.mark.parametrize(
    ("claim", "groups"),
    [(None, ()), ("group-a", ("group-a",)), (["group-a", 7], ("group-a", "7")), ({"a": 1}, ()), ([["x"]], ())],
)
def test_the_groups_claim_is_read_whatever_the_provider_sends(claim: object, groups: tuple[str, ...]) -> None:
    from portal.identity import claimed_groups

    assert claimed_groups({} if claim is None else {"groups": claim}, "groups") == groups


def test_a_token_for_another_application_is_not_taken_for_a_sign_in_to_the_hub() -> None:
    from portal.identity import meant_for_us

    assert meant_for_us({"aud": "hub"}, "hub") and meant_for_us({"aud": ["other", "hub"]}, "hub")
    assert not meant_for_us({"aud": "other-app"}, "hub") and not meant_for_us({"aud": ["other"]}, "hub")


def test_an_edition_for_one_group_is_named_under_the_other_only_for_that_group(tmp_path: Path) -> None:
    rng = random.Random(7)
    words = [f"{rng.choice(WORDS)}{n % 97}" for n in range(2400)]
    first = " ".join(words)
    # The second edition rewrites one word in forty: most five-word runs are shared.
    second = " ".join(w if n % 40 else "revised" for n, w in enumerate(words))
    corpus = tmp_path / "corpus"
    write_md(corpus, "guide/2024.md", f"# Guide\n\n{first}\n", title="Guide 2024 edition", kind="guidance")
    write_md(
        corpus, "guide/2026.md", f"# Guide\n\n{second}\n", title="Guide 2026 edition", kind="guidance", audience="g1"
    )
    hub = Hub(Settings(corpus_dir=corpus, data_dir=tmp_path / "data", model="fake-hash"), lambda s: HashEmbedder())
    assert hub.update().outcome == "published"
    query = " ".join(words[:6])
    public = hub.search(query, limit=5, viewer=ANYONE).hits
    assert [h.doc_id for h in public] == ["guide/2024.md"] and public[0].editions == ()
    for viewer in (Viewer.in_groups(["g1"]), EDITOR):
        hit = hub.search(query, limit=5, viewer=viewer).hits[0]
        assert {hit.doc_id, *hit.editions} == {"guide/2024.md", "guide/2026.md"}
