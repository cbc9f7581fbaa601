from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ChangeRequest,
    EnrollmentApplication,
    EnrollmentParameter,
    IdentityCode,
    Person,
)


@admin.register(IdentityCode)
class IdentityCodeAdmin(SimpleHistoryAdmin):
    """参保身份 code table: data the bureau maintains (new local codes are added here)."""

    list_display = ["code", "name", "is_active"]
    list_filter = ["is_active"]


@admin.register(EnrollmentParameter)
class EnrollmentParameterAdmin(SimpleHistoryAdmin):
    list_display = ["effective_from", "min_enrolment_age", "note"]


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Daily work is done in the app's pages, through the services; the admin only looks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["insured_no", "name", "town", "status", "enrolled_on"]
    list_filter = ["status", "town"]
    search_fields = ["insured_no", "name", "id_number"]
    list_select_related = ["town"]


@admin.register(EnrollmentApplication)
class EnrollmentApplicationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "name", "town", "status", "created_by", "created_at"]
    list_filter = ["status", "town"]
    list_select_related = ["town", "created_by"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "person", "town", "status", "created_by", "created_at"]
    list_filter = ["status", "town"]
    list_select_related = ["person", "town", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
