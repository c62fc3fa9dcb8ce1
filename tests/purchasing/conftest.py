import pytest

from products.models import Location


@pytest.fixture
def location(db):
    """The default location (transactional tests wipe the one the data migration made)."""
    found, _created = Location.objects.get_or_create(
        is_default=True, defaults={"name": "Main shop", "kind": Location.Kind.SHOP}
    )
    return found
