"""The agreement store and its rules, on SQLite and on PostgreSQL."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import select

from bot.agreements.service import AgreementRequest, AgreementService
from bot.clock import Clock
from bot.errors import Refused
from bot.identity import demo_directory
from bot.regions import load_region
from bot.settings import get_settings
from bot.storage.database import Database
from bot.storage.models import AgreementEvent, Notification
from tests.conftest import postgres_schema
from tests.faults import database_error


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "postgresql":
        with postgres_schema() as database:
            yield database
        return
    database = Database(f"sqlite:///{tmp_path}/agreements.db")
    database.migrate()
    yield database
    database.dispose()


# After every date the tests document a risk assessment on.
CLOCK = Clock.frozen(datetime(2027, 12, 1, 9))


def service(db: Database, region: str = "vasternorrland") -> AgreementService:
    return AgreementService(
        db, demo_directory(), load_region(get_settings().regions_dir, region), CLOCK
    )


def request(**changes: object) -> AgreementRequest:
    base = AgreementRequest(
        employee=demo_directory().get("anna.andersson"),  # type: ignore[arg-type]
        share_percent=40,
        place_kind="home",
        place_description="Hemma i Härnösand",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
        tasks="Rapportskrivning",
        equipment=["Bärbar dator"],
        it_security_confirmed=True,
        submission_key="key-1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def user(user_id: str):  # type: ignore[no-untyped-def]
    return demo_directory().get(user_id)


def test_submit_stores_a_request_with_a_reference_and_tells_the_manager(db: Database) -> None:
    agreement = service(db).submit(request())
    assert agreement.reference == f"DA-2027-{agreement.id:05d}"
    assert agreement.status == "submitted"
    assert agreement.manager_id == "maria.berg"
    with db.session() as session:
        (note,) = session.scalars(select(Notification)).all()
        assert note.recipient_id == "maria.berg"
        assert agreement.reference in note.text
        assert [e.action for e in session.scalars(select(AgreementEvent))] == ["submitted"]


def test_double_submission_stores_one_request(db: Database) -> None:
    first = service(db).submit(request())
    second = service(db).submit(request())
    assert first.id == second.id
    assert len(service(db).visible_to(user("hanna.holm"))) == 1


def test_visibility_follows_roles(db: Database) -> None:
    agreements = service(db)
    agreement = agreements.submit(request())
    assert [a.id for a in agreements.visible_to(user("anna.andersson"))] == [agreement.id]
    assert [a.id for a in agreements.visible_to(user("maria.berg"))] == [agreement.id]
    assert [a.id for a in agreements.visible_to(user("hanna.holm"))] == [agreement.id]
    assert agreements.visible_to(user("johan.lind")) == []
    assert agreements.visible_to(user("erik.ek")) == []
    with pytest.raises(Refused) as hidden:
        agreements.get(user("johan.lind"), agreement.id)
    assert hidden.value.status == 404


def test_another_manager_cannot_decide(db: Database) -> None:
    agreements = service(db)
    agreement = agreements.submit(request())
    with pytest.raises(Refused) as refused:
        agreements.decide(user("johan.lind"), agreement.id, approve=False, reason="nej")
    assert refused.value.status == 404
    with pytest.raises(Refused) as employee:
        agreements.decide(user("anna.andersson"), agreement.id, approve=True)
    assert employee.value.code == "not_the_manager"


def test_approval_waits_for_a_documented_risk_assessment(db: Database) -> None:
    agreements = service(db)
    agreement = agreements.submit(request())
    with pytest.raises(Refused) as blocked:
        agreements.decide(user("maria.berg"), agreement.id, approve=True)
    assert blocked.value.code == "risk_assessment_missing"
    assert agreements.get(user("maria.berg"), agreement.id).status == "submitted"
    agreements.register_risk_assessment(
        user("maria.berg"), agreement.id, "Ergonomi ok, bildskärm lånas ut.", date(2026, 11, 20)
    )
    approved = agreements.decide(user("maria.berg"), agreement.id, approve=True)
    assert approved.status == "approved"
    assert approved.decided_by == "maria.berg"
    # The service's clock, not the host's: a report counts the decision in the clock's year.
    assert approved.decided_at is not None and approved.decided_at.date() == CLOCK.today()
    with pytest.raises(Refused) as again:
        agreements.decide(user("maria.berg"), agreement.id, approve=False, reason="ångrar")
    assert again.value.code == "already_decided"


def test_rejection_needs_a_reason_and_tells_the_employee(db: Database) -> None:
    agreements = service(db)
    agreement = agreements.submit(request())
    with pytest.raises(Refused) as no_reason:
        agreements.decide(user("maria.berg"), agreement.id, approve=False)
    assert no_reason.value.code == "reason_required"
    rejected = agreements.decide(
        user("maria.berg"), agreement.id, approve=False, reason="Bemanning"
    )
    assert rejected.status == "rejected"
    with db.session() as session:
        notes = session.scalars(
            select(Notification).where(Notification.recipient_id == "anna.andersson")
        )
        assert any("Skäl: Bemanning" in n.text for n in notes)


def test_a_failed_write_leaves_nothing_half_written(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreements = service(db)

    failing = database_error("INSERT", "disk full")
    monkeypatch.setattr(AgreementService, "_record", staticmethod(failing))
    with pytest.raises(sqlalchemy.exc.OperationalError):
        agreements.submit(request())
    monkeypatch.undo()
    assert agreements.visible_to(user("hanna.holm")) == []
    with db.session() as session:
        assert session.scalars(select(Notification)).all() == []


def test_approving_a_new_agreement_renews_the_one_in_force(db: Database) -> None:
    agreements = service(db)
    old = agreements.submit(request(submission_key="old"))
    with db.session() as session:
        session.get(type(old), old.id).status = "expiring"  # type: ignore[union-attr]
    new = agreements.submit(
        request(submission_key="new", start_date=date(2028, 1, 1), end_date=date(2028, 12, 31))
    )
    agreements.register_risk_assessment(
        user("maria.berg"), new.id, "Oförändrat.", date(2027, 11, 1)
    )
    agreements.decide(user("maria.berg"), new.id, approve=True)
    assert agreements.get(user("hanna.holm"), old.id).status == "renewed"
    assert agreements.get(user("hanna.holm"), new.id).status == "approved"


def test_an_overlapping_pending_request_is_refused_unless_it_replaces_it(db: Database) -> None:
    agreements = service(db)
    first = agreements.submit(request(submission_key="first"))
    overlapping = request(submission_key="second", start_date=date(2027, 6, 1))
    with pytest.raises(Refused) as refused:
        agreements.submit(overlapping)
    assert refused.value.code == "overlapping_request" and first.reference in refused.value.text
    later = agreements.submit(
        request(submission_key="later", start_date=date(2028, 1, 1), end_date=date(2028, 6, 30))
    )
    assert later.status == "submitted", "a request for another period is no overlap"
    replacing = agreements.submit(replace(overlapping, replaces=first.id))
    hr = user("hanna.holm")
    assert agreements.get(hr, first.id).status == "withdrawn"
    assert agreements.get(hr, replacing.id).status == "submitted"
    with db.session() as session:
        events = [e.action for e in session.scalars(select(AgreementEvent))]
        notes = [n.text for n in session.scalars(select(Notification))]
    assert "withdrawn" in events
    assert any(f"ersätter {first.reference}" in note for note in notes)


def test_only_the_applicant_withdraws_an_undecided_request(db: Database) -> None:
    agreements = service(db)
    agreement = agreements.submit(request())
    with pytest.raises(Refused) as manager:
        agreements.withdraw(user("maria.berg"), agreement.id)
    assert manager.value.code == "not_your_request"
    assert agreements.withdraw(user("anna.andersson"), agreement.id).status == "withdrawn"
    with pytest.raises(Refused) as again:
        agreements.withdraw(user("anna.andersson"), agreement.id)
    assert again.value.code == "already_decided"


def test_hr_never_decides_their_own_request(db: Database) -> None:
    agreements = service(db)
    hr = user("hanna.holm")
    own = agreements.submit(request(employee=hr.model_copy(update={"manager": "maria.berg"})))
    with pytest.raises(Refused) as refused:
        agreements.decide(hr, own.id, approve=True)
    assert refused.value.code == "own_request"
    with pytest.raises(Refused) as registered:
        agreements.register_risk_assessment(hr, own.id, "Inga risker.", date(2027, 11, 1))
    assert registered.value.code == "own_request"


def test_a_risk_assessment_is_never_registered_with_a_future_date(db: Database) -> None:
    agreements = service(db)
    agreement = agreements.submit(request())
    with pytest.raises(Refused) as refused:
        agreements.register_risk_assessment(
            user("maria.berg"), agreement.id, "Inga risker.", date(2030, 1, 1)
        )
    assert refused.value.code == "documented_in_the_future"
    assert agreements.get(user("maria.berg"), agreement.id).risk_assessment_id is None


def test_a_request_from_the_chat_can_carry_the_workplace_address(db: Database) -> None:
    agreements = service(db)
    given = agreements.submit(request(workplace_address=" Storgatan 5,\n 871 31  Härnösand "))
    assert given.workplace_address == "Storgatan 5, 871 31 Härnösand"
    without = agreements.submit(
        request(submission_key="key-2", start_date=date(2028, 1, 1), end_date=date(2028, 6, 30))
    )
    assert without.workplace_address is None
    with pytest.raises(Refused) as refused:
        agreements.submit(
            request(
                submission_key="key-3",
                start_date=date(2029, 1, 1),
                end_date=date(2029, 6, 30),
                workplace_address="Storgatan 5, anna@example.org",
            )
        )
    assert refused.value.code == "invalid_workplace_address"


def test_the_workplace_address_is_recorded_in_the_agreements_history(db: Database) -> None:
    agreements = service(db)
    agreement = agreements.submit(request())
    agreements.set_workplace_address(user("anna.andersson"), agreement.id, "Storgatan 5")
    agreements.set_workplace_address(user("anna.andersson"), agreement.id, "Storgatan 5")
    agreements.set_workplace_address(user("maria.berg"), agreement.id, "Storgatan 7")
    with db.session() as session:
        history = [
            (e.actor_id, e.action)
            for e in session.scalars(select(AgreementEvent).order_by(AgreementEvent.id))
        ]
    assert history == [
        ("anna.andersson", "submitted"),
        ("anna.andersson", "workplace_address_given"),
        ("maria.berg", "workplace_address_changed"),
    ]
    assert agreements.get(user("hanna.holm"), agreement.id).workplace_address == "Storgatan 7"
