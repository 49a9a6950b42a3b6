"""Server-rendered pages for teachers."""

from django.urls import path

from batches import views as batch_views
from classroster import views as class_views
from huleedu import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("batches/new/", batch_views.batch_create, name="batch-create"),
    path("batches/<str:batch_id>/upload/", batch_views.batch_upload, name="batch-upload"),
    path("batches/<str:batch_id>/review/", batch_views.batch_review_page, name="batch-review"),
    path("batches/<str:batch_id>/review/live/", batch_views.batch_review_live, name="batch-review-live"),
    path("batches/<str:batch_id>/review/essays/<str:essay_id>/text/", batch_views.batch_review_essay_text,
         name="batch-review-essay-text"),
    path("classes/", class_views.class_list, name="class-list"),
    path("classes/import/", class_views.class_import, name="class-import"),
    path("classes/<str:class_id>/", class_views.class_detail, name="class-detail"),
    path("classes/<str:class_id>/sync/", class_views.class_sync, name="class-sync"),
    path("batches/<str:batch_id>/codes/", class_views.batch_exam_codes, name="batch-exam-codes"),
]
