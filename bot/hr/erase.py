"""Erasure of what the assistant stored about one user (GDPR art. 17)::

    python -m bot.hr.erase <user_id> [--by <hr user id>]

Removed: the user's questions in the review queue, their usage and feedback events, waiting
chat notifications, Teams conversation references, busy times, and their conversations in Rasa's
tracker store. Kept: remote-work agreements, their event history and risk assessments. The
employer must keep these in the personnel file (arkivlagen 1990:782 and the region's
dokumenthanteringsplan; Arbetsmiljöverket AFS 2023:1 for documented risk assessments), so they
are erased through the records-management routine, not here.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import delete

from bot.hr.audit import SYSTEM_ACTOR, record_change
from bot.hr.recording import user_key
from bot.hr.retention import deleted
from bot.hr.tracker_store import erase_conversations_of, tracker_store_url
from bot.identity import load_directory
from bot.identity_seal import IdentitySeal
from bot.settings import get_settings, shared_secret
from bot.storage.database import Database
from bot.storage.models import (
    BusyTime,
    ConversationReference,
    FaqUsageEvent,
    Notification,
    ReviewItem,
)


@dataclass(frozen=True)
class Erased:
    review_items: int
    usage_events: int
    notifications: int
    conversation_references: int
    busy_times: int
    conversation_events: int


def erase_user(
    db: Database,
    user_id: str,
    actor_id: str,
    actor_role: str,
    tracker_url: str | None = None,
    seal: IdentitySeal | None = None,
) -> Erased:
    """Deletes the user's chat-derived data and writes one audit record (the user appears in it
    only as the hashed key); returns the counts. Conversations in Rasa's tracker store are found
    by the user's pseudonym, so they are erased only with the tracker store and the seal."""
    key = user_key(user_id)
    with db.session() as session:
        counts = {
            "review_items": deleted(session, delete(ReviewItem).where(ReviewItem.user_key == key)),
            "usage_events": deleted(
                session, delete(FaqUsageEvent).where(FaqUsageEvent.user_key == key)
            ),
            "notifications": deleted(
                session, delete(Notification).where(Notification.recipient_id == user_id)
            ),
            "conversation_references": deleted(
                session,
                delete(ConversationReference).where(ConversationReference.user_id == user_id),
            ),
            "busy_times": deleted(session, delete(BusyTime).where(BusyTime.user_id == user_id)),
        }
        counts["conversation_events"] = (
            erase_conversations_of(tracker_url, seal.author(user_id)) if tracker_url and seal else 0
        )
        record_change(
            session,
            actor_id,
            actor_role,
            "user_erased",
            f"user:{key}",
            detail=json.dumps(counts),
        )
    return Erased(**counts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.hr.erase",
        description="Radera allt som assistenten lagrat om en användare (utom överenskommelser "
        "och riskbedömningar, som ska bevaras i personalakten).",
    )
    parser.add_argument("user_id", help="användarens id i katalogen, t.ex. anna.andersson")
    parser.add_argument("--by", default=SYSTEM_ACTOR, help="vem som begär raderingen (HR-id)")
    args = parser.parse_args(argv)
    settings = get_settings()
    actor = load_directory(settings.directory_file).get(args.by)
    db = Database(settings.database_url)
    try:
        db.migrate()
        erased = erase_user(
            db,
            args.user_id,
            args.by,
            actor.role if actor else SYSTEM_ACTOR,
            tracker_store_url(settings),
            IdentitySeal(shared_secret(settings)),
        )
    finally:
        db.dispose()
    print(f"Raderat för {args.user_id}:")
    for name, count in asdict(erased).items():
        print(f"  {name}: {count}")
    print("Kvar (ska bevaras i personalakten): distansöverenskommelser och riskbedömningar.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
