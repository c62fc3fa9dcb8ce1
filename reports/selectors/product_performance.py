"""topProducts: the best or worst products by quantity, revenue, profit or frequency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from products import selectors as product_selectors
from products.models import Product
from reports import summary_reads
from reports.selectors.counting import MONEY, SUMMARIES, counted_sale_condition, money_sum
from sales.models import SaleItem
from shared.money import ZERO, q


@dataclass
class ProductPerformance:
    product: Product
    quantity: Decimal
    revenue: Decimal
    profit: Decimal
    frequency: int


LINE_PROFIT = ExpressionWrapper(F("total") - F("tax") - F("unit_cost") * F("quantity"), output_field=MONEY)
NO_QUANTITY = Decimal("0.000")


def _top_metric(by: str):
    """The aggregate a ranking sorts on; unsold products count as zero."""
    return {
        "QUANTITY": lambda: Sum("quantity", output_field=MONEY),
        "REVENUE": lambda: Sum("total", output_field=MONEY),
        "PROFIT": lambda: Sum(LINE_PROFIT, output_field=MONEY),
        "FREQUENCY": lambda: Count("sale_id", distinct=True),
    }[by]()


TOP_BY = {"QUANTITY": "quantity", "REVENUE": "revenue", "PROFIT": "profit", "FREQUENCY": "frequency"}


def _ranked_product_ids(*, grouped: QuerySet, order: str, limit: int) -> list[int]:
    """Ids of the `limit` best or worst products, ties by name then id.

    The lines are grouped by product first and products are joined to the (at most one row per
    product) result, so the name tie-break and, for WORST, the unsold active products cost a join of
    the catalogue, not of every line. Django cannot join a grouped subquery, so the outer statement
    is written here; the inner one is the ORM's and the SQL is plain enough for SQLite too.
    """
    inner, params = grouped.query.sql_with_params()
    qn = connection.ops.quote_name
    product = qn(Product._meta.db_table)
    if order == "BEST":
        sql = (
            f"SELECT p.{qn('id')} FROM ({inner}) a INNER JOIN {product} p ON p.{qn('id')} = a.{qn('product_id')}"
            f" ORDER BY a.{qn('metric')} DESC, p.{qn('name')}, p.{qn('id')} LIMIT %s"
        )
        params = (*params, limit)
    else:
        sql = (
            f"SELECT p.{qn('id')} FROM {product} p LEFT JOIN ({inner}) a ON a.{qn('product_id')} = p.{qn('id')}"
            f" WHERE p.{qn('is_active')} = %s"
            f" ORDER BY COALESCE(a.{qn('metric')}, 0), p.{qn('name')}, p.{qn('id')} LIMIT %s"
        )
        params = (*params, True, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def top_products(
    *,
    by: str,
    order: str,
    limit: int,
    date_from: date,
    date_to: date,
    location_id: int | None = None,
    source: str = SUMMARIES,
) -> list[ProductPerformance]:
    """Best or worst products by quantity, revenue, profit or frequency; the worst include unsold ones.

    Three statements: rank the products on the one figure asked for (a GROUP BY product over the
    period's lines, or over its daily product rows), then every figure for those few products only,
    then the products themselves.
    """
    limit = max(1, min(limit, 100))
    if source == SUMMARIES:
        product_rows = summary_reads.sold_product_rows(date_from, date_to, location_id)
        grouped = (
            product_rows.values("product_id").annotate(metric=summary_reads.PRODUCT_METRIC[by]()).order_by()
        )
        ids = _ranked_product_ids(grouped=grouped, order=order, limit=limit)
        figures = summary_reads.product_figures(product_rows, ids) if ids else {}
    else:
        lines = SaleItem.objects.filter(counted_sale_condition("sale__", date_from, date_to, location_id))
        grouped = lines.values("product_id").annotate(metric=_top_metric(by)).order_by()
        ids = _ranked_product_ids(grouped=grouped, order=order, limit=limit)
        figures = _line_figures(lines, ids) if ids else {}
    if not ids:
        return []
    products = product_selectors.for_display(Product.objects.filter(pk__in=ids)).in_bulk()
    unsold = {"sold_quantity": NO_QUANTITY, "sold_revenue": ZERO, "sold_profit": ZERO, "sold_frequency": 0}
    return [
        ProductPerformance(
            product=products[pk],
            quantity=figures.get(pk, unsold)["sold_quantity"],
            revenue=q(figures.get(pk, unsold)["sold_revenue"]),
            profit=q(figures.get(pk, unsold)["sold_profit"]),
            frequency=figures.get(pk, unsold)["sold_frequency"],
        )
        for pk in ids
    ]


def _line_figures(lines: QuerySet[SaleItem], ids: list[int]) -> dict[int, dict]:
    # Annotation names must not shadow the columns LINE_PROFIT reads (quantity).
    return {
        row["product_id"]: row
        for row in lines.filter(product_id__in=ids)
        .values("product_id")
        .annotate(
            sold_quantity=Coalesce(Sum("quantity"), Value(NO_QUANTITY), output_field=MONEY),
            sold_revenue=money_sum("total"),
            sold_profit=money_sum(LINE_PROFIT),
            sold_frequency=Count("sale_id", distinct=True),
        )
        .order_by()
    }
