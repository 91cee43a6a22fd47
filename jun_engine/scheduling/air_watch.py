"""The daily air-quality check: once a day from `air_quality.post_time`, fetch the forecast and
queue a warning (outbox key `air:<day>`; on LINE a broadcast, `air:<day>:line:<account>`) if a
pollutant reaches its threshold.

A failed fetch (timeout, HTTP error, garbage) is logged and retried after `RETRY_AFTER` of the
clock's time, until the day is over; a day whose check never succeeded is simply missed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import httpx
from sqlalchemy.engine import Engine

from jun_engine.config.schema import Config
from jun_engine.domain.statuses import OutboxKind
from jun_engine.outbox.api import Priority, enqueue
from jun_engine.scheduling.air_quality import (
    TIMEOUT_SECONDS,
    AirQualityError,
    Exceedance,
    Forecast,
    exceedances,
    fetch_forecast,
    warning_text,
)
from jun_engine.scheduling.calendar import at_local_time, local_day
from jun_engine.scheduling.line_casts import queue_line_air
from jun_engine.store.session import session_scope
from jun_engine.store.tables import AirQualityDayRow

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=20)


@dataclass(frozen=True, slots=True)
class AirQualityOutcome:
    """One day's check: the levels found and what crossed a threshold (empty: nothing posted)."""

    day: date
    levels: dict[str, float]
    exceeded: tuple[Exceedance, ...]


def air_key(day: date) -> str:
    """The outbox key of a day's air-quality warning."""
    return f"air:{day.isoformat()}"


class AirQualityWatch:
    """Checks the forecast once a day; keeps in memory only when to retry after a failure."""

    def __init__(
        self, config: Config, client: httpx.Client, *, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self._config = config
        self._client = client
        self._timeout = timeout
        self._retry_at: datetime | None = None

    def check(self, engine: Engine, now: datetime) -> AirQualityOutcome | None:
        """Fetch and judge today's forecast if it is time and not done yet; None otherwise."""
        day = self._due_day(engine, now)
        if day is None:
            return None
        coordinates = self._config.town.coordinates
        assert coordinates is not None  # _due_day checked it
        try:
            forecast = fetch_forecast(
                self._client,
                self._config.air_quality,
                coordinates,
                self._config.town.timezone,
                day,
                timeout=self._timeout,
            )
        except AirQualityError as error:
            self._retry_at = now + RETRY_AFTER
            log.warning("%s; trying again at %s", error, self._retry_at.isoformat())
            return None
        self._retry_at = None
        return self._record(engine, forecast, now)

    def _due_day(self, engine: Engine, now: datetime) -> date | None:
        settings = self._config.air_quality
        if not settings.enabled or self._config.town.coordinates is None:
            return None
        if self._retry_at is not None and now < self._retry_at:
            return None
        day = local_day(self._config, now)
        if now < at_local_time(self._config, day, settings.post_time):
            return None
        with session_scope(engine) as session:
            if session.get(AirQualityDayRow, day) is not None:
                return None
        return day

    def _record(self, engine: Engine, forecast: Forecast, now: datetime) -> AirQualityOutcome:
        settings = self._config.air_quality
        exceeded = tuple(exceedances(forecast, settings.thresholds))
        levels = {str(name): round(level, 1) for name, level in forecast.levels.items()}
        with session_scope(engine) as session:
            if session.get(AirQualityDayRow, forecast.day) is not None:
                return AirQualityOutcome(forecast.day, levels, ())
            session.add(
                AirQualityDayRow(
                    day=forecast.day,
                    checked_at=now,
                    levels=" ".join(f"{name}={value}" for name, value in levels.items()),
                    exceeded=" ".join(item.pollutant for item in exceeded),
                )
            )
            if exceeded:
                account = settings.account or self._config.town.account
                enqueue(
                    session,
                    key=air_key(forecast.day),
                    account_id=self._config.accounts[account].user_id,
                    kind=OutboxKind.POST,
                    text=warning_text(self._config.town.name, forecast.day, exceeded),
                    priority=Priority.NOTICE,
                )
                queue_line_air(
                    session,
                    self._config,
                    forecast.day,
                    warning_text(self._config.town.name, forecast.day, exceeded),
                )
        log.info("air quality for %s: %s; over threshold: %s", forecast.day, levels, exceeded)
        return AirQualityOutcome(forecast.day, levels, exceeded)
