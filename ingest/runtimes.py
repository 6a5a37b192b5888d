"""Faster runtimes for the embedding model: the local weights, exported to ONNX once
(ingest/export.py), run by OpenVINO or ONNX Runtime without loading torch.

Runtimes (see docs/benchmarks.md for measured speed and quality):
  openvino-bf16  fp32 weights run by OpenVINO with bfloat16 arithmetic where the CPU has it
                 (AMX / AVX512-BF16); elsewhere OpenVINO computes in fp32.
  onnx-int8      ONNX Runtime with weights quantized to int8 per channel (dynamic quantization).
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.errors import ModelUnavailable
from ingest.export import MODEL_FILE, RECIPE, TOKENIZER_FILE, ExportInfo, read_export

BATCH_SIZE = 32
COUNT_CACHE = 16384


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
