"""Production settings: no public secret key, every deploy check fixable from the
environment, password validators on, and a demo seed that exists only where it belongs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_ENV = {
    "DJANGO_SECURE_SSL_REDIRECT": "1",
    "DJANGO_SESSION_COOKIE_SECURE": "1",
    "DJANGO_CSRF_COOKIE_SECURE": "1",
    "DJANGO_SECURE_HSTS_SECONDS": "31536000",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "DJANGO_SECURE_HSTS_PRELOAD": "1",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    base.update(
        {
            "DJANGO_SETTINGS_MODULE": "huleedu.settings",
            "REDIS_URL": "",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_check_deploy_refuses_a_missing_secret_key(tmp_path):
    result = manage("check", "--deploy", tmp_path=tmp_path, **DEPLOY_ENV)
    assert result.returncode != 0
    assert "huleedu.E001" in result.stderr + result.stdout


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_documented_variables(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DJANGO_SECRET_KEY="a-long-random-" + "Zq8v3LkPp0wXyT7m" * 4,
        **DEPLOY_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_deployment_without_a_secret_key_refuses_to_start(tmp_path):
    result = manage("check", tmp_path=tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is missing" in result.stderr


def test_the_published_development_key_is_refused_too(tmp_path):
    result = manage(
        "check",
        tmp_path=tmp_path,
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        DJANGO_SECRET_KEY="insecure-development-key-change-me-in-production",
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is missing" in result.stderr


@pytest.mark.slow
def test_the_embedded_default_makes_a_private_key_of_its_own(tmp_path):
    shell = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = manage("shell", "-c", shell, tmp_path=tmp_path)
    again = manage("shell", "-c", shell, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50 and key == again.stdout.strip()  # kept across restarts
    assert "insecure" not in key
    assert oct((tmp_path / "db.sqlite3.secret-key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db
def test_password_validators_refuse_weak_passwords(teacher):
    form = SetPasswordForm(teacher, {"new_password1": "demo", "new_password2": "demo"})
    assert not form.is_valid()
    strong = SetPasswordForm(
        teacher, {"new_password1": "Lingon-Sylt-1987", "new_password2": "Lingon-Sylt-1987"}
    )
    assert strong.is_valid(), strong.errors


@pytest.mark.django_db
def test_the_demo_seed_never_resets_a_changed_password():
    call_command("seed_demo")
    demo = get_user_model().objects.get(username="demo")
    assert demo.check_password("demo")
    demo.set_password("Changed-By-The-Teacher-42")
    demo.save()
    call_command("seed_demo")
    demo.refresh_from_db()
    assert demo.check_password("Changed-By-The-Teacher-42") and not demo.check_password("demo")


def test_serve_seeds_the_demo_only_in_the_embedded_default(settings):
    from huleedu.management.commands.serve import demo_seed_wanted

    settings.EMBEDDED = True
    assert demo_seed_wanted(no_seed=False) and not demo_seed_wanted(no_seed=True)
    settings.EMBEDDED = False
    assert not demo_seed_wanted(no_seed=False)
