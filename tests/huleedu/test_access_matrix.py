"""Who may do what, on every route: anonymous, teacher A (the owner), teacher B, staff.

``test_every_route_is_in_the_matrix`` fails when a route is added without deciding here who
may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from batches.services import batch_register
from classroster.models import Ss12000Connection, Ss12000Teacher, Student
from essays.models import Essay
from essays.services import essays_upload
from tests.conftest import txt_file

pytestmark = pytest.mark.django_db

# What the owner (and staff) may get back: the request got through the access gate.
PASSED_GATE = {200, 201, 202, 204, 400, 409, 413, 415}


@dataclass(frozen=True)
class Rule:
    """How one route is guarded. kind: api | owner_only | page | public | login_form."""

    kind: str
    methods: tuple[str, ...] = ("GET",)
    kwargs: Callable[[dict], dict] = field(default=lambda objs: {})
    owned: bool = True  # False: a collection everyone signed in may use (scoped to their own rows)


def _class(objs: dict) -> dict:
    return {"class_id": objs["class"].id}


def _batch(objs: dict) -> dict:
    return {"batch_id": objs["batch"].id}


def _connection(objs: dict) -> dict:
    return {"connection_id": objs["connection"].id}


def _erasable(objs: dict) -> dict:
    """A batch of its own for routes that erase it (the owner's DELETE runs last)."""
    return {"batch_id": objs["erasable"].id}


def _cancellable(objs: dict) -> dict:
    return {"batch_id": objs["cancellable"].id}


MATRIX: dict[str, Rule] = {
    # probes and docs
    "healthz": Rule("public"),
    "readyz": Rule("public"),
    "metrics": Rule("public"),
    "api-schema": Rule("public"),
    "api-docs": Rule("public"),
    # authentication
    "api-token": Rule("public", methods=("POST",)),
    "login": Rule("login_form"),
    "logout": Rule("login_form", methods=("POST",)),
    "password_change": Rule("page", owned=False),
    "password_change_done": Rule("page", owned=False),
    "password_reset": Rule("public"),
    "password_reset_done": Rule("public"),
    "password_reset_confirm": Rule("public", kwargs=lambda objs: {"uidb64": "x", "token": "y"}),
    "password_reset_complete": Rule("public"),
    "set_language": Rule("public", methods=("POST",)),
    # API
    "api-classes": Rule("api", methods=("GET", "POST"), owned=False),
    "api-class": Rule("api", methods=("GET", "PUT", "PATCH", "DELETE"), kwargs=_class),
    "api-students": Rule("api", methods=("GET", "POST"), kwargs=_class),
    "api-student": Rule(
        "api",
        methods=("GET", "PUT", "PATCH", "DELETE"),
        kwargs=lambda objs: {**_class(objs), "student_id": objs["student"].id},
    ),
    "api-roster-import": Rule("api", methods=("POST",), kwargs=_class),
    "api-roster-export": Rule("api", kwargs=_class),
    "api-pending-associations": Rule("api", kwargs=_class),
    "api-association": Rule(
        "api", methods=("PUT", "DELETE"), kwargs=lambda objs: {**_class(objs), "essay_id": objs["essay"].id}
    ),
    "api-batches": Rule("api", methods=("GET", "POST"), owned=False),
    "api-batch": Rule("api", methods=("GET", "PATCH", "DELETE"), kwargs=_erasable),
    "api-batch-cancel": Rule("api", methods=("POST",), kwargs=_cancellable),
    # The uploaded original: the owner only (staff too get 404; tests/essays/test_originals.py).
    "api-batch-essay-original": Rule("owner_only", kwargs=lambda objs: {
        **_batch(objs), "essay_id": objs["essay"].id}),
    "api-batch-essay": Rule("api", methods=("DELETE",), kwargs=lambda objs: {
        **_cancellable(objs), "essay_id": objs["cancellable"].essays.get().id}),
    "api-batch-rematch": Rule("api", methods=("POST",), kwargs=_batch),
    "api-batch-roster-student": Rule("api", methods=("POST",), kwargs=_batch),
    "api-batch-attributions": Rule("api", kwargs=_batch),
    "api-batch-essays": Rule("api", methods=("GET", "POST"), kwargs=_batch),
    "api-batch-finalize": Rule("api", methods=("POST",), kwargs=_batch),
    "api-batch-events": Rule("api", kwargs=_batch),
    "api-batch-confirm": Rule("api", methods=("POST",), kwargs=_batch),
    "api-batch-pipeline": Rule("api", methods=("POST",), kwargs=_batch),
    "api-batch-exam-codes": Rule("api", methods=("GET", "POST", "DELETE"), kwargs=_batch),
    "api-class-sync": Rule("api", methods=("POST",), kwargs=_class),
    "api-oneroster-classes": Rule("api", methods=("POST",), owned=False),
    "api-oneroster-import": Rule("api", methods=("POST",), owned=False),
    "api-ss12000-connections": Rule("api", owned=False),
    "api-ss12000-groups": Rule("api", kwargs=_connection),
    "api-ss12000-import": Rule("api", methods=("POST",),
                               kwargs=lambda objs: {**_connection(objs), "group_id": "g-1"}),
    # pages
    "dashboard": Rule("page", owned=False),
    "batch-create": Rule("page", methods=("GET", "POST"), owned=False),
    "batch-upload": Rule("page", kwargs=_batch),
    "batch-review": Rule("page", kwargs=_batch),
    "batch-review-live": Rule("page", kwargs=_batch),
    "batch-review-essay-text": Rule("page", kwargs=lambda objs: {
        **_batch(objs), "essay_id": objs["essay"].id}),
    "class-list": Rule("page", methods=("GET", "POST"), owned=False),
    "class-detail": Rule("page", methods=("GET", "POST"), kwargs=_class),
    "class-import": Rule("page", methods=("GET", "POST"), owned=False),
    "class-sync": Rule("page", methods=("POST",), kwargs=_class),
    "batch-exam-codes": Rule("page", methods=("GET", "POST"), kwargs=_batch),
}


def route_names(resolver: URLResolver | None = None, namespace: str | None = None) -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django admin: checked as a whole below
            names |= route_names(entry, entry.namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def test_every_route_is_in_the_matrix():
    routes = route_names()
    assert routes - set(MATRIX) == set(), "new routes need a rule in MATRIX"
    assert set(MATRIX) - routes == set(), "MATRIX names routes that no longer exist"


@pytest.fixture
def world(make_teacher, awaiting_validation, teacher):
    teacher_b = make_teacher("bertil.larare")
    staff = make_teacher("personal", staff=True)
    batch = awaiting_validation(2)
    essay = Essay.objects.filter(batch=batch).first()
    erasable = batch_register(owner=teacher, course_code="ENG5", expected_essay_count=3)
    cancellable = batch_register(owner=teacher, course_code="ENG5", expected_essay_count=3)
    essays_upload(batch=cancellable, files=[txt_file("a.txt", "An essay about the sea.")])
    student = Student.objects.filter(school_class=batch.school_class).first()
    # A school system teacher A may use (not configured: a 409 without any network call).
    connection = Ss12000Connection.objects.create(name="Skolan", base_url="http://127.0.0.1:9/ss12000")
    Ss12000Teacher.objects.create(connection=connection, user=teacher)
    return {
        "connection": connection,
        "a": teacher,
        "b": teacher_b,
        "staff": staff,
        "batch": batch,
        "class": batch.school_class,
        "essay": essay,
        "student": student,
        "erasable": erasable,
        "cancellable": cancellable,
    }


def client_for(user, *, api: bool) -> Client:
    client = APIClient() if api else Client()
    if user is not None:
        client.force_login(user)
    return client


def call(client: Client, method: str, url: str):
    body = {} if method in {"POST", "PUT", "PATCH"} else None
    if isinstance(client, APIClient):
        return client.generic(method, url, "{}" if body is not None else "", content_type="application/json")
    return client.generic(method, url, "", content_type="application/x-www-form-urlencoded")


def access_problems(name: str, world: dict) -> list[str]:
    rule = MATRIX[name]
    url = reverse(name, kwargs=rule.kwargs(world))
    api = rule.kind in {"api", "owner_only"}
    problems = []
    for method in rule.methods:
        anonymous = call(client_for(None, api=api), method, url).status_code
        owner = call(client_for(world["a"], api=api), method, url).status_code
        other = call(client_for(world["b"], api=api), method, url).status_code
        staff = call(client_for(world["staff"], api=api), method, url).status_code
        if rule.kind == "public":
            expected = {"anonymous": anonymous not in {401, 403, 404}}
        elif rule.kind == "login_form":
            expected = {"anonymous": anonymous in {200, 302}}
        elif rule.kind == "api":
            expected = {
                "anonymous": anonymous == 401,
                "owner": owner in PASSED_GATE,
                "other teacher": other in (PASSED_GATE if not rule.owned else {404}),
                "staff": staff in PASSED_GATE | ({404} if method == "DELETE" else set()),
            }
        elif rule.kind == "owner_only":  # a student's own file: nobody but the batch's owner
            expected = {"anonymous": anonymous == 401, "owner": owner == 200,
                        "other teacher": other == 404, "staff": staff == 404}
        else:  # page
            signed_in_ok = {200, 302, 400}
            expected = {
                "anonymous": anonymous == 302,
                "owner": owner in signed_in_ok,
                "other teacher": other in (signed_in_ok if not rule.owned else {404}),
                "staff": staff in signed_in_ok,
            }
        codes = {"anonymous": anonymous, "owner": owner, "other teacher": other, "staff": staff}
        problems += [f"{method} {url}: {who} got {codes[who]}" for who, ok in expected.items() if not ok]
    return problems


@pytest.mark.slow
def test_every_route_guards_its_objects(world):
    # One world for all routes: building it is the slow part.
    problems = [problem for name in sorted(MATRIX) for problem in access_problems(name, world)]
    assert problems == []


def test_collections_show_only_your_own_rows(world):
    as_b = client_for(world["b"], api=True)
    assert str(world["batch"].id) not in as_b.get("/api/v1/batches/").content.decode()
    assert str(world["class"].id) not in as_b.get("/api/v1/classes/").content.decode()
    assert str(world["batch"].id) not in client_for(world["b"], api=False).get("/").content.decode()
    as_staff = client_for(world["staff"], api=True)
    assert str(world["batch"].id) in as_staff.get("/api/v1/batches/").content.decode()


def test_other_teachers_class_cannot_be_used_for_a_batch(world):
    response = client_for(world["b"], api=True).post(
        "/api/v1/batches/",
        {"course_code": "X", "expected_essay_count": 1, "class_id": str(world["class"].id)},
        format="json",
    )
    assert response.status_code == 404


def test_admin_is_for_staff_only(world):
    index = reverse("admin:index")
    assert client_for(None, api=False).get(index).status_code == 302
    assert client_for(world["a"], api=False).get(index).status_code == 302
    staff = client_for(world["staff"], api=False)
    assert staff.get(index).status_code == 200
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert staff.get(url).status_code == 200, url
        assert client_for(world["a"], api=False).get(url).status_code == 302, url


def test_csrf_is_enforced_for_session_writes(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world["a"])
    api_write = browser.post(
        f"/api/v1/batches/{world['batch'].id}/associations/confirm/",
        {"accept": "high_confidence"},
        content_type="application/json",
    )
    assert api_write.status_code == 403
    assert "CSRF" in api_write.json()["error"]["message"]
    for name in ("batch-create", "class-list"):
        assert browser.post(reverse(name), {}).status_code == 403, name
    assert world["batch"].associations.exclude(method="").count() == 0


def test_tokens_work_without_csrf_and_can_be_revoked(world):
    token = Token.objects.create(user=world["a"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/batches/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    response = client.get("/api/v1/batches/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize("unknown", ["00000000-0000-0000-0000-000000000000", "not-an-id", "1' OR '1'='1"])
def test_unknown_ids_are_json_404s_on_every_api_route(world, unknown):
    client = client_for(world["a"], api=True)
    for name, rule in MATRIX.items():
        if rule.kind != "api":
            continue
        kwargs = {key: unknown for key in rule.kwargs(world)}
        if not kwargs:
            continue
        url = reverse(name, kwargs=kwargs)
        for method in rule.methods:
            response = call(client, method, url)
            assert response.status_code == 404, (method, url, response.status_code)
            assert response.json()["error"]["code"].endswith("not_found"), (method, url)


def test_unknown_api_paths_are_json_404s(world):
    response = client_for(world["a"], api=True).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
