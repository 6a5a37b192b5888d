"""Faster runtimes for the embedding model: the local weights exported to ONNX once, then run
by OpenVINO or ONNX Runtime without loading torch.

The export happens on first use, from the files already on disk (never a download), into a
folder of its own under the models cache. It is written beside its final place and renamed
into it, so a crash leaves no half-exported model; a lock keeps two processes from exporting
at once. Before the rename the exported model is checked against PyTorch on a few sentences,
and refused if it drifts.

Runtimes (see docs/benchmarks.md for measured speed and quality):
  openvino-bf16  fp32 weights run by OpenVINO with bfloat16 arithmetic where the CPU has it
                 (AMX / AVX512-BF16); elsewhere OpenVINO computes in fp32.
  onnx-int8      ONNX Runtime with weights quantized to int8 per channel (dynamic quantization).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import filelock
import numpy as np

from ingest.durable import fsync_dir, fsync_tree
from ingest.errors import ModelUnavailable

# Bump when the export changes in a way that changes vectors: it is part of the model key,
# so an index built by an older export is refused and rebuilt rather than mixed.
RECIPE = 1
EXPORT_INFO = "export.json"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
# Files whose size and checksum export.json records, so that a damaged one is exported again.
CHECKED_FILES = (MODEL_FILE, TOKENIZER_FILE)
# Sentences the export is checked on, and the least cosine to PyTorch's vectors it must reach.
CHECK_SENTENCES = (
    "How do I request a privacy impact assessment for a new AI tool?",
    "Kaitiakitanga: Māori data sovereignty and the guardianship of taonga.",
    "The combination of H3K4me3 and H3K79me2 is found in quiescent hair follicle stem cells.",
    "Section 4.2(b) — retention periods for training data: 7 years, then destroy.",
    "ok",
    "A long passage about procurement, "
    + "covering contract clauses, supplier due diligence and ongoing monitoring of model behaviour. " * 12,
)
MIN_CHECK_COSINE = {"openvino-bf16": 0.999, "onnx-int8": 0.95}
EXPORTED_RUNTIMES = tuple(MIN_CHECK_COSINE)
BATCH_SIZE = 32
COUNT_CACHE = 16384


@dataclass(frozen=True)
class ExportInfo:
    """What the run-time side needs to know about an exported model; saved as export.json."""

    model: str
    version: str
    runtime: str
    recipe: int
    dimension: int
    max_tokens: int
    input_names: tuple[str, ...]
    pad_id: int
    pad_token: str
    query_prompt: str
    document_prompt: str
    check_cosine: float


def export_folder(cache_dir: Path, model: str, version: str, runtime: str) -> Path:
    """Where the export of `model` at `version` for `runtime` lives under `cache_dir`."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(model).name or model).strip("_") or "model"
    digest = hashlib.sha256(f"{model}@{version}".encode()).hexdigest()[:8]
    return cache_dir / f"{name}-{digest}" / f"{runtime}-r{RECIPE}"


def ensure_export(model_path: str, model: str, version: str, runtime: str, cache_dir: Path) -> Path:
    """The folder of a finished export, exporting first if there is none.

    Raises ModelUnavailable if the model cannot be exported or its export fails the check."""
    if runtime not in EXPORTED_RUNTIMES:
        raise ModelUnavailable(f"runtime {runtime!r} has no export (choose one of {', '.join(EXPORTED_RUNTIMES)})")
    folder = export_folder(cache_dir, model, version, runtime)
    if _is_complete(folder):
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(folder.parent / f".{folder.name}.lock"))
        # Another process may be exporting the same model: wait for it rather than redo it.
        with lock.acquire(timeout=900):
            if _is_complete(folder):
                return folder
            if folder.exists():  # damaged by hand: the rename below never leaves a partial one
                shutil.rmtree(folder)
            for stale in folder.parent.glob(f".{folder.name}.tmp-*"):
                shutil.rmtree(stale, ignore_errors=True)
            staging = folder.parent / f".{folder.name}.tmp-{os.getpid()}-{secrets.token_hex(3)}"
            staging.mkdir()
            try:
                _export(model_path, model, version, runtime, staging)
                fsync_tree(staging)
                os.replace(staging, folder)
                fsync_dir(folder.parent)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except filelock.Timeout:
        raise ModelUnavailable(f"{folder}: another process has been exporting the model for 15 minutes") from None
    except ModelUnavailable:
        raise
    except Exception as exc:  # the file system, torch's exporter, onnx and the runtimes each raise their own
        raise ModelUnavailable(f"{folder}: the model could not be exported ({exc})") from None
    return folder


