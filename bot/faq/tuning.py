"""The ranking values (fusion ``Weights``, answer ``Thresholds``) tuned for each embedding model.

Scores mean different things under different models, so the values are data, not code:
``benchmarks/tune.py`` writes them to ``bot/faq/tuned.yml`` under the model's key, and the app,
``make index`` and the benchmarks read them with ``tuned_values``. A model with no values there
is refused unless ``DG_ALLOW_UNTUNED_MODEL=true`` says to run it with the defaults in ``Weights``
and ``Thresholds``.

The key (``model_key``) of a model directory is its name (a model shipped as a Python package,
like the default, is named by its package) plus the first 12 hex digits of a SHA-256 over its
configuration (every ``*.json``) and weights: a copy of the same model elsewhere keeps its
values, a retrained model in the same place does not. Any other name (a model in the Hugging
Face cache) is its own key.
"""

import hashlib
import logging
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from bot.settings import Settings

log = logging.getLogger(__name__)

TUNED_VALUES_FILE = Path(__file__).with_name("tuned.yml")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
HEADER = (
    "# FAQ ranking values per embedding model, written by `python -m benchmarks.tune`\n"
    "# (dev split). Keys: bot/faq/tuning.py model_key. A model not listed here runs only\n"
    "# with DG_ALLOW_UNTUNED_MODEL=true, on the defaults in Weights and Thresholds.\n"
)


# The defaults are the values tuned for the packaged all-MiniLM-L6-v2 (2026-12-02): a start for
# a model without values of its own, used only with DG_ALLOW_UNTUNED_MODEL=true.
@dataclass(frozen=True)
class Weights:
    """How ``bot.faq.index`` fuses the scores into one."""

    embedding: float = 0.9
    lexical: float = 0.1
    # Added in proportion to Rasa's confidence that the question is about the entry's topic.
    topic: float = 0.3


@dataclass(frozen=True)
class Thresholds:
    """The bars ``bot.faq.answering`` answers and asks back by."""

    answer: float = 0.84
    clarify: float = 0.76
    # The runner-up is a real alternative when it is this close to the best answer.
    margin: float = 0.04
    # Between the clarify and the answer bar, a best hit this far ahead of the runner-up is
    # answered: one entry clearly fits, though no phrasing of it is close.
    clear_lead: float = 0.15
    # How much the NLU's out-of-scope confidence raises the bars and the lead (0: no gain found).
    out_of_scope_raise: float = 0.2
    # Cosine similarity at which the question is one of the entry's own phrasings.
    known_phrasing: float = 0.97
    # Below this probability from the scope gate (``bot.faq.scope``) a question is not about
    # remote work at all, and is told so.
    in_scope: float = 0.5
    # Two entries HR marked as siblings are asked back within this margin.
    sibling_margin: float = 0.1


class TunedValues(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # When, and what the values scored on the dev split then; None for the defaults.
    tuned: date | None = None
    dev: str | None = None
    weights: Weights
    thresholds: Thresholds

    @field_validator("weights", "thresholds", mode="before")
    @classmethod
    def _every_value_given(cls, value: Any, info: ValidationInfo) -> Any:
        # A value left out would silently be the default, which was tuned for another model.
        names = {f.name for f in fields(Weights if info.field_name == "weights" else Thresholds)}
        if isinstance(value, dict) and set(value) != names:
            raise ValueError(f"needs exactly the values {', '.join(sorted(names))}")
        return value


DEFAULTS = TunedValues(weights=Weights(), thresholds=Thresholds())


class UntunedModelError(RuntimeError):
    """The embedding model has no tuned values and the defaults were not allowed."""


def tuned_values(settings: Settings, values_file: Path | None = None) -> TunedValues:
    """The values for ``settings.embedding_model``: from ``values_file`` (``bot/faq/tuned.yml``),
    else the defaults if ``settings.allow_untuned_model``; raises ``UntunedModelError`` else."""
    values_file = values_file or TUNED_VALUES_FILE
    key = model_key(settings.embedding_model)
    found = read_tuned_values(values_file).get(key)
    if found is not None:
        log.info("FAQ ranking values tuned for %s on %s", key, found.tuned)
        return found
    if settings.allow_untuned_model:
        log.warning(
            "No FAQ ranking values tuned for %s in %s; running on the defaults "
            "(DG_ALLOW_UNTUNED_MODEL=true), answer quality unmeasured",
            key,
            values_file,
        )
        return DEFAULTS
    raise UntunedModelError(
        f"No FAQ ranking values tuned for the embedding model {settings.embedding_model!r} "
        f"(key {key!r}) in {values_file}. Tune them on the dev split with "
        "`python -m benchmarks.tune`, or set DG_ALLOW_UNTUNED_MODEL=true to run this model on "
        "the default values."
    )


def read_tuned_values(values_file: Path) -> dict[str, TunedValues]:
    """Model key -> values; an empty mapping when the file does not exist."""
    try:
        data = yaml.safe_load(values_file.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    except yaml.YAMLError as error:
        raise ValueError(f"{values_file} is not valid YAML: {error}") from None
    models = data.get("models", {}) if isinstance(data, dict) else None
    if not isinstance(models, dict):
        raise ValueError(f"{values_file}: expected 'models:' mapping model keys to values")
    try:
        return {str(key): TunedValues.model_validate(value) for key, value in models.items()}
    except ValidationError as error:
        raise ValueError(f"{values_file}: {error}") from None


def store_tuned_values(
    model: str, values: TunedValues, values_file: Path | None = None
) -> tuple[str, Path]:
    """Write ``values`` for ``model`` into ``values_file``, keeping the other models' values;
    returns the model's key and the file written."""
    values_file = values_file or TUNED_VALUES_FILE
    key = model_key(model)
    models = read_tuned_values(values_file) | {key: values}
    data = {"models": {k: v.model_dump() for k, v in sorted(models.items())}}
    text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    temporary = values_file.with_name(f".{values_file.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(values_file)
    return key, values_file


def model_key(model: str) -> str:
    """The key ``model``'s values are stored under (see the module docstring)."""
    directory = Path(model)
    if not directory.is_dir():
        return model
    packaged = (directory.parent / "__init__.py").is_file()
    name = directory.parent.name if packaged else directory.name
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and (path.suffix == ".json" or path.name in WEIGHT_FILES):
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
            with path.open("rb") as content:
                while chunk := content.read(1 << 20):
                    digest.update(chunk)
    return f"{name}@{digest.hexdigest()[:12]}"
