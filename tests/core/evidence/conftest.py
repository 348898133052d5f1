"""The evidence tests' shared database: the example register with evidence handed in."""

from __future__ import annotations

import pytest

from core.config import Settings
from core.db import Database
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import filled_database


@pytest.fixture
def filled(database_url: str, catalogue: Catalogue, settings: Settings) -> Database:
    """Register imported, two submissions (one with a file), one accepted."""
    return filled_database(database_url, catalogue, settings)
