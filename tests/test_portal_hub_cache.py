"""The query cache around the model the portal's shared Hub uses (portal/hub_cache.py)."""

from __future__ import annotations

from typing import Any

from ingest.embed import RememberedQueries


def test_remembered_queries_encode_each_query_once() -> None:
    from ingest.embed import HashEmbedder

    calls: list[str] = []

    class Counting(HashEmbedder):
        def encode_query(self, text: str) -> Any:
            calls.append(text)
            return super().encode_query(text)

    embedder = RememberedQueries(Counting(), size=2)
    first = embedder.encode_query("privacy")
    first[:] = 0  # a caller changing its copy does not change what is remembered
    again = embedder.encode_query("privacy")
    assert calls == ["privacy"] and again.any()
    embedder.encode_query("b")
    embedder.encode_query("c")  # "privacy" is now the oldest of three; forgotten
    embedder.encode_query("privacy")
    assert calls == ["privacy", "b", "c", "privacy"]
    assert embedder.model_key == HashEmbedder().model_key