def _is_complete(folder: Path) -> bool:
    """Whether `folder` holds a finished export of this recipe whose files are still exactly as
    exported (size and SHA-256 as recorded in export.json). An export recorded before sizes and
    checksums were is not complete, so it is made again once."""
    try:
        info = json.loads((folder / EXPORT_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = info.get("files") if isinstance(info, dict) else None
    if not isinstance(info, dict) or info.get("recipe") != RECIPE or not isinstance(files, dict):
        return False
    checks = [(folder / n, files[n]) for n in CHECKED_FILES if isinstance(files.get(n), dict)]
    if len(checks) != len(CHECKED_FILES):
        return False
    try:
        # Sizes first: a truncated file, the likely damage, is caught without reading it.
        if any(path.stat().st_size != recorded.get("size") for path, recorded in checks):
            return False
        # Hashing the 90 MB OpenVINO model and the 0.7 MB tokenizer takes 0.07 s (measured, files
        # in the page cache): paid once per process start, it catches a file damaged in place.
        return all(_sha256(path) == recorded.get("sha256") for path, recorded in checks)
    except OSError:
        return False


def _fingerprints(folder: Path) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of each file `_is_complete` checks, as saved in export.json."""
    return {n: {"size": (folder / n).stat().st_size, "sha256": _sha256(folder / n)} for n in CHECKED_FILES}


def _sha256(path: Path) -> str:
    """The SHA-256 of the file at `path`, in hex. Raises OSError."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _export(model_path: str, model: str, version: str, runtime: str, staging: Path) -> None:
    """Export the model to `staging` with torch, quantize if the runtime asks, check the result."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()

    try:
        st: Any = SentenceTransformer(model_path, device="cpu")
    except Exception as exc:  # sentence-transformers raises OSError, ValueError, HF errors...
        raise ModelUnavailable(f"model {model!r} could not be loaded from local files: {exc}") from None
    transformer = _check_architecture(st, model)
    tokenizer = st.tokenizer
    input_names = tuple(
        n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names
    )
    if "attention_mask" not in input_names:
        # Mean pooling needs to know which tokens are padding.
        raise ModelUnavailable(f"model {model!r} takes no attention mask; use HUB_RUNTIME=torch")
    auto_model = transformer.auto_model
    # The eager attention traces into plain ONNX operators; the SDPA path carries shape-dependent
    # branches that a trace would freeze.
    auto_model.set_attn_implementation("eager")
    auto_model.eval()

    class _Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = auto_model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(input_names, inputs, strict=True))).last_hidden_state

    # Padding in the sample, so the traced graph handles masked positions.
    sample = tokenizer(["a short one", "a somewhat longer sample sentence"], padding=True, return_tensors="pt")
    target = staging / (MODEL_FILE if runtime == "openvino-bf16" else "model-fp32.onnx")
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Encoder(),
            tuple(sample[n] for n in input_names),
            str(target),
            input_names=list(input_names),
            output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in (*input_names, "last_hidden_state")},
            opset_version=17,
            dynamo=False,
        )
    if runtime == "onnx-int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # Per-channel weights: per-tensor int8 loses too much on this model (cosine 0.94 to fp32).
        # It logs advice for vision models through the root logger, which would also install a
        # handler on the root logger for the rest of the process: a silent handler prevents both.
        root, silent = logging.getLogger(), logging.NullHandler()
        root.addHandler(silent)
        logging.disable(logging.WARNING)
        try:
            quantize_dynamic(str(target), str(staging / MODEL_FILE), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            logging.disable(logging.NOTSET)
            root.removeHandler(silent)
        target.unlink()
    tokenizer.save_pretrained(str(staging / "tokenizer"))
    shutil.move(str(staging / "tokenizer" / TOKENIZER_FILE), str(staging / TOKENIZER_FILE))
    shutil.rmtree(staging / "tokenizer")

    prompts = dict(st.prompts or {})
    info = ExportInfo(
        model=model,
        version=version,
        runtime=runtime,
        recipe=RECIPE,
        dimension=int(st.get_embedding_dimension() or 0),
        max_tokens=int(st.max_seq_length or 0),
        input_names=input_names,
        pad_id=int(tokenizer.pad_token_id or 0),
        pad_token=str(tokenizer.pad_token or "[PAD]"),
        query_prompt=str(prompts.get("query", "")),
        document_prompt=str(prompts.get("document", "")),
        check_cosine=0.0,
    )
    expected = np.asarray(
        st.encode_document(list(CHECK_SENTENCES), normalize_embeddings=True, convert_to_numpy=True), dtype=np.float32
    )
    got = ExportedEmbedder(staging, info).encode_documents(CHECK_SENTENCES)
    cosine = float(np.min(np.sum(expected * got, axis=1)))
    if not cosine >= MIN_CHECK_COSINE[runtime]:
        raise ModelUnavailable(
            f"the {runtime} export of {model!r} drifts from PyTorch (cosine {cosine:.4f} < "
            f"{MIN_CHECK_COSINE[runtime]}); use HUB_RUNTIME=torch"
        )
    info = ExportInfo(**{**asdict(info), "check_cosine": round(cosine, 6)})
    described = {**asdict(info), "files": _fingerprints(staging)}
    (staging / EXPORT_INFO).write_text(json.dumps(described, indent=2), encoding="utf-8")


def _check_architecture(st: Any, model: str) -> Any:
    """The transformer module of a model that is transformer + mean pooling (+ normalize)."""
    modules = list(st)
    names = [type(m).__name__ for m in modules]
    pooling = modules[1].get_config_dict() if len(modules) > 1 else {}
    if names[:2] != ["Transformer", "Pooling"] or names[2:] not in ([], ["Normalize"]):
        raise ModelUnavailable(f"model {model!r} ({' + '.join(names)}) has no fast runtime; use HUB_RUNTIME=torch")
    if pooling.get("pooling_mode") != "mean" or not pooling.get("include_prompt", True):
        raise ModelUnavailable(f"model {model!r} does not use plain mean pooling; use HUB_RUNTIME=torch")
    if not hasattr(modules[0], "auto_model"):
        raise ModelUnavailable(f"model {model!r} has no exportable transformer; use HUB_RUNTIME=torch")
    return modules[0]


def read_export(folder: Path) -> ExportInfo:
    """The ExportInfo saved in `folder`. Raises ModelUnavailable naming the file if unreadable."""
    path = folder / EXPORT_INFO
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("files", None)  # sizes and checksums, for `_is_complete` only
        data["input_names"] = tuple(data["input_names"])
        return ExportInfo(**data)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelUnavailable(f"{path}: unreadable export description ({exc})") from None


Feed = dict[str, np.ndarray]
# Turns a batch's token states (batch x tokens x dimension) and its feed into its vectors.
Reduce = Callable[[np.ndarray, Feed], np.ndarray]


class Session(Protocol):
    def run(self, feed: Feed) -> np.ndarray:
        """The token states of one batch, as soon as possible (a query)."""
        ...

    def run_all(self, feeds: Iterable[Feed], reduce: Reduce) -> list[np.ndarray]:
        """`reduce` of every batch's token states, in the order given (documents)."""
        ...


class _OpenVinoSession:
    """Queries go to a model compiled for latency: one request using every core. Documents go
    to a second one compiled for throughput, with a request per stream in flight, so that the
    cores never wait while Python tokenizes the next batch or pools the last one."""

    def __init__(self, path: Path) -> None:
        # openvino's converter sends a usage event to a web service when imported, unless the
        # user opted out; it stays silent when openvino_telemetry cannot be imported. The hub
        # never sends usage data, so that package is hidden before openvino is first imported.
        sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]
        import openvino

        self._openvino = openvino
        self._core = openvino.Core()
        self._model = self._core.read_model(str(path))
        self._latency = self._compile("LATENCY")
        self._request = self._latency.create_infer_request()
        self._output = self._latency.output(0)
        self._lock = threading.Lock()  # one latency request, shared by the app's threads
        self._bulk_lock = threading.Lock()
        self._bulk: Any = None  # compiled on the first batch of documents; the app never needs it

    def _compile(self, hint: str) -> Any:
        # bf16 uses the CPU's AMX / AVX512-BF16 units; OpenVINO computes in fp32 where they are missing.
        config = {"INFERENCE_PRECISION_HINT": "bf16", "PERFORMANCE_HINT": hint}
        return self._core.compile_model(self._model, "CPU", config)

    def run(self, feed: Feed) -> np.ndarray:
        with self._lock:
            return np.array(self._request.infer(feed)[self._output], dtype=np.float32)

    def run_all(self, feeds: Iterable[Feed], reduce: Reduce) -> list[np.ndarray]:
        with self._bulk_lock:
            if self._bulk is None:
                compiled = self._compile("THROUGHPUT")
                requests = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
                self._bulk = self._openvino.AsyncInferQueue(compiled, max(1, requests))
            results: dict[int, np.ndarray] = {}
            failures: list[BaseException] = []

            def finished(request: Any, job: tuple[int, Feed]) -> None:
                # Runs on OpenVINO's thread; the output tensor is only valid until it returns.
                try:
                    results[job[0]] = reduce(request.get_output_tensor(0).data, job[1])
                except BaseException as exc:  # re-raised on the calling thread below
                    failures.append(exc)

            self._bulk.set_callback(finished)
            count = 0
            for count, feed in enumerate(feeds, start=1):
                self._bulk.start_async(feed, (count - 1, feed))
            self._bulk.wait_all()
            if failures:
                raise failures[0]
            return [results[i] for i in range(count)]


class _OnnxSession:
    def __init__(self, path: Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def run(self, feed: Feed) -> np.ndarray:
        return np.asarray(self._session.run(None, feed)[0], dtype=np.float32)

    def run_all(self, feeds: Iterable[Feed], reduce: Reduce) -> list[np.ndarray]:
        return [reduce(self.run(feed), feed) for feed in feeds]


class ExportedEmbedder:
    """An exported transformer + mean pooling + normalization, run without torch."""

    def __init__(self, folder: Path, info: ExportInfo | None = None) -> None:
        from tokenizers import Tokenizer

        self._info = info or read_export(folder)
        try:
            self._counter = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            self._counter.no_truncation()
            self._counter.no_padding()
            self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as exc:  # tokenizers raises a plain Exception for unreadable files
            raise ModelUnavailable(f"{folder / TOKENIZER_FILE}: unreadable tokenizer ({exc})") from None
        self._tokenizer.enable_truncation(max_length=self._info.max_tokens)
        self._tokenizer.enable_padding(pad_id=self._info.pad_id, pad_token=self._info.pad_token)
        if not (folder / MODEL_FILE).is_file():
            raise ModelUnavailable(f"{folder / MODEL_FILE}: missing")
        self._model_path = folder / MODEL_FILE
        # The runtime is loaded on the first encode: a run that finds nothing to embed, and the
        # app before its first search, need only the tokenizer and the model key.
        self._run: Session | None = None
        self._load_lock = threading.Lock()
        # Chunking asks for the same pieces' lengths again and again (6 in 10 calls repeat one).
        self._count = functools.lru_cache(maxsize=COUNT_CACHE)(self._count_uncached)
        self._key = f"{self._info.model}@{self._info.version}|{self._info.runtime}/r{RECIPE}|dim={self._info.dimension}"

    @property
    def model_key(self) -> str:
        return self._key

    @property
    def dimension(self) -> int:
        return self._info.dimension

    @property
    def max_tokens(self) -> int:
        return self._info.max_tokens

    @property
    def runtime(self) -> str:
        return self._info.runtime

    def count_tokens(self, text: str) -> int:
        return self._count(text)

    def _count_uncached(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        prompt = self._info.document_prompt
        return self._encode([prompt + t for t in texts])

    def encode_query(self, text: str) -> np.ndarray:
        return self._encode([self._info.query_prompt + text])[0]

    def _session(self) -> Session:
        """The loaded runtime. Raises ModelUnavailable if it cannot load the exported model."""
        with self._load_lock:
            if self._run is None:
                opener: Callable[[Path], Session]
                opener = _OpenVinoSession if self._info.runtime == "openvino-bf16" else _OnnxSession
                try:
                    self._run = opener(self._model_path)
                except Exception as exc:  # the runtimes raise RuntimeError subclasses of their own
                    raise ModelUnavailable(f"{self._model_path}: {self._info.runtime} cannot load it ({exc})") from None
            return self._run

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._info.dimension), dtype=np.float32)
        if not texts:
            return out
        if len(texts) <= BATCH_SIZE:
            # One batch (every query): the latency-mode path, which gives it every core; order
            # within a batch does not matter, so nothing is sorted.
            feed = self._feed(list(texts))
            out[:] = _pool(self._session().run(feed), feed)
            return out
        # Longest first, in batches of similar length in tokens, so little time goes on padding
        # (sorting by characters instead leaves a fifth of each batch padding).
        lengths = [len(e.ids) for e in self._counter.encode_batch(list(texts), add_special_tokens=False)]
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        batches = [order[start : start + BATCH_SIZE] for start in range(0, len(order), BATCH_SIZE)]
        # Batches are tokenized as the runtime asks for them, while earlier ones are running.
        feeds = (self._feed([texts[i] for i in rows]) for rows in batches)
        for rows, vectors in zip(batches, self._session().run_all(feeds, _pool), strict=True):
            out[rows] = vectors
        return out

    def _feed(self, texts: list[str]) -> Feed:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        return {n: feed[n] for n in self._info.input_names}


def _pool(hidden: np.ndarray, feed: Feed) -> np.ndarray:
    """Mean of the token states over real tokens, scaled to unit length."""
    weights = feed["attention_mask"][..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
