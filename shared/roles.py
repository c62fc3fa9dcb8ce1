from django.db import models


class Role(models.TextChoices):
    """Staff roles, each including everything the one below may do."""

    CASHIER = "cashier", "Cashier"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


ROLE_RANK = {Role.CASHIER: 1, Role.MANAGER: 2, Role.ADMIN: 3}


def has_role(user, minimum: Role) -> bool:
    """True when an active, authenticated user holds `minimum` or a higher role."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return ROLE_RANK.get(getattr(user, "role", None), 0) >= ROLE_RANK[minimum]
