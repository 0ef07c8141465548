"""The held-out question set never overlaps what the assistant is tuned on."""

import re
from collections import Counter
from difflib import SequenceMatcher

import yaml

from bot.faq.content import load_faq
from bot.settings import PROJECT_ROOT

EVAL_SET = PROJECT_ROOT / "tests" / "data" / "eval_questions.yml"
# Similarity (difflib ratio of the normalised texts) from which two sentences count as copies.
NEAR_COPY = 0.9


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def eval_questions() -> list[dict[str, object]]:
    questions: list[dict[str, object]] = yaml.safe_load(EVAL_SET.read_text(encoding="utf-8"))[
        "questions"
    ]
    return questions


def tuning_sentences() -> set[str]:
    sentences = {normalise(p) for e in load_faq(PROJECT_ROOT / "faq").entries for p in e.phrasings}
    for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in block.get("examples", "").splitlines():
                sentences.add(normalise(line.lstrip("- ")))
    return sentences


def test_no_evaluation_question_is_an_alternate_or_nlu_example() -> None:
    overlap = {normalise(str(q["text"])) for q in eval_questions()} & tuning_sentences()
    assert overlap == set()


def test_no_test_question_is_a_near_copy_of_a_tuning_sentence() -> None:
    # A typo or one changed word away from an alternate would measure recall of the alternate,
    # not understanding; the dev split may come close, it is tuning data anyway.
    tuning = tuning_sentences()
    near_copies = []
    for question in eval_questions():
        if question["split"] != "test":
            continue
        text = normalise(str(question["text"]))
        matcher = SequenceMatcher(None, b=text)
        for sentence in tuning:
            matcher.set_seq1(sentence)
            # The quick ratios are upper bounds of ratio(): cheap filters before the real one.
            if all(
                ratio() >= NEAR_COPY
                for ratio in (matcher.real_quick_ratio, matcher.quick_ratio, matcher.ratio)
            ):
                near_copies.append((text, sentence))
    assert near_copies == []


def test_evaluation_set_is_large_enough_and_split() -> None:
    questions = eval_questions()
    in_scope = [q for q in questions if q["expected"]]
    out_of_scope = [q for q in questions if not q["expected"]]
    assert len(in_scope) >= 150
    assert len(out_of_scope) >= 30
    assert Counter(q["split"] for q in questions).keys() == {"dev", "test"}
    assert len({normalise(str(q["text"])) for q in questions}) == len(questions), "duplicates"


def test_every_expected_id_is_an_entry_of_its_region() -> None:
    entries = {(e.id, e.region) for e in load_faq(PROJECT_ROOT / "faq").entries}
    for question in eval_questions():
        if question["expected"]:
            assert (question["expected"], question["region"]) in entries, question
