"""The numpy MiniLM encoder against sentence-transformers' own vectors (fixture)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.nlu.encoder import DIMENSIONS, Encoder, EncoderError, model_dir, shared_encoder

FIXTURE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


@pytest.fixture(scope="module")
def reference() -> tuple[list[str], np.ndarray]:
    items = json.loads(FIXTURE.read_text())["items"]
    return [i["text"] for i in items], np.array([i["vector"] for i in items], dtype=np.float64)


def test_vectors_match_sentence_transformers(reference: tuple[list[str], np.ndarray]) -> None:
    texts, expected = reference
    assert len(texts) >= 25
    vectors = shared_encoder().encode(texts)
    assert vectors.shape == (len(texts), DIMENSIONS)
    cosine = (vectors * expected).sum(axis=1) / (
        np.linalg.norm(vectors, axis=1) * np.linalg.norm(expected, axis=1)
    )
    for text, value in zip(texts, cosine, strict=True):
        assert value >= 0.999, text


def test_one_at_a_time_equals_batched(reference: tuple[list[str], np.ndarray]) -> None:
    texts, _ = reference
    encoder = Encoder(cache_size=0)
    batched = encoder.encode(texts[:6])
    single = np.vstack([encoder.encode([t]) for t in texts[:6]])
    assert np.allclose(batched, single, atol=1e-5)
    assert np.allclose(np.linalg.norm(single, axis=1), 1.0, atol=1e-5)


def test_wrong_weights_are_refused(tmp_path: Path) -> None:
    for name in ("tokenizer.json", "config.json"):
        shutil.copy(model_dir() / name, tmp_path / name)
    (tmp_path / "model.safetensors").write_bytes(b"not the pinned weights")
    with pytest.raises(EncoderError, match="sha256"):
        Encoder(tmp_path)


def test_missing_weights_are_refused(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match="no model.safetensors"):
        Encoder(tmp_path)
