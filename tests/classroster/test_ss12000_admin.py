"""Staff configure an SS 12000 connection in the admin: secrets go in, encrypted, never come out."""

from __future__ import annotations

import pytest
from django.test import Client

from classroster.models import Ss12000Connection
from classroster.secrets import secret_decrypt

pytestmark = pytest.mark.django_db


def form(**fields: str) -> dict[str, str]:
    return {
        "name": "Kommunen",
        "base_url": "https://api.kommun.example/ss12000/v2",
        "organisation_id": "org-1",
        "token_url": "https://api.kommun.example/oauth/token",
        "client_id": "huleedu",
        "teacher_links-TOTAL_FORMS": "0",
        "teacher_links-INITIAL_FORMS": "0",
        **fields,
    }


def test_staff_store_a_secret_encrypted_and_never_see_it_again(make_teacher):
    staff = Client()
    staff.force_login(make_teacher("personal", staff=True))
    response = staff.post("/admin/classroster/ss12000connection/add/", form(client_secret="hemligt-123"))
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = Ss12000Connection.objects.get()
    assert "hemligt-123" not in connection.client_secret_encrypted
    assert secret_decrypt(connection.client_secret_encrypted) == "hemligt-123"

    page = staff.get(f"/admin/classroster/ss12000connection/{connection.id}/change/")
    assert page.status_code == 200 and b"hemligt-123" not in page.content
    # Saving without typing the secret again keeps it; "clear" removes it.
    staff.post(f"/admin/classroster/ss12000connection/{connection.id}/change/", form(name="Kommunen 2"))
    connection.refresh_from_db()
    assert (
        connection.name == "Kommunen 2"
        and secret_decrypt(connection.client_secret_encrypted) == "hemligt-123"
    )
    staff.post(f"/admin/classroster/ss12000connection/{connection.id}/change/", form(clear_secrets="on"))
    connection.refresh_from_db()
    assert connection.client_secret_encrypted == ""


def test_a_token_url_without_client_id_is_refused(make_teacher):
    staff = Client()
    staff.force_login(make_teacher("personal", staff=True))
    response = staff.post("/admin/classroster/ss12000connection/add/", form(client_id=""))
    assert response.status_code == 200 and b"Client credentials need a client id" in response.content
    assert not Ss12000Connection.objects.exists()
