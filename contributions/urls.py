from django.urls import path

from . import views, views_exits

app_name = "contributions"

urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/", views.account_search, name="account_search"),
    path("accounts/<int:person_pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:person_pk>/statement/<int:year>/", views.account_statement_pdf, name="account_statement_pdf"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("receipts/", views.receipt_list, name="receipt_list"),
    path("receipts/new/", views.receipt_create, name="receipt_create"),
    path("persons/<int:person_pk>/backpay/", views.backpay_create, name="backpay_create"),
    path("receipts/confirm/", views.receipt_confirm, name="receipt_confirm"),
    path("receipts/import/", views.receipt_import, name="receipt_import"),
    path("receipts/import/template/", views.receipt_import_template, name="receipt_import_template"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("receipts/<int:pk>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("receipts/<int:pk>/void/", views.receipt_void, name="receipt_void"),
    path("year-end/", views.year_end, name="year_end"),
    path("year-end/interest/", views.interest_start, name="interest_start"),
    path("year-end/daijiao/", views.daijiao_start, name="daijiao_start"),
    path("remittances/", views.remittance_list, name="remittance_list"),
    path("remittances/new/", views.remittance_start, name="remittance_start"),
    path("remittances/<int:pk>/", views.remittance_detail, name="remittance_detail"),
    path("remittances/<int:pk>/xlsx/", views.remittance_xlsx, name="remittance_xlsx"),
    path("remittances/<int:pk>/pdf/", views.remittance_pdf, name="remittance_pdf"),
    path("remittances/<int:pk>/remit/", views.remittance_remit, name="remittance_remit"),
    path("special/", views.special_list, name="special_list"),
    path("special/new/", views.special_create, name="special_create"),
    path("special/<int:pk>/", views.special_detail, name="special_detail"),
    path("special/<int:pk>/review/", views.special_review, name="special_review"),
    path("refunds/", views_exits.refund_list, name="refund_list"),
    path("refunds/batches/new/", views_exits.refund_batch_create, name="refund_batch_create"),
    path("refunds/batches/<int:pk>/", views_exits.refund_batch_detail, name="refund_batch_detail"),
    path("refunds/batches/<int:pk>/paid/", views_exits.refund_batch_paid, name="refund_batch_paid"),
    path("refunds/batches/<int:pk>/file.xlsx", views_exits.refund_batch_file, name="refund_batch_file"),
    path("exits/<int:pk>/certificate.pdf", views_exits.exit_certificate, name="exit_certificate"),
]
