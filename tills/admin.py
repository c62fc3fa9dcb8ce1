from django.contrib import admin, messages
from django.utils.html import format_html

from shared.errors import DomainError
from tills import services
from tills.models import CashMovement, Register, Shift, ShiftPosting
from tills.z_report import ZFormat, render_z


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin):
    """Registers are created and retired through the services (rules: unique active name, no open shift)."""

    list_display = ("name", "location", "last_z_number", "retired_at")
    list_filter = ("location",)
    list_select_related = ("location",)
    actions = ["retire_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Register._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Retire the selected registers")
    def retire_selected(self, request, queryset):
        for register in queryset:
            try:
                services.retire_register(user=request.user, register_id=register.pk)
            except DomainError as exc:
                self.message_user(request, f"{register.name}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{register.name} retired.", messages.SUCCESS)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CashMovementInline(_ReadOnlyInline):
    model = CashMovement
    fields = ("created_at", "kind", "amount", "reason", "user")
    readonly_fields = fields


class ShiftPostingInline(_ReadOnlyInline):
    model = ShiftPosting
    fields = ("created_at", "kind", "reference_type", "reference_id", "total", "cash", "card", "transfer")
    readonly_fields = fields


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    """Shifts with their movements, postings and fixed Z figures; a pending close is approved by action."""

    list_display = ("register", "cashier", "opened_at", "closed_at", "status", "z_number", "variance")
    list_filter = ("status", "register")
    list_select_related = ("register", "cashier")
    inlines = [CashMovementInline, ShiftPostingInline]
    actions = ["approve_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [*(f.name for f in Shift._meta.fields if f.name != "z_report"), "z_report_text"]

    @admin.display(description="Z report")
    def z_report_text(self, shift):
        if not shift.z_report:
            return "Open shift: no Z yet."
        return format_html("<pre>{}</pre>", render_z(shift, ZFormat.TEXT_48))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Approve the selected pending closes (variance accepted)")
    def approve_selected(self, request, queryset):
        for shift in queryset:
            try:
                services.approve_shift_close(
                    user=request.user, shift_id=shift.pk, note=f"Approved in admin by {request.user}"
                )
            except DomainError as exc:
                self.message_user(request, f"Shift {shift.pk}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"Shift {shift.pk} approved.", messages.SUCCESS)
