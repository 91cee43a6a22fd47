"""The README's pictures of the desk, taken in headless Chromium on a presentable town
(`showcase`) when JUN_WEB_SCREENSHOTS=1 (skipped otherwise):

    JUN_WEB_SCREENSHOTS=1 .venv/bin/pytest -q -n 1 tests/web/test_screenshots.py

docs/web-inbox.png is a department's inbox with cases from X, LINE and Open311;
docs/web-case.png a LINE case with the resident's photo and map pin; docs/web-analytics.png the
analytics page at the districts' map, the report pins, X's spend and the LINE quota."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette

from jun_engine.emulator.testing import SHIPPED_CONFIG, emulator_test_config
from jun_engine.staff import accounts
from jun_engine.store.engine import create_engine_from_url
from jun_engine.web.app import create_app
from jun_engine.web.settings import WebSettings
from tests.web.chromium import WAIT, chromium
from tests.web.conftest import SECRET
from tests.web.showcase import SHOWN_AT, Shown, seed_showcase
from tests.web.town import FAST, PASSWORD, STAFF

DOCS = SHIPPED_CONFIG.parent / "docs"
JUN = DOCS / "jun-districts.geojson"
EVERY_IMAGE_DRAWN = (
    "return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
)

pytestmark = pytest.mark.skipif(
    os.environ.get("JUN_WEB_SCREENSHOTS") != "1", reason="JUN_WEB_SCREENSHOTS=1 takes them"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the showcase's database and photos are."""
    return tmp_path_factory.mktemp("showcase")


@pytest.fixture(scope="module")
def engine(folder: Path, sqlite_at_head: Path) -> Iterator[Engine]:
    """The showcase's SQLite database at head."""
    shutil.copy(sqlite_at_head, folder / "desk.db")
    engine = create_engine_from_url(f"sqlite:///{folder / 'desk.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def shown(engine: Engine, folder: Path) -> Shown:
    """The showcase town, with the staff of the desk's tests."""
    config = emulator_test_config()
    with Session(engine) as session:
        for name, (role, department) in STAFF.items():
            accounts.add(
                session, name, role, department, PASSWORD, config=config, now=SHOWN_AT,
                passwords=FAST,
            )  # fmt: skip
        session.commit()
    return seed_showcase(engine, config, folder / "media")


@pytest.fixture(scope="module")
def app(shown: Shown, engine: Engine, folder: Path) -> Starlette:
    """The desk on the showcase town, with Jun's districts and the photos."""
    settings = WebSettings(
        secret_key=SECRET,
        secure_cookies=False,
        poll_seconds=60,
        passwords=FAST,
        districts_geojson=JUN,
        media_dir=folder / "media",
    )
    return create_app(shown.config, engine, settings, clock=lambda: SHOWN_AT)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("downloads")) as driver:
        yield driver


def _until(driver: WebDriver, condition: Callable[[WebDriver], object]) -> object:
    return WebDriverWait(driver, WAIT).until(condition)


def _sign_in(driver: WebDriver, live: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{live}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    _until(driver, ec.presence_of_element_located((By.ID, "inbox")))


def _shot(driver: WebDriver, name: str) -> None:
    _until(driver, lambda d: d.execute_script(EVERY_IMAGE_DRAWN))
    driver.save_screenshot(str(DOCS / name))


def test_the_inbox_with_cases_from_every_channel(browser: WebDriver, live: str) -> None:
    browser.set_window_size(1280, 900)
    _sign_in(browser, live, "ana")
    channels = {cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#inbox tbody td")}
    assert {"x", "line", "open311"} <= channels
    _shot(browser, "web-inbox.png")


def test_a_line_case_with_its_photo_and_pin(browser: WebDriver, live: str, shown: Shown) -> None:
    browser.set_window_size(1280, 900)
    _sign_in(browser, live, "ana")
    browser.get(f"{live}/cases/{shown.line_case}")
    _until(browser, ec.presence_of_element_located((By.CSS_SELECTOR, "#photos img.photo")))
    assert browser.find_elements(By.CSS_SELECTOR, "#place svg.pin-map circle.pin")
    _shot(browser, "web-case.png")


def test_the_analytics_map_and_line_quota(browser: WebDriver, live: str) -> None:
    browser.set_window_size(1280, 1500)
    _sign_in(browser, live, "alcaldia")
    browser.get(f"{live}/analytics")
    _until(browser, lambda d: d.execute_script(EVERY_IMAGE_DRAWN))
    for name in ("map", "pins", "spend", "line_quota"):
        assert browser.find_element(By.CSS_SELECTOR, f'img[src="/analytics/{name}.svg"]')
    browser.execute_script("document.getElementById('figure-incidents').scrollIntoView()")
    _shot(browser, "web-analytics.png")
