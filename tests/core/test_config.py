"""Settings: defaults, parsing, and one-line errors naming the variable."""

from __future__ import annotations

import pytest

from core.config import ConfigError, load_settings


def test_defaults_need_no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("DATABASE_URL", "TZ", "COMPLIANCE_TZ", "SECURITY_TEAM", "SLACK_API_URL"):
        monkeypatch.delenv(var, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite:///compliance-bot.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.security_team == []
    assert settings.tz == "UTC"


def test_environment_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECURITY_TEAM", "U123, S0GROUP ,W999")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret")
    settings = load_settings(_env_file=None)
    assert settings.security_team == ["U123", "S0GROUP", "W999"]
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.zone.key == "Europe/Berlin"
    assert "xoxb-secret" not in repr(settings)


def test_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECURITY_CHANNEL", raising=False)
    env = tmp_path / ".env"
    env.write_text("SECURITY_CHANNEL=C0SEC\n")
    assert load_settings(_env_file=env).security_channel == "C0SEC"


@pytest.mark.parametrize(
    ("var", "value", "expected"),
    [
        ("DATABASE_URL", "not a url", "DATABASE_URL: expected a URL"),
        ("DATABASE_URL", "mysql://root@localhost/db", "DATABASE_URL: unsupported database 'mysql'"),
        ("TZ", "Mars/Olympus", "COMPLIANCE_TZ or TZ: expected an IANA time zone"),
        ("COMPLIANCE_TZ", "Mars/Olympus", "COMPLIANCE_TZ or TZ: expected an IANA time zone"),
        ("SLACK_API_URL", "http://slack.com/api/", "SLACK_API_URL: use https: the bot token"),
        ("SLACK_API_URL", "https://", "SLACK_API_URL: expected an http(s) URL"),
        ("KNOWLEDGE_DIR", "no-such-folder", "KNOWLEDGE_DIR: no-such-folder is not a folder"),
        ("WORK_START_HOUR", "18", "WORK_START_HOUR (18) must be before WORK_END_HOUR (17)"),
        ("SECURITY_TEAM", "alice", "SECURITY_TEAM: 'alice' is not a Slack user ID"),
        ("SECURITY_CHANNEL", "#security", "SECURITY_CHANNEL: expected a Slack channel ID"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: expected an http(s) URL"),
        ("EVIDENCE_MAX_BYTES", "lots", "EVIDENCE_MAX_BYTES:"),
        ("DELIVERY_RATE", "0", "DELIVERY_RATE:"),
    ],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None)
    message = str(info.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_tz_given_as_zoneinfo_path_is_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", ":/usr/share/zoneinfo/America/New_York")
    assert load_settings(_env_file=None).tz == "America/New_York"


def test_empty_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWLEDGE_DIR", "")
    monkeypatch.setenv("SLACK_APP_TOKEN", "")
    settings = load_settings(_env_file=None)
    assert settings.knowledge_dir is None
    assert settings.slack_app_token is None


def test_every_bad_variable_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Mars/Olympus")
    monkeypatch.setenv("DIGEST_DAY", "someday")
    monkeypatch.setenv("LOG_LEVEL", "loud")
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None)
    lines = str(info.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "COMPLIANCE_TZ or TZ",
        "DIGEST_DAY",
        "LOG_LEVEL",
    ]
