"""Swedish-aware lexical matching.

Text becomes *terms*: spaCy's Swedish tokenizer, its lemma lookup table (spacy-lookups-data),
then a Snowball stem, so "kostnaderna", "kostnad" and "kostnader" meet. HR's synonym list folds
"stugan", "sommarstuga" and "landet" into one term. Compounds ("hemarbetsplats") are split
against the corpus vocabulary and near-miss typos are mapped to a known term.
"""

import difflib
import functools
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import snowballstemmer
import spacy

MIN_COMPOUND_PART = 3
TYPO_MIN_LENGTH = 5
TYPO_CUTOFF = 0.84
SYNONYM_TERM = re.compile(r"syn\d{4}")
# Weight of a term found only in the answer, relative to one in the question or alternates.
ANSWER_TERM_WEIGHT = 0.5
# Coverage of an entry whose cue word the question uses: full, whatever else it says. A long
# message about a cabin ("fritidshus på Öland … två veckor i juni när barnen har lov") covers
# little of the cabin entry's words, and Rasa reads its holiday words as out of scope (#15).
CUE_COVERAGE = 1.0


@functools.cache
def swedish_pipeline() -> tuple[spacy.language.Language, Any, frozenset[str]]:
    """spaCy's Swedish tokenizer with its lemma table, and the table's lemmas as a word list.
    Built once per process: loading the table takes two seconds, which every FAQ reload would
    otherwise add before HR's edit goes live. Only read after this, so shared safely."""
    nlp = spacy.blank("sv")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    lemma_table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
    # The table maps inflected forms to lemmas; together they are a Swedish word list.
    return nlp, lemma_table, frozenset(lemma_table.values())


class SwedishAnalyzer:
    """Turns text into comparable terms."""

    def __init__(self, synonyms: dict[str, list[str]] | None = None) -> None:
        self._nlp, self._lemma_table, self._lexicon = swedish_pipeline()
        # The Snowball stemmer keeps state between calls: one thread at a time (the HR page's
        # "try a question" runs in a worker thread while chats run on the event loop).
        self._stemmer = snowballstemmer.stemmer("swedish")
        self._stemmer_lock = threading.Lock()
        self._stop_words = {w.lower() for w in self._nlp.Defaults.stop_words} | ENGLISH_STOP_WORDS
        self._phrases: list[tuple[re.Pattern[str], str]] = []
        self._synonym_of: dict[str, str] = {}
        for number, (canonical, variants) in enumerate(sorted((synonyms or {}).items())):
            group_term = f"syn{number:04d}"
            for variant in {canonical, *variants}:
                words = variant.split()
                if len(words) > 1:
                    pattern = re.compile(rf"\b{re.escape(' '.join(words))}\b", re.IGNORECASE)
                    self._phrases.append((pattern, group_term))
                elif words:
                    self._synonym_of[self._stem(words[0])] = group_term
        # Longest phrases first so "vård av sjukt barn" wins over "barn".
        self._phrases.sort(key=lambda item: -len(item[0].pattern))

    def terms(self, text: str) -> list[str]:
        """Content terms of ``text`` in order: synonyms folded, compounds also as their parts."""
        for pattern, group_term in self._phrases:
            text = pattern.sub(f" {group_term} ", text)
        terms: list[str] = []
        for token in self._nlp(text.lower()):
            word = token.text
            if token.is_punct or token.is_space or word in self._stop_words:
                continue
            if SYNONYM_TERM.fullmatch(word):
                terms.append(word)
                continue
            if (self._lemma_table.get(word) or word) in self._stop_words:
                continue
            term = self._stem(word)
            if term in self._synonym_of:
                terms.append(self._synonym_of[term])
                continue
            terms.append(term)
            terms.extend(self._synonym_of.get(part, part) for part in self._compound_parts(word))
        return terms

    def _stem(self, word: str) -> str:
        """Stem of the lemma. Stemmed twice because Snowball is not idempotent on words the lemma
        table lacks: "fritidsbostaden" -> "fritidsbostad" but "fritidsbostad" -> "fritidsbost"."""
        lemma = self._lemma_table.get(word) or word
        with self._stemmer_lock:
            return str(self._stemmer.stemWord(self._stemmer.stemWord(lemma)))

    def _is_word(self, word: str) -> bool:
        return word in self._lexicon or word in self._lemma_table

    def _compound_parts(self, word: str) -> list[str]:
        """Split a Swedish compound into a known head and the longest known tail.

        ``hemarbetsplatsen`` -> stems of ``hem`` and ``arbetsplatsen``; the linking -s- of
        ``distansarbetsplats`` is allowed. A word the lexicon knows is split only into parts of
        four letters or more, so "betalar" does not become "bet" + "alar".
        Returns ``[]`` when no split explains the word.
        """
        if len(word) < 2 * MIN_COMPOUND_PART + 1 or not word.isalpha():
            return []
        shortest = MIN_COMPOUND_PART + 1 if self._is_word(word) else MIN_COMPOUND_PART
        for cut in range(shortest, len(word) - MIN_COMPOUND_PART):
            head, tail = word[:cut], word[cut:]
            if not self._is_word(tail):
                continue
            for candidate in (head, head[:-1] if head.endswith("s") else ""):
                if len(candidate) >= shortest and self._is_word(candidate):
                    return [self._stem(candidate), self._stem(tail)]
        return []


