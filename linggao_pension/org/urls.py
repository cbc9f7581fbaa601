from django.urls import path

from . import views, village_views

app_name = "org"

urlpatterns = [
    path("jobs/", views.jobrun_list, name="jobrun_list"),
    path("jobs/<int:pk>/", views.jobrun_detail, name="jobrun_detail"),
    path("jobs/<int:pk>/file/", views.jobrun_file, name="jobrun_file"),
    path("jobs/<int:pk>/progress/", views.jobrun_progress, name="jobrun_progress"),
    path("jobs/<int:pk>/resume/", views.jobrun_resume, name="jobrun_resume"),
    path("imports/<int:pk>/", views.import_result, name="import_result"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("access-log/", views.accesslog_list, name="accesslog_list"),
    path("villages/import/", village_views.village_import_upload, name="village_import"),
    path("villages/import/template/", village_views.village_import_template, name="village_import_template"),
]
