"""The calendar the settings name (``DG_CALENDAR``), behind its guard."""

from bot.calendars.guard import GuardedCalendar
from bot.settings import Settings


def configured_calendar(settings: Settings) -> GuardedCalendar | None:
    """The region's outside calendar (``DG_CALENDAR=caldav`` or ``graph``), or None when only
    the app's own store is used (``DG_CALENDAR=local``, the default)."""
    if settings.calendar == "caldav":
        # Imported here: the CalDAV client and its HTTP stack load only where they are used.
        from bot.calendars.caldav_calendar import CalDavCalendar

        return GuardedCalendar(
            CalDavCalendar(settings.caldav),
            timeout=settings.caldav.timeout_seconds,
            pause=settings.caldav.pause_seconds,
        )
    if settings.calendar == "graph":
        # Imported here: MSAL and the Graph client load only where they are used.
        from bot.calendars.graph_calendar import GraphCalendar

        return GuardedCalendar(
            GraphCalendar(settings.graph),
            timeout=settings.graph.timeout_seconds,
            pause=settings.graph.pause_seconds,
        )
    return None
