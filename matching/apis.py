from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from batches.models import Batch
from batches.selectors import batch_detail_for_user, batch_get_for_user
from batches.serializers import BatchOutputSerializer
from classroster.selectors import class_get_for_user
from classroster.serializers import StudentInputSerializer, StudentOutputSerializer
from essays.serializers import AssociationOutputSerializer
from huleedu.api import validated
from huleedu.spreadsheets import csv_document
from matching import selectors, services
from matching.serializers import (
    BulkConfirmInputSerializer,
    BulkConfirmOutputSerializer,
    DecisionInputSerializer,
    PendingEssayOutputSerializer,
    WithdrawInputSerializer,
)


class PendingAssociationsApi(APIView):
    @extend_schema(responses=PendingEssayOutputSerializer(many=True))
    def get(self, request: Request, class_id: str) -> Response:
        school_class = class_get_for_user(request.user, class_id)
        essays = selectors.pending_essays_for_class(school_class, request.user)
        return Response(PendingEssayOutputSerializer(essays, many=True).data)


class AssociationDecideApi(APIView):
    @extend_schema(
        request=DecisionInputSerializer, responses=AssociationOutputSerializer,
        description=("Without `expected_version`: decide an undecided essay (first writer wins; a decided "
                     "essay is 409 `already_decided` or `decided_by_timeout`). With `expected_version`: "
                     "change the decision if its version is still that one (409 `stale_decision` with the "
                     "current decision otherwise), until assessment starts. A student who already has "
                     "another essay of the batch is 409 `student_already_attributed` unless "
                     "`allow_second_essay` is true."))
    def put(self, request: Request, class_id: str, essay_id: str) -> Response:
        essay = selectors.essay_of_users_class(request.user, class_id, essay_id)
        data = validated(DecisionInputSerializer, request.data)
        association = services.association_decide(
            batch_id=essay.batch_id, essay_id=essay.id, student_id=data["student_id"],
            decided_by=request.user, expected_version=data.get("expected_version"),
            allow_second_essay=data["allow_second_essay"],
        )
        return Response(AssociationOutputSerializer(selectors.association_get(association.essay_id)).data)

    @extend_schema(
        parameters=[OpenApiParameter("expected_version", int, OpenApiParameter.QUERY, required=True)],
        responses=AssociationOutputSerializer,
        description=("Undo a decision: the essay is undecided again (`version` still counts up). Only with "
                     "the version the caller saw (409 `stale_decision` otherwise); a ready batch goes back "
                     "to validation; after the pipeline request 409 `not_withdrawable` (change it instead)."))
    def delete(self, request: Request, class_id: str, essay_id: str) -> Response:
        essay = selectors.essay_of_users_class(request.user, class_id, essay_id)
        data = validated(WithdrawInputSerializer, request.query_params)
        association = services.association_withdraw(
            batch_id=essay.batch_id, essay_id=essay.id, withdrawn_by=request.user,
            expected_version=data["expected_version"],
        )
        return Response(AssociationOutputSerializer(selectors.association_get(association.essay_id)).data)


class BatchRosterStudentApi(APIView):
    @extend_schema(
        request=StudentInputSerializer, responses={201: StudentOutputSerializer},
        description=("A name found in an essay that is not on the roster: add the student to the batch's "
                     "class and match the undecided essays again (while validation is open)."))
    def post(self, request: Request, batch_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        data = validated(StudentInputSerializer, request.data)
        student = services.roster_student_add_and_rematch(
            batch=batch, first_name=data.get("first_name", ""), last_name=data.get("last_name", ""),
            email=data.get("email") or None, added_by=request.user,
        )
        return Response(StudentOutputSerializer(student).data, status=status.HTTP_201_CREATED)


class BulkConfirmApi(APIView):
    @extend_schema(request=BulkConfirmInputSerializer, responses=BulkConfirmOutputSerializer)
    def post(self, request: Request, batch_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        data = validated(BulkConfirmInputSerializer, request.data)
        outcome = services.associations_decide_bulk(
            batch_id=batch.id,
            decided_by=request.user,
            accept_high_confidence=data.get("accept") == "high_confidence",
            decisions=[services.Decision(d["essay_id"], d["student_id"], d["allow_second_essay"])
                       for d in data.get("decisions", [])],
        )
        status_now = Batch.objects.values_list("status", flat=True).get(pk=batch.id)
        return Response({**outcome, "batch_status": status_now})


class BatchRematchApi(APIView):
    @extend_schema(request=None, responses={202: BatchOutputSerializer},
                   description=("Match the undecided essays again against the roster as it is now (while "
                                "validation is open); decisions stand."))
    def post(self, request: Request, batch_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        services.matching_rematch_request(batch_id=batch.id, requested_by=request.user)
        body = BatchOutputSerializer(batch_detail_for_user(request.user, batch.id)).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class BatchAttributionsCsvApi(APIView):
    @extend_schema(responses={(200, "text/csv"): str},
                   description=("One row per essay: filename, student, method, confidence, decided by and "
                                "at. Cells a spreadsheet would run as formulas are quoted."))
    def get(self, request: Request, batch_id: str) -> HttpResponse:
        batch = batch_get_for_user(request.user, batch_id)
        document = csv_document(selectors.ATTRIBUTION_COLUMNS, selectors.batch_attributions(batch))
        response = HttpResponse(document, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="attributions-{batch.id}.csv"'
        return response
