"""GraphQL for offline tills (API.md "Offline tills"): devices, parked carts, catalogue sync; sale
sync is in sync_schema.py. Thin adapters.

Protocol, codes and retry rules: docs/OFFLINE.md.
"""

from __future__ import annotations

from datetime import timedelta

import graphene
from django.conf import settings
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType

from customers.loads import customer_pages_asked
from offline import catalogue, selectors, services
from offline.models import Device, ParkedCart, ParkedCartLine
from shared.errors import DomainError
from shared.graphql import (
    BaseMutation,
    CountableConnection,
    Money,
    Quantity,
    Rate,
    decode_id,
    query_error,
    resolve_id,
    resolve_optional_id,
)
from shared.permissions import login_required, role_required
from shared.roles import Role

ParkedCartStatusEnum = graphene.Enum.from_enum(
    ParkedCart.Status, name="ParkedCartStatus", description="PARKED, RESUMED or DISCARDED."
)


class DeviceType(DjangoObjectType):
    is_revoked = graphene.Boolean(required=True, description="A revoked device's credential is refused.")
    sale_location_id = graphene.ID(
        required=True,
        description="Where syncSales draws this device's stock by default: its register's location, else "
        "the default location (raw id, as catalogueChanges' locationId).",
    )

    class Meta:
        model = Device
        name = "Device"
        description = "A registered till device. Its credential is shown only once, at registration."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "name", "register", "credential_prefix", "registered_by", "created_at", "revoked_at")

    @staticmethod
    def resolve_is_revoked(device, info):
        return device.revoked_at is not None

    @staticmethod
    def resolve_sale_location_id(device, info):
        if device.register_id:
            return device.register.location_id
        # Once per request, so a devices list does not ask once per device.
        if not hasattr(info.context, "pos_default_location_id"):
            info.context.pos_default_location_id = selectors.device_sale_location_id(device=device)
        return info.context.pos_default_location_id


class ParkedCartLineType(DjangoObjectType):
    quantity = Quantity(required=True)

    class Meta:
        model = ParkedCartLine
        name = "ParkedCartLine"
        description = "One line of a parked cart: a product and a quantity (no price: priced when sold)."
        fields = ("position", "product")


class ParkedCartType(DjangoObjectType):
    status = ParkedCartStatusEnum(required=True)
    expires_at = graphene.DateTime(required=True, description="After this the cart is no longer resumable.")
    lines = graphene.List(graphene.NonNull(ParkedCartLineType), required=True)

    class Meta:
        model = ParkedCart
        name = "ParkedCart"
        description = (
            "A cart held on the server, resumable once at any till of its location. Reserves no stock."
        )
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "location", "register", "customer", "note", "parked_by", "parked_at", "closed_at")

    @staticmethod
    def resolve_expires_at(cart, info):
        return cart.parked_at + timedelta(hours=settings.POS_PARKED_CART_TTL_HOURS)

    @staticmethod
    def resolve_lines(cart, info):
        return cart.lines.all()


# --- Catalogue sync ----------------------------------------------------------------------------


class SyncProductType(graphene.ObjectType):
    """A product as a till keeps it offline. isActive false is a tombstone: stop selling it."""

    id = graphene.ID(required=True, description="Raw database id (createSale accepts it as productId).")
    sku = graphene.String(required=True)
    barcode = graphene.String()
    name = graphene.String(required=True)
    unit = graphene.String(required=True)
    retail_price = Money(required=True)
    wholesale_price = Money(required=True)
    tax_rate = Rate(required=True, description="0..1, e.g. 0.075.")
    quantity_decimals = graphene.Int(required=True, description="0: sold by the piece.")
    track_batches = graphene.Boolean(required=True)
    is_active = graphene.Boolean(required=True, description="False: archived (tombstone).")


class SyncStockLevelType(graphene.ObjectType):
    """Stock on hand of one product at one location when the page was read."""

    id = graphene.ID(required=True)
    product_id = graphene.ID(required=True)
    location_id = graphene.ID(required=True)
    quantity = Quantity(required=True)

    @staticmethod
    def resolve_product_id(level, info):
        return level.product_id

    @staticmethod
    def resolve_location_id(level, info):
        return level.location_id


class SyncBatchType(graphene.ObjectType):
    """A batch (lot) of a product at a location, with its expiry, as the page was read."""

    id = graphene.ID(required=True)
    product_id = graphene.ID(required=True)
    location_id = graphene.ID(required=True)
    batch_number = graphene.String(required=True)
    expiry_date = graphene.Date(description="Null: does not expire.")
    quantity = Quantity(required=True)

    @staticmethod
    def resolve_product_id(batch, info):
        return batch.product_id

    @staticmethod
    def resolve_location_id(batch, info):
        return batch.location_id


