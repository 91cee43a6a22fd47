"""LINE's rules beyond its OpenAPI file, checked with the schema: text length in UTF-16 units,
user-id shapes, loading seconds in steps of 5, narrowcast limits."""

from __future__ import annotations

import re
from typing import Any

from jun_engine.emulator.line.spec import Problem, utf16_length

MAX_TEXT = 5_000
"""UTF-16 code units per text message (LINE's documentation; not in the OpenAPI file)."""
USER_ID = re.compile(r"^U[0-9a-f]{32}$")
CHAT_ID = re.compile(r"^[UCR][0-9a-f]{32}$")


def rule_problems(operation: str, body: Any) -> list[Problem]:
    """What breaks LINE's extra rules in a body that already fits its schema."""
    if not isinstance(body, dict):
        return []
    problems = _text_problems(body.get("messages"))
    to = body.get("to")
    if operation == "pushMessage" and isinstance(to, str) and not CHAT_ID.match(to):
        problems.append(("to", "The property, 'to', in the request body is invalid"))
    if operation == "multicast" and isinstance(to, list):
        problems.extend(
            (f"to[{i}]", "invalid user id")
            for i, user in enumerate(to)
            if not (isinstance(user, str) and USER_ID.match(user))
        )
    seconds = body.get("loadingSeconds")
    if isinstance(seconds, int) and seconds % 5:
        problems.append(("loadingSeconds", "must be a multiple of 5"))
    limit = body.get("limit")
    limit = limit if isinstance(limit, dict) else {}
    if limit.get("forbidPartialDelivery") and not limit.get("upToRemainingQuota"):
        problems.append(
            ("limit.forbidPartialDelivery", "can be true only if upToRemainingQuota is true")
        )
    return problems


def _text_problems(messages: Any) -> list[Problem]:
    if not isinstance(messages, list):
        return []
    return [
        (f"messages[{i}].text", f"Length must be between 0 and {MAX_TEXT}")
        for i, message in enumerate(messages)
        if isinstance(message, dict)
        and message.get("type") in ("text", "textV2")
        and isinstance(message.get("text"), str)
        and utf16_length(message["text"]) > MAX_TEXT
    ]
