from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def make_teacher(db) -> Callable:
    from classroster.services import teacher_create_or_update

    def make(username: str = "teacher", staff: bool = False):
        user, _ = teacher_create_or_update(username=username, password="pw-" + username, staff=staff)
        return user

    return make


@pytest.fixture
def teacher(make_teacher):
    return make_teacher("anna.larare")


@pytest.fixture
def api(teacher) -> APIClient:
    client = APIClient()
    client.force_authenticate(teacher)
    return client


@pytest.fixture
def api_for() -> Callable[..., APIClient]:
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def txt_file(name: str, text: str, encoding: str = "utf-8") -> io.BytesIO:
    handle = io.BytesIO(text.encode(encoding))
    handle.name = name
    return handle
