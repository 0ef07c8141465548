"""The app: chat page and API, health, and the Rasa action endpoint.

Start-up loads the FAQ index (the slow part) in the lifespan, not at import.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from rasa_sdk.executor import ActionExecutor
from sqlalchemy.exc import SQLAlchemyError

from actions import Services, build_actions
from bot.agreements.service import AgreementService
from bot.api import (
    action_plans,
    agreements,
    chat,
    feedback,
    follow_ups,
    health,
    hr,
    hr_deliveries,
    hr_entries,
    hr_overview,
    hr_try,
    my_cases,
    pages,
    rasa_actions,
    reports,
    risk_assessments,
)
from bot.api.errors import install_error_handlers
from bot.api.headers import SecurityHeaders
from bot.api.limits import RequestSizeLimit
from bot.api.local_only import OnlyThisComputer
from bot.auth import OidcAuthenticator
from bot.calendars.configured import configured_calendar
from bot.calendars.guard import GuardedCalendar
from bot.channels import teams
from bot.chat import BotMessage, ChatService
from bot.clock import Clock
from bot.faq.answering import FaqAnswerer
from bot.faq.embeddings import Encoder
from bot.faq.reload import FaqReloader, watch_faq
from bot.hr.recording import UsageRecorder
from bot.identity import load_directory
from bot.identity_seal import IdentitySeal, derive_key
from bot.mail import Mailer, mailer_from_settings
from bot.notifications import Inbox
from bot.outbox import drain, drain_calendar_writes
from bot.privacy import install_log_masking
from bot.rasa_client import RasaClient
from bot.rasa_sessions import RestPoints
from bot.rate_limit import RateLimiter
from bot.regions import Region, load_region
from bot.risk_assessments.action_plans import ActionPlanService
from bot.risk_assessments.links import PublicLinks
from bot.risk_assessments.notices import InvitationMail
from bot.risk_assessments.service import BookingRules, RiskAssessmentService
from bot.settings import Settings, get_settings, local_mode_refusal
from bot.storage.database import Database

STATIC_DIR = Path(__file__).with_name("static")

# Retries of a database that was down at start: soon at first, then every half minute.
STORAGE_RETRY_FIRST_SECONDS = 1.0
STORAGE_RETRY_MAX_SECONDS = 30.0

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, encoder: Encoder | None = None) -> FastAPI:
    """``encoder`` lets tests substitute a small deterministic model for the real one."""
    settings = settings or get_settings()
    install_log_masking()
    if (refusal := local_mode_refusal(settings)) is not None:
        raise RuntimeError(refusal)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.faq = None
        region = load_region(settings.regions_dir, settings.region)
        # One "today" for the whole service: the region's date, not the host's.
        clock = app.state.clock = region.clock(settings.clock_file)
        # Local mode without DG_ACTION_TOKEN seals with the placeholder; production refuses it.
        seal = IdentitySeal(settings.action_token.get_secret_value())
        app.state.rasa = RasaClient(
            settings.rasa_url,
            settings.rasa_timeout_seconds,
            seal.channel_key,
            settings.rasa_max_in_flight,
            settings.rasa_queue_budget_seconds,
            settings.rasa_pause_seconds,
        )
        app.state.region = region
        app.state.rate_limiter = RateLimiter.from_settings(settings)
        app.state.write_rate_limiter = RateLimiter(
            settings.write_rate_limit,
            settings.write_rate_window_seconds,
            settings.redis_url,
            prefix="distansguiden:write-rate",
        )
        app.state.agreements = app.state.risk_assessments = app.state.usage = None
        app.state.rest_points = RestPoints(settings.rasa_session_max_events)
        app.state.chat_service = ChatService(
            app.state.rasa,
            seal,
            lambda: current_answerer(app),
            Inbox(partial(app_database, app)),
            record_turn=partial(record_turn, app),
            rest_points=app.state.rest_points,
            region=region,
        )
        app.state.faq_reloader = FaqReloader(
            settings, encoder, partial(setattr, app.state, "faq"), today=clock.today
        )
        app.state.faq = await anyio.to_thread.run_sync(app.state.faq_reloader.load)
        faq_watch_stop = asyncio.Event()
        faq_watch = (
            asyncio.create_task(watch_faq(app.state.faq_reloader, faq_watch_stop))
            if settings.faq_hot_reload
            else None
        )
        executor = ActionExecutor()
        services = Services(
            answerer=lambda: app.state.faq.answerer,
            seal=seal,
            faq_dir=settings.faq_dir,
            clock=clock,
        )
        for action in build_actions(services):
            executor.register_action(action)
        app.state.action_executor = executor
        # The database may be down at start: FAQ answers work at once, the processes as soon
        # as it can be reached and its schema is current (app.state.storage says which).
        database = Database(settings.database_url)
        app.state.storage = Storage(database)
        # The region's calendar system, or None for the app's own store only (DG_CALENDAR).
        app.state.calendar = configured_calendar(settings)
        if not settings.public_base_url:
            log.warning(
                "DG_PUBLIC_URL is not set: links in Teams, e-mail and invitations have no host"
            )
        attach = partial(attach_storage, app, services, settings, region, clock)
        storage_ready = await anyio.to_thread.run_sync(app.state.storage.try_migrate)
        if storage_ready:
            attach()
        storage_opening = (
            None
            if storage_ready
            else asyncio.create_task(app.state.storage.migrate_when_reachable(attach))
        )
        outcome_prompts = (
            asyncio.create_task(ask_for_outcomes_periodically(app, settings.outcome_check_seconds))
            if settings.outcome_check_seconds > 0
            else None
        )
        mailer = mailer_from_settings(settings)
        outbox_drain = (
            asyncio.create_task(
                drain_outbox_periodically(app.state.storage, mailer, settings.outbox_poll_seconds)
            )
            if mailer is not None and settings.outbox_poll_seconds > 0
            else None
        )
        calendar_drain = (
            asyncio.create_task(
                write_calendar_periodically(
                    app.state.storage, app.state.calendar, settings.outbox_poll_seconds
                )
            )
            if app.state.calendar is not None and settings.outbox_poll_seconds > 0
            else None
        )
        app.state.teams = (
            teams.TeamsChannel(
                settings,
                app.state.chat_service,
                load_directory(settings.directory_file),
                database,
                app.state.rate_limiter,
            )
            if settings.teams_configured
            else None
        )
        yield
        if faq_watch is not None:
            faq_watch_stop.set()
            await faq_watch
        for task in (outcome_prompts, outbox_drain, calendar_drain, storage_opening):
            if task is not None:
                task.cancel()
        if app.state.calendar is not None:
            app.state.calendar.close()
        if app.state.teams is not None:
            await app.state.teams.close()
        await app.state.rasa.close()
        await app.state.rate_limiter.close()
        await app.state.write_rate_limiter.close()
        database.dispose()

    # The API's description is for development; production does not publish it.
    published = settings.mode != "production"
    app = FastAPI(
        title="Distansguiden",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json" if published else None,
        docs_url="/docs" if published else None,
        redoc_url="/redoc" if published else None,
    )
    app.state.settings = settings
    # Production users are whoever the SSO token says (bot/api/deps.py current_user).
    app.state.sso = (
        OidcAuthenticator.from_settings(settings) if settings.mode == "production" else None
    )
    install_error_handlers(app)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    app.include_router(chat.router)
    app.include_router(agreements.router)
    app.include_router(my_cases.router)
    app.include_router(pages.router)
    app.include_router(risk_assessments.router)
    app.include_router(risk_assessments.public_router)
    app.include_router(action_plans.router)
    app.include_router(follow_ups.router)
    app.include_router(health.router)
    app.include_router(feedback.router)
    app.include_router(hr.router)
    app.include_router(hr.demo_router)
    app.include_router(hr_entries.router)
    app.include_router(hr_entries.page_router)
    app.include_router(hr_try.router)
    app.include_router(hr_overview.router)
    app.include_router(hr_deliveries.router)
    app.include_router(reports.router)
    app.include_router(rasa_actions.router)
    if settings.teams_configured:
        app.include_router(teams.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    # The page holds no data; everything on it comes from /api/hr, which requires an HR role.
    @app.get("/hr", include_in_schema=False)
    async def hr_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "hr.html")

    if settings.mode == "local":
        app.add_middleware(OnlyThisComputer)
    app.add_middleware(SecurityHeaders)

    return app


class Storage:
    """The app's database and whether its schema is current; until it is, the processes are
    off and FAQ answers still work."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.migrated = False

    def try_migrate(self) -> bool:
        try:
            self.database.migrate()
        except SQLAlchemyError as error:
            log.error("Database unavailable, guided processes off until it answers: %s", error)
            return False
        self.migrated = True
        return True

    async def migrate_when_reachable(self, attach: Callable[[], None]) -> None:
        delay = STORAGE_RETRY_FIRST_SECONDS
        while not await anyio.to_thread.run_sync(self.try_migrate):
            await asyncio.sleep(delay)
            delay = min(delay * 2, STORAGE_RETRY_MAX_SECONDS)
        log.warning("Database reachable again; guided processes on")
        attach()


