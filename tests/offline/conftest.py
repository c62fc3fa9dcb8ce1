import pytest

from tests.offline.factories import make_till


@pytest.fixture
def till(manager, shop):
    """A simulated till (tests/offline/till.py) on a new device, pricing soap, rice and syrup."""
    return make_till(manager, shop)
