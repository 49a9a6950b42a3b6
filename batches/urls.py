"""The teacher's batch pages."""

from django.urls import path

from batches import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("batches/new/", views.batch_create, name="batch-create"),
    path("batches/<str:batch_id>/upload/", views.batch_upload, name="batch-upload"),
    path("batches/<str:batch_id>/review/", views.batch_review_page, name="batch-review"),
    path("batches/<str:batch_id>/review/live/", views.batch_review_live, name="batch-review-live"),
    path("batches/<str:batch_id>/review/essays/<str:essay_id>/text/", views.batch_review_essay_text,
         name="batch-review-essay-text"),
]
