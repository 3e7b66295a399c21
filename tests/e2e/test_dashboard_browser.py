"""The dashboard in real headless Chromium (Debian ``chromium`` + ``chromium-driver``, selenium).

A separate process serves the dashboard over the real-data runtime double, exactly as
``openalpha ui`` would (``serve(block=True)`` on 127.0.0.1). The test signs in, opens every page
at desktop and phone widths, checks the browser console has no errors and nothing overflows
sideways on a phone, saves screenshots to ``artifacts/screenshots/``, measures how long a new
fill takes to reach the page, and pulls the kill switch from the Admin page.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from openalpha.ui.app import PUSH_INTERVAL_S as PUSH_DEFAULT
from openalpha.ui.auth import PasswordStore, Role
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.unit.ui.conftest import ADMIN_PASSWORD, FAST_KDF, build_research_runs

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"
PAGES = {"overview": "/", "positions": "/positions", "strategies": "/strategies", "research": "/research",
         "risk": "/risk", "admin": "/admin"}  # fmt: skip
PUSH_INTERVAL_S = PUSH_DEFAULT  # the production default
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]  # fmt: skip

# The server process: the runtime double on real data, commands on stdin ("fill", "commands").
SERVER = """
import json, sys, threading
from pathlib import Path
sys.path.insert(0, {repo!r})
from openalpha.config import Paths
from openalpha.config.schema import UiConfig
from openalpha.ui.app import serve
from tests.unit.ui.fake_runtime import FakeRuntime

runtime = FakeRuntime(Path({shared!r}))

def commands():
    for line in sys.stdin:
        if line.strip() == "fill":
            fill = runtime.add_fill()
            print(json.dumps({{"fill": fill.order_link_id}}), flush=True)
        elif line.strip() == "commands":
            print(json.dumps({{"commands": runtime.commands}}), flush=True)

threading.Thread(target=commands, daemon=True).start()
print(json.dumps({{"ready": True}}), flush=True)
serve(runtime, host="127.0.0.1", port={port}, config=UiConfig(), paths=Paths.from_env(),
      push_interval_s={push})
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, process: subprocess.Popen[str], url: str, runs: Path) -> None:
        self.process = process
        self.url = url
        self.sweep = next(p.name for p in runs.iterdir() if "sweep" in p.name)
        self.backtest = next(p.name for p in runs.iterdir() if "backtest" in p.name)

    def ask(self, command: str) -> dict[str, object]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            assert line, "the dashboard process ended"
            if line.startswith("{") and command in (reply := json.loads(line)):
                return reply  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def server(shared_data: Path) -> Iterator[Server]:
    home = Path(tempfile.mkdtemp(prefix="oa-ui-e2e-"))
    store, _ = PasswordStore.create(home / "ui_auth.json", FAST_KDF)
    store.set_password(Role.ADMIN, ADMIN_PASSWORD)
    build_research_runs(shared_data, home / "runs")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}
    env["OPENALPHA_HOME"] = str(home)
    code = SERVER.format(repo=str(REPO), shared=str(shared_data), port=port, push=PUSH_INTERVAL_S)
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=home, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read() if process.stdout else ""
            process.kill()
            pytest.fail(f"the dashboard did not start: {output[-2000:]}")
        time.sleep(0.3)
    try:
        yield Server(process, url, home / "runs")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    profile = tempfile.mkdtemp(prefix="oa-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        options=options, service=Service(shutil.which("chromedriver") or "chromedriver")
    )
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver: webdriver.Chrome) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait_text(driver: webdriver.Chrome, text: str, timeout: float = 20) -> None:
    WebDriverWait(driver, timeout).until(lambda d: text in d.find_element(By.TAG_NAME, "body").text)


def sign_in(driver: webdriver.Chrome, server: Server) -> None:
    """Sign in (a signed-in browser is sent straight on from the login page)."""
    driver.get(f"{server.url}/login")
    WebDriverWait(driver, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "input[type=password]") or "System health" in d.page_source
    )
    fields = driver.find_elements(By.CSS_SELECTOR, "input[type=password]")
    if fields:
        fields[0].send_keys(ADMIN_PASSWORD, Keys.ENTER)
    wait_text(driver, "System health", 30)


