"""Rasa's SQL tracker store with lighter queries (``endpoints.yml``: ``tracker_store``).

Per turn, Rasa's ``SQLTrackerStore`` loads the conversation as ORM objects and saves it,
counting the stored events with a query before each save and inserting the new ones one
statement each (a new conversation is saved once more when it is created). This store writes exactly the same rows
and reads the same ones, but:
- it remembers, on the tracker it loaded or created, how many of its events are already stored,
  and counts only a tracker it did neither;
- it inserts a save's new events in one statement;
- it reads only the events' ``data`` column, with Rasa's own query.

Tables and queries are Rasa's. Runs inside the Rasa process (Python 3.10).
"""

import itertools
import json
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

# The attribute on a tracker that says how many of its events, from the first, are stored.
STORED = "_distansguiden_stored_events"


class SQLTrackerStoreKnowingWhatIsStored(SQLTrackerStore):
    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
        if not self.domain or not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    def init_tracker(self, sender_id: str) -> DialogueStateTracker:
        # A new conversation (Rasa found none stored): none of its events are stored yet.
        tracker = super().init_tracker(sender_id)
        setattr(tracker, STORED, 0)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [
                self._row(tracker.sender_id, event)
                for event in self._additional_events(session, tracker)
            ]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        setattr(tracker, STORED, len(tracker.events))

    @staticmethod
    def _row(sender_id: str, event: Any) -> dict[str, Any]:
        """The columns Rasa's own save fills for an event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        stored = getattr(tracker, STORED, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))
