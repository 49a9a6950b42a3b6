from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from huleedu import health, metrics

urlpatterns = [
    # Probes and metrics first, unauthenticated: load balancers and Prometheus call them.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("api/v1/", include("huleedu.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("huleedu.page_urls")),
]

handler400 = "huleedu.errors.handler400"
handler403 = "huleedu.errors.handler403"
handler404 = "huleedu.errors.handler404"
handler500 = "huleedu.errors.handler500"
