"""The town driven by a real emulator: what residents sent is what the gateway reads."""

from __future__ import annotations

from jun_engine.channels.x import XGateway, credentials_for
from jun_engine.emulator.emulator import Emulator
from jun_engine.emulator.town import SimulatedTown


def test_the_town_s_mentions_and_dms_reach_the_town_account(x_emulator: Emulator) -> None:
    # Given a town attached to the emulator, a day of it
    config = x_emulator.config
    town = SimulatedTown(config, seed=31, rate_per_hour=6, outage_after=None, hostile_share=0.2)
    x_emulator.attach_town(town)
    for _ in range(24):
        x_emulator.step(3600)
    # When the town account reads its mentions and DMs through the gateway
    creds = credentials_for(config, config.town.account, x_emulator.credentials_env())
    with XGateway(creds, base_url=x_emulator.base_url) as gateway:
        mentions = gateway.mentions(creds.user_id).items
        dms = gateway.dm_events().items
    # Then every message sent to it arrives with its text exactly as written
    sent = {m.platform_id: m.text for m in town.sent if m.to_account_id == creds.user_id}
    read = {m.platform_id: m.text for m in (*mentions, *dms)}
    assert sent
    assert {k: read.get(k) for k in sent} == sent
