"""Settings for the whole hub, read from the environment in one place."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from ingest.errors import SettingError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
# How the embedding model is run: "torch" is the PyTorch fp32 reference; the others run a local
# export of the same weights (ingest/export.py, ingest/runtimes.py). The default was measured in
# docs/benchmarks.md at 3.5-3.7x PyTorch's throughput with the same SciFact nDCG@10.
RUNTIMES = ("openvino-bf16", "onnx-int8", "torch")
DEFAULT_RUNTIME = "openvino-bf16"
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much of the machine reading one corpus file may take (ingest/reading.py)."""

    # The largest real document in our test collection is a 147-page PDF of 2.9 MB; fifty times
    # that leaves room for image-heavy reports while refusing dumps and disk images.
    max_file_bytes: int = 50 * MB
    # About 700 pages of dense text. The reader shows a document whole, so this also bounds what
    # one page view costs the server.
    max_text_chars: int = 2_000_000
    # The slowest real PDF reads in under 10 s on two cores.
    timeout_s: float = 120.0
    # Address space of the reading process: parsers that blow up hit this, not the machine.
    memory_bytes: int = 2048 * MB


@dataclass(frozen=True)
class Access:
    """Who may see what (index/access.py): the groups documents may be for, and who edits."""

    # The groups the identity provider issues; an audience naming another is reported to editors.
    # Empty: any group name is accepted.
    groups: tuple[str, ...] = ()
    # The ID-token claim that lists a signed-in person's groups or roles.
    groups_claim: str = "groups"
    # People in any of these groups, or with one of these e-mail addresses, are editors.
    editor_groups: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    # A single-user machine with no identity provider: whoever opens the hub is an editor.
    local_editor: bool = False


@dataclass(frozen=True)
class SearchSettings:
    """How the hybrid search ranks passages and documents.

    Defaults were tuned on SciFact's train split (docs/evaluation.md): each leg's best passage
    per document, scaled to [0, 1] and added with weights ('convex'); the keyword leg is scaled
    against the most its query could score ('bound'), so a weak keyword match counts for little;
    then the dense leg is rescored with the query moved towards the first ranking's best passages."""

    candidates: int = 500
    fusion: Literal["rrf", "convex"] = "convex"
    rrf_k: int = 60
    dense_weight: float = 1.0
    keyword_weight: float = 5.0
    keyword_ceiling: Literal["best", "bound"] = "bound"
    coverage_power: float = 1.0
    bm25_k1: float = 0.9
    bm25_b: float = 0.4
    passages_per_document: int = 3
    passage_decay: float = 0.0
    # Pseudo-relevance feedback, hybrid mode only: the dense leg's candidates are rescored for the
    # query vector plus `feedback_weight` times the mean vector of the first hybrid ranking's
    # best `feedback_passages` passages; 0 passages turns it off.
    feedback_passages: int = 3
    feedback_weight: float = 0.3
    # How much a list of pointers (a table of contents, a reference list, a list of links; see
    # ingest/roles.py) counts towards finding its document, as a share of its score above the
    # leg's floor; 1 counts it as text. Such passages are never landed on, whatever this is.
    pointer_weight: float = 0.5
    # Document-level signals (docs/evaluation.md, "Ranking documents"). What the keyword leg scored
    # a document's summary card (title, editor's summary, topics) is added again, times
    # `card_weight`: a document about the query's words ranks above one whose body merely mentions
    # them. 0.75 was chosen on the development sets (docs/evaluation.md: nearly all of 1.0's gain
    # in first places, less of its loss in the top 5); 0 turns it off.
    card_weight: float = 0.75
    # Subtracted from a long document's score per unit of log(its passages / 32): a document with
    # hundreds of passages has more chances of one passage matching by accident.
    length_penalty: float = 0.15


