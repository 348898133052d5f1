"""Limits every file import shares: size, rows, nesting and NUL bytes, each refused with its line."""

from __future__ import annotations

from pathlib import Path

import yaml

# A register or answer library of tens of thousands of rows fits in a few megabytes; a bigger
# file is refused before it is read, so memory stays bounded whatever is imported.
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
# Registers are a list of flat mappings; a file nested deeper than this is not one.
MAX_YAML_DEPTH = 20


def size_problem(name: str, size: int) -> str | None:
    """Why a file of size bytes is refused (None when it is small enough)."""
    if size <= MAX_IMPORT_BYTES:
        return None
    return (
        f"{name} is {size / (1024 * 1024):,.1f} MB; imports are limited to "
        f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB ({MAX_IMPORT_ROWS:,} rows). Split it into "
        "smaller files and import each."
    )


def file_size_problem(path: Path) -> str | None:
    """size_problem for a file on disk, from its size alone (nothing is read)."""
    try:
        return size_problem(path.name, path.stat().st_size)
    except OSError:
        return None  # the reader reports what is wrong with it


def rows_problem(name: str, rows: int) -> str | None:
    """Why a file with this many rows is refused (None when it is few enough)."""
    if rows <= MAX_IMPORT_ROWS:
        return None
    return f"{name} has {rows:,} rows; imports are limited to {MAX_IMPORT_ROWS:,}. Split it up."


def nul_problem(name: str, text: str) -> str | None:
    """A NUL character is refused (PostgreSQL cannot store it): the line it is on."""
    at = text.find("\x00")
    if at < 0:
        return None
    return nul_message(name, text.count("\n", 0, at) + 1)


def nul_message(name: str, line: int) -> str:
    """The one message for a NUL character found on line."""
    return (
        f"{name} line {line}: contains a NUL character (byte 0x00), which is not text; "
        "remove it (or save the file again as plain CSV) and import it again"
    )


def yaml_depth_problem(name: str, text: str) -> str | None:
    """A YAML document nested deeper than MAX_YAML_DEPTH: the line where it gets too deep.

    Read as a stream of events (no recursion), so the check itself cannot overflow the stack.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else "?"
                    return (
                        f"{name} line {line}: nested more than {MAX_YAML_DEPTH} levels deep; "
                        "a register is a list of controls, each a mapping of columns"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # the loader reports the syntax error with its line
    return None
