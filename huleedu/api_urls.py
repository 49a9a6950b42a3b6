from django.urls import path

from batches.apis import (
    BatchCancelApi,
    BatchDetailApi,
    BatchEventsApi,
    BatchFinalizeUploadsApi,
    BatchListCreateApi,
    BatchPipelineApi,
)
from classroster.apis import (
    ClassDetailApi,
    ClassListCreateApi,
    ClassSyncApi,
    ExamCodesApi,
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
from essays.apis import BatchEssayDetailApi, BatchEssaysApi
from huleedu.apis import TokenApi
from matching.apis import (
    AssociationDecideApi,
    BatchAttributionsCsvApi,
    BatchRematchApi,
    BulkConfirmApi,
    PendingAssociationsApi,
)

urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="api-token"),
    path("batches/", BatchListCreateApi.as_view(), name="api-batches"),
    path("batches/<str:batch_id>/", BatchDetailApi.as_view(), name="api-batch"),
    path("batches/<str:batch_id>/essays/", BatchEssaysApi.as_view(), name="api-batch-essays"),
    path("batches/<str:batch_id>/essays/<str:essay_id>/", BatchEssayDetailApi.as_view(),
         name="api-batch-essay"),
    path("batches/<str:batch_id>/cancel/", BatchCancelApi.as_view(), name="api-batch-cancel"),
    path("batches/<str:batch_id>/rematch/", BatchRematchApi.as_view(), name="api-batch-rematch"),
    path("batches/<str:batch_id>/attributions.csv", BatchAttributionsCsvApi.as_view(),
         name="api-batch-attributions"),
    path("batches/<str:batch_id>/finalize-uploads/", BatchFinalizeUploadsApi.as_view(),
         name="api-batch-finalize"),
    path("batches/<str:batch_id>/events/", BatchEventsApi.as_view(), name="api-batch-events"),
    path("batches/<str:batch_id>/associations/confirm/", BulkConfirmApi.as_view(),
         name="api-batch-confirm"),
    path("batches/<str:batch_id>/pipeline/", BatchPipelineApi.as_view(), name="api-batch-pipeline"),
    path("classes/", ClassListCreateApi.as_view(), name="api-classes"),
    path("classes/<str:class_id>/", ClassDetailApi.as_view(), name="api-class"),
    path("classes/<str:class_id>/students/", StudentListCreateApi.as_view(), name="api-students"),
    path("classes/<str:class_id>/students/import/", RosterImportApi.as_view(), name="api-roster-import"),
    path("classes/<str:class_id>/students/export/", RosterExportApi.as_view(), name="api-roster-export"),
    path("classes/<str:class_id>/students/<str:student_id>/", StudentDetailApi.as_view(),
         name="api-student"),
    path("classes/<str:class_id>/pending-associations/", PendingAssociationsApi.as_view(),
         name="api-pending-associations"),
    path("classes/<str:class_id>/associations/<str:essay_id>/", AssociationDecideApi.as_view(),
         name="api-association"),
    # Rosters from the school's systems, and a batch's exam.net code list.
    path("classes/<str:class_id>/sync/", ClassSyncApi.as_view(), name="api-class-sync"),
    path("rosters/ss12000/connections/", Ss12000ConnectionListApi.as_view(), name="api-ss12000-connections"),
    path("rosters/ss12000/connections/<str:connection_id>/groups/", Ss12000GroupListApi.as_view(),
         name="api-ss12000-groups"),
    path("rosters/ss12000/connections/<str:connection_id>/groups/<str:group_id>/import/",
         Ss12000GroupImportApi.as_view(), name="api-ss12000-import"),
    path("rosters/oneroster/classes/", OneRosterClassesApi.as_view(), name="api-oneroster-classes"),
    path("rosters/oneroster/import/", OneRosterImportApi.as_view(), name="api-oneroster-import"),
    path("batches/<str:batch_id>/exam-codes/", ExamCodesApi.as_view(), name="api-batch-exam-codes"),
]
