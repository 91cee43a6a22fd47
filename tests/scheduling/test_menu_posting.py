"""Menus on every database: importing replaces only what is not posted yet, and each school
day's menu is queued once at its time, in Spanish with its allergens; past days are skipped."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import MenuStatus
from jun_engine.scheduling.menu_checks import CheckedMenus, MenuDay
from jun_engine.scheduling.menus import import_menus, menu_key, queue_due_menus
from jun_engine.store.tables import OutboxRow, SchoolMenuRow
from tests.scheduling.conftest import MONDAY, MONDAY_0900

TUESDAY = MONDAY + timedelta(days=1)


def checked(*days: MenuDay) -> CheckedMenus:
    return CheckedMenus("ceip_jun", days, ())


def day(when: date, *dishes: str, allergens: tuple[str, ...] = ("gluten",)) -> MenuDay:
    return MenuDay("ceip_jun", when, dishes, allergens)


def test_a_reimport_replaces_scheduled_days_and_keeps_queued_ones(
    session: Session, config: Config
) -> None:
    import_menus(
        session,
        checked(day(MONDAY, "Sopa"), day(TUESDAY, "Arroz")),
        source="a.csv",
        now=MONDAY_0900,
    )
    queue_due_menus(session, config, MONDAY_0900)  # Monday's 08:00 has passed: queued
    result = import_menus(
        session,
        checked(day(MONDAY, "Potaje"), day(TUESDAY, "Paella")),
        source="b.csv",
        now=MONDAY_0900,
    )
    assert (result.added, result.replaced, result.unchanged) == (0, 1, 1)
    assert "already queued" in result.warnings[0].message
    rows = {row.day: row for row in session.exec(select(SchoolMenuRow))}
    assert rows[MONDAY].dishes == "Sopa"
    assert rows[TUESDAY].dishes == "Paella"


def test_the_menu_is_queued_at_its_time_once_in_spanish(session: Session, config: Config) -> None:
    import_menus(
        session,
        checked(day(TUESDAY, "Lentejas", "Merluza", allergens=("gluten", "fish", "milk"))),
        source="a.csv",
        now=MONDAY_0900,
    )
    # 06:59 UTC is 07:59 in Madrid: not yet; 07:00 UTC is 08:00: now
    assert queue_due_menus(session, config, MONDAY_0900 + timedelta(hours=21, minutes=59)) == []
    (decision,) = queue_due_menus(session, config, MONDAY_0900 + timedelta(hours=22))
    assert decision.status is MenuStatus.QUEUED
    assert queue_due_menus(session, config, MONDAY_0900 + timedelta(hours=23)) == []
    (post,) = session.exec(select(OutboxRow)).all()
    assert post.idempotency_key == menu_key("ceip_jun", TUESDAY)
    assert post.account_id == config.accounts["school"].user_id
    assert post.text == (
        "Menú del comedor de CEIP de Jun, martes 3 de marzo:\n"
        "• Lentejas\n• Merluza\n"
        "Alérgenos: gluten, pescado y lácteos.\n#MenúCEIPJun"
    )


def test_a_menu_whose_day_passed_is_skipped(session: Session, config: Config) -> None:
    import_menus(session, checked(day(MONDAY, "Sopa")), source="a.csv", now=MONDAY_0900)
    (decision,) = queue_due_menus(session, config, MONDAY_0900 + timedelta(days=1))
    assert decision.status is MenuStatus.SKIPPED
    assert "passed" in decision.reason
    assert session.exec(select(OutboxRow)).all() == []
