from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from batches import selectors, services
from batches.serializers import (
    BatchEventOutputSerializer,
    BatchInputSerializer,
    BatchOutputSerializer,
    BatchUpdateInputSerializer,
    PipelineInputSerializer,
)
from classroster.selectors import class_get_for_user
from huleedu.api import validated


def batch_body(request: Request, batch_id: object) -> dict:
    """The batch as its API shows it (with its counts), for any route that answers with it."""
    return BatchOutputSerializer(selectors.batch_detail_for_user(request.user, batch_id)).data


class BatchListCreateApi(APIView):
    @extend_schema(responses=BatchOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        batches = selectors.batches_visible_to(request.user)[:200]
        return Response(BatchOutputSerializer(batches, many=True).data)

    @extend_schema(request=BatchInputSerializer, responses={201: BatchOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(BatchInputSerializer, request.data)
        school_class = None
        if data.get("class_id"):
            school_class = class_get_for_user(request.user, data["class_id"])
        batch = services.batch_register(
            owner=request.user,
            course_code=data["course_code"],
            expected_essay_count=data["expected_essay_count"],
            school_class=school_class,
            essay_instructions=data.get("essay_instructions", ""),
            timeout_strategy=data.get("timeout_strategy", ""),
            auto_confirm_high=data.get("auto_confirm_high"),
        )
        return Response(batch_body(request, batch.id), status=status.HTTP_201_CREATED)


class BatchDetailApi(APIView):
    @extend_schema(responses=BatchOutputSerializer)
    def get(self, request: Request, batch_id: str) -> Response:
        return Response(batch_body(request, batch_id))

    @extend_schema(request=BatchUpdateInputSerializer, responses=BatchOutputSerializer,
                   description=("Move the validation deadline while validation is open: later than now and "
                                "at most 14 days ahead (else 400 invalid_deadline). Clears "
                                "`validation_overdue`."))
    def patch(self, request: Request, batch_id: str) -> Response:
        batch = selectors.batch_get_for_user(request.user, batch_id)
        data = validated(BatchUpdateInputSerializer, request.data)
        services.validation_deadline_move(batch_id=batch.id, deadline=data["validation_deadline"],
                                 moved_by=request.user)
        return Response(batch_body(request, batch.id))

    @extend_schema(request=None, responses={204: None},
                   description=("Erase the batch: its essays' text, suggestions, associations and events. "
                                "Afterwards every route of the batch answers 404."))
    def delete(self, request: Request, batch_id: str) -> Response:
        batch = selectors.batch_get_for_user(request.user, batch_id)
        services.batch_erase(batch_id=batch.id, erased_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BatchCancelApi(APIView):
    @extend_schema(request=None, responses=BatchOutputSerializer,
                   description=("Cancel the batch (any state before PIPELINE_REQUESTED); uploads, decisions"
                                " and the pipeline request are 409 afterwards. Event `batch.cancelled`."))
    def post(self, request: Request, batch_id: str) -> Response:
        batch = selectors.batch_get_for_user(request.user, batch_id)
        services.batch_cancel(batch_id=batch.id, cancelled_by=request.user)
        return Response(batch_body(request, batch.id))


class BatchEventsApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("after", int, description="only events after this sequence")],
        responses=BatchEventOutputSerializer(many=True),
    )
    def get(self, request: Request, batch_id: str) -> Response:
        batch = selectors.batch_get_for_user(request.user, batch_id)
        events = selectors.batch_timeline(batch, after=request.query_params.get("after"))
        return Response(BatchEventOutputSerializer(events, many=True).data)


class BatchPipelineApi(APIView):
    @extend_schema(request=PipelineInputSerializer, responses={202: BatchOutputSerializer})
    def post(self, request: Request, batch_id: str) -> Response:
        batch = selectors.batch_get_for_user(request.user, batch_id)
        data = validated(PipelineInputSerializer, request.data)
        services.pipeline_request(batch_id=batch.id, pipeline=data["pipeline"], requested_by=request.user)
        return Response(batch_body(request, batch.id), status=status.HTTP_202_ACCEPTED)
