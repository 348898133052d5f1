"""One path for every listener's failures: the ack always stands and the person hears what went wrong."""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.kwargs_injection import build_required_kwargs
from slack_bolt.listener_matcher import ListenerMatcher
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.errors import FieldError, UserFacingError
from bot.inflight import InFlight, finished
from core.errors import DomainError

log = logging.getLogger(__name__)

ListenerFunc = Callable[..., BoltResponse | None]
# What a service or surface refuses on purpose: the message is meant for the person.
REFUSALS = (DomainError, UserFacingError)
# Slack shows view errors under one input; a long message there is cut off, so keep it short.
_VIEW_ERROR_LIMIT = 300


def failure_message(error: BaseException) -> str:
    """A domain error's own message; anything else is logged under a reference the person is given."""
    if isinstance(error, REFUSALS):
        log.info("request refused: %s", error)
        return str(error)
    ref = uuid.uuid4().hex[:8].upper()
    log.error("request failed (reference %s)", ref, exc_info=error)
    return (
        f":warning: Something went wrong on my side (reference `{ref}`). "
        "Please try again; if it keeps failing, give the security team that reference."
    )


def deliver(body: dict[str, Any], client: WebClient, message: str) -> None:
    """Tell the person who triggered the request, wherever they triggered it."""
    user = (
        body.get("user_id")
        or (body.get("user") or {}).get("id")
        or (body.get("event") or {}).get("user")
    )
    response_url = body.get("response_url") or next(
        (r.get("response_url") for r in body.get("response_urls", [])), None
    )
    if response_url:
        WebhookClient(response_url).send(text=message, response_type="ephemeral")
        return
    event = body.get("event") or {}
    channel = event.get("channel") or (body.get("channel") or {}).get("id")
    if channel and user:
        client.chat_postEphemeral(channel=channel, user=user, text=message)
    elif user:
        client.chat_postMessage(channel=user, text=message)


def report(error: BaseException, body: dict[str, Any], client: WebClient) -> None:
    """Log the failure and tell the person; a failure to tell them is logged, never raised."""
    message = failure_message(error)
    try:
        deliver(body, client, message)
    except Exception as exc:  # noqa: BLE001 - nobody left to tell: the log keeps it
        log.warning("could not deliver an error message: %s", exc)


def _view_error_block(error: Exception, body: dict[str, Any]) -> str | None:
    """The input the error names, else the modal's first input: where Slack shows it inline."""
    if body.get("type") != "view_submission":
        return None
    if isinstance(error, FieldError):
        return error.block_id
    view = body.get("view") or {}
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    values = (view.get("state") or {}).get("values") or {}
    return next((str(key) for key in values), None)


def recover(error: Exception, request: BoltRequest) -> None:
    """Turn a listener's exception into an ack (if it had none yet) and a reply."""
    ack = request.context.ack
    body = request.body
    if ack is not None and ack.response is None:
        block = _view_error_block(error, body)
        if block is not None:
            # Not yet acked: keep the modal open with the reason, so nothing typed is lost.
            message = failure_message(error)
            ack(response_action="errors", errors={block: message[:_VIEW_ERROR_LIMIT]})
            return
        ack()
    report(error, body, request.context.client)


def guard(func: ListenerFunc) -> ListenerFunc:
    """Wrap a listener so no exception leaves it: bolt would otherwise drop an ack already sent."""
    arg_names = inspect.getfullargspec(inspect.unwrap(func)).args

    def guarded(
        request: BoltRequest, response: BoltResponse, logger: logging.Logger
    ) -> BoltResponse | None:
        kwargs = build_required_kwargs(
            logger=logger,
            required_arg_names=list(arg_names),
            request=request,
            response=response,
            this_func=func,
        )
        try:
            return func(**kwargs)
        except Exception as error:  # noqa: BLE001 - the one place listener failures are handled
            recover(error, request)
            return None
        finally:
            finished(request.context)

    # Not functools.wraps: bolt unwraps __wrapped__ to choose arguments, and guarded needs its own.
    guarded.__name__ = func.__name__
    guarded.__qualname__ = func.__qualname__
    guarded.__module__ = func.__module__
    guarded.__doc__ = func.__doc__
    return guarded


class GuardedApp(App):
    """A bolt App whose every listener, however registered, runs inside guard()."""

    inflight: InFlight

    def _handle_unmatched_requests(self, req: BoltRequest, resp: BoltResponse) -> BoltResponse:
        # No listener will run for this request: it is finished as it stands.
        finished(req.context)
        return super()._handle_unmatched_requests(req, resp)

    def _register_listener(
        self,
        functions: Sequence[ListenerFunc],
        primary_matcher: ListenerMatcher,
        matchers: Sequence[Callable[..., bool]] | None,
        middleware: Sequence[Callable[..., Any] | Middleware] | None,
        auto_acknowledgement: bool = False,
        ack_timeout: int = 3,
    ) -> ListenerFunc | None:
        # Every decorator (command, action, view, event, message, shortcut, ...) ends up here.
        return super()._register_listener(
            [guard(f) for f in functions],
            primary_matcher,
            matchers,
            middleware,
            auto_acknowledgement,
            ack_timeout,
        )
