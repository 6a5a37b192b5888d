"""Telling lists of pointers (contents, references, links) from text: they find a document but are
never where a reader is sent."""

from __future__ import annotations

import pytest

from ingest.roles import passage_role

REFERENCES = """Model risk
Jane Walker, Amir Haddad, et al. 2021. Auditing hiring algorithms. In Proceedings of the
Conference on Fairness (FAccT '21). Association for Computing Machinery, New York, 12–25.
Li Wen. "Explaining decisions to the people they affect." Policy Review 14, no. 2 (2020): 5-9.
National Audit Office. Use of automation in benefits. Accessed June 3, 2022.
Tom Reyes (2019). Fairness metrics compared. arXiv:1901.00001."""

WIKI_NOTES = """1. "Civil service statistics" (https://www.example.org/stats). Office for Statistics.
Retrieved 4 December 2014.
2. "About the department" (https://www.example.org/about). Archived from the original on
1 August 2011. Retrieved 4 December 2014.
3. Annual report 2019. Published 5 June 2018, accessed 5 May 2019."""

CONTENTS = """Table of Contents
Executive Summary 1
1 Framing Risk 4
1.1 Understanding Risks and Harms 4
1.2 Challenges for Risk Management 5
2 Audience 9
Appendix A: Descriptions of Tasks 35"""

DOT_LEADERS = """Introduction .......... 3
Who this is for .......... 5
Making a decision .......... 8
Getting help …… 12"""

MILESTONES = """Milestones

- Q2 2025: standard agreements approved.
- Q3 2025: first secondment round of eight people.
- Q4 2025: first research agenda published."""

CITING_TEXT = """Agencies must assess bias before deployment (Walker et al., 2021). The assessment covers
the data, the model and the decision it supports. Since 2019 the audit office has reviewed
twelve systems. It found that most agencies tested accuracy but not fairness, and in 2020
recommended a standard method, which this guidance sets out."""

NUMBERED_STEPS = """1. Complete the impact assessment with the data owner.
2. Ask the privacy officer to review it within 10 working days.
3. Publish the summary on the agency's website.
4. Record the system in the register."""

SEE_ALSO = """See also

- Using generative AI with official information
- Bias and fairness assessment
- Māori data and AI"""

MARKDOWN_LINKS = """- [Build or buy](../guidance/build-or-buy.md)
- [Contract clauses](https://example.org/clauses.pdf)
- [Testing and monitoring](../guidance/testing.md) – checklist
- <https://example.org/register>"""


@pytest.mark.parametrize(
    ("text", "heading_path", "role"),
    [
        (REFERENCES, (), "references"),
        (WIKI_NOTES, (), "references"),
        ("Walsh, 2021. Short.", ("Guide", "References"), "references"),
        (CONTENTS, (), "contents"),
        (DOT_LEADERS, (), "contents"),
        ("Anything at all", ("Guide", "Contents"), "contents"),
        (SEE_ALSO, ("Guide", "See also"), "links"),
        (MARKDOWN_LINKS, ("Guide", "Resources"), "links"),
        (MILESTONES, ("Plan", "Milestones"), "body"),
        (CITING_TEXT, ("Guide", "Why it matters"), "body"),
        (NUMBERED_STEPS, ("Guide", "Steps"), "body"),
        ("Two lines only\nin 2019, 2020.", (), "body"),
        ("", (), "body"),
        # A list under a "See also" heading that says something is text, not a list of links.
        (
            "See also\n\n- Before you start, read the privacy guidance and agree the retention period with "
            "the records team so that logs are kept for seven years.",
            ("Guide", "See also"),
            "body",
        ),
    ],
)
def test_each_passage_gets_the_role_a_reader_would_give_it(text: str, heading_path: tuple[str, ...], role: str) -> None:
    assert passage_role(text, heading_path) == role


def test_a_heading_that_only_starts_like_a_pointer_heading_is_text() -> None:
    assert passage_role(CITING_TEXT, ("Guide", "Sources of bias")) == "body"
    assert passage_role(CITING_TEXT, ("Guide", "Notes for managers")) == "body"


@pytest.mark.parametrize("word", ["x" * 200, "https://example.org/" + "a" * 5000])
def test_a_line_with_one_long_word_is_judged_at_once(word: str) -> None:
    # Patterns that let a long word split every possible way took minutes on lines like these,
    # and the role is worked out while a build is written: such a build would hang.
    see_also = (
        f"See also\n\n- [{word}]({word}) {word} one two three four five six seven\n- {word} a b c d e f g h i j k l m"
    )
    assert passage_role(see_also, ("Guide", "See also")) == "body"
    links = "\n".join(f"- [Item {i}](../x{i}.md) {word}" for i in range(4))
    assert passage_role(links, ("Guide", "Resources")) == "links"
