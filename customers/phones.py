"""Phone numbers as the shop stores them: E.164 (`+2348031110001`), checked with `phonenumbers`.

A number typed without a country code is read in the shop's region (setting POS_PHONE_REGION), so
`0803 111 0001`, `08031110001` and `+234 803 111 0001` are one customer.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings

from shared.errors import DomainError, ErrorCode


def normalize_phone(value: str | None, *, field: str = "phone") -> str:
    """The E.164 form of a valid number, "" for a blank one; anything else is refused (INVALID)."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, settings.POS_PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError(
            ErrorCode.INVALID,
            "Enter a valid phone number, such as 0803 111 0001 or +234 803 111 0001.",
            field=field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone_or_none(value: str | None) -> str | None:
    """The E.164 form when `value` is a valid number, else None (for lookups that must not refuse)."""
    try:
        return normalize_phone(value) or None
    except DomainError:
        return None
