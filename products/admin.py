"""Admin: catalogue editing with CSV import/export (django-import-export, with preview); stock read-only.

Stock quantities change only through services (receiveStock, adjustStock, ...), so levels, batches and
movements are read-only here; the CSV import in the admin covers catalogue fields only (opening stock
goes through `manage.py import_products`, which writes ledger rows).
"""

from django.contrib import admin
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from products.models import Batch, Category, Location, Product, StockLevel, StockMovement, Supplier
from shared.csv_safety import FormulaSafeResource


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


@admin.register(Product)
class ProductAdmin(ImportExportModelAdmin):
    resource_classes = [ProductResource]
    list_display = (
        "sku",
        "name",
        "barcode",
        "category",
        "retail_price",
        "cost_price",
        "track_batches",
        "is_active",
    )
    list_filter = ("is_active", "track_batches", "category", "supplier")
    search_fields = ("sku", "barcode", "name")
    list_select_related = ("category",)
    readonly_fields = ("cost_price", "created_at", "updated_at")
    autocomplete_fields = ("category", "supplier")
    inlines = [StockLevelInline, BatchInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent")
    search_fields = ("name",)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_name", "phone", "email", "is_active")
    search_fields = ("name", "contact_name")
    list_filter = ("is_active",)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "is_default", "is_active")
    list_filter = ("kind", "is_active")


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
    list_filter = ("location",)
    search_fields = ("batch_number", "product__sku", "product__name")
    list_select_related = ("product", "location")
