from django.contrib import admin, messages

from returns import services
from returns.models import Return, ReturnItem
from shared.errors import DomainError


class ReturnItemInline(admin.TabularInline):
    model = ReturnItem
    fields = ("sale_item", "quantity", "reason", "restock", "refund_amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    """Returns are requested at the till; managers approve or reject them here with the actions."""

    list_display = (
        "return_number",
        "created_at",
        "sale",
        "customer",
        "status",
        "refund_method",
        "refund_total",
    )
    list_filter = ("status", "refund_method")
    search_fields = ("return_number", "sale__transaction_id", "customer__name")
    list_select_related = ("sale", "customer")
    inlines = [ReturnItemInline]
    actions = ["approve_selected", "reject_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Return._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, decide, verb):
        for ret in queryset:
            try:
                decide(ret)
            except DomainError as exc:
                self.message_user(request, f"{ret.return_number}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{ret.return_number} {verb}.", messages.SUCCESS)

    @admin.action(description="Approve the selected returns (restock / write off, refund)")
    def approve_selected(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda r: services.approve_return(user=request.user, return_id=r.pk),
            "approved",
        )

    @admin.action(description="Reject the selected returns")
    def reject_selected(self, request, queryset):
        self._decide(
            request,
            queryset,
            lambda r: services.reject_return(
                user=request.user, return_id=r.pk, reason=f"Rejected in admin by {request.user}"
            ),
            "rejected",
        )
