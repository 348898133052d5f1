"""Setup the risk and supplier Slack tests share: a runtime without the model, registers imported."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.runtime import Runtime
from core.config import Settings
from core.risks.models import Risk
from tests.core.evidence.support import import_example_register
from tests.core.risks.support import import_risks
from tests.fake_slack import FakeSlack
from tests.fakes import FakeEmbedder
from tests.slack_support import SlackAppServer, assert_acked, block_action


def risk_runtime(settings: Settings, fake_slack: FakeSlack, **overrides: Any) -> Runtime:
    """A runtime on the fake Slack with the example control and risk registers imported."""
    for user in ("UALICE", "UBOB", "U0OPSLEAD", "USEC1"):
        fake_slack.add_user(user)
    runtime = Runtime(settings.model_copy(update=overrides), embedder=FakeEmbedder())
    import_example_register(runtime.db, runtime.catalogue)
    import_risks(runtime.db, runtime.catalogue)
    return runtime


def risk_id(runtime: Runtime, ref: str) -> int:
    """The database ID of a risk."""
    with runtime.db.session_scope() as session:
        return int(session.scalars(select(Risk.id).where(Risk.ref == ref)).one())


def press(
    app: SlackAppServer, fake_slack: FakeSlack, action: str, value: str, user: str
) -> dict[str, Any]:
    """Click a button as `user`; what the app said back through the response_url."""
    count = len(fake_slack.named("response")) + 1
    payload = block_action(action, value, user=user, response_url=fake_slack.root + "/response/r")
    assert_acked(app.interaction(payload, expect=None))
    return fake_slack.wait_for("response", count=count)[count - 1].params