def test_every_page_at_desktop_and_phone_width(server: Server, browser: webdriver.Chrome) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(*WIDTHS["desktop"])
    browser.get(f"{server.url}/admin")  # signed out: lands on the login page
    WebDriverWait(browser, 30).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "input[type=password]"))
    )
    assert "/login" in browser.current_url
    browser.save_screenshot(str(SHOTS / "login-desktop.png"))
    sign_in(browser, server)
    console_errors(browser)  # drop anything logged before sign-in
    pages = {**PAGES, "research-sweep": f"/research?run={server.sweep}",
             "research-backtest": f"/research?run={server.backtest}"}  # fmt: skip
    for width, (w, h) in WIDTHS.items():
        browser.set_window_size(w, h)
        for name, path in pages.items():
            browser.get(f"{server.url}{path}")
            wait_text(browser, "OPEN ALPHA")
            title = browser.find_element(By.CSS_SELECTOR, "#main .oa-page-title").text
            assert title and title.split()[0].lower() in name + " positions"
            time.sleep(0.6)  # charts draw and at least one live push lands
            browser.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
            assert console_errors(browser) == [], f"console errors on {path} ({width})"
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{path} scrolls sideways at {width} width ({overflow}px)"


def test_keyboard_reaches_the_skip_link_and_navigation(server: Server, browser: webdriver.Chrome) -> None:
    browser.set_window_size(*WIDTHS["desktop"])
    sign_in(browser, server)
    browser.get(f"{server.url}/risk")
    wait_text(browser, "Limits")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"
    focused = []
    for _ in range(7):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        focused.append(browser.switch_to.active_element.text)
    assert focused[:6] == ["Overview", "Positions & orders", "Strategies", "Research", "Risk", "Admin"]
    buttons = browser.find_elements(By.CSS_SELECTOR, "button")
    assert buttons and all(b.get_attribute("aria-label") or b.text.strip() for b in buttons)


def test_high_contrast_toggle(server: Server, browser: webdriver.Chrome) -> None:
    browser.set_window_size(*WIDTHS["desktop"])
    sign_in(browser, server)
    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Toggle high contrast']").click()
    WebDriverWait(browser, 5).until(
        lambda d: d.execute_script("return document.documentElement.classList.contains('oa-hc')")
    )
    browser.save_screenshot(str(SHOTS / "overview-high-contrast.png"))
    browser.get(f"{server.url}/risk")  # the choice survives navigation
    wait_text(browser, "Limits")
    assert browser.execute_script("return document.documentElement.classList.contains('oa-hc')")
    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Toggle high contrast']").click()


def test_a_new_fill_reaches_the_page(server: Server, browser: webdriver.Chrome) -> None:
    browser.set_window_size(*WIDTHS["desktop"])
    sign_in(browser, server)
    browser.get(f"{server.url}/positions")
    wait_text(browser, "paper fills")
    latencies = []
    for _ in range(5):
        time.sleep(0.37)  # land at different phases of the push timer
        start = time.perf_counter()
        link_id = str(server.ask("fill")["fill"])
        while not browser.execute_script("return document.body.innerText.includes(arguments[0])", link_id):
            if time.perf_counter() - start > 10:  # a liveness deadline; the latency is recorded, not asserted
                pytest.fail("the fill never reached the page")
            time.sleep(0.005)
        latencies.append(round(time.perf_counter() - start, 3))
    record = {"what": "fill_to_page_chromium", "push_interval_s": PUSH_INTERVAL_S, "latency_s": latencies,
              "max_s": max(latencies)}  # fmt: skip
    (REPO / "artifacts" / "ui_latency_browser.json").write_text(json.dumps(record))
    print(json.dumps(record))
    assert console_errors(browser) == []


def test_kill_switch_from_the_admin_page(server: Server, browser: webdriver.Chrome) -> None:
    browser.set_window_size(*WIDTHS["desktop"])
    sign_in(browser, server)
    browser.get(f"{server.url}/admin")
    wait_text(browser, "Kill switch")
    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Engage kill switch']").click()
    wait_text(browser, "blocks new orders. Positions stay open.")
    browser.save_screenshot(str(SHOTS / "admin-confirm-kill-switch.png"))
    browser.find_element(By.CSS_SELECTOR, "button[aria-label='Confirm Engage kill switch']").click()
    wait_text(browser, "ENGAGED: new orders are blocked")
    assert server.ask("commands")["commands"] == [["kill_switch", "", "ui:admin"]]
    wait_text(browser, "kill switch engaged: orders cancelled")  # the audit log row
    browser.save_screenshot(str(SHOTS / "admin-kill-switch-engaged.png"))
    assert console_errors(browser) == []
