"""A refusal because of the batch's state names that state as the teacher reads it, in the
teacher's language: never the raw state name (AWAITING_STUDENT_VALIDATION)."""

from __future__ import annotations

import re

import pytest

from batches.models import STATUS_LABELS, BatchStatus
from tests.conftest import by_author

pytestmark = pytest.mark.django_db

RAW_STATE = re.compile(r"\b[A-Z]{3,}(?:_[A-Z]{2,})+\b")


@pytest.mark.parametrize(
    ("language", "current", "allowed"),
    [
        ("en", "“Awaiting your review”", "“Waiting for essays”"),
        ("sv", "”Väntar på din granskning”", "”Väntar på uppsatser”"),
    ],
)
def test_finishing_uploads_of_a_batch_in_review_names_both_states(
    api, validating, language, current, allowed
):
    batch = validating(by_author(2))
    response = api.post(f"/api/v1/batches/{batch.id}/finalize-uploads/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "uploads_closed"
    assert error["details"]["status"] == "AWAITING_STUDENT_VALIDATION"  # the API's own field stays raw
    assert not RAW_STATE.search(error["message"]), error["message"]
    assert current in error["message"] and allowed in error["message"]


def test_every_state_has_a_label():
    assert set(STATUS_LABELS) == set(BatchStatus.values)
