"""Issue 7's "done when", on the real thing: ``openalpha demo`` (simulator + Ray runtime +
dashboard) in headless Chromium. Within a minute paper fills appear on the page while the
other environments show as inactive, and the kill switch pulled from the Admin page reaches
the runtime (``openalpha status`` reports it)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    port = _free_port()
    env = {**os.environ, "OPENALPHA_HOME": str(tmp_path), "RAY_AUTH_MODE": "disabled"}
    env.pop("OPENALPHA_DATABASE_URL", None)
    env.pop("PYTEST_CURRENT_TEST", None)  # NiceGUI would otherwise start in its pytest screen mode
    proc = subprocess.Popen(
        [sys.executable, "-m", "openalpha", "demo", "--ui-port", str(port), "--duration", "150"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    password = url = address = None
    seen: list[str] = []
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    while time.monotonic() < deadline and url is None:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if match := re.search(r"admin password .*: (\S+)$", line):
            password = match.group(1)
        if line.startswith("dashboard: "):
            url = line.split(": ", 1)[1].strip()
        if line.startswith("ray: "):
            address = line.split(":", 1)[1].strip()
    try:
        while address is None and time.monotonic() < deadline:  # printed right after the dashboard line
            line = proc.stdout.readline()
            seen.append(line)
            if line.startswith("ray: "):
                address = line.split(":", 1)[1].strip()
        assert url and password and address, "the demo did not serve the dashboard:\n" + "".join(seen[-20:])
        yield url, password, {**env, "OA_TEST_RAY_ADDRESS": address}
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out[-2000:]
        assert "stopped cleanly" in out


def _text(driver: webdriver.Chrome) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def test_demo_dashboard_shows_paper_fills_and_the_kill_switch_works(
    demo: tuple[str, str, dict[str, str]], tmp_path: Path
) -> None:
    url, password, env = demo
    options = webdriver.ChromeOptions()
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'chrome'}"]:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.set_window_size(1366, 900)
        driver.get(f"{url}/login")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[type=password]"))
        driver.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys(password, Keys.ENTER)
        WebDriverWait(driver, 30).until(lambda d: "System health" in _text(d))
        overview = _text(driver)
        assert overview.count("INACTIVE") == 3 and "ACTIVE" in overview  # demo, testnet, mainnet inactive
        driver.get(f"{url}/positions")
        SHOTS.mkdir(parents=True, exist_ok=True)
        try:
            WebDriverWait(driver, 60).until(
                lambda d: "oa-" in _text(d)
            )  # a real paper fill, by its orderLinkId
        finally:
            driver.save_screenshot(str(SHOTS / "demo-positions-real-runtime.png"))
        driver.save_screenshot(str(SHOTS / "demo-positions-real-runtime.png"))
        driver.get(f"{url}/admin")
        WebDriverWait(driver, 30).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "button[aria-label='Engage kill switch']")
        )
        driver.find_element(By.CSS_SELECTOR, "button[aria-label='Engage kill switch']").click()
        confirm = (By.CSS_SELECTOR, "button[aria-label='Confirm Engage kill switch']")
        WebDriverWait(driver, 20).until(ec.element_to_be_clickable(confirm)).click()
        WebDriverWait(driver, 30).until(lambda d: "ENGAGED" in _text(d))
        driver.save_screenshot(str(SHOTS / "demo-kill-switch-real-runtime.png"))
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    finally:
        driver.quit()
    status = subprocess.run(  # this demo's cluster: another Ray cluster may run on the machine
        [sys.executable, "-m", "openalpha", "status", "--address", env["OA_TEST_RAY_ADDRESS"]],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr
    assert re.search(r"^paper\s+KILLED", status.stdout, re.M), status.stdout
    assert "kill switch ENGAGED" in status.stdout
