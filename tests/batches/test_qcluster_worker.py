"""The whole REGULAR flow with tasks going through Redis to a real qcluster process."""

from __future__ import annotations

import pytest
from django.db import connections
from django_q.brokers import get_broker

from batches.models import Batch, BatchStatus
from outbox.models import BatchEvent
from tests.conftest import ROSTER_NAMES, essay_text_for, txt_file
from tests.support.processes import QCluster, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def qcluster(tmp_path, settings):
    settings.TASKS_INLINE = False  # this process enqueues into Redis; the worker runs the tasks
    get_broker().purge_queue()
    cluster = QCluster(tmp_path / "qcluster.log").start()
    yield cluster
    cluster.stop()


def status_of(batch_id: str) -> str:
    connections.close_all()  # see the worker's commits, not a stale snapshot
    return Batch.objects.get(pk=batch_id).status


def test_regular_batch_through_redis_broker_and_qcluster(api, school_class, qcluster):
    batch = api.post(
        "/api/v1/batches/",
        {"course_code": "ENG5", "expected_essay_count": 6, "class_id": str(school_class.id)},
        format="json",
    ).json()
    batch_id = batch["batch_id"]
    for start in (0, 3):
        files = [txt_file(f"e{i}.txt", essay_text_for(*ROSTER_NAMES[i])) for i in range(start, start + 3)]
        assert (
            api.post(f"/api/v1/batches/{batch_id}/essays/", {"files": files}, format="multipart").status_code
            == 201
        )

    assert wait_for(lambda: status_of(batch_id) == BatchStatus.AWAITING_STUDENT_VALIDATION, timeout=60), (
        status_of(batch_id),
        qcluster.log(),
    )
    essays = api.get(f"/api/v1/batches/{batch_id}/essays/").json()
    assert all(e["suggestions"] for e in essays)

    bulk = api.post(
        f"/api/v1/batches/{batch_id}/associations/confirm/", {"accept": "high_confidence"}, format="json"
    )
    assert bulk.status_code == 200, bulk.content
    remaining = [
        e for e in api.get(f"/api/v1/batches/{batch_id}/essays/").json() if not e["association"]["decided"]
    ]
    for essay in remaining:
        api.put(
            f"/api/v1/classes/{school_class.id}/associations/{essay['essay_id']}/",
            {"student_id": essay["suggestions"][0]["student_id"]},
            format="json",
        )
    assert status_of(batch_id) == BatchStatus.READY_FOR_PIPELINE_EXECUTION
    assert wait_for(
        lambda: not BatchEvent.objects.filter(batch_id=batch_id, delivered_at=None).exists(), timeout=30
    ), qcluster.log()
    types = list(BatchEvent.objects.filter(batch_id=batch_id).values_list("event_type", flat=True))
    assert types.count("student.associations.confirmed") == 1
    assert types.count("batch.essays.ready") == 1
