"""Settings are the only place configuration is read, and tests never read the developer's."""

import pytest

from bot.settings import Settings

pytest_plugins = ["pytester"]

DEVELOPER_SHELL = {
    "DG_SMTP_HOST": "smtp.developer.example",
    "DG_SMTP_SENDER": "dev@developer.example",
    "DATABASE_URL": "postgresql+psycopg://dev@db.developer.example/prod",
}
INNER_TEST = """
from bot.mail import mailer_from_settings
from bot.settings import Settings, get_settings


def test_sees_only_its_own_settings():
    assert mailer_from_settings(get_settings()) is None
    assert Settings().region == "vastmanland"
    assert "developer" not in Settings().database_url
"""


@pytest.mark.parametrize(("conftest", "outcome"), [("isolated", "passed"), ("none", "failed")])
def test_a_developers_shell_and_env_file_never_reach_a_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, conftest: str, outcome: str
) -> None:
    """Without the fixture (the control) the same test sees the developer's mail server."""
    for name, value in DEVELOPER_SHELL.items():
        monkeypatch.setenv(name, value)
    # As in a fresh process: this session's own isolation has already set env_file aside.
    monkeypatch.setitem(Settings.model_config, "env_file", ".env")
    (pytester.path / ".env").write_text("DG_REGION=vasternorrland\n", encoding="utf-8")
    if conftest == "isolated":
        pytester.makeconftest("from tests.conftest import fresh_settings, isolated_settings\n")
    pytester.makepyfile(INNER_TEST)

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:asyncio")

    result.assert_outcomes(**{outcome: 1})


def test_secrets_stay_out_of_logs_and_reprs() -> None:
    settings = Settings(
        action_token="token-value",
        teams_app_id="app",
        teams_tenant_id="tenant",
        teams_app_secret="teams-value",
        smtp={"host": "smtp.region.example", "sender": "dg@region.example", "password": "smtp-v"},
    )

    shown = repr(settings)
    for secret in ("token-value", "teams-value", "smtp-v"):
        assert secret not in shown
    assert settings.action_token.get_secret_value() == "token-value"


@pytest.mark.parametrize(("value", "starttls"), [("ja", True), ("nej", False), ("true", True)])
def test_existing_smtp_variables_keep_working(
    monkeypatch: pytest.MonkeyPatch, value: str, starttls: bool
) -> None:
    monkeypatch.setenv("DG_SMTP_HOST", " smtp.region.example ")
    monkeypatch.setenv("DG_SMTP_SENDER", "dg@region.example")
    monkeypatch.setenv("DG_SMTP_PORT", "587")
    monkeypatch.setenv("DG_SMTP_STARTTLS", value)

    smtp = Settings().smtp

    assert (smtp.host, smtp.port, smtp.starttls) == ("smtp.region.example", 587, starttls)


def test_an_empty_action_token_is_no_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DG_ACTION_TOKEN", "")

    with pytest.raises(ValueError, match="DG_ACTION_TOKEN"):
        Settings(
            mode="production",
            oidc_issuer="https://sso.region.example",
            oidc_audience="distansguiden",
            oidc_jwks_url="https://sso.region.example/keys",
        )
