"""A deployment points the app at its own user directory export instead of the demo one."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from bot.identity import load_directory
from bot.main import create_app
from tests.api.conftest import make_settings
from tests.conftest import CharTrigramEncoder, FakeRasa

# A region's own made-up people for trying the assistant out (local mode takes only those).
DIRECTORY = """
demo: true
users:
  - {id: lena.lund, name: Lena Lund, role: employee, unit: Röntgen, manager: per.palm}
  - {id: per.palm, name: Per Palm, role: manager, unit: Röntgen}
  - {id: sam.sol, name: Sam Sol, role: safety_representative, unit: Röntgen}
"""


@pytest.fixture
def client(tmp_path: Path, module_rasa: FakeRasa) -> Iterator[TestClient]:
    directory = tmp_path / "directory.yml"
    directory.write_text(DIRECTORY, encoding="utf-8")
    settings = make_settings(tmp_path, module_rasa.url, directory_file=directory)
    with TestClient(create_app(settings, CharTrigramEncoder())) as test_client:
        yield test_client


def test_bookings_use_the_configured_directory(client: TestClient) -> None:
    response = client.post(
        "/api/risk-assessments",
        json={"employee": "lena.lund", "start": "2030-03-05T10:00:00+01:00"},
        headers={"X-Demo-User": "lena.lund"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["manager"] == "per.palm"
    assert response.json()["safety_representative"] == "sam.sol"
    unknown = client.get("/api/risk-assessments", headers={"X-Demo-User": "anna.andersson"})
    assert unknown.status_code == 401, "the demo users are not in this directory"


def test_an_export_with_identity_numbers_as_employee_numbers_is_refused(tmp_path: Path) -> None:
    # The agreement prints the employee number for the personnel file; a personnummer in its
    # place would be printed on every agreement.
    directory = tmp_path / "directory.yml"
    directory.write_text(
        DIRECTORY.replace("manager: per.palm}", "manager: per.palm, employee_number: 121212-1212}"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="personnummer"):
        load_directory(directory)
    directory.write_text(
        DIRECTORY.replace("manager: per.palm}", "manager: per.palm, employee_number: A-10452}"),
        encoding="utf-8",
    )
    lena = load_directory(directory).get("lena.lund")
    assert lena is not None and lena.employee_number == "A-10452"
