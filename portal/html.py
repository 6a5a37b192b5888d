"""Outside text made safe for the page: escaped HTML, escaped Markdown, tables and links.

Every piece of outside text that reaches the browser (document text and metadata, file names,
failure reasons, anything from a run report) goes through `esc` into HTML, or through
`md_escape` into any element that reads Markdown (st.markdown, titles, captions, alerts, widget
labels). Documents and file names are untrusted input: markup in them must show as text, never
act. Tables of outside text are drawn with `table_html`, never st.table, which reads Markdown in
every cell.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable, Mapping, Sequence

from index import DocumentRecord, Marked
from portal.catalogue import Link
from portal.labels import format_date, kind_label
from portal.urls import doc_href


def esc(text: str) -> str:
    """`text` made safe to place in HTML, quotes included (it may end up in an attribute)."""
    return html.escape(text, quote=True)


def highlight_html(segments: Iterable[Marked]) -> str:
    """Escape every segment, then wrap query terms in <mark>; never the other way round."""
    return "".join(f"<mark>{esc(text)}</mark>" if marked else esc(text) for text, marked in segments)


def table_html(label: str, columns: Sequence[str], rows: Iterable[Sequence[str | int]]) -> str:
    """An HTML table of `rows` under `columns`, every header and cell escaped, so a file name or
    reason shows exactly as written. Numbers are right-aligned; `label` names the table for
    screen readers."""
    rows = list(rows)
    numeric = [bool(rows) and all(isinstance(row[i], int) for row in rows) for i in range(len(columns))]
    head = "".join(
        f'<th scope="col" class="hub-num">{esc(name)}</th>' if number else f'<th scope="col">{esc(name)}</th>'
        for name, number in zip(columns, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="hub-num">{cell}</td>' if isinstance(cell, int) else f"<td>{esc(cell)}</td>" for cell in row
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="hub-table-wrap"><table class="hub-table" aria-label="{esc(label)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
# Invisible, and not a place to break a line: it keeps the text looking as written.
WORD_JOINER = "\u2060"
# Streamlit rewrites some text after the Markdown is parsed, when backslash escapes are already
# gone: web and e-mail addresses become links (GFM autolinks), ":material_x:" becomes an icon and
# ":streamlit:" its logo. A word joiner inside each such pattern stops the rewrite.
_REWRITTEN = re.compile(r"(?<=:)(?=//|material_|streamlit:)|(?<=@)(?=[-\w])|(?<=www)(?=\.)", re.IGNORECASE)
# Streamlit also turns these, standing alone between spaces, into arrows and other symbols.
_SYMBOLS = re.compile(r"(?<!\S)(?:<->|->|<-|--|>=|<=|~=)(?!\S)")


def md_escape(text: str) -> str:
    """`text` as Markdown that Streamlit shows exactly as written (runs of white space become
    one space), for any element that reads Markdown: titles, alerts, captions, widget labels.

    Every ASCII punctuation mark is backslash-escaped (CommonMark allows that for all of them),
    so no HTML, link, image, emphasis, LaTeX or Streamlit directive (:red[...]) can take effect;
    and a word joiner goes into each pattern that Streamlit rewrites after parsing (addresses,
    icons, arrows). Neither shows on the page."""
    flat = " ".join(text.split())
    flat = _SYMBOLS.sub(lambda m: m[0][0] + WORD_JOINER + m[0][1:], flat)
    flat = _REWRITTEN.sub(WORD_JOINER, flat)
    return _MD_SPECIAL.sub(r"\\\1", flat)


def doc_link(doc_id: str, title: str, search: Mapping[str, str | list[str]] | None = None) -> str:
    return f'<a href="{esc(doc_href(doc_id, None, search))}">{esc(title or doc_id)}</a>'


def links_html(items: Sequence[Link]) -> str:
    """A list of document links; ids not in the index are shown as plain text, flagged."""
    rows = [
        f"<li>{doc_link(link.doc_id, link.title)}</li>"
        if link.known
        else f"<li>{esc(link.doc_id)} (not in the hub)</li>"
        for link in items
    ]
    return f"<ul>{''.join(rows)}</ul>" if rows else "<p>None listed.</p>"


def meta_line(record: DocumentRecord) -> str:
    """Kind, agency, date and any non-current status, escaped, for a listing."""
    meta = record.metadata
    parts = [esc(kind_label(meta.kind))]
    if meta.agency:
        parts.append(esc(meta.agency))
    if meta.published:
        parts.append(f"Published {esc(format_date(meta.published))}")
    if meta.status != "current":
        parts.append(f'<span class="hub-status">{esc(meta.status.capitalize())}</span>')
    return " · ".join(parts)
