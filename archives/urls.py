from django.urls import path

from . import views

app_name = "archives"

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/upload/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/lend/", views.loan_create, name="loan_create"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/<int:pk>/return/", views.loan_return, name="loan_return"),
    path("volumes/", views.volume_list, name="volume_list"),
    path("volumes/new/", views.volume_create, name="volume_create"),
    path("volumes/<int:pk>/", views.volume_detail, name="volume_detail"),
    path("volumes/<int:pk>/catalogue.<str:fmt>", views.volume_catalogue, name="volume_catalogue"),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/issue/", views.certificate_issue, name="certificate_issue"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify, name="verify_code"),
    path("registers/", views.register_list, name="register_list"),
    path("registers/<int:pk>/", views.register_detail, name="register_detail"),
    path("desk/", views.desk, name="desk"),
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/stats/", views.consultation_stats, name="consultation_stats"),
    path("consultations/<int:pk>/follow-up/", views.consultation_follow_up, name="consultation_follow_up"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:pk>/file/", views.policy_file, name="policy_file"),
    path("leaflets/<str:topic>/", views.leaflet, name="leaflet"),
]
