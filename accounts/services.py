"""Staff account writes. Role checks on who may call these live in the schema layer."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.error_codes import AccountErrorCode
from accounts.models import User
from accounts.tokens import TokenPair, issue_tokens, revoke_all_refresh_tokens
from shared.errors import DomainError, ErrorDetail
from shared.roles import Role


def _check_password(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError.many(
            [
                ErrorDetail(code=AccountErrorCode.PASSWORD_TOO_WEAK, message=str(m), field=field)
                for m in exc.messages
            ]
        ) from None


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: str = Role.CASHIER,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a staff account with a validated password."""
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            AccountErrorCode.USERNAME_TAKEN, "That username is already taken.", field="username"
        )
    user = User(username=username, role=role, first_name=first_name, last_name=last_name, email=email)
    _check_password(password, user, "password")
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def update_user(
    *, user: User, first_name: str | None = None, last_name: str | None = None, email: str | None = None
) -> User:
    """Change a staff member's name or e-mail."""
    for name, value in (("first_name", first_name), ("last_name", last_name), ("email", email)):
        if value is not None:
            setattr(user, name, value.strip())
    user.full_clean()
    user.save()
    return user


def _ensure_another_admin_remains(user: User) -> None:
    others = User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
    if not list(others[:1]):
        raise DomainError(AccountErrorCode.LAST_ADMIN, "The shop must keep at least one active admin.")


@transaction.atomic
def set_user_role(*, user: User, role: str) -> User:
    """Give a staff member another role; the last active admin cannot be demoted."""
    if role not in Role.values:
        raise DomainError("INVALID", f"Unknown role {role!r}.", field="role")
    if user.role == Role.ADMIN and role != Role.ADMIN:
        _ensure_another_admin_remains(user)
    user.role = role
    user.token_version += 1  # tokens carry the role: make the holder log in again
    user.save(update_fields=["role", "token_version"])
    revoke_all_refresh_tokens(user_id=user.pk)
    return user


@transaction.atomic
def deactivate_user(*, actor: User, user: User) -> User:
    """Switch an account off and invalidate every token it holds. History stays."""
    if actor.pk == user.pk:
        raise DomainError(AccountErrorCode.CANNOT_DEACTIVATE_SELF, "You cannot deactivate your own account.")
    if user.role == Role.ADMIN:
        _ensure_another_admin_remains(user)
    user.is_active = False
    user.token_version += 1
    user.save(update_fields=["is_active", "token_version"])
    revoke_all_refresh_tokens(user_id=user.pk)
    return user


@transaction.atomic
def change_password(
    *, user: User, new_password: str, old_password: str | None, require_old: bool = True
) -> TokenPair:
    """Set a new password, log out every session, and return a fresh token pair for the caller.

    `require_old` is off only when an admin resets another member's password.
    """
    if require_old and not user.check_password(old_password or ""):
        raise DomainError(
            AccountErrorCode.WRONG_PASSWORD, "The current password is wrong.", field="oldPassword"
        )
    _check_password(new_password, user, "newPassword")
    user.set_password(new_password)  # bumps token_version: every earlier access token dies
    user.save(update_fields=["password", "token_version"])
    revoke_all_refresh_tokens(user_id=user.pk)
    return issue_tokens(user=user)
