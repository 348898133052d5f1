"""Files shared with the bot: fetched only from Slack's file hosts, within a deadline, token kept in Slack."""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import UserFacingError
from core.config import Settings
from core.evidence.service import FileUpload

log = logging.getLogger(__name__)

# url_private(_download) of a slack.com workspace; Enterprise Grid answers files.slack.com with a
# redirect to files-origin.slack.com, which needs the token as well. Nothing else gets it.
SLACK_FILE_HOSTS = frozenset({"files.slack.com", "files-origin.slack.com"})
_HTML = {"text/html", "application/xhtml+xml"}
_CHUNK = 64 * 1024

Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL without credentials in it; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in {"http", "https"} or not host or "\\" in url or "@" in parts.netloc:
        return None
    if any(c.isspace() or ord(c) < 32 for c in url):
        return None
    return scheme, host, port or (443 if scheme == "https" else 80)


def shown(url: str) -> str:
    """Where a URL points, for messages: scheme and host only."""
    parts = urlsplit(url)
    return f"{parts.scheme or '?'}://{parts.netloc.rpartition('@')[2]}"


@dataclass(frozen=True)
class FileHosts:
    """The origins the bot token may be sent to when fetching a file."""

    origins: frozenset[Origin]

    @classmethod
    def for_api(cls, api_url: str) -> FileHosts:
        """Slack's file hosts for Slack's API; for any other SLACK_API_URL (a test server), its origin."""
        api = origin_of(api_url)
        if api is None:
            return cls(frozenset())
        scheme, host, _port = api
        if scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
            return cls(frozenset(("https", h, 443) for h in SLACK_FILE_HOSTS))
        return cls(frozenset({api}))

    def allows(self, url: str) -> bool:
        """True when url is on one of these origins (https for Slack itself)."""
        return origin_of(url) in self.origins


class _Deadline:
    """Shuts the sockets of one download when its time is up, so a trickling file stops too."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket | None) -> None:
        """Close sock at the deadline (at once if it has passed)."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return
        self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        # shutdown() wakes a thread blocked in recv(); close() alone would not.
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _Watched(http.client.HTTPConnection):
    """A connection whose socket the download's deadline can shut (HTTPS inherits it below)."""

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()
        self._deadline.watch(self.sock)


class _WatchedHTTP(_Watched):
    pass


