"""Runs in Rasa's environment (.venv-rasa): intent rankings of the trained model for texts.

Reads a JSON list of texts on stdin, writes ``{text: intent_ranking}`` as JSON to the file given
(not stdout: Rasa and TensorFlow print there).
Used by ``benchmarks/tune.py``, which cannot import Rasa (another Python version).
"""

import asyncio
import json
import logging
import sys

from rasa.core.agent import Agent


async def rank(model: str, texts: list[str]) -> dict[str, list[dict[str, object]]]:
    agent = Agent.load(model)
    rankings = {}
    for text in texts:
        parsed = await agent.parse_message(text)
        rankings[text] = [
            {"name": i["name"], "confidence": i["confidence"]} for i in parsed["intent_ranking"]
        ]
    return rankings


if __name__ == "__main__":
    logging.disable(logging.WARNING)
    model, output = sys.argv[1], sys.argv[2]
    texts = json.load(sys.stdin)
    with open(output, "w", encoding="utf-8") as out:
        json.dump(asyncio.run(rank(model, texts)), out, ensure_ascii=False)
