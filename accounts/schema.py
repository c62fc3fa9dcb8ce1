import graphene
from graphene import relay
from graphene.types.generic import GenericScalar
from graphene_django import DjangoConnectionField, DjangoObjectType
from graphql import GraphQLError
from graphql_jwt.exceptions import JSONWebTokenError

from accounts import selectors, services, tokens
from accounts.jwt import user_from_token
from accounts.models import User
from shared.errors import DomainError, ErrorCode
from shared.graphql import BaseMutation, CountableConnection, decode_id, resolve_id
from shared.permissions import PUBLIC, Forbidden, login_required, public, role_required
from shared.roles import Role, has_role

RoleEnum = graphene.Enum.from_enum(
    Role, name="Role", description="Staff role; each includes what the one below may do."
)


def _sees_details(info, user: User) -> bool:
    """Staff details are for the user themself and for managers; colleagues see a display name.

    A token payload's `user` is the caller even before their token is in the request header.
    """
    viewer = getattr(info.context, "user", None)
    if getattr(user, "is_token_owner", False):
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.pk == user.pk or has_role(viewer, Role.MANAGER)


def _private(name: str):
    def resolve(user, info):
        return getattr(user, name) if _sees_details(info, user) else None

    return resolve


_PRIVATE = "Null unless you are this user or a manager or higher."


class UserType(DjangoObjectType):
    display_name = graphene.String(
        required=True,
        description="How colleagues see this member of staff: full name, else username (as on receipts).",
    )
    username = graphene.String(description=f"Login name. {_PRIVATE}")
    email = graphene.String(description=f"E-mail address. {_PRIVATE}")
    role = graphene.Field(RoleEnum, description=f"What this member of staff may do. {_PRIVATE}")
    is_active = graphene.Boolean(description=f"False once the account is deactivated. {_PRIVATE}")
    date_joined = graphene.DateTime(description=f"When the account was created. {_PRIVATE}")
    last_login = graphene.DateTime(description=f"Last password login. {_PRIVATE}")

    resolve_username = staticmethod(_private("username"))
    resolve_email = staticmethod(_private("email"))
    resolve_role = staticmethod(_private("role"))
    resolve_is_active = staticmethod(_private("is_active"))
    resolve_date_joined = staticmethod(_private("date_joined"))
    resolve_last_login = staticmethod(_private("last_login"))

    class Meta:
        model = User
        name = "User"
        description = (
            "A member of staff. Colleagues below manager see only `id`, `displayName` and the name "
            "fields; the other fields are null for them."
        )
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "is_active",
            "date_joined",
            "last_login",
        )

    @staticmethod
    def resolve_display_name(user, info):
        return user.get_full_name() or user.username


def _role(value) -> Role:
    """graphene passes enum inputs as members; accept those or plain values."""
    return Role(getattr(value, "value", value))


def _get_user_or_error(user_id: str, field: str = "userId") -> User:
    user = selectors.get_user(user_id=resolve_id(user_id, "User", field=field))
    if user is None:
        raise DomainError(ErrorCode.NOT_FOUND, "User not found.", field=field)
    return user


def _auth_error(exc: DomainError) -> GraphQLError:
    return GraphQLError(exc.message, extensions={"code": exc.code})


class TokenPayloadMixin:
    token = graphene.String(
        description="Access token; send it as `Authorization: JWT <token>`. Lives 15 minutes or less."
    )
    refresh_token = graphene.String(
        description="One-time refresh token: exchange it with refreshToken before it expires."
    )
    refresh_expires_in = graphene.Int(description="Unix time at which the refresh token expires.")
    payload = GenericScalar(description="The decoded access-token claims.")
    user = graphene.Field(UserType, description="The user the tokens belong to.")

    @classmethod
    def from_pair(cls, pair: tokens.TokenPair):
        _user, payload = user_from_token(pair.token)
        pair.user.is_token_owner = True  # the caller, though the request carried no token yet
        return cls(
            token=pair.token,
            refresh_token=pair.refresh_token,
            refresh_expires_in=int(pair.refresh_expires_at.timestamp()),
            payload=payload,
            user=pair.user,
        )


class TokenAuth(TokenPayloadMixin, graphene.Mutation):
    """Log in with username and password. Failures are top-level errors (INVALID_CREDENTIALS, TOO_MANY_ATTEMPTS)."""

    class Arguments:
        username = graphene.String(required=True)
        password = graphene.String(required=True)

    @public
    def mutate(root, info, username, password):
        try:
            pair = tokens.obtain_tokens(request=info.context, username=username, password=password)
        except DomainError as exc:
            raise _auth_error(exc) from None
        return TokenAuth.from_pair(pair)


class RefreshToken(TokenPayloadMixin, graphene.Mutation):
    """Exchange a refresh token (once) for a new access and refresh token."""

    class Arguments:
        refresh_token = graphene.String(required=True)

    @public
    def mutate(root, info, refresh_token):
        try:
            pair = tokens.rotate_refresh_token(raw_token=refresh_token)
        except DomainError as exc:
            raise _auth_error(exc) from None
        return RefreshToken.from_pair(pair)


class VerifyToken(graphene.Mutation):
    """Check an access token: valid signature, not expired, not revoked, user active."""

    payload = GenericScalar(required=True, description="The token's claims.")

    class Arguments:
        token = graphene.String(required=True)

    @public
    def mutate(root, info, token):
        try:
            _user, payload = user_from_token(token, info.context)
        except JSONWebTokenError as exc:
            raise GraphQLError(str(exc), extensions={"code": "UNAUTHENTICATED"}) from None
        return VerifyToken(payload=payload)


