"""Shared setup for catalogue loader tests: a writable copy of the shipped catalogue."""

from __future__ import annotations

import shutil
from pathlib import Path

from knowledge.catalogue import CATALOGUE_DIR


def copy_catalogue(tmp_path: Path) -> Path:
    """A copy of the standard catalogue under tmp_path, for tests that break one file."""
    target = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, target)
    return target
