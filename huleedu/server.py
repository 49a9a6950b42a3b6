"""Adjustments to daphne, the ASGI server we run in production and tests."""

from __future__ import annotations


def disable_twisted_form_parsing() -> None:
    """Stop Twisted from parsing POST bodies before Django sees them.

    Twisted's ``http.Request`` parses every multipart/form-data body into memory for its own
    ``request.args`` (which daphne never uses), doubling the memory of each upload, and it
    answers a malformed body with a bare 400 that never reaches Django. Django parses the
    body itself, streaming large files to disk, and answers with our JSON error instead.
    """
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:  # not running under daphne
        return
    if getattr(WebRequest, "_huleedu_patched", False):
        return
    original_init = WebRequest.__init__

    def __init__(self, *args, **kwargs) -> None:
        original_init(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False

    WebRequest.__init__ = __init__
    WebRequest._huleedu_patched = True
