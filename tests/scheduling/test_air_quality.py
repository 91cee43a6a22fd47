"""The air-quality forecast: the real httpx client against a local server that answers in
Open-Meteo's format, the levels judged against the town's thresholds, one warning a day, and
every kind of failure survived."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from jun_engine.config.schema import Config
from jun_engine.scheduling.air_quality import AirQualityError, fetch_forecast
from jun_engine.scheduling.air_watch import RETRY_AFTER, AirQualityWatch, air_key
from jun_engine.store.session import session_scope
from jun_engine.store.tables import AirQualityDayRow, OutboxRow
from tests.scheduling.conftest import MONDAY, MONDAY_0900
from tests.scheduling.open_meteo import (
    UNIT,
    Answer,
    OpenMeteoStub,
    forecast_body,
    open_meteo_stub,
)

CLEAN = {
    "pm2_5": [5.0] * 24,
    "pm10": [10.0] * 24,
    "nitrogen_dioxide": [8.0] * 24,
    "ozone": [60.0] * 24,
}
SAHARAN_DUST = {**CLEAN, "pm10": [30.0] * 12 + [90.0] * 12, "pm2_5": [12.0] * 23 + [None]}


@pytest.fixture
def stub() -> Iterator[OpenMeteoStub]:
    with open_meteo_stub() as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as opened:
        yield opened


def pointed_at(config: Config, stub: OpenMeteoStub) -> Config:
    settings = config.air_quality.model_copy(update={"api_url": stub.url})
    return config.model_copy(update={"air_quality": settings})


def test_the_forecast_is_requested_for_the_town_and_reduced_per_pollutant(
    stub: OpenMeteoStub, client: httpx.Client, config: Config
) -> None:
    # Given Open-Meteo forecasts a morning of clean air and an ozone peak in the afternoon
    ozone = [40.0] * 12 + [120.0] * 8 + [40.0] * 4
    stub.answer = Answer(body=forecast_body(MONDAY, {**CLEAN, "ozone": ozone}))
    town = config.town
    assert town.coordinates is not None
    # When the day's forecast is fetched
    forecast = fetch_forecast(
        client, pointed_at(config, stub).air_quality, town.coordinates, town.timezone, MONDAY
    )
    # Then the request names the place, the pollutants, the zone and the day
    (query,) = stub.queries
    assert query["latitude"] == ["37.22"]
    assert query["longitude"] == ["-3.59"]
    assert query["hourly"] == ["nitrogen_dioxide,ozone,pm10,pm2_5"]
    assert query["timezone"] == ["Europe/Madrid"]
    assert query["start_date"] == query["end_date"] == ["2026-03-02"]
    # And particles are the day's mean while ozone is its highest 8-hour mean
    assert forecast.levels["pm2_5"] == pytest.approx(5.0)
    assert forecast.levels["ozone"] == pytest.approx(120.0)


def test_a_day_over_a_threshold_is_posted_once(
    stub: OpenMeteoStub, client: httpx.Client, config: Config, engine: Engine
) -> None:
    # Given dust over Jun: PM10 averages 60 (threshold 45), PM2.5 12 with one hour missing
    stub.answer = Answer(body=forecast_body(MONDAY, SAHARAN_DUST))
    watch = AirQualityWatch(pointed_at(config, stub), client)
    # When the scheduler checks after the posting time, twice
    outcome = watch.check(engine, MONDAY_0900)
    again = watch.check(engine, MONDAY_0900 + timedelta(hours=1))
    # Then one warning is queued from the town account, naming PM10 and its level
    assert outcome is not None
    assert [item.pollutant for item in outcome.exceeded] == ["pm10"]
    assert again is None
    assert len(stub.queries) == 1
    with session_scope(engine) as session:
        (post,) = session.exec(select(OutboxRow)).all()
        day = session.get(AirQualityDayRow, MONDAY)
    assert post.idempotency_key == air_key(MONDAY)
    assert post.account_id == config.town_account().user_id
    assert "PM10: 60 µg/m³ previstos (umbral 45 µg/m³)" in post.text
    assert day is not None
    assert day.exceeded == "pm10"


def test_clean_air_is_recorded_and_not_posted(
    stub: OpenMeteoStub, client: httpx.Client, config: Config, engine: Engine
) -> None:
    stub.answer = Answer(body=forecast_body(MONDAY, CLEAN))
    outcome = AirQualityWatch(pointed_at(config, stub), client).check(engine, MONDAY_0900)
    assert outcome is not None
    assert outcome.exceeded == ()
    with session_scope(engine) as session:
        assert session.exec(select(OutboxRow)).all() == []
        day = session.get(AirQualityDayRow, MONDAY)
    assert day is not None
    assert day.exceeded == ""
    assert "pm2_5=5.0" in day.levels


def test_nothing_is_fetched_before_the_posting_time(
    stub: OpenMeteoStub, client: httpx.Client, config: Config, engine: Engine
) -> None:
    # 06:00 UTC is 07:00 in Madrid, before the 07:30 posting time
    early = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert AirQualityWatch(pointed_at(config, stub), client).check(engine, early) is None
    assert stub.queries == []


FAILURES = [
    pytest.param(
        Answer(status=400, body={"error": True, "reason": "Latitude must be in range"}),
        "HTTP 400: Latitude must be in range",
        id="open-meteo-error",
    ),
    pytest.param(Answer(status=503, raw=b"<html>busy</html>"), "HTTP 503", id="server-error"),
    pytest.param(Answer(raw=b"{not json"), "not a JSON object", id="garbage"),
    pytest.param(Answer(body=[1, 2, 3]), "not a JSON object", id="a-list"),
    pytest.param(Answer(body={"hourly": {}}), "no `hourly`", id="no-hourly"),
    pytest.param(
        Answer(body={**forecast_body(MONDAY, CLEAN), "hourly": {"time": "now"}}),
        "`hourly.time` is not a list",
        id="bad-times",
    ),
    pytest.param(
        Answer(body=forecast_body(MONDAY, {**CLEAN, "pm10": [1.0] * 5})),
        "`hourly.pm10` is missing or not as long",
        id="short-series",
    ),
    pytest.param(
        Answer(body=forecast_body(MONDAY, {**CLEAN, "ozone": ["high"] * 24})),
        "`hourly.ozone` holds 'high'",
        id="text-values",
    ),
    pytest.param(
        Answer(
            body={
                **forecast_body(MONDAY, CLEAN),
                "hourly_units": {
                    "pm2_5": "ppm",
                    "pm10": UNIT,
                    "ozone": UNIT,
                    "nitrogen_dioxide": UNIT,
                },
            }
        ),
        "`hourly_units.pm2_5` is 'ppm'",
        id="unit",
    ),
]
"""Each: what the server answers, and what the error says."""


@pytest.mark.parametrize(("answer", "reason"), FAILURES)
def test_a_bad_answer_is_an_error_that_says_why(
    stub: OpenMeteoStub, client: httpx.Client, config: Config, answer: Answer, reason: str
) -> None:
    stub.answer = answer
    town = config.town
    assert town.coordinates is not None
    with pytest.raises(AirQualityError) as caught:
        fetch_forecast(
            client, pointed_at(config, stub).air_quality, town.coordinates, town.timezone, MONDAY
        )
    assert reason in str(caught.value)


def test_a_timeout_is_survived_and_retried_later(
    stub: OpenMeteoStub,
    client: httpx.Client,
    config: Config,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given Open-Meteo does not answer at all
    stub.answer = Answer(hang=True)
    watch = AirQualityWatch(pointed_at(config, stub), client, timeout=0.2)
    # When the scheduler checks: nothing is recorded, and the failure is logged
    assert watch.check(engine, MONDAY_0900) is None
    assert "no answer within 0.2 s" in caplog.text
    # And a check a minute later does not ask again
    assert watch.check(engine, MONDAY_0900 + timedelta(minutes=1)) is None
    assert len(stub.queries) == 1
    # Then once the retry time has come and Open-Meteo answers, the day is judged
    stub.release.set()
    stub.answer = Answer(body=forecast_body(MONDAY, SAHARAN_DUST))
    outcome = watch.check(engine, MONDAY_0900 + RETRY_AFTER)
    assert outcome is not None
    assert [item.pollutant for item in outcome.exceeded] == ["pm10"]


def test_a_refused_connection_is_an_error(client: httpx.Client, config: Config) -> None:
    settings = config.air_quality.model_copy(update={"api_url": "http://127.0.0.1:9/v1/aq"})
    town = config.town
    assert town.coordinates is not None
    with pytest.raises(AirQualityError, match="ConnectError"):
        fetch_forecast(client, settings, town.coordinates, town.timezone, MONDAY)
