"""Embedding runtimes: choosing one, exporting the model once, and never mixing their vectors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.build import update_index
from index.errors import ModelMismatch
from index.search import search
from index.snapshot import open_live
from ingest import export
from ingest.embed import HashEmbedder, load_embedder, resolve_model
from ingest.errors import ModelUnavailable, SettingError
from ingest.export import EXPORT_INFO, export_folder
from ingest.runtimes import ExportedEmbedder
from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, RUNTIMES, SearchSettings, Settings
from tests.conftest import ROOT
from tests.helpers import write_md

SENTENCES = [
    "How do I request a privacy impact assessment for a new AI tool?",
    "Māori data sovereignty and kaitiakitanga",
    "Procurement clauses for generative AI suppliers: audit rights, data retention and exit.",
    "bias",
    "Rangatiratanga, 2024-05 review (v3.1): see §4.2(b) for the retention schedule.",
]


class KeyedHash(HashEmbedder):
    """The fake model under another model key, as if run by another runtime."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self._key = key

    @property
    def model_key(self) -> str:
        return self._key


# --- choosing a runtime -------------------------------------------------------------------


def test_the_default_runtime_is_a_fast_one() -> None:
    # With no HUB_RUNTIME set, the hub runs an exported model (one load_embedder can export),
    # not PyTorch.
    runtime = Settings.from_env({}).runtime
    assert runtime in export.EXPORTED_RUNTIMES and runtime != "torch"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_each_runtime_can_be_chosen_by_environment(runtime: str) -> None:
    assert Settings.from_env({"HUB_RUNTIME": runtime}).runtime == runtime


@pytest.mark.parametrize("value", ["cuda", "", "TORCH", "openvino"])
def test_an_unknown_runtime_is_refused_naming_the_setting(value: str) -> None:
    with pytest.raises(SettingError, match="HUB_RUNTIME") as caught:
        Settings.from_env({"HUB_RUNTIME": value})
    assert "torch" in str(caught.value)


def test_an_unknown_runtime_is_refused_by_load_embedder() -> None:
    with pytest.raises(ModelUnavailable, match="runtime 'tpu'"):
        load_embedder(DEFAULT_MODEL, "tpu")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_fake_model_ignores_the_runtime(runtime: str, tmp_path: Path) -> None:
    assert isinstance(load_embedder("fake-hash", runtime, tmp_path), HashEmbedder)
    assert not (tmp_path / "models").exists()


def test_each_runtime_and_model_version_exports_to_its_own_folder(tmp_path: Path) -> None:
    folders = {
        export_folder(tmp_path, DEFAULT_MODEL, version, runtime)
        for version in ("gt0.1.0", "gt0.2.0")
        for runtime in export.EXPORTED_RUNTIMES
    }
    assert len(folders) == 2 * len(export.EXPORTED_RUNTIMES)
    assert all(f.is_relative_to(tmp_path) for f in folders)
    odd = export_folder(tmp_path, "/some path/../my model", "abc", "onnx-int8")
    assert odd.is_relative_to(tmp_path) and " " not in odd.parent.name


# --- vectors of different runtimes never mix -----------------------------------------------


def _corpus(settings: Settings) -> None:
    for i in range(3):
        write_md(
            settings.corpus_dir, f"doc{i}.md", f"# Part {i}\n\nHarbour permits and dredging, note {i}.", title=f"D{i}"
        )


def test_a_query_embedded_by_another_runtime_is_refused(settings: Settings) -> None:
    _corpus(settings)
    built = KeyedHash("all-MiniLM-L6-v2@gt0.1.0|torch|dim=64")
    assert update_index(settings, built).outcome == "published"
    build = open_live(settings)
    try:
        other = KeyedHash("all-MiniLM-L6-v2@gt0.1.0|openvino-bf16/r1|dim=64")
        with pytest.raises(ModelMismatch, match="openvino-bf16"):
            search(build, other, "harbour permits", SearchSettings(), mode="dense")
        assert search(build, built, "harbour permits", SearchSettings(), mode="dense").hits
    finally:
        build.close()


def test_changing_runtime_re_embeds_everything_on_the_next_run(settings: Settings) -> None:
    _corpus(settings)
    first = update_index(settings, KeyedHash("m@1|torch|dim=64"))
    again = update_index(settings, KeyedHash("m@1|torch|dim=64"))
    switched = update_index(settings, KeyedHash("m@1|onnx-int8/r1|dim=64"))
    assert first.embedded == first.chunks > 0
    assert again.outcome == "unchanged"
    assert switched.outcome == "published" and switched.embedded == switched.chunks


# --- the real model, exported once per test session ----------------------------------------


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


