"""One "today": the region's date, even on a host whose clock runs in UTC. Just after midnight
in Sweden (23:30 UTC) the host's date is still yesterday's."""

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi.testclient import TestClient

from bot.jobs import daily
from bot.main import create_app
from bot.regions import RegionConfigError, load_region
from bot.settings import PROJECT_ROOT
from bot.storage.database import Database
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa
from tests.unit.test_agreement_document import make_agreement

# 00:30 on 2 March in Stockholm (CET, UTC+1); a ZoneInfo destination also sets the host's zone.
UTC_HOST_AFTER_SWEDISH_MIDNIGHT = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC"))
SWEDISH_DATE = date(2026, 3, 2)


@pytest.fixture
def utc_host() -> Iterator[None]:
    with time_machine.travel(UTC_HOST_AFTER_SWEDISH_MIDNIGHT, tick=False):
        assert date.today() == date(2026, 3, 1)
        yield


@pytest.mark.usefixtures("utc_host")
@pytest.mark.parametrize("region_id", ["vastmanland", "vasternorrland"])
def test_the_regions_clock_gives_the_swedish_date(region_id: str) -> None:
    region = load_region(PROJECT_ROOT / "regions", region_id)

    assert region.time_zone == "Europe/Stockholm"
    assert region.clock().today() == SWEDISH_DATE


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    text = (PROJECT_ROOT / "regions" / "vastmanland.yml").read_text(encoding="utf-8")
    (tmp_path / "vastmanland.yml").write_text(
        text.replace("time_zone: Europe/Stockholm", "time_zone: Europe/Västerås"),
        encoding="utf-8",
    )

    with pytest.raises(RegionConfigError, match="unknown time zone 'Europe/Västerås'"):
        load_region(tmp_path, "vastmanland")


@pytest.mark.usefixtures("utc_host")
def test_the_daily_job_runs_for_the_swedish_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/job.db"
    database = Database(url)
    database.migrate()
    with database.session() as session:
        session.add(
            make_agreement(status="approved", start_date=SWEDISH_DATE, end_date=date(2026, 12, 31))
        )
    database.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    # Not the developer's own Rasa conversations in .run/: the job purges old ones.
    monkeypatch.setenv("DG_RASA_TRACKER_STORE_URL", f"sqlite:///{tmp_path}/tracker.db")

    assert daily.main([]) == 0

    assert "Daglig körning 2026-03-02: 1 aktiverade" in capsys.readouterr().out


@pytest.mark.usefixtures("utc_host")
def test_the_api_counts_days_from_the_swedish_date(tmp_path: Path, fake_rasa: FakeRasa) -> None:
    app = create_app(make_settings(tmp_path, fake_rasa.url), CharTrigramEncoder())
    with TestClient(app) as client:
        with app.state.agreements.db.session() as session:
            # 30 days after the Swedish date, 31 after the host's.
            session.add(make_agreement(end_date=date(2026, 4, 1)))
            session.add(make_agreement(reference="DA-2026-00002", submission_key="key-00002"))
        stats = client.get("/api/statistics/agreements", headers={"X-Demo-User": "hanna.holm"})

    assert stats.status_code == 200
    assert app.state.clock.today() == SWEDISH_DATE
    assert stats.json()["expiring_within_days"]["30"] == 1
