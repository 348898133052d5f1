"""What the CLI adds to an export's own checks: whether its verify.py is this version's verifier."""

from __future__ import annotations

import zipfile
from pathlib import Path

from core.evidence import verifier


def shipped_verifier_note(export: Path) -> str | None:
    """A line on the export's verify.py compared with this version's, or None if it has none."""
    try:
        if export.is_dir():
            shipped = (export / "verify.py").read_bytes()
        else:
            with zipfile.ZipFile(export) as archive:
                shipped = archive.read("verify.py")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    if shipped == Path(verifier.__file__).read_bytes():
        return "The export's verify.py is this version's verifier, byte for byte."
    return (
        "Note: the export's verify.py differs from this version's verifier (another version "
        "made the export, or the file was edited): the checks above are this version's."
    )
