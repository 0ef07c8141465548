"""Is a question about remote work at all? The in-scope gate in front of the FAQ answer.

Questions about home insurance, a sick child or the salary share the FAQ's words ("hemma",
"försäkring", "sjuk", "lön") and land close to an entry, so a good ranking score alone does not
say the entry answers them. The gate is a separate classifier: in scope are the entries' own
phrasings and Rasa's FAQ training examples (``data/nlu/faq.yml``); out of scope are the
"workplace but not remote work" examples of ``data/nlu/out_of_scope.yml``, the same ones that
teach Rasa its ``out_of_scope`` intent. It reads character and word n-grams, which carry Swedish
inflection, compounds and typos better than the English sentence model does.

Trained when the index is built, so HR's new alternates count at once. Training takes seconds
on two cores (the logistic regression over the n-grams), so a reload whose phrasings are the
same as the last one's (an edited answer, a restored version of it) reuses the last gate.
"""

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import sklearn
import yaml
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.faq.nlu import FAQ_INTENT_PREFIX, nlu_examples
from bot.spelling import plain_pattern, without_diacritics

# A question that names remote work in so many words is about remote work, whatever else it
# shares with the out-of-scope examples (the gate read "hur mycke distans får man ha i
# västernorland" as an HR question). No out-of-scope example or dev question names it.
NAMES_REMOTE_WORK = plain_pattern(
    r"\b(distans\w*|\w*hemifrån|hemifrn|hemifån|(jobba|jobbar|arbeta|arbetar|sitta|sitter) hemma"
    r"|hemarbete\w*|hem(ma)?jobb\w*|hemmadag\w*|hemmakontor\w*|remote\w*|work(ing)? from home"
    r"|home office|wfh)\b",
)

# A question set at the workplace with no word of home or remote work ("glasögon för
# bildskärmsarbete på kontoret", "skyddsskor i förrådet") is about the workplace itself. Only
# the entries about being at the workplace may answer it: the two *kräva* entries (the right to
# be at the office), support that needs the main workplace, and what the workplace is.
AT_THE_WORKPLACE = plain_pattern(
    r"\b(på kontoret|på avdelningen|på jobbet|på arbetsplatsen|i förrådet|på mottagningen"
    r"|på enheten|på sjukhuset|at the office|in the office|at work|on the ward)\b",
)
AWAY_FROM_IT = plain_pattern(
    r"\b(hem\w*|home|distans\w*|remote\w*|stuga\w*|landet|fritidshus\w*|sommarställe\w*)\b",
)
WORKPLACE_TOPICS = frozenset(("ordered_remote", "demand_remote", "it_support_on_site", "place"))

OUT_OF_SCOPE_FILE = "out_of_scope.yml"
FAQ_EXAMPLES_FILE = "faq.yml"
# Regularisation found on the dev split (benchmarks/tune.py prints the gate's figures).
STRENGTH = 4.0


class ScopeGate:
    """``in_scope(question)``: the probability that the question is about remote work."""

    def __init__(
        self,
        inside: Sequence[str],
        outside: Sequence[str],
        in_context: Sequence[str] = (),
        out_of_context: Sequence[str] = (),
    ) -> None:
        """``in_context``, ``out_of_context``: messages that name remote work as context, in and
        out of scope. They train a second model, for questions that name remote work only: in
        the first, they moved questions that do not (a rude manager, a conference's costs) in
        scope on dev."""
        if not inside or not outside:
            raise ValueError("the gate needs examples both in and out of scope")
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self._words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        # Each text is read once: the reload that trains the gate is on HR's path to "live".
        lowered = [text.lower() for text in (*inside, *outside)]
        features = hstack(
            [self._chars.fit_transform(lowered), self._words.fit_transform(lowered)]
        ).tocsr()
        inner, outer = features[: len(inside)], features[len(inside) :]
        self._model = self._trained(inner, outer)
        self._named_model = (
            self._trained(
                vstack([inner, self._features(in_context)]),
                vstack([outer, self._features(out_of_context)]),
            )
            if out_of_context
            else self._model
        )

    def _trained(self, inside: csr_matrix, outside: csr_matrix) -> LogisticRegression:
        labels = np.array([1] * inside.shape[0] + [0] * outside.shape[0])
        # Balanced: there are several times more in-scope examples than out-of-scope ones.
        model = LogisticRegression(C=STRENGTH, max_iter=2000, class_weight="balanced")
        model.fit(vstack([inside, outside]).tocsr(), labels)
        return model

    def _features(self, texts: Sequence[str]) -> csr_matrix:
        lowered = [text.lower() for text in texts]
        return hstack([self._chars.transform(lowered), self._words.transform(lowered)]).tocsr()

    def in_scope(self, question: str) -> float:
        """A question that names remote work is judged by the model that has also learnt remote
        work named as the context of another question."""
        model = self._named_model if names_remote_work(question) else self._model
        # Per chat turn: the inputs are the gate's own, so scikit-learn's checks of them are
        # skipped (a fifth of the gate's CPU; the same probabilities).
        with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            return float(model.predict_proba(self._features([question]))[0, 1])


def names_remote_work(question: str) -> bool:
    """The question says "distans", "hemifrån", "jobba hemma", "work from home" or the like:
    the gate lets it through, and the ranking must still show that an entry answers it."""
    return NAMES_REMOTE_WORK.search(without_diacritics(question)) is not None


class _LastGate:
    """The last gate trained, with the examples it learnt from."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.examples: tuple[tuple[str, ...], ...] | None = None
        self.gate: ScopeGate | None = None


_last = _LastGate()


def scope_gate(
    nlu_dir: Path, phrasings: Iterable[str], context_file: Path | None = None
) -> ScopeGate | None:
    """The gate for an FAQ whose entries are asked as ``phrasings``; None (no gate, the ranking
    thresholds alone decide) when there are no out-of-scope examples to learn from.
    ``context_file``: messages that name remote work as the context of another question, out of
    scope or not (``data/scope.yml``)."""
    outside = [
        text for texts in nlu_examples(nlu_dir / OUT_OF_SCOPE_FILE).values() for text in texts
    ]
    faq = nlu_examples(nlu_dir / FAQ_EXAMPLES_FILE)
    topics = (texts for intent, texts in faq.items() if intent.startswith(FAQ_INTENT_PREFIX))
    inside = [*phrasings, *(text for texts in topics for text in texts)]
    in_context, out_of_context = context_examples(context_file) if context_file else ([], [])
    if not outside or not inside:
        return None
    examples = (tuple(inside), tuple(outside), tuple(in_context), tuple(out_of_context))
    with _last.lock:
        if _last.examples != examples or _last.gate is None:
            _last.gate, _last.examples = ScopeGate(*examples), examples
        return _last.gate


def context_examples(path: Path) -> tuple[list[str], list[str]]:
    """``data/scope.yml``'s two lists: in scope and out of scope; empty when there is no file.
    Rasa does not read it (no ``nlu:`` key): its intents would learn remote work's own words as
    a sign of ``out_of_scope``."""
    if not path.is_file():
        return [], []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(t) for t in data.get("in_scope", [])], [
        str(t) for t in data.get("out_of_scope", [])
    ]


def speaks_of_home(question: str) -> bool:
    """Home, the cabin, remote work: a word of working away from the office."""
    return (
        names_remote_work(question) or AWAY_FROM_IT.search(without_diacritics(question)) is not None
    )


def at_the_workplace(question: str) -> bool:
    """Set at the office or the ward, with no word of home or remote work."""
    plain = without_diacritics(question)
    return AT_THE_WORKPLACE.search(plain) is not None and not AWAY_FROM_IT.search(plain)
