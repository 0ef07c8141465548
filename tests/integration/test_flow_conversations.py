"""The off-script conversations (tests/data/flow_conversations.yml) through the real Rasa and
app, with the clock frozen: each dev conversation ends with exactly the data the user meant, and
the test split keeps the floors of issue #12. ``make flows`` prints the figures."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.flows import Conversation, FlowStack, load_conversations, report

pytestmark = pytest.mark.slow

NOW, CONVERSATIONS = load_conversations()
DEV = [c for c in CONVERSATIONS if c.split == "dev"]
TEST = [c for c in CONVERSATIONS if c.split == "test"]


@pytest.fixture(scope="module")
def flows(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowStack]:
    run_dir: Path = tmp_path_factory.mktemp("flows")
    with FlowStack.started(NOW, run_dir) as started:
        yield started


@pytest.mark.parametrize("conversation", DEV, ids=[c.id for c in DEV])
def test_dev_conversation_ends_with_the_data_meant(
    flows: FlowStack, conversation: Conversation
) -> None:
    result = flows.play(conversation)
    assert not result.dead_ends, f"the user was stuck after turns {result.dead_ends}"
    assert not result.problems, "; ".join(result.problems)


def test_held_out_conversations_keep_the_floors(flows: FlowStack) -> None:
    results = [flows.play(c) for c in TEST]
    summary = report(results)
    assert not [r for r in results if r.wrong_values], summary
    assert not [r for r in results if r.dead_ends], summary
    assert sum(r.passed for r in results) >= 0.9 * len(results), summary