class SyncCustomerType(graphene.ObjectType):
    """A customer as a till keeps it offline. isArchived true is a tombstone."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    phone = graphene.String(required=True)
    customer_type = graphene.String(required=True, name="type", description="retail or wholesale.")
    status = graphene.String(required=True, description="active, blocked or archived.")
    credit_limit = Money(required=True)
    balance = Money(required=True, description="Positive: owes the shop; negative: credit held.")
    allowed_on_account = graphene.Boolean(
        required=True, description="Active with a credit limit above zero: may buy on account."
    )
    is_archived = graphene.Boolean(required=True, description="True: tombstone.")

    @staticmethod
    def resolve_allowed_on_account(customer, info):
        return customer.status == "active" and customer.credit_limit > 0

    @staticmethod
    def resolve_is_archived(customer, info):
        return customer.status == "archived"


class CatalogueChangesType(graphene.ObjectType):
    """One page of catalogue changes. Apply it as upserts, store nextCursor, ask again while hasMore."""

    products = graphene.List(graphene.NonNull(SyncProductType), required=True)
    stock_levels = graphene.List(graphene.NonNull(SyncStockLevelType), required=True)
    batches = graphene.List(graphene.NonNull(SyncBatchType), required=True)
    customers = graphene.List(graphene.NonNull(SyncCustomerType), required=True)
    deleted_product_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    deleted_stock_level_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    deleted_batch_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    deleted_customer_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    next_cursor = graphene.String(required=True, description="Pass as `since` next time (opaque).")
    has_more = graphene.Boolean(
        required=True, description="True: ask again now. False: up to date; poll later with nextCursor."
    )
    is_full_sync = graphene.Boolean(required=True, description="True while a first sync is paging.")
    catalogue_version = graphene.String(
        required=True,
        description="The version of the till's copy once this page is applied: send it as "
        "catalogueVersion with every sale priced from that copy (syncSales checks prices against it).",
    )
    prices_include_tax = graphene.Boolean(
        required=True, description="True: retail prices include tax (the shop's setting a till prices with)."
    )

    @staticmethod
    def resolve_prices_include_tax(page, info):
        return settings.PRICES_INCLUDE_TAX


# --- Mutations -----------------------------------------------------------------------------------


class RegisterDeviceInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="How managers tell the device apart.")
    register_id = graphene.ID(description="The register (till) the device serves, if fixed.")


class RegisterDevice(BaseMutation):
    """Register a till device (managers) and get its credential, shown only here. The till sends it
    as the `X-POS-Device` header. Errors: REQUIRED, MAX_LENGTH (name), NOT_FOUND, REGISTER_RETIRED."""

    device = graphene.Field(DeviceType)
    credential = graphene.String(
        description="The device credential; store it on the till, it is not shown again."
    )
    required_role = Role.MANAGER

    class Arguments:
        input = RegisterDeviceInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        registered = services.register_device(
            user=info.context.user,
            name=input.name,
            register_id=resolve_optional_id(input.register_id, "Register", field="registerId"),
        )
        return {
            "device": registered.device,
            "credential": registered.credential,
            "message": f"Device {registered.device.name} registered.",
        }


class RevokeDeviceInput(graphene.InputObjectType):
    device_id = graphene.ID(required=True)


class RevokeDevice(BaseMutation):
    """Revoke a till device (managers): its credential is refused from the next request on.
    Errors: NOT_FOUND, DEVICE_ALREADY_REVOKED."""

    device = graphene.Field(DeviceType)
    required_role = Role.MANAGER

    class Arguments:
        input = RevokeDeviceInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        device = services.revoke_device(
            user=info.context.user, device_id=resolve_id(input.device_id, "Device", field="deviceId")
        )
        return {"device": device, "message": f"Device {device.name} revoked."}


class ParkedCartLineInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True)
    quantity = Quantity(required=True)


class ParkCartInput(graphene.InputObjectType):
    lines = graphene.List(graphene.NonNull(ParkedCartLineInput), required=True, description="At most 200.")
    register_id = graphene.ID(description="The till parking it; the cart belongs to its location.")
    location_id = graphene.ID(description="Without registerId: the location (default: the default location).")
    customer_id = graphene.ID()
    note = graphene.String()


class ParkCart(BaseMutation):
    """Hold a cart on the server (no stock reserved). Errors: REQUIRED (lines), INVALID, OUT_OF_RANGE,
    NOT_FOUND (lines.N.productId, registerId, locationId, customerId), REGISTER_RETIRED, CART_WRONG_LOCATION."""

    cart = graphene.Field(ParkedCartType)
    required_role = Role.CASHIER

    class Arguments:
        input = ParkCartInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        lines = [
            services.CartLineInput(
                product_id=resolve_id(line.product_id, "Product", field=f"lines.{index}.productId"),
                quantity=line.quantity,
            )
            for index, line in enumerate(input.lines)
        ]
        cart = services.park_cart(
            user=info.context.user,
            lines=lines,
            register_id=resolve_optional_id(input.register_id, "Register", field="registerId"),
            location_id=resolve_optional_id(input.location_id, "Location", field="locationId"),
            customer_id=resolve_optional_id(input.customer_id, "Customer", field="customerId"),
            note=input.note or "",
        )
        return {"cart": selectors.get_cart_with_lines(cart_id=cart.pk), "message": "Cart parked."}


class ResumeCartInput(graphene.InputObjectType):
    cart_id = graphene.ID(required=True)
    register_id = graphene.ID(description="The till taking the cart; must be at the cart's location.")


class ResumeCart(BaseMutation):
    """Take a parked cart back to a till, once; ring it up with createSale. Errors: NOT_FOUND,
    CART_NOT_PARKED (already resumed or discarded), CART_EXPIRED, CART_WRONG_LOCATION, REGISTER_RETIRED."""

    cart = graphene.Field(ParkedCartType)
    required_role = Role.CASHIER

    class Arguments:
        input = ResumeCartInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        cart = services.resume_cart(
            user=info.context.user,
            cart_id=resolve_id(input.cart_id, "ParkedCart", field="cartId"),
            register_id=resolve_optional_id(input.register_id, "Register", field="registerId"),
        )
        return {"cart": selectors.get_cart_with_lines(cart_id=cart.pk), "message": "Cart resumed."}


class DiscardCartInput(graphene.InputObjectType):
    cart_id = graphene.ID(required=True)


class DiscardCart(BaseMutation):
    """Throw a parked cart away (its parker or a manager). Errors: NOT_FOUND, CART_NOT_PARKED, NOT_YOUR_CART."""

    cart = graphene.Field(ParkedCartType)
    required_role = Role.CASHIER

    class Arguments:
        input = DiscardCartInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        cart = services.discard_cart(
            user=info.context.user, cart_id=resolve_id(input.cart_id, "ParkedCart", field="cartId")
        )
        return {"cart": selectors.get_cart_with_lines(cart_id=cart.pk), "message": "Cart discarded."}


class Query(graphene.ObjectType):
    devices = DjangoConnectionField(
        DeviceType,
        register_id=graphene.ID(),
        include_revoked=graphene.Boolean(default_value=False),
        description="Managers: registered till devices by name; revoked ones only with includeRevoked.",
    )
    current_device = graphene.Field(
        DeviceType,
        description="The device named by this request's X-POS-Device header. Refused (top-level error, "
        "extensions.code DEVICE_REQUIRED, DEVICE_UNKNOWN or DEVICE_REVOKED) otherwise: a till checks "
        "its credential with this at start-up.",
    )
    catalogue_changes = graphene.Field(
        CatalogueChangesType,
        since=graphene.String(description="The nextCursor of the last page; null: a full first sync."),
        first=graphene.Int(description="Changes per page, 1..100 (default 100)."),
        description="Devices only (X-POS-Device): products, stock levels, batches and customers changed "
        "after `since`. Refusals are top-level errors with extensions.code DEVICE_REQUIRED, DEVICE_UNKNOWN, "
        "DEVICE_REVOKED, INVALID (since), CURSOR_EXPIRED (since: older than the pruned change log; start "
        "a first sync) or OUT_OF_RANGE (first). See docs/OFFLINE.md.",
    )
    parked_carts = DjangoConnectionField(
        ParkedCartType,
        location_id=graphene.ID(),
        description="Carts still parked and not expired, newest first.",
    )

    @role_required(Role.MANAGER)
    def resolve_devices(root, info, register_id=None, include_revoked=False, **_page):
        return selectors.list_devices(
            include_revoked=include_revoked,
            register_id=decode_id(register_id, "Register") if register_id else None,
        )

    @login_required
    def resolve_current_device(root, info):
        try:
            return services.device_from_request(info.context)
        except DomainError as exc:
            raise query_error(exc) from None

    @login_required
    def resolve_catalogue_changes(root, info, since=None, first=None):
        try:
            services.device_from_request(info.context)
            return catalogue.catalogue_changes(since=since, first=first)
        except DomainError as exc:
            raise query_error(exc) from None

    @login_required
    def resolve_parked_carts(root, info, location_id=None, **_page):
        return selectors.list_parked_carts(
            location_id=decode_id(location_id, "Location") if location_id else None,
            customer_pages=customer_pages_asked(info, "edges", "node", "customer"),
        )


class Mutation(graphene.ObjectType):
    register_device = RegisterDevice.Field()
    revoke_device = RevokeDevice.Field()
    park_cart = ParkCart.Field()
    resume_cart = ResumeCart.Field()
    discard_cart = DiscardCart.Field()
