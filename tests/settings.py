"""Settings for the test suite: the product's settings, run as a deployment is.

The suite runs on PostgreSQL with DEBUG off, which the product only starts with a secret key
of its own; tests bring a fixed one (exported, so the servers and workers tests start get it
too).
"""

import os
import tempfile

from tests.support.parallel import worker_redis_environment

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "k3y-for-the-test-suite-never-deployed-" * 2)

# Uploaded originals go to a directory of this run (exported: the daphne the browser tests
# start stores and serves the same files).
os.environ.setdefault("HULEEDU_MEDIA_ROOT", tempfile.mkdtemp(prefix="huleedu-test-media-"))

# Parallel runs (pytest-xdist): a Redis database of this worker's own, exported so that the
# servers and workers its tests start use it too (tests/support/parallel.py).
os.environ.update(worker_redis_environment(os.environ))

from huleedu.settings import *  # noqa: F403
from huleedu.settings import Q_CLUSTER

# django-q2's qcluster runs its scheduler each time its guard loop has slept 30 s in all, one
# `guard_cycle` (a stock setting, 0.5 s by default) at a time. A test waiting for the scheduler
# starts its qcluster with a cycle of 30 s: the scheduler then runs in the first cycle, at start,
# instead of half a minute later.
if os.environ.get("HULEEDU_TEST_QCLUSTER_GUARD_CYCLE"):
    Q_CLUSTER = {**Q_CLUSTER, "guard_cycle": float(os.environ["HULEEDU_TEST_QCLUSTER_GUARD_CYCLE"])}

# Every teacher fixture hashes a password; PBKDF2's deliberate slowness (~0.6 s each) protects
# stored passwords, which tests have none of. Servers and workers the tests start read this too.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
