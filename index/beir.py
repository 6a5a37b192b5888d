"""BEIR-format test collections: reading one, and writing its documents as a Markdown corpus.

A collection is a folder holding `corpus.jsonl`, `queries.jsonl` and `qrels/<split>.tsv`
(https://github.com/beir-cellar/beir). `python -m index eval` reads it with `load_beir` and hands
its documents to the hub's own build as Markdown files written by `write_corpus`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from ingest.errors import HubError


class EvalDataError(HubError):
    """The collection folder is missing a file or holds something that is not BEIR data."""


@dataclass(frozen=True)
class BeirData:
    """A BEIR collection restricted to one split: documents, judged queries and judgements."""

    corpus: dict[str, tuple[str, str]]  # id -> (title, text)
    queries: dict[str, str]  # id -> text, only queries judged in the split
    qrels: dict[str, dict[str, int]]  # query id -> document id -> grade


def load_beir(folder: Path, split: str = "test") -> BeirData:
    """Read corpus.jsonl, queries.jsonl and qrels/<split>.tsv from `folder`.

    Raises EvalDataError naming the file when one is missing or malformed."""
    corpus: dict[str, tuple[str, str]] = {}
    for n, item in _jsonl(folder / "corpus.jsonl"):
        try:
            corpus[str(item["_id"])] = (str(item.get("title") or ""), str(item.get("text") or ""))
        except KeyError:
            raise EvalDataError(f"{folder / 'corpus.jsonl'} line {n}: no _id") from None
    queries_all: dict[str, str] = {}
    for n, item in _jsonl(folder / "queries.jsonl"):
        if "_id" not in item or "text" not in item:
            raise EvalDataError(f"{folder / 'queries.jsonl'} line {n}: needs _id and text")
        queries_all[str(item["_id"])] = str(item["text"])
    qrels = _read_qrels(folder / "qrels" / f"{split}.tsv")
    missing = sorted(q for q in qrels if q not in queries_all)
    if missing:
        raise EvalDataError(f"{folder / 'qrels' / f'{split}.tsv'}: query {missing[0]} is not in queries.jsonl")
    queries = {q: queries_all[q] for q in qrels}
    return BeirData(corpus, queries, qrels)


def _jsonl(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise EvalDataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    with handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                raise EvalDataError(f"{path} line {n}: not JSON") from None
            if not isinstance(item, dict):
                raise EvalDataError(f"{path} line {n}: not a JSON object")
            yield n, item


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise EvalDataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    with handle:
        for n, row in enumerate(csv.reader(handle, delimiter="\t"), start=1):
            if not row or (n == 1 and row[0] == "query-id"):
                continue
            try:
                query, doc, grade = row[0].strip(), row[1].strip(), int(row[2])
            except (IndexError, ValueError):
                raise EvalDataError(f"{path} line {n}: expected query-id, corpus-id, score") from None
            qrels.setdefault(query, {})[doc] = grade
    if not qrels:
        raise EvalDataError(f"{path}: no judgements")
    return qrels


def file_name(beir_id: str) -> str:
    """The corpus file for a BEIR document id; the hub's document id is this name."""
    return "d-" + quote(beir_id, safe="") + ".md"


def write_corpus(corpus: dict[str, tuple[str, str]], folder: Path) -> dict[str, str]:
    """Write each document as Markdown with its title in the front matter; return hub id -> BEIR id.

    Files already holding the right text are left alone, and files of documents no longer in
    the collection are removed, so the hub's incremental build sees exactly what changed."""
    folder.mkdir(parents=True, exist_ok=True)
    ids: dict[str, str] = {}
    for beir_id, (title, text) in corpus.items():
        name = file_name(beir_id)
        ids[name] = beir_id
        body = _markdown(title, text)
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != body:
            path.write_text(body, encoding="utf-8")
    for path in folder.glob("*.md"):
        if path.name not in ids:
            path.unlink()
    return ids


def _markdown(title: str, text: str) -> str:
    front = yaml.safe_dump({"title": title}, allow_unicode=True, width=10**6).strip() if title else ""
    # A line that Markdown would read as a heading or code fence is kept as plain text.
    lines = [("\\" + line if line.lstrip().startswith(("#", "```", "~~~")) else line) for line in text.split("\n")]
    body = "\n".join(lines).strip() or title or "(empty)"
    return f"---\n{front}\n---\n{body}\n" if front else f"{body}\n"
