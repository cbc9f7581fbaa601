from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("build/", views.build, name="build"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/download/<str:fmt>/", views.report_download, name="report_download"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("dashboard/", views.manager_dashboard, name="dashboard"),
    path("plans/", views.workplan_list, name="workplan_list"),
    path("plans/new/", views.workplan_create, name="workplan_create"),
    path("plans/<int:pk>/", views.workplan_detail, name="workplan_detail"),
    path("plans/<int:pk>/targets/", views.target_add, name="target_add"),
    path("plans/<int:pk>/summaries/", views.summary_create, name="summary_create"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary_detail"),
    path("progress/<int:pk>/note/", views.progress_note, name="progress_note"),
]
