"""The teacher's class pages."""

from django.urls import path

from classroster import views

urlpatterns = [
    path("classes/", views.class_list, name="class-list"),
    path("classes/import/", views.class_import, name="class-import"),
    path("classes/<str:class_id>/", views.class_detail, name="class-detail"),
    path("classes/<str:class_id>/sync/", views.class_sync, name="class-sync"),
]
