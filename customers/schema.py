import graphene
from django.apps import apps
from graphene import relay
from graphene_django import DjangoObjectType
from graphene_django.registry import get_global_registry

from customers import selectors, services
from customers.loads import customer_pages_asked
from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from shared.errors import DomainError, ErrorCode
from shared.graphql import (
    BaseMutation,
    CountableConnection,
    CountableConnectionField,
    Money,
    enum_value,
    query_error,
    resolve_id,
    selected_fields,
)
from shared.money import ZERO
from shared.nested_pages import NestedConnectionField
from shared.permissions import login_required
from shared.roles import Role

CustomerTypeEnum = graphene.Enum.from_enum(
    Customer.Type, name="CustomerKind", description="Retail or wholesale customer."
)
CustomerStatusEnum = graphene.Enum.from_enum(
    Customer.Status,
    name="CustomerStatus",
    description="active, blocked (may buy and pay now; nothing on account, no store credit) or archived.",
)
LedgerEntryTypeEnum = graphene.Enum.from_enum(
    CustomerLedgerEntry.EntryType, name="LedgerEntryType", description="Why a balance changed."
)
PaymentMethodEnum = graphene.Enum.from_enum(
    CustomerPayment.Method, name="CustomerPaymentMethod", description="How a customer paid into the account."
)


class CustomerLedgerEntryType(DjangoObjectType):
    entry_type = LedgerEntryTypeEnum(required=True)
    amount = Money(required=True, description="Signed: positive raises what the customer owes.")
    balance_after = Money(required=True, description="The customer's balance after this entry.")

    class Meta:
        model = CustomerLedgerEntry
        name = "CustomerLedgerEntry"
        description = "One change of what a customer owes (append-only)."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "user", "reference_type", "reference_id", "reference", "note", "created_at")


class CustomerPaymentType(DjangoObjectType):
    amount = Money(required=True)
    method = PaymentMethodEnum(required=True)

    class Meta:
        model = CustomerPayment
        name = "CustomerPayment"
        description = "Money a customer paid into their account."
        interfaces = (relay.Node,)
        fields = ("id", "customer", "reference", "note", "user", "created_at")


class CustomerType(DjangoObjectType):
    customer_type = CustomerTypeEnum(required=True, name="type")
    status = CustomerStatusEnum(required=True)
    credit_limit = Money(required=True, description="The most the customer may owe.")
    balance = Money(
        required=True, description="Positive: the customer owes the shop. Negative: the shop holds credit."
    )
    outstanding_debt = Money(required=True, description="What the customer owes (0.00 when in credit).")
    credit_held = Money(required=True, description="Store credit the shop holds for the customer.")
    available_credit = Money(
        required=True, description="How much more can go on account: creditLimit - balance, at least 0."
    )
    total_purchases = Money(
        required=True, description="Sum of the totals of the customer's non-voided sales."
    )
    last_purchase_at = graphene.DateTime(description="Time of the latest non-voided sale.")
    ledger = NestedConnectionField(CustomerLedgerEntryType, description="Account entries, oldest first.")
    # The Sale type belongs to the sales app above this one: found by model, as graphene-django finds
    # it for the generated relation this field replaces (same shape; pages preloaded by `customers`).
    sales = NestedConnectionField(
        lambda: get_global_registry().get_type_for_model(apps.get_model("sales", "Sale")), required=True
    )

    class Meta:
        model = Customer
        name = "Customer"
        description = "A customer with a credit account."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "name", "phone", "email", "address", "notes", "created_at", "updated_at", "sales")

    @staticmethod
    def resolve_outstanding_debt(customer, info):
        return max(customer.balance, ZERO)

    @staticmethod
    def resolve_credit_held(customer, info):
        return max(-customer.balance, ZERO)

    @staticmethod
    def resolve_available_credit(customer, info):
        return max(customer.credit_limit - customer.balance, ZERO)

    # Lists that show these read them with the rows (customers, and the customers of sales and
    # returns lists); a customer reached another way reads them on first use, never a made-up 0.00.
    @staticmethod
    def resolve_total_purchases(customer, info):
        return _purchases(customer)[0]

    @staticmethod
    def resolve_last_purchase_at(customer, info):
        return _purchases(customer)[1]

    @staticmethod
    def resolve_ledger(customer, info, **_page):
        return selectors.list_ledger_entries(customer_id=customer.pk)


def _purchases(customer):
    if not hasattr(customer, "total_purchases"):
        customer.total_purchases, customer.last_purchase_at = selectors.purchases_of(customer.pk)
    return (customer.total_purchases or ZERO, customer.last_purchase_at)


