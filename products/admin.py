"""Admin: the catalogue (edits through products.services), stock pages and a read-only stock ledger.

Stock quantities change only through services: the "Receive stock", "Adjust stock" and "Transfer
stock" pages call receive_stock / adjust_stock / transfer_stock (as the GraphQL mutations do); levels,
batches and movements are read-only here. Catalogue edits, in the change form and in the CSV import,
go through create_product / update_product, which own the rules (e.g. batch tracking cannot change
once a product has stock movements). Opening stock goes through `manage.py import_products`.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F, Min, OuterRef, Subquery
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from products import selectors, services
from products.admin_forms import (
    CATALOGUE_FIELDS,
    AdjustStockForm,
    CreateThroughServiceForm,
    ProductAdminForm,
    ReceiveStockForm,
    TransferStockForm,
)
from products.models import Batch, Category, Location, Product, StockLevel, StockMovement, Supplier
from shared.backoffice import service_form_page
from shared.csv_safety import FormulaSafeResource
from shared.errors import DomainError
from shared.money import format_quantity

EXPIRY_WINDOWS = (
    ("expired", "Expired stock"),
    ("30", "Expiring within 30 days"),
    ("90", "Expiring within 90 days"),
)


class ProductResource(FormulaSafeResource, resources.ModelResource):
    category = fields.Field(
        column_name="category", attribute="category", widget=widgets.ForeignKeyWidget(Category, "name")
    )
    supplier = fields.Field(
        column_name="supplier", attribute="supplier", widget=widgets.ForeignKeyWidget(Supplier, "name")
    )

    class Meta:
        model = Product
        import_id_fields = ("sku",)
        fields = (
            "sku",
            "barcode",
            "name",
            "description",
            "category",
            "supplier",
            "unit",
            "retail_price",
            "wholesale_price",
            "tax_rate",
            "reorder_level",
            "track_batches",
            "is_active",
            "attributes",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def save_instance(self, instance, is_create, row, **kwargs):
        """Create or update through the catalogue service; a refusal marks the row invalid."""
        self.before_save_instance(instance, row, **kwargs)
        if self._is_dry_run(kwargs) and not self._is_using_transactions(kwargs):
            return  # a preview that could not be rolled back writes nothing
        names = [n for n in CATALOGUE_FIELDS if n in self._meta.fields]
        values = {name: getattr(instance, name) for name in names}
        try:
            if is_create:
                saved = services.create_product(user=kwargs.get("user"), **values)
            else:
                current = Product.objects.get(pk=instance.pk)
                changed = {n: v for n, v in values.items() if getattr(current, n) != v}
                if "barcode" in changed and not changed["barcode"]:
                    if not current.barcode:
                        del changed["barcode"]  # empty cell, no barcode: nothing changes
                    else:
                        changed["barcode"] = ""  # None means "leave as is" to update_product
                saved = services.update_product(user=kwargs.get("user"), product=current, **changed)
        except DomainError as error:
            raise ValidationError(
                {_model_field(detail.field): detail.message for detail in error.errors}
            ) from None
        instance.pk = saved.pk
        instance._state.adding = False
        self.after_save_instance(instance, row, **kwargs)


def _model_field(graphql_field: str | None) -> str:
    """A service error's GraphQL input name (`trackBatches`) as the resource's column name."""
    for name in CATALOGUE_FIELDS:
        if graphql_field and name.replace("_", "") == graphql_field.replace("_", "").lower():
            return name
    return "__all__"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StockLevelInline(ReadOnlyInline):
    model = StockLevel
    fields = ("location", "quantity", "updated_at")
    readonly_fields = fields


class BatchInline(ReadOnlyInline):
    model = Batch
    fields = ("batch_number", "location", "expiry_date", "quantity", "unit_cost")
    readonly_fields = fields


class StockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return (("low", "Low (at or below reorder level)"), ("out", "Out of stock"))

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(stock_on_hand__lte=F("reorder_level"))
        if self.value() == "out":
            return queryset.filter(stock_on_hand__lte=0)
        return queryset


class ExpiryFilter(admin.SimpleListFilter):
    """Products holding batch stock that has expired or expires within the window."""

    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return EXPIRY_WINDOWS

    @staticmethod
    def batches_in_window(window: str):
        today = selectors.today()
        live = Batch.objects.filter(quantity__gt=0)
        if window == "expired":
            return live.filter(expiry_date__lt=today)
        return live.filter(expiry_date__lte=today + timedelta(days=int(window)))

    def queryset(self, request, queryset):
        if self.value() not in dict(EXPIRY_WINDOWS):
            return queryset
        return queryset.filter(pk__in=self.batches_in_window(self.value()).values("product_id"))


class BatchExpiryFilter(ExpiryFilter):
    """Batches with stock left that have expired or expire within the window."""

    def queryset(self, request, queryset):
        if self.value() not in dict(EXPIRY_WINDOWS):
            return queryset
        return queryset.filter(pk__in=self.batches_in_window(self.value()).values("pk"))


def _next_expiry() -> Subquery:
    live = Batch.objects.filter(product=OuterRef("pk"), quantity__gt=0, expiry_date__isnull=False)
    return Subquery(live.values("product").annotate(first=Min("expiry_date")).values("first"))


@admin.register(Product)
class ProductAdmin(ImportExportModelAdmin):
    resource_classes = [ProductResource]
    form = ProductAdminForm
    import_export_change_list_template = "admin/products/product/change_list_stock.html"
    # What a manager acts on comes first: at 1280 px beside the admin's sidebars the list scrolls
    # sideways after about five columns, and the stock links used to be the twelfth.
    list_display = (
        "sku",
        "name",
        "stock_on_hand",
        "next_expiry",
        "stock_links",
        "reorder_at",
        "retail_price",
        "cost_price",
        "category",
        "barcode",
        "track_batches",
        "is_active",
    )
    list_filter = (StockFilter, ExpiryFilter, "is_active", "track_batches", "category", "supplier")
    search_fields = ("sku", "barcode", "name")
    list_select_related = ("category",)
    readonly_fields = ("cost_price", "created_at", "updated_at")
    autocomplete_fields = ("category", "supplier")
    inlines = [StockLevelInline, BatchInline]
    actions = ["archive_selected"]

    def has_delete_permission(self, request, obj=None):
        # Sales and movements keep naming the product: archive it instead (products.services).
        return False

    @admin.action(description="Archive the selected products (kept in history, no longer sold)")
    def archive_selected(self, request, queryset):
        for product in queryset.order_by("pk"):
            try:
                services.archive_product(user=request.user, product=product)
            except DomainError as exc:
                self.message_user(request, f"{product.name}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{product.name} archived.", messages.SUCCESS)

    def get_queryset(self, request):
        # Stock on hand (all locations) and the next expiry come with the products' own query.
        products = selectors.for_display(super().get_queryset(request), joins=("category",))
        return products.annotate(next_expiry=_next_expiry())

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        # Through the catalogue service, never obj.save(). The form already ran the same call; a
        # refusal here means someone changed the product in between, and the exception rolls back.
        product = form.save_through_service()
        obj.pk = product.pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.display(description="On hand", ordering="stock_on_hand")
    def stock_on_hand(self, product):
        return format_quantity(product.stock_on_hand)

    @admin.display(description="Reorder level", ordering="reorder_level")
    def reorder_at(self, product):
        # Like "On hand" beside it: 20, not the stored 20.000.
        return format_quantity(product.reorder_level)

    @admin.display(description="Next expiry", ordering="next_expiry")
    def next_expiry(self, product):
        return product.next_expiry or "-"

    @admin.display(description="Stock")
    def stock_links(self, product):
        return format_html(
            '<a href="{}?product={}">receive</a> · <a href="{}?product={}">adjust</a> · '
            '<a href="{}?product={}">transfer</a>',
            reverse("admin:products_product_receive_stock"),
            product.pk,
            reverse("admin:products_product_adjust_stock"),
            product.pk,
            reverse("admin:products_product_transfer_stock"),
            product.pk,
        )

    # --- stock pages --------------------------------------------------------------------------

    def get_urls(self):
        page = self.admin_site.admin_view
        return [
            path("receive-stock/", page(self.receive_stock_view), name="products_product_receive_stock"),
            path("adjust-stock/", page(self.adjust_stock_view), name="products_product_adjust_stock"),
            path("transfer-stock/", page(self.transfer_stock_view), name="products_product_transfer_stock"),
            *super().get_urls(),
        ]

    def _stock_page(self, request, form_class, *, title, submit_label, perform):
        product_id = request.GET.get("product")
        product_id = int(product_id) if product_id and product_id.isdigit() else None
        form = form_class(request.POST or None, product_id=product_id)
        return service_form_page(
            self,
            request,
            form=form,
            title=title,
            submit_label=submit_label,
            perform=lambda data: perform(request.user, data),
            # Back to the list narrowed to the product, its stock column showing the change.
            success_url=lambda data: (
                f"{reverse('admin:products_product_changelist')}?{urlencode({'q': data['product'].sku})}"
            ),
        )

    def receive_stock_view(self, request):
        def perform(user, data):
            movement = services.receive_stock(
                user=user,
                product=data["product"],
                location=data["location"],
                quantity=data["quantity"],
                unit_cost=data["unit_cost"],
                batch_number=data["batch_number"] or None,
                expiry_date=data["expiry_date"],
                note=data["note"],
            )
            return (
                f"Received {format_quantity(movement.quantity)} of {data['product'].name} at "
                f"{data['location'].name}; {format_quantity(movement.balance_after)} on hand there."
            )

        return self._stock_page(
            request, ReceiveStockForm, title="Receive stock", submit_label="Receive stock", perform=perform
        )

    def adjust_stock_view(self, request):
        def perform(user, data):
            movement = services.adjust_stock(
                user=user,
                product=data["product"],
                location=data["location"],
                reason=data["reason"],
                counted_quantity=data["counted_quantity"] or None,
                delta=data["delta"] or None,
                batch=data["batch"],
            )
            return (
                f"Adjusted {data['product'].name} at {data['location'].name} by "
                f"{format_quantity(movement.quantity)}; {format_quantity(movement.balance_after)} on hand there."
            )

        return self._stock_page(
            request, AdjustStockForm, title="Adjust stock", submit_label="Adjust stock", perform=perform
        )

    def transfer_stock_view(self, request):
        def perform(user, data):
            result = services.transfer_stock(
                user=user,
                product=data["product"],
                from_location=data["from_location"],
                to_location=data["to_location"],
                quantity=data["quantity"],
                batch=data["batch"],
                note=data["note"],
            )
            moved = sum(m.quantity for m in result.in_movements)
            return (
                f"Moved {format_quantity(moved)} of {data['product'].name} from "
                f"{data['from_location'].name} to {data['to_location'].name}."
            )

        return self._stock_page(
            request, TransferStockForm, title="Transfer stock", submit_label="Transfer stock", perform=perform
        )


class CreateThroughServiceAdmin(admin.ModelAdmin):
    """Adds go through the model's create_* service (see CreateThroughServiceForm)."""

    form = CreateThroughServiceForm
    create_service = None
    create_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        return self.create_fields if obj is None else super().get_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        service = type(self).create_service
        return type(
            form.__name__, (form,), {"create": staticmethod(service), "create_fields": self.create_fields}
        )

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = form.create_through_service()
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False
        return None


