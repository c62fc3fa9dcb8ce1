"""Reconciliation: each closed shift's Z equals the sums of its rows, and each posting adds up."""

from django.db.models import F

from tills.models import Shift, ShiftPosting
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
        elif z_figures(summary, shift=shift) != shift.z_report:
            problems.append(f"shift {shift.pk} (Z {shift.z_number} of {shift.register}): Z figures != rows")
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
    return problems
