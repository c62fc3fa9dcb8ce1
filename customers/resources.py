"""CSV import/export of customers (django-import-export), shared by the admin and the commands."""

from decimal import Decimal, InvalidOperation

from import_export import fields, resources

from customers.models import Customer


class CustomerResource(resources.ModelResource):
    """Columns: id, name, phone, email, address, type, credit_limit, status, notes (balance export-only).

    Rows are matched by `phone` when present (the shop's natural key for customers), else created.
    Balances are never imported: they only change through the ledger.
    """

    type = fields.Field(attribute="customer_type", column_name="type")
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
        clean_model_instances = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        row["type"] = (row.get("type") or "retail").strip().lower()
        row["status"] = (row.get("status") or "active").strip().lower()
        limit = (row.get("credit_limit") or "0").strip()
        try:
            if Decimal(limit) < 0 or Decimal(limit) != Decimal(limit).quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            raise ValueError(
                f"credit_limit {limit!r} must be a non-negative amount with at most two decimals"
            ) from None
        row["credit_limit"] = limit
