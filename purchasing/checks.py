"""Ledger check used by `manage.py check_ledgers`: documents agree with the stock movements they wrote."""

from decimal import Decimal

from django.db.models import Sum

from products.models import StockMovement
from purchasing.models import PurchaseOrderLine, PurchaseReceiptLine, StockTransfer, StockTransferLine

QTY = Decimal("0.001")


def _movement_sums(reference_type: str, movement_type: str) -> dict[int, Decimal]:
    rows = (
        StockMovement.objects.filter(reference_type=reference_type, movement_type=movement_type)
        .values("reference_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["reference_id"]: Decimal(row["total"] or 0).quantize(QTY) for row in rows}


def find_ledger_mismatches() -> list[str]:
    """One line per transfer or purchase order line whose quantities differ from its movements.

    Goods in transit: what left the source (transfer_out) equals what the transfer says was sent;
    once received, what arrived (transfer_in) plus what was written off as missing equals it too.
    """
    problems: list[str] = []
    sent = {
        row["transfer_id"]: Decimal(row["total"] or 0).quantize(QTY)
        for row in StockTransferLine.objects.values("transfer_id").annotate(total=Sum("quantity_sent"))
    }
    out = _movement_sums("transfer", StockMovement.Type.TRANSFER_OUT)
    arrived = _movement_sums("transfer", StockMovement.Type.TRANSFER_IN)
    missing = _movement_sums("transfer", StockMovement.Type.WRITE_OFF)
    received = set(
        StockTransfer.objects.filter(status=StockTransfer.Status.RECEIVED).values_list("pk", flat=True)
    )
    for transfer_id, quantity in sent.items():
        if -out.get(transfer_id, Decimal(0)) != quantity:
            problems.append(
                f"transfer {transfer_id}: {quantity} sent, movements out sum to {-out.get(transfer_id, 0)}"
            )
        if transfer_id in received:
            booked = arrived.get(transfer_id, Decimal(0)) - missing.get(transfer_id, Decimal(0))
            if booked != quantity:
                problems.append(f"transfer {transfer_id}: {quantity} sent, {booked} arrived or written off")
    receipts = {
        row["order_line_id"]: Decimal(row["total"] or 0).quantize(QTY)
        for row in PurchaseReceiptLine.objects.values("order_line_id").annotate(
            total=Sum("movement__quantity")
        )
    }
    for line_id, quantity in PurchaseOrderLine.objects.filter(received_quantity__gt=0).values_list(
        "pk", "received_quantity"
    ):
        if receipts.get(line_id, Decimal(0)) != quantity:
            problems.append(
                f"purchase order line {line_id}: {quantity} received, receipt movements sum to "
                f"{receipts.get(line_id, Decimal(0))}"
            )
    return problems
