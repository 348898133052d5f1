"""Block Kit for campaigns: the start modal and the quiz modal."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import Block, modal, text, text_input
from bot.ids import Block as BlockId
from bot.ids import Field, Option, View


def start_modal() -> dict[str, Any]:
    """The modal behind `/compliance campaign start`."""
    blocks: list[Block] = [
        text_input(
            BlockId.CAMPAIGN_TITLE,
            "Title",
            Field.VALUE,
            placeholder="2026 security awareness training",
        ),
        text_input(
            BlockId.CAMPAIGN_AUDIENCE,
            "Audience",
            Field.VALUE,
            placeholder="all, usergroup:S…, channel:C… or users:U1,U2",
        ),
        {
            "type": "input",
            "block_id": BlockId.CAMPAIGN_DUE,
            "label": text("Due date", markdown=False),
            "element": {"type": "datepicker", "action_id": Field.VALUE},
        },
        text_input(
            BlockId.CAMPAIGN_LINK,
            "Link to what people read",
            Field.VALUE,
            optional=True,
            placeholder="https://…",
        ),
        {
            "type": "input",
            "block_id": BlockId.CAMPAIGN_DOCUMENT,
            "label": text("Document (its SHA-256 is recorded)", markdown=False),
            "element": {"type": "file_input", "action_id": Field.VALUE, "max_files": 1},
            "optional": True,
        },
        text_input(
            BlockId.CAMPAIGN_QUIZ,
            "Quiz (YAML: pass_mark and questions)",
            Field.VALUE,
            multiline=True,
            optional=True,
            placeholder="pass_mark: 0.8\nquestions:\n  - question: …\n    choices: [A, B]\n    answer: 0",
        ),
        {
            "type": "input",
            "block_id": BlockId.CAMPAIGN_OPTIONS,
            "label": text("Options", markdown=False),
            "optional": True,
            "element": {
                "type": "checkboxes",
                "action_id": Field.VALUE,
                "options": [
                    {
                        "text": text(
                            "Keep adding people who join the audience later", markdown=False
                        ),
                        "value": Option.ROLLING,
                    },
                    {
                        "text": text("Include guest accounts", markdown=False),
                        "value": Option.INCLUDE_GUESTS,
                    },
                ],
            },
        },
    ]
    return modal(View.CAMPAIGN, "Start a campaign", blocks, submit="Start")


def quiz_modal(campaign_id: int, title: str, quiz: dict[str, Any]) -> dict[str, Any]:
    """One radio-button question per block; the answers are graded on submission."""
    blocks: list[Block] = []
    for i, question in enumerate(quiz["questions"]):
        blocks.append(
            {
                "type": "input",
                "block_id": f"{BlockId.QUIZ_QUESTION}{i}",
                "label": text(question["question"][:1900], markdown=False),
                "element": {
                    "type": "radio_buttons",
                    "action_id": Field.VALUE,
                    "options": [
                        {"text": text(choice[:70], markdown=False), "value": str(j)}
                        for j, choice in enumerate(question["choices"])
                    ],
                },
            }
        )
    return modal(
        View.QUIZ, title[:24] or "Quiz", blocks, submit="Submit answers", metadata=str(campaign_id)
    )
