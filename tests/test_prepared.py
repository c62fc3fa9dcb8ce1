"""shared.prepared: a queryset compiled once per shape gives what the queryset gives, in one statement."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from products.models import Category, Product
from shared.prepared import PreparedQuery
from tests.shop import make_product

pytestmark = pytest.mark.django_db


def fields(product):
    return {f.attname: getattr(product, f.attname) for f in Product._meta.concrete_fields}


@pytest.fixture
def products(manager):
    drinks = Category.objects.create(name="Drinks")
    made = [make_product(manager, f"PQ{i}", price=f"{i + 1}.25", tax="0.075") for i in range(4)]
    Product.objects.filter(pk=made[1].pk).update(category=drinks, is_active=False)
    return [Product.objects.select_related("category").get(pk=p.pk) for p in made]


def test_rows_equal_the_querysets_with_converted_values_related_rows_and_annotations(products):
    builds = []

    def build(ids):
        builds.append(list(ids))
        return Product.objects.select_related("category").annotate(marker=Value(7)).filter(pk__in=ids)

    query = PreparedQuery(Product, build)
    wanted = [products[0].pk, products[1].pk]

    with CaptureQueriesContext(connection) as captured:
        first = sorted(query.fetch(wanted), key=lambda p: p.pk)
        second = sorted(query.fetch([products[2].pk, products[3].pk]), key=lambda p: p.pk)

    assert len(captured) == 2  # one statement per fetch, nothing else
    assert len(builds) == 1  # compiled once for lists of two
    assert [fields(p) for p in first] == [fields(p) for p in products[:2]]
    assert [fields(p) for p in second] == [fields(p) for p in products[2:]]
    assert isinstance(first[0].retail_price, Decimal) and first[0].retail_price == Decimal("1.25")
    assert first[1].is_active is False and first[1].category.name == "Drinks"  # select_related filled
    assert first[0].category is None and first[0].marker == 7
    assert not first[0]._state.adding and first[0]._state.db == "default"


def test_missing_values_are_absent_and_other_shapes_compile_their_own_sql(products):
    builds = []

    def build(ids):
        builds.append(len(ids))
        return Product.objects.filter(pk__in=ids)

    query = PreparedQuery(Product, build, max_size=3)

    assert [p.pk for p in query.fetch([products[0].pk, 10**9])] == [products[0].pk]
    assert query.fetch([]) == []
    assert len(query.fetch([p.pk for p in products[:3]])) == 3
    assert len(query.fetch([p.pk for p in products])) == 4  # beyond max_size: the plain queryset
    assert builds == [2, 3, 4]


def test_a_value_that_does_not_reach_the_parameters_is_refused(products):
    query = PreparedQuery(Product, lambda ids: Product.objects.filter(pk__in=[1]))

    with pytest.raises(ValueError):
        query.fetch([products[0].pk])
