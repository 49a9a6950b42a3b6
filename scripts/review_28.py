#!/usr/bin/env python
"""A scripted teacher reviews a 28-essay Swedish batch on the review page, keys first.

    .venv/bin/python scripts/review_28.py --base-url http://127.0.0.1:8000 --username demo --password demo

Seeds the batch of scripts/review_batch.py through the API (mixed .docx/.pdf/.txt), opens the
review page in Chromium (/usr/bin/chromium) and takes the fast path: one click on "accept all
high-confidence" (with --keys-only: no click, every essay from the keyboard), then the essays
that need attention, in the page's order, with the keys a teacher would press knowing who
wrote what: `a` when the top suggestion is right, `n` for no student, `p` + a few letters +
Enter to pick someone else, "add to roster" for a student the class list lacks, `u` to move
to the next undecided essay. Prints the keys and clicks it used,
the seconds from the page being ready to the batch being READY, and whether every decision
is the truth. Exits non-zero when a decision is wrong or the batch does not become ready.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_batch import login, seed

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


class Teacher:
    """Presses keys and clicks on one review page, counting both."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.keys = 0
        self.clicks = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def type(self, text: str) -> None:
        for letter in text:
            self.press(letter)

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.clicks += 1

    def selected(self) -> dict[str, str]:
        return self.page.eval_on_selector(
            '#review-essays > [aria-current="true"]',
            """el => ({
            id: el.dataset.essayId, decision: el.dataset.decision,
            top: el.dataset.suggestedStudentName || ""})""",
        )


def _decide_selected(teacher: Teacher, truth: dict[str, Any]) -> None:
    page, card = teacher.page, teacher.selected()
    selector = f'[data-essay-id="{card["id"]}"]'
    who = truth["truth"]
    if who and not truth["on_roster"]:
        teacher.click(f"{selector} [data-add-to-roster]")
        page.wait_for_selector(f'{selector}[data-suggested-student-name="{who[0]} {who[1]}"]', timeout=30_000)
        card = teacher.selected()
    if who is None:
        teacher.press("n")
    elif card["top"] == f"{who[0]} {who[1]}":
        teacher.press("a")
    else:
        teacher.press("p")
        teacher.type(who[1][:4].lower())
        teacher.press("Enter")
    page.wait_for_selector(f'{selector}[data-decision="decided"]')


def review(base_url: str, username: str, password: str, *, keys_only: bool = False) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    seeded = seed(base_url, username, password)
    batch_id, truths = seeded["batch_id"], seeded["essays"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="sv-SE").new_page()
        login(page, base_url, username, password)
        page.goto(f"{base_url.rstrip('/')}/batches/{batch_id}/review/")
        page.wait_for_selector('[data-live-state="live"]')
        teacher = Teacher(page)
        started = time.monotonic()
        accepted_at_once = 0
        if not keys_only:
            high = int(re.search(r"\d+", page.inner_text("[data-accept-high]")).group())
            teacher.click("[data-accept-high]")
            page.locator('#review-essays > [data-decision="decided"]').nth(high - 1).wait_for()
            accepted_at_once = high
        while page.locator('#review-essays > [data-decision="pending"]').count():
            if teacher.selected()["decision"] != "pending":
                teacher.press("u")
            _decide_selected(teacher, truths[teacher.selected()["id"]])
        page.wait_for_selector('[data-batch-status="READY_FOR_PIPELINE_EXECUTION"]', timeout=30_000)
        seconds = time.monotonic() - started
        browser.close()
    wrong = _wrong_decisions(seeded)
    return {
        "path": "keys only" if keys_only else "accept all, then keys",
        "essays": len(truths),
        "accepted_by_one_click": accepted_at_once,
        "keys": teacher.keys,
        "clicks": teacher.clicks,
        "seconds": round(seconds, 1),
        "wrong_decisions": wrong,
        "batch_id": batch_id,
    }


def _wrong_decisions(seeded: dict[str, Any]) -> list[str]:
    api = seeded["api"]
    students = {
        s["student_id"]: (s["first_name"], s["last_name"])
        for s in api.call("GET", f"/api/v1/classes/{seeded['class_id']}/students/")
    }
    wrong = []
    for row in api.call("GET", f"/api/v1/batches/{seeded['batch_id']}/essays/"):
        decided = students.get(row["association"]["student_id"]) if row["association"]["student_id"] else None
        if decided != seeded["essays"][row["essay_id"]]["truth"]:
            wrong.append(f"{row['filename']}: {decided}")
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument(
        "--keys-only", action="store_true", help="no accept-all: every essay from the keyboard (a, n, p, u)"
    )
    args = parser.parse_args()
    result = review(args.base_url, args.username, args.password, keys_only=args.keys_only)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if result["wrong_decisions"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
