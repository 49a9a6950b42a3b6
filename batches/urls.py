"""The teacher's batch pages."""

from django.urls import path

from batches import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("batches/new/", views.batch_create, name="batch-create"),
    path("batches/<str:batch_id>/upload/", views.batch_upload, name="batch-upload"),
]
