from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from loudi_portal.security import TokenView
from villages.views import HomeView

from . import export_views
from .context_processors import portal_name

# Lazy: the city's name is read from the database on first use, not at import.
admin.site.site_header = lazy(lambda: f"{portal_name()} · 系统管理", str)()
admin.site.site_title = "系统管理"

api_patterns = [
    path("auth/token/", TokenView.as_view(), name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Pages for people: without a session they go to the login page (the schema itself answers 403).
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api_schema")), name="api_docs"),
    # One documentation page: Redoc fetches its logo from outside the portal (the CSP refuses it).
    path("redoc/", login_required(RedirectView.as_view(pattern_name="api_docs", permanent=False)), name="api_redoc"),
    path("", include("villages.api.urls")),
    path("", include("assets.api.urls")),
    path("", include("rectification.api.urls")),
    path("", include("incentives.api.urls")),
    path("", include("organisation.api.urls")),
]

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("villages/", include("villages.urls")),
    path("income/", include("villages.income_urls")),
    path("notifications/", include("villages.notification_urls")),
    path("assets/", include("assets.urls")),
    path("rectification/", include("rectification.urls")),
    path("incentives/", include("incentives.urls")),
    path("dashboard/", include("incentives.dashboards.urls")),
    path("insights/", include("incentives.insights.urls")),
    path("organisation/", include("organisation.urls")),
    path("exports/<int:pk>/", export_views.ExportJobView.as_view(), name="export_job"),
    path("exports/<int:pk>/status/", export_views.ExportJobStatusView.as_view(), name="export_job_status"),
    path("exports/<int:pk>/download/", export_views.ExportJobDownloadView.as_view(), name="export_job_download"),
    path("api/", include(api_patterns)),
]

handler500 = "loudi_portal.views.server_error"
handler403 = "loudi_portal.views.permission_denied"
handler404 = "loudi_portal.views.page_not_found"
