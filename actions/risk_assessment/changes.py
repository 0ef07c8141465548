"""Moving and cancelling a booked risk-assessment dialogue. "kan vi flytta riskbedömningen till
den 18 december kl 14?" moves it at once; "avboka riskbedömningen" asks first, unless a button
named the booking."""

import re
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation.fields import (
    CANCELLED,
    OUTCOME_SLOT,
    REQUESTED_SLOT,
    Field,
    FormContext,
    Prompt,
    fresh_message,
    reset,
)
from actions.conversation.form import GuidedForm
from actions.conversation.reading import Answer, yes_or_no
from actions.conversation.repair import Turn
from actions.risk_assessment.booking import prefill_start
from actions.risk_assessment.meeting import (
    TIME_EXAMPLES,
    TIME_TAKEN,
    RiskAssessmentCompletion,
    RiskAssessmentStep,
    assessment_payload,
    by_email,
    calendar_note,
    choose_booking,
    chosen_assessment,
    find_start,
    invitation_link,
    invitation_markdown,
    manage_buttons,
    online_meeting_note,
    read_start,
    start_prompt,
    time_said,
    when,
)
from actions.services import Services
from bot.errors import Refused
from bot.identity import User
from bot.risk_assessments.meeting_text import find_meeting_time
from bot.risk_assessments.scheduling import STOCKHOLM, swedish_time
from bot.spelling import without_diacritics

RESCHEDULE_FORM = "reschedule_form"
CANCEL_FORM = "cancel_booking_form"
CANCEL_CONFIRMED = "ra_cancel_confirmed"
SLOTS = ("ra_start", "ra_duration", "ra_assessment_id", CANCEL_CONFIRMED)
# A no to cancelling that asks for another time instead.
MOVE_WORDS = re.compile(r"\b(flytta\w*|byta tid|annan tid|ändra tid\w*|move|reschedule)\b")


# "äh, avboka det istället": the meeting is to be cancelled rather than moved (read without
# å/ä/ö). A bare "cancel" stops the move (the meeting stays), as "avbryt" does.
CANCEL_INSTEAD = re.compile(
    r"\b(avboka\w*|stall(?:a|er)? in (?:det|den|motet)|cancel (?:it|the meeting|my meeting|"
    r"the booking)|call (?:it|the meeting) off)\b"
)


NEW_TIME_WORDS = re.compile(r"\b(till|to|istället|i stället|instead)\b")


class ValidateRescheduleForm(GuidedForm):
    form_name = RESCHEDULE_FORM
    field_slots = ("ra_start",)
    noun = "flytten"
    stopped = "Jag har avbrutit. Mötet ligger kvar på samma tid."
    change_intent = "change_risk_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        ctx = self.context(tracker)
        text = str(tracker.latest_message.get("text") or "")
        if (
            fresh_message(tracker, self.form_name)
            and ctx.requested == "ra_start"
            and CANCEL_INSTEAD.search(without_diacritics(text.lower()))
            and find_meeting_time(text, ctx.now()) is None
        ):
            # The same booking, asked about cancelling instead (ValidateCancelBookingForm).
            return [SlotSet(REQUESTED_SLOT, None), FollowupAction(CANCEL_FORM)]
        return await super().run(dispatcher, tracker, domain)

    def fields(self, ctx: FormContext) -> list[Field]:
        return [
            Field(
                slot="ra_start",
                title="Tid",
                prompt=start_prompt,
                reprompt="vilken tid vill ni flytta mötet till?",
                read=read_start,
                find=find_start,
                words=("tid", "tiden", "kl ", "klockan"),
                show=lambda v: swedish_time(datetime.fromisoformat(str(v))),
                hedge_help="Välj en av de lediga tiderna, eller skriv en tid som passar.",
                not_understood=f"Jag förstod inte tiden. {TIME_EXAMPLES}",
            )
        ]


