"""Parallel test runs: each pytest-xdist worker, and what it starts, on a Redis database of its own."""

from __future__ import annotations

import pytest

from tests.support.parallel import MAX_PARALLEL_WORKERS, bench_redis_url, worker_redis_environment


def test_a_serial_run_keeps_the_redis_url_it_was_given() -> None:
    assert worker_redis_environment({"REDIS_URL": "redis://127.0.0.1:6380/2"}) == {}


def test_each_worker_moves_to_a_database_of_its_own_and_marks_it() -> None:
    first = worker_redis_environment({"REDIS_URL": "redis://127.0.0.1:6380/2", "PYTEST_XDIST_WORKER": "gw0"})
    third = worker_redis_environment({"REDIS_URL": "redis://127.0.0.1:6380/2", "PYTEST_XDIST_WORKER": "gw2"})
    assert first == {"REDIS_URL": "redis://127.0.0.1:6380/2", "HULEEDU_TEST_REDIS_WORKER": "gw0"}
    assert third["REDIS_URL"] == "redis://127.0.0.1:6380/4"


def test_a_server_the_worker_starts_keeps_the_url_it_inherits_or_is_given() -> None:
    inherited = {"REDIS_URL": "redis://127.0.0.1:6380/4", "PYTEST_XDIST_WORKER": "gw2",
                 "HULEEDU_TEST_REDIS_WORKER": "gw2"}
    assert worker_redis_environment(inherited) == {}
    private = {**inherited, "REDIS_URL": "redis://127.0.0.1:41234/0"}  # a test's own redis-server
    assert worker_redis_environment(private) == {}


def test_worker_and_benchmark_databases_stay_within_redis_sixteen_and_apart() -> None:
    base = "redis://127.0.0.1:6379/9"
    own = [worker_redis_environment({"REDIS_URL": base, "PYTEST_XDIST_WORKER": f"gw{n}"})["REDIS_URL"]
           for n in range(MAX_PARALLEL_WORKERS)]
    bench = [bench_redis_url(url) for url in own]
    numbers = [int(url.rsplit("/", 1)[1]) for url in own + bench]
    assert sorted(numbers) == list(range(16))
    with pytest.raises(RuntimeError, match="at most 8 test workers"):
        worker_redis_environment({"REDIS_URL": base, "PYTEST_XDIST_WORKER": f"gw{MAX_PARALLEL_WORKERS}"})
