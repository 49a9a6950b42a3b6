"""Multipart uploads with a size cap that holds before and while the body is read."""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import MultiPartParser

from huleedu.errors import PayloadTooLarge


class _CappedStream:
    """A request body that may not yield more than ``limit`` bytes (a body without a
    Content-Length, or one that lies about it, stops there)."""

    def __init__(self, stream: IO[bytes], limit: int, code: str) -> None:
        self.stream = stream
        self.left = limit
        self.code = code

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size if size is not None and size >= 0 else self.left + 1)
        self.left -= len(chunk)
        if self.left < 0:
            raise PayloadTooLarge(_("The request body is larger than this route takes."), code=self.code)
        return chunk


class CappedMultiPartParser(MultiPartParser):
    """Multipart with a size cap checked before the body is read (by its Content-Length) and
    while it is read (streamed, never past the cap): an oversize upload is a 413 that costs
    neither the time to receive it through Django nor the memory to hold it."""

    #: the settings name of the largest file this route takes (or override ``file_limit``)
    limit_setting = ""
    #: room for the multipart boundaries and part headers around that file
    envelope_bytes = 64 * 1024
    #: the error code a route's clients already know for "too large"
    too_large_code = "payload_too_large"

    def file_limit(self) -> int:
        return getattr(settings, self.limit_setting)

    def parse(self, stream: IO[bytes], media_type: str | None = None,
              parser_context: dict[str, Any] | None = None) -> Any:
        file_limit = self.file_limit()
        limit = file_limit + self.envelope_bytes
        request = (parser_context or {})["request"]
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise PayloadTooLarge(
                _("The request body is %(size)s bytes; this route takes at most %(limit)s bytes of file.")
                % {"size": f"{declared:,}", "limit": f"{file_limit:,}"},
                code=self.too_large_code, details={"limit_bytes": file_limit},
            )
        return super().parse(_CappedStream(stream, limit, self.too_large_code), media_type, parser_context)
