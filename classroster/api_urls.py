"""Classes' and rosters' API routes, mounted under ``/api/v1/`` by ``huleedu.urls``."""

from django.urls import path

from classroster.apis import (
    ClassDetailApi,
    ClassListCreateApi,
    ClassSyncApi,
    OneRosterClassesApi,
    OneRosterImportApi,
    RosterExportApi,
    RosterImportApi,
    Ss12000ConnectionListApi,
    Ss12000GroupImportApi,
    Ss12000GroupListApi,
    StudentDetailApi,
    StudentListCreateApi,
)

urlpatterns = [
    path("classes/", ClassListCreateApi.as_view(), name="api-classes"),
    path("classes/<str:class_id>/", ClassDetailApi.as_view(), name="api-class"),
    path("classes/<str:class_id>/students/", StudentListCreateApi.as_view(), name="api-students"),
    path("classes/<str:class_id>/students/import/", RosterImportApi.as_view(), name="api-roster-import"),
    path("classes/<str:class_id>/students/export/", RosterExportApi.as_view(), name="api-roster-export"),
    path("classes/<str:class_id>/students/<str:student_id>/", StudentDetailApi.as_view(),
         name="api-student"),
    path("classes/<str:class_id>/sync/", ClassSyncApi.as_view(), name="api-class-sync"),
    path("rosters/ss12000/connections/", Ss12000ConnectionListApi.as_view(), name="api-ss12000-connections"),
    path("rosters/ss12000/connections/<str:connection_id>/groups/", Ss12000GroupListApi.as_view(),
         name="api-ss12000-groups"),
    path("rosters/ss12000/connections/<str:connection_id>/groups/<str:group_id>/import/",
         Ss12000GroupImportApi.as_view(), name="api-ss12000-import"),
    path("rosters/oneroster/classes/", OneRosterClassesApi.as_view(), name="api-oneroster-classes"),
    path("rosters/oneroster/import/", OneRosterImportApi.as_view(), name="api-oneroster-import"),
]
