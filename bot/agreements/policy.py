"""Checks an agreement request against the region's policy.

Every refusal explains the rule in plain Swedish and names its source, so the employee can
correct the answer instead of guessing.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from bot.regions import AgreementPolicy


@dataclass(frozen=True)
class PolicyProblem:
    text: str


def check_share(share: float | None, policy: AgreementPolicy) -> PolicyProblem | None:
    if share is None:
        return PolicyProblem(
            "Jag förstod inte hur stor del av arbetstiden du vill arbeta på distans. "
            "Skriv till exempel 40 %, hälften eller två dagar i veckan."
        )
    if share <= 0 or share > 100:
        return PolicyProblem("Andelen måste vara mer än 0 och högst 100 procent av arbetstiden.")
    if policy.max_share_percent is not None and share > policy.max_share_percent:
        return PolicyProblem(
            f"Enligt regionens regel får distansarbete vara högst {policy.max_share_percent} % "
            f"av arbetstiden (källa: {policy.source}). Ange en lägre andel."
        )
    return None


def check_start(start: date | None, today: date) -> PolicyProblem | None:
    if start is None:
        return PolicyProblem(
            "Jag förstod inte datumet. Skriv till exempel 1 januari, nästa måndag eller 2027-01-15."
        )
    if start < today:
        return PolicyProblem(
            f"Startdatumet {start.isoformat()} har redan varit. Ange i dag eller ett senare datum."
        )
    return None


def check_end(start: date, end: date | None, policy: AgreementPolicy) -> PolicyProblem | None:
    if end is None:
        return PolicyProblem(
            "Jag förstod inte slutdatumet. Skriv till exempel 31 december 2027 eller 2027-12-31."
        )
    if end <= start:
        return PolicyProblem(f"Slutdatumet måste komma efter startdatumet ({start.isoformat()}).")
    if policy.max_duration_months is not None:
        latest = latest_end(start, policy.max_duration_months)
        if end > latest:
            return PolicyProblem(
                f"En distansöverenskommelse får gälla i högst {policy.max_duration_months} månader "
                f"(källa: {policy.source}). Välj ett slutdatum senast {latest.isoformat()}."
            )
    return None


def latest_end(start: date, months: int) -> date:
    """The last day of a period of ``months`` starting on ``start``."""
    return start + relativedelta(months=months, days=-1)
