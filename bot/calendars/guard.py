"""An outside calendar behind a deadline and a pause.

Each call runs in a worker thread of its own pool and is given up after ``timeout`` seconds, or
at a chat turn's deadline if that is sooner, even when the server trickles bytes or hangs
between requests (the client's socket timeout bounds only each read). Any failure becomes
``CalendarUnavailable``. After one, the calendar is not asked for ``pause`` seconds, or as long as
the server's Retry-After asked if that is longer, so users do not each wait out the timeout while
it is down; the first call after the pause tries it again.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from typing import TypeVar

from bot.calendars import Calendar, CalendarUnavailable, MeetingEvent, Participant, Schedule
from bot.privacy import mask_personal_data
from bot.storage.database import time_allowed

log = logging.getLogger(__name__)

T = TypeVar("T")

# Calls that may hang at once before further ones are refused outright: a hanging server must not
# take every thread of the app.
MAX_IN_FLIGHT = 4


class GuardedCalendar:
    def __init__(
        self,
        inner: Calendar,
        timeout: float,
        pause: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.external = inner.external
        self.sends_invitations = inner.sends_invitations
        self.online_meetings = getattr(inner, "online_meetings", False)
        self.timeout = timeout
        self.pause = pause
        self._monotonic = monotonic
        self._pool = ThreadPoolExecutor(MAX_IN_FLIGHT, thread_name_prefix=f"calendar-{inner.name}")
        self._slots = threading.BoundedSemaphore(MAX_IN_FLIGHT)
        self._paused_until = 0.0
        self._lock = threading.Lock()

    @property
    def paused(self) -> bool:
        return self._monotonic() < self._paused_until

    def schedules(
        self, participants: Sequence[Participant], start: datetime, end: datetime
    ) -> dict[str, Schedule]:
        return self._call("free/busy", lambda: self.inner.schedules(participants, start, end))

    def save(self, event: MeetingEvent) -> str | None:
        return self._call(f"save {event.reference}", lambda: self.inner.save(event))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        # An adapter that keeps connections open (Graph's HTTP client) lets them go.
        close_inner = getattr(self.inner, "close", None)
        if close_inner is not None:
            close_inner()

    def _call(self, what: str, work: Callable[[], T]) -> T:
        if self.paused:
            raise CalendarUnavailable(f"{self.name}: paused after a failure")
        if not self._slots.acquire(blocking=False):
            raise CalendarUnavailable(f"{self.name}: too many calls waiting for the server")
        try:
            future = self._pool.submit(work)
        except RuntimeError as error:
            self._slots.release()
            raise CalendarUnavailable(f"{self.name}: closed") from error
        future.add_done_callback(lambda _: self._slots.release())
        # Inside a chat turn (``answer_within``) the call ends with the turn's deadline, so the
        # user hears about a slow calendar in the turn, not as limited mode after Rasa's timeout.
        allowed = time_allowed()
        timeout = self.timeout if allowed is None else min(self.timeout, allowed)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            self._failed(what, f"no answer within {timeout:g} s")
            raise CalendarUnavailable(f"{self.name}: {what} timed out") from None
        except CalendarUnavailable as error:
            self._failed(what, str(error), error.retry_after)
            raise
        except Exception as error:
            self._failed(what, f"{type(error).__name__}: {error}")
            raise CalendarUnavailable(f"{self.name}: {what} failed") from error

    def _failed(self, what: str, reason: str, retry_after: float | None = None) -> None:
        pause = max(self.pause, retry_after or 0.0)
        with self._lock:
            self._paused_until = max(self._paused_until, self._monotonic() + pause)
        log.warning(
            "Calendar %s unavailable (%s): %s; not asked again for %g s",
            self.name,
            what,
            mask_personal_data(reason).text[:300],
            pause,
        )
