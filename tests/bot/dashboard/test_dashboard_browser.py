"""Headless Chromium: log in, open a patient, open an episode, see transcript and chart.

Needs Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``,
``/usr/bin/chromedriver``) and the ``selenium`` package; skipped when they are missing.
Selenium Manager is never used (the driver path is given), so nothing is downloaded.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette

from bot.http_limits import uvicorn_config
from tests.bot.dashboard.dashboard_support import Seeded

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="needs Debian's chromium and chromium-driver: "
        "apt-get install -y chromium chromium-driver",
    ),
]
WAIT_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(app: Starlette, seeded: Seeded) -> Iterator[str]:
    """The dashboard served by uvicorn in a thread; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port))  # as `serve` runs it
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=WAIT_SECONDS)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_login_patient_episode_transcript_and_chart(
    live_server: str, browser: WebDriver, seeded: Seeded
) -> None:
    driver = browser
    wait = WebDriverWait(driver, WAIT_SECONDS)
    driver.get(f"{live_server}/patients/p-alice")
    wait.until(expected_conditions.presence_of_element_located((By.ID, "username")))
    assert "/login" in driver.current_url
    driver.find_element(By.ID, "username").send_keys("alice")
    driver.find_element(By.ID, "password").send_keys("a long test password")
    driver.find_element(By.ID, "login").click()

    wait.until(expected_conditions.presence_of_element_located((By.ID, "goals")))
    assert driver.current_url.endswith("/patients/p-alice")
    chart = driver.find_element(By.ID, "chart-pain")
    wait.until(lambda d: d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", chart))
    assert driver.execute_script("return arguments[0].naturalWidth", chart) == 700

    episode = seeded.episodes["p-alice"]
    driver.find_element(By.CSS_SELECTOR, f'a[href="/episodes/{episode}"]').click()
    wait.until(expected_conditions.presence_of_element_located((By.ID, "transcript")))
    transcript = driver.find_element(By.ID, "transcript").text
    assert "<script>alert(1)</script>" in transcript  # shown as text, never run
    assert "report_flare" in transcript and "0.93" in transcript
    assert "Your alarm system is loud right now." in transcript
    with pytest.raises(NoAlertPresentException):  # the payload did not run
        driver.switch_to.alert.text  # noqa: B018
