from django.urls import path

from linggao_pension.workflow_views import review_paths

from . import urls_relationships, views

app_name = "enrollment"

urlpatterns = [
    path("", views.index_redirect),
    path("dashboard/", views.index, name="index"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:person_pk>/changes/new/", views.changerequest_create, name="changerequest_create"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    *review_paths("applications/", "application", views.application_review),
    path("applications/<int:pk>/pdf/", views.application_pdf, name="application_pdf"),
    path("changes/", views.changerequest_list, name="changerequest_list"),
    path("changes/<int:pk>/", views.changerequest_detail, name="changerequest_detail"),
    path("changes/<int:pk>/edit/", views.changerequest_edit, name="changerequest_edit"),
    *review_paths("changes/", "changerequest", views.changerequest_review),
    path("import/", views.import_upload, name="import_upload"),
    path("import/template/", views.import_template, name="import_template"),
    *urls_relationships.urlpatterns,
]
