"""The day's air-quality forecast from Open-Meteo (httpx), reduced to one level per pollutant.

Open-Meteo's `/v1/air-quality` answers with parallel hourly arrays (`hourly.time`,
`hourly.pm2_5`, ...) and their units (`hourly_units`), in the requested time zone from 00:00
local time; errors are `{"error": true, "reason": "..."}` with a 400. Levels follow the WHO 2021
guideline averaging the town's thresholds are written in: particles and nitrogen dioxide as the
day's mean, ozone as its highest 8-hour running mean.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import httpx

from jun_engine.config.schema import AirQuality, Coordinates, Pollutant

TIMEOUT_SECONDS = 10.0
OZONE_WINDOW_HOURS = 8
MIN_HOURS = 12
"""A day with fewer hourly values than this for a pollutant is not judged on it."""

LABELS: dict[Pollutant, str] = {
    "pm2_5": "PM2,5",
    "pm10": "PM10",
    "nitrogen_dioxide": "dióxido de nitrógeno (NO₂)",
    "ozone": "ozono (O₃)",
}


class AirQualityError(Exception):
    """The forecast could not be had or read; the scheduler logs it and tries again later."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"air-quality forecast from {url}: {reason}")


@dataclass(frozen=True, slots=True)
class Forecast:
    """The day's level of each pollutant Open-Meteo forecast, in µg/m³."""

    day: date
    levels: Mapping[Pollutant, float]


@dataclass(frozen=True, slots=True)
class Exceedance:
    """A pollutant whose forecast level reaches the town's threshold."""

    pollutant: Pollutant
    level: float
    threshold: float


def fetch_forecast(
    client: httpx.Client,
    settings: AirQuality,
    coordinates: Coordinates,
    timezone: str,
    day: date,
    *,
    timeout: float = TIMEOUT_SECONDS,
) -> Forecast:
    """GET the day's hourly forecast for the pollutants the town set thresholds for."""
    pollutants = sorted(settings.thresholds)
    params: dict[str, str | float | int] = {
        "latitude": coordinates.latitude,
        "longitude": coordinates.longitude,
        "hourly": ",".join(pollutants),
        "timezone": timezone,
        "start_date": day.isoformat(),
        "end_date": day.isoformat(),
    }
    url = settings.api_url
    try:
        response = client.get(url, params=params, timeout=timeout)
    except httpx.TimeoutException:
        raise AirQualityError(url, f"no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise AirQualityError(url, f"{type(exc).__name__}: {exc}") from None
    body = _json_body(response, url)
    return Forecast(day, read_levels(body, pollutants, day, url))


def _json_body(response: httpx.Response, url: str) -> Mapping[str, object]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != httpx.codes.OK:
        reason = body.get("reason") if isinstance(body, dict) else None
        detail = f": {str(reason)[:200]}" if reason else ""
        raise AirQualityError(url, f"HTTP {response.status_code}{detail}")
    if not isinstance(body, dict):
        raise AirQualityError(url, "the answer is not a JSON object")
    return body


def read_levels(
    body: Mapping[str, object], pollutants: Sequence[Pollutant], day: date, url: str
) -> dict[Pollutant, float]:
    """Each pollutant's level for `day` from an Open-Meteo body; AirQualityError if malformed."""
    hourly = body.get("hourly")
    units = body.get("hourly_units")
    if not isinstance(hourly, dict) or not isinstance(units, dict):
        raise AirQualityError(url, "no `hourly` or `hourly_units` in the answer")
    times = hourly.get("time")
    if not isinstance(times, list) or not all(isinstance(t, str) for t in times):
        raise AirQualityError(url, "`hourly.time` is not a list of times")
    on_day = [i for i, moment in enumerate(times) if moment.startswith(day.isoformat())]
    levels: dict[Pollutant, float] = {}
    for pollutant in pollutants:
        values = _series(hourly.get(pollutant), len(times), pollutant, url)
        _check_unit(units.get(pollutant), pollutant, url)
        level = _level(pollutant, [values[i] for i in on_day])
        if level is not None:
            levels[pollutant] = level
    return levels


def _series(raw: object, length: int, pollutant: str, url: str) -> list[float | None]:
    if not isinstance(raw, list) or len(raw) != length:
        raise AirQualityError(url, f"`hourly.{pollutant}` is missing or not as long as the times")
    values: list[float | None] = []
    for value in raw:
        if value is None:
            values.append(None)
        elif _finite_number(value):
            values.append(float(value))
        else:
            raise AirQualityError(url, f"`hourly.{pollutant}` holds {str(value)[:20]!r}")
    return values


def _finite_number(value: object) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and math.isfinite(value)  # type: ignore[arg-type]


def _check_unit(unit: object, pollutant: str, url: str) -> None:
    if unit not in {"μg/m³", "µg/m³", "ug/m3"}:
        raise AirQualityError(url, f"`hourly_units.{pollutant}` is {unit!r}, expected μg/m³")


def _level(pollutant: Pollutant, values: Sequence[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    if len(known) < MIN_HOURS:
        return None
    if pollutant == "ozone":
        return _highest_running_mean(values, OZONE_WINDOW_HOURS)
    return sum(known) / len(known)


def _highest_running_mean(values: Sequence[float | None], window: int) -> float | None:
    means = []
    for start in range(len(values) - window + 1):
        part = [value for value in values[start : start + window] if value is not None]
        if len(part) >= window * 3 // 4:
            means.append(sum(part) / len(part))
    return max(means, default=None)


def exceedances(forecast: Forecast, thresholds: Mapping[Pollutant, float]) -> list[Exceedance]:
    """The pollutants whose level reaches their threshold, in a stable order."""
    return [
        Exceedance(pollutant, forecast.levels[pollutant], threshold)
        for pollutant, threshold in sorted(thresholds.items())
        if pollutant in forecast.levels and forecast.levels[pollutant] >= threshold
    ]


def warning_text(town: str, day: date, exceeded: Sequence[Exceedance]) -> str:
    """The public post, in Spanish: which pollutants, how high, and what to do."""
    lines = [f"Aviso de calidad del aire en {town} para hoy, {day:%d/%m/%Y}:"]
    for item in exceeded:
        lines.append(
            f"- {LABELS[item.pollutant]}: {item.level:.0f} µg/m³ previstos "
            f"(umbral {item.threshold:.0f} µg/m³)"
        )
    lines.append(
        "Personas mayores, niños y quienes tengan asma o problemas cardiacos: "
        "eviten el ejercicio intenso al aire libre."
    )
    return "\n".join(lines)
