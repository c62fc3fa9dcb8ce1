from django.db.models import QuerySet

from accounts.models import User


def list_users(
    *, search: str | None = None, role: str | None = None, is_active: bool | None = None
) -> QuerySet[User]:
    """Staff accounts, filtered, in username order."""
    users = User.objects.all().order_by("username")
    if search:
        users = (
            users.filter(username__icontains=search)
            | users.filter(first_name__icontains=search)
            | users.filter(last_name__icontains=search)
        )
    if role:
        users = users.filter(role=role)
    if is_active is not None:
        users = users.filter(is_active=is_active)
    return users


def get_user(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()
