"""The review page of a batch, and its exam.net code list."""

from django.urls import path

from matching import views

urlpatterns = [
    path("batches/<str:batch_id>/review/", views.batch_review_page, name="batch-review"),
    path("batches/<str:batch_id>/review/live/", views.batch_review_live, name="batch-review-live"),
    path("batches/<str:batch_id>/review/essays/<str:essay_id>/text/", views.batch_review_essay_text,
         name="batch-review-essay-text"),
    path("batches/<str:batch_id>/codes/", views.batch_exam_codes, name="batch-exam-codes"),
]
