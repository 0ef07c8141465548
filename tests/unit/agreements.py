"""Agreements as a test needs them before the conversation it plays: a request sent and waiting."""

from datetime import date

from bot.agreements.service import AgreementRequest, AgreementService
from bot.identity import demo_directory
from bot.storage.models import Agreement


def waiting_request(
    service: AgreementService,
    employee: str = "anna.andersson",
    equipment: list[str] | None = None,
    start: date = date(2027, 1, 1),
    end: date = date(2027, 6, 30),
) -> Agreement:
    """A request of 40 % at home, by default for the first half of 2027, sent and waiting."""
    return service.submit(
        AgreementRequest(
            employee=demo_directory().get(employee),  # type: ignore[arg-type]
            share_percent=40,
            place_kind="home",
            place_description="Hemma",
            start_date=start,
            end_date=end,
            tasks="Utredningar",
            equipment=equipment or [],
            it_security_confirmed=True,
            submission_key=f"test-{employee}-{start}",
        )
    )
