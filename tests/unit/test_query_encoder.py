"""The query encoder's backends (DG_EMBEDDING_BACKEND, #19): the packaged model exported to ONNX
from its local files, in float giving torch's vectors and in int8 close to them, exported once
and reused, each backend with its own embedding cache."""

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from bot.faq import onnx_export
from bot.faq.content import load_faq
from bot.faq.embeddings import EmbeddingCache, SentenceTransformerEncoder, cache_name, load_encoder
from bot.faq.onnx_encoder import OnnxEncoder
from bot.faq.onnx_export import EncoderExportError, ensure_exported, export_dir
from bot.regions import load_region
from bot.settings import Settings, default_embedding_model

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Får jag jobba från sommarstugan?",
    "Vem betalar för min skrivbordsstol hemma?",
    "Can I work from another country for a month?",
    "Måste jag vara nåbar på telefon när jag jobbar hemifrån?",
    "Hur ansöker jag om distansarbete?",
]

# Cosine under torch's best entry within which int8 may pick another entry.
NEAR_TIE = 0.02


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("encoders")


@pytest.fixture(scope="module")
def torch_encoder() -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(default_embedding_model(), threads=1)


@pytest.fixture(scope="module")
def phrasings() -> list[tuple[str, str]]:
    """(entry id, phrasing) for every question and alternate the default region serves."""
    settings = Settings()
    region = load_region(settings.regions_dir, settings.region)
    content = load_faq(settings.faq_dir, {region.id})
    return [(e.id, text) for e in content.for_region(region.id) for text in e.phrasings]


def onnx_encoder(cache_dir: Path, backend: str) -> OnnxEncoder:
    encoder = load_encoder(Settings(cache_dir=cache_dir, embedding_backend=backend))  # type: ignore[arg-type]
    assert isinstance(encoder, OnnxEncoder)
    return encoder


def best_entries(
    encode: np.ndarray, entries: np.ndarray, phrasings: list[tuple[str, str]]
) -> list[str]:
    return [phrasings[int(i)][0] for i in (encode @ entries.T).argmax(axis=1)]


def test_the_float_export_gives_the_models_vectors(
    cache_dir: Path, torch_encoder: SentenceTransformerEncoder, phrasings: list[tuple[str, str]]
) -> None:
    encoder = onnx_encoder(cache_dir, "onnx")
    texts = [text for _, text in phrasings]
    # One at a time, as a chat turn encodes, and in padded batches, as the index is built.
    one_by_one = np.stack([encoder.encode([q])[0] for q in QUESTIONS])
    expected = torch_encoder.encode(QUESTIONS)
    assert np.abs(one_by_one - expected).max() < 1e-4
    batched = encoder.encode(texts)
    assert batched.shape == (len(texts), 384)
    assert np.abs(batched - torch_encoder.encode(texts)).max() < 1e-4


def test_int8_is_close_to_the_model_and_finds_the_same_entries(
    cache_dir: Path, torch_encoder: SentenceTransformerEncoder, phrasings: list[tuple[str, str]]
) -> None:
    encoder = onnx_encoder(cache_dir, "onnx-int8")
    texts = [text for _, text in phrasings]
    got, expected = encoder.encode(QUESTIONS), torch_encoder.encode(QUESTIONS)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * expected).sum(axis=1).min() > 0.97
    # The same entries, up to near ties: int8 kernels round differently on different CPUs
    # ("Vem betalar för min skrivbordsstol hemma?": two entries 0.009 apart under torch).
    torch_scores = expected @ torch_encoder.encode(texts).T
    for question, chosen in enumerate(best_entries(got, encoder.encode(texts), phrasings)):
        best: dict[str, float] = {}
        for (entry, _), score in zip(phrasings, torch_scores[question], strict=True):
            best[entry] = max(best.get(entry, -1.0), float(score))
        assert best[chosen] >= max(best.values()) - NEAR_TIE, QUESTIONS[question]


def test_an_export_is_made_once_and_then_only_loaded(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    onnx_encoder(cache_dir, "onnx")

    def no_second_export(*_: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_export, "export", no_second_export)
    directory = ensure_exported(cache_dir, default_embedding_model(), "onnx")
    assert directory == export_dir(cache_dir, default_embedding_model(), "onnx")
    assert sorted(p.name for p in directory.iterdir()) == [
        "encoder.json",
        "model.onnx",
        "tokenizer.json",
    ]
    assert onnx_encoder(cache_dir, "onnx").encode(QUESTIONS[:1]).shape == (1, 384)


def test_a_model_that_is_not_on_disk_is_refused_without_reaching_a_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EncoderExportError, match="Could not load the embedding model"):
        ensure_exported(tmp_path, str(tmp_path / "no-such-model"), "onnx")
    assert not (tmp_path / "encoders").exists() or not any((tmp_path / "encoders").iterdir())


def test_each_backend_keeps_its_own_embedding_cache(tmp_path: Path) -> None:
    names = {
        backend: cache_name(Settings(embedding_backend=backend))  # type: ignore[arg-type]
        for backend in ("torch", "onnx", "onnx-int8")
    }
    # torch keeps the cache it had before there were backends.
    assert names["torch"] == default_embedding_model()
    directories = {EmbeddingCache(tmp_path, name)._dir for name in names.values()}
    assert len(directories) == 3


def test_an_unknown_backend_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DG_EMBEDDING_BACKEND", "tensorflow")
    with pytest.raises(ValidationError, match="embedding_backend"):
        Settings()
