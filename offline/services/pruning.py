"""Prune the catalogue change log (docs/OFFLINE.md, "Pruning the change log").

Every stock write of every sale logs a row, so the log grows without bound. Rows older than the
retention are deleted oldest first, in cursor order, and the newest position deleted is kept as the
prune mark: a till whose cursor is older gets CURSOR_EXPIRED and starts a first sync, instead of
silently missing what was pruned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from offline.catalogue import horizon
from offline.models import CatalogueChange, CataloguePruneMark
from shared import clock

CHUNK = 10_000


@dataclass(frozen=True)
class PruneResult:
    deleted: int
    mark: tuple[int, int] | None  # the newest (txid, id) pruned so far, None if nothing ever was


def prune_catalogue_changes(
    *, older_than: timedelta, chunk: int = CHUNK, progress: Callable[[int], None] | None = None
) -> PruneResult:
    """Delete change-log rows logged before now - older_than, in (txid, id) order, chunk by chunk.

    Only rows of ended transactions (below the horizon) are candidates, so a row still invisible to
    a sync page is never deleted behind its back. The prune mark moves in the same transaction as
    each chunk's delete, so a concurrent page either sees the rows or is refused, never neither.
    """
    cutoff = clock.now() - older_than
    newest_old = (
        CatalogueChange.objects.filter(logged_at__lt=cutoff, txid__lt=horizon())
        .order_by("-txid", "-id")
        .values_list("txid", "id")
        .first()
    )
    deleted = 0
    mark = CataloguePruneMark.objects.filter(pk=1).values_list("txid", "row").first()
    if newest_old is None:
        return PruneResult(deleted, mark)
    while True:
        with transaction.atomic():
            batch = list(
                CatalogueChange.objects.filter(txid__lte=newest_old[0])
                .exclude(txid=newest_old[0], id__gt=newest_old[1])
                .order_by("txid", "id")
                .values_list("txid", "id")[:chunk]
            )
            if not batch:
                break
            CatalogueChange.objects.filter(id__in=[row_id for _txid, row_id in batch]).delete()
            mark = max(batch[-1], mark or (0, 0))
            CataloguePruneMark.objects.update_or_create(
                pk=1, defaults={"txid": mark[0], "row": mark[1], "pruned_at": clock.now()}
            )
        deleted += len(batch)
        if progress:
            progress(deleted)
    return PruneResult(deleted, mark)
