from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from batches.selectors import batch_get_for_user
from essays import selectors, services
from essays.serializers import EssayOutputSerializer, UploadInputSerializer, UploadOutputSerializer
from huleedu.errors import Conflict, PayloadTooLarge


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
        if not replayed and not any(r["essay_id"] for r in results):
            raise Conflict("The batch already has all its essays; nothing was stored.",
                           code="batch_full", details={"results": results})
        batch.refresh_from_db(fields=["status"])
        body = {"batch_id": batch.id, "results": results, "replayed": replayed, "batch_status": batch.status}
        return Response(UploadOutputSerializer(body).data,
                        status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)
