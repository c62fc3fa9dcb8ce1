from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import LoginThrottle, RefreshToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """User management: admins only (managers have no permissions on the accounts app)."""

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
