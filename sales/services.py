"""The till: price, create and void sales. One transaction per call; see docs/ARCHITECTURE.md for locks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction

from customers import services as customer_services
from customers.models import Customer
from products import selectors as product_selectors
from products import services as stock_services
from products.models import Location, Product
from sales import idempotency, numbering, pricing, summaries, till
from sales.choices import PaymentMethod, SaleStatus, SaleType
from sales.error_codes import SaleErrorCode
from sales.models import Payment, Sale, SaleItem, SaleItemBatch
from sales.offline import CataloguePrice
from shared import clock, generations, inserts
from shared.errors import DomainError, ErrorCode, ErrorDetail, check_length
from shared.money import ZERO, parse_money, parse_quantity
from shared.prefetch import set_prefetched
from shared.roles import Role, has_role
from tills import services as till_services

REFERENCE_TYPE = "sale"
FIND_SHIFT = object()  # create_sale's default: the user's open shift (tills.services.shift_for_posting)

_SALE_TYPES = frozenset(SaleType.values)  # a Choices class rebuilds .values on every read


@dataclass(frozen=True)
class SaleLineRequest:
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None  # a client price: an override when it differs from the catalogue
    discount: Decimal = ZERO


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    amount: Decimal
    balance: Decimal | None = None
    reference: str = ""


@dataclass(frozen=True)
class SaleRequest:
    items: list[SaleLineRequest]
    payments: list[PaymentRequest]
    customer_id: int | None = None
    location_id: int | None = None
    sale_type: str = SaleType.RETAIL
    discount: Decimal = ZERO
    keep_change_as_credit: bool = False
    note: str = ""
    idempotency_key: str | None = None


@dataclass
class SaleQuote:
    """What createSale would charge, computed by the same code, without writing anything.

    With no payments yet (a cart being built) only the cart is priced: the tender figures are zero
    and `amount_due` is the total.
    """

    priced: pricing.PricedSale
    customer: Customer | None
    location: Location
    amount_due: Decimal
    shortages: list[dict] = field(default_factory=list)
    # PAYMENT_SHORT that createSale would raise: priceSale still quotes a tender in progress (what is
    # paid so far and what is still due) so a till can show it while the cashier types amounts.
    refusal: DomainError | None = None


@dataclass
class SaleResult:
    sale: Sale
    replayed: bool = False


def _validate_request(request: SaleRequest, *, allow_exchange_tender: bool = False) -> SaleRequest:
    errors: list[ErrorDetail] = []
    for index, payment in enumerate(request.payments):
        if str(payment.method).strip().lower() == PaymentMethod.EXCHANGE and not allow_exchange_tender:
            errors.append(
                ErrorDetail(
                    SaleErrorCode.INVALID_PAYMENT_METHOD,
                    "Use createExchange to exchange goods.",
                    f"payments.{index}.method",
                )
            )
    items: list[SaleLineRequest] = []
    if not request.items:
        raise DomainError(ErrorCode.INVALID, "A sale needs at least one item.", field="items")
    if len(request.items) > settings.MAX_SALE_ITEMS:
        raise DomainError(
            ErrorCode.INVALID, f"A sale can have at most {settings.MAX_SALE_ITEMS} items.", field="items"
        )
    for index, line in enumerate(request.items):
        try:
            items.append(
                SaleLineRequest(
                    product_id=line.product_id,
                    quantity=parse_quantity(line.quantity, field=f"items.{index}.quantity"),
                    unit_price=None
                    if line.unit_price is None
                    else parse_money(line.unit_price, field=f"items.{index}.unitPrice"),
                    discount=parse_money(line.discount or ZERO, field=f"items.{index}.discount"),
                )
            )
        except DomainError as exc:
            errors.extend(exc.errors)
    if request.sale_type not in _SALE_TYPES:
        errors.append(ErrorDetail(ErrorCode.INVALID, "Sale type must be retail or wholesale.", "saleType"))
    key = request.idempotency_key
    if key is not None and not key.strip():
        errors.append(
            ErrorDetail(
                ErrorCode.INVALID, "Leave the idempotency key out, or send a non-blank one.", "idempotencyKey"
            )
        )
    try:
        discount = parse_money(request.discount or ZERO, field="discount")
    except DomainError as exc:
        errors.extend(exc.errors)
        discount = ZERO
    if errors:
        raise DomainError.many(errors)
    return replace(
        request,
        items=items,
        payments=list(request.payments),
        discount=discount,
        idempotency_key=key.strip() if key is not None else None,
    )


def _load_customer(customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Customer not found.", field="customerId")
    # A blocked customer may still buy and pay now; the tender rules keep their account untouched.
    if customer.status == Customer.Status.ARCHIVED:
        raise DomainError(
            "CUSTOMER_ARCHIVED", f"{customer.name} is archived and cannot buy.", field="customerId"
        )
    return customer


def _price(
    *,
    user,
    request: SaleRequest,
    customer: Customer | None,
    products: dict[int, Product],
    cart_only: bool = False,
    trust_client_prices: bool = False,
    catalogue_prices: Sequence[CataloguePrice | None] | None = None,
    allow_archived_and_blocked: bool = False,
) -> pricing.PricedSale:
    is_manager = has_role(user, Role.MANAGER)
    _check_sale_type(request.sale_type, customer=customer, is_manager=is_manager)
    errors: list[ErrorDetail] = []
    lines: list[pricing.PricedLineInput] = []
    for index, line in enumerate(request.items):
        product = products.get(line.product_id)
        if product is None:
            errors.append(ErrorDetail(ErrorCode.NOT_FOUND, "Product not found.", f"items.{index}.productId"))
            continue
        if not product.is_active and not allow_archived_and_blocked:
            errors.append(
                ErrorDetail(
                    "PRODUCT_ARCHIVED",
                    f"{product.name} is archived and cannot be sold.",
                    f"items.{index}.productId",
                )
            )
            continue
        catalogue = (
            product.wholesale_price if request.sale_type == SaleType.WHOLESALE else product.retail_price
        )
        tax_rate = product.tax_rate
        if catalogue_prices and catalogue_prices[index] is not None:  # what an offline till held
            catalogue, tax_rate = catalogue_prices[index].unit_price, catalogue_prices[index].tax_rate
        lines.append(
            pricing.PricedLineInput(
                product_id=product.pk,
                quantity=line.quantity,
                catalogue_unit_price=catalogue,
                tax_rate=tax_rate,
                unit_price_override=line.unit_price,
                line_discount=line.discount,
                quantity_decimals=product.quantity_decimals,
                product_name=product.name,
            )
        )
    if errors:
        raise DomainError.many(errors)
    store_credit = max(ZERO, -customer.balance) if customer is not None else ZERO
    if cart_only:
        cart = pricing.price_cart(
            lines,
            discount=request.discount,
            prices_include_tax=settings.PRICES_INCLUDE_TAX,
            max_items=settings.MAX_SALE_ITEMS,
        )
        priced = pricing.PricedSale(
            **{f: getattr(cart, f) for f in pricing.PricedCart.__dataclass_fields__},
            payments=(),
            amount_paid=ZERO,
            change=ZERO,
            amount_on_account=ZERO,
            credit_applied=ZERO,
            credit_created=ZERO,
        )
    else:
        priced = pricing.price_sale(
            lines,
            discount=request.discount,
            prices_include_tax=settings.PRICES_INCLUDE_TAX,
            payments=[
                pricing.TenderInput(p.method, p.amount, p.balance, p.reference or "")
                for p in request.payments
            ],
            keep_change_as_credit=request.keep_change_as_credit,
            has_customer=customer is not None,
            customer_store_credit_available=store_credit,
            customer_blocked=customer is not None
            and customer.status == Customer.Status.BLOCKED
            and not allow_archived_and_blocked,
            max_items=settings.MAX_SALE_ITEMS,
        )
    pricing.check_cashier_limits(
        priced,
        max_discount_percent=Decimal(settings.CASHIER_MAX_DISCOUNT_PERCENT),
        overrides_present=any(line.is_price_override for line in priced.lines),
        is_manager=is_manager or trust_client_prices,
    )
    return priced


def _check_sale_type(sale_type: str, *, customer: Customer | None, is_manager: bool) -> None:
    """Wholesale prices are for wholesale customers; anyone else gets them only from a manager."""
    if sale_type != SaleType.WHOLESALE or is_manager:
        return
    if customer is not None and customer.customer_type == Customer.Type.WHOLESALE:
        return
    raise DomainError(
        SaleErrorCode.WHOLESALE_NOT_ALLOWED,
        "Wholesale prices are for wholesale customers; ask a manager to make this sale.",
        field="saleType",
    )


def price_sale(*, user, request: SaleRequest) -> SaleQuote:
    """Price a cart exactly as create_sale would and report lines lacking stock; writes nothing.

    A short tender (PAYMENT_SHORT) is still quoted, with the refusal in `refusal`: a tender screen
    shows what is paid and still due while the cashier types; create_sale refuses it as before.
    """
    request = _validate_request(request)
    customer = _load_customer(request.customer_id)
    # Read the way create_sale reads them: the till prices every cart change, so it shares the
    # per-process copy of the locations (checked against the token the products statement carries).
    products, setup_token = _load_products_and_setup(request)
    location = _load_location_cached(request.location_id, setup_token)
    refusal = None
    try:
        priced = _price(
            user=user, request=request, customer=customer, products=products, cart_only=not request.payments
        )
    except DomainError as exc:
        if exc.code != SaleErrorCode.PAYMENT_SHORT or len(exc.errors) != 1:
            raise
        refusal = exc
        priced = _price_short_tender(
            user=user, request=request, customer=customer, products=products, exc=exc
        )
    shortages = product_selectors.find_shortages(
        location=location, requests=_stock_requests(request.items), products=products
    )
    settled = (
        priced.amount_paid
        - priced.change
        + priced.credit_applied
        + priced.amount_on_account
        - priced.credit_created
    )
    return SaleQuote(
        priced=priced,
        customer=customer,
        location=location,
        amount_due=max(priced.total - settled, ZERO),
        shortages=shortages,
        refusal=refusal,
    )


def _price_short_tender(
    *, user, request: SaleRequest, customer, products, exc: DomainError
) -> pricing.PricedSale:
    """The tender so far of a short payment: priced as if the shortfall were paid in cash, then taken
    back out, so every other figure comes from the same tender code as createSale."""
    short = Decimal(exc.errors[0].params["short"])
    topped_up = replace(request, payments=[*request.payments, PaymentRequest(method="cash", amount=short)])
    try:
        priced = _price(user=user, request=topped_up, customer=customer, products=products)
    except DomainError:
        raise exc from None  # the top-up itself breaks a rule (a payment cap): keep the first refusal
    return replace(priced, payments=priced.payments[:-1], amount_paid=priced.amount_paid - short)


def _stock_requests(items: list[SaleLineRequest]) -> list[stock_services.StockRequest]:
    """One request per product (a product on two lines is deducted once, for both)."""
    wanted: dict[int, Decimal] = {}
    for line in items:
        wanted[line.product_id] = wanted.get(line.product_id, ZERO) + line.quantity
    return [stock_services.StockRequest(product_id=pid, quantity=qty) for pid, qty in sorted(wanted.items())]


def _fingerprint(request: SaleRequest) -> str:
    payload = idempotency.plain(request)
    payload.pop("idempotency_key")
    return idempotency.fingerprint(payload)


def create_sale(
    *,
    user,
    request: SaleRequest,
    allow_exchange_tender: bool = False,
    fallback_shift_ids: tuple[int | None, ...] = (),
    trust_client_prices: bool = False,
    allow_over_credit_limit: bool = False,
    catalogue_prices: Sequence[CataloguePrice | None] | None = None,
    posting_shift=FIND_SHIFT,
    allow_archived_and_blocked: bool = False,
) -> SaleResult:
    """Create a completed sale: price it, deduct stock, settle the customer's account, record payments.

    Locks, in order: the cashier's shift, stock levels and batches (by pk, inside deduct_stock),
    the customer (post_sale_to_account), the idempotency key's unique index entry (the sale's
    INSERT: a concurrent sale with the same key waits there, then writes nothing and is answered
    with the first sale, or refused IDEMPOTENCY_KEY_REUSED for other input), and last the year's
    sale number (on PostgreSQL in the last round trip, with the summary upserts; see
    sales.numbering). Any refusal raises DomainError and rolls everything back: no sale, movement
    or ledger row is left behind, and no number is used up. A refused attempt that carries a key
    another sale holds (a retry after the stock ran out) is answered with that sale. No savepoint
    inside: this transaction is the unit of undo (see docs/PERFORMANCE.md for the statement budget).

    An offline sale synced later (offline.services.sync) is a fact: `trust_client_prices` takes the
    till's unit prices and discounts as given (no cashier limits), `allow_over_credit_limit` records
    an account charge beyond the limit; the caller flags both. `catalogue_prices` (one per line,
    None for today's) are the catalogue price and tax rate the till's catalogue version held.
    `posting_shift`: the shift (locked by the caller) or None the sale posts to, instead of the
    user's open shift (an offline sale posts to the shift open when it was made).
    `allow_archived_and_blocked` sells archived products and lets a blocked customer's account be
    used (an offline sale made before the till learnt of it; the caller flags both).
    """
    request = _validate_request(request, allow_exchange_tender=allow_exchange_tender)
    fingerprint = _fingerprint(request)
    try:
        return _write_sale(
            user=user,
            request=request,
            fingerprint=fingerprint,
            fallback_shift_ids=fallback_shift_ids,
            trust_client_prices=trust_client_prices,
            allow_over_credit_limit=allow_over_credit_limit,
            catalogue_prices=catalogue_prices,
            posting_shift=posting_shift,
            allow_archived_and_blocked=allow_archived_and_blocked,
        )
    except (DomainError, _IdempotencyKeyTaken) as refusal:
        # Nothing was written. A key another sale already holds makes this a retry: answer with
        # that sale, whatever stopped this attempt (its INSERT, or stock sold since).
        existing = (
            Sale.objects.filter(idempotency_key=request.idempotency_key).first()
            if request.idempotency_key
            else None
        )
        if existing is None:
            if isinstance(refusal, _IdempotencyKeyTaken):  # the other sale rolled back meanwhile
                raise DomainError(ErrorCode.CONFLICT, "Please try again.", field="idempotencyKey") from None
            raise
    if existing.request_fingerprint != fingerprint:
        raise DomainError(
            SaleErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was already used for a different sale.",
            field="idempotencyKey",
        )
    return SaleResult(sale=existing, replayed=True)


class _IdempotencyKeyTaken(Exception):
    """The sale's INSERT found its idempotency key taken (by a sale committed meanwhile)."""


@transaction.atomic
def _write_sale(
    *,
    user,
    request: SaleRequest,
    fingerprint: str,
    fallback_shift_ids: tuple[int | None, ...],
    trust_client_prices: bool,
    allow_over_credit_limit: bool,
    catalogue_prices: Sequence[CataloguePrice | None] | None,
    posting_shift,
    allow_archived_and_blocked: bool,
) -> SaleResult:
    customer = _load_customer(request.customer_id)
    # The products and, in the same statement, the till setup token: where the sale happens
    # (location, registers) then comes from this process's copy, checked against it.
    products, setup_token = _load_products_and_setup(request)
    location = _load_location_cached(request.location_id, setup_token)
    # The cashier's open shift, locked before stock (lock order): a close waits for this sale.
    shift = posting_shift
    if shift is FIND_SHIFT:
        shift = till_services.shift_for_posting(
            user=user, location_id=location.pk, fallback_shift_ids=fallback_shift_ids, setup_token=setup_token
        )
    priced = _price(
        user=user,
        request=request,
        customer=customer,
        products=products,
        trust_client_prices=trust_client_prices,
        catalogue_prices=catalogue_prices,
        allow_archived_and_blocked=allow_archived_and_blocked,
    )

    movements: list = []
    deductions = stock_services.deduct_stock(
        user=user,
        location=location,
        requests=_stock_requests(request.items),
        reference_type=REFERENCE_TYPE,
        reference_id=None,
        products=products,
        savepoint=False,
        movements_out=movements,
        allow_archived=allow_archived_and_blocked,
    )
    ledger = []
    if customer is not None:
        ledger = customer_services.post_sale_to_account(
            user=user,
            customer=customer,
            credit_applied=priced.credit_applied,
            amount_on_account=priced.amount_on_account,
            credit_created=priced.credit_created,
            reference_type=REFERENCE_TYPE,
            write=False,
            enforce_credit_limit=not allow_over_credit_limit,
            allow_blocked=allow_archived_and_blocked,
        )

    # The year's number locks the counter row every till shares until COMMIT, so it is taken after
    # every other lock and rule: on PostgreSQL in the last round trip, together with the hot summary
    # rows (the sale is written under a placeholder until then); on SQLite, which has one writer at
    # a time anyway, in the sale's INSERT.
    number_at_commit = numbering.numbers_at_commit()
    sale = Sale(
        transaction_id=(
            numbering.provisional_transaction_id() if number_at_commit else numbering.next_transaction_id()
        ),
        sale_type=request.sale_type,
        status=SaleStatus.COMPLETED,
        customer=customer,
        location=location,
        cashier=user,
        prices_include_tax=priced.prices_include_tax,
        sale_discount_amount=priced.sale_discount,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        tax_total=priced.tax_total,
        total=priced.total,
        amount_paid=priced.amount_paid,
        change=priced.change,
        amount_on_account=priced.amount_on_account,
        credit_applied=priced.credit_applied,
        credit_created=priced.credit_created,
        note=check_length(request.note or "", limit=500, field="note"),
        idempotency_key=request.idempotency_key or None,
        request_fingerprint=fingerprint,
    )
    # The key's unique index is the idempotency lock: a concurrent sale with the same key waits here
    # for the first to commit, then writes nothing and is answered with the first (create_sale).
    if not inserts.insert([sale], skip_conflicts_on="idempotency_key" if sale.idempotency_key else None):
        raise _IdempotencyKeyTaken
    items, draws = _lines(sale, priced, {d.product_id: d for d in deductions}, products)
    payments = [
        Payment(sale=sale, method=p.method, amount=p.amount, reference=p.reference) for p in priced.payments
    ]
    # The sale's own rows go in one round trip at the end (on PostgreSQL with the number and the
    # summaries): nothing before COMMIT reads them back but the lines' ids.
    rows = [inserts.insert_statement(items)]
    if any(draws):
        rows.append(_draws_statement(sale.pk, draws))
    if payments:
        rows.append(inserts.insert_statement(payments))
    if movements:
        rows.append(
            stock_services.movements_statement(movements, reference_id=sale.pk, reference=sale.transaction_id)
        )
    if ledger:
        customer_services.write_ledger_entries(ledger, reference_id=sale.pk, reference=sale.transaction_id)
    till.post_sale(shift=shift, user=user, sale_id=sale.pk, priced=priced)
    then = summaries.sale_statements(sale, items, payments)
    if number_at_commit:
        written = numbering.number_written_sale(
            sale.pk,
            movements_reference_type=REFERENCE_TYPE,
            ledger_ids=[e.pk for e in ledger],
            before=rows,
            then=then,
            read_back=_lines_read_back(sale.pk),
        )
        sale.transaction_id = written[0][0]
        for row in (*movements, *ledger):
            row.reference = sale.transaction_id
    else:
        written = inserts.run_together([*rows, *then, _lines_read_back(sale.pk)])
    _mark_written(sale, items, [pk for _, pk in written], draws, payments)
    # The caller usually shows the sale it just made: hand it over complete, as `get_sale` would
    # load it, from the rows written above (re-reading them was a third of the request's time).
    set_prefetched(sale, "payments", payments)
    set_prefetched(sale, "returns", [])
    return SaleResult(sale=sale)


def _load_products_and_setup(request: SaleRequest) -> tuple[dict[int, Product], int | None]:
    products = product_selectors.get_products_by_ids(
        [line.product_id for line in request.items], with_till_setup_token=True
    )
    if not products:  # nothing to carry it (the sale is refused at pricing): read it alone
        return products, generations.read_token(generations.TILL_SETUP)
    return products, next(iter(products.values())).till_setup_token


def _load_location_cached(location_id: int | None, setup_token: int | None) -> Location:
    location = product_selectors.get_location_for_sale(location_id=location_id, token=setup_token)
    if location is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Location not found.", field="locationId")
    return location


def _lines(
    sale: Sale,
    priced: pricing.PricedSale,
    deductions: dict[int, stock_services.StockDeduction],
    products: dict[int, Product],
) -> tuple[list[SaleItem], list[list[SaleItemBatch]]]:
    """The sale's lines and each line's draws, unsaved."""
    # A product on several lines was deducted once: hand its draws out to the lines in order.
    remaining = {
        pid: [(d.batch, d.quantity, d.unit_cost) for d in ded.draws] for pid, ded in deductions.items()
    }
    items: list[SaleItem] = []
    draws: list[list[SaleItemBatch]] = []
    for line in priced.lines:
        deduction = deductions[line.product_id]
        item = SaleItem(
            sale=sale,
            line_number=line.index + 1,
            product=products[line.product_id],
            quantity=line.quantity,
            unit_price=line.unit_price,
            catalogue_unit_price=line.catalogue_unit_price,
            is_price_override=line.is_price_override,
            line_discount=line.line_discount,
            discount=line.discount,
            tax_rate=line.tax_rate,
            tax=line.tax,
            subtotal=line.subtotal,
            total=line.total,
            unit_cost=deduction.unit_cost,
        )
        items.append(item)
        draws.append(
            [
                SaleItemBatch(sale_item=item, batch=batch, quantity=qty, unit_cost=cost)
                for batch, qty, cost in _take(remaining[line.product_id], line.quantity)
            ]
        )
    return items, draws


def _draws_statement(sale_id: int, draws: list[list[SaleItemBatch]]) -> inserts.Statement:
    """The lines' draws, each naming its line by (sale, line number): the lines are written in the
    same round trip, so their ids are not known yet."""
    params: list = []
    for line_number, line_draws in enumerate(draws, start=1):
        for draw in line_draws:
            params += [sale_id, line_number, draw.batch_id, draw.quantity, draw.unit_cost]
    return _draws_sql(len(params) // 5), params


@lru_cache(maxsize=64)
def _draws_sql(count: int) -> str:
    qn = connection.ops.quote_name
    item_table = qn(SaleItem._meta.db_table)
    line = f"(SELECT id FROM {item_table} WHERE sale_id = %s AND line_number = %s)"
    return (
        f"INSERT INTO {qn(SaleItemBatch._meta.db_table)} (sale_item_id, batch_id, quantity, unit_cost) VALUES "
        + ", ".join([f"({line}, %s, %s, %s)"] * count)
    )


def _lines_read_back(sale_id: int) -> inserts.Statement:
    """The sale's transaction id (its number, once taken) with each line's id, in line order."""
    qn = connection.ops.quote_name
    items, sales = qn(SaleItem._meta.db_table), qn(Sale._meta.db_table)
    return (
        f"SELECT {sales}.transaction_id, {items}.id FROM {items} JOIN {sales} ON {sales}.id = {items}.sale_id"
        f" WHERE {items}.sale_id = %s ORDER BY {items}.line_number",
        [sale_id],
    )


def _mark_written(sale, items, item_ids, draws, payments) -> None:
    """Make the rows written by statement look as the ORM leaves saved rows: the lines with their
    ids (read back), every row bound to the database; the draws and payments keep no id (nothing
    shows one)."""
    alias = sale._state.db
    for item, pk, item_draws in zip(items, item_ids, draws, strict=True):
        item.pk = pk
        for draw in item_draws:
            draw.sale_item_id = pk
            draw._state.adding, draw._state.db = False, alias
        set_prefetched(item, "batches", item_draws)
    for row in (*items, *payments):
        row._state.adding, row._state.db = False, alias
    set_prefetched(sale, "items", items)


def _take(draws: list[tuple], quantity: Decimal) -> list[tuple]:
    """Remove `quantity` from the front of a product's draws (mutates `draws`)."""
    taken = []
    for i, (batch, qty, cost) in enumerate(draws):
        if quantity <= 0:
            break
        part = min(qty, quantity)
        if part > 0:
            taken.append((batch, part, cost))
            draws[i] = (batch, qty - part, cost)
            quantity -= part
    return taken


@transaction.atomic
def void_sale(*, user, sale_id: int, reason: str) -> Sale:
    """Void a completed sale: stock back with void movements, every account effect reversed.

    Locks the sale first (project lock order), then stock and customer rows via their services.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ErrorCode.REQUIRED, "Say why the sale is voided.", field="reason")
    sale = Sale.objects.select_for_update(of=("self",)).filter(pk=sale_id).first()
    if sale is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Sale not found.", field="id")
    if sale.status == SaleStatus.VOIDED:
        raise DomainError(
            SaleErrorCode.SALE_ALREADY_VOIDED, f"Sale {sale.transaction_id} is already voided.", field="id"
        )
    if sale.status != SaleStatus.COMPLETED:
        raise DomainError(
            "SALE_HAS_RETURNS",
            f"Sale {sale.transaction_id} has returns and can no longer be voided.",
            field="id",
        )
    # Money goes back out of a drawer: the sale's shift while open, else the voider's (lock order: sale, shift).
    till_services.post_reversal(
        user=user, location_id=sale.location_id, reference_type=REFERENCE_TYPE, reference_id=sale.pk
    )
    draws = list(
        SaleItemBatch.objects.filter(sale_item__sale=sale)
        .select_related("sale_item")
        .order_by("sale_item__product_id", "batch_id", "pk")
    )
    # return_stock locks one level per call: take them all first, in the project's order (level pk).
    stock_services.lock_levels(
        location_id=sale.location_id, product_ids=[draw.sale_item.product_id for draw in draws]
    )
    for draw in draws:
        stock_services.return_stock(
            user=user,
            location=sale.location,
            product_id=draw.sale_item.product_id,
            quantity=draw.quantity,
            batch_id=draw.batch_id,
            unit_cost=draw.unit_cost,
            movement_type="void",
            reference_type=REFERENCE_TYPE,
            reference_id=sale.pk,
            reference=sale.transaction_id,
        )
    if sale.customer_id is not None:
        _reverse_customer_account(user=user, sale=sale)
    sale.status = SaleStatus.VOIDED
    sale.voided_by = user
    sale.voided_at = clock.now()
    sale.void_reason = check_length(reason, limit=500, field="reason")
    sale.save(update_fields=["status", "voided_by", "voided_at", "void_reason", "updated_at"])
    summaries.record_void(sale)
    return sale


def _reverse_customer_account(*, user, sale: Sale) -> None:
    """Undo what the sale did to the customer's balance, as new ledger rows (the ledger is append-only)."""
    common = {
        "user": user,
        "customer_id": sale.customer_id,
        "reference_type": "void",
        "reference_id": sale.pk,
        "reference": sale.transaction_id,
    }
    # The sale raised the balance by what it charged and by the store credit it spent, and lowered it
    # by the credit it created; the void moves the balance back by that net amount.
    net_effect = sale.amount_on_account + sale.credit_applied - sale.credit_created
    if net_effect > 0:
        customer_services.credit_account(amount=net_effect, entry_type="void_reversal", **common)
    elif net_effect < 0:
        customer_services.adjust_balance(
            amount=-net_effect, reason=f"Void of {sale.transaction_id}", **common
        )
