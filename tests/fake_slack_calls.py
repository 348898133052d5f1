"""What the fake Slack records (a call) and how it serves a file: plain data beside the server."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


Responder = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class FileServing:
    """How a file added with add_file is described by files.info and served at /files/<id>."""

    mimetype: str = "application/octet-stream"
    url: str | None = None  # url_private_download given by files.info (default: served here)
    content_type: str | None = None  # Content-Type of the download (default: mimetype)
    body: bytes | None = None  # what the download serves instead of the file (an HTML page, say)
    redirect: str | None = None  # answer the download with 302 Location: redirect
    trickle: float | None = None  # seconds between bytes, until release is set
    user: str = "UALICE"  # who shared the file (files.info "user")
    ims: tuple[str, ...] = ()  # DMs it was shared in (files.info "ims")
