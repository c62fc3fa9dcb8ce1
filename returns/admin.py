"""Admin: returns are requested at the till; a manager approves or rejects each one on a confirmation
page that calls returns.services.approve_return / reject_return (as the GraphQL mutations do)."""

from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from returns import services
from returns.models import Return, ReturnItem
from shared.backoffice import service_form_page
from shared.money import format_money


class ReturnItemInline(admin.TabularInline):
    model = ReturnItem
    fields = ("sale_item", "quantity", "reason", "restock", "refund_amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApproveReturnForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), label="Note"
    )


class RejectReturnForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Why the return is refused; the cashier sees it.",
    )


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    """Returns are read here and decided one at a time on a confirmation page."""

    list_display = (
        "return_number",
        "created_at",
        "sale",
        "customer",
        "status",
        "refund_method",
        "refund_total",
        "decide_links",
    )
    list_filter = ("status", "refund_method")
    search_fields = ("return_number", "sale__transaction_id", "customer__name")
    list_select_related = ("sale", "customer")
    inlines = [ReturnItemInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Return._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Decide")
    def decide_links(self, ret):
        if ret.status != Return.Status.PENDING:
            return "-"
        return format_html(
            '<a href="{}">approve…</a> · <a href="{}">reject…</a>',
            reverse("admin:returns_return_approve", args=[ret.pk]),
            reverse("admin:returns_return_reject", args=[ret.pk]),
        )

    def get_urls(self):
        page = self.admin_site.admin_view
        return [
            path("<int:return_id>/approve/", page(self.approve_view), name="returns_return_approve"),
            path("<int:return_id>/reject/", page(self.reject_view), name="returns_return_reject"),
            *super().get_urls(),
        ]

    def _summary(self, ret: Return) -> list[tuple[str, object]]:
        lines = [
            (
                f"Line {item.sale_item.line_number}",
                f"{item.quantity} × {item.sale_item.product.name}"
                f" ({'back to stock' if item.restock else 'write off'}) · refund {format_money(item.refund_amount)}",
            )
            for item in ret.items.select_related("sale_item__product").order_by("pk")
        ]
        return [
            ("Return", ret.return_number),
            ("Sale", ret.sale.transaction_id),
            ("Customer", ret.customer or "Walk-in"),
            ("Refund", f"{format_money(ret.refund_total)} as {ret.get_refund_method_display()}"),
            ("Status", ret.get_status_display()),
            *lines,
        ]

    def _decide_page(self, request, return_id, *, form_class, verb, submit_label, call, intro):
        ret = get_object_or_404(Return.objects.select_related("sale", "customer"), pk=return_id)

        def perform(data):
            decided = call(ret, data)
            return f"Return {decided.return_number} {verb}."

        return service_form_page(
            self,
            request,
            form=form_class(request.POST or None),
            title=f"{submit_label} {ret.return_number}",
            submit_label=submit_label,
            perform=perform,
            success_url=reverse("admin:returns_return_change", args=[ret.pk]),
            summary=self._summary(ret),
            intro=intro,
            obj=ret,
        )

    def approve_view(self, request, return_id: int):
        return self._decide_page(
            request,
            return_id,
            form_class=ApproveReturnForm,
            verb="approved",
            submit_label="Approve return",
            call=lambda ret, data: services.approve_return(
                user=request.user, return_id=ret.pk, note=data["note"]
            ),
            intro="Approving restocks or writes off each line and pays the refund. It cannot be undone.",
        )

    def reject_view(self, request, return_id: int):
        return self._decide_page(
            request,
            return_id,
            form_class=RejectReturnForm,
            verb="rejected",
            submit_label="Reject return",
            call=lambda ret, data: services.reject_return(
                user=request.user, return_id=ret.pk, reason=data["reason"]
            ),
            intro="Rejecting moves nothing; the goods stay sold.",
        )
