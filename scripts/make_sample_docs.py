#!/usr/bin/env python3
"""Write the non-Markdown sample documents of the corpus, each with a `.meta.yaml` sidecar.

Produces 5 PDFs (fpdf2), 3 Word files (python-docx), 2 HTML pages and 2 plain-text files under
corpus/. The document texts live in sample_doc_texts_a.py (PDFs) and sample_doc_texts_b.py (the
rest). Output is deterministic: every date and timestamp written into a file is derived from the
document's fixed `published` date, so re-running the script reproduces the same bytes.

Usage:  python scripts/make_sample_docs.py [--corpus DIR]
Needs:  fpdf2, python-docx, pyyaml, and the DejaVu Sans TrueType fonts.
"""

from __future__ import annotations

import argparse
import html
import io
import sys
import textwrap
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from docx import Document
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_doc_model import Block, Heading, ListBlock, Paragraph, SampleDoc, Table, parse_body
from sample_doc_texts_a import PDF_DOCS
from sample_doc_texts_b import DOCX_DOCS, HTML_DOCS, TEXT_DOCS

REPO_ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
SITE_NAME = "Public Service AI Hub"


def published_datetime(doc: SampleDoc) -> datetime:
    """The fixed timestamp used for every date embedded in a generated file."""
    published = doc.meta["published"]
    assert isinstance(published, date)
    return datetime(published.year, published.month, published.day, 9, 0, 0, tzinfo=UTC)


def keywords(doc: SampleDoc) -> str:
    tags = doc.meta.get("tags", [])
    assert isinstance(tags, list)
    return ", ".join(str(tag) for tag in tags)


def long_date(value: object) -> str:
    assert isinstance(value, date)
    return f"{value.day} {value.strftime('%B %Y')}"


# --------------------------------------------------------------------------- metadata sidecar


def write_sidecar(doc: SampleDoc, target: Path) -> Path:
    sidecar = target.with_name(target.name + ".meta.yaml")
    text = yaml.safe_dump(doc.meta, sort_keys=False, allow_unicode=True, width=100)
    sidecar.write_text(f"# Metadata for {doc.path} (written by scripts/make_sample_docs.py)\n{text}", encoding="utf-8")
    return sidecar


# --------------------------------------------------------------------------- PDF


