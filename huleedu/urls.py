from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from huleedu import health, metrics
from huleedu.throttling import throttle_login

DOMAIN_APPS = ("accounts", "batches", "essays", "matching", "classroster")

urlpatterns = [
    # Probes and metrics first, unauthenticated: load balancers and Prometheus call them.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    # Each app's API and pages, mounted here; the project itself defines no domain route.
    *[path("api/v1/", include(f"{app}.api_urls")) for app in DOMAIN_APPS],
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Both sign-in forms count attempts before Django checks a password (huleedu.throttling).
    path("admin/login/", throttle_login(admin.site.login)),
    path("admin/", admin.site.urls),
    path("accounts/login/", throttle_login(auth_views.LoginView.as_view()), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    *[path("", include(f"{app}.urls")) for app in ("batches", "matching", "classroster")],
]

handler400 = "huleedu.errors.handler400"
handler403 = "huleedu.errors.handler403"
handler404 = "huleedu.errors.handler404"
handler500 = "huleedu.errors.handler500"
