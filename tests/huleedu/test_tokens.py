"""API tokens expire, and a new password revokes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def token_client(teacher, password: str = "pw-anna.larare") -> tuple[APIClient, str]:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": teacher.username, "password": password}, format="json"
    )
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client, response.json()["token"]


def test_a_token_is_dead_after_a_password_change(teacher):
    client, _ = token_client(teacher)
    assert client.get("/api/v1/batches/").status_code == 200
    teacher.set_password("A-New-Password-2026")
    teacher.save()
    response = client.get("/api/v1/batches/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_password_change_through_the_form_revokes_tokens(teacher):
    from django.test import Client

    client, _ = token_client(teacher)
    browser = Client()
    browser.force_login(teacher)
    changed = browser.post(
        "/accounts/password_change/",
        {
            "old_password": "pw-anna.larare",
            "new_password1": "Lingon-Sylt-1987",
            "new_password2": "Lingon-Sylt-1987",
        },
    )
    assert changed.status_code == 302
    assert client.get("/api/v1/batches/").status_code == 401


def test_saving_a_user_without_a_new_password_keeps_the_token(teacher):
    client, _ = token_client(teacher)
    teacher.first_name = "Anna"
    teacher.save()
    assert client.get("/api/v1/batches/").status_code == 200


def test_a_token_expires_after_its_lifetime(teacher):
    client, key = token_client(teacher)
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=2))
    with override_settings(TOKEN_LIFETIME_SECONDS=24 * 3600):
        assert client.get("/api/v1/batches/").status_code == 401
        _, fresh = token_client(teacher)  # signing in again issues a new one
    assert fresh != key


def test_a_live_token_is_reused(teacher):
    assert token_client(teacher)[1] == token_client(teacher)[1]