class SamplePDF(FPDF):
    """A4 report layout with a running header and page numbers."""

    def __init__(self, running_title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_title = running_title
        self.add_font("DejaVu", "", str(FONT_REGULAR))
        self.add_font("DejaVu", "B", str(FONT_BOLD))
        self.set_margins(22, 20, 22)
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages()

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("DejaVu", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, self.running_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(200, 200, 200)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(6)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _column_widths(pdf: FPDF, table: Table) -> tuple[float, ...]:
    """Column widths in mm: every column fits its longest word; spare width goes to long columns."""
    padding = 4.0
    available = pdf.epw
    columns = [[table.header[c]] + [row[c] for row in table.rows if c < len(row)] for c in range(len(table.header))]
    minimum = [max(pdf.get_string_width(word) for cell in col for word in cell.split()) + padding for col in columns]
    natural = [max(pdf.get_string_width(cell) for cell in col) + padding for col in columns]
    if sum(natural) <= available:
        return tuple(natural)
    spare = available - sum(minimum)
    extra = [n - m for n, m in zip(natural, minimum, strict=False)]
    return tuple(m + spare * e / sum(extra) for m, e in zip(minimum, extra, strict=False))


def _pdf_cover(pdf: SamplePDF, doc: SampleDoc) -> None:
    pdf.add_page()
    pdf.set_y(70)
    pdf.set_font("DejaVu", "", 11)
    pdf.set_text_color(0, 84, 119)
    pdf.cell(0, 8, SITE_NAME.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 24)
    pdf.multi_cell(0, 11, doc.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    if doc.subtitle:
        pdf.set_font("DejaVu", "", 13)
        pdf.multi_cell(0, 7, doc.subtitle, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(6)
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(
        0, 6, f"{doc.meta['agency']}\nPublished {long_date(doc.meta['published'])}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(10)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5.5, str(doc.meta["summary"]), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _pdf_block(pdf: SamplePDF, block: Block) -> None:
    if isinstance(block, Heading) and block.level == 1:
        pdf.add_page()  # every chapter starts on a new page
        pdf.set_font("DejaVu", "B", 17)
        pdf.set_text_color(0, 84, 119)
        pdf.multi_cell(0, 9, block.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(3)
    elif isinstance(block, Heading):
        if pdf.get_y() > pdf.page_break_trigger - 30:
            pdf.add_page()  # keep a heading with the text that follows it
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 12.5)
        pdf.multi_cell(0, 7, block.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    elif isinstance(block, Paragraph):
        pdf.set_font("DejaVu", "", 10.5)
        pdf.multi_cell(0, 5.6, block.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2.5)
    elif isinstance(block, ListBlock):
        pdf.set_font("DejaVu", "", 10.5)
        for number, item in enumerate(block.items, start=1):
            pdf.set_x(pdf.l_margin + 4)
            pdf.cell(7, 5.6, f"{number}." if block.numbered else "•")
            pdf.multi_cell(0, 5.6, item, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)
        pdf.ln(1.5)
    elif isinstance(block, Table):
        pdf.set_font("DejaVu", "", 8.5)
        # the first row is the header; fpdf2 renders it in bold and repeats it on page breaks
        with pdf.table(
            col_widths=_column_widths(pdf, block), width=pdf.epw, line_height=4.6, text_align="LEFT", padding=1.2
        ) as table:
            header = table.row()
            for cell in block.header:
                header.cell(cell)
            for row in block.rows:
                cells = table.row()
                for cell in row:
                    cells.cell(cell)
        pdf.set_font("DejaVu", "", 10.5)
        pdf.ln(4)


def write_pdf(doc: SampleDoc, target: Path) -> None:
    pdf = SamplePDF(running_title=f"{doc.title} | {doc.meta['agency']}")
    pdf.set_title(doc.title)
    pdf.set_author(str(doc.meta["agency"]))
    pdf.set_subject(str(doc.meta["summary"]))
    pdf.set_keywords(keywords(doc))
    pdf.set_creator("scripts/make_sample_docs.py")
    pdf.set_lang("en-NZ")
    pdf.set_creation_date(published_datetime(doc))
    _pdf_cover(pdf, doc)
    for block in parse_body(doc.body):
        _pdf_block(pdf, block)
    pdf.output(str(target))


# --------------------------------------------------------------------------- Word


def _normalise_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite a .docx zip with fixed entry timestamps so output is byte-for-byte repeatable."""
    fixed = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=fixed)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def write_docx(doc: SampleDoc, target: Path) -> None:
    document = Document()
    stamp = published_datetime(doc).replace(tzinfo=None)
    props = document.core_properties
    props.title = doc.title
    props.author = str(doc.meta["agency"])
    props.subject = str(doc.meta["summary"])
    props.keywords = keywords(doc)
    props.category = str(doc.meta["kind"])
    props.language = "en-NZ"
    props.created = stamp
    props.modified = stamp
    props.last_modified_by = str(doc.meta["agency"])
    props.revision = 1
    props.comments = "Sample document generated by scripts/make_sample_docs.py"

    document.styles["Normal"].font.name = "Calibri"
    document.styles["Normal"].font.size = Pt(11)

    document.add_heading(doc.title, level=0)
    intro = document.add_paragraph()
    intro.add_run(f"{doc.meta['agency']} | Published {long_date(doc.meta['published'])}").italic = True

    for block in parse_body(doc.body):
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, ListBlock):
            style = "List Number" if block.numbered else "List Bullet"
            for item in block.items:
                document.add_paragraph(item, style=style)
        elif isinstance(block, Table):
            table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
            table.style = "Table Grid"
            for col, text in enumerate(block.header):
                cell = table.rows[0].cells[col]
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
            for r, row in enumerate(block.rows, start=1):
                for col, text in enumerate(row):
                    table.rows[r].cells[col].text = text

    buffer = io.BytesIO()
    document.save(buffer)
    target.write_bytes(_normalise_zip(buffer.getvalue(), stamp))


# --------------------------------------------------------------------------- HTML

HTML_STYLE = """
    body { font-family: "Segoe UI", Arial, sans-serif; margin: 0; color: #1b1b1b; line-height: 1.55; }
    .skip-link { position: absolute; left: -999px; }
    .skip-link:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
    header.site-header { background: #00546f; color: #fff; padding: 1rem 2rem; }
    nav.site-nav ul { list-style: none; display: flex; gap: 1.5rem; margin: 0; padding: .75rem 2rem;
                      background: #e8f1f4; }
    nav.site-nav a { color: #00546f; font-weight: 600; text-decoration: none; }
    main { max-width: 46rem; margin: 2rem auto; padding: 0 1.5rem; }
    table { border-collapse: collapse; width: 100%; }
    th, td { border: 1px solid #c5c5c5; padding: .4rem .6rem; text-align: left; vertical-align: top; }
    .page-meta { color: #555; font-size: .9rem; }
    footer.site-footer { background: #222; color: #ddd; padding: 2rem; font-size: .9rem; }
    footer.site-footer a { color: #fff; }
"""

HTML_SCRIPT_HEAD = """
    window.dataLayer = window.dataLayer || [];
    function track(eventName) { window.dataLayer.push({ event: eventName, page: location.pathname }); }
    track("page_view");
"""

HTML_SCRIPT_BODY = """
    document.querySelectorAll("nav.site-nav a").forEach(function (link) {
      if (link.getAttribute("href") === location.pathname) { link.setAttribute("aria-current", "page"); }
    });
    document.getElementById("feedback-yes").addEventListener("click", function () { track("feedback_yes"); });
"""


def _html_blocks(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            level = block.level + 1  # the page title is the only <h1>
            out.append(f"<h{level}>{html.escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            out.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, ListBlock):
            tag = "ol" if block.numbered else "ul"
            items = "".join(f"\n  <li>{html.escape(item)}</li>" for item in block.items)
            out.append(f"<{tag}>{items}\n</{tag}>")
        elif isinstance(block, Table):
            head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in block.header)
            rows = "".join(
                "\n    <tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in block.rows
            )
            out.append(f"<table>\n  <thead><tr>{head}</tr></thead>\n  <tbody>{rows}\n  </tbody>\n</table>")
    return out


def write_html(doc: SampleDoc, target: Path) -> None:
    article = "\n".join(_html_blocks(parse_body(doc.body)))
    description = html.escape(str(doc.meta["summary"]), quote=True)
    page = f"""<!DOCTYPE html>
<html lang="en-NZ">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="{description}">
  <title>{html.escape(doc.title)} | {SITE_NAME}</title>
  <style>{HTML_STYLE}  </style>
  <script>{HTML_SCRIPT_HEAD}  </script>
</head>
<body>
  <a class="skip-link" href="#content">Skip to main content</a>
  <header class="site-header">
    <p><strong>{SITE_NAME}</strong></p>
  </header>
  <nav class="site-nav" aria-label="Main">
    <ul>
      <li><a href="/">Home</a></li>
      <li><a href="/guidance/">Guidance</a></li>
      <li><a href="/marketplace/">AI marketplace</a></li>
      <li><a href="/case-studies/">Case studies</a></li>
      <li><a href="/training/">Training</a></li>
      <li><a href="/programme/">Work programme</a></li>
      <li><a href="/search/">Search</a></li>
    </ul>
  </nav>
  <main id="content">
    <article>
<h1>{html.escape(doc.title)}</h1>
<p class="page-meta">{html.escape(str(doc.meta["agency"]))} | Published {long_date(doc.meta["published"])}</p>
{article}
    </article>
    <section class="feedback" aria-label="Page feedback">
      <p>Was this page helpful? <button id="feedback-yes" type="button">Yes</button></p>
    </section>
  </main>
  <footer class="site-footer">
    <p>Run by the Government Chief Digital Officer for the Public Service AI Work Programme.</p>
    <p><a href="/about/">About the hub</a> | <a href="/privacy/">Privacy</a> |
       <a href="/accessibility/">Accessibility</a> | <a href="/contact/">Contact us</a></p>
    <p>Content on this site is sample material for a demonstration portal.</p>
  </footer>
  <script>{HTML_SCRIPT_BODY}  </script>
</body>
</html>
"""
    target.write_text(page, encoding="utf-8")


# --------------------------------------------------------------------------- plain text


def _text_table(table: Table) -> list[str]:
    rows = [table.header, *table.rows]
    widths = [max(len(row[c]) for row in rows if c < len(row)) for c in range(len(table.header))]
    lines = ["  ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def write_text(doc: SampleDoc, target: Path) -> None:
    width = 78
    lines = [
        doc.title,
        "=" * len(doc.title),
        "",
        f"{doc.meta['agency']} - published {long_date(doc.meta['published'])}",
        "",
    ]
    for block in parse_body(doc.body):
        if isinstance(block, Heading) and block.level == 1:
            lines += ["", block.text.upper(), "-" * len(block.text), ""]
        elif isinstance(block, Heading):
            lines += [block.text, ""]
        elif isinstance(block, Paragraph):
            lines += [textwrap.fill(block.text, width), ""]
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, start=1):
                marker = f"{number}. " if block.numbered else "- "
                lines.append(textwrap.fill(item, width, initial_indent=marker, subsequent_indent=" " * len(marker)))
            lines.append("")
        elif isinstance(block, Table):
            lines += [*_text_table(block), ""]
    target.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- main

WRITERS = (
    (PDF_DOCS, write_pdf),
    (DOCX_DOCS, write_docx),
    (HTML_DOCS, write_html),
    (TEXT_DOCS, write_text),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=REPO_ROOT / "corpus",
        help="corpus directory to write into (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    for font in (FONT_REGULAR, FONT_BOLD):
        if not font.exists():
            parser.error(f"font not found: {font} (install fonts-dejavu-core)")

    for docs, writer in WRITERS:
        for doc in docs:
            target = args.corpus / doc.path
            target.parent.mkdir(parents=True, exist_ok=True)
            writer(doc, target)
            sidecar = write_sidecar(doc, target)
            print(f"wrote {target.relative_to(args.corpus)} (+ {sidecar.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