def attach_storage(
    app: FastAPI, services: Services, settings: Settings, region: Region, clock: Clock
) -> None:
    """Turns on everything that needs the database: the API's services, the actions' services
    and HR's usage figures."""
    database = app.state.storage.database
    agreements = AgreementService(database, load_directory(settings.directory_file), region, clock)
    invitations = InvitationMail(settings.faq_dir) if settings.smtp.configured else None
    risk_assessments = RiskAssessmentService(
        database,
        agreements.directory,
        now=clock.now,
        invitations=invitations,
        calendar=app.state.calendar,
        rules=booking_rules(settings),
        links=PublicLinks(
            settings.public_base_url,
            derive_key(settings.action_token.get_secret_value(), "invitation-link"),
        ),
    )
    app.state.usage = UsageRecorder(database, lambda: current_answerer(app))
    app.state.agreements = services.agreements = agreements
    app.state.risk_assessments = services.risk_assessments = risk_assessments
    app.state.action_plans = ActionPlanService(database, agreements.directory, clock)


def app_database(app: FastAPI) -> Database | None:
    """The app's database once its schema is current (``attach_storage``), else None."""
    agreements: AgreementService | None = app.state.agreements
    return agreements.db if agreements else None


def record_turn(app: FastAPI, user_id: str, text: str, replies: list[BotMessage]) -> None:
    usage: UsageRecorder | None = app.state.usage
    if usage is not None:
        usage.record_turn(user_id, text, replies)


