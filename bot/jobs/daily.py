"""The daily job: each feature's once-a-day step, in one run.

Run once a day (cron, systemd timer, Kubernetes CronJob)::

    python -m bot.jobs.daily [--today YYYY-MM-DD]

1. Agreements move through their life cycle and managers are reminded before expiry
   (``bot.agreements.lifecycle``), by e-mail too when ``DG_SMTP_HOST`` is set.
2. Managers of risk-assessment dialogues that have ended are asked to document the outcome.
3. Follow-up reminders (``bot.risk_assessments.reminders``): a risk assessment's follow-up
   date, an action of an action plan that is due, an active agreement a year without a
   follow-up; each sent once, in chat, Teams and by e-mail.
4. Review-queue items, usage events, Rasa's conversation events and sent e-mail older than
   ``DG_RETENTION_DAYS`` are deleted.
5. The e-mail outbox is sent (``bot.outbox``), so reminders go out even when the app is not
   running; the app's own drain and this one never send the same message twice. Calendar
   writes still waiting (``DG_CALENDAR=caldav``) are saved in the calendar the same way.

"Today" is the region's date (its ``time_zone``), whatever zone the host runs in.
"""

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import ValidationError

from bot.agreements.lifecycle import run_daily
from bot.calendars.configured import configured_calendar
from bot.hr.retention import purge_older_than
from bot.hr.tracker_store import tracker_store_url
from bot.identity import load_directory
from bot.mail import mailer_from_settings
from bot.notifications import TEAMS_MAX_ATTEMPTS, given_up_in_teams
from bot.outbox import drain, drain_calendar_writes, forget_finished
from bot.regions import load_region
from bot.risk_assessments.reminders import send_follow_up_reminders
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import get_settings
from bot.storage.database import Database
from bot.storage.models import utc_now

ALREADY_RUNNING_TEXT = "Den dagliga körningen pågår redan i en annan process; den här gjorde inget."


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the job once; returns the exit status (1 if any agreement or reminder could not be
    processed)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.jobs.daily",
        description=(
            "Daglig körning: statusbyten och påminnelser om distansöverenskommelser, "
            "begäran om dokumenterade riskbedömningar, påminnelser om uppföljning och "
            "åtgärder, och gallring."
        ),
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="Kör som om det vore detta datum (YYYY-MM-DD); standard är regionens datum i dag.",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = get_settings()
    except ValidationError as error:
        parser.error(str(error))
    region = load_region(settings.regions_dir, settings.region)
    clock = region.clock(settings.clock_file)
    today: date = args.today or clock.today()
    db = Database(settings.database_url)
    try:
        db.migrate()
        # Cron on every replica's host is the simple set-up: the first one runs the day.
        with db.run_alone("daily-job") as alone:
            if not alone:
                print(ALREADY_RUNNING_TEXT)
                return 0
            directory = load_directory(settings.directory_file)
            mailer = mailer_from_settings(settings)
            agreements = run_daily(db, region, directory, today, by_email=mailer is not None)
            asked = RiskAssessmentService(db, directory, now=clock.now).ask_for_outcomes()
            reminded = send_follow_up_reminders(
                db, region, directory, today, by_email=mailer is not None
            )
            purged = purge_older_than(
                db, settings.retention_days, utc_now(), tracker_store_url(settings)
            )
            forget_finished(db, utc_now() - timedelta(days=settings.retention_days))
            teams_given_up = given_up_in_teams(db, utc_now() - timedelta(days=1))
            mailed = drain(db, mailer) if mailer is not None else None
            calendar = configured_calendar(settings)
            written = drain_calendar_writes(db, calendar) if calendar is not None else None
            if calendar is not None:
                calendar.close()
    finally:
        db.dispose()
    print(agreements.summary(today))
    print(f"{asked} chefer ombedda att dokumentera en genomförd riskbedömning.")
    print(reminded.summary())
    print(purged.summary(settings.retention_days))
    if mailed is not None:
        print(mailed.summary())
    if written is not None:
        print(written.summary())
    if teams_given_up:
        print(
            f"Teams: {teams_given_up} notiser gavs upp det senaste dygnet efter "
            f"{TEAMS_MAX_ATTEMPTS} försök; de väntar i webbchatten och på HR-sidan (/hr)."
        )
    return 1 if agreements.errors or reminded.errors else 0


if __name__ == "__main__":
    sys.exit(main())
