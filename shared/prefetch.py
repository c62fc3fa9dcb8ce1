"""Fill a reverse relation's prefetch cache with objects already in memory."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


def set_prefetched(instance: models.Model, accessor: str, objects: Iterable[models.Model]) -> None:
    """Make `instance.<accessor>.all()` return `objects` without a query, as `prefetch_related` would.

    For rows a service has just written: the caller can show them without reading them back. The
    objects must be exactly what a query would return, in the relation's order.
    """
    manager = getattr(instance, accessor)
    cache_name = manager.field.remote_field.cache_name
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache.pop(cache_name, None)
    queryset = manager.get_queryset()  # lazy: builds the filtered queryset, runs nothing
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    instance._prefetched_objects_cache[cache_name] = queryset
