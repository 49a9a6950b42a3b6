"""Server-rendered pages for teachers."""

from django.urls import path

from huleedu import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
]
