from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from batches.apis import batch_body
from batches.selectors import batch_get_for_user
from batches.serializers import BatchOutputSerializer
from essays import selectors, services


class BatchFinalizeUploadsApi(APIView):
    @extend_schema(request=None, responses=BatchOutputSerializer)
    def post(self, request: Request, batch_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        services.uploads_finalize(batch_id=batch.id)
        return Response(batch_body(request, batch.id))


# Formats a browser shows itself; anything else (.docx) is downloaded and opened by its app.
_INLINE_TYPES = {"pdf": "application/pdf", "txt": "text/plain; charset=utf-8"}


class BatchEssayOriginalApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes},
                   description=("The file as it was uploaded. Only the batch's owner may open it (404 "
                                "for everyone else); it is erased with the essay, the batch, or when "
                                "the batch is cancelled."))
    def get(self, request: Request, batch_id: str, essay_id: str) -> FileResponse:
        essay = selectors.essay_original_for_owner(request.user, batch_id, essay_id)
        inline_type = _INLINE_TYPES.get(essay.file_format)
        response = FileResponse(
            essay.original_file.open("rb"), as_attachment=inline_type is None,
            filename=essay.original_filename, content_type=inline_type or "application/octet-stream",
        )
        if essay.file_format != "pdf":  # Chromium's PDF viewer does not open in a sandbox
            # A student's file is shown, never run: no scripts, no plugins, its own origin.
            response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
