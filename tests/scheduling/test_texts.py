"""The scheduler's public posts are in the town's default language, whatever that is."""

from __future__ import annotations

from datetime import date

import pytest

from jun_engine.config.schema import Config
from jun_engine.scheduling.menus import menu_text

DAY = date(2026, 3, 2)
ES_ALLERGENS = "Alérgenos: gluten, pescado y lácteos."


def in_language(config: Config, language: str) -> Config:
    town = config.town.model_copy(update={"default_language": language})
    return config.model_copy(update={"town": town})


@pytest.mark.parametrize(
    ("language", "heading", "allergens"),
    [
        ("es", "Menú del comedor de CEIP de Jun, lunes 2 de marzo:", ES_ALLERGENS),
        (
            "en",
            "CEIP de Jun school lunch menu, Monday 2 March:",
            "Allergens: gluten, fish and milk.",
        ),
        ("th", "เมนูอาหารกลางวัน CEIP de Jun วันจันทร์ที่ 2 มีนาคม:", "สารก่อภูมิแพ้: gluten fish และmilk"),
    ],
)
def test_a_menu_post_is_all_in_the_towns_language(
    config: Config, language: str, heading: str, allergens: str
) -> None:
    text = menu_text(
        in_language(config, language),
        "ceip_jun",
        DAY,
        ("Lentejas", "Merluza"),
        ("gluten", "fish", "milk"),
    )
    lines = text.splitlines()
    assert lines[0] == heading
    assert lines[1:3] == ["• Lentejas", "• Merluza"]
    assert lines[3] == allergens


def test_a_menu_without_allergens_says_so_in_the_towns_language(config: Config) -> None:
    assert "Allergens: none declared." in menu_text(
        in_language(config, "en"), "ceip_jun", DAY, ("Sopa",), ()
    )
    assert "Alérgenos: ninguno declarado." in menu_text(config, "ceip_jun", DAY, ("Sopa",), ())
