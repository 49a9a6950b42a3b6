from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from batches.apis import batch_body
from batches.selectors import batch_get_for_user
from batches.serializers import BatchOutputSerializer
from essays import services


class BatchFinalizeUploadsApi(APIView):
    @extend_schema(request=None, responses=BatchOutputSerializer)
    def post(self, request: Request, batch_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        services.uploads_finalize(batch_id=batch.id)
        return Response(batch_body(request, batch.id))
