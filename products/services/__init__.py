"""Writes of the products app (catalogue and inventory). Import from here, not the submodules."""

from products.services.catalogue import (
    archive_product,
    clean_sku,
    create_category,
    create_location,
    create_product,
    create_supplier,
    parse_rate,
    update_product,
)
from products.services.stock import (
    BatchDraw,
    StockDeduction,
    StockRequest,
    TransferResult,
    adjust_stock,
    deduct_stock,
    parse_cost,
    receive_stock,
    return_stock,
    transfer_stock,
    write_off_stock,
)

__all__ = [
    "BatchDraw",
    "StockDeduction",
    "StockRequest",
    "TransferResult",
    "adjust_stock",
    "archive_product",
    "clean_sku",
    "create_category",
    "create_location",
    "create_product",
    "create_supplier",
    "deduct_stock",
    "parse_cost",
    "parse_rate",
    "receive_stock",
    "return_stock",
    "transfer_stock",
    "update_product",
    "write_off_stock",
]
