"""The Swedish catalogue is complete: no empty or fuzzy entry, the compiled .mo says what the .po
says, and every string the code marks for translation is in the catalogue."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (one per plural form), flags.
    A small reader of the format gettext writes (no obsolete entries: makemessages --no-obsolete)."""
    entries: list[dict] = []
    entry: dict = {}
    field: str | None = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, field = {}, None
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
            if match:
                field = match.group(1)
                entry[field] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and field:
                entry[field] += ast.literal_eval(line)
            else:
                raise AssertionError(f"unreadable .po line: {line!r}")
    return entries


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_no_entry_is_untranslated_or_fuzzy():
    entries = [e for e in parse_po(PO) if e["msgid"]]  # the header has an empty msgid
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(translations(e))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


def test_placeholders_survive_translation():
    for entry in parse_po(PO):
        for text in translations(entry):
            for pattern in (r"%\(\w+\)[sd]", r"\{\w+\}"):
                expected = sorted(re.findall(pattern, entry.get("msgid_plural") or entry["msgid"]))
                assert sorted(set(re.findall(pattern, text))) == sorted(set(expected)), entry["msgid"]


def test_the_compiled_catalogue_is_the_current_one():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in parse_po(PO):
        if not entry["msgid"] or "msgid_plural" in entry:
            continue
        key = f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]
        assert compiled._catalog.get(key) == entry["msgstr"], f"the .mo is stale for {entry['msgid']!r}"


@pytest.mark.slow
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the code: nothing it finds may be missing from the .po."""
    if shutil.which("xgettext") is None:
        pytest.skip("xgettext (gettext) is not installed")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "test-artifacts", "media", "__pycache__", "*.sqlite3"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "sv",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=tests",
            "--ignore=bench",
            "--ignore=ops",
            "--ignore=docs",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DJANGO_SECRET_KEY": "x" * 64,
        },
    )
    fresh = parse_po(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po")
    missing = [e["msgid"] for e in fresh if e["msgid"] and not all(translations(e))]
    assert missing == [], f"marked for translation but not translated in {PO.relative_to(ROOT)}: {missing}"


@pytest.mark.django_db
def test_the_error_pages_speak_the_teachers_language(client, teacher):
    from django.template.loader import render_to_string
    from django.utils import translation

    client.force_login(teacher)
    missing = client.get("/batches/finns-inte/upload/", HTTP_ACCEPT_LANGUAGE="sv")
    assert missing.status_code == 404
    assert (
        "Sidan hittades inte" in missing.content.decode() and "Page not found" not in missing.content.decode()
    )
    assert "Page not found" in client.get("/classes/nope/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("sv"):
        page = render_to_string("500.html")  # rendered the way Django's server_error does: no request
    assert "Något gick fel" in page and 'lang="sv"' in page
