"""User management (admins only): every change goes through accounts.services, as in GraphQL.

A role change or deactivation bumps the user's token version and revokes their refresh tokens
(set_user_role / deactivate_user), and the last active admin cannot be demoted or switched off.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm

from accounts import services
from accounts.models import LoginThrottle, RefreshToken, User
from shared.backoffice import check_through_service

PROFILE_FIELDS = ("first_name", "last_name", "email")


class UserServiceForm(UserChangeForm):
    """Applies the changed fields through the services; `clean` runs them in a rolled-back savepoint
    so a refusal lands on the form, then `UserAdmin.save_model` runs them for real."""

    actor = None

    def apply_changes(self) -> User:
        user = User.objects.get(pk=self.instance.pk)
        changed = set(self.changed_data)
        data = self.cleaned_data
        if changed & set(PROFILE_FIELDS):
            user = services.update_user(
                user=user, **{name: data[name] for name in PROFILE_FIELDS if name in changed}
            )
        if "role" in changed:
            user = services.set_user_role(user=user, role=data["role"])
        if "is_active" in changed:
            if data["is_active"]:
                # Reactivation has no service of its own: it only lifts the flag (tokens stay revoked).
                user.is_active = True
                user.save(update_fields=["is_active"])
            else:
                user = services.deactivate_user(actor=self.actor, user=user)
        return user

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        check_through_service(self, self.apply_changes)
        return cleaned_data


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """User management: admins only (managers have no permissions on the accounts app)."""

    form = UserServiceForm
    list_display = ("username", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("role", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        # A username is how staff log in at the till; no service renames one.
        return (*self.readonly_fields, "username") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Sales, movements and ledger rows name their user: deactivate instead.
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        if change:
            # The form already ran the same calls; a refusal now means a concurrent change and
            # the exception rolls the admin's transaction back.
            user = form.apply_changes()
        else:
            user = services.create_user(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                role=form.cleaned_data["role"],
            )
        obj.pk = user.pk
        obj.refresh_from_db()
        obj._state.adding = False


@admin.register(RefreshToken)
class RefreshTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "family", "created_at", "expires_at", "used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = [f.name for f in RefreshToken._meta.fields]
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Failed-login counters: read-only; deleting a row lifts that lockout at once."""

    list_display = ("key", "failures", "expires_at")
    search_fields = ("key",)
    readonly_fields = ("key", "failures", "expires_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