class StatementType(graphene.ObjectType):
    """An account statement a shop can hand to a customer."""

    customer = graphene.Field(CustomerType, required=True)
    date_from = graphene.Date(required=True)
    date_to = graphene.Date(required=True)
    opening_balance = Money(required=True, description="Balance at the start of dateFrom (shop time zone).")
    entries = graphene.List(graphene.NonNull(CustomerLedgerEntryType), required=True)
    total_charged = Money(required=True)
    total_credited = Money(required=True)
    closing_balance = Money(required=True, description="openingBalance + totalCharged - totalCredited.")


def _customer_pk(value, field: str = "customerId") -> int:
    return resolve_id(value, "Customer", field=field)


CUSTOMER_MAX_LENGTHS = {f: f"customers.Customer.{f}" for f in ("name", "phone", "email")}


class CreateCustomerInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    phone = graphene.String()
    email = graphene.String()
    address = graphene.String()
    type = CustomerTypeEnum()
    credit_limit = Money(description="Managers only; cashiers create customers with no credit.")
    notes = graphene.String()


class CreateCustomer(BaseMutation):
    """Register a customer (any staff; a credit limit needs a manager)."""

    customer = graphene.Field(CustomerType)
    required_role = Role.CASHIER
    max_lengths = CUSTOMER_MAX_LENGTHS
    error_field_map = {"customer_type": "type"}

    class Arguments:
        input = CreateCustomerInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        customer = services.create_customer(
            user=info.context.user,
            name=input.name,
            phone=input.phone or "",
            email=input.email or "",
            address=input.address or "",
            customer_type=enum_value(input.type) or Customer.Type.RETAIL,
            credit_limit=input.credit_limit or ZERO,
            notes=input.notes or "",
        )
        return {
            "customer": selectors.get_customer(customer_id=customer.pk),
            "message": f"Customer {customer.name} created.",
        }


class UpdateCustomerInput(graphene.InputObjectType):
    customer_id = graphene.ID(required=True)
    name = graphene.String()
    phone = graphene.String()
    email = graphene.String()
    address = graphene.String()
    type = CustomerTypeEnum()
    notes = graphene.String()
    credit_limit = Money(description="Managers only.")
    status = CustomerStatusEnum(
        description="Managers only: ACTIVE or BLOCKED (use archiveCustomer to archive)."
    )


class UpdateCustomer(BaseMutation):
    """Change a customer's details; credit limit and blocking need a manager."""

    customer = graphene.Field(CustomerType)
    required_role = Role.CASHIER
    max_lengths = CUSTOMER_MAX_LENGTHS
    error_field_map = {"customer_type": "type"}

    class Arguments:
        input = UpdateCustomerInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        pk = _customer_pk(input.customer_id)
        services.update_customer(
            user=info.context.user,
            customer_id=pk,
            name=input.name,
            phone=input.phone,
            email=input.email,
            address=input.address,
            customer_type=enum_value(input.type),
            notes=input.notes,
            credit_limit=input.credit_limit,
            status=enum_value(input.status),
        )
        return {"customer": selectors.get_customer(customer_id=pk)}


class CustomerIdInput(graphene.InputObjectType):
    customer_id = graphene.ID(required=True)


class ArchiveCustomer(BaseMutation):
    """Hide a customer from lists and new sales (managers); history is kept."""

    customer = graphene.Field(CustomerType)
    required_role = Role.MANAGER

    class Arguments:
        input = CustomerIdInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        pk = _customer_pk(input.customer_id)
        services.archive_customer(user=info.context.user, customer_id=pk)
        return {"customer": selectors.get_customer(customer_id=pk)}


class DeleteCustomer(BaseMutation):
    """Delete a customer with no history at all (managers); anyone else must be archived."""

    deleted_id = graphene.ID()
    required_role = Role.MANAGER

    class Arguments:
        input = CustomerIdInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        pk = _customer_pk(input.customer_id)
        services.delete_customer(user=info.context.user, customer_id=pk)
        return {"deleted_id": pk}


class RecordPaymentInput(graphene.InputObjectType):
    customer_id = graphene.ID(required=True)
    amount = Money(required=True)
    method = PaymentMethodEnum(required=True)
    reference = graphene.String(description="Transfer reference or card slip number.")
    note = graphene.String()
    keep_excess_as_credit = graphene.Boolean(
        default_value=False,
        description="Keep what exceeds the balance owed as store credit; without it such a payment "
        "is refused (OVERPAYMENT). Not for blocked customers (CUSTOMER_BLOCKED).",
    )


