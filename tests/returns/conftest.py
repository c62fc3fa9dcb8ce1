from tests.sales.conftest import shop  # noqa: F401  (the same small shop)