class ActionStartReschedule(RiskAssessmentStep):
    step_name = "action_start_reschedule"

    form_class = ValidateRescheduleForm

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        chosen = choose_booking(
            self.services, user, dispatcher, tracker, "flytta", "reschedule_risk_assessment"
        )
        if chosen is None or chosen.start_at is None or chosen.end_at is None:
            return []
        ctx = self.context(tracker)
        for slot in SLOTS:
            ctx.set(slot, None)
        ctx.set("ra_assessment_id", str(chosen.id))
        ctx.set("ra_duration", (chosen.end_at - chosen.start_at).total_seconds() / 60)
        text = str(tracker.latest_message.get("text") or "")
        said = time_said(text, ctx.now())
        # "flytta mötet på torsdag", "something came up next Thursday": the booked day without
        # a clock time names the meeting, not the new time ("flytta den till torsdag" does).
        names_booked = (
            said is not None
            and said.ambiguous
            and said.start.date() == chosen.start_at.astimezone(STOCKHOLM).date()
            and not NEW_TIME_WORDS.search(text.lower())
        )
        if said is None or names_booked:
            dispatcher.utter_message(
                text=f"Riskbedömningen är bokad {when(chosen)}. Vilken tid vill ni flytta den till?"
            )
        else:
            prefill_start(ctx, dispatcher, text)
            if ctx.get("ra_start"):
                # The new time is clear and free: moved now, no question left to ask.
                moved = move(self.services, user, dispatcher, chosen.id, ctx.get("ra_start"))
                return [*reset(SLOTS), *ctx.events(), *moved]
        return [*reset(SLOTS), *ctx.events(), FollowupAction(RESCHEDULE_FORM)]


class ActionRescheduleRiskAssessment(RiskAssessmentCompletion):
    step_name = "action_reschedule_risk_assessment"
    slots = SLOTS

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        assessment_id = chosen_assessment(tracker)
        if assessment_id is None:
            return reset(SLOTS)
        return move(self.services, user, dispatcher, assessment_id, tracker.get_slot("ra_start"))


def move(
    services: Services,
    user: User,
    dispatcher: CollectingDispatcher,
    assessment_id: int,
    start: Any,
) -> list[EventType]:
    """Moves the booking; a time taken meanwhile is asked for again."""
    assert services.risk_assessments is not None
    try:
        moved = services.risk_assessments.reschedule(
            user, assessment_id, datetime.fromisoformat(str(start))
        )
    except Refused as error:
        dispatcher.utter_message(text=error.text)
        if error.code in TIME_TAKEN:
            return [
                SlotSet("ra_assessment_id", str(assessment_id)),
                SlotSet("ra_start", None),
                FollowupAction(RESCHEDULE_FORM),
            ]
        return reset(SLOTS)
    dispatcher.utter_message(
        json_message={
            "text": f"Mötet är flyttat till {when(moved)}. "
            + invitation_markdown(services, moved, "Den uppdaterade kalenderinbjudan (.ics)")
            + " ersätter den gamla."
            + by_email(services, moved, "Den nya inbjudan")
            + calendar_note(moved)
            + online_meeting_note(services, moved),
            "link": invitation_link(moved),
            "buttons": manage_buttons(moved),
        }
    )
    return reset(SLOTS)


# "då behåller jag den", "låt den ligga kvar", "keep it": the meeting stays.
KEEP_IT = re.compile(
    r"\b(behåll\w*|ligga kvar|ligger kvar|låt den (vara|ligga)|keep (it|the meeting)"
    r"|don'?t cancel)\b"
)