class RecordPayment(BaseMutation):
    """A customer pays into their account, off their debt. Above the balance owed it is refused
    (OVERPAYMENT, the message states the balance) unless keepExcessAsCredit is true; above the
    single-payment cap it is refused (PAYMENT_TOO_LARGE). NO_OPEN_SHIFT: a cashier without an open
    shift where registers exist (docs/tills.md)."""

    payment = graphene.Field(CustomerPaymentType)
    customer = graphene.Field(CustomerType)
    new_balance = Money(description="The customer's balance after the payment.")
    required_role = Role.CASHIER
    max_lengths = {
        "reference": "customers.CustomerPayment.reference",
        "note": "customers.CustomerPayment.note",
    }

    class Arguments:
        input = RecordPaymentInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        payment = services.record_payment(
            user=info.context.user,
            customer_id=_customer_pk(input.customer_id),
            amount=input.amount,
            method=enum_value(input.method),
            reference=input.reference or "",
            note=input.note or "",
            keep_excess_as_credit=bool(input.keep_excess_as_credit),
        )
        customer = selectors.get_customer(customer_id=payment.customer_id)
        return {
            "payment": payment,
            "customer": customer,
            "new_balance": customer.balance,
            "message": "Payment recorded.",
        }


class AdjustCustomerBalanceInput(graphene.InputObjectType):
    customer_id = graphene.ID(required=True)
    amount = Money(
        required=True, description="Signed: positive raises what the customer owes, negative lowers it."
    )
    reason = graphene.String(required=True)


class AdjustCustomerBalance(BaseMutation):
    """A manager's correction of a customer's balance, with a reason, as a ledger entry."""

    entry = graphene.Field(CustomerLedgerEntryType)
    customer = graphene.Field(CustomerType)
    required_role = Role.MANAGER
    max_lengths = {"reason": "customers.CustomerLedgerEntry.note"}

    class Arguments:
        input = AdjustCustomerBalanceInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        entry = services.adjust_balance(
            user=info.context.user,
            customer_id=_customer_pk(input.customer_id),
            amount=input.amount,
            reason=input.reason,
        )
        return {"entry": entry, "customer": selectors.get_customer(customer_id=entry.customer_id)}


class Query(graphene.ObjectType):
    customers = CountableConnectionField(
        CustomerType,
        search=graphene.String(description="Part of the name, e-mail or phone number."),
        type=CustomerTypeEnum(),
        status=CustomerStatusEnum(),
        has_debt=graphene.Boolean(),
        has_credit=graphene.Boolean(),
        include_archived=graphene.Boolean(default_value=False),
        description="Customers by name. Archived customers are hidden unless asked for.",
    )
    customer = graphene.Field(CustomerType, id=graphene.ID(required=True), description="One customer by id.")
    customer_ledger = CountableConnectionField(
        CustomerLedgerEntryType,
        customer_id=graphene.ID(required=True),
        date_from=graphene.Date(),
        date_to=graphene.Date(),
        description="A customer's account entries, oldest first.",
    )
    customer_statement = graphene.Field(
        StatementType,
        customer_id=graphene.ID(required=True),
        date_from=graphene.Date(required=True),
        date_to=graphene.Date(required=True),
        description="Opening balance, entries and closing balance for a period (days in the shop's time zone).",
    )

    @login_required
    def resolve_customers(
        root,
        info,
        search=None,
        type=None,
        status=None,
        has_debt=None,
        has_credit=None,
        include_archived=False,
        **_page,
    ):
        return selectors.list_customers(
            search=search,
            customer_type=enum_value(type),
            status=enum_value(status),
            has_debt=has_debt,
            has_credit=has_credit,
            include_archived=include_archived,
            with_purchases=bool(
                {"totalPurchases", "lastPurchaseAt"} & set(selected_fields(info, "edges", "node"))
            ),
            pages=customer_pages_asked(info, "edges", "node"),
        )

    @login_required
    def resolve_customer(root, info, id):
        try:
            return selectors.get_customer(customer_id=_customer_pk(id, "id"))
        except DomainError:
            return None

    @login_required
    def resolve_customer_ledger(root, info, customer_id, date_from=None, date_to=None, **_page):
        try:
            pk = _customer_pk(customer_id)
        except DomainError:
            return CustomerLedgerEntry.objects.none()
        return selectors.list_ledger_entries(customer_id=pk, date_from=date_from, date_to=date_to)

    @login_required
    def resolve_customer_statement(root, info, customer_id, date_from, date_to):
        if date_to < date_from:
            raise query_error(DomainError(ErrorCode.INVALID, "dateTo is before dateFrom.", field="dateTo"))
        try:
            customer = selectors.get_customer(customer_id=_customer_pk(customer_id))
        except DomainError:
            customer = None
        if customer is None:
            return None
        statement = selectors.customer_statement(customer=customer, date_from=date_from, date_to=date_to)
        return StatementType(**statement.__dict__)


class Mutation(graphene.ObjectType):
    create_customer = CreateCustomer.Field()
    update_customer = UpdateCustomer.Field()
    archive_customer = ArchiveCustomer.Field()
    delete_customer = DeleteCustomer.Field()
    record_payment = RecordPayment.Field()
    adjust_customer_balance = AdjustCustomerBalance.Field()
