"""Sentence embeddings with an on-disk cache, so a restart or a one-entry edit re-encodes only
texts it has not seen before.

The cache is numpy arrays plus JSON (never pickle) under a key of the model name and the
backend that encodes with it (``cache_name``); each row is keyed by the hash of its text.

``load_encoder`` gives the configured backend (``DG_EMBEDDING_BACKEND``): the model on torch
through sentence-transformers, or its ONNX export, in float or int8 (``bot.faq.onnx_encoder``).
"""

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.settings import Settings

log = logging.getLogger(__name__)


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings, shape ``(len(texts), dim)``."""
        ...


def load_encoder(settings: Settings) -> Encoder:
    """The configured model on the configured backend, exported first when it needs to be."""
    if settings.embedding_backend == "torch":
        return SentenceTransformerEncoder(settings.embedding_model, settings.encoder_threads)
    from bot.faq.onnx_encoder import OnnxEncoder
    from bot.faq.onnx_export import ensure_exported

    directory = ensure_exported(
        settings.cache_dir, settings.embedding_model, settings.embedding_backend
    )
    return OnnxEncoder(directory, settings.encoder_threads)


def cache_name(settings: Settings) -> str:
    """What the embedding cache is kept under: the model, and the backend unless torch's (whose
    caches from before the backends keep serving)."""
    if settings.embedding_backend == "torch":
        return settings.embedding_model
    return f"{settings.embedding_model}|{settings.embedding_backend}"


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local path or an already mirrored name."""

    def __init__(self, model_name_or_path: str, threads: int | None = None) -> None:
        # Never reach for a model hub at run time: hospital networks do not allow it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            torch.set_num_threads(threads)  # for the whole process: the app encodes nothing else

        self.name = model_name_or_path
        self._model = SentenceTransformer(model_name_or_path, device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class EmbeddingCache:
    """Text-hash -> vector rows for one model, persisted as ``vectors.npy`` + ``keys.json``."""

    def __init__(self, cache_dir: Path, model_name: str) -> None:
        model_key = hashlib.sha256(model_name.encode()).hexdigest()[:16]
        self._dir = cache_dir / "embeddings" / model_key
        self._rows: dict[str, np.ndarray] = {}
        self.encoded_last_time = 0
        try:
            keys = json.loads((self._dir / "keys.json").read_text(encoding="utf-8"))
            vectors = np.load(self._dir / "vectors.npy", allow_pickle=False)
            self._rows = dict(zip(keys, vectors, strict=True))
        except (OSError, ValueError):
            self._rows = {}

    def embed(self, texts: Sequence[str], encoder: Encoder) -> np.ndarray:
        """Vectors for ``texts``, shape ``(len(texts), dim)``; encodes only unseen texts."""
        keys = [text_key(t) for t in texts]
        missing = list(
            dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._rows)
        )
        self.encoded_last_time = len(missing)
        if missing:
            for text, vector in zip(missing, encoder.encode(missing), strict=True):
                self._rows[text_key(text)] = vector
            self._save()
        return (
            np.stack([self._rows[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float32)
        )

    def _save(self) -> None:
        """Write to temporary files, then rename, so a crash never leaves a half-written cache."""
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            keys = list(self._rows)
            tmp_vectors = self._dir / "vectors.tmp.npy"
            tmp_keys = self._dir / "keys.tmp.json"
            np.save(tmp_vectors, np.stack([self._rows[k] for k in keys]), allow_pickle=False)
            tmp_keys.write_text(json.dumps(keys), encoding="utf-8")
            os.replace(tmp_vectors, self._dir / "vectors.npy")
            os.replace(tmp_keys, self._dir / "keys.json")
        except OSError as error:
            log.warning("Could not write the embedding cache in %s: %s", self._dir, error)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
