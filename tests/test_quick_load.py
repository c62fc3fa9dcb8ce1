"""Rows become instances without Model.__init__ (shared.models.QuickLoadModel), and those instances
are the ones Django's own path builds: same values, same deferred fields, same state."""

from decimal import Decimal

import pytest
from django.db import models
from django.db.models.signals import post_init

from products.models import Product, StockLevel
from shared.models import QuickLoadModel, _load_plan


def _djangos_own(model, names, values):
    return models.Model.from_db.__func__(model, "default", names, values)


def _contents(instance) -> dict:
    state = instance._state
    return {**{k: v for k, v in vars(instance).items() if k != "_state"}, "_state": (state.adding, state.db)}


@pytest.mark.parametrize("deferred", [False, True])
def test_a_row_loads_as_djangos_own_path_loads_it(shop, deferred):
    names = [field.attname for field in Product._meta.concrete_fields]
    if deferred:  # in the model's order, as the ORM passes them
        names = [name for name in names if name in {"id", "name", "retail_price", "category_id"}]
    values = Product.objects.filter(pk=shop["rice"].pk).values_list(*names).get()

    quick = Product.from_db("default", names, values)
    django = _djangos_own(Product, names, values)

    assert _contents(quick) == _contents(django)
    assert quick.get_deferred_fields() == django.get_deferred_fields()
    assert bool(quick.get_deferred_fields()) == deferred
    assert quick.retail_price == Decimal("25.00") and quick._state.adding is False


def test_a_query_takes_the_quick_path_and_its_instances_behave(shop, monkeypatch):
    def no_init(self, *args, **kwargs):
        raise AssertionError("Model.__init__ ran for a loaded row")

    monkeypatch.setattr(Product, "__init__", no_init)
    rice = Product.objects.only("id", "name").get(pk=shop["rice"].pk)
    level = StockLevel.objects.filter(product=shop["rice"]).first()
    monkeypatch.undo()

    assert rice.get_deferred_fields() >= {"retail_price", "barcode"}
    assert rice.retail_price == Decimal("25.00")  # a deferred field loads on first read
    rice.name = "Rice 2kg"
    rice.save(update_fields=["name"])  # an UPDATE of the loaded row, not an INSERT
    assert Product.objects.get(pk=rice.pk).name == "Rice 2kg"
    assert Product.objects.filter(sku="RICE").count() == 1
    assert level.product_id == rice.pk and level.product.name == "Rice 2kg"


def test_a_listened_to_model_is_built_by_django_itself(shop):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Product, weak=False)
    try:
        rice = Product.objects.get(pk=shop["rice"].pk)
    finally:
        post_init.disconnect(receiver, sender=Product)

    assert seen == [rice]


def test_a_name_that_is_not_a_plain_column_takes_djangos_path():
    assert _load_plan(Product, ["id", "name"]) == ["id", "name"]
    assert _load_plan(Product, ["id", "stock_quantity"]) is None
    assert _load_plan(StockLevel, ["id", "product_id"]) == ["id", "product_id"]
    assert issubclass(Product, QuickLoadModel)
