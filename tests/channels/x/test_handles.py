"""The daemon reads X with each author's @handle, so people read residents by handle."""

from __future__ import annotations

from typing import Any

import requests

from jun_engine.channels.x.runtime import x_runtime
from jun_engine.emulator.emulator import Emulator


def admin(emulator: Emulator, path: str, body: dict[str, Any]) -> None:
    response = requests.post(f"{emulator.base_url}/_emulator/{path}", json=body, timeout=10)
    assert response.status_code == 201, response.text


def test_the_daemons_gateways_name_each_mention_and_dm_author_by_handle(
    x_emulator: Emulator,
) -> None:
    config = x_emulator.config
    town = config.town_account()
    # Given a resident who mentions the town and writes to it by DM
    admin(x_emulator, "users", {"handle": "ana_jun", "name": "Ana"})
    admin(x_emulator, "tweets", {"author": "ana_jun", "text": f"@{town.handle} farola rota"})
    admin(x_emulator, "dms", {"sender": "ana_jun", "recipient": town.handle, "text": "hola"})
    # When the gateways the daemon's X runtime builds read them
    runtime = x_runtime(config, x_emulator.credentials_env(), x_emulator.base_url)
    try:
        gateway = runtime.gateway(config.town.account)
        mentions = gateway.mentions(town.user_id).items
        dms = [m for m in gateway.dm_events().items if m.author_id != town.user_id]
    finally:
        runtime.close()
    # Then X named the author of each by handle, beside the id the engine keys residents by
    assert [m.author_handle for m in mentions] == ["ana_jun"]
    assert [m.author_handle for m in dms] == ["ana_jun"]
    assert mentions[0].author_id == dms[0].author_id != ""
