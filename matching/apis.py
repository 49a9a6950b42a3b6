from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from batches.models import Batch
from batches.selectors import batch_detail_for_user, batch_get_for_user
from batches.serializers import BatchOutputSerializer
from classroster.apis import SourceUploadParser, uploaded_bytes
from classroster.selectors import class_get_for_user, exam_codes_of
from classroster.serializers import (
    ExamCodeListOutputSerializer,
    RosterImportInputSerializer,
    StudentInputSerializer,
    StudentOutputSerializer,
)
from essays import services as essay_services
from essays.serializers import UploadInputSerializer, UploadOutputSerializer
from huleedu.api import validated
from huleedu.errors import PayloadTooLarge
from huleedu.ids import parse_id
from huleedu.spreadsheets import csv_document
from matching import selectors, services
from matching.serializers import (
    AssociationOutputSerializer,
    BulkConfirmInputSerializer,
    BulkConfirmOutputSerializer,
    DecisionInputSerializer,
    EssayOutputSerializer,
    PendingEssayOutputSerializer,
    WithdrawInputSerializer,
)
from matching.services import exam_codes


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
                _("The upload is %(size)s bytes; one request may carry at most %(limit)s bytes. Send the "
                  "files in several requests.") % {"size": f"{declared:,}",
                                                   "limit": f"{settings.MAX_UPLOAD_REQUEST_BYTES:,}"},
                code="upload_too_large",
            )
        results, replayed = essay_services.essays_upload(
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


class ExamCodesApi(APIView):
    """A batch's exam.net code list: read it, replace it (CSV or XLSX in 'file'), remove it."""

    parser_classes = [SourceUploadParser]

    @extend_schema(responses=ExamCodeListOutputSerializer)
    def get(self, request: Request, batch_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        listed = list(exam_codes_of(batch))
        return Response(ExamCodeListOutputSerializer({
            "codes": listed, "errors": [],
            "not_on_roster": [{"line": c.line, "code": c.code, "name": c.name, "email": c.email}
                              for c in listed if c.student_id is None],
        }).data)

    @extend_schema(request={"multipart/form-data": RosterImportInputSerializer},
                   responses={201: ExamCodeListOutputSerializer})
    def post(self, request: Request, batch_id: str) -> Response:
        batch = batch_get_for_user(request.user, batch_id)
        name = getattr(request.FILES.get("file"), "name", "") or ""
        data = uploaded_bytes(request, _("code list"))
        result = exam_codes.exam_codes_import(batch=batch, data=data, filename=name, uploaded_by=request.user)
        return Response(ExamCodeListOutputSerializer({
            "codes": result.codes, "not_on_roster": result.not_on_roster, "errors": result.errors,
        }).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, batch_id: str) -> Response:
        exam_codes.exam_codes_clear(batch=batch_get_for_user(request.user, batch_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
