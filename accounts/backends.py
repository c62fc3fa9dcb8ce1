from django.contrib.auth.backends import ModelBackend

from shared.roles import Role

SHOP_APPS = {"products", "customers", "sales", "returns", "reports"}


def token_from_header(request) -> str | None:
    """The token of an `Authorization: JWT <token>` header. Cookies and arguments are never read."""
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) == 2 and parts[0] == "JWT":
        return parts[1]
    return None


class RoleModelBackend(ModelBackend):
    """Password login plus admin permissions derived from the role.

    Admins are superusers. Managers get every permission on the shop's apps (not on accounts, so
    they never see user management). Cashiers have no admin access (is_staff is off).
    """

    def has_perm(self, user_obj, perm, obj=None):
        if (
            user_obj.is_active
            and getattr(user_obj, "role", None) == Role.MANAGER
            and perm.split(".")[0] in SHOP_APPS
        ):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if user_obj.is_active and getattr(user_obj, "role", None) == Role.MANAGER and app_label in SHOP_APPS:
            return True
        return super().has_module_perms(user_obj, app_label)
