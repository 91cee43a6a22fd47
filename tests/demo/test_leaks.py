"""The demo's leak check: a public post repeating twelve characters of a private text in a row
(outside the town's public vocabulary) is a leak; names the town itself publishes are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from jun_engine.config import load_config
from jun_engine.config.schema import Config
from jun_engine.demo.leaks import leaking, vocabulary

REPO = Path(__file__).resolve().parents[2]
TIP = "Aviso confidencial: he visto trapicheo todas las noches junto al parque de Barrio Alto."


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(REPO / "accounts.yaml").config


def test_a_post_quoting_a_dm_is_a_leak(config: Config) -> None:
    public = ["@vecino Gracias, he visto trapicheo todas las noches: lo pasamos a la Policía."]
    assert leaking(public, [TIP], vocabulary(config)) == [0]


def test_a_leak_survives_case_accents_and_punctuation(config: Config) -> None:
    public = ["HE VISTO TRAPICHEO... todas-las-noches"]
    assert leaking(public, [TIP], vocabulary(config)) == [0]


def test_an_acknowledgement_naming_the_department_and_district_is_not_a_leak(
    config: Config,
) -> None:
    # The DM names the Policía Local and a district; the public reply names them too.
    dm = "Policía Local de Jun: ruidos en el Barrio Alto cada noche, por favor"
    public = [
        "Hemos pasado tu aviso a Policía Local de Jun (Barrio Alto). Referencia JUN-2026-0001"
    ]
    assert leaking(public, [dm], vocabulary(config)) == []


def test_only_the_leaking_posts_are_counted(config: Config) -> None:
    public = [
        "Menú del comedor: lentejas, merluza y fruta.",
        "Recibido: junto al parque de Barrio Alto hay trapicheo",
        "Concierto esta tarde en la plaza.",
    ]
    assert leaking(public, [TIP, "otra cosa privada sin relación"], vocabulary(config)) == [1]


def test_hostile_private_text_is_scanned_without_failing(config: Config) -> None:
    hostile = "\u202e" + "🔥" * 50 + "\x00\x07" + "ー" * 40 + ("texto largo " * 900)
    public = ["Nada que ver 🔥", "texto largo texto largo"]
    assert leaking(public, [hostile], vocabulary(config)) == [1]


def test_nothing_private_means_nothing_leaks(config: Config) -> None:
    assert leaking(["any public text at all, long enough"], [], vocabulary(config)) == []
