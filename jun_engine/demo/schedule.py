"""What the town hall has scheduled when the demo starts: the school's menus and two notices."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.scheduling.menu_checks import CheckedMenus, MenuDay
from jun_engine.scheduling.menus import import_menus
from jun_engine.scheduling.notices import NoticeRequest, add_notice
from jun_engine.store.session import session_scope

SOURCE = "demo"
MENUS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("Lentejas estofadas", "Merluza en salsa verde", "Fruta de temporada"), ("fish",)),
    (("Macarrones con tomate", "Tortilla de patatas", "Yogur natural"), ("gluten", "eggs", "milk")),
    (("Crema de calabaza", "Pollo asado con patatas", "Naranja"), ()),
    (("Potaje de garbanzos", "Albóndigas en salsa", "Pan integral", "Manzana"), ("gluten",)),
    (("Arroz a la cubana", "Ensalada de la huerta", "Natillas"), ("eggs", "milk")),
)  # fmt: skip
NOTICES: tuple[tuple[timedelta, str], ...] = (
    (timedelta(hours=2), "Corte de agua programado mañana de 9:00 a 12:00 en el Barrio Alto "
                         "por obras en la red. Disculpen las molestias. #AytoJun"),
    (timedelta(hours=7), "Esta tarde, a las 19:00, concierto de la banda municipal en la Plaza "
                         "de la Constitución. ¡Os esperamos! #AytoJun"),
    (timedelta(hours=20), "Recordatorio: la recogida de enseres es el primer jueves de cada "
                          "mes; llamad al Ayuntamiento para apuntaros. #AytoJun"),
)  # fmt: skip


def seed_schedule(engine: Engine, config: Config, now: datetime, days: int) -> int:
    """Import a lunch menu per school day for `days` days and queue the notices; how many items."""
    count = 0
    with session_scope(engine) as session:
        for school in config.schools:
            menus = [
                MenuDay(school, day, *MENUS[n % len(MENUS)])
                for n, day in enumerate(_days(now.date(), days))
            ]
            result = import_menus(
                session, CheckedMenus(school, tuple(menus), ()), source=SOURCE, now=now
            )
            count += result.added
        for delay, text in NOTICES:
            add_notice(session, config, NoticeRequest(text=text, at=now + delay), now)
            count += 1
    return count


def _days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(max(count, 1))]
