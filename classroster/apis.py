from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classroster import selectors, services
from classroster.serializers import (
    ClassDetailOutputSerializer,
    ClassInputSerializer,
    ClassOutputSerializer,
    ClassPatchSerializer,
    RosterImportInputSerializer,
    RosterImportOutputSerializer,
    StudentInputSerializer,
    StudentOutputSerializer,
    StudentPatchSerializer,
)
from huleedu.api import validated
from huleedu.errors import DomainError
from huleedu.uploads import CappedMultiPartParser


class RosterCsvParser(CappedMultiPartParser):
    limit_setting = "MAX_ROSTER_CSV_BYTES"


class ClassListCreateApi(APIView):
    @extend_schema(responses=ClassOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        classes = selectors.classes_visible_to(request.user)
        return Response(ClassOutputSerializer(classes, many=True).data)

    @extend_schema(request=ClassInputSerializer, responses={201: ClassDetailOutputSerializer})
    def post(self, request: Request) -> Response:
        data = validated(ClassInputSerializer, request.data)
        school_class = services.class_create(owner=request.user, name=data["name"])
        if data.get("students"):
            services.students_create_many(school_class=school_class, rows=data["students"])
        return Response(ClassDetailOutputSerializer(school_class).data, status=status.HTTP_201_CREATED)


class ClassDetailApi(APIView):
    @extend_schema(responses=ClassDetailOutputSerializer)
    def get(self, request: Request, class_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        return Response(ClassDetailOutputSerializer(school_class).data)

    @extend_schema(request=ClassPatchSerializer, responses=ClassDetailOutputSerializer)
    def put(self, request: Request, class_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        data = validated(ClassPatchSerializer, request.data)
        services.class_update(school_class=school_class, name=data["name"])
        return Response(ClassDetailOutputSerializer(school_class).data)

    patch = put

    @extend_schema(responses={204: None})
    def delete(self, request: Request, class_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        services.class_delete(school_class=school_class)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StudentListCreateApi(APIView):
    @extend_schema(responses=StudentOutputSerializer(many=True))
    def get(self, request: Request, class_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        return Response(StudentOutputSerializer(selectors.class_students(school_class), many=True).data)

    @extend_schema(request=StudentInputSerializer, responses={201: StudentOutputSerializer})
    def post(self, request: Request, class_id: str) -> Response:
        """One student as an object, or many as a list."""
        school_class = selectors.class_get_for_user(request.user, class_id)
        if isinstance(request.data, list):
            rows = validated(StudentInputSerializer, request.data, many=True)
            students = services.students_create_many(school_class=school_class, rows=rows)
            return Response(StudentOutputSerializer(students, many=True).data, status=201)
        row = validated(StudentInputSerializer, request.data)
        student = services.student_create(school_class=school_class, **row)
        return Response(StudentOutputSerializer(student).data, status=status.HTTP_201_CREATED)


class StudentDetailApi(APIView):
    @extend_schema(responses=StudentOutputSerializer)
    def get(self, request: Request, class_id: str, student_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        student = selectors.student_get_in_class(school_class, student_id)
        return Response(StudentOutputSerializer(student).data)

    @extend_schema(request=StudentPatchSerializer, responses=StudentOutputSerializer)
    def patch(self, request: Request, class_id: str, student_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        student = selectors.student_get_in_class(school_class, student_id)
        changes = validated(StudentPatchSerializer, request.data, partial=True)
        services.student_update(student=student, **changes)
        return Response(StudentOutputSerializer(student).data)

    @extend_schema(request=StudentInputSerializer, responses=StudentOutputSerializer)
    def put(self, request: Request, class_id: str, student_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        student = selectors.student_get_in_class(school_class, student_id)
        changes = validated(StudentInputSerializer, request.data)
        changes.setdefault("email", None)
        services.student_update(student=student, **changes)
        return Response(StudentOutputSerializer(student).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, class_id: str, student_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        services.student_delete(student=selectors.student_get_in_class(school_class, student_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RosterExportApi(APIView):
    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request: Request, class_id: str) -> HttpResponse:
        school_class = selectors.class_get_for_user(request.user, class_id)
        response = HttpResponse(services.roster_export_csv(school_class=school_class),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="roster-{school_class.id}.csv"'
        return response


class RosterImportApi(APIView):
    # Oversize bodies are refused before they are read (413), and reading stops at the cap.
    parser_classes = [RosterCsvParser]

    @extend_schema(request={"multipart/form-data": RosterImportInputSerializer},
                   responses={201: RosterImportOutputSerializer})
    def post(self, request: Request, class_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError("Send the roster as a CSV file in the multipart field 'file'.",
                              code="no_file")
        result = services.roster_import_csv(school_class=school_class, data=upload.read())
        body = {
            "created": len(result.created),
            "skipped_duplicates": result.skipped_duplicates,
            "errors": result.errors,
            "students": StudentOutputSerializer(result.created, many=True).data,
        }
        if not result.created and not result.skipped_duplicates:
            raise DomainError("No row of the CSV file could be imported.", code="invalid_csv_rows",
                              details={"errors": result.errors})
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)

