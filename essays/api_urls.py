"""The essays' API routes, mounted under ``/api/v1/`` by ``huleedu.urls``."""

from django.urls import path

from essays.apis import BatchEssayOriginalApi, BatchFinalizeUploadsApi

urlpatterns = [
    path("batches/<str:batch_id>/finalize-uploads/", BatchFinalizeUploadsApi.as_view(),
         name="api-batch-finalize"),
    path("batches/<str:batch_id>/essays/<str:essay_id>/original/", BatchEssayOriginalApi.as_view(),
         name="api-batch-essay-original"),
]
