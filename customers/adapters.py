"""What the admin form and the CSV import share to sit on top of `customers.services`."""

from __future__ import annotations

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from shared.errors import DomainError

# Service errors name GraphQL input fields (`creditLimit`, `type`); forms and CSV columns start
# from the model's attributes.
_GRAPHQL_TO_ATTRIBUTE = {"type": "customer_type", "customerId": NON_FIELD_ERRORS}


def profile_errors(exc: DomainError | ValidationError) -> dict[str, list[str]]:
    """The messages of a refused profile write, keyed by model attribute (or NON_FIELD_ERRORS)."""
    errors: dict[str, list[str]] = {}
    if isinstance(exc, DomainError):
        for detail in exc.errors:
            name = detail.field or NON_FIELD_ERRORS
            name = _GRAPHQL_TO_ATTRIBUTE.get(name, name)
            name = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower() if name != NON_FIELD_ERRORS else name
            errors.setdefault(name, []).append(detail.message)
    elif hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    else:
        errors[NON_FIELD_ERRORS] = list(exc.messages)
    return errors
