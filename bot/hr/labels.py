"""The Swedish words HR reads for the codes the service stores: FAQ topics, agreement and
risk-assessment statuses, queue reasons and statuses, roles, audit actions, and what kind of
delivery was given up and what it was about.

One place, so the HR page, its charts and its agreement list say the same thing; the page gets
them from ``GET /api/hr/labels``. Codes stay English in the store and the API (they are
identifiers); only what a person reads is translated.
"""

from collections.abc import Mapping
from typing import Literal

from bot.agreements.document import PLACE_KINDS as PRINTED_PLACE_KINDS
from bot.agreements.document import STATUS_TEXT
from bot.faq.topics import TOPIC_LABELS
from bot.storage.models import NoticeKind, RiskAssessmentStatus

# The FAQ topics' labels live with the topics (HR's entry editor offers them in that order).
TOPICS: Mapping[str, str] = TOPIC_LABELS
# As the printed agreement states them.
AGREEMENT_STATUSES: Mapping[str, str] = STATUS_TEXT
RISK_ASSESSMENT_STATUSES: Mapping[str, str] = {
    RiskAssessmentStatus.BOOKED: "Bokad",
    RiskAssessmentStatus.HELD: "Genomförd, inte dokumenterad",
    RiskAssessmentStatus.DOCUMENTED: "Dokumenterad",
    RiskAssessmentStatus.CANCELLED: "Avbokad",
}
# Why a question is in HR's review queue (bot/hr/recording.py).
QUEUE_REASONS: Mapping[str, str] = {
    "low_confidence": "Inget säkert svar",
    "clarified": "Fick frågan ”Menade du …?”",
    "thumbs_down": "Tummen ned",
    "out_of_scope": "Inte om distansarbete",
}
QUEUE_STATUSES: Mapping[str, str] = {
    "open": "Öppen",
    "resolved": "Hanterad",
    "discarded": "Kastad",
}
ROLES: Mapping[str, str] = {
    "employee": "Medarbetare",
    "manager": "Chef",
    "safety_representative": "Skyddsombud",
    "hr_editor": "HR-redaktör",
    "hr_admin": "HR-administratör",
    "system": "Systemet",
}
# Every action the audit trail records (bot/hr/audit.py's callers); a unit test keeps this
# complete.
AUDIT_ACTIONS: Mapping[str, str] = {
    "faq_alternates_added": "Alternativa frågor tillagda",
    "faq_draft_created": "Utkast till ny post skapat",
    # HR's entry editor (bot/hr/editor.py), one per origin of a version (bot/hr/versions.py).
    "faq_entry_created": "FAQ-post skapad",
    "faq_entry_saved": "FAQ-post ändrad",
    "faq_entry_restored": "Tidigare version av FAQ-post återställd",
    "faq_entry_found": "Ändring gjord direkt i FAQ-filen",
    "review_item_resolved": "Fråga i kön markerad som hanterad",
    # A given-up Teams message, e-mail or calendar write (bot/hr/deliveries.py).
    "delivery_handled": "Meddelande som inte kom fram markerat som hanterat",
    "review_item_discarded": "Fråga i kön kastad",
    "user_erased": "Användares uppgifter raderade",
}
PLACE_KINDS: Mapping[str, str] = PRINTED_PLACE_KINDS
# How a given-up delivery was to reach its recipient (bot/hr/deliveries.py).
DELIVERY_CHANNELS: Mapping[str, str] = {
    "teams": "Teams-meddelande",
    "email": "E-post",
    "calendar": "Kalenderhändelse",
}
# What a chat or Teams notice is about (NoticeKind).
NOTICE_KINDS: Mapping[str, str] = {
    NoticeKind.AGREEMENT_SUBMITTED: "Ny ansökan om distansarbete att besluta",
    NoticeKind.AGREEMENT_WITHDRAWN: "Ansökan om distansarbete återtagen",
    NoticeKind.WORKPLACE_ADDRESS: "Ny adress till distansarbetsplatsen",
    NoticeKind.AGREEMENT_DECIDED: "Beslut om distansarbete",
    NoticeKind.AGREEMENT_EXPIRING: "Påminnelse: överenskommelsen löper snart ut",
    NoticeKind.RISK_ASSESSMENT_BOOKED: "Riskbedömning bokad",
    NoticeKind.RISK_ASSESSMENT_MOVED: "Riskbedömning flyttad",
    NoticeKind.RISK_ASSESSMENT_CANCELLED: "Riskbedömning avbokad",
    NoticeKind.OUTCOME_REQUESTED: "Begäran att dokumentera riskbedömningen",
    NoticeKind.FOLLOW_UP_RECORDED: "Uppföljning registrerad",
    NoticeKind.RISK_ASSESSMENT_FOLLOW_UP: "Påminnelse: följ upp riskbedömningen",
    NoticeKind.ACTION_DUE: "Påminnelse: åtgärd i handlingsplanen",
    NoticeKind.AGREEMENT_FOLLOW_UP: "Påminnelse: följ upp överenskommelsen",
}

Kind = Literal[
    "topics",
    "agreement_statuses",
    "risk_assessment_statuses",
    "queue_reasons",
    "queue_statuses",
    "roles",
    "audit_actions",
    "place_kinds",
    "delivery_channels",
    "notice_kinds",
]
LABELS: Mapping[Kind, Mapping[str, str]] = {
    "topics": TOPICS,
    "agreement_statuses": AGREEMENT_STATUSES,
    "risk_assessment_statuses": RISK_ASSESSMENT_STATUSES,
    "queue_reasons": QUEUE_REASONS,
    "queue_statuses": QUEUE_STATUSES,
    "roles": ROLES,
    "audit_actions": AUDIT_ACTIONS,
    "place_kinds": PLACE_KINDS,
    "delivery_channels": DELIVERY_CHANNELS,
    "notice_kinds": NOTICE_KINDS,
}
# What an unlisted code is called: the code is kept so HR can tell a developer which one.
UNNAMED: Mapping[Kind, str] = {
    "topics": "Ämne utan svenskt namn",
    "agreement_statuses": "Okänd status",
    "risk_assessment_statuses": "Okänd status",
    "queue_reasons": "Annat skäl",
    "queue_statuses": "Okänd status",
    "roles": "Okänd roll",
    "audit_actions": "Annan ändring",
    "place_kinds": "Annan plats",
    "delivery_channels": "Annat sätt",
    "notice_kinds": "Meddelande",
}


def label(kind: Kind, code: str) -> str:
    """The Swedish word for ``code``; an unlisted code says so in Swedish and names the code."""
    known = LABELS[kind].get(code)
    return known if known is not None else f"{UNNAMED[kind]} ({code})"


def all_labels() -> dict[str, dict[str, str]]:
    """Every mapping by kind, for the page (the enums' keys as their plain values)."""
    return {
        kind: {str(code): text for code, text in mapping.items()}
        for kind, mapping in LABELS.items()
    }
