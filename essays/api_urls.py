"""The essays' API routes, mounted under ``/api/v1/`` by ``huleedu.urls``."""

from django.urls import path

from essays.apis import BatchFinalizeUploadsApi

urlpatterns = [
    path("batches/<str:batch_id>/finalize-uploads/", BatchFinalizeUploadsApi.as_view(),
         name="api-batch-finalize"),
]
