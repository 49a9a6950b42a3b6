"""A real ASGI server (daphne: HTTP + WebSocket) and a headless Chromium for the browser tests.

pytest-django's ``live_server`` is WSGI only, so the browser talks to daphne running in a
subprocess on the test database; with REDIS_URL set both processes share the Redis channel
layer, so pushes sent from this process (services run here) reach pages served by daphne.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection, connections

from tests.support.processes import worker_env

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
T = TypeVar("T")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"daphne did not start in {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def asgi_server(django_db_setup: None) -> Iterator[str]:
    """The base URL of a daphne process serving this test run's database."""
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("browser tests need PostgreSQL and Redis (DATABASE_URL, REDIS_URL): see scripts/test")
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    # One daphne per test process: under pytest-xdist each worker writes a log of its own.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    log = ARTIFACTS / (f"daphne-{worker}.log" if worker else "daphne.log")
    with open(log, "wb") as log_handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "huleedu.asgi:application"],
            # The test settings: the server checks the passwords the tests' teachers were given
            # with the tests' fast hasher. Every browser test signs in from this one address: its
            # sign-in budget is the suite's. Django's ASGI handler serves each request on a thread
            # of its own, so no connection is kept past it.
            cwd=ROOT, env=worker_env(HULEEDU_TASKS_INLINE="1", DJANGO_SETTINGS_MODULE="tests.settings",
                                     HULEEDU_LOGIN_RATE_PER_ADDRESS="1000/5m", DATABASE_CONN_MAX_AGE="0"),
            stdout=log_handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_serving(f"{base_url}/accounts/login/", process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


# Module scope, not session: while Playwright runs, its loop counts as "running" in this thread,
# which breaks async_to_sync (live pushes, consumer tests) in every test that follows.
@pytest.fixture(scope="module")
def playwright_session() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test does it as root)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an asyncio loop running in this thread; Django would
    # otherwise refuse ORM calls made by the test itself.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_api.sync_playwright().start()
    try:
        yield playwright
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(playwright_session: Any) -> Iterator[Any]:
    # Never downloads a browser: the system Chromium, launched by path.
    chromium = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def browser_context(browser: Any, asgi_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(
        base_url=asgi_server, viewport={"width": 1200, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(20_000)
    console: list[str] = []
    context.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    context.on("weberror", lambda error: console.append(f"pageerror: {error.error}"))
    yield context
    context.close()
    (ARTIFACTS / f"{request.node.name}.console.log").write_text("\n".join(console))


def login(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def outside_the_browser_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run service code in a worker thread.

    Playwright's sync API keeps an event loop running in the test's thread, and the live push
    (``async_to_sync(group_send)``) refuses to run in such a thread; a worker thread has none.
    """

    def run() -> T:
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=120)