class LexicalIndex:
    """Per-entry term sets with IDF weights; scores are comparable across queries."""

    def __init__(
        self,
        analyzer: SwedishAnalyzer,
        phrasings: Sequence[Sequence[str]],
        answers: Sequence[str],
        cues: Sequence[Sequence[str]] = (),
    ) -> None:
        """``phrasings[i]``: entry i's question and alternates; ``answers[i]``: its answer;
        ``cues[i]``: words that name what entry i is about."""
        self._analyzer = analyzer
        # Each cue as its terms; a cue of several words counts when the query has them all.
        self._cues = [
            [frozenset(analyzer.terms(cue)) - {""} for cue in entry_cues] for entry_cues in cues
        ]
        raw_strong = [[t for text in texts for t in analyzer.terms(text)] for texts in phrasings]
        raw_weak = [analyzer.terms(answer) for answer in answers]
        self.vocabulary = {t for terms in raw_strong + raw_weak for t in terms}
        self._strong = [set(terms) for terms in raw_strong]
        self._weak = [set(terms) for terms in raw_weak]
        self._documents = [
            Counter(s) + Counter(w) for s, w in zip(raw_strong, raw_weak, strict=True)
        ]
        entry_count = len(phrasings)
        document_frequency = Counter(
            t for s, w in zip(self._strong, self._weak, strict=True) for t in s | w
        )
        self._idf = {t: math.log(1 + entry_count / df) for t, df in document_frequency.items()}
        # A term no entry uses is as informative as the rarest one: it signals an unknown topic.
        self._unknown_idf = math.log(1 + entry_count / 0.5)
        self._average_length = (
            float(np.mean([sum(d.values()) for d in self._documents])) if self._documents else 1.0
        )

    def query_terms(self, query: str) -> list[str]:
        """The query's terms, with typos mapped onto the vocabulary."""
        terms: list[str] = []
        for term in self._analyzer.terms(query):
            if term not in self.vocabulary and len(term) >= TYPO_MIN_LENGTH:
                close = difflib.get_close_matches(term, self.vocabulary, n=1, cutoff=TYPO_CUTOFF)
                term = close[0] if close else term
            terms.append(term)
        return list(dict.fromkeys(terms))

    def coverage(self, query: str) -> np.ndarray:
        """Share of the query's IDF mass each entry covers, in [0, 1]; shape ``(entries,)``.

        Unlike BM25 this is an absolute figure, so a threshold on it means the same for every
        query: words the FAQ never uses ("semester", "lunch") pull every entry's score down.
        """
        terms = self.query_terms(query)
        scores = np.zeros(len(self._strong), dtype=np.float32)
        if not terms:
            return scores
        weights = np.array([self._idf.get(t, self._unknown_idf) for t in terms], dtype=np.float32)
        total = float(weights.sum())
        for i, (strong, weak) in enumerate(zip(self._strong, self._weak, strict=True)):
            matched = [
                1.0 if t in strong else ANSWER_TERM_WEIGHT if t in weak else 0.0 for t in terms
            ]
            scores[i] = float(np.dot(weights, matched)) / total
        asked = set(terms)
        for i, entry_cues in enumerate(self._cues):
            if any(cue and cue <= asked for cue in entry_cues):
                scores[i] = max(scores[i], CUE_COVERAGE)
        return scores

    def bm25(self, query: str, k1: float = 1.2, b: float = 0.75) -> np.ndarray:
        """Okapi BM25 over question, alternates and answer; shape ``(entries,)``. A baseline."""
        terms = self._analyzer.terms(query)
        scores = np.zeros(len(self._documents), dtype=np.float32)
        for i, document in enumerate(self._documents):
            length = sum(document.values())
            for term in terms:
                tf = document.get(term, 0)
                if tf:
                    norm = tf + k1 * (1 - b + b * length / self._average_length)
                    scores[i] += self._idf.get(term, 0.0) * tf * (k1 + 1) / norm
        return scores


ENGLISH_STOP_WORDS = frozenset(
    (
        "a an the i me my we our you your it is are am be do does did can could may might must "
        "shall should will would what who whom which when where why how to of in on at for from "
        "with about and or if not no yes there this that these those have has had get any"
    ).split()
)
