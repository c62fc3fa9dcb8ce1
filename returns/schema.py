import graphene
from graphene import relay
from graphene.utils.str_converters import to_snake_case
from graphene_django import DjangoObjectType

from customers.loads import customer_pages_asked
from returns import selectors, services
from returns.exchange import create_exchange
from returns.models import Return, ReturnItem
from sales import selectors as sale_selectors
from shared.errors import DomainError, ErrorCode
from shared.graphql import (
    BaseMutation,
    CountableConnection,
    CountableConnectionField,
    Money,
    Quantity,
    decode_id,
    enum_value,
    resolve_id,
    selected_fields,
)
from shared.permissions import login_required
from shared.roles import Role

ReturnStatusEnum = graphene.Enum.from_enum(
    Return.Status, name="ReturnStatus", description="pending until a manager approves or rejects."
)
RefundMethodEnum = graphene.Enum.from_enum(
    Return.RefundMethod, name="RefundMethod", description="How the refund is paid."
)


class ReturnItemType(DjangoObjectType):
    quantity = Quantity(required=True)
    refund_amount = Money(required=True, description="What the customer paid for these units.")

    class Meta:
        model = ReturnItem
        name = "ReturnItem"
        description = "Goods of one sale line coming back."
        fields = ("id", "sale_item", "reason", "restock")


class ReturnType(DjangoObjectType):
    status = ReturnStatusEnum(required=True)
    refund_method = RefundMethodEnum(required=True)
    refund_total = Money(required=True)
    debt_reduction_amount = Money(
        required=True, description="Part of the refund that reduced what the sale left owing."
    )
    credit_refund_amount = Money(required=True, description="Part refunded as store credit.")
    cash_refund_amount = Money(required=True, description="Part paid back in cash or by the original method.")
    exchange_amount = Money(required=True, description="Part spent on the replacement sale of an exchange.")
    requested_at = graphene.DateTime(required=True)
    items = graphene.List(graphene.NonNull(ReturnItemType), required=True)

    class Meta:
        model = Return
        name = "Return"
        description = "A return against a sale."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "return_number",
            "sale",
            "customer",
            "note",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "exchange_sale",
        )

    @staticmethod
    def resolve_requested_at(ret, info):
        return ret.created_at

    @staticmethod
    def resolve_items(ret, info):
        return ret.items.all()


class ReturnLineInput(graphene.InputObjectType):
    sale_item_id = graphene.ID(required=True)
    quantity = Quantity(required=True)
    reason = graphene.String()
    restock = graphene.Boolean(
        default_value=True, description="False for damaged or expired goods (written off)."
    )


class CreateReturnInput(graphene.InputObjectType):
    sale_id = graphene.ID(description="The sale's id; or give transactionId.")
    transaction_id = graphene.String()
    items = graphene.List(graphene.NonNull(ReturnLineInput), required=True)
    refund_method = RefundMethodEnum(required=True, description="CASH, ORIGINAL or STORE_CREDIT.")
    note = graphene.String()


def _sale_pk(input) -> int:
    if input.transaction_id:
        sale = sale_selectors.find_sale(identifier=input.transaction_id)
        if sale is None:
            raise DomainError(ErrorCode.NOT_FOUND, "Sale not found.", field="transactionId")
        return sale.pk
    return resolve_id(input.sale_id, "Sale", field="saleId")


class CreateReturn(BaseMutation):
    """Ask to take goods back (any staff); refunds are computed by the server. A manager decides."""

    return_ = graphene.Field(ReturnType, name="return")
    required_role = Role.CASHIER
    max_lengths = {"note": "returns.Return.note", "items.reason": "returns.ReturnItem.reason"}

    class Arguments:
        input = CreateReturnInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        lines = _return_lines(input.items, "items")
        ret = services.create_return(
            user=info.context.user,
            sale_id=_sale_pk(input),
            lines=lines,
            refund_method=enum_value(input.refund_method),
            note=input.note or "",
        )
        return {
            "return_": selectors.get_return(return_id=ret.pk),
            "message": f"Return {ret.return_number} is waiting for a manager.",
        }


class ApproveReturnInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="Return id (raw or global) or its return number.")
    note = graphene.String()


class RejectReturnInput(graphene.InputObjectType):
    id = graphene.ID(required=True)
    reason = graphene.String(required=True)


def _return_pk(value) -> int:
    ret = selectors.find_return(identifier=value)
    if ret is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Return not found.", field="id")
    return ret.pk


class ApproveReturn(BaseMutation):
    """Approve a return (managers): restock or write off, pay the refund, update the sale."""

    return_ = graphene.Field(ReturnType, name="return")
    required_role = Role.MANAGER
    max_lengths = {"note": "returns.Return.decision_note"}

    class Arguments:
        input = ApproveReturnInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        ret = services.approve_return(
            user=info.context.user, return_id=_return_pk(input.id), note=input.note or ""
        )
        return {
            "return_": selectors.get_return(return_id=ret.pk),
            "message": f"Return {ret.return_number} approved.",
        }


class RejectReturn(BaseMutation):
    """Reject a return (managers)."""

    return_ = graphene.Field(ReturnType, name="return")
    required_role = Role.MANAGER
    max_lengths = {"reason": "returns.Return.decision_note"}

    class Arguments:
        input = RejectReturnInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        ret = services.reject_return(
            user=info.context.user, return_id=_return_pk(input.id), reason=input.reason
        )
        return {
            "return_": selectors.get_return(return_id=ret.pk),
            "message": f"Return {ret.return_number} rejected.",
        }


class CreateExchangeInput(graphene.InputObjectType):
    sale_id = graphene.ID(description="The original sale's id; or give transactionId.")
    transaction_id = graphene.String()
    return_items = graphene.List(
        graphene.NonNull(ReturnLineInput), required=True, description="What comes back."
    )
    items = graphene.List(
        graphene.NonNull("sales.schema.SaleItemInput"), required=True, description="The replacements."
    )
    payments = graphene.List(
        graphene.NonNull("sales.schema.PaymentInput"),
        default_value=[],
        description="What the customer pays on top, if anything.",
    )
    difference_refund_method = RefundMethodEnum(
        default_value=Return.RefundMethod.CASH.value, description="CASH or STORE_CREDIT."
    )
    note = graphene.String()


class CreateExchange(BaseMutation):
    """Take goods back and sell replacements in one go (managers); the difference is paid or refunded."""

    return_ = graphene.Field(ReturnType, name="return")
    sale = graphene.Field("sales.schema.SaleType_", description="The replacement sale.")
    refunded = Money(description="The difference paid back to the customer (0.00 when they paid more).")
    required_role = Role.MANAGER
    max_lengths = {
        "note": "returns.Return.note",
        "returnItems.reason": "returns.ReturnItem.reason",
        "payments.reference": "sales.Payment.reference",
    }

    class Arguments:
        input = CreateExchangeInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        from sales.schema import payments_from_input, sale_lines_from_input

        result = create_exchange(
            user=info.context.user,
            sale_id=_sale_pk(input),
            return_lines=_return_lines(input.return_items, "returnItems"),
            new_items=sale_lines_from_input(input.items),
            payments=payments_from_input(input.payments),
            difference_refund_method=enum_value(input.difference_refund_method),
            note=input.note or "",
        )
        return {
            "return_": selectors.get_return(return_id=result.return_request.pk),
            "sale": sale_selectors.get_sale(sale_id=result.sale.pk),
            "refunded": result.refunded,
            "message": f"Exchange done: {result.sale.transaction_id}.",
        }


def _return_lines(lines, field: str) -> list[services.ReturnLineRequest]:
    return [
        services.ReturnLineRequest(
            sale_item_id=resolve_id(line.sale_item_id, "SaleItem", field=f"{field}.{i}.saleItemId"),
            quantity=line.quantity,
            reason=line.reason or "",
            restock=line.restock is not False,
        )
        for i, line in enumerate(lines or [])
    ]


