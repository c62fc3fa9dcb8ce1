"""Which shift a sale made offline posts to (offline.services.sync; docs/OFFLINE.md, "Who sold it").

The drawer the money went into is the one of the shift open on the till's register when the sale
was made. While that shift is open the sale joins it; once it is closed its Z is fixed and never
changed, so the sale goes to the syncing user's open shift instead and the caller flags it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from tills.models import Shift
from tills.services import shift_for_posting


@dataclass(frozen=True)
class OfflinePosting:
    shift: Shift | None  # locked; None: posted to no shift (where shift_for_posting allows it)
    closed_shift: Shift | None  # the shift open at the sale's time, closed since (its Z stands)


def shift_for_offline_sale(
    *, user, register_id: int | None, location_id: int, sold_at: datetime
) -> OfflinePosting:
    """The shift of `register_id` open at `sold_at` if it still is (locked, FOR NO KEY UPDATE),
    else `user`'s open shift at the location as `shift_for_posting` finds it (NO_OPEN_SHIFT as there).

    Runs in the caller's transaction before any stock or customer lock (lock order 1a). A shift of
    another location than the sale's is not used. The shift is looked up, then locked: the lock
    re-reads it, so one closed in between counts as closed.
    """
    at_sale = None
    if register_id is not None:
        at_sale = (
            Shift.objects.filter(
                register_id=register_id, register__location_id=location_id, opened_at__lte=sold_at
            )
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=sold_at))
            .order_by("-opened_at", "-pk")
            .first()
        )
    if at_sale is not None and at_sale.status == Shift.Status.OPEN:
        locked = (
            Shift.objects.select_related("register")
            .select_for_update(of=("self",), no_key=True)
            .filter(pk=at_sale.pk, status=Shift.Status.OPEN)
            .first()
        )
        if locked is not None:
            return OfflinePosting(shift=locked, closed_shift=None)
        at_sale.refresh_from_db()
    return OfflinePosting(shift=shift_for_posting(user=user, location_id=location_id), closed_shift=at_sale)
