"""The batches' API routes, mounted under ``/api/v1/`` by ``huleedu.urls``."""

from django.urls import path

from batches.apis import (
    BatchCancelApi,
    BatchDetailApi,
    BatchEventsApi,
    BatchListCreateApi,
    BatchPipelineApi,
)

urlpatterns = [
    path("batches/", BatchListCreateApi.as_view(), name="api-batches"),
    path("batches/<str:batch_id>/", BatchDetailApi.as_view(), name="api-batch"),
    path("batches/<str:batch_id>/cancel/", BatchCancelApi.as_view(), name="api-batch-cancel"),
    path("batches/<str:batch_id>/events/", BatchEventsApi.as_view(), name="api-batch-events"),
    path("batches/<str:batch_id>/pipeline/", BatchPipelineApi.as_view(), name="api-batch-pipeline"),
]
