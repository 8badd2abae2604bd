from django.contrib import admin

from .models import Anonymisation, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "years_after_closure", "enabled", "updated_at")


@admin.register(Anonymisation)
class AnonymisationAdmin(admin.ModelAdmin):
    """The ledger: read only (approval goes through the service and its audit event)."""

    list_display = ("record_label", "status", "due_on", "approved_at", "persons", "files")
    list_filter = ("status", "kind")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
