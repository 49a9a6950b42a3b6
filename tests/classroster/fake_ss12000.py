"""A small SS 12000 server for the tests: a threaded http.server on 127.0.0.1 serving
responses shaped like the standard's (v2: ``{"data": [...], "pageToken": ...}`` lists,
``groupMemberships`` with person references, ``POST /persons/lookup``), with OAuth 2 client
credentials, paging, and switches for a 401 and for 5xx answers."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_PREFIX = "/ss12000/v2"


def person(person_id: str, given: str, family: str, email: str | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": person_id,
        "givenName": given,
        "familyName": family,
        "civicNo": {"value": "20100101-0000", "nationality": "SE"},
    }
    if email:
        record["emails"] = [
            {"value": email.replace("@", ".private@"), "type": "Privat"},
            {"value": email, "type": "Skola elev"},
        ]
    return record


def group(
    group_id: str,
    name: str,
    members: list[str],
    teachers: list[str] = (),  # type: ignore[assignment]
    ended: list[str] = (),
    group_type: str = "Undervisning",
) -> dict[str, Any]:  # type: ignore[assignment]
    memberships = [
        {"id": f"{group_id}-m-{p}", "person": {"id": p, "displayName": p}, "startDate": "2025-08-15"}
        for p in members
    ]
    memberships += [
        {
            "id": f"{group_id}-m-{p}",
            "person": {"id": p, "displayName": p},
            "startDate": "2024-08-15",
            "endDate": "2025-01-31",
        }
        for p in ended
    ]
    return {
        "id": group_id,
        "displayName": name,
        "groupType": group_type,
        "schoolType": "GR",
        "organisation": {"id": "org-1", "displayName": "Skolan"},
        "startDate": "2025-08-15",
        "groupMemberships": memberships,
        "assignmentRoles": [{"person": {"id": t}, "groupRoleType": "Undervisande lärare"} for t in teachers],
    }


@dataclass
class FakeSs12000:
    persons: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    client_id: str = "huleedu"
    client_secret: str = "s3cret-client"
    fixed_tokens: set[str] = field(default_factory=set)
    page_size: int = 2
    fail_next: int = 0  # answer this many API requests with 503 first
    expire_tokens_after: int | None = None  # a token works this many times, then 401
    garbage: bytes | None = None  # answer API requests with this body (200, not JSON)
    requests: list[tuple[str, str]] = field(default_factory=list)
    issued: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""
    token_url: str = ""

    def add_group(self, record: dict[str, Any]) -> None:
        self.groups[record["id"]] = record

    def add_person(self, record: dict[str, Any]) -> None:
        self.persons[record["id"]] = record

    # -- request handling ---------------------------------------------------------------

    def authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        token = header[len("Bearer ") :]
        if token in self.fixed_tokens:
            return True
        if token not in self.issued:
            return False
        self.issued[token] += 1
        return self.expire_tokens_after is None or self.issued[token] <= self.expire_tokens_after

    def token(self, form: dict[str, list[str]]) -> tuple[int, Any]:
        if (
            form.get("grant_type") == ["client_credentials"]
            and form.get("client_id") == [self.client_id]
            and form.get("client_secret") == [self.client_secret]
        ):
            token = f"tok-{len(self.issued) + 1}"
            self.issued[token] = 0
            return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        return 401, {"error": "invalid_client"}

    def page(self, items: list[dict[str, Any]], query: dict[str, list[str]]) -> dict[str, Any]:
        limit = min(int(query.get("limit", ["100"])[0]), self.page_size)
        token = query.get("pageToken", [""])[0]
        start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        body: dict[str, Any] = {"data": items[start : start + limit]}
        if start + limit < len(items):
            body["pageToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
        return body

    def api(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        expand = "assignmentRoles" in query.get("expand", [""])[0]

        def shown(record: dict[str, Any]) -> dict[str, Any]:
            return record if expand else {k: v for k, v in record.items() if k != "assignmentRoles"}

        if method == "GET" and path == "/groups":
            items = [
                shown(g)
                for g in self.groups.values()
                if not query.get("organisation") or g["organisation"]["id"] == query["organisation"][0]
            ]
            return 200, self.page(items, query)
        if method == "GET" and path.startswith("/groups/"):
            record = self.groups.get(path.split("/", 2)[2])
            return (200, shown(record)) if record else (404, {"code": "NotFound"})
        if method == "POST" and path == "/persons/lookup":
            ids = body.get("ids", []) if isinstance(body, dict) else []
            return 200, [self.persons[i] for i in ids if i in self.persons]
        return 404, {"code": "NotFound"}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSs12000

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
        return

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        fake = self.server.fake  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with fake.lock:
            fake.requests.append((method, self.path))
            if url.path == "/oauth/token":
                status, body = fake.token(parse_qs(raw.decode()))
                return self._reply(status, body)
            if not url.path.startswith(API_PREFIX):
                return self._reply(404, {"code": "NotFound"})
            if fake.garbage is not None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(fake.garbage)))
                self.end_headers()
                self.wfile.write(fake.garbage)
                return None
            if fake.fail_next > 0:
                fake.fail_next -= 1
                return self._reply(503, {"code": "ServiceUnavailable"})
            if not fake.authorised(self.headers.get("Authorization")):
                return self._reply(401, {"code": "Unauthorized"})
            payload = json.loads(raw) if raw else None
            status, body = fake.api(method, url.path[len(API_PREFIX) :], parse_qs(url.query), payload)
        self._reply(status, body)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


class FakeSs12000Server:
    """Start with ``with FakeSs12000Server(fake) as fake:``; ``fake.base_url`` is set."""

    def __init__(self, fake: FakeSs12000) -> None:
        self.fake = fake
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.fake = fake  # type: ignore[attr-defined]
        self.httpd.daemon_threads = True
        port = self.httpd.server_address[1]
        fake.base_url = f"http://127.0.0.1:{port}{API_PREFIX}"
        fake.token_url = f"http://127.0.0.1:{port}/oauth/token"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeSs12000:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def school() -> FakeSs12000:
    """A school unit: teacher t-1 teaches 9B (five students, one of whom left in January) and
    SVE 9A; other groups belong to other teachers. Five groups: three pages of two."""
    fake = FakeSs12000()
    students = [
        ("p-1", "Åsa", "Sjöström", "asa.sjostrom@skola.example.se"),
        ("p-2", "Erik", "Andersson", "erik.andersson@skola.example.se"),
        ("p-3", "Mohammed", "Ali", "mohammed.ali@skola.example.se"),
        ("p-4", "Linnéa", "Ekström", None),
        ("p-5", "Karl Johan", "Öberg", "karljohan.oberg@skola.example.se"),
        ("p-6", "Sara", "Gone", "sara.gone@skola.example.se"),
        ("p-7", "Nils", "Holm", "nils.holm@skola.example.se"),
    ]
    for person_id, given, family, email in students:
        fake.add_person(person(person_id, given, family, email))
    fake.add_group(
        group("g-9b", "9B Svenska", ["p-1", "p-2", "p-3", "p-4", "p-5"], teachers=["t-1"], ended=["p-6"])
    )
    fake.add_group(group("g-9a", "9A Svenska", ["p-7"], teachers=["t-1"]))
    fake.add_group(group("g-8c", "8C Matematik", ["p-6", "p-7"], teachers=["t-2"]))
    fake.add_group(group("g-7a", "7A Engelska", ["p-7"], teachers=["t-3"]))
    fake.add_group(group("g-mentor", "Mentorsgrupp", ["p-1"], teachers=["t-2"], group_type="Mentor"))
    return fake