@dataclass(frozen=True)
class Settings:
    """Every setting of the hub; build one with `Settings.from_env()` or directly in tests."""

    corpus_dir: Path = Path("corpus")
    data_dir: Path = Path("data")
    model: str = DEFAULT_MODEL
    runtime: str = DEFAULT_RUNTIME
    chunk_tokens: int = 200
    chunk_overlap: int = 40
    keep_builds: int = 3
    max_shrink: float = 0.2
    limits: Limits = field(default_factory=Limits)
    search: SearchSettings = field(default_factory=SearchSettings)
    access: Access = field(default_factory=Access)
    # Search analytics (index/analytics.py): whether searches, documents opened and feedback are
    # recorded (with no identity and identifiers redacted), and for how many days they are kept.
    analytics: bool = True
    analytics_days: int = 90
    # Where published builds are served from: "" keeps them in the data folder; a
    # postgresql:// URL publishes each build into that database (index/pg), which any number of
    # app processes then search. Builds are still made in the data folder first.
    store: str = ""
    # The most database connections one app process holds; further searches wait their turn.
    store_pool: int = 4

    def __post_init__(self) -> None:
        if self.runtime not in RUNTIMES:
            raise SettingError("HUB_RUNTIME", self.runtime, f"must be one of {', '.join(RUNTIMES)}")
        if self.chunk_tokens < 16:
            raise SettingError("HUB_CHUNK_TOKENS", str(self.chunk_tokens), "must be at least 16")
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise SettingError("HUB_CHUNK_OVERLAP", str(self.chunk_overlap), "must be >= 0 and below HUB_CHUNK_TOKENS")
        if self.keep_builds < 1:
            raise SettingError("HUB_KEEP_BUILDS", str(self.keep_builds), "must be at least 1")
        if self.analytics_days < 1:
            raise SettingError("HUB_ANALYTICS_DAYS", str(self.analytics_days), "must be at least 1")
        if not 0 <= self.max_shrink <= 1:
            raise SettingError("HUB_MAX_SHRINK", str(self.max_shrink), "must be between 0 and 1")
        if self.store and not self.store.startswith(("postgresql://", "postgres://")):
            raise SettingError("HUB_STORE", without_password(self.store), "must be empty or a postgresql:// URL")
        if self.store_pool < 1:
            raise SettingError("HUB_STORE_POOL", str(self.store_pool), "must be at least 1")
        checks = (
            ("HUB_MAX_FILE_MB", self.limits.max_file_bytes / MB, 0.001),
            ("HUB_MAX_TEXT_CHARS", self.limits.max_text_chars, 1000),
            ("HUB_FILE_TIMEOUT", self.limits.timeout_s, 1),
            ("HUB_READER_MEMORY_MB", self.limits.memory_bytes / MB, 256),
        )
        for name, value, least in checks:
            if not value >= least:
                raise SettingError(name, f"{value:g}", f"must be at least {least:g}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Return settings from HUB_* environment variables; raises SettingError on a bad value."""
        env = dict(os.environ if environ is None else environ)
        base = cls()
        return replace(
            base,
            corpus_dir=Path(env.get("HUB_CORPUS_DIR", str(base.corpus_dir))),
            data_dir=Path(env.get("HUB_DATA_DIR", str(base.data_dir))),
            model=env.get("HUB_MODEL", base.model),
            runtime=env.get("HUB_RUNTIME", base.runtime),
            chunk_tokens=_int(env, "HUB_CHUNK_TOKENS", base.chunk_tokens),
            chunk_overlap=_int(env, "HUB_CHUNK_OVERLAP", base.chunk_overlap),
            keep_builds=_int(env, "HUB_KEEP_BUILDS", base.keep_builds),
            max_shrink=_float(env, "HUB_MAX_SHRINK", base.max_shrink),
            limits=Limits(
                max_file_bytes=int(_float(env, "HUB_MAX_FILE_MB", base.limits.max_file_bytes / MB) * MB),
                max_text_chars=_int(env, "HUB_MAX_TEXT_CHARS", base.limits.max_text_chars),
                timeout_s=_float(env, "HUB_FILE_TIMEOUT", base.limits.timeout_s),
                memory_bytes=_int(env, "HUB_READER_MEMORY_MB", base.limits.memory_bytes // MB) * MB,
            ),
            access=Access(
                groups=_names(env, "HUB_GROUPS"),
                groups_claim=env.get("HUB_GROUPS_CLAIM", base.access.groups_claim).strip() or "groups",
                editor_groups=_names(env, "HUB_EDITOR_GROUPS"),
                editors=_names(env, "HUB_EDITORS"),
                local_editor=_flag(env, "HUB_LOCAL_EDITOR"),
            ),
            analytics=_flag(env, "HUB_ANALYTICS") if env.get("HUB_ANALYTICS", "").strip() else base.analytics,
            analytics_days=_int(env, "HUB_ANALYTICS_DAYS", base.analytics_days),
            store=env.get("HUB_STORE", base.store).strip(),
            store_pool=_int(env, "HUB_STORE_POOL", base.store_pool),
        )

    @property
    def builds_dir(self) -> Path:
        return self.data_dir / "builds"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def analytics_dir(self) -> Path:
        return self.data_dir / "analytics"

    def chunking_key(self) -> str:
        """A string that changes whenever a setting that shapes chunks changes."""
        return f"tokens={self.chunk_tokens};overlap={self.chunk_overlap};v=1"


def without_password(url: str) -> str:
    """`url` with any password replaced by ***, fit for a message or a log."""
    url = re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)
    return re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", url)


def _names(env: dict[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of names, stripped, empty ones left out."""
    return tuple(n.strip() for n in env.get(name, "").split(",") if n.strip())


def _flag(env: dict[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingError(name, raw, "must be 1 or 0 (true or false)")


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingError(name, raw, "must be a whole number") from None


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(name, raw, "must be a number") from None
    if not math.isfinite(value):
        raise SettingError(name, raw, "must be a finite number")
    return value
