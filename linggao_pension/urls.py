from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from linggao_pension.org import views as org_views

admin.site.site_header = "临高县城乡居民社会养老保险局 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "参数与机构配置"

urlpatterns = [
    path("", org_views.home, name="home"),
    path("login/", org_views.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # A password change keeps this session and ends the user's other sessions (session auth hash).
    path("password/", org_views.password_change, name="password_change"),
    path("org/", include("linggao_pension.org.urls")),
    path("enrollment/", include("enrollment.urls")),
    path("contributions/", include("contributions.urls")),
    path("benefits/", include("benefits.urls")),
    path("supervision/", include("supervision.urls")),
    path("archives/", include("archives.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

# No URL serves MEDIA_ROOT, in development or production: every stored file goes out through
# the view of the record it belongs to (linggao_pension.files.serve_stored_file).

handler403 = "linggao_pension.errors.permission_denied"
handler404 = "linggao_pension.errors.page_not_found"
handler500 = "linggao_pension.errors.server_error"
