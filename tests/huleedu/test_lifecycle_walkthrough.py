"""The lifecycle walkthrough (scripts/lifecycle_walkthrough.py), an HTTP-only client of the
pinned contract, against gunicorn + daphne + a separate qcluster on PostgreSQL and Redis, and against the
embedded one-command app."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.support.processes import ROOT, deployed_servers, embedded_server

pytestmark = pytest.mark.slow


def lifecycle_walkthrough():
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(
        "lifecycle_walkthrough", ROOT / "scripts" / "lifecycle_walkthrough.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(outcome: dict) -> None:
    assert outcome["passes"] == [1, 2]
    assert outcome["skipped_by_accept_all"] == 1
    assert outcome["csv_rows"] == 5


@pytest.mark.django_db(transaction=True)
def test_lifecycle_on_postgres_redis_with_a_separate_qcluster(tmp_path, make_teacher):
    make_teacher("integrator")
    with deployed_servers(tmp_path) as deployment:
        check(lifecycle_walkthrough().run(deployment.url, "integrator", "pw-integrator"))


def test_lifecycle_on_the_embedded_default(tmp_path):
    with embedded_server(tmp_path) as url:
        check(lifecycle_walkthrough().run(url, "demo", "demo"))
