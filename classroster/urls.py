"""The teacher's class pages, and a batch's exam.net code list."""

from django.urls import path

from classroster import views

urlpatterns = [
    path("classes/", views.class_list, name="class-list"),
    path("classes/import/", views.class_import, name="class-import"),
    path("classes/<str:class_id>/", views.class_detail, name="class-detail"),
    path("classes/<str:class_id>/sync/", views.class_sync, name="class-sync"),
    path("batches/<str:batch_id>/codes/", views.batch_exam_codes, name="batch-exam-codes"),
]
