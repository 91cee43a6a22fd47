"""Fixtures for the X channel tests: a canned local server and a gateway pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jun_engine.channels.x import XCredentials, XGateway
from tests.channels.x.canned import CannedServer

CREDENTIALS = XCredentials(
    user_id="1001",
    consumer_key="consumer-key",
    consumer_secret="consumer-secret",
    access_token="1001-access-token",
    access_token_secret="access-token-secret",
)


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    with CannedServer() as server:
        yield server


@pytest.fixture
def gateway(canned: CannedServer) -> Iterator[XGateway]:
    with XGateway(CREDENTIALS, base_url=canned.url, timeout=(2.0, 2.0)) as gateway:
        yield gateway
