"""Essays's API routes, mounted under ``/api/v1/`` by ``huleedu.urls``."""

from django.urls import path

from essays.apis import BatchEssayDetailApi, BatchEssayOriginalApi, BatchEssaysApi

urlpatterns = [
    path("batches/<str:batch_id>/essays/", BatchEssaysApi.as_view(), name="api-batch-essays"),
    path("batches/<str:batch_id>/essays/<str:essay_id>/", BatchEssayDetailApi.as_view(),
         name="api-batch-essay"),
    path("batches/<str:batch_id>/essays/<str:essay_id>/original/", BatchEssayOriginalApi.as_view(),
         name="api-batch-essay-original"),
]
