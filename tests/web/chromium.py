"""Headless Chromium from the system packages (Debian's chromium and chromedriver, driven by
Selenium, never a downloaded browser), for the desk's browser tests and the README's pictures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
WAIT = 60.0
"""Seconds to wait for a condition in the page (generous: the machine is shared)."""


@contextmanager
def chromium(downloads: Path, size: tuple[int, int] = (1280, 900)) -> Iterator[WebDriver]:
    """Headless Chromium in Spanish with a window of `size`, saving downloads in `downloads`
    (`apt-get install chromium chromium-driver`)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Chromium is not installed: apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={size[0]},{size[1]}",
        "--hide-scrollbars",
        "--lang=es",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "intl.accept_languages": "es"}
    )
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()
