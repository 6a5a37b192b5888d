"""A corpus of good documents mixed with every kind of bad input an editor or an accident can
produce, and what a run over it must report. Used by tests/test_hostile.py and bench/hostile.py.

Each good document carries one made-up word found nowhere else, so a keyword search for it
shows whether the document was indexed. Each secret lives outside the corpus and must never
become searchable, whatever links point at it.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import encrypt_pdf, make_docx, make_image_only_pdf, make_pdf, write_md

BODY = "How agencies assess, buy and monitor AI tools in the public service, step by step. "


@dataclass
class Expected:
    """What the run must show for the corpus it describes."""

    good: dict[str, str] = field(default_factory=dict)  # document id -> its unique word
    failed: dict[str, str] = field(default_factory=dict)  # file -> words its reason must contain
    skipped: dict[str, str] = field(default_factory=dict)  # file -> words its reason must contain
    warned: dict[str, str] = field(default_factory=dict)  # document id -> words a warning must contain
    secrets: list[str] = field(default_factory=list)  # words that must never be searchable


def _good_text(word: str) -> str:
    return f"{BODY * 3}The marker word is {word}. {BODY * 2}"


def _docx_with(xml: bytes, base: bytes | None = None) -> bytes:
    """A Word file whose main document part is replaced by `xml`."""
    source = zipfile.ZipFile(io.BytesIO(base or make_docx([("Normal", "placeholder")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = xml if item.filename == "word/document.xml" else source.read(item.filename)
            target.writestr(item, data)
    return out.getvalue()


def _zip_bomb_docx(unpacked_mb: int) -> bytes:
    """A Word file whose document part unpacks to `unpacked_mb` MB of one repeated byte."""
    source = zipfile.ZipFile(io.BytesIO(make_docx([("Normal", "placeholder")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item.filename))
        with target.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(block)
    return out.getvalue()


def _many_paragraphs_docx(count: int) -> bytes:
    paragraph = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>"
    xml = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        b"<w:p><w:r><w:t>Many short paragraphs follow, then the marker word paraflood.</w:t></w:r></w:p>"
        + paragraph * count
        + b"</w:body></w:document>"
    )
    return _docx_with(xml)


def _aes_pdf(word: str, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([_good_text(word)]))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_hostile_corpus(corpus: Path, outside: Path, scale: int = 1) -> Expected:
    """Fill `corpus` with good and bad files (secrets go in `outside`); returns what to expect.

    `scale` multiplies the size of the floods (paragraph counts, pathological lines): 1 keeps a
    test run short; the benchmark uses the sizes that once took minutes."""
    for folder in ("good", "meta", "slow", "enc", "pdf", "word", "junk", "names", "links", "big"):
        (corpus / folder).mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    ex = Expected()

    # ---- good documents, one of each format ----
    write_md(
        corpus, "good/guide.md", f"# Buying AI\n\n{_good_text('goodmarkdown')}", title="Buying AI", kind="guidance"
    )
    (corpus / "good/notes.txt").write_text(_good_text("goodplaintext"), encoding="utf-8")
    (corpus / "good/page.html").write_text(
        f"<html><head><title>Page</title></head><body><p>{_good_text('goodhtml')}</p></body></html>", encoding="utf-8"
    )
    (corpus / "good/brief.docx").write_bytes(make_docx([("Heading 1", "Brief"), ("Normal", _good_text("goodword"))]))
    (corpus / "good/report.pdf").write_bytes(make_pdf([_good_text("goodpdf")]))
    ex.good.update(
        {
            "good/guide.md": "goodmarkdown",
            "good/notes.txt": "goodplaintext",
            "good/page.html": "goodhtml",
            "good/brief.docx": "goodword",
            "good/report.pdf": "goodpdf",
        }
    )

    # ---- metadata an editor can get wrong: the document is indexed, the problem reported ----
    (corpus / "meta/feb30.md").write_text(
        f"---\ntitle: Feb 30\npublished: 2025-02-30\n---\n{_good_text('metafebthirty')}", encoding="utf-8"
    )
    (corpus / "meta/hour25.md").write_text(
        f"---\ntitle: Hour 25\npublished: 2025-03-01 25:00:00\n---\n{_good_text('metahourtwentyfive')}",
        encoding="utf-8",
    )
    (corpus / "meta/selfalias.md").write_text(
        f"---\ntitle: Alias\ntags: &loop [*loop]\n---\n{_good_text('metaselfalias')}", encoding="utf-8"
    )
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
    )
    (corpus / "meta/laughs.md").write_text(f"---\n{laughs}---\n{_good_text('metalaughs')}", encoding="utf-8")
    (corpus / "meta/sidecar-bomb.txt").write_text(_good_text("metasidecarbomb"), encoding="utf-8")
    (corpus / "meta/sidecar-bomb.txt.meta.yaml").write_text(laughs, encoding="utf-8")
    (corpus / "meta/deep.md").write_text(
        f"---\ntags: {'[' * 5000}{']' * 5000}\n---\n{_good_text('metadeepnesting')}", encoding="utf-8"
    )
    (corpus / "meta/badkind.md").write_text(
        f"---\nkind: memo\nstatus: lost\n---\n{_good_text('metabadkind')}", encoding="utf-8"
    )
    (corpus / "meta/not-mapping.md").write_text(f"---\n- a\n- b\n---\n{_good_text('metanotmapping')}", encoding="utf-8")
    ex.good.update(
        {
            "meta/feb30.md": "metafebthirty",
            "meta/hour25.md": "metahourtwentyfive",
            "meta/selfalias.md": "metaselfalias",
            "meta/laughs.md": "metalaughs",
            "meta/sidecar-bomb.txt": "metasidecarbomb",
            "meta/deep.md": "metadeepnesting",
            "meta/badkind.md": "metabadkind",
            "meta/not-mapping.md": "metanotmapping",
        }
    )
    ex.warned.update(
        {
            "meta/feb30.md": "not a date",
            "meta/hour25.md": "not a date",
            "meta/selfalias.md": "alias",
            "meta/laughs.md": "alias",
            "meta/sidecar-bomb.txt": "alias",
            "meta/badkind.md": "memo",
            "meta/not-mapping.md": "key: value",
        }
    )

    # ---- texts that once took minutes: each must be indexed ----
    (corpus / "slow/brackets.md").write_text("[a " * 40_000 * scale + "\n\n" + _good_text("slowbrackets"), "utf-8")
    (corpus / "slow/stars.md").write_text("**a " * 30_000 * scale + "\n\n" + _good_text("slowstars"), "utf-8")
    (corpus / "slow/paragraphs.docx").write_bytes(_many_paragraphs_docx(30_000 * scale))
    (corpus / "slow/paragraphs.html").write_text(
        "<html><body><p>The marker word is htmlflood.</p>" + "<p>a</p>" * 20_000 * scale + "</body></html>", "utf-8"
    )
    ex.good.update(
        {
            "slow/brackets.md": "slowbrackets",
            "slow/stars.md": "slowstars",
            "slow/paragraphs.docx": "paraflood",
            "slow/paragraphs.html": "htmlflood",
        }
    )

    # ---- encodings ----
    (corpus / "enc/utf16.txt").write_bytes(_good_text("encutfsixteen").encode("utf-16"))
    (corpus / "enc/cp1252.txt").write_bytes((_good_text("enccodepage") + " caf\xe9").encode("cp1252"))
    ex.good.update({"enc/utf16.txt": "encutfsixteen", "enc/cp1252.txt": "enccodepage"})

    # ---- PDFs ----
    (corpus / "pdf/aes-open.pdf").write_bytes(_aes_pdf("pdfaesopen", ""))
    ex.good["pdf/aes-open.pdf"] = "pdfaesopen"
    (corpus / "pdf/aes-locked.pdf").write_bytes(_aes_pdf("pdfaeslocked", "reader-secret"))
    (corpus / "pdf/rc4-locked.pdf").write_bytes(encrypt_pdf(make_pdf([_good_text("pdfrcfour")])))
    (corpus / "pdf/scan.pdf").write_bytes(make_image_only_pdf())
    (corpus / "pdf/no-header.pdf").write_bytes(b"this is not a pdf at all " * 40)
    whole = make_pdf([_good_text("pdftruncated")])
    (corpus / "pdf/truncated.pdf").write_bytes(whole[: len(whole) // 3])
    ex.failed.update(
        {
            "pdf/aes-locked.pdf": "password",
            "pdf/rc4-locked.pdf": "password",
            "pdf/scan.pdf": "scanned",
            "pdf/no-header.pdf": "PDF",
        }
    )

    # ---- Word files ----
    (corpus / "word/bad-xml.docx").write_bytes(_docx_with(b"<w:document><w:body><w:p>unclosed"))
    secret_file = outside / "secret.txt"
    secret_file.write_text("outsidesecretentity", encoding="utf-8")
    dtd = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY leak SYSTEM "file://{secret_file}">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>&leak; entity</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    (corpus / "word/dtd.docx").write_bytes(_docx_with(dtd))
    (corpus / "word/zip-bomb.docx").write_bytes(_zip_bomb_docx(400))
    (corpus / "word/not-a-zip.docx").write_bytes(b"PK\x03\x04 but nothing more " * 10)
    ex.failed.update({"word/bad-xml.docx": "Word", "word/zip-bomb.docx": "unpack", "word/not-a-zip.docx": "Word"})
    ex.secrets.append("outsidesecretentity")

    # ---- files that are not documents ----
    (corpus / "junk/empty.md").write_text("", encoding="utf-8")
    (corpus / "junk/blank.md").write_text("   \n\n  \n", encoding="utf-8")
    (corpus / "junk/binary.txt").write_bytes(bytes(range(256)) * 20)
    (corpus / "junk/program.exe").write_bytes(b"MZ" + bytes(100))
    (corpus / "junk/orphan.pdf.meta.yaml").write_text("title: Orphan\n", encoding="utf-8")
    ex.failed.update({"junk/empty.md": "empty", "junk/blank.md": "empty", "junk/binary.txt": "binary"})
    ex.skipped.update({"junk/program.exe": "unsupported", "junk/orphan.pdf.meta.yaml": "not there"})

    # ---- names an attacker chooses ----
    (corpus / "names/[Click here](https:__evil.example).md").write_text("", encoding="utf-8")
    (corpus / "names/![x](http:__127.0.0.1:9_x.png).md").write_text("", encoding="utf-8")
    (corpus / "names/colon:name.md").write_text(_good_text("namecolon"), encoding="utf-8")
    (corpus / "names/back\\slash.md").write_text(_good_text("namebackslash"), encoding="utf-8")
    (corpus / "names/percent%3a.md").write_text(_good_text("namepercent"), encoding="utf-8")
    (corpus / "names/escape-\x1b[31m-red.md").write_text(_good_text("nameescape"), encoding="utf-8")
    with open(os.fsencode(corpus / "names") + b"/latin1-\xe9t\xe9.md", "wb") as handle:
        handle.write(_good_text("namelatin").encode())
    (corpus / "names/[Click here](evil.example).md").write_text("", encoding="utf-8")
    (corpus / "names/<img src=x onerror=alert(1)>.md").write_text("", encoding="utf-8")
    ex.failed.update({"names/[Click here](evil.example).md": "empty", "names/<img src=x onerror=alert(1)>.md": "empty"})
    ex.skipped.update(
        {
            "names/colon:name.md": "colon",
            "names/escape-\ufffd[31m-red.md": "control characters",
            "names/[Click here](https:__evil.example).md": "colon",
            "names/![x](http:__127.0.0.1:9_x.png).md": "colon",
            "names/back\\slash.md": "backslash",
            "names/percent%3a.md": "colon",
            "names/latin1-\ufffdt\ufffd.md": "UTF-8",
        }
    )

    # ---- links, pipes and devices ----
    (outside / "passwd").write_text("root:x:0:0:outsidesecretpasswd:/root:/bin/bash\n" * 5, encoding="utf-8")
    (outside / "meta.yaml").write_text("title: outsidesecretsidecar\n", encoding="utf-8")
    (outside / "folder").mkdir(exist_ok=True)
    (outside / "folder/inside.md").write_text(_good_text("outsidesecretfolder"), encoding="utf-8")
    os.symlink(outside / "passwd", corpus / "links/passwd.txt")
    os.symlink("/dev/zero", corpus / "links/zero.txt")
    os.symlink(outside / "folder", corpus / "links/folder")
    os.symlink(corpus / "links/missing-target.md", corpus / "links/dangling.md")
    (corpus / "links/with-link-sidecar.txt").write_text(_good_text("linkedsidecar"), encoding="utf-8")
    os.symlink(outside / "meta.yaml", corpus / "links/with-link-sidecar.txt.meta.yaml")
    os.symlink(corpus / "good/guide.md", corpus / "links/inside-link.md")
    os.mkfifo(corpus / "links/pipe.md")
    os.mkfifo(corpus / "links/pipe-sidecar.txt.meta.yaml")
    (corpus / "links/pipe-sidecar.txt").write_text(_good_text("pipesidecar"), encoding="utf-8")
    ex.secrets += ["outsidesecretpasswd", "outsidesecretsidecar", "outsidesecretfolder"]
    ex.good.update({"links/with-link-sidecar.txt": "linkedsidecar", "links/pipe-sidecar.txt": "pipesidecar"})
    ex.skipped.update(
        {
            "links/passwd.txt": "outside the corpus",
            "links/zero.txt": "outside the corpus",
            "links/folder": "link to a folder",
            "links/dangling.md": "does not exist",
            "links/with-link-sidecar.txt.meta.yaml": "outside the corpus",
            "links/pipe.md": "named pipe",
            "links/pipe-sidecar.txt.meta.yaml": "named pipe",
        }
    )

    # ---- found by review: each once failed a whole run or leaked ----
    (corpus / "00-emoji.md").write_text("\U0001f642 \U0001f642 \u2014 \u2014 \u2014\n", encoding="utf-8")
    (corpus / "meta/surrogate.md").write_text(
        f'---\ntitle: "x\\ud800y"\ntags: ["\\ud83d"]\n---\n{_good_text("metasurrogate")}', encoding="utf-8"
    )
    (corpus / "slow/surrogate.html").write_text(
        f"<html><body><p>{_good_text('htmlsurrogate')}</p><p>&#xD800;</p></body></html>", encoding="utf-8"
    )
    ex.good.update({"meta/surrogate.md": "metasurrogate", "slow/surrogate.html": "htmlsurrogate"})
    os.makedirs(os.fsencode(corpus) + b"/caf\xe9", exist_ok=True)
    with open(os.fsencode(corpus) + b"/caf\xe9/inside.md", "wb") as handle:
        handle.write(_good_text("folderlatin").encode())
    (corpus / "bell\x07folder").mkdir()
    (corpus / "bell\x07folder/inside.md").write_text(_good_text("folderbell"), encoding="utf-8")
    deep = corpus / "deep"
    for level in range(45):
        deep = deep / f"d{level}"
    deep.mkdir(parents=True)
    (deep / "bottom.md").write_text(_good_text("deepbottom"), encoding="utf-8")
    (corpus / ".drafts").mkdir()
    (corpus / ".drafts/secret.md").write_text(_good_text("hiddendraftsecret"), encoding="utf-8")
    os.symlink(corpus / ".drafts/secret.md", corpus / "links/to-hidden.md")
    ex.secrets.append("hiddendraftsecret")
    ex.skipped.update(
        {
            "caf\ufffd": "not valid UTF-8",
            "bell\ufffdfolder": "control characters",
            "links/to-hidden.md": "hidden folder",
            "deep/" + "/".join(f"d{level}" for level in range(40)): "nested more than 40",
        }
    )

    # ---- size limits (the test sets HUB_MAX_FILE_MB=2 and HUB_MAX_TEXT_CHARS=1000000) ----
    (corpus / "big/huge.txt").write_bytes(b"too big to read. " * 200_000)
    big_text = make_docx([("Normal", "lots of words here " * 5000)] * 20)
    (corpus / "big/long-text.docx").write_bytes(big_text)
    ex.failed.update({"big/huge.txt": "limit", "big/long-text.docx": "characters"})
    return ex
