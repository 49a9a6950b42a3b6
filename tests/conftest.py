from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On several processes (pytest-xdist, scripts/test) the tests that take longest go out first:
    those that start servers and workers, then the browser tests, side by side so that each
    worker keeps its Chromium from one to the next; the many short ones fill in around them. A
    run on one process keeps pytest-django's order."""
    if not hasattr(config, "workerinput"):
        return

    def cost_rank(item: pytest.Item) -> int:
        if item.get_closest_marker("slow"):
            return 0
        return 1 if item.get_closest_marker("browser") else 2

    items.sort(key=cost_rank)  # stable: the order within each rank is kept


@pytest.fixture(autouse=True)
def _own_throttle_counters(settings) -> None:
    """Each test counts sign-in attempts from scratch: its own cache key prefix (in Redis too,
    without flushing a database that other processes of the run may use)."""
    import uuid

    settings.CACHES = {alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
                       for alias, config in settings.CACHES.items()}


def as_committed():
    """A block whose after-commit work (tasks, pushes) runs as the block ends, as if it committed,
    also inside a test's own transaction (the ``committed`` fixture, for plain functions)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


class CommittingClient(Client):
    """A browser-like test client whose requests behave as committed (see CommittingAPIClient)."""

    def request(self, **request):
        with as_committed():
            return super().request(**request)


class CommittingAPIClient(APIClient):
    """An API client whose requests behave as committed ones: what a request schedules for after
    commit (matching, live pushes) runs before the response reaches the test, also inside the
    test's own transaction, so tests need no ``transaction=True`` for it."""

    def request(self, **kwargs):
        with as_committed():
            return super().request(**kwargs)


@pytest.fixture
def make_teacher(db) -> Callable:
    from accounts.services import teacher_create_or_update

    def make(username: str = "teacher", staff: bool = False):
        user, _ = teacher_create_or_update(username=username, password="pw-" + username, staff=staff)
        return user

    return make


@pytest.fixture
def teacher(make_teacher):
    return make_teacher("anna.larare")


@pytest.fixture
def api(teacher) -> APIClient:
    client = CommittingAPIClient()
    client.force_authenticate(teacher)
    return client


@pytest.fixture
def api_for() -> Callable[..., APIClient]:
    def make(user) -> APIClient:
        client = CommittingAPIClient()
        client.force_authenticate(user)
        return client

    return make


def docx_file(name: str, paragraphs: list[str]) -> io.BytesIO:
    from essays.samples import docx_bytes

    handle = io.BytesIO(docx_bytes(paragraphs))
    handle.name = name
    return handle


def txt_file(name: str, text: str, encoding: str = "utf-8") -> io.BytesIO:
    handle = io.BytesIO(text.encode(encoding))
    handle.name = name
    return handle


ROSTER_NAMES = [
    ("Åsa", "Sjöström"),
    ("Erik", "Andersson"),
    ("Elsa", "Lindqvist"),
    ("Mohammed", "Ali"),
    ("Karl Johan", "Öberg"),
    ("Linnéa", "Ekström"),
    ("Oskar", "Johansson"),
    ("Maja", "Johanson"),
    ("Sofia", "de la Cruz"),
    ("Anna-Karin", "von Essen"),
    ("Nils", "Holm"),
    ("Ida", "Berg"),
    ("Hugo", "Nyström"),
    ("Alva", "Lund"),
    ("Liam", "Nguyen"),
    ("Wilma", "Åkesson"),
    ("Leo", "Sandberg"),
    ("Ella", "Forsberg"),
    ("Noah", "Sundqvist"),
    ("Saga", "Eriksson"),
    ("Adam", "Lindgren"),
    ("Olivia", "Hedlund"),
    ("Vincent", "Blom"),
    ("Alice", "Engström"),
    ("Ebba", "Wikström"),
    ("Axel", "Hansson"),
    ("Freja", "Dahl"),
    ("Theo", "Strand"),
    ("Stella", "Lindberg"),
    ("Melvin", "Söderberg"),
]


def essay_text_for(first: str, last: str) -> str:
    return (
        f"Namn: {first} {last}\nKurs: SVE1\nLärare: Lena Berg\n\nMin sommar\n\nJag och Elsa åkte till havet."
    )


@pytest.fixture
def school_class(teacher):
    from classroster.services import class_create, students_create_many

    created = class_create(owner=teacher, name="9B")
    students_create_many(
        school_class=created,
        rows=[{"first_name": f, "last_name": la, "email": None} for f, la in ROSTER_NAMES],
    )
    return created


@pytest.fixture
def awaiting_validation(teacher, school_class, committed) -> Callable:
    """A REGULAR batch of n essays by the first n roster students, matched and awaiting decisions."""
    from batches.models import BatchStatus
    from batches.services import batch_register
    from essays.services import essays_upload

    def make(n: int = 5):
        with committed():
            batch = batch_register(
                owner=teacher, course_code="SVE1", expected_essay_count=n, school_class=school_class
            )
            files = [txt_file(f"essay{i}.txt", essay_text_for(*ROSTER_NAMES[i])) for i in range(n)]
            essays_upload(batch=batch, files=files)
        batch.refresh_from_db()
        assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION, batch.status
        return batch

    return make


@pytest.fixture
def committed(db) -> Callable:
    """Run what a block schedules for after commit (tasks, pushes) as it would run once the
    block commits, inside the test's own transaction: no ``transaction=True`` needed
    (``as_committed``, as a fixture)."""
    return as_committed


@pytest.fixture
def registered(teacher, school_class, committed) -> Callable:
    """A REGULAR batch of the given essays (filename, text), uploaded and matched."""
    from batches.services import batch_register
    from essays.services import essays_upload

    def make(essays: list[tuple[str, str]], **registration):
        with committed():
            batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=len(essays),
                                   school_class=school_class, **registration)
            essays_upload(batch=batch, files=[txt_file(name, text) for name, text in essays])
        batch.refresh_from_db()
        return batch

    return make


@pytest.fixture
def validating(registered) -> Callable:
    """``registered``, and awaiting the teacher's decisions."""
    from batches.models import BatchStatus

    def make(essays: list[tuple[str, str]], **registration):
        batch = registered(essays, **registration)
        assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION, batch.status
        return batch

    return make


def by_author(n: int) -> list[tuple[str, str]]:
    """n essays, each naming one of the first n roster students in its header."""
    return [(f"essay{i}.txt", essay_text_for(*ROSTER_NAMES[i])) for i in range(n)]
