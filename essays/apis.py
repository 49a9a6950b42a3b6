from __future__ import annotations

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from batches.selectors import batch_get_for_user
from essays import selectors, services
from essays.serializers import EssayOutputSerializer, UploadInputSerializer, UploadOutputSerializer
from huleedu.errors import PayloadTooLarge
from huleedu.ids import parse_id


class BatchEssaysApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=EssayOutputSerializer(many=True))
    def get(self, request: Request, batch_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        return Response(EssayOutputSerializer(selectors.batch_essays(batch), many=True).data)

    @extend_schema(
        request={"multipart/form-data": UploadInputSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
        responses={201: UploadOutputSerializer, 200: UploadOutputSerializer},
    )
    def post(self, request: Request, batch_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.MAX_UPLOAD_REQUEST_BYTES:  # refuse before reading the body
            raise PayloadTooLarge(
                f"The upload is {declared:,} bytes; one request may carry at most "
                f"{settings.MAX_UPLOAD_REQUEST_BYTES:,} bytes. Send the files in several requests.",
                code="upload_too_large",
            )
        results, replayed = services.essays_upload(
            batch=batch,
            files=request.FILES.getlist("files"),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
        batch.refresh_from_db(fields=["status", "expected_essay_count"])
        body = {"batch_id": batch.id, "results": results, "replayed": replayed, "batch_status": batch.status,
                "expected_essay_count": batch.expected_essay_count}
        # 201 when something was stored; a request whose files were all duplicates (or a replay)
        # still answers with its per-file results.
        stored = not replayed and any(result["essay_id"] for result in results)
        return Response(UploadOutputSerializer(body).data,
                        status=status.HTTP_201_CREATED if stored else status.HTTP_200_OK)


class BatchEssayDetailApi(APIView):
    @extend_schema(request=None, responses={204: None},
                   description=("Remove an essay (any state before PIPELINE_REQUESTED), with its "
                                "suggestions and decision. Event `essay.removed`."))
    def delete(self, request: Request, batch_id: str, essay_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        services.essay_remove(batch_id=batch.id, essay_id=parse_id(essay_id, what="essay"),
                              removed_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
