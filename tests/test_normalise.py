from __future__ import annotations

from pathlib import Path

import pytest

from ingest.normalise import looks_one_word_per_line, normalise
from tests.conftest import SHARED, needs_shared


def test_ligatures_fold_to_plain_letters() -> None:
    assert normalise("the ﬁnal ﬂow") == "the final flow"


def test_odd_spaces_become_plain_spaces() -> None:
    assert normalise("risk\u00a0triggers\u2009here\u202fnow") == "risk triggers here now"


def test_invisible_characters_are_removed() -> None:
    assert normalise("soft\u00adhyphen and zero\u200bwidth") == "softhyphen and zerowidth"


def test_words_hyphenated_across_lines_are_joined() -> None:
    assert normalise("an assess-\nment of risk") == "an assessment of risk"


def test_real_hyphenated_compounds_stay() -> None:
    assert "well-known" in normalise("a well-known tool")


def test_one_word_per_line_text_is_repaired() -> None:
    words = "The consultation received eight hundred responses through the online form and by email".split()
    broken = "\n \n".join(words) + "\n.\n \n \n" + "\n \n".join("Next paragraph starts here with more words".split())
    assert looks_one_word_per_line(broken)
    fixed = normalise(broken)
    assert fixed.startswith("The consultation received eight hundred responses through the online form")
    assert "by email.\nNext paragraph" in fixed


def test_ordinary_text_is_not_treated_as_one_word_per_line() -> None:
    text = "\n".join(["A normal line of prose with several words."] * 30)
    assert not looks_one_word_per_line(text)


@needs_shared
@pytest.mark.shared
def test_real_one_word_per_line_pdf_reads_as_sentences() -> None:
    from pypdf import PdfReader

    path = SHARED / "realdocs/pdf/iai__DSIT_Digital_Inclusion_Case_Study_Aug_2025.pdf"
    text = normalise(PdfReader(Path(path)).pages[3].extract_text())
    assert "Classify all responses using one or more of these agreed themes" in text


@needs_shared
@pytest.mark.shared
def test_real_ligature_pdf_matches_plain_spelling() -> None:
    from pypdf import PdfReader

    reader = PdfReader(SHARED / "realdocs/pdf/redbox__Cabinet_Office-Wikipedia.pdf")
    raw = "".join(page.extract_text() for page in reader.pages)
    assert "ﬁ" in raw
    text = normalise(raw)
    assert "ﬁ" not in text
    assert "office" in text.lower()


def test_dot_leaders_of_contents_pages_are_collapsed() -> None:
    assert normalise("Introduction.............................2") == "Introduction … 2"
    assert normalise("Scope . . . . . . . 7") == "Scope … 7"
    assert normalise("The end. Next...") == "The end. Next..."


# Runs of about 200 KB that a backtracking pattern would take hours over; each must give the
# right text.
RUN = 200_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" + " " * RUN + "b", "a b"),
        ("a" + " " * RUN + "\nb", "a\nb"),
        ("a" + " " * RUN, "a"),
        ("#" * RUN, "#" * RUN),
        ("x" + "." * RUN + "y", "x … y"),
        ("x" + ". " * (RUN // 2) + "y", "x … y"),
        ("x" + "-" * RUN + "y", "x" + "-" * RUN + "y"),
        ("assess-\n" + " " * RUN + "ment", "assessment"),
        ("word a-\n" * (RUN // 8), "word " + "aword " * (RUN // 8 - 1) + "a-"),
        ("\n" * RUN + "text" + "\n" * RUN, "text"),
        ("…" * RUN, "…"),
    ],
    ids=[
        "spaces",
        "spaces then a line break",
        "trailing spaces",
        "hashes",
        "dots",
        "dots and spaces",
        "hyphens",
        "hyphen break then spaces",
        "many hyphen breaks",
        "blank lines",
        "ellipses",
    ],
)
def test_long_runs_are_cleaned_in_one_pass(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_trailing_spaces_before_line_breaks_go_however_long_the_run() -> None:
    text = ("two words" + " " * 1_000 + "\n") * 200 + " " * RUN
    assert normalise(text) == "\n".join(["two words"] * 200)


def test_long_one_word_per_line_text_is_repaired() -> None:
    words = [f"w{i}" for i in range(30_000)]
    assert normalise("\n \n".join(words)) == " ".join(words)
