"""Matching's API routes, mounted under ``/api/v1/`` by ``huleedu.urls``."""

from django.urls import path

from matching.apis import (
    AssociationDecideApi,
    BatchAttributionsCsvApi,
    BatchEssayDetailApi,
    BatchEssaysApi,
    BatchRematchApi,
    BatchRosterStudentApi,
    BulkConfirmApi,
    ExamCodesApi,
    PendingAssociationsApi,
)

urlpatterns = [
    path("batches/<str:batch_id>/essays/", BatchEssaysApi.as_view(), name="api-batch-essays"),
    path("batches/<str:batch_id>/essays/<str:essay_id>/", BatchEssayDetailApi.as_view(),
         name="api-batch-essay"),
    path("batches/<str:batch_id>/rematch/", BatchRematchApi.as_view(), name="api-batch-rematch"),
    path("batches/<str:batch_id>/roster-students/", BatchRosterStudentApi.as_view(),
         name="api-batch-roster-student"),
    path("batches/<str:batch_id>/attributions.csv", BatchAttributionsCsvApi.as_view(),
         name="api-batch-attributions"),
    path("batches/<str:batch_id>/associations/confirm/", BulkConfirmApi.as_view(),
         name="api-batch-confirm"),
    path("classes/<str:class_id>/pending-associations/", PendingAssociationsApi.as_view(),
         name="api-pending-associations"),
    path("classes/<str:class_id>/associations/<str:essay_id>/", AssociationDecideApi.as_view(),
         name="api-association"),
    path("batches/<str:batch_id>/exam-codes/", ExamCodesApi.as_view(), name="api-batch-exam-codes"),
]
