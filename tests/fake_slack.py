"""A local fake of Slack's Web API over HTTP, recording every call, with programmable failures."""

from __future__ import annotations

import contextlib
import itertools
import json
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fake_slack_calls import Call, FileServing, Responder


class FakeSlack:
    """Serves /api/<method>, response_url posts at /response/<id>, and file downloads at /files/<id>."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: dict[str, Responder] = {}
        self.failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = defaultdict(
            list
        )
        self.files: dict[str, tuple[bytes, str]] = {}
        self.serving: dict[str, FileServing] = {}
        self.release = threading.Event()  # set: trickling downloads send the rest at once
        self.downloads_done: list[str] = []  # file IDs whose download was sent to the end
        self.users: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.channel_members: dict[str, list[str]] = {}
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.page_size = 200
        self.rate_limit: float | None = None  # requests per second for chat.postMessage
        self.random_429 = 0.0  # share of chat.postMessage calls refused with 429 regardless of rate
        self.random = random.Random(0)
        self.throttled = 0  # 429s answered to chat.postMessage
        self.sent_at: list[float] = []  # monotonic time of each chat.postMessage that succeeded
        self.delays: dict[
            str, float
        ] = {}  # method -> seconds every call to it takes before answering
        self.outages: dict[str, tuple[int, float]] = {}  # method -> (status, until monotonic time)
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._window: list[float] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL of the Web API (what SLACK_API_URL is set to)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    @property
    def root(self) -> str:
        """Base URL without /api/."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeSlack:
        """Start serving in a thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # -- programming -----------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int = 1,
        body: dict[str, Any] | None = None,
    ) -> None:
        """Make the next call to method fail with status (429 carries Retry-After)."""
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        self.failures[method].append(
            (status, headers, body or {"ok": False, "error": "ratelimited"})
        )

    def outage(self, method: str, seconds: float, status: int = 500) -> None:
        """Answer every call to method with HTTP status (no Slack body) for the next seconds."""
        self.outages[method] = (status, time.monotonic() + seconds)

    def end_outage(self, method: str) -> None:
        """Answer method normally again."""
        self.outages.pop(method, None)

    def _in_outage(self, method: str) -> int | None:
        status, until = self.outages.get(method, (0, 0.0))
        return status if time.monotonic() < until else None

    def add_user(self, user_id: str, **fields: Any) -> None:
        """Add a workspace member (fields: tz, email, is_bot, deleted, is_restricted, ...)."""
        profile = {"email": fields.pop("email", f"{user_id.lower()}@example.com")}
        self.users[user_id] = {
            "id": user_id,
            "name": user_id.lower(),
            "tz": "UTC",
            "profile": profile,
            **fields,
        }

    def add_file(self, file_id: str, content: bytes, name: str, **serving: Any) -> None:
        """A file files.info knows; serving options as in FileServing (redirect, trickle, ...)."""
        self.files[file_id] = (content, name)
        self.serving[file_id] = FileServing(**serving)

    def named(self, method: str) -> list[Call]:
        """Calls to one method, in order."""
        return [c for c in list(self.calls) if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Block until method has been called count times (listeners run after the ack)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.named(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{method} called {len(self.named(method))} times, expected {count}")

    def wait_for_match(
        self, method: str, match: Callable[[Call], bool], timeout: float = 10.0
    ) -> Call:
        """Block until a call to method that `match` accepts has been made; that call."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c for c in self.named(method) if match(c)]
            if found:
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"no matching {method} call among {len(self.named(method))}")

    # -- default behaviour -----------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"{1700000000 + next(self._ts)}.000100"

    def _page(self, items: list[Any], params: dict[str, Any]) -> tuple[list[Any], str]:
        start = int(params.get("cursor") or 0)
        limit = min(int(params.get("limit") or self.page_size), self.page_size)
        chunk = items[start : start + limit]
        cursor = str(start + limit) if start + limit < len(items) else ""
        return chunk, cursor

    def _default(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team_id": "T1",
                "user": "compliance-bot",
            }
        if method in {"chat.postMessage", "chat.postEphemeral"}:
            channel = p.get("channel", "")
            if channel.startswith(("U", "W")):
                user = self.users.get(channel)
                if self.users and user is None:
                    return {"ok": False, "error": "user_not_found"}
                if user and user.get("deleted"):
                    return {"ok": False, "error": "account_inactive"}
                channel = "D" + channel[1:]
            ts = self._next_ts()
            if method == "chat.postMessage":
                with self._lock:
                    self.history[channel].append(
                        {"ts": ts, "text": p.get("text"), "metadata": p.get("metadata")}
                    )
                    self.sent_at.append(time.monotonic())
            return {"ok": True, "channel": channel, "ts": ts, "message_ts": ts}
        if method == "chat.getPermalink":
            channel, ts = p.get("channel", ""), p.get("message_ts", "")
            if not channel or not ts:
                return {"ok": False, "error": "message_not_found"}
            link = f"https://fake.slack.test/archives/{channel}/p{ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": link}
        if method == "chat.update":
            return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}
        if method in {"views.publish", "views.open", "views.update"}:
            return {"ok": True, "view": {"id": "V1", **(p.get("view") or {})}}
        if method == "conversations.open":
            users = p.get("users", "")
            return {"ok": True, "channel": {"id": "D" + users[1:]}}
        if method == "conversations.history":
            messages = list(reversed(self.history.get(p.get("channel", ""), [])))
            return {
                "ok": True,
                "messages": messages[: int(p.get("limit") or 100)],
                "has_more": False,
            }
        if method == "usergroups.users.list":
            group = p.get("usergroup")
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.usergroups[group]}
        if method == "users.info":
            user = self.users.get(p.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            for user in self.users.values():
                if user["profile"].get("email") == p.get("email"):
                    return {"ok": True, "user": user}
            return {"ok": False, "error": "users_not_found"}
        if method == "users.list":
            members, cursor = self._page(list(self.users.values()), p)
            return {"ok": True, "members": members, "response_metadata": {"next_cursor": cursor}}
        if method == "conversations.members":
            members, cursor = self._page(self.channel_members.get(p.get("channel", ""), []), p)
            return {"ok": True, "members": members, "response_metadata": {"next_cursor": cursor}}
        if method == "files.info":
            fid = p.get("file", "")
            if fid not in self.files:
                return {"ok": False, "error": "file_not_found"}
            content, name = self.files[fid]
            serving = self.serving.get(fid) or FileServing()
            return {
                "ok": True,
                "file": {
                    "id": fid,
                    "name": name,
                    "size": len(content),
                    "mimetype": serving.mimetype,
                    "url_private_download": serving.url or f"{self.root}/files/{fid}",
                    "user": serving.user,
                    "ims": list(serving.ims),
                },
            }
        if method == "files.upload.v2" or method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.root}/upload/F1", "file_id": "FUP1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "FUP1"}]}
        if method == "apps.connections.open":
            return {"ok": True, "url": "ws://127.0.0.1:1/socket"}
        return {"ok": True}

    def _rate_limited(self) -> bool:
        with self._lock:
            if self.random_429 and self.random.random() < self.random_429:
                self.throttled += 1
                return True
            if self.rate_limit is None:
                return False
            now = time.monotonic()
            self._window = [t for t in self._window if now - t < 1.0]
            if len(self._window) >= self.rate_limit:
                self.throttled += 1
                return True
            self._window.append(now)
            return False

    # -- HTTP ------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                return

            def _send(
                self,
                status: int,
                body: bytes,
                headers: dict[str, str] | None = None,
                ctype: str = "application/json",
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = urlparse(self.path).path
                if path.startswith("/files/"):
                    fid = path.rsplit("/", 1)[1]
                    fake.calls.append(Call("GET " + path, {}, dict(self.headers)))
                    if (
                        self.headers.get("Authorization") != "Bearer xoxb-test"
                        or fid not in fake.files
                    ):
                        self._send(403, b"forbidden", ctype="text/plain")
                        return
                    self._file(fid)
                    return
                # Web API methods slack-sdk calls with GET (chat.getPermalink): query parameters.
                if path.startswith("/api/"):
                    method = path.removeprefix("/api/")
                    params = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                    fake.calls.append(Call(method, params, dict(self.headers)))
                    responder = fake.responses.get(method)
                    body = responder(params) if responder else fake._default(method, params)
                    self._send(200, json.dumps(body).encode())
                    return
                self._send(404, b"{}")

            def _file(self, fid: str) -> None:
                serving = fake.serving.get(fid) or FileServing()
                if serving.redirect:
                    self._send(302, b"", {"Location": serving.redirect}, ctype="text/plain")
                    return
                body = fake.files[fid][0] if serving.body is None else serving.body
                ctype = serving.content_type or serving.mimetype
                if serving.trickle is None:
                    self._send(200, body, ctype=ctype)
                    fake.downloads_done.append(fid)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        if not fake.release.is_set():
                            fake.release.wait(serving.trickle)
                except OSError:  # the client hung up (its deadline): stop trickling
                    return
                fake.downloads_done.append(fid)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                path = urlparse(self.path).path
                if path.startswith("/upload/"):
                    params = {"_raw": raw}
                elif "json" in ctype:
                    params = json.loads(raw or b"{}")
                elif (
                    "x-www-form-urlencoded" not in ctype
                    and not path.startswith("/api/")
                    or "multipart" in ctype
                ):
                    params = {"_raw": raw}
                else:
                    params = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                    for key in ("blocks", "view", "attachments", "metadata"):
                        if isinstance(params.get(key), str):
                            with contextlib.suppress(ValueError):
                                params[key] = json.loads(params[key])
                if path.startswith("/response/") or path.startswith("/upload/"):
                    fake.calls.append(Call(path.split("/")[1], params, dict(self.headers)))
                    self._send(200, b"ok", ctype="text/plain")
                    return
                method = path.removeprefix("/api/")
                fake.calls.append(Call(method, params, dict(self.headers)))
                if method in fake.delays:
                    time.sleep(fake.delays[method])  # a slow Slack: the caller waits this long
                outage = fake._in_outage(method)
                if outage is not None:
                    self._send(outage, b"<html>upstream error</html>", ctype="text/html")
                    return
                if fake.failures.get(method):
                    status, headers, body = fake.failures[method].pop(0)
                    self._send(status, json.dumps(body).encode(), headers)
                    return
                if method == "chat.postMessage" and fake._rate_limited():
                    self._send(429, b'{"ok": false, "error": "ratelimited"}', {"Retry-After": "1"})
                    return
                responder = fake.responses.get(method)
                body = responder(params) if responder else fake._default(method, params)
                self._send(200, json.dumps(body).encode())

        return Handler
