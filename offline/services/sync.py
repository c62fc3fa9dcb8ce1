"""syncSales: offline sales handed over in batches, each exactly once, recorded as facts.

Each sale runs in its own transaction, so one refusal never undoes another, and is keyed by its
`clientId`: a replay answers the stored outcome. What a live sale would be refused for but an
offline one already did (stock the server does not show, a price that changed, a credit limit) is
recorded and flagged as a SyncException for a manager (offline.services.exceptions).
Protocol and codes: docs/OFFLINE.md, "Sale sync".
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import selectors as user_selectors
from offline.error_codes import OfflineErrorCode
from offline.models import Device, SaleSync, SyncException
from offline.prices import CatalogueVersion, prices_held
from offline.services.flags import flag_exceptions
from products import services as stock_services
from products.error_codes import ProductErrorCode
from products.models import Location
from products.selectors import get_default_location
from sales import idempotency
from sales import services as sale_services
from sales.choices import SaleType
from sales.offline import CataloguePrice, stamp_offline_sale
from sales.services import SaleRequest
from shared import clock, db_errors
from shared.errors import DomainError, ErrorCode, ErrorDetail, check_length
from tills import services as till_services

REFERENCE_TYPE = "sale_sync"
MAX_SEQUENCE = 2**31 - 1
MAX_GAPS_LISTED = 100


class SyncOutcomeCode(StrEnum):
    SYNCED = "SYNCED"
    SYNCED_WITH_EXCEPTIONS = "SYNCED_WITH_EXCEPTIONS"
    ALREADY_SYNCED = "ALREADY_SYNCED"
    REFUSED = "REFUSED"


@dataclass(frozen=True)
class SyncSaleRequest:
    """One offline sale: its identity on the device plus the createSale input it was rung up with."""

    client_id: uuid.UUID
    device_sequence: int
    sold_at: datetime
    device_receipt_number: str
    sale: SaleRequest | None  # None when the input could not be read (see `input_error`)
    catalogue_version: str = ""
    input_error: DomainError | None = None
    cashier_id: int | None = None  # who rang it up; None: the syncing user


@dataclass
class SyncOutcome:
    client_id: uuid.UUID
    device_sequence: int
    outcome: SyncOutcomeCode
    sale_sync: SaleSync | None = None
    errors: list[ErrorDetail] = field(default_factory=list)
    exceptions: list[SyncException] = field(default_factory=list)


@dataclass
class SyncBatchResult:
    outcomes: list[SyncOutcome]  # in the order of the input
    high_water_mark: int
    highest_sequence: int
    gaps: list[int]


def sync_sales(*, user, device: Device, sales: list[SyncSaleRequest]) -> SyncBatchResult:
    """Record a batch of offline sales in deviceSequence order, each in its own transaction.

    Not atomic on purpose: a sale that is refused (or a connection cut after it) leaves the ones
    before it recorded, and a resend of the whole batch records each remaining one exactly once.
    """
    if len(sales) > settings.POS_SYNC_MAX_BATCH:
        raise DomainError(
            OfflineErrorCode.BATCH_TOO_LARGE,
            f"Send at most {settings.POS_SYNC_MAX_BATCH} sales at a time.",
            field="sales",
        )
    outcomes: dict[int, SyncOutcome] = {}
    for index in sorted(range(len(sales)), key=lambda i: (sales[i].device_sequence, i)):
        outcomes[index] = _sync_guarded(user=user, device=device, request=sales[index], index=index)
    mark, highest, gaps = high_water_mark(device=device)
    return SyncBatchResult(
        outcomes=[outcomes[i] for i in range(len(sales))],
        high_water_mark=mark,
        highest_sequence=highest,
        gaps=gaps,
    )


def _sync_guarded(*, user, device: Device, request: SyncSaleRequest, index: int) -> SyncOutcome:
    refused = SyncOutcome(request.client_id, request.device_sequence, SyncOutcomeCode.REFUSED)
    try:
        return sync_sale(user=user, device=device, request=request)
    except DomainError as exc:
        refused.errors = [replace(e, field=_prefixed(index, e.field)) for e in exc.errors]
    except DatabaseError as exc:
        if not db_errors.is_retryable(exc):
            raise
        refused.errors = [
            ErrorDetail(ErrorCode.BUSY_TRY_AGAIN, db_errors.BUSY_MESSAGE, field=_prefixed(index, None))
        ]
    return refused


def _prefixed(index: int, name: str | None) -> str:
    return f"sales.{index}" + (f".{name}" if name else "")


def _fingerprint(request: SyncSaleRequest) -> str:
    payload = asdict(request.sale) if request.sale is not None else {}
    payload.pop("idempotency_key", None)
    payload["sync"] = {
        "device_sequence": request.device_sequence,
        "sold_at": request.sold_at.astimezone(UTC).isoformat(),
        "device_receipt_number": request.device_receipt_number,
        "catalogue_version": request.catalogue_version,
    }
    if request.cashier_id is not None:  # only when sent: sales held before it existed still replay
        payload["sync"]["cashier_id"] = request.cashier_id
    return idempotency.fingerprint(payload)


def _validate(request: SyncSaleRequest) -> SyncSaleRequest:
    if request.input_error is not None:
        raise request.input_error
    errors: list[ErrorDetail] = []
    if not 1 <= request.device_sequence <= MAX_SEQUENCE:
        errors.append(
            ErrorDetail(ErrorCode.OUT_OF_RANGE, "deviceSequence counts from 1 upwards.", "deviceSequence")
        )
    if request.sold_at is None or timezone.is_naive(request.sold_at):
        errors.append(ErrorDetail(ErrorCode.INVALID, "Send soldAt with its UTC offset.", "soldAt"))
    number = (request.device_receipt_number or "").strip()
    if not number:
        errors.append(
            ErrorDetail(
                ErrorCode.REQUIRED, "Send the receipt number the till printed.", "deviceReceiptNumber"
            )
        )
    try:
        check_length(number, limit=40, field="deviceReceiptNumber")
        check_length(request.catalogue_version or "", limit=64, field="catalogueVersion")
        if request.catalogue_version:
            CatalogueVersion.decode(request.catalogue_version)
    except DomainError as exc:
        errors.extend(exc.errors)
    if errors:
        raise DomainError.many(errors)
    return replace(request, device_receipt_number=number)


def _business_time(*, device: Device, sold_at: datetime, received_at: datetime) -> tuple[datetime, bool]:
    """The sale's time in reports, and whether the till's clock was out of bounds.

    A soldAt in the future, older than POS_SYNC_MAX_SALE_AGE_HOURS or before the device existed is
    a wrong clock, not a fact: the sale is dated when it arrived (kept as sent on the SaleSync row)
    rather than land in a day whose figures were already read.
    """
    tolerance = timedelta(minutes=settings.POS_SYNC_CLOCK_TOLERANCE_MINUTES)
    earliest = max(
        received_at - timedelta(hours=settings.POS_SYNC_MAX_SALE_AGE_HOURS), device.created_at - tolerance
    )
    if sold_at > received_at + tolerance or sold_at < earliest:
        return received_at, True
    return min(sold_at, received_at), False


def _replay(existing: SaleSync, *, device: Device, fingerprint: str) -> SyncOutcome:
    if existing.device_id != device.pk or existing.request_fingerprint != fingerprint:
        raise DomainError(
            OfflineErrorCode.CLIENT_ID_REUSED,
            "This clientId was already synced with a different sale.",
            field="clientId",
        )
    return SyncOutcome(
        existing.client_id,
        existing.device_sequence,
        SyncOutcomeCode.ALREADY_SYNCED,
        sale_sync=existing,
        exceptions=list(existing.exceptions.order_by("pk")),
    )


@transaction.atomic
def sync_sale(*, user, device: Device, request: SyncSaleRequest) -> SyncOutcome:
    """Record one offline sale once (a replay answers the stored outcome), flagging what a live
    sale would have been refused for.

    Locks, in the project order: the clientId and then the (device, deviceSequence) advisory locks
    (level 0, like createSale's idempotency key), the cashier's shift (1a), then inside create_sale
    the stock levels and batches (2), the customer (3) and the sale number (5). When create_sale
    finds too little stock, its savepoint is rolled back (releasing those rows), the shortage
    cover locks the same stock rows in the same order and puts in what is missing, and the sale
    is created again.
    """
    request = _validate(request)
    fingerprint = _fingerprint(request)
    idempotency.lock_key(f"sync-client:{request.client_id}")
    idempotency.lock_key(f"sync-sequence:{device.pk}:{request.device_sequence}")
    clashes = list(
        SaleSync.objects.filter(
            Q(client_id=request.client_id) | Q(device=device, device_sequence=request.device_sequence)
        )
    )
    for held in clashes:
        if held.client_id == request.client_id:
            return _replay(held, device=device, fingerprint=fingerprint)
    if clashes:
        raise DomainError(
            OfflineErrorCode.SEQUENCE_REUSED,
            f"Sequence {request.device_sequence} of this device is already held for another clientId.",
            field="deviceSequence",
        )

    sale_request = request.sale
    if sale_request.location_id is None:
        location_id = device.register.location_id if device.register_id else get_default_location().pk
        sale_request = replace(sale_request, location_id=location_id)
    sale_request = replace(sale_request, idempotency_key=None)  # the clientId is the key here
    received_at = clock.now()
    business_time, skewed = _business_time(device=device, sold_at=request.sold_at, received_at=received_at)
    cashier = _cashier(request.cashier_id, default=user)
    # The shift before any stock row (lock order), handed to create_sale.
    posting = till_services.shift_for_offline_sale(
        user=user,
        register_id=device.register_id,
        location_id=sale_request.location_id,
        sold_at=business_time,
    )
    sync = SaleSync(
        device=device,
        client_id=request.client_id,
        device_sequence=request.device_sequence,
        device_receipt_number=request.device_receipt_number,
        request_fingerprint=fingerprint,
        sold_at=request.sold_at,
        business_time=business_time,
        received_at=received_at,
        catalogue_version=request.catalogue_version or "",
        synced_by=user,
    )
    catalogue_prices = _catalogue_prices(request.catalogue_version, sale_request)
    covers: list[stock_services.ShortageCover] = []
    try:
        sale = _create_sale(
            user=cashier,
            request=sale_request,
            catalogue_prices=catalogue_prices,
            shift=posting.shift,
            business_time=business_time,
        )
    except DomainError as exc:
        # Shortages are rare: only then are the sale's stock rows locked twice. create_sale rolled
        # its own savepoint back (and released its stock locks) before raising.
        if exc.code != ProductErrorCode.INSUFFICIENT_STOCK:
            raise
        sync.save()  # its id names the shortage movements
        covers = stock_services.cover_shortages(
            user=user,
            location=_location(sale_request.location_id),
            requests=[
                stock_services.StockRequest(product_id=line.product_id, quantity=line.quantity)
                for line in sale_request.items
            ],
            reference_type=REFERENCE_TYPE,
            reference_id=sync.pk,
            include_archived=True,
        )
        sale = _create_sale(
            user=cashier,
            request=sale_request,
            catalogue_prices=catalogue_prices,
            shift=posting.shift,
            business_time=business_time,
        )
        stock_services.set_movement_reference(
            reference_type=REFERENCE_TYPE, reference_id=sync.pk, reference=sale.transaction_id
        )
    stamp_offline_sale(
        sale=sale, business_time=business_time, device_receipt_number=request.device_receipt_number
    )
    exceptions = flag_exceptions(sync=sync, sale=sale, covers=covers, skewed=skewed, posting=posting)
    sync.sale = sale
    sync.status = SaleSync.Status.SYNCED_WITH_EXCEPTIONS if exceptions else SaleSync.Status.SYNCED
    if sync.pk is None:
        sync.save()
    else:
        sync.save(update_fields=["sale", "status"])
    exceptions = SyncException.objects.bulk_create(exceptions)
    return SyncOutcome(
        request.client_id,
        request.device_sequence,
        SyncOutcomeCode(sync.status),
        sale_sync=sync,
        exceptions=exceptions,
    )


def _create_sale(*, user, request: SaleRequest, catalogue_prices, shift, business_time: datetime):
    # The clock reads the sale's business time while it is written, so everything dated by it (the
    # day its daily summary rows go to, the year of its number) is the day the till sold it;
    # stamp_offline_sale then dates the sale row itself the same way.
    with clock.pinned(business_time):
        return sale_services.create_sale(
            user=user,
            request=request,
            trust_client_prices=True,
            allow_over_credit_limit=True,
            catalogue_prices=catalogue_prices,
            posting_shift=shift,
            allow_archived_and_blocked=True,
        ).sale


def _cashier(cashier_id: int | None, *, default):
    """The user who rang the sale up. A deactivated one still counts: they sold it while active."""
    if cashier_id is None or cashier_id == default.pk:
        return default
    cashier = user_selectors.get_user(user_id=cashier_id)
    if cashier is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Cashier not found.", field="cashierId")
    return cashier


def _catalogue_prices(version: str, request: SaleRequest) -> list[CataloguePrice | None] | None:
    """Per line, the catalogue price the till's version held (None: today's, as without a version).

    Of the prices the till may have held (offline.prices), the newest one equal to the price it
    charged, so a price changed since is no mismatch; when none is equal, the newest it could have
    held, and the line is flagged. A line without unitPrice takes that newest one too.
    """
    if not version:
        return None
    held = prices_held(
        version=CatalogueVersion.decode(version), product_ids=[line.product_id for line in request.items]
    )
    wholesale = request.sale_type == SaleType.WHOLESALE
    prices: list[CataloguePrice | None] = []
    for line in request.items:
        candidates = [
            CataloguePrice(h.wholesale_price if wholesale else h.retail_price, h.tax_rate)
            for h in held.get(line.product_id, [])
        ]
        charged = _decimal_or_none(line.unit_price)
        matching = [c for c in candidates if c.unit_price == charged]
        prices.append((matching or candidates or [None])[0])
    return prices


def _decimal_or_none(value) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None  # create_sale refuses it with its own message


def _location(location_id: int) -> Location:
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Location not found.", field="locationId")
    return location


def high_water_mark(*, device: Device) -> tuple[int, int, list[int]]:
    """(highest contiguous deviceSequence held, highest held, the first missing numbers below it).

    Starts from the device's stored mark (only ever raised), so it reads only the sequences above it.
    """
    start = Device.objects.values_list("sync_high_water_mark", flat=True).get(pk=device.pk)
    held = list(
        SaleSync.objects.filter(device=device, device_sequence__gt=start)
        .order_by("device_sequence")
        .values_list("device_sequence", flat=True)
    )
    mark = start
    for sequence in held:
        if sequence != mark + 1:
            break
        mark = sequence
    gaps: list[int] = []
    previous = mark
    for sequence in held:
        if sequence <= mark:
            continue
        gaps.extend(range(previous + 1, min(sequence, previous + 1 + MAX_GAPS_LISTED - len(gaps))))
        previous = sequence
        if len(gaps) >= MAX_GAPS_LISTED:
            break
    if mark > start:
        Device.objects.filter(pk=device.pk, sync_high_water_mark__lt=mark).update(sync_high_water_mark=mark)
    return mark, (held[-1] if held else start), gaps


__all__ = [
    "SyncBatchResult",
    "SyncOutcome",
    "SyncOutcomeCode",
    "SyncSaleRequest",
    "high_water_mark",
    "sync_sale",
    "sync_sales",
]
