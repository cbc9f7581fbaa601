"""The configuration tables are edited here (with history); daily work is in the app's own pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AgeExtra,
    BasicPensionStandard,
    FuneralSubsidy,
    LongContributionExtra,
    Pension,
    SchemeParameters,
)


@admin.register(SchemeParameters)
class SchemeParametersAdmin(SimpleHistoryAdmin):
    list_display = ["benefit_age", "minimum_years", "scheme_start_date", "account_divisor",
                    "certification_cycle_months", "payroll_day", "updated_at"]

    def has_add_permission(self, request):
        return not SchemeParameters.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BasicPensionStandard)
class BasicPensionStandardAdmin(SimpleHistoryAdmin):
    list_display = ["effective_from", "central_part", "provincial_part", "county_part", "note", "updated_at"]
    ordering = ["-effective_from"]


@admin.register(LongContributionExtra)
class LongContributionExtraAdmin(SimpleHistoryAdmin):
    list_display = ["effective_from", "amount_per_year", "note", "updated_at"]
    ordering = ["-effective_from"]


@admin.register(AgeExtra)
class AgeExtraAdmin(SimpleHistoryAdmin):
    list_display = ["min_age", "effective_from", "amount", "note", "updated_at"]


@admin.register(FuneralSubsidy)
class FuneralSubsidyAdmin(SimpleHistoryAdmin):
    list_display = ["effective_from", "amount", "note", "updated_at"]
    ordering = ["-effective_from"]


@admin.register(Pension)
class PensionAdmin(SimpleHistoryAdmin):
    """Read-only: pensions are frozen by determination or the go-live import."""

    list_display = ["person", "source", "status", "start_month", "account_pension", "basic_pension"]
    list_filter = ["source", "status"]
    search_fields = ["person__name", "person__id_number"]
    readonly_fields = [f.name for f in Pension._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
