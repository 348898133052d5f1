"""Readiness settings: SOC2_CATEGORIES and the digest's day and hour, with errors naming the variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.config import ConfigError, load_settings


def test_defaults_are_security_and_monday_nine(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SOC2_CATEGORIES", "DIGEST_DAY", "DIGEST_HOUR"):
        monkeypatch.delenv(var, raising=False)
    settings = load_settings(_env_file=None)
    assert settings.soc2_categories == ["security"]
    assert (settings.digest_day, settings.digest_hour) == ("monday", 9)


def test_categories_and_day_are_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOC2_CATEGORIES", " Security, availability,processing-integrity,security")
    monkeypatch.setenv("DIGEST_DAY", "Fri")
    monkeypatch.setenv("DIGEST_HOUR", "14")
    settings = load_settings(_env_file=None)
    assert settings.soc2_categories == ["security", "availability", "processing_integrity"]
    assert (settings.digest_day, settings.digest_hour) == ("friday", 14)


@pytest.mark.parametrize(
    ("var", "value", "expected"),
    [
        ("SOC2_CATEGORIES", "security,integrity", "SOC2_CATEGORIES: unknown category 'integrity'"),
        ("SOC2_CATEGORIES", "availability", "SOC2_CATEGORIES: security (the common criteria)"),
        ("DIGEST_DAY", "someday", "DIGEST_DAY: expected a day of the week"),
        ("DIGEST_HOUR", "24", "DIGEST_HOUR:"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert str(caught.value).startswith(expected)


def test_an_unknown_category_stops_start_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "SOC2_CATEGORIES": "security,secrecy",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "readiness"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SOC2_CATEGORIES: unknown category 'secrecy'" in lines[0]
    assert not (tmp_path / "x.db").exists()  # stopped before touching the database
