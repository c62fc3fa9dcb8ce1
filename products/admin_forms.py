"""Forms of the products admin: stock pages (receive, adjust, transfer) and the catalogue form.

Each stock form only collects input; `products.services` decides (the same calls as the GraphQL
mutations receiveStock, adjustStock and transferStock), so quantities and costs are plain text
parsed by the service's own rules.
"""

from __future__ import annotations

from django import forms

from products import selectors, services
from products.models import Batch, Location, Product
from products.services.catalogue import PRODUCT_FIELDS
from shared.backoffice import DateInput, DecimalText, check_through_service

CATALOGUE_FIELDS = (*PRODUCT_FIELDS, "is_active")


class BatchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, batch: Batch) -> str:
        expiry = f"expires {batch.expiry_date:%Y-%m-%d}" if batch.expiry_date else "no expiry"
        return f"{batch.batch_number} · {batch.product.name} @ {batch.location.name} ({expiry}, {batch.quantity} left)"


def _products():
    return Product.objects.filter(is_active=True).order_by("name", "pk")


def _locations():
    return Location.objects.filter(is_active=True)


def _batches(product_id):
    batches = Batch.objects.select_related("product", "location").order_by(
        "product__name", "expiry_date", "pk"
    )
    return batches.filter(product_id=product_id) if product_id else batches


class StockForm(forms.Form):
    """Shared set-up: `?product=<pk>` preselects the product and narrows the batch list to it."""

    def __init__(self, *args, product_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if product_id and "product" in self.fields:
            self.fields["product"].initial = product_id
        if "batch" in self.fields:
            self.fields["batch"].queryset = _batches(product_id)


class ReceiveStockForm(StockForm):
    product = forms.ModelChoiceField(queryset=_products())
    location = forms.ModelChoiceField(queryset=_locations())
    quantity = DecimalText(label="Quantity received")
    unit_cost = DecimalText(label="Unit cost")
    batch_number = forms.CharField(
        required=False, max_length=64, help_text="Required for batch-tracked products (medicines)."
    )
    expiry_date = forms.DateField(required=False, widget=DateInput)
    note = forms.CharField(required=False, max_length=255, help_text="Delivery note or supplier invoice.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].initial = selectors.get_default_location()


class AdjustStockForm(StockForm):
    product = forms.ModelChoiceField(queryset=_products())
    location = forms.ModelChoiceField(queryset=_locations())
    batch = BatchChoiceField(
        queryset=Batch.objects.none(), required=False, help_text="Batch-tracked products only."
    )
    counted_quantity = DecimalText(
        required=False, label="Counted quantity", help_text="What the shelf holds now (a stock count)…"
    )
    delta = DecimalText(required=False, label="Or change by", help_text="…or a change such as -2 or 5.")
    reason = forms.CharField(
        required=False, max_length=255, help_text="Why the stock changes, e.g. 'damaged in storage'."
    )


class TransferStockForm(StockForm):
    product = forms.ModelChoiceField(queryset=_products())
    from_location = forms.ModelChoiceField(queryset=_locations(), label="From")
    to_location = forms.ModelChoiceField(queryset=_locations(), label="To")
    quantity = DecimalText()
    batch = BatchChoiceField(
        queryset=Batch.objects.none(),
        required=False,
        help_text="Leave empty to move the earliest-expiring batches first.",
    )
    note = forms.CharField(required=False, max_length=255)


class ProductAdminForm(forms.ModelForm):
    """Catalogue fields; validation runs the catalogue service itself, so its refusals land on fields.

    `clean` calls `create_product`/`update_product` in a savepoint that is always rolled back, then
    `ProductAdmin.save_model` makes the real call. The admin sets `user` on the form class.
    """

    user = None

    class Meta:
        model = Product
        fields = CATALOGUE_FIELDS

    def service_values(self) -> dict:
        """The fields to send: all of them for a new product, the changed ones for an edit."""
        names = [n for n in CATALOGUE_FIELDS if n in self.fields]
        if self.instance.pk:
            names = [n for n in names if n in self.changed_data]
        values = {name: self.cleaned_data.get(name) for name in names}
        if "barcode" in values and not values["barcode"]:
            values["barcode"] = ""  # update_product reads None as "leave as is"; "" clears
        return values

    def save_through_service(self) -> Product:
        values = self.service_values()
        if self.instance.pk:
            return services.update_product(user=self.user, product=self.instance, **values)
        return services.create_product(user=self.user, **values)

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        check_through_service(self, self.save_through_service)
        return cleaned_data


class CreateThroughServiceForm(forms.ModelForm):
    """A new category, supplier or location is made by its create_* service (names unique whatever
    the case, one default location); `clean` runs the call in a rolled-back savepoint so refusals
    land on the form. The admin sets `create` (a service) and `create_fields` on the form class.
    Edits of existing rows have no service and save as plain model edits (model validation applies).
    """

    create = None
    create_fields: tuple[str, ...] = ()

    def create_through_service(self):
        values = {name: self.cleaned_data[name] for name in self.create_fields if name in self.cleaned_data}
        return type(self).create(**values)

    def _post_clean(self):
        if self.instance.pk:
            return super()._post_clean()
        # A new row: the service validates (full_clean, names in any case, the one default
        # location it moves the flag from), so the model's own checks would only refuse early.
        self.instance = forms.models.construct_instance(
            self, self.instance, self._meta.fields, self._meta.exclude
        )
        return None

    def clean(self):
        cleaned_data = super().clean()
        if self.errors or self.instance.pk:
            return cleaned_data
        check_through_service(self, self.create_through_service)
        return cleaned_data
