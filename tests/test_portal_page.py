"""Server folders left out of what editors are shown (portal/page.py)."""

from __future__ import annotations

from pathlib import Path

from index import without_folders


def test_without_folders_makes_server_paths_relative(tmp_path: Path) -> None:
    data, corpus = tmp_path / "srv" / "data", tmp_path / "srv" / "data" / "corpus"
    text = (
        f"{data}/builds/b1/vectors.faiss: unreadable; {corpus}/a.md failed; nothing in {corpus}; "
        f"{data}2/x and {data}.old/y stay; so does data/builds/b1"
    )
    assert without_folders(text, [data, corpus]) == (
        "builds/b1/vectors.faiss: unreadable; a.md failed; nothing in corpus; "
        f"{data}2/x and {data}.old/y stay; so does data/builds/b1"
    )
    assert without_folders("metadata/x in data/y", [Path("data")]) == "metadata/x in data/y"
