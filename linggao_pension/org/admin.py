from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLog, JobRun, StatusChange, Town, User, Village


@admin.register(Town)
class TownAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(Village)
class VillageAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "town", "is_active"]
    list_filter = ["town", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["town"]


@admin.register(User)
class PensionUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "town", "is_active", "is_staff"]
    list_filter = ["groups", "town", "is_active"]
    list_select_related = ["town"]
    fieldsets = UserAdmin.fieldsets + (("所属机构", {"fields": ["full_name", "town"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("所属机构", {"fields": ["full_name", "town", "groups"]}),)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "status", "started_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "object_type", "label", "ip_address"]
    list_filter = ["object_type", "action"]
    readonly_fields = [f.name for f in AccessLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """Read-only: the steps of every record's state machine (written by linggao_pension.states)."""

    list_display = ["content_type", "object_id", "action", "from_status", "to_status", "by", "at"]
    list_filter = ["content_type", "action"]
    list_select_related = ["content_type", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
