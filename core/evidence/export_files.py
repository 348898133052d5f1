"""Where an evidence file goes in the export, and which files are stored so they cannot run."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# Files a browser would render and run (script, markup, vector images, XML with stylesheets):
# the export stores them with NEUTRAL_SUFFIX added and the report links them for download only.
ACTIVE_SUFFIXES = frozenset(
    {
        ".htm", ".html", ".xhtml", ".xht", ".shtml", ".mht", ".mhtml", ".hta",
        ".svg", ".svgz", ".xml", ".xsl", ".xslt", ".rss", ".atom",
        ".js", ".mjs", ".cjs", ".jsx", ".wasm", ".swf", ".php",
    }
)  # fmt: skip
NEUTRAL_SUFFIX = ".bin"


def is_active(file_name: str) -> bool:
    """Whether a browser opening this file could run what is in it (judged by its extension)."""
    suffix = PurePosixPath(file_name.strip().rstrip(". ")).suffix.lower()
    # Without an extension a browser sniffs the content, and markup would be rendered.
    return suffix in ACTIVE_SUFFIXES or not suffix


def safe_name(name: str) -> str:
    """The file name with anything but letters, digits, dot, dash and underscore replaced."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:80] or "file"


def zip_path(sha256: str, file_name: str) -> str:
    """The file's path under files/: its hash prefix and name, neutralised when it is active."""
    path = f"files/{sha256[:16]}_{safe_name(file_name)}"  # a long name is cut: judge the original
    return path + NEUTRAL_SUFFIX if is_active(file_name) else path


def download_only(path: str) -> bool:
    """Whether the report links this copy for download only (a neutralised file, or any .bin)."""
    return path.endswith(NEUTRAL_SUFFIX)
