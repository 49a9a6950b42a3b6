"""What daphne serves: HTTP through Django's synchronous handler on a pool of threads, and the
teachers' WebSocket through Channels.

Every view, service and the whole middleware stack are synchronous. Django's ASGI handler
would run each request in a thread of its own and hop between that thread and the event loop
for every middleware that can be both (measured here: 10 ms for ``/healthz`` against 0.7 ms
in-process, and much worse once the loop is busy). Instead, a2wsgi runs Django's WSGI handler
on ``HULEEDU_WEB_THREADS`` long-lived threads (small requests through
``huleedu.wsgi_bridge``: one hand-over there and one back), a bounded number of
requests working at once per process, and database connections that are kept and reused
(``DATABASE_CONN_MAX_AGE``) because the threads are. The threads share one GIL, so the
process hands it over more often than Python's default (``HULEEDU_WEB_GIL_SWITCH_MS``), and
heavy routes get a lane of few threads of their own (``huleedu.lanes``).
"""

import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huleedu.settings")
django_http_app = get_wsgi_application()

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from batches.consumers import SameOriginValidator  # noqa: E402
from batches.routing import websocket_urlpatterns  # noqa: E402
from huleedu.lanes import split_into_lanes  # noqa: E402
from huleedu.server import disable_twisted_form_parsing, remember_server_loop  # noqa: E402
from huleedu.wsgi_bridge import small_request_bridge  # noqa: E402

disable_twisted_form_parsing()
sys.setswitchinterval(settings.WEB_GIL_SWITCH_INTERVAL_MS / 1000)

http_application = small_request_bridge(WSGIMiddleware(django_http_app, workers=settings.WEB_THREADS))
if settings.WEB_BULK_THREADS > 0:
    http_application = split_into_lanes(
        interactive=http_application,
        bulk=small_request_bridge(WSGIMiddleware(django_http_app, workers=settings.WEB_BULK_THREADS)),
    )

application = remember_server_loop(ProtocolTypeRouter({
    "http": http_application,
    "websocket": SameOriginValidator(
        AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
    ),
}))
