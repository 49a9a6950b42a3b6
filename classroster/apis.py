from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from classroster import oneroster, selectors, services, ss12000
from classroster.serializers import (
    ClassDetailOutputSerializer,
    ClassImportOutputSerializer,
    ClassInputSerializer,
    ClassOutputSerializer,
    ClassPatchSerializer,
    OneRosterClassesOutputSerializer,
    OneRosterImportInputSerializer,
    OneRosterUploadInputSerializer,
    RosterImportInputSerializer,
    RosterImportOutputSerializer,
    Ss12000ConnectionOutputSerializer,
    Ss12000GroupOutputSerializer,
    Ss12000ImportInputSerializer,
    StudentInputSerializer,
    StudentOutputSerializer,
    StudentPatchSerializer,
)
from huleedu.api import validated
from huleedu.errors import DomainError, PayloadTooLarge
from huleedu.uploads import CappedMultiPartParser

MAX_SOURCE_UPLOAD_BYTES = oneroster.MAX_ZIP_BYTES


class RosterCsvParser(CappedMultiPartParser):
    limit_setting = "MAX_ROSTER_CSV_BYTES"


class SourceUploadParser(CappedMultiPartParser):
    """OneRoster exports and exam.net code lists: refused past their size before being read."""

    too_large_code = "file_too_large"

    def file_limit(self) -> int:
        return MAX_SOURCE_UPLOAD_BYTES


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
        response = HttpResponse(
            services.roster_export_csv(school_class=school_class), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="roster-{school_class.id}.csv"'
        return response


class RosterImportApi(APIView):
    # Oversize bodies are refused before they are read (413), and reading stops at the cap.
    parser_classes = [RosterCsvParser]

    @extend_schema(
        request={"multipart/form-data": RosterImportInputSerializer},
        responses={201: RosterImportOutputSerializer},
    )
    def post(self, request: Request, class_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError(
                _("Send the roster as a CSV file in the multipart field 'file'."), code="no_file"
            )
        result = services.roster_import_csv(school_class=school_class, data=upload.read())
        if not result.created and not result.updated and not result.unchanged:
            raise DomainError(
                _("No row of the CSV file could be imported."),
                code="invalid_csv_rows",
                details={"errors": result.errors},
            )
        body = {
            "created": len(result.created),
            "updated": len(result.updated),
            "unchanged": result.unchanged,
            "skipped_duplicates": result.skipped_duplicates,
            "errors": result.errors,
            "students": result.created,
        }
        return Response(
            RosterImportOutputSerializer(body).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


# --- rosters from the school's systems ----------------------------------------------------


def _import_body(school_class: object, result: object, errors: list | None = None) -> dict:
    body = {"school_class": school_class, "sync": result.as_dict()}  # type: ignore[attr-defined]
    if errors is not None:
        body["errors"] = errors
    return ClassImportOutputSerializer(body).data


def uploaded_bytes(request: Request, what: str) -> bytes:
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError(
            _("Send the %(what)s in the multipart field 'file'.") % {"what": what}, code="no_file"
        )
    if upload.size is not None and upload.size > MAX_SOURCE_UPLOAD_BYTES:
        # Refused before reading it into memory; the services check again what they read.
        raise PayloadTooLarge(
            _("The file is larger than %(limit)s bytes.") % {"limit": f"{MAX_SOURCE_UPLOAD_BYTES:,}"},
            code="file_too_large",
        )
    return upload.read()


class Ss12000ConnectionListApi(APIView):
    @extend_schema(responses=Ss12000ConnectionOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        connections = ss12000.ss12000_connections_for(request.user)
        return Response(Ss12000ConnectionOutputSerializer(connections, many=True).data)


class Ss12000GroupListApi(APIView):
    @extend_schema(responses=Ss12000GroupOutputSerializer(many=True))
    def get(self, request: Request, connection_id: str) -> Response:
        connection = ss12000.ss12000_connection_get_for(request.user, connection_id)
        groups = ss12000.ss12000_groups_for_teacher(user=request.user, connection=connection)
        return Response(Ss12000GroupOutputSerializer(groups, many=True).data)


class Ss12000GroupImportApi(APIView):
    @extend_schema(request=Ss12000ImportInputSerializer, responses={201: ClassImportOutputSerializer})
    def post(self, request: Request, connection_id: str, group_id: str) -> Response:
        connection = ss12000.ss12000_connection_get_for(request.user, connection_id)
        data = validated(Ss12000ImportInputSerializer, request.data)
        school_class, result = ss12000.ss12000_class_import(
            user=request.user, connection=connection, group_id=group_id, name=data.get("name") or None
        )
        return Response(_import_body(school_class, result), status=status.HTTP_201_CREATED)


class ClassSyncApi(APIView):
    @extend_schema(request=None, responses=ClassImportOutputSerializer)
    def post(self, request: Request, class_id: str) -> Response:
        school_class = selectors.class_get_for_user(request.user, class_id)
        result = ss12000.ss12000_class_resync(school_class=school_class)
        school_class = selectors.class_get_for_user(request.user, class_id)
        return Response(_import_body(school_class, result))


class OneRosterClassesApi(APIView):
    """Step 1: what classes the export holds (nothing is stored)."""

    parser_classes = [SourceUploadParser]

    @extend_schema(
        request={"multipart/form-data": OneRosterUploadInputSerializer},
        responses=OneRosterClassesOutputSerializer,
    )
    def post(self, request: Request) -> Response:
        export = oneroster.oneroster_read(data=uploaded_bytes(request, _("OneRoster export (zip)")))
        classes = [{"sourced_id": c.sourced_id, "title": c.title, "school": c.school,
                    "student_count": len(c.students)} for c in export.classes.values()]
        classes.sort(key=lambda c: (c["school"], c["title"]))
        return Response(OneRosterClassesOutputSerializer({"classes": classes, "errors": export.errors}).data)


class OneRosterImportApi(APIView):
    """Step 2: one class of the export as a roster (a new class, or the given one re-synced)."""

    parser_classes = [SourceUploadParser]

    @extend_schema(
        request={"multipart/form-data": OneRosterImportInputSerializer},
        responses={201: ClassImportOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = uploaded_bytes(request, _("OneRoster export (zip)"))
        fields = validated(OneRosterImportInputSerializer, request.data)
        existing = (
            selectors.class_get_for_user(request.user, fields["class_id"]) if fields.get("class_id") else None
        )
        school_class, result, errors = oneroster.oneroster_class_import(
            owner=request.user,
            data=data,
            class_sourced_id=fields["class_sourced_id"],
            school_class=existing,
            name=fields.get("name") or None,
        )
        school_class = selectors.class_get_for_user(request.user, school_class.pk)
        return Response(_import_body(school_class, result, errors),
                        status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED)
