"""SS 12000 (the Swedish standard API for school data): read a school's groups and their
members, and make a class roster follow a group.

Only what a roster needs is read: ``GET /groups`` (with ``expand=assignmentRoles`` to know a
teacher's groups), ``GET /groups/{id}`` (its ``groupMemberships``) and ``POST
/persons/lookup`` (names and e-mails). Lists are paged as the standard pages them: ``limit``
and ``pageToken`` in the query, the next ``pageToken`` in the response until there is none.

Authentication is a bearer token: a fixed one, or one obtained from the school's OAuth 2
token endpoint with client credentials (renewed once when the API answers 401).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from classroster.models import RosterSource, SchoolClass, Ss12000Connection, Ss12000Teacher
from classroster.secrets import secret_decrypt, secret_encrypt
from classroster.services import ExternalMember, RosterSyncResult, class_create, roster_sync
from huleedu.errors import Conflict, DomainError, NotFound

PAGE_LIMIT = 100
MAX_PAGES = 200  # 20 000 groups: far beyond a school; stops a server that pages forever
LOOKUP_CHUNK = 100
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRY_STATUSES = {429, 500, 502, 503, 504}
RETRY_DELAYS = (0.2, 0.6, 1.5)  # seconds before the 2nd, 3rd and 4th attempt


class Ss12000Unavailable(DomainError):
    """The school's system failed or refused us: not the teacher's input, so 502."""

    status_code = 502
    code = "ss12000_unavailable"


@dataclass(frozen=True)
class Ss12000Group:
    group_id: str
    name: str
    group_type: str
    member_count: int


class Ss12000Client:
    """A small client over httpx: timeouts on every call, retries on connection errors and on
    5xx/429 with a short back-off, and the standard's pagination."""

    def __init__(
        self, connection: Ss12000Connection, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.connection = connection
        self._token: str | None = secret_decrypt(connection.token_encrypted) or None
        self._http = httpx.Client(
            base_url=connection.base_url.rstrip("/") + "/",
            timeout=TIMEOUT,
            # httpx retries failed connects itself; status-based retries are ours (below).
            transport=transport or httpx.HTTPTransport(retries=2),
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )

    def __enter__(self) -> Ss12000Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    # -- transport ------------------------------------------------------------------------

    def _access_token(self, *, renew: bool = False) -> str:
        if self._token and not (renew and self.connection.token_url):
            return self._token
        if not self.connection.token_url:
            # Staff have not finished configuring it: a state to fix here, not an outage there.
            raise Conflict(
                _(
                    "The SS 12000 connection has neither a token nor client credentials; staff must "
                    "complete it in the admin."
                ),
                code="ss12000_not_configured",
            )
        response = self._send(
            "POST",
            self.connection.token_url,
            auth_header=False,
            data={
                "grant_type": "client_credentials",
                "client_id": self.connection.client_id,
                "client_secret": secret_decrypt(self.connection.client_secret_encrypted),
            },
        )
        if response.status_code != 200:
            raise Ss12000Unavailable(
                _("The school's token endpoint refused the client credentials."),
                code="ss12000_unauthorized",
                details={"status": response.status_code},
            )
        token = _json(response).get("access_token")
        if not isinstance(token, str) or not token:
            raise Ss12000Unavailable(_("The school's token endpoint sent no access token."))
        self._token = token
        return token

    def _send(self, method: str, url: str, *, auth_header: bool = True, **kwargs: Any) -> httpx.Response:
        last_error: Exception | None = None
        for attempt in range(len(RETRY_DELAYS) + 1):
            if attempt:
                time.sleep(RETRY_DELAYS[attempt - 1])
            headers = {"Authorization": f"Bearer {self._access_token()}"} if auth_header else {}
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:  # timeouts, resets: worth another try
                last_error = exc
                continue
            if response.status_code not in RETRY_STATUSES:
                return response
            last_error = None
        detail = f"{type(last_error).__name__}" if last_error else f"HTTP {response.status_code}"
        raise Ss12000Unavailable(
            _("The school's SS 12000 API did not answer (%(detail)s); try again later.") % {"detail": detail},
            details={"url": url, "error": detail},
        )

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        if response.status_code == 401 and self.connection.token_url:
            self._access_token(renew=True)  # an expired token: get a new one, once
            response = self._send(method, path, **kwargs)
        if response.status_code in (401, 403):
            raise Ss12000Unavailable(
                _("The school's SS 12000 API refused our credentials; staff must check the connection."),
                code="ss12000_unauthorized",
                details={"status": response.status_code},
            )
        if response.status_code == 404:
            raise NotFound(_("The school's system has no such group."), code="ss12000_group_not_found")
        if response.status_code != 200:
            raise Ss12000Unavailable(
                _("The school's SS 12000 API answered %(status)d.") % {"status": response.status_code},
                details={"status": response.status_code},
            )
        return _json(response)

    def pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item of a paged list, following ``pageToken`` until the server sends none."""
        token: str | None = None
        seen_tokens: set[str] = set()
        for _page in range(MAX_PAGES):
            query = {**params, "limit": PAGE_LIMIT, **({"pageToken": token} if token else {})}
            body = self.request("GET", path, params=query)
            yield from _items(body)
            token = body.get("pageToken") if isinstance(body, dict) else None
            if not token or token in seen_tokens:
                return
            seen_tokens.add(token)
        raise Ss12000Unavailable(_("The school's SS 12000 API kept sending more pages."))

    # -- the resources a roster needs ------------------------------------------------------

    def groups(self) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"expand": "assignmentRoles"}
        if self.connection.organisation_id:
            params["organisation"] = self.connection.organisation_id
        return self.pages("groups", params)

    def group(self, group_id: str) -> dict[str, Any]:
        body = self.request("GET", f"groups/{quote(group_id, safe='')}", params={"expand": "assignmentRoles"})
        if not isinstance(body, dict) or not body.get("id"):
            raise Ss12000Unavailable(_("The school's SS 12000 API sent a group without an id."))
        return body

    def persons(self, person_ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(person_ids), LOOKUP_CHUNK):
            body = self.request(
                "POST", "persons/lookup", json={"ids": person_ids[start : start + LOOKUP_CHUNK]}
            )
            for person in _items(body):
                if isinstance(person.get("id"), str):
                    found[person["id"]] = person
        return found


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise Ss12000Unavailable(_("The school's SS 12000 API sent something that is not JSON.")) from exc


def _items(body: Any) -> list[dict[str, Any]]:
    """A list response is ``{"data": [...], "pageToken": ...}``; lookups may send a bare list."""
    items = body.get("data") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise Ss12000Unavailable(_("The school's SS 12000 API sent a list in an unknown shape."))
    return [item for item in items if isinstance(item, dict)]


# --- reading a group ------------------------------------------------------------------------


def _active(item: dict[str, Any], today: date) -> bool:
    """A membership counts from its startDate to its endDate, both inclusive (open when absent)."""
    start, end = str(item.get("startDate") or ""), str(item.get("endDate") or "")
    return (not start or start[:10] <= today.isoformat()) and (not end or end[:10] >= today.isoformat())


def _teaches(group: dict[str, Any], person_id: str) -> bool:
    roles = group.get("assignmentRoles") or []
    return any(isinstance(role, dict) and (role.get("person") or {}).get("id") == person_id for role in roles)


def _member_count(group: dict[str, Any], today: date) -> int:
    return sum(1 for m in group.get("groupMemberships") or [] if isinstance(m, dict) and _active(m, today))


def _school_email(person: dict[str, Any]) -> str | None:
    """The school address when there is one (type "Skola elev"), else the first address."""
    emails = [e for e in person.get("emails") or [] if isinstance(e, dict) and e.get("value")]
    school = [e for e in emails if "skola" in str(e.get("type", "")).lower()]
    chosen = (school or emails or [None])[0]
    return str(chosen["value"]) if chosen else None


def group_members(client: Ss12000Client, group: dict[str, Any], today: date) -> list[ExternalMember]:
    person_ids = [
        str(m["person"]["id"])
        for m in group.get("groupMemberships") or []
        if isinstance(m, dict)
        and isinstance(m.get("person"), dict)
        and m["person"].get("id")
        and _active(m, today)
    ]
    persons = client.persons(list(dict.fromkeys(person_ids)))
    members = []
    for person_id in dict.fromkeys(person_ids):
        person = persons.get(person_id)
        if person is None:
            continue  # reported by the sync as a leaver if it was on the roster
        members.append(
            ExternalMember(
                external_id=person_id,
                first_name=str(person.get("givenName") or ""),
                last_name=" ".join(str(p) for p in (person.get("middleName"), person.get("familyName")) if p),
                email=_school_email(person),
            )
        )
    return members


# --- services ---------------------------------------------------------------------------------


def ss12000_connections_for(user: AbstractBaseUser) -> list[Ss12000Connection]:
    connections = Ss12000Connection.objects.all()
    return list(connections if user.is_staff else connections.filter(teacher_links__user=user))


def ss12000_connection_get_for(user: AbstractBaseUser, connection_id: object) -> Ss12000Connection:
    from huleedu.ids import parse_id

    pk = parse_id(connection_id, what="connection")
    for connection in ss12000_connections_for(user):
        if connection.pk == pk:
            return connection
    raise NotFound(f"No SS 12000 connection with id '{pk}'.", code="connection_not_found")


def ss12000_connection_set_secrets(
    *, connection: Ss12000Connection, client_secret: str | None = None, token: str | None = None
) -> Ss12000Connection:
    """Store new secrets encrypted (None leaves a secret as it is, "" removes it)."""
    if client_secret is not None:
        connection.client_secret_encrypted = secret_encrypt(client_secret)
    if token is not None:
        connection.token_encrypted = secret_encrypt(token)
    connection.save()
    return connection


def ss12000_groups_for_teacher(
    *, user: AbstractBaseUser, connection: Ss12000Connection, today: date | None = None
) -> list[Ss12000Group]:
    """The groups a teacher may import: those they have a role in when staff recorded their
    SS 12000 person id, else every group the connection sees."""
    today = today or date.today()
    link = Ss12000Teacher.objects.filter(connection=connection, user=user).first()
    person_id = link.person_id if link else ""
    with Ss12000Client(connection) as client:
        groups = [g for g in client.groups() if g.get("id") and (not person_id or _teaches(g, person_id))]
    return sorted(
        (
            Ss12000Group(
                group_id=str(g["id"]),
                name=str(g.get("displayName") or g["id"]),
                group_type=str(g.get("groupType") or ""),
                member_count=_member_count(g, today),
            )
            for g in groups
        ),
        key=lambda g: g.name.lower(),
    )


def ss12000_class_import(
    *,
    user: AbstractBaseUser,
    connection: Ss12000Connection,
    group_id: str,
    name: str | None = None,
    today: date | None = None,
) -> tuple[SchoolClass, RosterSyncResult]:
    """A new class from one of the teacher's groups: its current members become the roster."""
    today = today or date.today()
    allowed = {g.group_id for g in ss12000_groups_for_teacher(user=user, connection=connection, today=today)}
    if group_id not in allowed:
        raise NotFound(
            _("That group is not one of yours in the school's system."), code="ss12000_group_not_found"
        )
    if SchoolClass.objects.filter(
        owner=user, external_source=RosterSource.SS12000, ss12000_connection=connection, external_id=group_id
    ).exists():
        raise Conflict(
            _("You have already imported this group; re-sync its class instead."),
            code="group_already_imported",
        )
    with Ss12000Client(connection) as client:
        group = client.group(group_id)
        members = group_members(client, group, today)
    with transaction.atomic():
        school_class = class_create(
            owner=user, name=(name or str(group.get("displayName") or group_id))[:120]
        )
        school_class.external_source, school_class.external_id = RosterSource.SS12000, group_id
        school_class.ss12000_connection = connection
        school_class.save(
            update_fields=["external_source", "external_id", "ss12000_connection", "updated_at"]
        )
        result = roster_sync(school_class=school_class, source=RosterSource.SS12000, members=members)
    return school_class, result


def ss12000_class_resync(*, school_class: SchoolClass, today: date | None = None) -> RosterSyncResult:
    """Follow the group again: names and e-mails updated, newcomers added, leavers marked."""
    if school_class.external_source != RosterSource.SS12000 or not school_class.external_id:
        raise Conflict(_("This class was not imported from SS 12000."), code="class_not_linked")
    if school_class.ss12000_connection is None:
        raise Conflict(_("The SS 12000 connection of this class was removed."), code="connection_not_found")
    with Ss12000Client(school_class.ss12000_connection) as client:
        group = client.group(school_class.external_id)
        members = group_members(client, group, today or date.today())
    return roster_sync(school_class=school_class, source=RosterSource.SS12000, members=members)
