"""gunicorn's settings for HuleEdu's HTTP (read from the working directory: ``gunicorn``).

Each worker process runs Django's WSGI handler on a pool of threads; every option can be
overridden on the command line or in ``GUNICORN_CMD_ARGS``. Size the workers by cores, and
the database's connections by workers × threads (docs/operations.md, "Serving HTTP").
"""

import os

wsgi_app = "huleedu.wsgi:application"
bind = ["0.0.0.0:8000"]
worker_class = "gthread"
# One process per core: the threads of a process share one GIL, so capacity comes from processes.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
# Threads overlap a request's waits for PostgreSQL with another's work; each keeps its own
# database connection (DATABASE_CONN_MAX_AGE).
threads = 4
# A worker that stops answering its heartbeat for this long is replaced.
timeout = 60
graceful_timeout = 30
# Behind the proxy: keep its connections open between requests. The proxy's idle timeout for
# these connections must be shorter, or it may send a request on one gunicorn is closing.
keepalive = 5


def post_worker_init(worker: object) -> None:
    """Each worker sends its live pushes from a thread of its own, so a request never waits
    for Redis to take them (huleedu.live_push)."""
    from huleedu.live_push import live_push_sender_start

    live_push_sender_start()