class ValidateCancelBookingForm(GuidedForm):
    """Only "Vill du avboka …?": yes cancels, no keeps the meeting. "avbryt" is read as neither,
    since it could mean either."""

    form_name = CANCEL_FORM
    confirm_slot = CANCEL_CONFIRMED
    noun = "avbokningen"
    stopped = "Bra, mötet ligger kvar som det är."
    change_intent = "change_risk_assessment"
    stop_words_end_it = False
    confirm_intents = ("cancel_risk_assessment",)

    def fields(self, ctx: FormContext) -> list[Field]:
        return []

    def summary(self, ctx: FormContext) -> Prompt:
        assessment_id = chosen_assessment(ctx)
        service = ctx.services.risk_assessments
        description = ""
        if service is not None and ctx.user is not None and assessment_id is not None:
            try:
                description = f" {when(service.get(ctx.user, assessment_id))}"
            except Refused:
                description = ""
        yes = assessment_payload("cancel_risk_assessment", assessment_id) if assessment_id else ""
        return Prompt(
            f"Vill du avboka riskbedömningen{description}?",
            [
                {"title": "Ja, avboka", "payload": yes or "/affirm"},
                {"title": "Nej, behåll mötet", "payload": "/deny"},
            ],
        )

    def no_at_summary(self, turn: Turn) -> None:
        """ "nej, kan vi flytta den till måndag kl 13 istället?": moved, not cancelled."""
        if not self.move_instead(turn):
            turn.stop()

    def read_at_summary(self, turn: Turn) -> bool:
        """ "då behåller jag den" keeps the meeting; a new time alone ("måndag 14 december halv
        tio") moves it. Neither is a yes to cancelling."""
        if turn.message.is_payload:
            return False
        if KEEP_IT.search(turn.message.lowered):
            turn.stop()
            return True
        return yes_or_no(turn.message) is Answer.NONE and self.move_instead(turn, said=False)

    def move_instead(self, turn: Turn, said: bool = True) -> bool:
        """Moves the meeting when the no asks for another time that everybody can meet at; a
        time that needs confirming or that nobody can meet at is said, and the meeting stays.
        ``said``: only when the message says to move it ("flytta", "istället")."""
        ctx, message = turn.ctx, turn.message
        assessment_id = chosen_assessment(ctx)
        if assessment_id is None or ctx.user is None:
            return False
        if said and not MOVE_WORDS.search(message.lowered):
            return False
        reading = read_start(ctx, message)
        if not reading.found and not reading.problem:
            return False
        if reading.problem or reading.confirm:
            turn.say(
                (reading.problem or "")
                + ' Mötet ligger kvar som det är. Skriv "flytta riskbedömningen" och en tid, '
                'till exempel "flytta riskbedömningen till tisdag kl 10".'
            )
        else:
            move(self.services, ctx.user, turn.dispatcher, assessment_id, reading.value)
        ctx.set(OUTCOME_SLOT, CANCELLED)
        ctx.set(REQUESTED_SLOT, None)
        return True


class ActionStartCancelBooking(RiskAssessmentStep):
    """Typed "avboka riskbedömningen" asks first; the "Avboka mötet" button, which names the
    booking, cancels at once."""

    step_name = "action_start_cancel_booking"

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        chosen = choose_booking(
            self.services, user, dispatcher, tracker, "avboka", "cancel_risk_assessment"
        )
        if chosen is None:
            return []
        named = next(tracker.get_latest_entity_values("assessment_id"), None)
        if named and str(tracker.latest_message.get("text") or "").startswith("/"):
            # The button names the booking: that is the confirmation.
            cancel(self.services, user, dispatcher, chosen.id)
            return reset(SLOTS)
        return [
            *reset(SLOTS),
            SlotSet("ra_assessment_id", str(chosen.id)),
            FollowupAction(CANCEL_FORM),
        ]


class ActionCancelRiskAssessment(RiskAssessmentCompletion):
    step_name = "action_cancel_risk_assessment"
    slots = SLOTS

    async def step(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, user: User
    ) -> list[EventType]:
        assessment_id = chosen_assessment(tracker)
        if assessment_id is not None:
            cancel(self.services, user, dispatcher, assessment_id)
        return reset(SLOTS)


def cancel(
    services: Services, user: User, dispatcher: CollectingDispatcher, assessment_id: int
) -> None:
    assert services.risk_assessments is not None
    try:
        cancelled = services.risk_assessments.cancel(user, assessment_id)
    except Refused as error:
        dispatcher.utter_message(text=error.text)
        return
    dispatcher.utter_message(
        json_message={
            "text": f"Riskbedömningen {when(cancelled)} är avbokad. Deltagarna får besked, och "
            + invitation_markdown(services, cancelled, "avbokningen för kalendern (.ics)")
            + " tar bort mötet."
            + by_email(services, cancelled, "Avbokningen"),
            "link": invitation_link(cancelled),
            "buttons": [{"title": "Boka en ny tid", "payload": "/book_risk_assessment"}],
        }
    )
