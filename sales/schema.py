import graphene
from graphene import relay
from graphene_django import DjangoObjectType

from customers.loads import customer_pages_asked
from sales import selectors, services
from sales.choices import PaymentMethod, SaleStatus, SaleType
from sales.models import Payment, Sale, SaleItem, SaleItemBatch
from sales.receipts import ReceiptFormat, render_receipt
from shared.errors import DomainError, ErrorCode
from shared.graphql import (
    BaseMutation,
    CountableConnection,
    CountableConnectionField,
    ErrorType,
    Money,
    Quantity,
    enum_value,
    error_types,
    resolve_id,
    resolve_optional_id,
    selected_columns,
    selected_fields,
)
from shared.nested_pages import relations_selected
from shared.permissions import login_required
from shared.roles import Role

SaleStatusEnum = graphene.Enum.from_enum(SaleStatus, name="SaleStatus", description="Where a sale stands.")
SaleTypeEnum = graphene.Enum.from_enum(
    SaleType, name="SaleKind", description="Which catalogue price a sale uses."
)


class SaleItemBatchType(DjangoObjectType):
    quantity = Quantity(required=True)

    class Meta:
        model = SaleItemBatch
        name = "SaleItemBatch"
        description = "Stock drawn from one batch for a sale line."
        fields = ("batch", "quantity")


class SaleItemType(DjangoObjectType):
    quantity = Quantity(required=True)
    unit_price = Money(required=True, description="Price charged per unit.")
    catalogue_unit_price = Money(required=True, description="Catalogue price at the time of sale.")
    line_discount = Money(required=True, description="Discount given on this line.")
    discount = Money(required=True, description="Line discount plus this line's share of the sale discount.")
    tax_rate = graphene.String(required=True, description="Tax rate as a fraction, e.g. 0.0750.")
    tax = Money(required=True)
    subtotal = Money(required=True, description="unitPrice x quantity.")
    total = Money(required=True, description="What the customer pays for the line, tax included.")
    batches = graphene.List(graphene.NonNull(SaleItemBatchType), required=True)

    class Meta:
        model = SaleItem
        name = "SaleItem"
        description = "One line of a sale, priced and snapshotted at sale time."
        interfaces = (relay.Node,)
        fields = ("id", "line_number", "product", "quantity", "is_price_override")

    @staticmethod
    def resolve_batches(item, info):
        return item.batches.all()


class PaymentType(DjangoObjectType):
    method = graphene.String(
        required=True, description="cash, transfer, card, credit, store_credit or part_payment."
    )
    amount = Money(required=True, description="Amount tendered (cash before change).")

    class Meta:
        model = Payment
        name = "Payment"
        description = "A tender used to pay a sale."
        fields = ("method", "amount", "reference", "created_at")


class SaleType_(DjangoObjectType):
    status = SaleStatusEnum(required=True)
    sale_type = SaleTypeEnum(required=True)
    subtotal = Money(required=True)
    discount_total = Money(required=True)
    tax_total = Money(required=True)
    total = Money(required=True, description="What the customer owes for the sale, tax included.")
    amount_paid = Money(required=True, description="Money received now (before change).")
    change = Money(required=True, description="Cash handed back.")
    amount_on_account = Money(required=True, description="Charged to the customer's account.")
    credit_applied = Money(required=True, description="Customer store credit spent.")
    credit_created = Money(required=True, description="Overpayment kept as credit for the customer.")
    device_receipt_number = graphene.String(
        required=True,
        description="The receipt number an offline till printed before the sale reached the server "
        "(syncSales); empty for a sale made online.",
    )
    items = graphene.List(graphene.NonNull(SaleItemType), required=True)
    payments = graphene.List(graphene.NonNull(PaymentType), required=True)
    customer_balance = Money(description="The customer's balance now (positive: owes the shop).")
    returns = graphene.List(
        graphene.NonNull("returns.schema.ReturnType"), required=True, description="Returns against this sale."
    )

    class Meta:
        model = Sale
        name = "Sale"
        description = "A sale at the till."
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "transaction_id",
            "device_receipt_number",
            "customer",
            "location",
            "cashier",
            "note",
            "created_at",
            "voided_at",
            "voided_by",
            "void_reason",
        )

    @staticmethod
    def resolve_items(sale, info):
        return sale.items.all()

    @staticmethod
    def resolve_payments(sale, info):
        return sale.payments.all()

    @staticmethod
    def resolve_returns(sale, info):
        return sale.returns.all()

    @staticmethod
    def resolve_customer_balance(sale, info):
        return sale.customer.balance if sale.customer_id else None


class SaleItemInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="Raw id or Relay global id of the product.")
    quantity = Quantity(required=True)
    unit_price = Money(description="Only to override the catalogue price (managers).")
    discount = Money(description="Amount off this line.")


class PaymentInput(graphene.InputObjectType):
    method = graphene.String(
        required=True, description="cash, transfer, card (credit_card), credit, store_credit, part_payment."
    )
    amount = Money(required=True)
    balance = Money(description="What you believe remains unpaid after this payment; checked by the server.")
    reference = graphene.String(description="Card slip or transfer reference.")


class SaleInput(graphene.InputObjectType):
    customer_id = graphene.ID()
    items = graphene.List(graphene.NonNull(SaleItemInput), required=True)
    payments = graphene.List(
        graphene.NonNull(PaymentInput), required=True, description="One payment or a list (split tender)."
    )
    sale_type = SaleTypeEnum(
        default_value=SaleType.RETAIL.value,
        description="WHOLESALE only for a wholesale customer or when a manager sells (else WHOLESALE_NOT_ALLOWED).",
    )
    location_id = graphene.ID(description="Defaults to the shop's default location.")
    discount = Money(description="Amount off the whole sale, spread over the lines.")
    idempotency_key = graphene.String(
        description="Client-generated key: a retry with the same key returns the first sale. Leave it out "
        "rather than sending a blank one (INVALID)."
    )
    keep_change_as_credit = graphene.Boolean(default_value=False)
    note = graphene.String()


def sale_lines_from_input(items, field: str = "items") -> list[services.SaleLineRequest]:
    return [
        services.SaleLineRequest(
            product_id=resolve_id(item.product_id, "Product", field=f"{field}.{i}.productId"),
            quantity=item.quantity,
            unit_price=item.unit_price,
            discount=item.discount or 0,
        )
        for i, item in enumerate(items or [])
    ]


def payments_from_input(payments) -> list[services.PaymentRequest]:
    return [
        services.PaymentRequest(
            method=p.method, amount=p.amount, balance=p.balance, reference=p.reference or ""
        )
        for p in payments or []
    ]


def sale_request_from_input(data) -> services.SaleRequest:
    return services.SaleRequest(
        items=sale_lines_from_input(data.items),
        payments=payments_from_input(data.payments),
        customer_id=resolve_optional_id(data.customer_id, "Customer", field="customerId"),
        location_id=resolve_optional_id(data.location_id, "Location", field="locationId"),
        sale_type=enum_value(data.sale_type) or SaleType.RETAIL,
        discount=data.discount or 0,
        keep_change_as_credit=bool(data.keep_change_as_credit),
        note=data.note or "",
        idempotency_key=data.idempotency_key,  # a blank key is refused by the service
    )


class CreateSale(BaseMutation):
    """Sell at the till: price from the catalogue, take stock, take payment, charge the account. All or nothing.

    Money rules (docs/checkout.md): PAYMENT_SHORT (paid short without part_payment or credit),
    CUSTOMER_BLOCKED (a blocked customer's account or store credit used), WHOLESALE_NOT_ALLOWED,
    LINE_TOTAL_ZERO, PAYMENT_TOO_LARGE, CHANGE_TOO_LARGE, INVALID on a blank idempotencyKey.
    NO_OPEN_SHIFT: a cashier without an open shift at a location with registers (docs/tills.md)."""

    sale = graphene.Field(SaleType_)
    replayed = graphene.Boolean(
        description="True when this is the saved result of an earlier request with the same idempotencyKey."
    )
    required_role = Role.CASHIER
    max_lengths = {
        "note": "sales.Sale.note",
        "idempotencyKey": "sales.Sale.idempotency_key",
        "payments.reference": "sales.Payment.reference",
    }

    class Arguments:
        input = SaleInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        result = services.create_sale(user=info.context.user, request=sale_request_from_input(input))
        # A new sale comes back with its lines and payments attached; a replay is read afresh.
        sale = selectors.get_sale(sale_id=result.sale.pk) if result.replayed else result.sale
        return {
            "sale": sale,
            "replayed": result.replayed,
            "message": f"Sale {sale.transaction_id} completed.",
        }


class VoidSaleInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="Sale id (raw or global) or its transactionId.")
    reason = graphene.String(required=True)


class VoidSale(BaseMutation):
    """Void a sale (managers): stock comes back and every account effect is reversed.

    The money goes back out of the sale's shift while it is open, else the voider's open shift;
    NO_OPEN_SHIFT when the sale's shift is closed and the voider has none (docs/tills.md)."""

    sale = graphene.Field(SaleType_)
    required_role = Role.MANAGER
    max_lengths = {"reason": "sales.Sale.void_reason"}

    class Arguments:
        input = VoidSaleInput(required=True)

    @classmethod
    def perform_mutation(cls, root, info, input):
        sale_id = _sale_pk(input.id, field="id")
        sale = services.void_sale(user=info.context.user, sale_id=sale_id, reason=input.reason)
        return {"sale": selectors.get_sale(sale_id=sale.pk), "message": f"Sale {sale.transaction_id} voided."}


def _sale_pk(value: str, *, field: str) -> int:
    sale = selectors.find_sale(identifier=value)
    if sale is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Sale not found.", field=field)
    return sale.pk


class PricedLineType(graphene.ObjectType):
    product_id = graphene.ID(required=True)
    quantity = Quantity(required=True)
    unit_price = Money(required=True)
    subtotal = Money(required=True)
    discount = Money(required=True)
    tax = Money(required=True)
    total = Money(required=True)
    is_price_override = graphene.Boolean(required=True)


class ShortageType(graphene.ObjectType):
    product_id = graphene.ID(required=True)
    requested = Quantity(required=True)
    available = Quantity(required=True)


class SaleQuoteType(graphene.ObjectType):
    """What createSale would charge for this input, computed by the same code; nothing is saved."""

    lines = graphene.List(graphene.NonNull(PricedLineType), required=True)
    subtotal = Money(required=True)
    discount_total = Money(required=True)
    tax_total = Money(required=True)
    total = Money(required=True)
    amount_paid = Money(required=True)
    change = Money(required=True)
    amount_on_account = Money(required=True)
    credit_applied = Money(required=True)
    credit_created = Money(required=True)
    amount_due = Money(
        required=True,
        description="What is still to be paid or put on account (the total when no payments are given).",
    )
    shortages = graphene.List(
        graphene.NonNull(ShortageType), required=True, description="Lines that lack stock."
    )


class PriceSaleResult(graphene.ObjectType):
    success = graphene.Boolean(required=True)
    message = graphene.String()
    errors = graphene.List(graphene.NonNull(ErrorType), required=True)
    quote = graphene.Field(
        SaleQuoteType,
        description="The priced sale; also given when only PAYMENT_SHORT refuses it (a tender in progress: "
        "amountPaid so far, amountDue still to pay).",
    )


