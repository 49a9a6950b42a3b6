"""Accounts' API routes, mounted under ``/api/v1/`` by ``huleedu.urls``."""

from django.urls import path

from accounts.apis import TokenApi

urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="api-token"),
]
