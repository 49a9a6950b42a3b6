"""Password guessing meets a 429 with Retry-After, on the token endpoint and both sign-in forms,
before any password is hashed."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_thirty_wrong_token_requests_are_throttled_and_then_even_the_right_password(teacher):
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/", {"username": teacher.username, "password": f"guess-{i}"}, format="json"
        ).status_code
        for i in range(30)
    ]
    assert codes[0] == 400 and codes[-1] == 429
    assert codes.count(429) >= 15  # locked out well before the thirtieth guess
    right = client.post(
        "/api/v1/auth/token/", {"username": teacher.username, "password": "pw-anna.larare"}, format="json"
    )
    assert right.status_code == 429
    assert int(right["Retry-After"]) > 0
    assert right.json()["error"]["code"] == "throttled"


def test_thirty_wrong_logins_are_throttled(teacher):
    client = Client()
    codes = [
        client.post("/accounts/login/", {"username": teacher.username, "password": f"guess-{i}"}).status_code
        for i in range(30)
    ]
    assert codes[0] == 200 and codes[-1] == 429  # the form again, then the lockout
    locked = client.post("/accounts/login/", {"username": teacher.username, "password": "pw-anna.larare"})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_throttled_too(teacher):
    client = Client()
    codes = [
        client.post("/admin/login/", {"username": teacher.username, "password": "x"}).status_code
        for _ in range(12)
    ]
    assert codes[-1] == 429


def test_guessing_across_usernames_from_one_address_is_throttled(teacher):
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/", {"username": f"user{i}", "password": "x"}, format="json"
        ).status_code
        for i in range(40)
    ]
    assert codes[-1] == 429


def test_another_address_is_not_locked_out_by_a_guesser(teacher):
    guesser, teacher_client = APIClient(REMOTE_ADDR="10.0.0.66"), APIClient(REMOTE_ADDR="10.0.0.7")
    for i in range(30):
        guesser.post(
            "/api/v1/auth/token/", {"username": teacher.username, "password": f"g{i}"}, format="json"
        )
    ok = teacher_client.post(
        "/api/v1/auth/token/", {"username": teacher.username, "password": "pw-anna.larare"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["token"]


def test_a_throttled_attempt_costs_no_password_hash(settings, make_teacher):
    # The product's own hasher (the test settings use a fast one): its cost is what a refused
    # attempt must not pay.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    teacher = make_teacher("slow.hash")
    client = APIClient()
    started = time.perf_counter()
    client.post("/api/v1/auth/token/", {"username": teacher.username, "password": "x"}, format="json")
    one_hashed_attempt = time.perf_counter() - started
    for _ in range(15):
        client.post("/api/v1/auth/token/", {"username": teacher.username, "password": "x"}, format="json")
    started = time.perf_counter()
    for _ in range(20):
        assert (
            client.post(
                "/api/v1/auth/token/", {"username": teacher.username, "password": "x"}, format="json"
            ).status_code
            == 429
        )
    per_throttled = (time.perf_counter() - started) / 20
    # PBKDF2 costs hundreds of milliseconds; a refused attempt is a cache round trip.
    assert per_throttled < one_hashed_attempt / 5, (per_throttled, one_hashed_attempt)


def test_reading_the_login_form_is_not_counted(teacher):
    client = Client()
    for _ in range(40):
        assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": teacher.username, "password": "pw-anna.larare"})
    assert response.status_code == 302
