from django.db import models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Descriptors whose `__set__` (if any) on a new instance only stores the value in `__dict__`.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


class QuickLoadModel(models.Model):
    """A model whose rows from the database become instances without `Model.__init__`.

    Django builds each row through `__init__`, which walks every concrete field, fills a deferred
    one with a marker to skip, and sends `pre_init`/`post_init` whether or not anything listens:
    about a third of a lean list's CPU (50 sales showing two fields, docs/PERFORMANCE.md). A loaded
    instance is exactly its `__dict__` (the column values by attname; a deferred field is simply
    absent) and its `_state`, so `from_db` (Django's documented hook) sets those directly. It falls
    back to Django's own path when a signal receiver listens to the model or a field's attribute
    has a descriptor that does more than store the value (a file field, say).
    """

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        # Django passes one list of names for every row of a query: the plan is kept for it (by
        # identity, holding it, so the identity cannot be reused) and made again for the next query.
        names, attnames = cls.__dict__.get("_quick_load_plan", (None, None))
        if names is not field_names:
            attnames = _load_plan(cls, field_names)
            cls._quick_load_plan = (field_names, attnames)  # one assignment: safe across threads
        if attnames is None:
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        state = new._state = ModelState()
        state.adding = False
        state.db = db
        new.__dict__.update(zip(attnames, values, strict=True))
        return new


def _load_plan(cls, field_names) -> list[str] | None:
    """The attnames to store the values under (the names themselves), or None where `__init__`
    must run. Made once per query: cheap enough for a one-row read."""
    if pre_init.has_listeners(cls) or post_init.has_listeners(cls):
        return None
    plain = _plain_columns.get(cls)
    if plain is None:
        plain = _plain_columns[cls] = frozenset(
            field.attname
            for field in cls._meta.concrete_fields
            if type(getattr(cls, field.attname, None)) in _PLAIN_DESCRIPTORS
        )
    return field_names if plain.issuperset(field_names) else None


# Per model, its concrete columns whose attribute only stores the value (fields are fixed once
# the app registry is ready).
_plain_columns: dict[type, frozenset[str]] = {}


class TimeStampedModel(QuickLoadModel):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Generation(models.Model):
    """A token that changes whenever a group of rows that processes cache changes (see shared.generations)."""

    name = models.CharField(max_length=40, primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"
