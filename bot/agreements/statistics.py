"""Aggregate figures about remote-work agreements for HR follow-up: counts only, no names."""

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from bot.hr.charts import Bar, Chart, bar_chart
from bot.hr.labels import label
from bot.storage.models import Agreement, AgreementStatus

# Statuses under which the employee may (or soon may) work remotely.
IN_FORCE = (AgreementStatus.APPROVED, AgreementStatus.ACTIVE, AgreementStatus.EXPIRING)
# 41–49 is its own bucket because 49 % is Västernorrland's ceiling. The "%" in the labels
# also keeps Excel from reading "1-20" as a date.
SHARE_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("1–20 %", 1, 20),
    ("21–40 %", 21, 40),
    ("41–49 %", 41, 49),
    ("50–80 %", 50, 80),
    ("81–100 %", 81, 100),
)
EXPIRY_HORIZONS_DAYS = (30, 90)

Statistics = dict[str, dict[str, int]]


def agreement_statistics(session: Session, today: date) -> Statistics:
    """Returns the figures by section, each a mapping of key to count.

    - ``in_force_per_unit``: agreements in force (approved, active, expiring) per unit;
    - ``share_percent``: agreements in force per share-of-working-time bucket;
    - ``expiring_within_days``: agreements in force ending between today and today + 30 / 90;
    - ``per_status``: all agreements per status, every known status listed (zero included).
    """
    in_force = Agreement.status.in_([status.value for status in IN_FORCE])

    per_unit = session.execute(
        select(Agreement.unit, func.count())
        .where(in_force)
        .group_by(Agreement.unit)
        .order_by(Agreement.unit)
    ).all()

    # Conditional sums in one row rather than GROUP BY on a CASE expression: PostgreSQL rejects
    # a grouped expression whose bound parameters differ between SELECT and GROUP BY.
    share = Agreement.share_percent
    buckets = session.execute(
        select(*(_count_if(share.between(low, high)) for _, low, high in SHARE_BUCKETS)).where(
            in_force
        )
    ).one()

    expiring = session.execute(
        select(
            *(
                _count_if(
                    and_(Agreement.end_date >= today, Agreement.end_date <= today + timedelta(days))
                )
                for days in EXPIRY_HORIZONS_DAYS
            )
        ).where(in_force)
    ).one()

    per_status: dict[str, int] = {status.value: 0 for status in AgreementStatus}
    for status, count in session.execute(
        select(Agreement.status, func.count()).group_by(Agreement.status)
    ).all():
        per_status[str(status)] = int(count)

    return {
        "in_force_per_unit": {str(unit): int(count) for unit, count in per_unit},
        "share_percent": {
            label: int(count or 0)
            for (label, _, _), count in zip(SHARE_BUCKETS, buckets, strict=True)
        },
        "expiring_within_days": {
            str(days): int(count or 0)
            for days, count in zip(EXPIRY_HORIZONS_DAYS, expiring, strict=True)
        },
        "per_status": per_status,
    }


def statistics_csv(stats: Statistics) -> str:
    """Returns the figures as CSV text, one ``section;key;value`` row per figure after a header.

    Semicolons because Swedish Excel uses the comma as decimal separator. Encode the text as
    ``utf-8-sig`` when serving it, so that Excel detects UTF-8 and shows å, ä and ö.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["section", "key", "value"])
    for section, figures in stats.items():
        for key, value in figures.items():
            writer.writerow([section, key, value])
    return buffer.getvalue()


def statistics_charts(stats: Statistics) -> list[Chart]:
    """The figures as four charts, in Swedish, each with its rows for a table beside it."""

    def bars(figures: dict[str, int], name: Callable[[str], str]) -> list[Bar]:
        return [Bar(name(key), (count,), _agreements(count)) for key, count in figures.items()]

    return [
        bar_chart(
            "Gällande överenskommelser per enhet",
            ["Gällande"],
            bars(stats["in_force_per_unit"], str),
            "inga gällande överenskommelser.",
        ),
        bar_chart(
            "Gällande överenskommelser efter andel av arbetstiden",
            ["Gällande"],
            bars(stats["share_percent"], str),
            "inga gällande överenskommelser.",
        ),
        bar_chart(
            "Gällande överenskommelser som löper ut",
            ["Löper ut"],
            bars(stats["expiring_within_days"], lambda days: f"Inom {days} dagar"),
            "inga gällande överenskommelser.",
        ),
        bar_chart(
            "Alla överenskommelser efter status",
            ["Överenskommelser"],
            bars(stats["per_status"], lambda status: label("agreement_statuses", status)),
            "inga överenskommelser.",
        ),
    ]


def _agreements(count: int) -> str:
    return "1 överenskommelse" if count == 1 else f"{count} överenskommelser"


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
