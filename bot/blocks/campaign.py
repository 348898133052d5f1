"""Block Kit for campaigns: the start modal and the quiz modal."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import Block, input_block, modal, text, text_input
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
        input_block(
            BlockId.CAMPAIGN_DUE, "Due date", {"type": "datepicker", "action_id": Field.VALUE}
        ),
        text_input(
            BlockId.CAMPAIGN_LINK,
            "Link to what people read",
            Field.VALUE,
            optional=True,
            placeholder="https://…",
        ),
        input_block(
            BlockId.CAMPAIGN_DOCUMENT,
            "Document (its SHA-256 is recorded)",
            {"type": "file_input", "action_id": Field.VALUE, "max_files": 1},
            optional=True,
        ),
        _quiz_input(),
        _options_input(),
    ]
    return modal(View.CAMPAIGN, "Start a campaign", blocks, submit="Start")


def _quiz_input() -> Block:
    return text_input(
        BlockId.CAMPAIGN_QUIZ,
        "Quiz (YAML: pass_mark and questions)",
        Field.VALUE,
        multiline=True,
        optional=True,
        placeholder="pass_mark: 0.8\nquestions:\n  - question: …\n    choices: [A, B]\n    answer: 0",
    )


def _options_input() -> Block:
    options = [
        (Option.ROLLING, "Keep adding people who join the audience later"),
        (Option.INCLUDE_GUESTS, "Include guest accounts"),
    ]
    element = {
        "type": "checkboxes",
        "action_id": Field.VALUE,
        "options": [
            {"text": text(label, markdown=False), "value": value} for value, label in options
        ],
    }
    return input_block(BlockId.CAMPAIGN_OPTIONS, "Options", element, optional=True)


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
