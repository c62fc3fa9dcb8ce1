"""Reconciliation: each closed shift's Z equals the sums of its rows, and each posting adds up."""

from decimal import Decimal

from django.db.models import F, Sum

from shared.money import format_money, q
from tills.models import Shift, ShiftPosting, ShiftPostingTax
from tills.selectors import shift_summary, z_figures


def find_ledger_mismatches() -> list[str]:
    problems: list[str] = []
    closed = Shift.objects.exclude(status=Shift.Status.OPEN).select_related("register").order_by("pk")
    for shift in closed.iterator(chunk_size=500):
        summary = shift_summary(shift=shift)
        if summary.expected_cash != shift.expected_cash:
            problems.append(
                f"shift {shift.pk} (Z {shift.z_number} of {shift.register}): expected cash "
                f"{shift.expected_cash} != rows {summary.expected_cash}"
            )
        else:
            figures = z_figures(summary, shift=shift)
            stored = shift.z_report or {}
            if "tax_by_rate" not in stored:  # closed before postings recorded their tax by rate
                figures.pop("tax_by_rate")
            if figures.get("tax_by_rate") != stored.get("tax_by_rate"):
                problems.append(
                    f"shift {shift.pk} (Z {shift.z_number} of {shift.register}): Z tax by rate != rows"
                )
            elif figures != stored:
                problems.append(
                    f"shift {shift.pk} (Z {shift.z_number} of {shift.register}): Z figures != rows"
                )
        if shift.variance != shift.counted_cash - shift.expected_cash:
            problems.append(f"shift {shift.pk}: variance {shift.variance} != counted - expected")
    # Tender columns of a posting add up to its document total (sales, voids, refunds, payments).
    unbalanced = ShiftPosting.objects.exclude(
        total=F("cash") + F("card") + F("transfer") + F("on_account") + F("store_credit") + F("exchange")
    )
    for posting in unbalanced.values("pk", "shift_id", "kind")[:100]:
        problems.append(
            f"shift posting {posting['pk']} ({posting['kind']}, shift {posting['shift_id']}): tenders != total"
        )
    # A posting's tax rows add up to its tax (postings from before tax rows have none).
    split = (
        ShiftPostingTax.objects.values("posting_id", "posting__shift_id", "posting__tax")
        .order_by("posting_id")
        .annotate(rows=Sum("tax"))
        .exclude(rows=F("posting__tax"))
    )
    for row in split[:100]:
        problems.append(
            f"shift posting {row['posting_id']} (shift {row['posting__shift_id']}): "
            f"tax by rate {format_money(q(Decimal(row['rows'])))} != tax {row['posting__tax']}"
        )
    misfiled = ShiftPostingTax.objects.exclude(shift_id=F("posting__shift_id")).values_list("pk", flat=True)
    for pk in misfiled[:100]:
        problems.append(f"shift posting tax {pk}: not on its posting's shift")
    return problems
