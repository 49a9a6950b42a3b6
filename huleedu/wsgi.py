"""The HTTP application for a WSGI server (gunicorn in production, see docs/operations.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huleedu.settings")
application = get_wsgi_application()
