"""The desk in a real headless Chromium (Debian's chromium and chromedriver, driven by Selenium,
never a downloaded browser): sign in, see a new case arrive without a reload, work a case from
the inbox to resolved, reroute, read the analytics and export a CSV. The README's pictures are
taken by `test_screenshots`."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlmodel import Session

from tests.web.chromium import WAIT, chromium
from tests.web.conftest import Town
from tests.web.town import PASSWORD, case, resident

pytestmark = pytest.mark.parametrize("town", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[WebDriver]:
    """Headless Chromium from the system packages."""
    with chromium(downloads) as driver:
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


def test_work_a_case_from_the_inbox_to_resolved(browser: WebDriver, live: str, town: Town) -> None:
    _sign_in(browser, live, "ana")
    # a case that arrives while the inbox is open appears without a reload
    with Session(town.engine, expire_on_commit=False) as session:
        fresh = case(
            session,
            town.config,
            "Se ha caído una rama en el parque",
            "public_works",
            "potholes",
            resident=resident(session, "pepe_llanos"),
            hours_ago=0.2,
        )
        session.commit()
    _until(
        browser, ec.presence_of_element_located((By.CSS_SELECTOR, f'tr[data-reference="{fresh}"]'))
    )
    assert browser.find_element(By.ID, "fresh").is_displayed()
    browser.find_element(By.LINK_TEXT, fresh).click()
    _until(browser, ec.text_to_be_present_in_element((By.ID, "case-title"), fresh))
    assert "Se ha caído una rama" in browser.find_element(By.ID, "message").text
    browser.find_element(By.ID, "reply-text").send_keys("Vamos a retirarla esta mañana")
    browser.find_element(By.ID, "reply").click()
    _until(
        browser,
        ec.text_to_be_present_in_element_attribute(
            (By.ID, "case-status"), "data-status", "answered"
        ),
    )
    assert "Vamos a retirarla" in browser.find_element(By.ID, "sent").text
    browser.find_element(By.ID, "resolve").click()
    _until(
        browser,
        ec.text_to_be_present_in_element_attribute(
            (By.ID, "case-status"), "data-status", "resolved"
        ),
    )


def test_reroute_a_case(browser: WebDriver, live: str, town: Town) -> None:
    _sign_in(browser, live, "tri")
    browser.get(f"{live}/cases/{town.cases.triage}")
    Select(browser.find_element(By.ID, "reroute-target")).select_by_value("town_hall/paperwork")
    browser.find_element(By.ID, "reroute").click()
    _until(
        browser,
        ec.text_to_be_present_in_element_attribute(
            (By.ID, "case-status"), "data-status", "rerouted"
        ),
    )
    title = browser.find_element(By.ID, "case-title")
    assert title.get_attribute("data-where") == "town_hall/paperwork"


def test_analytics_and_csv_export(
    browser: WebDriver, live: str, town: Town, downloads: Path
) -> None:
    _sign_in(browser, live, "alcaldia")
    browser.get(f"{live}/analytics")
    every_chart_drawn = (
        "return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
    )
    _until(browser, lambda d: d.execute_script(every_chart_drawn))
    assert len(browser.find_elements(By.CSS_SELECTOR, ".chart img")) >= 8
    assert not browser.find_elements(By.ID, "figure-line_quota")  # a town without LINE
    shutil.rmtree(downloads, ignore_errors=True)
    downloads.mkdir()
    browser.find_element(By.ID, "csv-volume_by_department").click()
    _until(browser, lambda _d: any(p.suffix == ".csv" for p in downloads.iterdir()))
    exported = next(p for p in downloads.iterdir() if p.suffix == ".csv")
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "week,department,cases"
    assert any(",public_works," in line for line in lines[1:])


def _status_is(status: str) -> Any:
    """The case page shows `status` (by its value: the word depends on the page's language)."""
    return ec.text_to_be_present_in_element_attribute((By.ID, "case-status"), "data-status", status)
