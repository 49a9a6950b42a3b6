"""Nothing committed is lost: crashes between commit and enqueue, a worker SIGKILLed in the
middle of a matching job, Redis restarted mid-flow, and the scheduler deciding a deadline."""

from __future__ import annotations

import shutil
import socket
import subprocess
from datetime import timedelta
from unittest import mock

import psycopg
import pytest
from django.db import connections
from django.utils import timezone
from django_q.conf import Conf

from batches.models import Batch, BatchStatus
from batches.services import batch_register
from essays.services import essays_upload
from matching.models import MatchSuggestion, StudentAssociation
from matching.services import schedules_ensure as validation_schedule_ensure
from outbox.models import BatchEvent
from outbox.services import events_relay
from outbox.services import schedules_ensure as relay_schedule_ensure
from tests.conftest import ROSTER_NAMES, essay_text_for, txt_file
from tests.support.processes import QCluster, wait_for, worker_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def fresh_status(batch_id) -> str:
    connections.close_all()
    return Batch.objects.get(pk=batch_id).status


def essays_for(start: int, stop: int) -> list:
    return [txt_file(f"e{i}.txt", essay_text_for(*ROSTER_NAMES[i])) for i in range(start, stop)]


def assert_one_set_of_suggestions(batch: Batch, essays: int) -> None:
    assert StudentAssociation.objects.filter(batch=batch).count() == essays
    ranks = list(MatchSuggestion.objects.filter(essay__batch=batch).values_list("essay_id", "rank"))
    assert len(ranks) == len(set(ranks)) and ranks
    assert BatchEvent.objects.filter(batch=batch, event_type="batch.author.matches.suggested").count() == 1


def test_crash_between_commit_and_enqueue_is_recovered_by_the_relay(teacher, school_class):
    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=3, school_class=school_class
    )
    # The process dies right after each commit: nothing gets enqueued.
    with mock.patch("outbox.services._schedule_delivery"):
        essays_upload(batch=batch, files=essays_for(0, 3))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CONTENT_PROVISIONED
    assert BatchEvent.objects.filter(batch=batch, delivered_at=None).count() == 4  # 3 essays + completion

    assert events_relay(older_than_seconds=3600) == 0  # fresh events are left to their own task
    assert events_relay(older_than_seconds=0) >= 4
    batch.refresh_from_db()
    assert batch.status == BatchStatus.AWAITING_STUDENT_VALIDATION
    assert_one_set_of_suggestions(batch, 3)
    assert not BatchEvent.objects.filter(batch=batch, delivered_at=None).exists()


@pytest.mark.slow
def test_worker_killed_during_matching_job_leaves_nothing_and_the_rerun_completes(
    tmp_path, settings, teacher, school_class
):
    settings.TASKS_INLINE = False
    from django_q.brokers import get_broker

    get_broker().purge_queue()
    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=4, school_class=school_class
    )
    essays_upload(batch=batch, files=essays_for(0, 3))
    blocked_essay = batch.essays.order_by("created_at", "id").first()

    # Another transaction holds the row the job will insert, so the job stalls mid-write.
    blocker = psycopg.connect(worker_database_url().replace("postgres://", "postgresql://"), autocommit=False)
    blocker.execute(
        "INSERT INTO matching_studentassociation (essay_id, batch_id, match_level, match_confidence, "
        "method, needs_attention, version, allow_second_essay) "
        "VALUES (%s, %s, 'none', 0, '', false, 0, false)",
        (blocked_essay.id, batch.id),
    )
    worker = QCluster(tmp_path / "qcluster-1.log").start()
    try:
        essays_upload(batch=batch, files=essays_for(3, 4))  # completes the batch: matching starts
        assert wait_for(lambda: _job_is_waiting_on_a_lock(), timeout=60), worker.log()
        worker.kill()  # SIGKILL, mid-job
    finally:
        blocker.rollback()
        blocker.close()
    assert wait_for(lambda: not _job_is_waiting_on_a_lock(), timeout=30)

    assert fresh_status(batch.id) == BatchStatus.AWAITING_STUDENT_MATCHING
    assert not StudentAssociation.objects.filter(batch=batch).exists()
    assert not MatchSuggestion.objects.filter(essay__batch=batch).exists()

    restarted = QCluster(tmp_path / "qcluster-2.log").start()
    try:
        events_relay(older_than_seconds=0)
        assert wait_for(
            lambda: fresh_status(batch.id) == BatchStatus.AWAITING_STUDENT_VALIDATION, timeout=60
        ), restarted.log()
    finally:
        restarted.stop()
    assert_one_set_of_suggestions(batch, 4)


