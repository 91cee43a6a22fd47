"""load_config: the shipped Jun file loads, and a broken file reports every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from jun_engine.config import ConfigError, Severity, load_config
from jun_engine.config.environment import referenced_variables

REPO = Path(__file__).parents[2]
SHIPPED = REPO / "accounts.yaml"
BASE = (Path(__file__).parent / "broken" / "two_triage.yaml").read_text(encoding="utf-8")


def minimal(extra: str = "", **replace: str) -> str:
    """A valid small config (the corpus base), with text replaced or appended."""
    text = BASE.replace("    account: water\n    triage: true\n", "    account: water\n")
    for old, new in replace.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text + extra


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_loads_for_the_emulator_with_only_a_credentials_warning() -> None:
    # Given the shipped accounts.yaml and an empty environment
    # When it is loaded for the emulator
    loaded = load_config(SHIPPED, target="emulator", environ={})
    # Then it describes Jun, and the only warning is about unset credential variables
    config = loaded.config
    assert config.town.name == "Jun"
    assert config.town.timezone == "Europe/Madrid"
    assert config.town.languages == ["es", "en", "th"]
    assert config.triage_department() == "town_hall"
    assert config.town_account().handle == "AytoJun"
    assert [w.severity for w in loaded.warnings] == [Severity.WARNING]
    assert "credential variable(s) not set" in loaded.warnings[0].message


def test_shipped_file_has_what_the_town_needs() -> None:
    config = load_config(SHIPPED, environ=None).config
    # Then every department of the brief is there, private where personal data flows
    assert set(config.departments) >= {
        "town_hall",
        "public_works",
        "street_cleaning",
        "water",
        "police",
        "health",
        "school",
        "social_services",
        "culture_sport",
    }
    assert config.departments["health"].privacy == "private"
    assert config.departments["social_services"].privacy == "private"
    assert config.departments["police"].categories["tips"].privacy == "private"
    assert config.cases.escalation_account == "mayor"
    # Every department and category has keywords in Spanish, English and Thai
    for dept in config.departments.values():
        assert set(dept.keywords) == {"es", "en", "th"}
        for category in dept.categories.values():
            assert set(category.keywords) == {"es", "en", "th"}
    # Endesa is an outside body, and power cuts are tagged for it
    assert "ไฟดับ" in config.external_bodies["endesa"].keywords["th"]
    assert config.departments["public_works"].categories["power_cuts"].external_body == "endesa"
    # User ids are distinct and plausible (10 to 19 digits)
    ids = [account.user_id for account in config.accounts.values()]
    assert len(set(ids)) == len(ids)
    assert all(10 <= len(user_id) <= 19 for user_id in ids)
    # Anchors and merge keys work: street cleaning has office hours plus Saturday
    hours = config.departments["street_cleaning"].hours
    assert hours["mon"] == ["09:00-14:00"]
    assert hours["sat"] == ["09:00-13:00"]
    assert config.air_quality.enabled
    assert config.town.coordinates is not None


def test_shipped_file_against_real_x_needs_every_variable() -> None:
    # Given every variable the file names is set, it loads for real X without a single problem
    config = load_config(SHIPPED, environ=None).config
    names = [name for _, name in referenced_variables(config)]
    environ = dict.fromkeys(names, "set-in-the-environment")
    assert load_config(SHIPPED, target="x", environ=environ).warnings == ()
    # Given none is set, each one is an error of its own
    with pytest.raises(ConfigError) as raised:
        load_config(SHIPPED, target="x", environ={})
    missing = [p for p in raised.value.problems if "is not set (needed to reach X)" in p.message]
    assert len(missing) == len(names)
    assert all(p.is_error for p in missing)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    # Given a file with four unrelated faults
    text = minimal(
        **{
            "    handle: JunAguas\n": "    handle: JunAguas\n    handle: Aguas\n",
            "    account: water\n": "    acount: water\n",
            "handle: AytoJun": "handle: '@AytoJun'",
            "JUN_X_TOWN_ACCESS_TOKEN\n": "1130425167-Zq8RkV1mXw2Lp9TnB4yHcE7uJd3Fa6Gs\n",
        }
    )
    # When it is loaded
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))
    # Then every fault is reported, in file order
    found = [(p.line, p.path) for p in raised.value.problems]
    assert found == [
        (12, "accounts.town.handle"),
        (14, "accounts.town.access_token_env"),
        (18, "accounts.water.handle"),
        (27, "departments.water.account"),
        (29, "departments.water.acount"),
    ]


def test_every_dangling_reference_is_reported_at_once(tmp_path: Path) -> None:
    text = minimal(
        "cases:\n  escalation_account: mayor\nnotices:\n  default_account: towm\n",
        **{
            "    account: water\n": "    account: agua\n",
            "  name: Jun\n  account: town\n": "  name: Jun\n  account: ayto\n",
        },
    )
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))
    assert [p.path for p in raised.value.problems] == [
        "town.account",
        "departments.water.account",
        "cases.escalation_account",
        "notices.default_account",
    ]


def test_keywords_in_a_language_the_town_does_not_speak_only_warn(tmp_path: Path) -> None:
    text = minimal("    keywords:\n      fr: [eau]\n")
    loaded = load_config(write(tmp_path, text))
    [warning] = loaded.warnings
    assert warning.severity is Severity.WARNING
    assert warning.path == "departments.water.keywords.fr"
    assert warning.line == 30
    assert "not one of town.languages" in warning.message


def test_rubbish_collection_in_an_unknown_district_warns(tmp_path: Path) -> None:
    text = minimal(
        "notices:\n  rubbish_collection:\n    Centr: [mon]\n",
        **{"  name: Jun\n": "  name: Jun\n  districts: [Centro]\n"},
    )
    [warning] = load_config(write(tmp_path, text)).warnings
    assert warning.path == "notices.rubbish_collection.Centr"
    assert "did you mean 'Centro'?" in warning.message


def test_config_error_message_lists_the_errors(tmp_path: Path) -> None:
    text = minimal(**{"    account: water\n": "    account: agua\n"})
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))
    assert str(raised.value).startswith("invalid configuration (1 error):\n")
    assert "accounts.yaml:28:14: error: departments.water.account: unknown account 'agua'" in str(
        raised.value
    )
