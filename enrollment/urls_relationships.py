"""Routes of transfer and termination applications (included by enrollment/urls.py)."""

from django.urls import path

from linggao_pension.workflow_views import review_paths

from . import views_relationships as views

urlpatterns = [
    path("relationships/", views.relationship_list, name="relationship_list"),
    path("persons/<int:person_pk>/relationships/new/", views.relationship_create, name="relationship_create"),
    path("relationships/<int:pk>/", views.relationship_detail, name="relationship_detail"),
    path("relationships/<int:pk>/edit/", views.relationship_edit, name="relationship_edit"),
    path("relationships/<int:pk>/documents/", views.relationship_document_add, name="relationship_document_add"),
    path("relationships/<int:pk>/documents/<int:doc_pk>/", views.relationship_document, name="relationship_document"),
    path("relationships/<int:pk>/pdf/", views.relationship_pdf, name="relationship_pdf"),
    *review_paths("relationships/", "relationship", views.relationship_review),
]