class Query(graphene.ObjectType):
    sales = CountableConnectionField(
        SaleType_,
        date_from=graphene.Date(),
        date_to=graphene.Date(),
        customer_id=graphene.ID(),
        cashier_id=graphene.ID(),
        location_id=graphene.ID(),
        status=SaleStatusEnum(),
        payment_method=graphene.String(),
        transaction_id=graphene.String(),
        device_receipt_number=graphene.String(description="The number an offline till printed."),
        description="Sales, newest first. Cashiers see their own sales; managers see all.",
    )
    sale = graphene.Field(
        SaleType_,
        id=graphene.ID(),
        transaction_id=graphene.String(),
        device_receipt_number=graphene.String(description="The number an offline till printed."),
        description="One sale by id, transactionId or deviceReceiptNumber.",
    )
    price_sale = graphene.Field(
        PriceSaleResult, input=SaleInput(required=True), description="Price a cart without saving it."
    )
    receipt = graphene.String(
        transaction_id=graphene.String(required=True),
        format=graphene.Enum.from_enum(ReceiptFormat, name="ReceiptFormat")(
            default_value=ReceiptFormat.TEXT_42.value
        ),
        description="A printable receipt: plain text for 42/48-column thermal printers, or HTML.",
    )

    @login_required
    def resolve_sales(root, info, **filters):
        page_args = ("first", "last", "before", "after", "offset")
        filters = {k: v for k, v in filters.items() if k not in page_args}
        joins, preload = _sale_loads_asked(info, "edges", "node")
        return selectors.list_sales(
            user=info.context.user,
            joins=joins,
            preload=preload,
            columns=selected_columns(Sale, selected_fields(info, "edges", "node"), via=_SALE_COLUMNS_VIA),
            customer_pages=customer_pages_asked(info, "edges", "node", "customer"),
            **filters,
        )

    @login_required
    def resolve_sale(root, info, id=None, transaction_id=None, device_receipt_number=None):
        return selectors.find_sale(identifier=transaction_id or id or device_receipt_number)

    @login_required
    def resolve_price_sale(root, info, input):
        try:
            quote = services.price_sale(user=info.context.user, request=sale_request_from_input(input))
        except DomainError as exc:
            return PriceSaleResult(success=False, message=exc.message, errors=error_types(exc.errors))
        if quote.refusal is not None:  # a short tender: refused like createSale, yet still quoted
            refusal = quote.refusal
            return PriceSaleResult(
                success=False,
                message=refusal.message,
                errors=error_types(refusal.errors),
                quote=_quote_type(quote),
            )
        return PriceSaleResult(success=True, errors=[], quote=_quote_type(quote))

    @login_required
    def resolve_receipt(root, info, transaction_id, format):
        sale = selectors.find_sale(identifier=transaction_id)
        return render_receipt(sale, ReceiptFormat(enum_value(format))) if sale else None


# The Sale fields that read no column of their own name (see shared.graphql.selected_columns).
_SALE_COLUMNS_VIA = {"items": (), "payments": (), "returns": (), "customerBalance": ("customer_id",)}


def _sale_loads_asked(info, *path: str) -> tuple[set[str], set[str]]:
    """The related rows to join and the relations to preload for the sales under `path`."""
    joins, preload = selectors.sale_loads(selected_fields(info, *path), selected_fields(info, *path, "items"))
    if "returns" in preload:  # what the query shows of the returns, one query per relation
        return_model = Sale._meta.get_field("returns").related_model
        preload |= {
            f"returns.{lookup}"
            for lookup in relations_selected(return_model, info, *path, "returns", parent="sale")
        }
    return joins, preload


def _quote_type(quote: services.SaleQuote) -> SaleQuoteType:
    priced = quote.priced
    return SaleQuoteType(
        lines=[
            PricedLineType(
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                subtotal=line.subtotal,
                discount=line.discount,
                tax=line.tax,
                total=line.total,
                is_price_override=line.is_price_override,
            )
            for line in priced.lines
        ],
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        tax_total=priced.tax_total,
        total=priced.total,
        amount_paid=priced.amount_paid,
        change=priced.change,
        amount_on_account=priced.amount_on_account,
        credit_applied=priced.credit_applied,
        credit_created=priced.credit_created,
        amount_due=quote.amount_due,
        shortages=[ShortageType(**s) for s in quote.shortages],
    )


class Mutation(graphene.ObjectType):
    create_sale = CreateSale.Field()
    void_sale = VoidSale.Field()


__all__ = ["Query", "Mutation", "PaymentMethod", "resolve_id"]
