"""Rasa's side of the FAQ: its intents, its reading of a question, and its NLU examples."""

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

# One intent per FAQ topic ("faq_costs"), and one for questions outside remote work.
FAQ_INTENT_PREFIX = "faq_"
OUT_OF_SCOPE_INTENT = "out_of_scope"
# Rasa's entity markup in an example: "[Anna](person)" -> "Anna".
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def topic_confidence(intent_ranking: list[dict[str, Any]]) -> dict[str, float]:
    """``{"costs": 0.93, ...}`` from Rasa's intent ranking."""
    return {
        item["name"][len(FAQ_INTENT_PREFIX) :]: float(item.get("confidence") or 0.0)
        for item in intent_ranking
        if str(item.get("name", "")).startswith(FAQ_INTENT_PREFIX)
    }


def intent_confidence(intent_ranking: list[dict[str, Any]], intent: str) -> float:
    return next(
        (float(i.get("confidence") or 0.0) for i in intent_ranking if i.get("name") == intent), 0.0
    )


def nlu_examples(path: Path, intents: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Intent -> example texts of a Rasa NLU file; only ``intents`` when given. A missing file
    has none."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}
    wanted = set(intents) if intents is not None else None
    examples: dict[str, list[str]] = {}
    for item in data.get("nlu") or []:
        intent = item.get("intent") if isinstance(item, dict) else None
        if not intent or (wanted is not None and intent not in wanted):
            continue
        lines = str(item.get("examples") or "").splitlines()
        examples[intent] = [
            ENTITY_MARKUP.sub(r"\1", line.strip()[2:].strip())
            for line in lines
            if line.strip().startswith("- ")
        ]
    return examples
