"""With PROMETHEUS_MULTIPROC_DIR, /metrics of one process reports the sum of all processes.

prometheus_client picks its storage when it is imported, so each "process" here is a real
child process started with the variable set, as daphne and qcluster are in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

COUNT_ERRORS = """
import django
django.setup()
from huleedu import metrics
for _ in range({times}):
    metrics.api_error(code="multiprocess_probe", status=418)
"""

SCRAPE = COUNT_ERRORS + """
import sys
sys.stdout.write(metrics.exposition().decode())
"""


def run_child(script: str, metrics_dir: Path) -> str:
    # An empty SQLite file and no Redis: the child touches no shared database; the figures read
    # at scrape time then fail and are left out, which is part of what is tested.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "huleedu.settings",
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
           "DATABASE_URL": f"sqlite:///{metrics_dir / 'empty.sqlite3'}", "REDIS_URL": "",
           "HULEEDU_LOG_LEVEL": "CRITICAL"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_metrics_of_several_processes_are_summed(tmp_path):
    run_child(COUNT_ERRORS.format(times=2), tmp_path)  # e.g. a qcluster worker
    exposition = run_child(SCRAPE.format(times=3), tmp_path)  # e.g. the daphne that is scraped
    assert 'huleedu_api_errors_total{code="multiprocess_probe",status="418"} 5.0' in exposition
    assert list(tmp_path.glob("counter_*.db")), "each process writes its values to the shared directory"
