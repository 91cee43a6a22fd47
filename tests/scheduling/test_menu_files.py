"""Menu files: the two formats read into days, and every kind of malformed file rejected with
the line that is wrong named (nothing is imported from a rejected file)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jun_engine.config.schema import Config
from jun_engine.scheduling.menu_checks import CheckedMenus, check_menus
from jun_engine.scheduling.menu_file import MAX_BYTES, MenuFileError, read_menu_file
from tests.scheduling.conftest import MONDAY

HEADER = "date,dishes,allergens\n"
GOOD_ROW = "2026-03-03,Lentejas estofadas; Merluza a la plancha; Fruta,gluten; pescado\n"


def load(tmp_path: Path, name: str, content: str | bytes, config: Config) -> CheckedMenus:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return check_menus(read_menu_file(path), config, school=None, today=MONDAY)


def test_a_csv_file_becomes_days_with_dishes_and_allergen_codes(
    tmp_path: Path, config: Config
) -> None:
    # Given a CSV with Spanish headers, Spanish allergen names and a Spanish date
    content = (
        "fecha,platos,alérgenos\n"
        "03/03/2026,Lentejas estofadas; Merluza a la plancha; Fruta,Gluten; PESCADO\n"
        "\n"
        '2026-03-04,"Arroz con pollo; Ensalada, con tomate; Yogur",lácteos\n'
    )
    # When it is read and checked
    checked = load(tmp_path, "menus.csv", content, config)
    # Then each day has its dishes and the allergens as codes, and no warnings
    assert checked.school == "ceip_jun"
    assert [(d.day, d.dishes, d.allergens) for d in checked.days] == [
        (
            date(2026, 3, 3),
            ("Lentejas estofadas", "Merluza a la plancha", "Fruta"),
            ("gluten", "fish"),
        ),
        (date(2026, 3, 4), ("Arroz con pollo", "Ensalada, con tomate", "Yogur"), ("milk",)),
    ]
    assert checked.warnings == ()


def test_a_yaml_file_names_its_school_and_lists_days(tmp_path: Path, config: Config) -> None:
    content = (
        "school: ceip_jun\n"
        "menus:\n"
        "  - date: 2026-03-03\n"
        "    dishes: [Sopa de fideos, Tortilla de patatas, Naranja]\n"
        "    allergens: [gluten, huevo]\n"
        "  - date: 2026-03-04\n"
        "    dishes: [Puré de verduras 🥕, Pollo asado]\n"
        "    allergens: []\n"
    )
    checked = load(tmp_path, "menus.yaml", content, config)
    assert [(d.day, d.allergens, d.line) for d in checked.days] == [
        (date(2026, 3, 3), ("gluten", "eggs"), 3),
        (date(2026, 3, 4), (), 6),
    ]
    assert checked.days[1].dishes[0] == "Puré de verduras 🥕"


def test_days_the_canteen_is_closed_or_past_are_left_out_with_a_warning(
    tmp_path: Path, config: Config
) -> None:
    # Given a past day, a Saturday, a town holiday (2 April 2026) and a good day
    content = (
        HEADER
        + "2026-02-27,Sopa,\n"
        + "2026-03-07,Sopa,\n"
        + "2026-04-02,Sopa,\n"
        + "2026-03-03,Sopa,\n"
    )
    checked = load(tmp_path, "menus.csv", content, config)
    # Then only the good day is kept, and each other day is named with its line
    assert [d.day for d in checked.days] == [date(2026, 3, 3)]
    assert [(w.line, w.is_error) for w in checked.warnings] == [
        (2, False),
        (3, False),
        (4, False),
    ]
    assert "has passed" in checked.warnings[0].message
    assert "Saturday (not a school day)" in checked.warnings[1].message
    assert "town holiday" in checked.warnings[2].message


MALFORMED = [
    pytest.param("menus.csv", b"", 1, "the file is empty", id="empty"),
    pytest.param("menus.csv", "  \n\n", 1, "the file is empty", id="blank"),
    pytest.param(
        "menus.csv",
        HEADER.encode() + b"2026-03-03,Lentejas con chorizo \xf1,gluten\n",
        2,
        "not UTF-8 text (byte 0xf1)",
        id="latin-1",
    ),
    pytest.param(
        "menus.csv", HEADER.encode() + b"2026-03-03,\x00\x01,gluten\n", 2, "NUL", id="binary"
    ),
    pytest.param(
        "menus.csv",
        HEADER + GOOD_ROW * (MAX_BYTES // len(GOOD_ROW) + 1),
        None,
        "over 256 KiB",
        id="too-large",
    ),
    pytest.param("menus.txt", HEADER + GOOD_ROW, None, "unknown file type '.txt'", id="type"),
    pytest.param(
        "menus.csv",
        "date,dishes,allergens,price\n" + GOOD_ROW,
        1,
        "unknown column 'price'",
        id="extra-column",
    ),
    pytest.param(
        "menus.csv", "date,dishes\n2026-03-03,Sopa\n", 1, "missing column 'allergens'", id="column"
    ),
    pytest.param(
        "menus.csv", HEADER + GOOD_ROW + "2026-03-04,Sopa\n", 3, "2 fields", id="short-row"
    ),
    pytest.param(
        "menus.csv", HEADER + '2026-03-03,"Sopa; Pan,gluten\n', 2, "CSV syntax", id="quote"
    ),
    pytest.param("menus.csv", HEADER, 2, "a header but no menus", id="no-rows"),
    pytest.param(
        "menus.csv", HEADER + "2026-02-30,Sopa,gluten\n", 2, "'2026-02-30' is not a date", id="date"
    ),
    pytest.param(
        "menus.csv", HEADER + "mañana,Sopa,gluten\n", 2, "'mañana' is not a date", id="word-date"
    ),
    pytest.param(
        "menus.csv",
        HEADER + GOOD_ROW + "2026-03-04,Sopa,\n" + GOOD_ROW,
        4,
        "2026-03-03 appears twice (first on line 2)",
        id="duplicate",
    ),
    pytest.param("menus.csv", HEADER + "2026-03-03, ; ,gluten\n", 2, "no dishes", id="no-dishes"),
    pytest.param(
        "menus.csv",
        HEADER + "2026-03-03,Sopa,glutten\n",
        2,
        "unknown allergen 'glutten' (did you mean 'gluten'?)",
        id="allergen",
    ),
    pytest.param(
        "menus.csv",
        HEADER + "2026-03-03,Sopa,chocolate\n",
        2,
        "unknown allergen 'chocolate'",
        id="not-an-allergen",
    ),
    pytest.param(
        "menus.csv",
        HEADER + "2026-03-03,Sopa\x07 de ajo,\n",
        2,
        "control character (U+0007)",
        id="control",
    ),
    pytest.param(
        "menus.csv",
        HEADER + f"2026-03-03,{'Sopa ' * 50},\n",
        2,
        "a dish of 249 characters (at most 200)",
        id="long-dish",
    ),
    pytest.param(
        "menus.csv",
        HEADER + "2026-03-03," + "; ".join(f"Plato {n}" for n in range(13)) + ",\n",
        2,
        "more than 12 dishes",
        id="many-dishes",
    ),
    pytest.param(
        "menus.csv", HEADER + "2062-03-03,Sopa,\n", 2, "more than a year ahead", id="far-future"
    ),
    pytest.param(
        "menus.yaml",
        "school: ceip_jum\nmenus:\n  - {date: 2026-03-03, dishes: [Sopa], allergens: []}\n",
        1,
        "unknown school 'ceip_jum' (did you mean 'ceip_jun'?)",
        id="school",
    ),
    pytest.param(
        "menus.yaml", "menus:\n  - date: [2026-03-03\n", 3, "YAML syntax", id="yaml-syntax"
    ),
    pytest.param(
        "menus.yaml",
        "menus:\n  - date: 2026-03-03\n    dishes: [Sopa]\n    allergens: []\n    price: 3\n",
        5,
        "unknown key 'price'",
        id="yaml-key",
    ),
    pytest.param(
        "menus.yaml",
        "menus:\n  - date: 2026-03-03\n    allergens: [gluten]\n",
        2,
        "this menu has no dishes",
        id="yaml-missing",
    ),
    pytest.param(
        "menus.yaml",
        "menus:\n  - date: 2026-03-03\n    dishes: {primero: Sopa}\n    allergens: []\n",
        3,
        "dishes must be a list",
        id="yaml-shape",
    ),
    pytest.param("menus.yaml", "- just a word\n", 1, "each menu is a mapping", id="yaml-entry"),
    pytest.param("menus.yaml", "menu: []\n", 1, "unknown key 'menu'", id="yaml-top"),
]


@pytest.mark.parametrize(("name", "content", "line", "message"), MALFORMED)
def test_a_malformed_file_is_rejected_naming_the_line(
    tmp_path: Path, config: Config, name: str, content: str | bytes, line: int | None, message: str
) -> None:
    with pytest.raises(MenuFileError) as caught:
        load(tmp_path, name, content, config)
    errors = [problem for problem in caught.value.problems if problem.is_error]
    assert any(message in problem.message for problem in errors), errors
    first = next(problem for problem in errors if message in problem.message)
    assert first.line == line
    assert first.file.endswith(name)
    assert str(first).startswith(f"{first.file}:{line}:" if line else f"{first.file}: error")


def test_the_corpus_covers_at_least_ten_kinds_of_malformed_file() -> None:
    assert len(MALFORMED) >= 10


def test_every_error_of_a_file_is_reported_at_once(tmp_path: Path, config: Config) -> None:
    content = HEADER + "2026-02-30,Sopa,gluten\n" + "2026-03-04,,gluten\n" + "2026-03-05,Sopa,x\n"
    with pytest.raises(MenuFileError) as caught:
        load(tmp_path, "menus.csv", content, config)
    assert [problem.line for problem in caught.value.problems] == [2, 3, 4]
    assert "3 errors" in str(caught.value)
