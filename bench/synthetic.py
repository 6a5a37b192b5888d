"""Generated material for the speed benchmark: documents made of real sentences, embedders that
record or replay vectors, and search queries.

Padding an index to 200,000 passages with the real model would take hours on two cores, so the
generated passages get vectors made from the real ones: each a mix of two real passage vectors
plus a little noise, chosen by a hash of the text so every run gets the same ones. They are
spread like real vectors, which is what the vector index's speed and recall depend on.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ingest.embed import Embedder

AGENCIES = (
    "Ministry of Health",
    "Inland Revenue",
    "Department of Internal Affairs",
    "Ministry of Social Development",
    "Stats NZ",
    "Ministry of Education",
    "Ports Agency",
    "Government Chief Digital Officer (GCDO)",
)
KINDS = ("guidance", "case-study", "tool", "initiative", "standard", "training")
_SENTENCE = re.compile(r"[^.!?\n]{30,400}[.!?]")


class Recorder:
    """Runs a real embedder and keeps every text and vector it embedded."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.texts: list[str] = []
        self.vectors: list[np.ndarray] = []

    @property
    def model_key(self) -> str:
        return self.inner.model_key

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.inner.encode_documents(texts)
        self.texts.extend(texts)
        self.vectors.extend(vectors)
        return vectors

    def encode_query(self, text: str) -> np.ndarray:
        return self.inner.encode_query(text)


class Replay:
    """Real vectors for texts the real model embedded, mixes of them for generated texts.

    Counts tokens with the real tokenizer, so passages are cut exactly as in a real build, and
    carries the real model key, so the real model can query the index it builds."""

    def __init__(self, inner: Embedder, known: dict[str, np.ndarray]) -> None:
        self.inner = inner
        self.known = known
        self._pool = np.stack(list(known.values()))
        self.seen: dict[str, np.ndarray] = {}

    @property
    def model_key(self) -> str:
        return self.inner.model_key

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        out = np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)
        self.seen.update(zip(texts, out, strict=True))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self.inner.encode_query(text)

    def _vector(self, text: str) -> np.ndarray:
        if text in self.known:
            return self.known[text]
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        rng = np.random.default_rng(seed)
        first, second = rng.integers(0, len(self._pool), 2)
        weight = rng.uniform(0.5, 1.0)
        mixed = weight * self._pool[first] + (1 - weight) * self._pool[second]
        mixed = mixed + rng.normal(0.0, 0.02, self.dimension)
        return (mixed / np.linalg.norm(mixed)).astype(np.float32)


def sentences(texts: Sequence[str]) -> list[str]:
    """The whole sentences found in `texts`, without duplicates, in a stable order."""
    found = dict.fromkeys(s.strip() for t in texts for s in _SENTENCE.findall(t))
    return [s for s in found if len(s.split()) >= 6]


# The groups generated documents may be for, when they have audiences: a fifth of them is for
# one of these, the rest for everyone.
TEAMS = ("team-1", "team-2", "team-3", "team-4", "team-5")
RESTRICTED_SHARE = 0.2


def write_documents(
    folder: Path, count: int, pool: Sequence[str], seed: int, words: int = 1500, audiences: bool = False
) -> list[Path]:
    """Write `count` Markdown documents of about `words` words, made of sentences from `pool`;
    with `audiences`, RESTRICTED_SHARE of them are for one of TEAMS."""
    rng = random.Random(seed)
    teams = random.Random(seed + 1)  # its own stream: the texts are the same with or without audiences
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        title = " ".join(rng.choice(pool).split()[:6]).strip(" ,;:")
        lines = [
            "---",
            f"title: 'Note {seed}-{n}: {title.replace(chr(39), '')}'",
            f"kind: {rng.choice(KINDS)}",
            f"agency: '{rng.choice(AGENCIES)}'",
            f"published: {rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            *([f"audience: [{teams.choice(TEAMS)}]"] if audiences and teams.random() < RESTRICTED_SHARE else []),
            "---",
            f"# {title}",
            "",
        ]
        written = 0
        section = 0
        while written < words:
            if written >= section * 400:
                section += 1
                lines += [f"## Part {section}", ""]
            paragraph = " ".join(rng.choice(pool) for _ in range(rng.randint(3, 6)))
            lines += [paragraph, ""]
            written += len(paragraph.split())
        path = folder / f"note-{seed}-{n:06d}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


def queries(golden_dir: Path, pool: Sequence[str], count: int, seed: int = 7) -> list[str]:
    """The golden queries, then short questions cut from real sentences, `count` in all."""
    found: list[str] = []
    for path in sorted(golden_dir.glob("*.yaml")):
        found += re.findall(r'^- query: "(.*)"$', path.read_text(encoding="utf-8"), flags=re.M)
    rng = random.Random(seed)
    while len(found) < count:
        words = rng.choice(pool).split()
        start = rng.randint(0, max(0, len(words) - 8))
        found.append(" ".join(words[start : start + rng.randint(3, 8)]).strip(" ,;:()"))
    return found[:count]