class ReturnableLineType(graphene.ObjectType):
    """One line of a sale and how much of it can still come back."""

    sale_item = graphene.Field(
        "sales.schema.SaleItemType", required=True, description="Its id is createReturn's saleItemId."
    )
    sold = Quantity(required=True)
    returned = Quantity(required=True, description="Taken back by approved returns.")
    pending = Quantity(required=True, description="Claimed by returns awaiting a manager.")
    returnable = Quantity(
        required=True,
        description="What createReturn accepts now: sold - returned - pending (0 on a voided sale).",
    )

    @staticmethod
    def resolve_sold(line, info):
        return line.sale_item.quantity


class ReturnableSaleType(graphene.ObjectType):
    """A sale found by its receipt number, with what each line can still be returned."""

    sale = graphene.Field("sales.schema.SaleType_", required=True)
    lines = graphene.List(graphene.NonNull(ReturnableLineType), required=True, description="In line order.")


class Query(graphene.ObjectType):
    returnable_sale = graphene.Field(
        ReturnableSaleType,
        transaction_id=graphene.String(
            required=True, description="The receipt number (e.g. S2026-000123); a sale id also works."
        ),
        description="Look up a sale to return goods from: its lines with returnable quantities, in one "
        "call. Null when no sale matches. Any staff member may look one up (like `sale`).",
    )
    returns = CountableConnectionField(
        ReturnType,
        status=ReturnStatusEnum(),
        date_from=graphene.Date(),
        date_to=graphene.Date(),
        customer_id=graphene.ID(),
        sale_id=graphene.ID(),
        description="Returns, newest first. `status: PENDING` lists what awaits a manager.",
    )
    return_ = graphene.Field(
        ReturnType, id=graphene.ID(required=True), name="return", description="One return by id or number."
    )

    @login_required
    def resolve_returns(
        root, info, status=None, date_from=None, date_to=None, customer_id=None, sale_id=None, **_page
    ):
        fields = selected_fields(info, "edges", "node")
        preload = {"items"} & set(fields)
        for field, name in (("sale", "sale"), ("exchangeSale", "exchange_sale")):
            shown = selected_fields(info, "edges", "node", field)
            _, relations = sale_selectors.sale_loads(
                shown, selected_fields(info, "edges", "node", field, "items")
            )
            preload |= {f"{name}.{relation}" for relation in relations}
        return selectors.list_returns(
            status=enum_value(status),
            date_from=date_from,
            date_to=date_to,
            customer_id=decode_id(customer_id, "Customer") if customer_id else None,
            sale_id=decode_id(sale_id, "Sale") if sale_id else None,
            joins={to_snake_case(name) for name in fields},
            preload=preload,
            customer_pages=customer_pages_asked(info, "edges", "node", "customer"),
            sale_customer_pages=customer_pages_asked(info, "edges", "node", "sale", "customer"),
        )

    @login_required
    def resolve_returnable_sale(root, info, transaction_id):
        line_fields = selected_fields(info, "lines")
        item_fields = {**selected_fields(info, "sale", "items"), **selected_fields(info, "lines", "saleItem")}
        joins, preload = sale_selectors.sale_loads(selected_fields(info, "sale"), item_fields)
        if line_fields:  # the lines are the sale's items: with what they show of them
            preload |= {f"items.{name}" for name in ("product", "batches") if name in item_fields}
        return selectors.get_returnable_sale(
            identifier=transaction_id,
            joins=joins,
            preload=preload,
            with_lines=bool(line_fields),
            with_claims=bool({"returned", "pending", "returnable"} & set(line_fields)),
        )

    @login_required
    def resolve_return_(root, info, id):
        return selectors.find_return(identifier=id)


class Mutation(graphene.ObjectType):
    create_return = CreateReturn.Field()
    approve_return = ApproveReturn.Field()
    reject_return = RejectReturn.Field()
    create_exchange = CreateExchange.Field()