@pytest.mark.model
def test_the_default_runtime_gives_the_vectors_of_pytorch(fast_embedder: Any, real_embedder: Any) -> None:
    docs = _cosines(fast_embedder.encode_documents(SENTENCES), real_embedder.encode_documents(SENTENCES))
    queries = np.array([float(fast_embedder.encode_query(s) @ real_embedder.encode_query(s)) for s in SENTENCES])
    assert docs.min() > 0.999 and queries.min() > 0.999
    norms = np.linalg.norm(fast_embedder.encode_documents(SENTENCES), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)


@pytest.mark.model
def test_the_default_runtime_ranks_like_pytorch(fast_embedder: Any, real_embedder: Any) -> None:
    passages = [
        "Privacy impact assessments are required before an AI tool handles personal information.",
        "Harbour dredging permits are issued by the regional council.",
        "Bias testing compares error rates across groups of people.",
        "Keep records of prompts and outputs used for official decisions.",
    ]
    query = "when must we assess privacy risks of a tool"
    fast = fast_embedder.encode_documents(passages) @ fast_embedder.encode_query(query)
    slow = real_embedder.encode_documents(passages) @ real_embedder.encode_query(query)
    assert list(np.argsort(-fast)) == list(np.argsort(-slow))


@pytest.mark.model
def test_many_passages_keep_their_own_vectors(fast_embedder: Any, real_embedder: Any) -> None:
    # Enough passages of mixed lengths for several batches in flight at once, returned out of
    # order by the runtime: every row must still be the vector of its own passage.
    texts = [f"{i}: " + " ".join(SENTENCES[: 1 + i % len(SENTENCES)]) * (1 + i % 7) for i in range(90)]
    together = fast_embedder.encode_documents(texts)
    alone = np.stack([fast_embedder.encode_documents([t])[0] for t in texts[::9]])
    assert _cosines(together[::9], alone).min() > 0.999
    assert _cosines(together, real_embedder.encode_documents(texts)).min() > 0.999


@pytest.mark.model
def test_token_counts_match_pytorch_so_chunks_are_the_same(fast_embedder: Any, real_embedder: Any) -> None:
    texts = [*SENTENCES, "", " ".join(SENTENCES) * 40, "naïve café — “quotes” and emoji 🙂"]
    assert [fast_embedder.count_tokens(t) for t in texts] == [real_embedder.count_tokens(t) for t in texts]
    assert fast_embedder.max_tokens == real_embedder.max_tokens
    assert fast_embedder.dimension == real_embedder.dimension


@pytest.mark.model
def test_long_texts_are_truncated_like_pytorch(fast_embedder: Any, real_embedder: Any) -> None:
    long = [" ".join(SENTENCES) * 30, "word " * 1000]
    assert _cosines(fast_embedder.encode_documents(long), real_embedder.encode_documents(long)).min() > 0.999
    assert fast_embedder.encode_documents([]).shape == (0, fast_embedder.dimension)


@pytest.mark.model
def test_the_model_key_names_model_version_and_runtime(fast_embedder: Any, real_embedder: Any) -> None:
    _, version = resolve_model(DEFAULT_MODEL)
    assert DEFAULT_MODEL in fast_embedder.model_key and version in fast_embedder.model_key
    assert DEFAULT_RUNTIME in fast_embedder.model_key and "|torch|" in real_embedder.model_key
    assert fast_embedder.model_key != real_embedder.model_key


@pytest.mark.model
def test_the_export_is_reused_and_runs_without_torch(fast_embedder: Any, models_dir: Path) -> None:
    (folder,) = models_dir.glob(f"*/{DEFAULT_RUNTIME}-r*")
    stamp = (folder / EXPORT_INFO).stat().st_mtime_ns
    code = (
        "import sys; from pathlib import Path; from ingest.embed import load_embedder; "
        f"e = load_embedder({DEFAULT_MODEL!r}, {DEFAULT_RUNTIME!r}, Path({str(models_dir)!r})); "
        "e.encode_query('hello'); print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "False"
    assert (folder / EXPORT_INFO).stat().st_mtime_ns == stamp
    assert not [p for p in models_dir.rglob(".*tmp-*")]


@pytest.mark.model
def test_a_damaged_export_is_replaced_and_leftovers_removed(
    fast_embedder: Any, models_dir: Path, tmp_path: Path
) -> None:
    (folder,) = models_dir.glob(f"*/{DEFAULT_RUNTIME}-r*")
    cache = tmp_path / "models"
    copy = cache / folder.parent.name / folder.name
    copy.mkdir(parents=True)
    (copy / EXPORT_INFO).write_text("{not json", encoding="utf-8")
    leftover = copy.parent / f".{copy.name}.tmp-123-abcdef"
    leftover.mkdir()
    (leftover / "model.onnx").write_bytes(b"half")
    embedder = load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, cache)
    assert json.loads((copy / EXPORT_INFO).read_text(encoding="utf-8"))["runtime"] == DEFAULT_RUNTIME
    assert not leftover.exists()
    assert float(embedder.encode_query("harbour") @ fast_embedder.encode_query("harbour")) > 0.9999


