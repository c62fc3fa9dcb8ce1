"""Admin: customer profiles (through save_customer_profile), payments and the printable statement.

Balances move only through services: the "Record payment" page calls customers.services.record_payment
(as the recordPayment mutation does); ledger rows and payments are read-only here.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin

from customers import selectors, services
from customers.adapters import profile_errors
from customers.admin_forms import RecordPaymentForm, StatementPeriodForm
from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from customers.resources import CustomerResource
from shared.backoffice import service_form_page
from shared.errors import DomainError
from shared.money import format_money
from shared.roles import Role, has_role

STATEMENT_DEFAULT_DAYS = 90


class CustomerAdminForm(forms.ModelForm):
    """The profile fields; validation runs the service itself, so its refusals land on the field.

    `clean` calls `services.save_customer_profile` in a savepoint that is always rolled back (the
    admin's own transaction stays open), then `CustomerAdmin.save_model` makes the real call.
    The admin sets `user` on the form class (see `CustomerAdmin.get_form`).
    """

    user = None

    class Meta:
        model = Customer
        fields = services.PROFILE_FIELDS

    def profile(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.PROFILE_FIELDS if name in self.fields}

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:  # the service needs every field; report the form's own errors first
            return cleaned_data
        try:
            with transaction.atomic():
                services.save_customer_profile(user=self.user, customer_id=self.instance.pk, **self.profile())
                transaction.set_rollback(True)
        except (DomainError, ValidationError) as exc:
            for name, messages_ in profile_errors(exc).items():
                for message in messages_:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned_data


class LedgerInline(admin.TabularInline):
    model = CustomerLedgerEntry
    fields = ("created_at", "entry_type", "amount", "balance_after", "reference", "user", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-pk",)
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(ImportExportModelAdmin):
    """Profiles are edited here; balances only move through payments, sales and adjustments."""

    resource_classes = [CustomerResource]
    list_display = ("name", "phone", "customer_type", "status", "credit_limit", "balance", "account_links")
    list_filter = ("customer_type", "status")
    search_fields = ("name", "phone", "email")
    readonly_fields = ("balance", "created_by", "created_at", "updated_at")
    inlines = [LedgerInline]
    form = CustomerAdminForm
    actions = ["archive_selected"]

    def has_delete_permission(self, request, obj=None):
        # Financial history must survive: archive instead (customers.services.delete_customer
        # allows deleting only customers without any history).
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        # Through the service (row lock, manager-only fields, phone rules), never obj.save(). The
        # form already ran the same call; a refusal here means someone changed the customer in
        # between, and the exception rolls back the admin's transaction.
        customer = services.save_customer_profile(
            user=request.user, customer_id=obj.pk if change else None, **form.profile()
        )
        obj.pk = customer.pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.display(description="Account")
    def account_links(self, customer):
        return format_html(
            '<a href="{}">record payment</a> · <a href="{}" target="_blank">statement</a>',
            reverse("admin:customers_customer_record_payment", args=[customer.pk]),
            reverse("admin:customers_customer_statement", args=[customer.pk]),
        )

    # --- back-office pages -------------------------------------------------------------------

    def get_urls(self):
        page = self.admin_site.admin_view
        return [
            path(
                "<int:customer_id>/record-payment/",
                page(self.record_payment_view),
                name="customers_customer_record_payment",
            ),
            path(
                "<int:customer_id>/statement/", page(self.statement_view), name="customers_customer_statement"
            ),
            *super().get_urls(),
        ]

    def record_payment_view(self, request, customer_id: int):
        customer = get_object_or_404(Customer, pk=customer_id)
        form = RecordPaymentForm(request.POST or None)

        def perform(data):
            payment = services.record_payment(
                user=request.user, customer_id=customer.pk, **form.service_arguments()
            )
            payment.customer.refresh_from_db(fields=["balance"])
            return (
                f"Payment of {format_money(payment.amount)} recorded for {customer.name}; "
                f"balance now {format_money(payment.customer.balance)}."
            )

        return service_form_page(
            self,
            request,
            form=form,
            title=f"Record a payment from {customer.name}",
            submit_label="Record payment",
            perform=perform,
            success_url=reverse("admin:customers_customer_change", args=[customer.pk]),
            summary=[("Customer", customer.name), ("Balance owed", format_money(customer.balance))],
            intro="A negative balance is store credit the shop holds for the customer.",
            obj=customer,
        )

    def statement_view(self, request, customer_id: int):
        """The printable statement: the customerStatement selector for a period (?date_from=&date_to=)."""
        if not has_role(request.user, Role.MANAGER):
            raise PermissionDenied
        customer = selectors.get_customer(customer_id=customer_id)
        if customer is None:
            raise Http404("No such customer.")
        today = timezone.localdate()
        period = StatementPeriodForm(
            request.GET or {"date_from": today - timedelta(days=STATEMENT_DEFAULT_DAYS), "date_to": today}
        )
        statement = None
        if period.is_valid():
            statement = selectors.customer_statement(
                customer=customer,
                date_from=period.cleaned_data["date_from"],
                date_to=period.cleaned_data["date_to"],
            )
        context = {
            "shop_name": settings.SHOP_NAME,
            "customer": customer,
            "period": period,
            "statement": statement,
            # Each entry with its amount in the column it belongs to (charges owed, payments and credits).
            "rows": [
                (
                    entry,
                    entry.amount if entry.amount > 0 else None,
                    -entry.amount if entry.amount < 0 else None,
                )
                for entry in (statement.entries if statement else [])
            ],
            "change_url": reverse("admin:customers_customer_change", args=[customer.pk]),
        }
        return TemplateResponse(request, "customers/statement.html", context)

    @admin.action(description="Archive the selected customers (history is kept)")
    def archive_selected(self, request, queryset):
        for customer in queryset.order_by("pk"):
            try:
                services.archive_customer(user=request.user, customer_id=customer.pk)
            except DomainError as exc:
                self.message_user(request, f"{customer.name}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{customer.name} archived.", messages.SUCCESS)


@admin.register(CustomerLedgerEntry)
class CustomerLedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "customer", "entry_type", "amount", "balance_after", "reference", "user")
    list_filter = ("entry_type",)
    search_fields = ("customer__name", "reference")
    list_select_related = ("customer", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CustomerPayment)
class CustomerPaymentAdmin(CustomerLedgerEntryAdmin):
    list_display = ("created_at", "customer", "amount", "method", "reference", "user")
    list_filter = ("method",)
    search_fields = ("customer__name", "reference")
