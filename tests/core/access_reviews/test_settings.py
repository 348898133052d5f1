"""Connector settings: a bad value fails at start naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.access_reviews.connectors import configured
from core.config import ConfigError, load_settings


def test_bad_connector_settings_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GOOGLE_SERVICE_ACCOUNT_FILE: .* is not a file"):
        load_settings(_env_file=None, google_service_account_file=tmp_path / "missing.json")
    with pytest.raises(ConfigError, match="GITHUB_API_URL: use https"):
        load_settings(_env_file=None, github_api_url="http://github.example.com/api/v3")
    with pytest.raises(ConfigError, match="CONNECTOR_TIMEOUT_SECONDS"):
        load_settings(_env_file=None, connector_timeout_seconds=0)


def test_only_configured_connectors_are_offered(tmp_path: Path) -> None:
    assert configured(load_settings(_env_file=None)) == {}
    key = tmp_path / "key.json"
    key.write_text("{}")
    settings = load_settings(
        _env_file=None,
        github_org="acme",
        github_token="ghp_x",
        google_workspace_domain="example.com",
        google_service_account_file=key,
        google_admin_email="admin@example.com",
    )
    connectors = configured(settings)
    assert sorted(connectors) == ["github", "google"]
    github = connectors["github"]()
    assert github.source == "github:acme" and github.name == "github"
