"""What every request of one web desk shares: the town's configuration, the database, the
settings, the clock and the templates; and how a page is rendered for a request."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse

from jun_engine.cases import texts
from jun_engine.config.schema import Config
from jun_engine.staff.accounts import Staff
from jun_engine.store.engine import database_errors
from jun_engine.web import i18n
from jun_engine.web.charts import Drawn
from jun_engine.web.rendering import environment
from jun_engine.web.settings import WebSettings

MAX_CACHED = 256
MAX_STAFF_REMEMBERED = 1024


def real_now() -> datetime:
    """The wall clock, aware UTC."""
    return datetime.now(UTC)


@dataclass
class Desk:
    """One running desk (kept on `app.state.desk`)."""

    config: Config
    engine: Engine
    settings: WebSettings
    clock: Callable[[], datetime] = real_now
    templates: Environment = field(init=False)
    cache: dict[object, tuple[float, object]] = field(init=False, default_factory=dict)
    """Figures computed in the last `settings.cache_seconds`, by scope."""
    charts: Drawn = field(init=False, default_factory=Drawn)
    """Charts drawn, keyed on the data they show."""
    staff_seen: dict[tuple[int, int], tuple[float, Staff]] = field(init=False, default_factory=dict)
    """Accounts read from the database lately, by (id, session version), with when they expire."""

    def __post_init__(self) -> None:
        self.templates = environment(ZoneInfo(self.config.town.timezone))

    def cached(self, key: object, make: Callable[[], object]) -> object:
        """`make()` computed at most once every `settings.cache_seconds` for `key`."""
        hit = self.cache.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        value = make()
        if len(self.cache) > MAX_CACHED:
            self.cache.clear()
        self.cache[key] = (now + self.settings.cache_seconds, value)
        return value

    def remembered_staff(self, staff_id: int, version: int) -> Staff | None:
        """The account read for this session less than `settings.staff_seconds` ago."""
        hit = self.staff_seen.get((staff_id, version))
        if hit is None or hit[0] <= time.monotonic():
            return None
        return hit[1]

    def remember_staff(self, staff: Staff) -> None:
        """Trust `staff` for reading pages during the next `settings.staff_seconds`."""
        if len(self.staff_seen) >= MAX_STAFF_REMEMBERED:
            self.staff_seen.clear()
        expires = time.monotonic() + self.settings.staff_seconds
        self.staff_seen[staff.id, staff.session_version] = (expires, staff)

    def language(self, request: Request) -> str:
        """The language this request's pages speak."""
        picked = request.session.get("lang") if "session" in request.scope else None
        town = self.config.town
        return i18n.choose(
            picked if isinstance(picked, str) else None,
            request.headers.get("accept-language"),
            town.languages,
            town.default_language,
        )

    def where(self, department: str, category: str | None, language: str) -> str:
        """A department and category by their names in `language` (keys if unknown)."""
        dept = self.config.departments.get(department)
        if dept is None:
            return department if category is None else f"{department} / {category}"
        name = texts.localized(dept.name, language, self.config)
        cat = dept.categories.get(category) if category else None
        if cat is None:
            return name if category is None else f"{name} / {category}"
        return f"{name} / {texts.localized(cat.name, language, self.config)}"

    def render(
        self, request: Request, template: str, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        """`template` for this request, with the labels, the signed-in staff and the form token."""
        language = self.language(request)
        session = request.session if "session" in request.scope else {}
        html = self.templates.get_template(template).render(
            t=i18n.Labels(language),
            where=lambda department, category=None: self.where(department, category, language),
            status_word=lambda value: texts.word(self.config, "status", value, language),
            lang=language,
            languages=i18n.LANGUAGES,
            town=self.config.town.name,
            staff=request.scope.get("staff"),
            csrf=session.get("csrf", ""),
            flash=session.pop("flash", None) if session else None,
            path=request.url.path,
            **values,
        )
        return HTMLResponse(html, status_code=status_code)


def desk_of(request: Request) -> Desk:
    """The desk serving this request."""
    desk: Desk = request.app.state.desk
    return desk


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for pages that only read. On SQLite it is a deferred transaction (a snapshot of
    the WAL that never takes the write lock, so the desk's reads never hold up the daemon's
    intake); on PostgreSQL a transaction that is rolled back, with the JIT compiler off for it
    (the desk's queries take milliseconds: on the benchmark's 100,000 cases, compiling one
    search took 97 ms, running it about 20). Writes through it are an error."""
    with database_errors(engine), engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("BEGIN DEFERRED")
        elif engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL jit = off")
        with Session(bind=connection) as session:
            yield session
        connection.rollback()
