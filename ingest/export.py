"""The one-time export of the embedding model for the faster runtimes (ingest/runtimes.py).

The export happens on first use, from the files already on disk (never a download), into a
folder of its own under the models cache. It is written beside its final place and renamed
into it, so a crash leaves no half-exported model; a lock keeps two processes from exporting
at once. Before the rename the exported model is checked against PyTorch on a few sentences,
and refused if it drifts. export.json describes the export for the run-time side and records
the size and checksum of its files, so a damaged export is made again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import filelock
import numpy as np

from ingest.durable import fsync_dir, fsync_tree
from ingest.embed import load_sentence_transformer
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
# The model's inputs, in the order the exported graph takes them, of those its tokenizer makes.
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


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


# --- whether an export is finished and intact ----------------------------------------------


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


# --- the export, step by step ----------------------------------------------------------------


def _export(model_path: str, model: str, version: str, runtime: str, staging: Path) -> None:
    """Export the model to `staging` with torch, quantize if the runtime asks, check the result."""
    st = load_sentence_transformer(model_path, model)
    transformer = _check_architecture(st, model)
    input_names = _input_names(st.tokenizer, model)
    traced = staging / (MODEL_FILE if runtime == "openvino-bf16" else "model-fp32.onnx")
    _trace_to_onnx(transformer.auto_model, st.tokenizer, input_names, traced)
    if runtime == "onnx-int8":
        _quantize_int8(traced, staging / MODEL_FILE)
    _save_tokenizer(st.tokenizer, staging)
    info = _describe(st, model, version, runtime, input_names)
    cosine = _check_against_pytorch(st, staging, info)
    _write_info(staging, dataclasses.replace(info, check_cosine=round(cosine, 6)))


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


def _input_names(tokenizer: Any, model: str) -> tuple[str, ...]:
    """The inputs the exported graph takes. Raises ModelUnavailable without an attention mask."""
    input_names = tuple(n for n in _INPUTS if n in tokenizer.model_input_names)
    if "attention_mask" not in input_names:
        # Mean pooling needs to know which tokens are padding.
        raise ModelUnavailable(f"model {model!r} takes no attention mask; use HUB_RUNTIME=torch")
    return input_names


def _trace_to_onnx(auto_model: Any, tokenizer: Any, input_names: tuple[str, ...], target: Path) -> None:
    """Trace `auto_model` (inputs -> token states) into the ONNX file `target`."""
    import torch

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


def _quantize_int8(source: Path, target: Path) -> None:
    """Write `source` with its weights quantized to int8 per channel as `target`; remove `source`."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel weights: per-tensor int8 loses too much on this model (cosine 0.94 to fp32).
    # It logs advice for vision models through the root logger, which would also install a
    # handler on the root logger for the rest of the process: a silent handler prevents both.
    root, silent = logging.getLogger(), logging.NullHandler()
    root.addHandler(silent)
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.disable(logging.NOTSET)
        root.removeHandler(silent)
    source.unlink()


def _save_tokenizer(tokenizer: Any, staging: Path) -> None:
    """Save the fast tokenizer's one file, tokenizer.json, in `staging`."""
    tokenizer.save_pretrained(str(staging / "tokenizer"))
    shutil.move(str(staging / "tokenizer" / TOKENIZER_FILE), str(staging / TOKENIZER_FILE))
    shutil.rmtree(staging / "tokenizer")


def _describe(st: Any, model: str, version: str, runtime: str, input_names: tuple[str, ...]) -> ExportInfo:
    """The description of the export of `st`, before its check (check_cosine 0)."""
    tokenizer = st.tokenizer
    prompts = dict(st.prompts or {})
    return ExportInfo(
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


def _check_against_pytorch(st: Any, staging: Path, info: ExportInfo) -> float:
    """The least cosine between PyTorch's vectors and the export's on CHECK_SENTENCES.
    Raises ModelUnavailable when it is under the runtime's MIN_CHECK_COSINE."""
    # Imported here: the runtimes read what this module writes, so they import it.
    from ingest.runtimes import ExportedEmbedder

    expected = np.asarray(
        st.encode_document(list(CHECK_SENTENCES), normalize_embeddings=True, convert_to_numpy=True), dtype=np.float32
    )
    got = ExportedEmbedder(staging, info).encode_documents(CHECK_SENTENCES)
    cosine = float(np.min(np.sum(expected * got, axis=1)))
    if not cosine >= MIN_CHECK_COSINE[info.runtime]:
        raise ModelUnavailable(
            f"the {info.runtime} export of {info.model!r} drifts from PyTorch (cosine {cosine:.4f} < "
            f"{MIN_CHECK_COSINE[info.runtime]}); use HUB_RUNTIME=torch"
        )
    return cosine


def _write_info(staging: Path, info: ExportInfo) -> None:
    """Save `info` with the fingerprints of the exported files as export.json, written last."""
    described = {**asdict(info), "files": _fingerprints(staging)}
    (staging / EXPORT_INFO).write_text(json.dumps(described, indent=2), encoding="utf-8")
