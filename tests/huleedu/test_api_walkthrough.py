"""The integrator's walkthrough (scripts/api_walkthrough.py) against real servers: the embedded
one-command app, and the production topology (gunicorn, daphne, a separate qcluster) on
PostgreSQL and Redis."""

from __future__ import annotations

import importlib.util

import pytest

from tests.support.processes import ROOT, deployed_servers, embedded_server

pytestmark = pytest.mark.slow


def walkthrough():
    spec = importlib.util.spec_from_file_location("api_walkthrough", ROOT / "scripts" / "api_walkthrough.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(outcome: dict) -> None:
    assert outcome["regular_status"] == "READY_FOR_PIPELINE_EXECUTION"
    assert outcome["suggestions_after_last_upload_s"] <= 5
    assert outcome["guest_events"][-1] == "batch.essays.ready"


def test_walkthrough_on_the_embedded_default(tmp_path):
    with embedded_server(tmp_path) as url:
        check(walkthrough().run(url, "demo", "demo"))


@pytest.mark.django_db(transaction=True)
def test_walkthrough_on_postgres_redis_with_a_separate_qcluster(tmp_path, make_teacher):
    make_teacher("integrator")
    with deployed_servers(tmp_path) as deployment:
        check(walkthrough().run(deployment.url, "integrator", "pw-integrator"))
