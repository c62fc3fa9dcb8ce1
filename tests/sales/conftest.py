"""Checkout tests use the shared `shop` fixture from tests/conftest.py."""

from tests.shop import make_product  # noqa: F401  (re-exported for test modules)