@admin.register(Category)
class CategoryAdmin(CreateThroughServiceAdmin):
    list_display = ("name", "parent")
    search_fields = ("name",)
    create_service = services.create_category
    create_fields = ("name", "parent", "description")


@admin.register(Supplier)
class SupplierAdmin(CreateThroughServiceAdmin):
    list_display = ("name", "contact_name", "phone", "email", "is_active")
    search_fields = ("name", "contact_name")
    list_filter = ("is_active",)
    create_service = services.create_supplier
    create_fields = ("name", "contact_name", "phone", "email", "address")


@admin.register(Location)
class LocationAdmin(CreateThroughServiceAdmin):
    list_display = ("name", "kind", "is_default", "is_active")
    list_filter = ("kind", "is_active")
    create_service = services.create_location
    create_fields = ("name", "kind", "address", "is_default")

    def has_delete_permission(self, request, obj=None):
        return False  # stock levels, movements and sales name their location: deactivate instead


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "product",
        "location",
        "movement_type",
        "quantity",
        "balance_after",
        "unit_cost",
        "user",
        "reference",
    )
    list_filter = ("movement_type", "location")
    search_fields = ("product__sku", "product__name", "reference")
    list_select_related = ("product", "location", "user")
    date_hierarchy = "created_at"


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ("batch_number", "product", "location", "expiry_date", "quantity", "unit_cost")
    list_filter = (BatchExpiryFilter, "location")
    search_fields = ("batch_number", "product__sku", "product__name")
    list_select_related = ("product", "location")


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    """Stock on hand per product and location (changed only by the stock pages and sales)."""

    list_display = ("product", "location", "quantity", "updated_at")
    list_filter = ("location",)
    search_fields = ("product__sku", "product__name")
    list_select_related = ("product", "location")
