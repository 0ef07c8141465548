"""What the actions work with, handed to them by the app: the actions hold no state of their own."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rasa_sdk import Tracker

from bot.agreements.service import AgreementService
from bot.clock import Clock
from bot.faq.answering import FaqAnswerer
from bot.identity import Directory, User
from bot.identity_seal import IdentitySeal
from bot.risk_assessments.action_plans import ActionPlanService
from bot.risk_assessments.follow_ups import FollowUpService
from bot.risk_assessments.service import RiskAssessmentService
from bot.settings import PROJECT_ROOT


@dataclass
class Services:
    """``answerer`` is a provider: HR's edits replace the FAQ index without a restart. The
    agreement and risk-assessment services are None while the database cannot be reached."""

    answerer: Callable[[], FaqAnswerer]
    # Opens the identity the app sealed into each message (bot/identity_seal.py).
    seal: IdentitySeal
    agreements: AgreementService | None = None
    risk_assessments: RiskAssessmentService | None = None
    faq_dir: Path = PROJECT_ROOT / "faq"
    clock: Clock = field(default_factory=Clock)

    @property
    def follow_ups(self) -> FollowUpService | None:
        """Held follow-ups, on the agreements' database and region; None without it."""
        agreements = self.agreements
        if agreements is None:
            return None
        return FollowUpService(agreements.db, agreements.region, self.clock, agreements.directory)

    @property
    def action_plans(self) -> ActionPlanService | None:
        """The risk assessments' action plans; None without the database."""
        agreements = self.agreements
        if agreements is None:
            return None
        return ActionPlanService(agreements.db, agreements.directory, self.clock)

    @property
    def directory(self) -> Directory | None:
        if self.agreements is not None:
            return self.agreements.directory
        return self.risk_assessments.directory if self.risk_assessments else None

    def user(self, tracker: Tracker) -> User | None:
        """The signed-in user who wrote the latest message, never anyone the text names: the
        app's seal, opened for this conversation. A message that did not come through the app
        (forged, replayed from another conversation, or expired) has no user."""
        sealed = (tracker.latest_message.get("metadata") or {}).get("identity")
        user_id = self.seal.open(sealed, tracker.sender_id)
        directory = self.directory
        if directory is None or user_id is None:
            return None
        return directory.get(user_id)
