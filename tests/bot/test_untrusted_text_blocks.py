"""What people typed or imported is shown as text in Slack: no channel pings, no disguised links."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.blocks.incident import team_blocks
from bot.blocks.risks import overview_text, risk_card
from core.incidents.models import Incident

HOSTILE = "<!channel> read <https://evil.example|the policy> & more"
SHOWN = "&lt;!channel&gt; read &lt;https://evil.example|the policy&gt; &amp; more"


def test_an_incident_report_reaches_the_security_team_as_typed() -> None:
    incident = Incident(
        id=7,
        reporter="UALICE",
        description=HOSTILE,
        noticed_at=datetime(2026, 12, 1, tzinfo=UTC),
        systems=HOSTILE,
        status="reported",
        personal_data_suspected=False,
    )
    posted = json.dumps(team_blocks(incident, UTC))
    assert "<!channel>" not in posted and "<https://evil" not in posted
    assert json.dumps(SHOWN)[1:-1] in posted


def test_imported_risk_text_is_shown_as_typed_on_the_card_and_the_overview() -> None:
    content = {"ref_id": 1, "version": 2, "title": HOSTILE, "description": HOSTILE, "lines": []}
    card = json.dumps(risk_card(content))
    assert "<!channel>" not in card and json.dumps(SHOWN)[1:-1] in card
    top = [
        {
            "ref": "R-1",
            "title": HOSTILE,
            "residual": 6,
            "level": "medium",
            "treatment": "accept",
            "owner": "UBOB",
        }
    ]
    overview = overview_text(top, [])
    assert "<!channel>" not in overview and SHOWN in overview
