"""``python -m bot.faq.build``: check the FAQ files and fill the embedding cache ahead of use."""

import logging
import sys

from bot.faq.loader import load_answerer
from bot.faq.tuning import UntunedModelError
from bot.settings import get_settings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        loaded = load_answerer(get_settings())
    except UntunedModelError as error:
        print(f"FEL / ERROR: {error}", file=sys.stderr)
        return 1
    for problem in loaded.problems:
        print(f"FEL: {problem}", file=sys.stderr)
    index = loaded.answerer.index
    print(
        f"FAQ-index klart: {len(index.entries)} frågor, {index.encoded_on_build} texter kodade nu."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
