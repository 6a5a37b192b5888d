"""Values that come in through the URL, checked, and the links to the reader that go out.

Every URL value is user input: people edit addresses and share them. Nothing here trusts one."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from urllib.parse import urlencode

from ingest.scan import id_problem
from portal.labels import FACETS

# A page's widget values as the URL carries them: one text, or a list for a multiple choice.
UrlState = dict[str, str | list[str]]

# URL path Streamlit gives the reader page (its file name without the number prefix); used for
# plain HTML links, which cannot go through st.page_link.
DOCUMENT_URL = "Document"
# The parts of a search a link to the reader carries along: the reader highlights the query's
# words and its "back" link returns to the same results with the same filters.
SEARCH_PARAMS: tuple[str, ...] = ("q", *FACETS, "year")
# ASCII digits only: str.isdigit() also accepts "²", "①" and "٣", which int() then refuses.
_URL_NUMBER = re.compile("[0-9]{1,6}")
# The Search page shows 20 results a page and "Show more" adds 20 at a time; no one pages further.
MAX_RANK = 1000


def url_number(raw: str | None) -> int | None:
    """A whole number from a URL value: one to six ASCII digits, nothing else (no sign, no
    spaces, no other script's digits); None for anything else. Never raises."""
    if raw is None or not _URL_NUMBER.fullmatch(raw):
        return None
    return int(raw)


def safe_position(raw: str | None, count: int) -> int | None:
    """A passage position from the URL, if it is a whole number naming one of `count` passages."""
    position = url_number(raw)
    return position if position is not None and position < count else None


def safe_doc_id(raw: str | None, known: Collection[str]) -> str | None:
    """`raw` if it names a document in the live index, else None.

    Membership in the index is what makes an id safe; the path checks first refuse anything that
    looks like a path trick (also once or twice URL-decoded) so it never reaches a lookup or a log.
    They are the same checks the corpus scan applies, so every indexed document can be opened."""
    if not raw or id_problem(raw):
        return None
    return raw if raw in known else None


def reader_params(
    doc_id: str,
    passage: int | None = None,
    search: Mapping[str, str | list[str]] | None = None,
    rank: int | None = None,
) -> UrlState:
    """The reader's URL parameters: the document, the passage to open at, the search it came from
    and, for a link from the results, the result's place in them (1 for the first; the search
    analytics count it as a click there)."""
    params: UrlState = {"doc": doc_id}
    if passage is not None:
        params["passage"] = str(passage)
    params.update({name: value for name, value in (search or {}).items() if name in SEARCH_PARAMS and value})
    if rank is not None:
        params["rank"] = str(rank)
    return params


def safe_rank(raw: str | None) -> int | None:
    """A result's place from the URL (`rank`): a whole number from 1 to MAX_RANK, else None."""
    rank = url_number(raw)
    return rank if rank is not None and 1 <= rank <= MAX_RANK else None


def doc_href(doc_id: str, passage: int | None = None, search: Mapping[str, str | list[str]] | None = None) -> str:
    """A relative link to the reader; relative so it works under any base URL path."""
    return f"{DOCUMENT_URL}?{urlencode(reader_params(doc_id, passage, search), doseq=True)}"