class _WatchedHTTPS(_Watched, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(partial(_WatchedHTTP, deadline=self._deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline, context: ssl.SSLContext | None) -> None:
        super().__init__(context=context)
        self._deadline = deadline
        self._ssl = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(partial(_WatchedHTTPS, deadline=self._deadline), req, context=self._ssl)


class _Refused(Exception):
    """A redirect left the file hosts; the message is for the person."""


class _SlackOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to an allowed file host; any other origin is refused, never contacted."""

    max_redirections = 3

    def __init__(self, hosts: FileHosts, name: str) -> None:
        self._hosts = hosts
        self._name = name

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not self._hosts.allows(newurl):
            fp.close()
            raise _Refused(
                f"Slack's link for {self._name} redirected to {shown(newurl)}, outside Slack's "
                "file hosts, so I did not follow it (the bot token stays with Slack). "
                "Share the file again, or send a link."
            )
        # urllib copies every header, Authorization included: safe only because the target is allowed.
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(client: WebClient, hosts: FileHosts, name: str, deadline: _Deadline) -> Any:
    # Built by hand: no file://, ftp:// or data: handlers, and proxies only as the Web API client has.
    opener = urllib.request.OpenerDirector()
    proxies = {"http": client.proxy, "https": client.proxy} if client.proxy else {}
    for handler in (
        urllib.request.ProxyHandler(proxies),
        _HTTPHandler(deadline),
        _HTTPSHandler(deadline, client.ssl),
        _SlackOnlyRedirects(hosts, name),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _info(client: WebClient, file_id: str) -> dict[str, Any]:
    try:
        return dict(client.files_info(file=file_id)["file"])
    except SlackApiError as exc:
        raise UserFacingError(
            f"I couldn't read that file from Slack ({exc.response.get('error')}). Share it again, or send a link."
        ) from None


def check_shared_by(client: WebClient, file_id: str, *, user: str, channel: str | None) -> None:
    """Refuse a file the person did not share with the bot themselves (a forged button value)."""
    info = _info(client, file_id)
    if info.get("user") == user or (channel and channel in (info.get("ims") or [])):
        return
    log.warning("refused %s a file they did not share (%s)", user, file_id)
    raise UserFacingError(
        "I can only take a file you shared with me yourself; send it to me again."
    )


def download(
    client: WebClient, file_id: str, settings: Settings, *, too_big: str = "Send a link instead."
) -> FileUpload:
    """files.info, then the file from Slack's file hosts only (too_big: what to do if too large)."""
    info = _info(client, file_id)
    name = str(info.get("name") or file_id)
    size = int(info.get("size") or 0)
    limit = settings.evidence_max_bytes
    if size > limit:
        raise UserFacingError(
            f"{name} is {size:,} bytes; the limit is {limit:,} bytes (EVIDENCE_MAX_BYTES). {too_big}"
        )
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not url:
        raise UserFacingError(
            f"Slack gave me no download link for {name}; share it again or send a link."
        )
    hosts = FileHosts.for_api(settings.slack_api_url)
    if not hosts.allows(url):
        log.warning("refused to fetch file %s from %s", file_id, shown(url))
        raise UserFacingError(
            f"I won't fetch {name} from {shown(url)}: files are downloaded only over https from "
            "Slack's own file hosts, so the bot token never leaves Slack. Share the file in Slack "
            "again, or send a link."
        )
    if not client.token:
        raise UserFacingError("Files can only be handed in through Slack.")
    expected = str(info.get("mimetype") or "application/octet-stream")
    try:
        content = _fetch(client, url, name=name, hosts=hosts, expected=expected, settings=settings)
    except _TooBig as exc:  # Slack said it was smaller; the download kept going
        raise UserFacingError(f"{exc} {too_big}") from None
    if size and len(content) != size:
        raise UserFacingError(
            f"Slack sent {len(content):,} of the {size:,} bytes of {name}; nothing was stored. "
            "Share it again, or send a link."
        )
    return FileUpload(name=name, content=content, media_type=expected)


class _TooBig(Exception):
    """The body grew past EVIDENCE_MAX_BYTES (download() adds what to do instead)."""


def _fetch(
    client: WebClient, url: str, *, name: str, hosts: FileHosts, expected: str, settings: Settings
) -> bytes:
    seconds = settings.evidence_download_seconds
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
    content = b""
    started = time.monotonic()
    deadline = _Deadline(seconds)
    try:
        with (
            deadline,
            _opener(client, hosts, name, deadline).open(request, timeout=seconds) as resp,
        ):
            content = _read(resp, name=name, expected=expected, limit=settings.evidence_max_bytes)
    except _Refused as exc:
        log.warning("refused a redirect for %s: %s", name, exc)
        raise UserFacingError(str(exc)) from None
    except urllib.error.HTTPError as exc:
        reason = "a redirect I may not follow" if 300 <= exc.code < 400 else f"HTTP {exc.code}"
        raise UserFacingError(
            f"I couldn't download {name} ({reason}). Share it again, or send a link."
        ) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        if not deadline.expired:
            raise UserFacingError(
                f"I couldn't download {name} ({exc}). Share it again, or send a link."
            ) from None
    if deadline.expired:  # the sockets were shut: whatever arrived is incomplete
        log.warning("download of %s stopped after %.1f s", name, time.monotonic() - started)
        raise UserFacingError(
            f"Downloading {name} took longer than {seconds:g} s (EVIDENCE_DOWNLOAD_SECONDS), so I "
            "stopped; nothing was stored. Share it again, or send a link."
        )
    return content


def _read(resp: http.client.HTTPResponse, *, name: str, expected: str, limit: int) -> bytes:
    """The body, refused if it is a web page in place of the file or grows over the limit."""
    served = resp.headers.get_content_type()
    if served in _HTML and expected not in _HTML:
        raise UserFacingError(
            f"Slack sent a web page (a sign-in page?) instead of {name} ({expected}); "
            "nothing was stored. Check the app has the files:read scope, then share the "
            "file again."
        )
    chunks: list[bytes] = []
    total = 0
    while chunk := resp.read1(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise _TooBig(f"{name} is over the {limit:,}-byte limit (EVIDENCE_MAX_BYTES).")
        chunks.append(chunk)
    return b"".join(chunks)