async def ask_for_outcomes_periodically(app: FastAPI, interval: float) -> None:
    """After a risk-assessment dialogue has ended, its manager is asked in chat to document it."""
    while True:
        service: RiskAssessmentService | None = app.state.risk_assessments
        try:
            asked = await anyio.to_thread.run_sync(service.ask_for_outcomes) if service else 0
            if asked:
                log.info("Asked %d managers to document a risk assessment", asked)
        except SQLAlchemyError as error:
            log.warning("Could not look for risk assessments to document: %s", error)
        await asyncio.sleep(interval)


async def write_calendar_periodically(
    storage: Storage, calendar: GuardedCalendar, interval: float
) -> None:
    """Saves the calendar writes the bookings queued (those the calendar did not take at once),
    in a worker thread; any failure is logged and the next round goes on."""
    while True:
        if storage.migrated and not calendar.paused:
            try:
                await anyio.to_thread.run_sync(drain_calendar_writes, storage.database, calendar)
            except Exception:
                log.exception("Could not write the waiting calendar events")
        await asyncio.sleep(interval)


def booking_rules(settings: Settings) -> BookingRules:
    booking = settings.booking
    return BookingRules(
        notice_working_days=booking.notice_working_days,
        search_working_days=booking.search_working_days,
        offers=booking.offers,
    )


async def drain_outbox_periodically(storage: Storage, mailer: Mailer, interval: float) -> None:
    """Sends the e-mail the processes queued, in a worker thread, so SMTP never holds up the
    event loop; any failure is logged and the next round goes on."""
    while True:
        if storage.migrated:
            try:
                await anyio.to_thread.run_sync(drain, storage.database, mailer)
            except Exception:
                log.exception("Could not send the e-mail outbox")
        await asyncio.sleep(interval)


def current_answerer(app: FastAPI) -> FaqAnswerer | None:
    faq = getattr(app.state, "faq", None)
    return faq.answerer if faq else None
