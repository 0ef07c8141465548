"""The off-script conversations are well formed, and their held-out part is not what the NLU was
trained on."""

from difflib import SequenceMatcher

from benchmarks.flows import GIVEN, Conversation, Result, compare, load_conversations
from bot.identity import demo_directory
from tests.unit.test_eval_data import NEAR_COPY, normalise, tuning_sentences

CATEGORIES = {
    "correction", "digression", "chitchat", "cancel", "hedge", "prefilled", "free_text",
    "summary", "overlap", "decision", "english", "booking",
}  # fmt: skip


def test_conversations_are_well_formed() -> None:
    _, conversations = load_conversations()
    assert len(conversations) >= 80
    assert len({c.id for c in conversations}) == len(conversations)
    directory = demo_directory()
    for c in conversations:
        assert c.split in ("dev", "test"), c.id
        assert c.category in CATEGORIES, c.id
        assert directory.get(c.user) is not None, c.id
        assert set(c.given) <= set(GIVEN), c.id
        assert {"agreements", "risk_assessments"} & set(c.expect), c.id
    for category in CATEGORIES:
        splits = {c.split for c in conversations if c.category == category}
        assert splits == {"dev", "test"}, category


def test_no_held_out_message_is_a_near_copy_of_an_nlu_example() -> None:
    """Messages of a few words ("ja", "tack", "40%") are what everybody writes, and the opening
    message only starts the process every conversation is about; later messages close to a
    training sentence would measure recall of it."""
    _, conversations = load_conversations()
    tuning = tuning_sentences()
    near_copies = []
    for c in conversations:
        if c.split != "test":
            continue
        for turn in c.turns[1:]:
            text = normalise(turn)
            if len(text.split()) < 4:
                continue
            matcher = SequenceMatcher(None, b=text)
            for sentence in tuning:
                matcher.set_seq1(sentence)
                if all(
                    ratio() >= NEAR_COPY
                    for ratio in (matcher.real_quick_ratio, matcher.quick_ratio, matcher.ratio)
                ):
                    near_copies.append((c.id, text, sentence))
    assert near_copies == []


def test_a_value_that_must_not_be_kept_fails_the_conversation_wherever_it_is_stored() -> None:
    conversation = Conversation(
        id="x", split="dev", category="free_text", user="anna.andersson", turns=[], expect={}
    )
    stored = [{"id": 1, "status": "submitted", "tasks": "Lön, pnr 19850312-2387"}]
    kept = Result(conversation)
    compare("agreements", "anna.andersson", [{"absent": ["19850312-2387"]}], stored, kept)
    assert kept.wrong_values and kept.problems
    masked = Result(conversation)
    stored[0]["tasks"] = "Lön, pnr [personnummer]"
    compare("agreements", "anna.andersson", [{"absent": ["19850312-2387"]}], stored, masked)
    assert masked.passed and not masked.wrong_values