@pytest.mark.model
def test_a_truncated_model_file_is_exported_again(fast_embedder: Any, models_dir: Path, tmp_path: Path) -> None:
    (folder,) = models_dir.glob(f"*/{DEFAULT_RUNTIME}-r*")
    copy = tmp_path / "models" / folder.parent.name / folder.name
    shutil.copytree(folder, copy)
    model = copy / export.MODEL_FILE
    with model.open("r+b") as handle:
        handle.truncate(model.stat().st_size // 2)
    embedder = load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, tmp_path / "models")
    assert model.stat().st_size == (folder / export.MODEL_FILE).stat().st_size
    assert np.allclose(embedder.encode_documents(SENTENCES), fast_embedder.encode_documents(SENTENCES), atol=1e-5)


def _fake_export(folder: Path) -> None:
    """A folder laid out like a finished export, with small stand-in files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / export.MODEL_FILE).write_bytes(b"onnx" * 1000)
    (folder / export.TOKENIZER_FILE).write_text('{"model": {}}', encoding="utf-8")
    info = {"recipe": export.RECIPE, "files": export._fingerprints(folder)}
    (folder / EXPORT_INFO).write_text(json.dumps(info), encoding="utf-8")


def test_an_export_with_its_files_as_recorded_is_complete(tmp_path: Path) -> None:
    _fake_export(tmp_path)
    assert export._is_complete(tmp_path)


@pytest.mark.parametrize("name", export.CHECKED_FILES)
def test_an_export_file_changed_in_place_or_truncated_is_not_complete(tmp_path: Path, name: str) -> None:
    _fake_export(tmp_path)
    path = tmp_path / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other bytes: only the checksum tells
    path.write_bytes(bytes(data))
    assert not export._is_complete(tmp_path)
    path.write_bytes(bytes(data[: len(data) // 2]))
    assert not export._is_complete(tmp_path)


def test_an_export_recorded_without_checksums_is_made_again(tmp_path: Path) -> None:
    _fake_export(tmp_path)
    info = json.loads((tmp_path / EXPORT_INFO).read_text(encoding="utf-8"))
    del info["files"]
    (tmp_path / EXPORT_INFO).write_text(json.dumps(info), encoding="utf-8")
    assert not export._is_complete(tmp_path)


@pytest.mark.model
def test_an_export_that_drifts_is_refused_and_leaves_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(export.MIN_CHECK_COSINE, DEFAULT_RUNTIME, 1.01)
    with pytest.raises(ModelUnavailable, match="drifts from PyTorch"):
        load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, tmp_path)
    assert not list(tmp_path.glob(f"*/{DEFAULT_RUNTIME}-r*"))
    assert not list(tmp_path.glob("*/.*tmp-*"))


@pytest.mark.model
def test_a_missing_export_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match=EXPORT_INFO):
        ExportedEmbedder(tmp_path)


@pytest.mark.model
@pytest.mark.parametrize("runtime", [r for r in export.EXPORTED_RUNTIMES if r != DEFAULT_RUNTIME])
def test_other_fast_runtimes_stay_close_to_pytorch(runtime: str, models_dir: Path, real_embedder: Any) -> None:
    embedder = load_embedder(DEFAULT_MODEL, runtime, models_dir)
    cosines = _cosines(embedder.encode_documents(SENTENCES), real_embedder.encode_documents(SENTENCES))
    assert cosines.min() > export.MIN_CHECK_COSINE[runtime]
    assert runtime in embedder.model_key


def test_the_model_folder_setting_is_used_by_the_search_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from index import api

    seen: list[tuple[str, str, Path | None]] = []

    def fake_load(model: str, runtime: str, cache_dir: Path | None = None) -> HashEmbedder:
        seen.append((model, runtime, cache_dir))
        return HashEmbedder()

    monkeypatch.setattr(api, "load_embedder", fake_load)
    settings = Settings(data_dir=tmp_path / "data")
    api.Hub(settings).embedder  # noqa: B018 - loading is the point
    assert seen == [(DEFAULT_MODEL, DEFAULT_RUNTIME, tmp_path / "data" / "models")]


@pytest.mark.model
def test_a_damaged_model_file_is_a_model_error_naming_it(fast_embedder: Any, models_dir: Path, tmp_path: Path) -> None:
    (folder,) = models_dir.glob(f"*/{DEFAULT_RUNTIME}-r*")
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    (copy / "model.onnx").write_bytes(b"not a model")
    embedder = ExportedEmbedder(copy)  # the model file is read on the first encode
    assert embedder.count_tokens("harbour permits") == fast_embedder.count_tokens("harbour permits")
    with pytest.raises(ModelUnavailable, match=r"model\.onnx"):
        embedder.encode_query("harbour permits")
