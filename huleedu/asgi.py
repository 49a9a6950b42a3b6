"""The ASGI application: the teachers' WebSocket through Channels, and HTTP through Django's own
ASGI handler.

In production daphne serves only ``/ws/`` (the proxy routes the rest to gunicorn,
``huleedu/wsgi.py``); the embedded server (``manage.py serve``) serves both from one process.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huleedu.settings")
# Django is set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from batches.consumers import SameOriginValidator  # noqa: E402
from batches.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
