"""Rules between entry files: an id, a wording or a ``faq:<id>`` link is judged against the
other entries of the region, and near-duplicate questions are looked for with the embeddings."""

import unicodedata
from collections.abc import Iterable, Sequence

from bot.faq.embeddings import EmbeddingCache, Encoder
from bot.faq.entry import FaqEntry
from bot.faq.entry_file import CheckedFile
from bot.faq.findings import CheckMessage, error


def check_across_files(files: Sequence[CheckedFile]) -> list[CheckMessage]:
    """Rules between entries: unique ids, no phrasing in two entries of one region, and
    ``faq:<id>`` links to an entry of the same region. Files with errors are left out."""
    messages: list[CheckMessage] = []
    good = [f for f in files if f.entry is not None and not f.has_errors]
    first_id: dict[str, CheckedFile] = {}
    for checked in good:
        entry = _entry(checked)
        other = first_id.setdefault(entry.id, checked)
        if other is not checked:
            where = f"{other.path.name}:{other.line_of('id')}"
            messages.append(
                error(
                    checked.path,
                    checked.line_of("id"),
                    "duplicate-id",
                    f"Id:t '{entry.id}' används redan i {where}. Varje post behöver ett eget id; "
                    "byt id i en av filerna.",
                    f"This is a duplicate id '{entry.id}', already used in {where}. Every entry "
                    "needs its own id; change the id in one of the files.",
                )
            )
    published = [f for f in good if not _entry(f).draft]
    declared = {f.declared for f in files if f.declared is not None}
    for region, region_files in _by_region(published).items():
        messages += _shared_phrasings(region_files)
        ids = {entry_id for entry_region, entry_id in declared if entry_region == region}
        for checked in region_files:
            for link in checked.links:
                if not link.target.startswith("faq:"):
                    continue
                target = link.target.removeprefix("faq:").split("#", 1)[0]
                if target not in ids:
                    messages.append(
                        error(
                            checked.path,
                            link.line,
                            "broken-link",
                            f"Länken '{link.target}' pekar på id:t '{target}', som inte finns i "
                            "samma region. Rätta id:t eller ta bort länken.",
                            f"The link '{link.target}' points to the id '{target}', which does "
                            "not exist in the same region. Fix the id or remove the link.",
                        )
                    )
    return messages


def near_duplicates(
    files: Sequence[CheckedFile],
    encoder: Encoder,
    threshold: float,
    cache: EmbeddingCache | None = None,
) -> list[CheckMessage]:
    """A warning for each pair of entries in one region whose closest phrasings have a cosine
    similarity of at least ``threshold``: the index could not tell them apart reliably."""
    messages: list[CheckMessage] = []
    for region_files in _by_region([f for f in files if not _entry(f).draft]).values():
        texts = [p for f in region_files for p in _entry(f).phrasings]
        if not texts:
            continue
        vectors = cache.embed(texts, encoder) if cache else encoder.encode(texts)
        similarity = vectors @ vectors.T
        normalised = [normalise_phrasing(t) for t in texts]
        # Entry k's phrasings are rows starts[k] .. starts[k + 1] - 1.
        starts = [0]
        for checked in region_files:
            starts.append(starts[-1] + len(_entry(checked).phrasings))
        for j, later in enumerate(region_files):
            for i in range(j):
                best, a, b = -1.0, 0, 0
                for row in range(starts[i], starts[i + 1]):
                    for column in range(starts[j], starts[j + 1]):
                        # Identical wordings are the shared-alternate error, not this warning.
                        score = float(similarity[row, column])
                        if score > best and normalised[row] != normalised[column]:
                            best, a, b = score, row - starts[i], column - starts[j]
                if best < threshold:
                    continue
                earlier = region_files[i]
                where = f"{earlier.path.name}:{earlier.phrasing_lines[a]}"
                mine, theirs = texts[starts[j] + b], texts[starts[i] + a]
                messages.append(
                    CheckMessage(
                        later.path,
                        later.phrasing_lines[b],
                        "near-duplicate",
                        "warning",
                        f"'{mine}' är nästan samma fråga som '{theirs}' i {where} (likhet "
                        f"{best:.2f}). Slå ihop posterna, eller formulera om så att det syns "
                        "vad som skiljer dem.",
                        f"'{mine}' is nearly the same question as '{theirs}' in {where} "
                        f"(similarity {best:.2f}). Merge the entries, or reword them so the "
                        "difference shows.",
                    )
                )
    return messages


def normalise_phrasing(text: str) -> str:
    """Case, punctuation and spacing removed: 'Får jag jobba hemma?' == 'får jag  jobba hemma'."""
    kept = "".join(" " if unicodedata.category(c).startswith("P") else c for c in text.casefold())
    return " ".join(kept.split())


def _shared_phrasings(files: Sequence[CheckedFile]) -> list[CheckMessage]:
    messages = []
    seen: dict[str, tuple[CheckedFile, int]] = {}
    for checked in files:
        entry = _entry(checked)
        for phrasing, line in zip(entry.phrasings, checked.phrasing_lines, strict=True):
            key = normalise_phrasing(phrasing)
            first = seen.setdefault(key, (checked, line))
            if first[0] is checked:
                continue
            where = f"{first[0].path.name}:{first[1]}"
            messages.append(
                error(
                    checked.path,
                    line,
                    "shared-alternate",
                    f"Frågan '{phrasing}' finns också i {where} (id '{_entry(first[0]).id}'). "
                    "En formulering får höra till en enda post; ta bort den ur den ena filen.",
                    f"The question '{phrasing}' is also in {where} (id "
                    f"'{_entry(first[0]).id}'). A wording may belong to one entry only; remove "
                    "it from one of the files.",
                )
            )
    return messages


def _by_region(files: Iterable[CheckedFile]) -> dict[str, list[CheckedFile]]:
    groups: dict[str, list[CheckedFile]] = {}
    for checked in files:
        groups.setdefault(_entry(checked).region, []).append(checked)
    return groups


def _entry(checked: CheckedFile) -> FaqEntry:
    assert checked.entry is not None, "only files without errors reach the cross-file rules"
    return checked.entry
