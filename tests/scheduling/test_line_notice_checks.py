"""What `notices add` refuses for LINE, before anything is stored: no LINE account, an age group
LINE's narrowcast cannot express, an audience X could only reach by DM."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from jun_engine.config.schema import Config, LineSettings
from jun_engine.domain.messages import Channel
from jun_engine.scheduling.errors import InvalidNoticeError
from jun_engine.scheduling.line_casts import line_demographic
from jun_engine.scheduling.notices import NoticeRequest, add_notice, get_notice
from tests.scheduling.conftest import MONDAY_0900

LINE_ONLY = (Channel.LINE,)


@pytest.fixture
def town(config: Config) -> Config:
    line = LineSettings.model_validate(
        {
            "accounts": {
                "jun_line": {
                    "channel_id": "1650000001",
                    "bot_user_id": "U" + "a" * 32,
                    "channel_secret_env": "JUN_LINE_SECRET",
                    "access_token_env": "JUN_LINE_TOKEN",
                    "area": "jp_40",
                }
            }
        }
    )
    return config.model_copy(update={"line": line})


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (NoticeRequest("Hola", channels=LINE_ONLY, age_groups=("youth",)), "does not fit LINE's"),
        (NoticeRequest("Hola", channels=(Channel.X, Channel.LINE), age_groups=("seniors",)),
         "need --dm"),
        (NoticeRequest("Hola", channels=LINE_ONLY, districts=("Centro",)), "need --dm"),
        (NoticeRequest("Hola", channels=LINE_ONLY, line_account="nope"), "unknown LINE account"),
        (NoticeRequest("Hola", channels=()), "no channel"),
    ],
)  # fmt: skip
def test_bad_line_notices_are_refused(
    session: Session, town: Config, request_: NoticeRequest, reason: str
) -> None:
    with pytest.raises(InvalidNoticeError, match=reason):
        add_notice(session, town, request_, MONDAY_0900)


def test_without_a_line_section_a_line_notice_is_refused(session: Session, config: Config) -> None:
    request = NoticeRequest("Hola", channels=LINE_ONLY)
    with pytest.raises(InvalidNoticeError, match="no `line` section"):
        add_notice(session, config.model_copy(update={"line": None}), request, MONDAY_0900)


def test_a_notice_to_x_and_line_remembers_both(session: Session, town: Config) -> None:
    request = NoticeRequest("Pleno el jueves", channels=(Channel.X, Channel.LINE))
    row = get_notice(session, add_notice(session, town, request, MONDAY_0900))
    assert (row.channels, row.line_account) == ("x line", "jun_line")


def test_seniors_are_lines_band_from_65_in_the_accounts_area(town: Config) -> None:
    assert line_demographic(town, ["seniors"], "jp_40") == {
        "type": "operator",
        "and": [{"type": "age", "gte": "age_65"}, {"type": "area", "oneOf": ["jp_40"]}],
    }
