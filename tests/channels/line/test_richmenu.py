"""The rich menu: made once however often the engine restarts, replaced when accounts.yaml
changes it, finished when a start was cut off between creating it and uploading its picture."""

from __future__ import annotations

import pytest
from linebot.v3.messaging import ApiException

from jun_engine.channels.line.client import LineClients
from jun_engine.channels.line.richmenu import (
    CHAT_BAR,
    LABELS,
    ensure_rich_menu,
    menu_request,
    postback_data,
)
from jun_engine.config.schema import Config
from jun_engine.emulator.line.emulator import LineEmulator
from jun_engine.emulator.line.images import image_size
from tests.channels.line.extras import line_account_of

RESTARTS = 150
"""More than LINE's 100 menu creations an hour: one creation per start would be refused."""


def test_150_restarts_create_the_menu_once(
    line_emulator: LineEmulator, town_config: Config, clients: LineClients
) -> None:
    account = line_account_of(town_config).model_copy(update={"language": "th"})
    # When the engine starts 150 times within the hour
    outcomes = [ensure_rich_menu(clients, account, line_emulator.clock) for _ in range(RESTARTS)]
    # Then the menu was created by the first start only, and no start was refused
    assert [o.created for o in outcomes].count(True) == 1
    menus = line_emulator.state.rich_menus.all()
    assert len(menus) == 1
    menu = menus[0]
    assert {o.rich_menu_id for o in outcomes} == {menu.rich_menu_id}
    # And it is everyone's default, with its picture at the menu's size
    assert line_emulator.state.rich_menus.default() == menu.rich_menu_id
    assert menu.image is not None
    assert image_size(menu.image) == ("image/png", 2500, 843)
    # And its six areas send "menu:<action>" back, labelled in the account's language (Thai)
    actions = [area["action"] for area in menu.body["areas"]]
    assert [a["data"] for a in actions] == [postback_data(a) for a in account.rich_menu]
    assert actions[0]["label"] == "แจ้งปัญหา"
    assert menu.body["chatBarText"] == "เมนู"


def test_a_changed_menu_replaces_the_old_one(
    line_emulator: LineEmulator, town_config: Config, clients: LineClients
) -> None:
    account = line_account_of(town_config)
    first = ensure_rich_menu(clients, account, line_emulator.clock, "es")
    # When accounts.yaml drops two areas and the engine restarts (twice)
    smaller = account.model_copy(update={"rich_menu": ["report", "my_cases", "verify"]})
    second = ensure_rich_menu(clients, smaller, line_emulator.clock, "es")
    third = ensure_rich_menu(clients, smaller, line_emulator.clock, "es")
    # Then the new menu was created once, made the default, and the old one deleted
    assert second.created
    assert not third.created
    assert second.deleted == 1
    assert third.deleted == 0
    menus = line_emulator.state.rich_menus.all()
    assert [m.rich_menu_id for m in menus] == [second.rich_menu_id]
    assert line_emulator.state.rich_menus.default() == second.rich_menu_id != first.rich_menu_id
    assert [a["action"]["label"] for a in menus[0].body["areas"]] == [
        "Avisar de problema",
        "Mis casos",
        "Cómo verificarme",
    ]


def test_a_start_cut_off_before_the_picture_is_finished_by_the_next(
    line_emulator: LineEmulator, town_config: Config, clients: LineClients
) -> None:
    account = line_account_of(town_config)
    # Given a start that created the menu and died before uploading its picture
    made = clients.messaging.create_rich_menu(menu_request(account, "en")).rich_menu_id
    with pytest.raises(ApiException) as refused:  # LINE refuses a menu without its picture
        clients.messaging.set_default_rich_menu(made)
    assert refused.value.status == 400
    # When the engine starts again
    outcome = ensure_rich_menu(clients, account, line_emulator.clock)
    # Then it finished that menu instead of making another
    assert not outcome.created
    assert outcome.rich_menu_id == made
    assert len(line_emulator.state.rich_menus.all()) == 1
    assert line_emulator.state.rich_menus.default() == made


def test_every_label_fits_lines_20_characters() -> None:
    too_long = [t for texts in LABELS.values() for t in texts.values() if len(t) > 20]
    assert too_long == []
    assert all(len(text) <= 14 for text in CHAT_BAR.values())