class RevokeToken(graphene.Mutation):
    """Revoke a refresh token (log this device out)."""

    revoked = graphene.Boolean(required=True)

    class Arguments:
        refresh_token = graphene.String(required=True)

    @public
    def mutate(root, info, refresh_token):
        try:
            tokens.revoke_refresh_token(raw_token=refresh_token)
        except DomainError as exc:
            raise _auth_error(exc) from None
        return RevokeToken(revoked=True)


USER_MAX_LENGTHS = {
    "firstName": "accounts.User.first_name",
    "lastName": "accounts.User.last_name",
    "email": "accounts.User.email",
}


class CreateUserInput(graphene.InputObjectType):
    username = graphene.String(required=True)
    password = graphene.String(required=True)
    role = RoleEnum(default_value=Role.CASHIER.value)
    first_name = graphene.String()
    last_name = graphene.String()
    email = graphene.String()


class CreateUser(BaseMutation):
    """Create a staff account (admins only)."""

    user = graphene.Field(UserType)
    required_role = Role.ADMIN
    max_lengths = USER_MAX_LENGTHS | {"username": "accounts.User.username"}

    class Arguments:
        input = CreateUserInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        user = services.create_user(
            username=input.username,
            password=input.password,
            role=_role(input.role),
            first_name=input.first_name or "",
            last_name=input.last_name or "",
            email=input.email or "",
        )
        return {"user": user, "message": f"User {user.username} created."}


class UpdateUserInput(graphene.InputObjectType):
    user_id = graphene.ID(required=True)
    first_name = graphene.String()
    last_name = graphene.String()
    email = graphene.String()


class UpdateUser(BaseMutation):
    """Change a staff member's name or e-mail (admins only)."""

    user = graphene.Field(UserType)
    required_role = Role.ADMIN
    max_lengths = USER_MAX_LENGTHS

    class Arguments:
        input = UpdateUserInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        user = services.update_user(
            user=_get_user_or_error(input.user_id),
            first_name=input.first_name,
            last_name=input.last_name,
            email=input.email,
        )
        return {"user": user}


class SetUserRoleInput(graphene.InputObjectType):
    user_id = graphene.ID(required=True)
    role = RoleEnum(required=True)


class SetUserRole(BaseMutation):
    """Give a staff member another role (admins only). Their current sessions end."""

    user = graphene.Field(UserType)
    required_role = Role.ADMIN

    class Arguments:
        input = SetUserRoleInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        user = services.set_user_role(user=_get_user_or_error(input.user_id), role=_role(input.role))
        return {"user": user}


class DeactivateUserInput(graphene.InputObjectType):
    user_id = graphene.ID(required=True)


class DeactivateUser(BaseMutation):
    """Switch a staff account off (admins only); every token it holds stops working."""

    user = graphene.Field(UserType)
    required_role = Role.ADMIN

    class Arguments:
        input = DeactivateUserInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        user = services.deactivate_user(actor=info.context.user, user=_get_user_or_error(input.user_id))
        return {"user": user}


class ChangePasswordInput(graphene.InputObjectType):
    old_password = graphene.String(
        description="Your current password (not needed when an admin resets another user's)."
    )
    new_password = graphene.String(required=True)
    user_id = graphene.ID(description="Admins only: reset this user's password instead of your own.")


class ChangePassword(BaseMutation, TokenPayloadMixin):
    """Change a password. Every earlier token of that user stops working; new tokens are returned for your own.

    A non-admin naming any `userId` but their own gets FORBIDDEN, whether or not that user exists.
    """

    required_role = Role.CASHIER

    class Arguments:
        input = ChangePasswordInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        actor = info.context.user
        target = actor
        if input.user_id:
            # Decided before any lookup, so that a non-admin learns nothing about which ids exist.
            if decode_id(input.user_id, "User") != actor.pk and not has_role(actor, Role.ADMIN):
                raise Forbidden("Only admins can reset another user's password.")
            target = _get_user_or_error(input.user_id)
        own = target.pk == actor.pk
        pair = services.change_password(
            user=target, new_password=input.new_password, old_password=input.old_password, require_old=own
        )
        if not own:
            return {"message": f"Password of {target.username} reset.", "user": target}
        result = cls.from_pair(pair)
        return {
            "message": "Password changed.",
            "token": result.token,
            "refresh_token": result.refresh_token,
            "refresh_expires_in": result.refresh_expires_in,
            "payload": result.payload,
            "user": target,
        }


class Query(graphene.ObjectType):
    me = graphene.Field(UserType, description="The logged-in member of staff.")
    users = DjangoConnectionField(
        UserType,
        search=graphene.String(),
        role=RoleEnum(),
        is_active=graphene.Boolean(),
        description="Staff accounts (admins only).",
    )

    @login_required
    def resolve_me(root, info):
        return info.context.user

    @role_required(Role.ADMIN)
    def resolve_users(root, info, search=None, role=None, is_active=None, **_page):
        return selectors.list_users(search=search, role=_role(role) if role else None, is_active=is_active)


class Mutation(graphene.ObjectType):
    token_auth = TokenAuth.Field()
    refresh_token = RefreshToken.Field()
    verify_token = VerifyToken.Field()
    revoke_token = RevokeToken.Field()
    create_user = CreateUser.Field()
    update_user = UpdateUser.Field()
    set_user_role = SetUserRole.Field()
    deactivate_user = DeactivateUser.Field()
    change_password = ChangePassword.Field()


__all__ = ["Query", "Mutation", "UserType", "PUBLIC"]
