"""CSV import/export of customers (django-import-export), shared by the admin and the commands."""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from customers import services
from customers.adapters import profile_errors
from customers.models import Customer
from customers.phones import normalize_phone_or_none
from shared.csv_safety import FormulaSafeResource
from shared.errors import DomainError
from shared.money import parse_money

COLUMN_OF_ATTRIBUTE = {"customer_type": "type"}


class _KeptWhenBlank(fields.Field):
    """A blank cell leaves the customer's value as it is (a new customer gets the model default)."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if str(row.get(self.column_name) or "").strip():
            super().save(instance, row, is_m2m, **kwargs)


class _MoneyWidget(widgets.DecimalWidget):
    """Reads amounts with the same strict parser as GraphQL (shared.money.parse_money)."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            return parse_money(value, field="credit_limit")
        except DomainError as exc:  # a ValueError becomes a row error without a traceback
            raise ValueError(exc.message) from None


def _by_column(errors: dict) -> dict:
    return {COLUMN_OF_ATTRIBUTE.get(name, name): messages for name, messages in errors.items()}


class CustomerResource(FormulaSafeResource, resources.ModelResource):
    """Columns: id, name, phone, email, address, type, credit_limit, status, notes (id, balance export-only).

    Rows are matched by `phone` when present (an active or blocked customer before an archived
    one), else created. Each row is written by `customers.services.save_customer_profile` as the
    importing user (`import_data(..., user=...)`, which the admin passes), so the services' rules and
    row lock apply; a refusal makes the row invalid (errors keyed by column) and the whole import
    is rolled back. Blank type, credit_limit or status cells keep the current value (new customers:
    retail, 0, active). Balances are never imported: they only change through the ledger.
    """

    id = fields.Field(attribute="id", column_name="id", readonly=True)
    type = _KeptWhenBlank(attribute="customer_type", column_name="type")
    credit_limit = _KeptWhenBlank(attribute="credit_limit", column_name="credit_limit", widget=_MoneyWidget())
    status = _KeptWhenBlank(attribute="status", column_name="status")
    balance = fields.Field(attribute="balance", column_name="balance", readonly=True)

    class Meta:
        model = Customer
        fields = (
            "id",
            "name",
            "phone",
            "email",
            "address",
            "type",
            "credit_limit",
            "status",
            "notes",
            "balance",
        )
        export_order = fields
        import_id_fields = ("phone",)
        skip_unchanged = True
        report_skipped = False
        # The service validates (full_clean included) under its lock; see save_instance.
        clean_model_instances = False
        use_transactions = True

    def import_data(self, dataset, **kwargs):
        """Import as `user` (required); any invalid row rolls back the whole import."""
        if kwargs.get("user") is None:
            raise ValueError("CustomerResource.import_data needs the importing user (user=...)")
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        for column in ("phone", "type", "status", "credit_limit"):
            if isinstance(row.get(column), str):
                row[column] = row[column].strip()
        for column in ("type", "status"):
            if row.get(column):
                row[column] = row[column].lower()

    def get_instance(self, instance_loader, row):
        phone = row.get("phone")
        if not phone:
            return None
        # Match the stored E.164 form; a number that does not parse is refused when saved.
        matches = self.get_queryset().filter(phone=normalize_phone_or_none(phone) or phone).order_by("pk")
        return matches.exclude(status=Customer.Status.ARCHIVED).first() or matches.first()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(_by_column(import_validation_errors))

    def save_instance(self, instance, is_create, row, **kwargs):
        """Create or update through the service as the importing user; refusals become row errors."""
        self.before_save_instance(instance, row, **kwargs)
        if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            profile = {name: getattr(instance, name) for name in services.PROFILE_FIELDS}
            try:
                customer = services.save_customer_profile(
                    user=kwargs["user"], customer_id=None if is_create else instance.pk, **profile
                )
            except (DomainError, ValidationError) as exc:
                raise ValidationError(_by_column(profile_errors(exc))) from None
            for field in Customer._meta.concrete_fields:
                setattr(instance, field.attname, getattr(customer, field.attname))
            instance._state.adding = False
        self.after_save_instance(instance, row, **kwargs)
