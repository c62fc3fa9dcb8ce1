import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from shared.models import QuickLoadModel
from shared.roles import Role


class User(QuickLoadModel, AbstractUser):
    """A member of staff. `role` decides what they may do; Django's staff flags follow from it."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CASHIER, db_index=True)
    # Every access and refresh token carries this number; bumping it (password change,
    # deactivation, "log out everywhere") makes every earlier token worthless at once.
    token_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["username"]

    def save(self, *args, **kwargs):
        if self._state.adding and self.is_superuser and self.role == Role.CASHIER:
            # Django's createsuperuser sets the flags and leaves the role at its default; the flags
            # follow from the role below, so a new superuser is an admin (no manager change, no migration).
            self.role = Role.ADMIN
        self.is_staff = self.role in (Role.MANAGER, Role.ADMIN)
        self.is_superuser = self.role == Role.ADMIN
        if kwargs.get("update_fields") is not None and "role" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff", "is_superuser"}
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.token_version += 1


class RefreshToken(models.Model):
    """A long-lived refresh token, stored as a SHA-256 hash and usable exactly once.

    Tokens issued by one password login share a `family`; rotating creates the next member.
    Presenting an already-used member means it leaked, so the whole user is logged out.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    family = models.UUIDField(default=uuid.uuid4, db_index=True)
    family_started_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    token_version = models.PositiveIntegerField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self):
        return f"refresh token of {self.user} ({self.family})"


class LoginThrottle(models.Model):
    """A login-throttle counter or marker, kept in the database so every worker process shares it.

    `key` names what is counted (see accounts/throttle.py); the window ends at `expires_at` and is
    not extended by later failures.
    """

    key = models.CharField(max_length=255, unique=True)
    failures = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.failures} until {self.expires_at:%Y-%m-%d %H:%M}"
