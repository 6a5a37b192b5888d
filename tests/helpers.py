"""Small builders for test corpora."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml


def write_md(corpus: Path, name: str, body: str, **meta: Any) -> Path:
    """Write a Markdown file with front matter built from `meta`."""
    path = corpus / name
    path.parent.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) if meta else ""
    text = f"---\n{front}---\n{body}" if meta else body
    path.write_text(text, encoding="utf-8")
    return path


def write_sidecar(path: Path, **meta: Any) -> None:
    sidecar = path.with_name(path.name + ".meta.yaml")
    sidecar.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8")


def make_pdf(pages: list[str], title: str = "") -> bytes:
    """A PDF with one page of text per item, using a font that can draw macrons."""
    from fpdf import FPDF

    pdf = FPDF()
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if font.exists():
        pdf.add_font("dejavu", "", str(font))
        pdf.set_font("dejavu", size=11)
    else:
        pdf.set_font("helvetica", size=11)
    if title:
        pdf.set_title(title)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def make_image_only_pdf(pages: int = 2) -> bytes:
    """A PDF whose pages hold only drawings: no text layer, like a scan."""
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.set_fill_color(90, 90, 90)
        for row in range(20):
            pdf.rect(20, 20 + row * 10, 150, 4, style="F")
    return bytes(pdf.output())


def encrypt_pdf(raw: bytes, password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(blocks: list[tuple[str, str]], title: str = "") -> bytes:
    """A Word file from (style, text) pairs, e.g. ("Heading 1", "Scope"), ("Normal", "...")."""
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for style, text in blocks:
        document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def refuse_listing(monkeypatch: pytest.MonkeyPatch, folder: str) -> None:
    """Make listing any folder named `folder` fail with 'Permission denied'. Tests run as root,
    whom file permissions never stop, so the refusal is made by hand."""
    real_scandir = os.scandir

    def scandir(path: str) -> Iterator[os.DirEntry[str]]:
        if Path(str(path)).name == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
