#!/usr/bin/env python
"""Refresh the review-page screenshots in docs/ (shown in README.md).

    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8000 --username demo --password demo

For English and Swedish: seeds the 28-essay batch of scripts/review_batch.py through the API,
opens its review page in Chromium (/usr/bin/chromium), accepts every high-confidence match,
says "no student" for the essay without a name (its toast with Undo stays in the picture),
and saves the page at 1366 px (desktop) and 390 px (a phone) as
docs/review-<language>-desktop.png and docs/review-<language>-mobile.png. Then finishes the
English batch (adds the student the roster lacked and accepts their essay) and saves the
ready batch as docs/review-ready.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_batch import login, seed

DOCS = Path(__file__).resolve().parent.parent / "docs"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 1,
}


def _context(browser: Any, base_url: str, language: str, device: dict[str, Any], cookies: list) -> Any:
    context = browser.new_context(locale="sv-SE" if language == "sv" else "en-GB", **device)
    host = urlparse(base_url).hostname
    context.add_cookies(
        [*cookies, {"name": "django_language", "value": language, "domain": host, "path": "/"}]
    )
    return context


def _review(page: Any, base_url: str, batch_id: str) -> None:
    page.goto(f"{base_url.rstrip('/')}/batches/{batch_id}/review/")
    page.wait_for_selector('[data-live-state="live"]')


def shoot(base_url: str, username: str, password: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        signing_in = browser.new_context()
        login(signing_in.new_page(), base_url, username, password)
        cookies = signing_in.cookies()
        for language in ("en", "sv"):
            seeded = seed(base_url, username, password)
            desktop = _context(browser, base_url, language, DESKTOP, cookies).new_page()
            _review(desktop, base_url, seeded["batch_id"])
            high = desktop.locator("[data-accept-high]")
            count = int("".join(ch for ch in high.inner_text() if ch.isdigit()))
            high.click()
            desktop.locator('#review-essays > [data-decision="decided"]').nth(count - 1).wait_for()
            unnamed = next(essay_id for essay_id, essay in seeded["essays"].items() if essay["truth"] is None)
            desktop.click(f'[data-essay-id="{unnamed}"] .filename')
            desktop.keyboard.press("n")
            desktop.wait_for_selector("[data-toasts] .toast")
            desktop.evaluate("window.scrollTo(0, 0)")
            saved.append(DOCS / f"review-{language}-desktop.png")
            desktop.screenshot(path=str(saved[-1]))
            phone = _context(browser, base_url, language, PHONE, cookies).new_page()
            _review(phone, base_url, seeded["batch_id"])
            phone.evaluate("document.getElementById('review-essays').scrollIntoView()")  # the cards
            saved.append(DOCS / f"review-{language}-mobile.png")
            phone.screenshot(path=str(saved[-1]))
            if language == "en":
                saved.append(_finish(desktop, seeded))
        browser.close()
    return saved


def _finish(page: Any, seeded: dict[str, Any]) -> Path:
    """Add the student the roster lacked, accept their essay: the batch is ready."""
    missing = next(essay_id for essay_id, essay in seeded["essays"].items() if not essay["on_roster"])
    card = f'[data-essay-id="{missing}"]'
    page.click(f"{card} [data-add-to-roster]")
    page.wait_for_selector(f"{card}[data-suggested-student-id] [data-decide]")
    page.click(f"{card} .filename")
    page.keyboard.press("a")
    page.wait_for_selector('[data-batch-status="READY_FOR_PIPELINE_EXECUTION"]')
    page.evaluate("window.scrollTo(0, 0)")
    path = DOCS / "review-ready.png"
    page.screenshot(path=str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo")
    args = parser.parse_args()
    for path in shoot(args.base_url, args.username, args.password):
        print(f"{path.relative_to(DOCS.parent)}  {path.stat().st_size // 1024} kB")


if __name__ == "__main__":
    main()
