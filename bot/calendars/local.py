"""The embedded calendar: the app's own store. Busy times entered with
``POST /api/risk-assessments/busy-times``; the booked dialogues themselves are read by the
service from the same database whichever calendar is configured."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from bot.calendars import MeetingEvent, Participant, Schedule
from bot.storage.database import Database
from bot.storage.models import BusyTime


class LocalCalendar:
    name = "local"
    external = False
    sends_invitations = False
    online_meetings = False

    def __init__(self, db: Database) -> None:
        self.db = db

    def schedules(
        self, participants: Sequence[Participant], start: datetime, end: datetime
    ) -> dict[str, Schedule]:
        people = sorted({p.user_id for p in participants})
        result: dict[str, Schedule] = {person: Schedule() for person in people}
        with self.db.session() as session:
            entered = session.scalars(
                select(BusyTime)
                .where(
                    BusyTime.user_id.in_(people),
                    BusyTime.end_at > start,
                    BusyTime.start_at < end,
                )
                .order_by(BusyTime.start_at)
            )
            for busy in entered:
                result[busy.user_id].busy.append((busy.start_at, busy.end_at))
        return result

    def save(self, event: MeetingEvent) -> str | None:
        """Nothing to write: the dialogue's row is the event here, and its invitation is the
        .ics the chat links and the e-mail carries."""
        return None
