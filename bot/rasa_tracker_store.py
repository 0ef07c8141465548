"""Rasa's SQL tracker store, one query lighter per save (``endpoints.yml``: ``tracker_store``).

Rasa's ``SQLTrackerStore.save`` counts the conversation's stored events with a query before
writing the new ones, twice per turn (after reading the message and after the actions). This
store remembers, on the tracker it loaded, how many of its events are already stored, and
counts only a tracker it did not load. Everything else, tables and queries, is Rasa's.

Runs inside the Rasa process (Python 3.10).
"""

import itertools
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

# The attribute on a tracker that says how many of its events, from the first, are stored.
STORED = "_distansguiden_stored_events"


class SQLTrackerStoreKnowingWhatIsStored(SQLTrackerStore):
    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and not fetch_events_from_all_sessions:
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        setattr(tracker, STORED, len(tracker.events))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        stored = getattr(tracker, STORED, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))