def _job_is_waiting_on_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE '%%matching_studentassociation%%'"
        )
        return cursor.fetchone()[0] > 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, so restarting it disturbs nobody else."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(self._answers, timeout=10)

    def kill(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server installed")
def test_redis_restarted_mid_flow_loses_nothing_postgres_committed(
    tmp_path, settings, monkeypatch, teacher, school_class
):
    redis = PrivateRedis()
    redis.start()
    settings.TASKS_INLINE = False
    monkeypatch.setattr(Conf, "REDIS", redis.url)
    worker = QCluster(tmp_path / "qcluster.log", REDIS_URL=redis.url).start()
    try:
        batch = batch_register(
            owner=teacher, course_code="SVE1", expected_essay_count=6, school_class=school_class
        )
        essays_upload(batch=batch, files=essays_for(0, 3))
        redis.kill()  # the broker is gone, with everything queued in it
        essays_upload(batch=batch, files=essays_for(3, 6))  # commits; enqueue fails and is logged
        assert batch.essays.count() == 6
        assert fresh_status(batch.id) == BatchStatus.CONTENT_PROVISIONED

        redis.start()
        worker.stop()
        worker = QCluster(tmp_path / "qcluster-after.log", REDIS_URL=redis.url).start()
        events_relay(older_than_seconds=0)
        assert wait_for(
            lambda: fresh_status(batch.id) == BatchStatus.AWAITING_STUDENT_VALIDATION, timeout=60
        ), worker.log()
        assert_one_set_of_suggestions(batch, 6)
    finally:
        worker.stop()
        redis.kill()


@pytest.mark.slow
def test_django_q_scheduler_applies_the_validation_timeout(tmp_path, settings, teacher, school_class):
    batch = batch_register(
        owner=teacher, course_code="SVE1", expected_essay_count=2, school_class=school_class
    )
    essays_upload(batch=batch, files=essays_for(0, 2))
    Batch.objects.filter(pk=batch.pk).update(validation_deadline=timezone.now() - timedelta(seconds=1))
    relay_schedule_ensure()  # what migrate sets up in a deployment
    validation_schedule_ensure()
    settings.TASKS_INLINE = False
    # The scheduler's first run comes at start, not after 30 s (tests/settings.py); if a version
    # of django-q2 ran it later, the wait below still covers its usual 30 s.
    worker = QCluster(tmp_path / "qcluster.log", HULEEDU_TEST_QCLUSTER_GUARD_CYCLE="30").start()
    try:
        assert wait_for(
            lambda: fresh_status(batch.id) == BatchStatus.READY_FOR_PIPELINE_EXECUTION,
            timeout=90,
            interval=0.5,
        ), worker.log()
    finally:
        worker.stop()
    methods = set(StudentAssociation.objects.filter(batch=batch).values_list("method", flat=True))
    assert methods == {"timeout"}


def test_an_event_that_keeps_failing_is_parked_after_its_attempts(teacher, settings):
    settings.OUTBOX_MAX_DELIVERY_ATTEMPTS = 3
    batch = batch_register(owner=teacher, course_code="SVE1", expected_essay_count=1)
    BatchEvent.objects.filter(batch=batch).update(delivered_at=None, delivery_attempts=3)
    with mock.patch("outbox.services.enqueue_now") as enqueue:
        assert events_relay(older_than_seconds=0) == 0
    enqueue.assert_not_called()
    BatchEvent.objects.filter(batch=batch).update(delivery_attempts=2)
    with mock.patch("outbox.services.enqueue_now") as enqueue:
        assert events_relay(older_than_seconds=0) == 1
    assert enqueue.call_count == 1
