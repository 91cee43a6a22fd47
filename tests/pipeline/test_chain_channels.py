"""The chain tells the town's own accounts by channel and user id: an account on another channel
whose user id happens to equal one of the town's X ids is a resident, not staff."""

from __future__ import annotations

from typing import Any

import pytest

from jun_engine.cases.accounts import own_accounts
from jun_engine.domain.messages import Channel, InboundMessage, MessageKind
from jun_engine.emulator.testing import TEST_START, emulator_test_config
from jun_engine.pipeline.chain import OwnAccounts, StaffCommands
from jun_engine.pipeline.turn import Turn

CONFIG = emulator_test_config()
TOWN = CONFIG.town_account().user_id
DEPARTMENT = next(a.user_id for a in CONFIG.accounts.values() if a.user_id != TOWN)
NO_TURN: Any = None
"""The checks read the message alone; they never touch the turn."""


def dm(channel: Channel, author: str) -> InboundMessage:
    return InboundMessage(
        channel=channel,
        kind=MessageKind.DM,
        platform_id="1",
        account_id=TOWN,
        author_id=author,
        text="RESOLVE JUN-2026-00001",
        created_at=TEST_START,
    )


@pytest.mark.parametrize(
    ("channel", "staff"), [(Channel.X, True), (Channel.LINE, False)], ids=["x", "line"]
)
def test_only_the_towns_own_accounts_on_their_channel_are_staff(
    channel: Channel, staff: bool
) -> None:
    own = own_accounts(CONFIG)
    message = dm(channel, DEPARTMENT)
    turn: Turn = NO_TURN
    assert StaffCommands(own, (Channel.X, TOWN)).check(message, turn) is staff
    assert OwnAccounts(own).check(message, turn) is staff
