from django.urls import path

from . import lifecycle_views, views

app_name = "benefits"

urlpatterns = [
    path("", views.index, name="index"),
    path("due/", views.due_list, name="due_list"),
    path("due/export/", views.due_export, name="due_export"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/new/", views.claim_create, name="claim_create"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/determine/", views.claim_determine, name="claim_determine"),
    path("claims/<int:pk>/return/", views.claim_return, name="claim_return"),
    path("pensions/", views.pension_list, name="pension_list"),
    path("pensions/<int:pk>/", views.pension_detail, name="pension_detail"),
    path("pensions/<int:pk>/payments/", views.pension_payments, name="pension_payments"),
    path("pensions/<int:pk>/sheet.pdf", views.pension_sheet, name="pension_sheet"),
    path("persons/<int:pk>/estimate/", views.person_estimate, name="person_estimate"),
    path("pensioners/import/", views.pensioner_import, name="pensioner_import"),
    path("pensioners/import/template.xlsx", views.pensioner_import_template, name="pensioner_import_template"),
    path("payroll/", views.payroll_list, name="payroll_list"),
    path("payroll/start/", views.payroll_start, name="payroll_start"),
    path("payroll/<int:pk>/", views.payroll_detail, name="payroll_detail"),
    path("payroll/<int:pk>/review/", views.payroll_review, name="payroll_review"),
    path("payroll/<int:pk>/export/", views.payroll_export, name="payroll_export"),
    path("payroll/<int:pk>/return-template.xlsx", views.payroll_return_template, name="payroll_return_template"),
    path("payroll/<int:pk>/close/", views.payroll_close, name="payroll_close"),
    path("payroll/files/<int:pk>/", views.bankfile_download, name="bankfile_download"),
    path("certifications/", lifecycle_views.certification_list, name="certification_list"),
    path("certifications/export.xlsx", lifecycle_views.certification_export, name="certification_export"),
    path("pensions/<int:pk>/certify/", lifecycle_views.certification_record, name="certification_record"),
    path("deaths/", lifecycle_views.death_list, name="death_list"),
    path("deaths/new/", lifecycle_views.death_create, name="death_create"),
    path("deaths/<int:pk>/", lifecycle_views.death_detail, name="death_detail"),
    path("deaths/<int:pk>/review/", lifecycle_views.death_review, name="death_review"),
    path("settlements/<int:pk>/heirs/", lifecycle_views.settlement_heirs, name="settlement_heirs"),
    path("settlements/<int:pk>/sheet.pdf", lifecycle_views.settlement_sheet, name="settlement_sheet"),
    path("recovery/", lifecycle_views.recovery_list, name="recovery_list"),
    path("recovery/<int:pk>/", lifecycle_views.recovery_detail, name="recovery_detail"),
    path("recovery/<int:pk>/notice.pdf", lifecycle_views.recovery_notice, name="recovery_notice"),
    path("recovery/<int:pk>/<slug:step>/", lifecycle_views.recovery_step, name="recovery_step"),
]
