"""The real X responses recorded by tweepy's test suite (/work/shared/x-api/recorded), read-only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.channels.x.canned import Canned

RECORDED_DIR = Path("/work/shared/x-api/recorded")


@dataclass(frozen=True)
class Interaction:
    """One recorded request and the answer X gave."""

    file: str
    index: int
    method: str
    uri: str
    request_body: Any
    status: int
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.file}#{self.index}"

    @property
    def path(self) -> str:
        return self.uri.removeprefix("https://api.twitter.com").split("?")[0]

    def canned(self) -> Canned:
        """The recorded answer, byte for byte as JSON, with X's headers."""
        body = json.dumps(self.body, ensure_ascii=False).encode()
        return Canned(self.status, body, self.headers)


def interactions() -> list[Interaction]:
    """Every recorded interaction, in file order."""
    found: list[Interaction] = []
    for path in sorted(RECORDED_DIR.glob("*.json")):
        for index, entry in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            request, response = entry["request"], entry["response"]
            found.append(
                Interaction(
                    file=path.stem,
                    index=index,
                    method=request["method"],
                    uri=request["uri"],
                    request_body=request["body"],
                    status=response["status"]["code"],
                    headers=response["headers"],
                    body=response["json"],
                )
            )
    return found
