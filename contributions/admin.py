"""Configuration tables (grades, subsidies, 代缴, policy, interest rates) edited with history; the
daily records are read-only here (their pages and services do the work)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AccountEntry,
    CollectionPolicy,
    ContributionGrade,
    DaijiaoAmount,
    GradeSubsidy,
    InterestPosting,
    InterestRate,
    InterestSettlement,
    Receipt,
    Remittance,
    SpecialCredit,
)


class GradeSubsidyInline(admin.StackedInline):
    model = GradeSubsidy
    extra = 0
    max_num = 1


@admin.register(ContributionGrade)
class ContributionGradeAdmin(SimpleHistoryAdmin):
    list_display = ["year", "amount"]
    list_filter = ["year"]
    inlines = [GradeSubsidyInline]


@admin.register(GradeSubsidy)
class GradeSubsidyAdmin(SimpleHistoryAdmin):
    list_display = ["grade", "province_amount", "county_amount", "note"]
    list_filter = ["grade__year"]
    list_select_related = ["grade"]


@admin.register(DaijiaoAmount)
class DaijiaoAmountAdmin(SimpleHistoryAdmin):
    list_display = ["year", "identity", "amount", "note"]
    list_filter = ["year", "identity"]
    list_select_related = ["identity"]


@admin.register(CollectionPolicy)
class CollectionPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["from_year", "backpay_earns_subsidy", "note"]


@admin.register(InterestRate)
class InterestRateAdmin(SimpleHistoryAdmin):
    list_display = ["year", "rate", "note"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountEntry)
class AccountEntryAdmin(ReadOnlyAdmin):
    list_display = ["entry_date", "person", "source", "kind", "amount", "year", "memo"]
    list_filter = ["source", "kind", "year"]
    search_fields = ["person__id_number", "person__name", "memo"]
    list_select_related = ["person"]
    raw_id_fields = ["person", "reverses", "receipt"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["receipt_no", "person", "year", "grade", "paid_on", "method", "status", "legacy"]
    list_filter = ["status", "method", "legacy", "year", "town"]
    search_fields = ["receipt_no", "person__id_number", "person__name"]
    list_select_related = ["person"]


@admin.register(Remittance)
class RemittanceAdmin(ReadOnlyAdmin):
    list_display = ["month", "status", "receipts_count", "total_amount", "voucher_no"]


@admin.register(InterestPosting)
class InterestPostingAdmin(ReadOnlyAdmin):
    list_display = ["year", "status", "rate", "accounts", "skipped", "total", "finished_at"]


@admin.register(InterestSettlement)
class InterestSettlementAdmin(ReadOnlyAdmin):
    list_display = ["person", "year", "settled_on", "amount", "reason", "created_by"]
    list_filter = ["year"]
    search_fields = ["person__id_number", "person__name"]
    list_select_related = ["person", "created_by"]


@admin.register(SpecialCredit)
class SpecialCreditAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ["person", "kind", "amount", "document_no", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["person"]
