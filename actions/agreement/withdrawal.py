"""Taking back a request that waits for a decision: "jag vill dra tillbaka min ansökan, jag har
fått nytt jobb". The request is shown and the user confirms before anything changes; the manager
is told (``AgreementService.withdraw``). A request already decided is not taken back here:
ending an agreement is a talk with the manager.
"""

import logging
import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.agreement.decision_fields import REFERENCE
from actions.agreement.fields import swedish_date
from actions.agreement.request import AgreementCompletion, AgreementStep
from actions.conversation.fields import Field, FormContext, Prompt, reset
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Answer, yes_or_no
from actions.conversation.repair import Turn
from actions.conversation.steps import not_stored
from bot.agreements.service import AgreementService
from bot.errors import Refused
from bot.identity import User
from bot.storage.models import Agreement, AgreementStatus

log = logging.getLogger(__name__)

FORM = "withdraw_form"
CONFIRM_SLOT = "withdraw_confirmed"
CHOSEN_SLOT = "withdrawal_id"
SLOTS = (CONFIRM_SLOT, CHOSEN_SLOT)
NOTHING_WITHDRAWN = ("Ansökan ligger kvar.", "The request is still there.")
# "nej, låt den vara", "behåll den", "keep it": the request stays.
KEEP_IT = re.compile(
    r"\b(behåll\w*|behall\w*|låt den (vara|ligga)|lat den (vara|ligga)|ligga kvar|ligger kvar|"
    r"keep (it|the request|my request)|leave it)\b"
)
NOTHING_WAITING = (
    "Du har ingen ansökan som väntar på beslut, så det finns inget att ta tillbaka. Ett avtal "
    "som redan är beviljat avslutar du i samtal med din chef."
)


class ValidateWithdrawForm(GuidedForm):
    """Only "Vill du ta tillbaka ansökan …?": yes takes it back, no keeps it. "avbryt" is read as
    neither, since it could mean either."""

    form_name = FORM
    confirm_slot = CONFIRM_SLOT
    noun = "återtagandet"
    stopped = "Bra, ansökan ligger kvar hos din chef som den är."
    change_intent = "change_agreement"
    stop_words_end_it = False
    confirm_intents = ("withdraw_agreement",)

    def fields(self, ctx: FormContext) -> list[Field]:
        return []

    def summary(self, ctx: FormContext) -> Prompt:
        chosen = chosen_request(ctx)
        described = f" {describe(chosen)}" if chosen is not None else ""
        return Prompt(
            f"Vill du ta tillbaka ansökan{described}? Din chef får veta att den är tillbakatagen.",
            [
                {"title": "Ja, ta tillbaka den", "payload": "/affirm"},
                {"title": "Nej, behåll ansökan", "payload": "/deny"},
            ],
        )

    def no_at_summary(self, turn: Turn) -> None:
        turn.stop()

    def read_at_summary(self, turn: Turn) -> bool:
        """ "nej, låt den vara" and "behåll den" keep the request, whatever else they say."""
        if turn.message.is_payload or not KEEP_IT.search(turn.message.lowered):
            return False
        if yes_or_no(turn.message) is Answer.YES and not turn.message.lowered.startswith("ja"):
            return False
        turn.stop()
        return True


def withdraw_payload(agreement_id: int) -> str:
    """The button that takes one request back (asked about first)."""
    return f'/withdraw_agreement{{"agreement_id": "{agreement_id}"}}'


def describe(agreement: Agreement) -> str:
    """ "DA-2027-00012 (40 % på distans, 1 januari 2027 – 30 juni 2027)"."""
    return (
        f"{agreement.reference} ({agreement.share_percent} % på distans, "
        f"{swedish_date(agreement.start_date)} – {swedish_date(agreement.end_date)})"
    )


def chosen_request(ctx: FormContext) -> Agreement | None:
    chosen, agreements = ctx.get(CHOSEN_SLOT), ctx.services.agreements
    if chosen is None or agreements is None or ctx.user is None:
        return None
    try:
        return agreements.get(ctx.user, int(chosen))
    except (Refused, ValueError):
        return None


def waiting_requests(agreements: AgreementService | None, user: User) -> list[Agreement]:
    """The user's own requests that no one has decided on yet."""
    assert agreements is not None
    return [
        a
        for a in agreements.visible_to(user)
        if a.employee_id == user.id and a.status == AgreementStatus.SUBMITTED
    ]


