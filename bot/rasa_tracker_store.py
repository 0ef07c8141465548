"""Rasa's SQL tracker store with lighter queries (``endpoints.yml``: ``tracker_store``).

Per turn, Rasa's ``SQLTrackerStore`` loads the conversation as ORM objects and saves it,
counting the stored events with a query before each save and inserting the new ones one
statement each (a new conversation is saved once more when it is created). This store writes
exactly the same rows and reads the same ones, but:
- it remembers, on the tracker it loaded, how many of its events are already stored, and that a
  conversation it found empty has none, and counts only a tracker it knows neither of;
- it inserts a save's new events in one statement;
- it reads only the events' ``data`` column, with Rasa's own query;
- on SQLite it keeps its connection open. SQLAlchemy 1.4 opens and closes a file database's
  connection for every session, and closing the last one checkpoints the write-ahead log into
  the database file (py-spy: about 5 % of Rasa's CPU per turn in connecting and closing).

Tables and queries are Rasa's. Runs inside the Rasa process (Python 3.10).
"""

import itertools
import json
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

# The attribute on a tracker that says how many of its events, from the first, are stored.
STORED = "_distansguiden_stored_events"
# Conversations found empty and not yet saved; a bound, as a read that is never saved is allowed.
MAX_REMEMBERED_EMPTY = 10_000


class SQLTrackerStoreKnowingWhatIsStored(SQLTrackerStore):
    engine: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._empty: OrderedDict[str, None] = OrderedDict()
        if self.engine.dialect.name == "sqlite" and isinstance(self.engine.pool, sa.pool.NullPool):
            self._keep_connections_open()

    def _keep_connections_open(self) -> None:
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url,
            poolclass=sa.pool.QueuePool,
            # Rasa's event loop holds one at a time; the pool hands it to whichever thread asks.
            connect_args={"check_same_thread": False},
        )
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
        if not events and not fetch_events_from_all_sessions:
            self._found_empty(sender_id)
        if not self.domain or not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    def _found_empty(self, sender_id: str) -> None:
        """Rasa creates the tracker of a conversation it found nothing of, through wrappers
        that bypass this class; its first save then has nothing stored before it. The
        conversation's lock is held meanwhile, so no other process stores any."""
        self._empty[sender_id] = None
        while len(self._empty) > MAX_REMEMBERED_EMPTY:
            self._empty.popitem(last=False)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if getattr(tracker, STORED, None) is None and tracker.sender_id in self._empty:
            setattr(tracker, STORED, 0)
        self._empty.pop(tracker.sender_id, None)
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
