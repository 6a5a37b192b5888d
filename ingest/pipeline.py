"""From corpus files to documents with passages: scanning, reading, metadata and chunking."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.chunking import TokenCounter, chunk_document
from ingest.errors import LoadError, SettingError
from ingest.loaders import load_bytes
from ingest.metadata import load_yaml_mapping, parse_metadata
from ingest.types import FORMATS, SIDECAR_SUFFIX, Chunk, Document, Failure, Heading, Metadata, SourceFile

# Title and headings are put in front of every passage before it is embedded and keyword
# indexed, so a passage deep in a section still matches what the section is about.
PREFIX_TOKEN_BUDGET = 48


@dataclass
class Scan:
    """What is in the corpus folder: files to index, files skipped and files that failed."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def scan_corpus(corpus_dir: Path) -> Scan:
    """List every supported file under `corpus_dir` with its content hash (file plus sidecar).

    Hidden files and folders are ignored; other unsupported files are listed as skipped."""
    scan = Scan()
    if not corpus_dir.is_dir():
        return scan
    for root, dirs, names in os.walk(corpus_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            path = Path(root) / name
            doc_id = path.relative_to(corpus_dir).as_posix()
            fmt = FORMATS.get(path.suffix.lower())
            if fmt is None:
                scan.skipped.append(Failure(doc_id, f"unsupported file type '{path.suffix or name}'"))
                continue
            sidecar = path.with_name(name + SIDECAR_SUFFIX)
            try:
                raw = path.read_bytes()
                side = sidecar.read_bytes() if sidecar.exists() else None
            except OSError as exc:
                scan.failures.append(Failure(doc_id, f"could not be read ({exc.strerror or exc})"))
                continue
            scan.files.append(
                SourceFile(
                    doc_id=doc_id,
                    path=str(path),
                    format=fmt,
                    content_hash=content_hash(raw, side),
                    size=len(raw),
                    sidecar=str(sidecar) if side is not None else None,
                )
            )
    return scan


def content_hash(raw: bytes, sidecar: bytes | None) -> str:
    digest = hashlib.sha256(raw)
    digest.update(b"\0sidecar\0" + (sidecar or b""))
    return digest.hexdigest()


def read_document(
    source: SourceFile, count_tokens: TokenCounter, max_tokens: int, chunk_tokens: int, chunk_overlap: int
) -> Document:
    """Read, clean and chunk one file. Raises LoadError naming the file when it cannot be used.

    The hash recorded is that of the bytes actually read, so a file that changed since the scan
    is indexed as read and picked up again by the next run."""
    if chunk_tokens + 2 > max_tokens:
        raise SettingError("HUB_CHUNK_TOKENS", str(chunk_tokens), f"exceeds the model's limit of {max_tokens} tokens")
    try:
        raw = Path(source.path).read_bytes()
        side = Path(source.sidecar).read_bytes() if source.sidecar else None
    except FileNotFoundError:
        raise LoadError(source.doc_id, "the file disappeared before it could be read (deleted or moved)") from None
    except OSError as exc:
        raise LoadError(source.doc_id, f"could not be read ({exc.strerror or exc})") from None
    extracted, front = load_bytes(source.doc_id, source.format, raw)
    warnings = list(extracted.warnings)
    raw_meta = front
    if side is not None:
        raw_meta, problem = load_yaml_mapping(side.decode("utf-8", errors="replace"), Path(source.sidecar or "").name)
        if problem:
            warnings.append(problem)
    parsed = parse_metadata(raw_meta)
    warnings.extend(f"metadata: {p}" for p in parsed.problems)
    metadata = _with_title(parsed.metadata, extracted.native_title, extracted.headings, source.doc_id)
    chunks = chunk_document(source.doc_id, extracted, count_tokens, chunk_tokens, chunk_overlap)
    if not chunks:
        raise LoadError(source.doc_id, "no passages could be made from the text")
    card = summary_card(source.doc_id, metadata, extracted.page_starts, count_tokens, chunk_tokens)
    if card is not None:
        chunks = [card, *(replace(c, position=c.position + 1) for c in chunks)]
    return Document(
        doc_id=source.doc_id,
        path=source.path,
        format=source.format,
        content_hash=content_hash(raw, side),
        metadata=metadata,
        text=extracted.text,
        page_starts=extracted.page_starts,
        chunks=tuple(chunks),
        warnings=tuple(warnings),
    )


# Metadata fields written by editors as plain sentences about the whole document.
CARD_FIELDS = ("summary", "problem", "approach", "outcome", "goal", "deliverable", "capability")


def summary_card(
    doc_id: str, meta: Metadata, page_starts: tuple[tuple[int, int], ...], count_tokens: TokenCounter, size: int
) -> Chunk | None:
    """A passage made of the editor's summary fields and tags, or None when there are none.

    Editors describe a document in other words than its body uses, so indexing that
    description lets a query phrased like the summary, or naming a tag, find the document."""
    parts = [meta.summary] + [str(meta.extra[k]) for k in CARD_FIELDS[1:] if isinstance(meta.extra.get(k), str)]
    text = " ".join(p.strip() for p in parts if p and p.strip())
    if meta.tags:
        text = f"{text}\nTopics: {'; '.join(meta.tags)}.".strip()
    if not text:
        return None
    words = text.split()
    while count_tokens(" ".join(words)) > size:
        words = words[: len(words) * 9 // 10]
    first_page = page_starts[0][0] if page_starts else None
    return Chunk(doc_id, 0, " ".join(words), 0, 0, first_page, ("Summary",))


def _with_title(meta: Metadata, native: str, headings: tuple[Heading, ...], doc_id: str) -> Metadata:
    if meta.title:
        return meta
    title = native or (headings[0].title if headings else "") or _title_from_name(doc_id)
    return replace(meta, title=title)


def _title_from_name(doc_id: str) -> str:
    stem = Path(doc_id).stem
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else doc_id


def prefix_budget(max_tokens: int, chunk_tokens: int) -> int:
    """Tokens left for the title prefix once a full passage and the special tokens fit."""
    return min(PREFIX_TOKEN_BUDGET, max_tokens - chunk_tokens - 4)


def indexed_text(title: str, chunk: Chunk, count_tokens: TokenCounter, budget: int = PREFIX_TOKEN_BUDGET) -> str:
    """The text embedded and keyword-indexed for a chunk: title and heading path, then the passage.

    The prefix is cut to `budget` tokens so the whole stays within the model's limit."""
    if budget <= 0:
        return chunk.text
    context = [title, *[h for h in chunk.heading_path if h != title]]
    prefix = " > ".join(c for c in context if c)
    if count_tokens(prefix) > budget:
        words = prefix.split()
        while words and count_tokens(" ".join(words)) > budget:
            words = words[: max(len(words) * 3 // 4, len(words) - 8)] if len(words) > 8 else words[:-1]
        prefix = " ".join(words)
    return f"{prefix}\n{chunk.text}" if prefix else chunk.text