# "den första", "the old one", "den nya": a request by its place among those waiting.
FIRST = re.compile(r"\b(första|forsta|äldsta|aldsta|gamla|first|oldest|old|earlier|tidigare)\b")
LAST = re.compile(r"\b(senaste|nya|nyaste|latest|new|newest|newer|second|andra)\b")
MONTH_STEMS = (
    "jan", "feb", "mar", "apr", ("maj", "may"), "jun", "jul", "aug", "sep", ("okt", "oct"), "nov",
    "dec",
)  # fmt: skip
MONTH_SAID = re.compile(
    r"\b(jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec)\w*\s*(?:-|–|till|to|until)\s*"
    r"(jan|feb|mar|apr|maj|may|jun|jul|aug|sep|okt|oct|nov|dec)\w*"
)


def month_number(stem: str) -> int:
    return next(
        n
        for n, said in enumerate(MONTH_STEMS, start=1)
        if stem == said or (isinstance(said, tuple) and stem in said)
    )


def described_request(waiting: list[Agreement], text: str) -> Agreement | None:
    """The one waiting request ``text`` describes by its months ("den för jan-juni") or its
    place among them ("den första", "den nya"); None when it names none, or several."""
    lowered = text.lower()
    if months := MONTH_SAID.search(lowered):
        start, end = (month_number(m) for m in months.groups())
        fitting = [a for a in waiting if (a.start_date.month, a.end_date.month) == (start, end)]
        if len(fitting) == 1:
            return fitting[0]
    ordered = sorted(waiting, key=lambda a: a.id)
    if len(ordered) == 2 and FIRST.search(lowered) and not LAST.search(lowered):
        return ordered[0]
    if len(ordered) == 2 and LAST.search(lowered) and not FIRST.search(lowered):
        return ordered[1]
    return None


class ActionStartWithdrawal(AgreementStep):
    """Shows the request to take back and asks; with several waiting, asks which first."""

    step_name = "action_start_withdrawal"
    slots = SLOTS
    form_class = ValidateWithdrawForm

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        waiting = waiting_requests(self.services.agreements, user)
        if not waiting:
            dispatcher.utter_message(text=NOTHING_WAITING)
            return reset(SLOTS)
        text = str(tracker.latest_message.get("text") or "")
        named = next(tracker.get_latest_entity_values("agreement_id"), None)
        said = REFERENCE.search(text)
        chosen = [
            a
            for a in waiting
            if str(a.id) == str(named) or (said is not None and a.reference == said[0].upper())
        ]
        if not chosen and (named or said):
            # Someone else's, decided already, or mistyped: never another request instead.
            dispatcher.utter_message(
                text="Den ansökan väntar inte på beslut hos dig, så den kan du inte ta tillbaka."
            )
        elif not chosen and len(waiting) == 1:
            chosen = waiting
        elif not chosen and (described := described_request(waiting, text)) is not None:
            # "den första ansökan, den för jan-juni": the one it describes.
            chosen = [described]
        if len(chosen) != 1:
            dispatcher.utter_message(
                text="Du har flera ansökningar som väntar på beslut. Vilken vill du ta tillbaka?"
                if len(waiting) > 1
                else "Din ansökan som väntar på beslut är den här:",
                buttons=[
                    {"title": describe(a), "payload": withdraw_payload(a.id)} for a in waiting
                ],
            )
            return reset(SLOTS)
        return [*reset(SLOTS), SlotSet(CHOSEN_SLOT, str(chosen[0].id)), FollowupAction(FORM)]


class ActionWithdrawAgreement(AgreementCompletion):
    step_name = "action_withdraw_agreement"
    slots = SLOTS

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        chosen = tracker.get_slot(CHOSEN_SLOT)
        assert self.services.agreements is not None
        if chosen is None:
            return reset(SLOTS)
        try:
            agreement = self.services.agreements.withdraw(user, int(chosen))
        except Refused as error:
            dispatcher.utter_message(text=error.text)
            return reset(SLOTS)
        except SQLAlchemyError as error:
            return not_stored(
                dispatcher, tracker, ValidateWithdrawForm, error, "a withdrawal", NOTHING_WITHDRAWN
            )
        dispatcher.utter_message(
            text=(
                f"Klart. Ansökan {agreement.reference} är tillbakatagen och din chef har fått "
                'veta det. Vill du söka igen senare skriver du "jag vill ansöka om distansarbete".'
            )
        )
        return reset(SLOTS)
