"""Build a realistic shop fast: `python manage.py generate_data` (see bench/README.md).

Everything is computed in Python, in time order, with the same rules the services apply (sales are
priced by `sales.pricing.price_sale`, stock is drawn first-expiry-first-out and never from an
expired batch, costs follow the moving weighted average of `receive_stock_many`, every balance change
has its ledger row with a chained `balance_after`), and written in bulk: `COPY` on PostgreSQL,
`executemany` on SQLite. Primary keys are allocated here (above the tables' current maxima) and the
sequences are reset at the end, so the result can be extended by the real services afterwards.
"""

from __future__ import annotations

import io
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dtime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from customers.models import Customer, CustomerLedgerEntry, CustomerPayment
from products.models import Batch, Category, Location, Product, StockLevel, StockMovement, Supplier
from returns.models import Return, ReturnItem
from sales import pricing
from sales.choices import SaleStatus, SaleType
from sales.models import Payment, Sale, SaleItem, SaleItemBatch, SaleSequence
from sales.numbering import format_transaction_id
from sales.summary_rebuild import rebuild_summaries

ZERO = Decimal("0.00")
QZERO = Decimal("0.000")
CENT = Decimal("0.01")
COST_STEP = Decimal("0.0001")
FLUSH_ROWS = 20_000

ADJECTIVES = [
    "Fresh",
    "Golden",
    "Royal",
    "Sunny",
    "Classic",
    "Premium",
    "Natural",
    "Crispy",
    "Creamy",
    "Spicy",
    "Sweet",
    "Pure",
    "Family",
    "Mega",
]
NOUNS = [
    "Rice",
    "Beans",
    "Flour",
    "Sugar",
    "Salt",
    "Milk",
    "Tea",
    "Coffee",
    "Soap",
    "Detergent",
    "Biscuits",
    "Noodles",
    "Oil",
    "Tomato",
    "Paste",
    "Juice",
    "Water",
    "Bread",
    "Butter",
    "Cheese",
    "Yoghurt",
    "Cereal",
    "Oats",
    "Honey",
    "Jam",
    "Sardines",
    "Corned-Beef",
    "Spaghetti",
    "Toothpaste",
    "Shampoo",
    "Lotion",
    "Tissue",
    "Candles",
    "Matches",
    "Batteries",
    "Pepper",
    "Onions",
    "Groundnut",
    "Plantain-Chips",
    "Malt",
    "Soda",
]
SIZES = ["100g", "250g", "500g", "1kg", "2kg", "5kg", "330ml", "500ml", "1L", "5L", "pack", "carton"]
CATEGORIES = [
    "Grains",
    "Beverages",
    "Dairy",
    "Household",
    "Personal care",
    "Snacks",
    "Canned food",
    "Condiments",
    "Bakery",
    "Baby care",
    "Frozen",
    "Stationery",
]


def _cost(value: Decimal) -> Decimal:
    return value.quantize(COST_STEP, rounding=ROUND_HALF_UP)


@dataclass
class Options:
    products: int = 1000
    customers: int = 200
    days: int = 365
    sales_per_day: int = 300
    seed: int = 1
    void_rate: float = 0.005
    return_rate: float = 0.01


class Writer:
    """Buffers rows per model and writes them with COPY (PostgreSQL) or executemany (SQLite)."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.rows: dict[type, list] = defaultdict(list)
        self.meta: dict[type, tuple] = {}
        self.next_pk: dict[type, int] = {}
        self.written: dict[type, int] = defaultdict(int)

    def _meta(self, model):
        if model not in self.meta:
            fields = [f for f in model._meta.concrete_fields]
            defaults = {}
            for f in fields:
                if f.has_default():
                    defaults[f.attname] = f.get_default()
                elif f.null:
                    defaults[f.attname] = None
                elif getattr(f, "blank", False) and f.get_internal_type() in ("CharField", "TextField"):
                    defaults[f.attname] = ""
            self.meta[model] = (fields, defaults)
        return self.meta[model]

    def pk(self, model) -> int:
        if model not in self.next_pk:
            self.next_pk[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        value = self.next_pk[model]
        self.next_pk[model] = value + 1
        return value

    def add(self, model, **values) -> int:
        fields, defaults = self._meta(model)
        if "id" not in values:
            values["id"] = self.pk(model)
        row = []
        for f in fields:
            if f.attname in values:
                row.append(values[f.attname])
            else:
                row.append(defaults[f.attname])
        buf = self.rows[model]
        if len(buf) >= FLUSH_ROWS:
            self.flush(model)
            buf = self.rows[model]
        buf.append(row)
        return values["id"]

    def flush(self, model=None) -> None:
        # Foreign keys are DEFERRABLE INITIALLY DEFERRED (both backends): any order works in one transaction.
        for m in [model] if model is not None else list(self.rows):
            rows = self.rows.get(m)
            if rows:
                self._write(m, rows)
                self.written[m] += len(rows)
                self.rows[m] = []

    def _write(self, model, rows) -> None:
        fields, _ = self._meta(model)
        table = model._meta.db_table
        cols = [f.column for f in fields]
        with connection.cursor() as cursor:
            if self.pg:
                out = io.StringIO()
                table_text = _PG_TEXT
                for row in rows:
                    out.write("\t".join([table_text.get(type(v), _pg_text)(v) for v in row]))
                    out.write("\n")
                out.seek(0)
                raw = cursor.cursor  # psycopg2 cursor under Django's wrapper
                raw.copy_expert(f"COPY {table} ({', '.join(cols)}) FROM STDIN", out)
            else:
                prepped = [
                    [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                    for row in rows
                ]
                placeholders = ", ".join(["%s"] * len(cols))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders})", prepped
                )


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


_PG_TEXT = {
    type(None): lambda v: r"\N",
    bool: lambda v: "t" if v else "f",
    int: str,
    Decimal: str,
    datetime: datetime.isoformat,
    str: _escape,
    dict: lambda v: _escape(json.dumps(v)),
}


def _pg_text(value) -> str:
    convert = _PG_TEXT.get(type(value))
    return convert(value) if convert is not None else _escape(str(value))


class Progress:
    def __init__(self, total: int, out):
        self.total, self.out, self.done = total, out, 0
        self.started = time.monotonic()
        self.last = 0.0

    def step(self, n: int = 1, label: str = "") -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last < 0.5 and self.done < self.total:
            return
        self.last = now
        frac = self.done / self.total if self.total else 1
        bar = "#" * int(frac * 30)
        rate = self.done / max(now - self.started, 1e-6)
        self.out.write(f"\r[{bar:<30}] {frac:6.1%} {self.done}/{self.total} days  {rate:,.1f}/s {label}")
        self.out.flush()

    def finish(self) -> None:
        self.out.write("\n")


class ShopGenerator:
    def __init__(self, options: Options, stdout=None):
        self.o = options
        self.out = stdout or sys.stdout
        self.rng = random.Random(options.seed)
        self.w = Writer()
        self.tz = timezone.get_current_timezone()
        self.stats: dict[str, int] = defaultdict(int)

    # --- setup ------------------------------------------------------------------------------------

    def _user(self):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        user = User.objects.filter(username="bench-cashier").first()
        if user is None:
            user = User.objects.create_user(username="bench-cashier", password=None)
        return user

    def _locations(self):
        shop = Location.objects.filter(is_default=True).first()
        if shop is None:
            shop = Location.objects.create(name="Main shop", kind=Location.Kind.SHOP, is_default=True)
        room, _ = Location.objects.get_or_create(
            name="Bench stock room", defaults={"kind": Location.Kind.STOCK_ROOM}
        )
        return shop, room

    def _catalogue(self, now):
        rng, o = self.rng, self.o
        cats = []
        for name in CATEGORIES:
            cat, _ = Category.objects.get_or_create(name=f"Bench {name}")
            cats.append(cat.pk)
        sups = []
        for i in range(8):
            sup, _ = Supplier.objects.get_or_create(
                name=f"Bench supplier {i + 1}", defaults={"phone": f"0800{i:07d}"}
            )
            sups.append(sup.pk)
        self.products = []
        for _ in range(o.products):
            pk = self.w.pk(Product)
            cost = _cost(Decimal(rng.uniform(0.4, 60)))
            retail = (cost * Decimal(rng.uniform(1.15, 1.6))).quantize(CENT)
            wholesale = max((cost * Decimal("1.08")).quantize(CENT), (retail * Decimal("0.9")).quantize(CENT))
            wholesale = min(wholesale, retail)
            tracked = rng.random() < 0.3
            tax = Decimal("0.0750") if rng.random() < 0.4 else Decimal("0.0000")
            name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(SIZES)} #{pk}"
            self.w.add(
                Product,
                id=pk,
                sku=f"GEN-{pk:07d}",
                barcode=f"29{pk:011d}",
                name=name,
                category_id=rng.choice(cats),
                supplier_id=rng.choice(sups),
                retail_price=retail,
                wholesale_price=wholesale,
                cost_price=cost,  # the final moving average is written at the end
                tax_rate=tax,
                reorder_level=Decimal("10.000"),
                track_batches=tracked,
                attributes={},
                created_at=now,
                updated_at=now,
            )
            self.products.append(
                {
                    "id": pk,
                    "cost": cost,
                    "retail": retail,
                    "wholesale": wholesale,
                    "tax": tax,
                    "tracked": tracked,
                }
            )
        self.w.flush(Product)
        # Popularity: a long tail (a few products sell a lot).
        weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(self.products))]
        order = list(range(len(self.products)))
        rng.shuffle(order)
        self.popular = [self.products[i] for i in order]
        total = 0.0
        self.cum = []
        for wgt in weights:
            total += wgt
            self.cum.append(total)

    def _customers(self, now):
        rng = self.rng
        self.customers = []
        for _ in range(self.o.customers):
            pk = self.w.pk(Customer)
            wholesale = rng.random() < 0.2
            limit = (
                Decimal(rng.choice([100_000, 250_000, 500_000, 1_000_000]))
                if wholesale
                else Decimal(rng.choice([0, 0, 5_000, 20_000, 50_000]))
            )
            self.w.add(
                Customer,
                id=pk,
                name=f"{'Wholesale' if wholesale else 'Customer'} {pk}",
                phone=f"+234700{pk:07d}",  # E.164, as customers.phones stores numbers
                customer_type=Customer.Type.WHOLESALE if wholesale else Customer.Type.RETAIL,
                credit_limit=limit,
                balance=ZERO,  # final balance written at the end
                status=Customer.Status.ACTIVE,
                created_at=now,
                updated_at=now,
            )
            self.customers.append({"id": pk, "wholesale": wholesale, "limit": limit, "balance": ZERO})
        self.w.flush(Customer)

    # --- ledgers ------------------------------------------------------------------------------------

    def _post(
        self, customer, amount: Decimal, entry_type: str, ref_type: str, ref_id, ref: str, when, note=""
    ):
        customer["balance"] += amount
        return self.w.add(
            CustomerLedgerEntry,
            customer_id=customer["id"],
            entry_type=entry_type,
            amount=amount,
            balance_after=customer["balance"],
            user_id=self.user_id,
            reference_type=ref_type,
            reference_id=ref_id,
            reference=ref[:64],
            note=note,
            created_at=when,
        )

    def _move(self, product, location_id, batch, movement_type, qty, unit_cost, ref_type, ref_id, ref, when):
        key = (product["id"], location_id)
        self.level[key] = self.level.get(key, QZERO) + qty
        if batch is not None:
            batch["qty"] += qty
        self.w.add(
            StockMovement,
            product_id=product["id"],
            location_id=location_id,
            batch_id=None if batch is None else batch["id"],
            movement_type=movement_type,
            quantity=qty,
            affects_stock=True,
            balance_after=self.level[key],
            unit_cost=unit_cost,
            user_id=self.user_id,
            reason="",
            reference_type=ref_type,
            reference_id=ref_id,
            reference=ref[:100],
            created_at=when,
        )

    def _receive(self, product, location_id, qty: Decimal, cost: Decimal, when) -> None:
        """Same arithmetic as receive_stock_many (moving average over every location)."""
        pid = product["id"]
        on_hand = self.on_hand[pid]
        product["cost"] = (
            cost if on_hand <= 0 else _cost((on_hand * product["cost"] + qty * cost) / (on_hand + qty))
        )
        self.on_hand[pid] = on_hand + qty
        batch = None
        if product["tracked"]:
            bid = self.w.pk(Batch)
            expiry = (when + timedelta(days=self.rng.randint(120, 720))).date()
            batch = {
                "id": bid,
                "pid": pid,
                "loc": location_id,
                "number": f"B{bid}",
                "expiry": expiry,
                "cost": cost,
                "qty": QZERO,
                "received": when,
            }
            self.batches[bid] = batch
            if location_id == self.shop_id:
                self.usable[pid].append(batch)
                self.usable[pid].sort(key=lambda b: (b["expiry"], b["id"]))
        self._move(product, location_id, batch, "receipt", qty, cost, "receipt", None, "", when)
        self.stats["receipts"] += 1

    # --- main ---------------------------------------------------------------------------------------

    def run(self) -> dict:
        o, rng = self.o, self.rng
        started = time.monotonic()
        today = timezone.localdate()
        first_day = today - timedelta(days=o.days)
        opening = timezone.make_aware(datetime.combine(first_day - timedelta(days=1), dtime(7, 0)), self.tz)
        with transaction.atomic():
            self.user_id = self._user().pk
            shop, room = self._locations()
            self.shop_id, self.room_id = shop.pk, room.pk
            self._catalogue(opening)
            self._customers(opening)
            self.level: dict[tuple, Decimal] = {}
            self.on_hand: dict[int, Decimal] = defaultdict(Decimal)
            self.batches: dict[int, dict] = {}
            self.usable: dict[int, list] = defaultdict(list)
            # Opening stock, sized from each product's share of the expected demand.
            total_w = self.cum[-1]
            lines_expected = o.days * o.sales_per_day * 2.6 * 2.5
            for rank, product in enumerate(self.popular):
                share = (self.cum[rank] - (self.cum[rank - 1] if rank else 0.0)) / total_w
                want = int(lines_expected * share * 0.4) + rng.randint(20, 60)
                product["restock"] = Decimal(max(want, 24))
                self._receive(product, self.shop_id, product["restock"], product["cost"], opening)
                self._receive(product, self.room_id, Decimal(rng.randint(10, 100)), product["cost"], opening)
            self.sequences = dict(SaleSequence.objects.values_list("year", "last_number"))
            progress = Progress(o.days, self.out)
            for day in range(o.days):
                self._day(first_day + timedelta(days=day))
                progress.step(1, f"{self.stats['lines']:,} lines")
            progress.finish()
            self._finish()
        self.stats["seconds"] = round(time.monotonic() - started, 1)
        return dict(self.stats)

    def _day(self, date) -> None:
        o, rng = self.o, self.rng
        open_at = timezone.make_aware(datetime.combine(date, dtime(8, 0)), self.tz)
        times = sorted(rng.uniform(0, 12 * 3600) for _ in range(o.sales_per_day))
        for seconds in times:
            self._sale(open_at + timedelta(seconds=seconds))
        # Some customers pay into their account at closing time.
        close = open_at + timedelta(hours=12, minutes=5)
        for customer in self.customers:
            if customer["balance"] > 0 and rng.random() < 0.08:
                amount = (customer["balance"] * Decimal(rng.choice(["1", "0.5", "0.3"]))).quantize(CENT)
                if amount <= 0:
                    continue
                pay_id = self.w.pk(CustomerPayment)
                entry = self._post(customer, -amount, "payment", "payment", pay_id, "", close)
                self.w.add(
                    CustomerPayment,
                    id=pay_id,
                    customer_id=customer["id"],
                    amount=amount,
                    method=rng.choice(["cash", "transfer", "card"]),
                    user_id=self.user_id,
                    ledger_entry_id=entry,
                    created_at=close,
                )
                self.stats["customer_payments"] += 1

    def _pick_products(self, n: int) -> list[dict]:
        picked: dict[int, dict] = {}
        for product in self.rng.choices(self.popular, cum_weights=self.cum, k=n * 2):
            picked.setdefault(product["id"], product)
            if len(picked) == n:
                break
        return list(picked.values())

    def _available(self, product, today) -> Decimal:
        level = self.level.get((product["id"], self.shop_id), QZERO)
        if product["tracked"]:
            in_batches = sum((b["qty"] for b in self.usable[product["id"]] if b["expiry"] >= today), QZERO)
            return min(level, in_batches)
        return level

    def _sale(self, when) -> None:
        o, rng = self.o, self.rng
        today = when.astimezone(self.tz).date()
        customer = None
        if rng.random() < 0.35 and self.customers:
            customer = rng.choice(self.customers)
        wholesale = customer is not None and customer["wholesale"]
        n_lines = rng.choices([1, 2, 3, 4, 5], weights=[30, 25, 20, 15, 10])[0]
        products = self._pick_products(n_lines)
        lines = []
        for product in products:
            qty = Decimal(rng.randint(6, 24) if wholesale else rng.choices([1, 2, 3, 4], [60, 25, 10, 5])[0])
            # Restock (a delivery just before the sale) when the shelf would run short.
            while self._available(product, today) < qty:
                self._receive(
                    product,
                    self.shop_id,
                    product["restock"],
                    _cost(product["cost"] * Decimal(rng.uniform(0.95, 1.06))),
                    when - timedelta(minutes=1),
                )
            discount = ZERO
            if rng.random() < 0.03:
                discount = (product["retail"] * qty * Decimal("0.05")).quantize(CENT)
            lines.append(
                pricing.PricedLineInput(
                    product_id=product["id"],
                    quantity=qty,
                    catalogue_unit_price=product["wholesale"] if wholesale else product["retail"],
                    tax_rate=product["tax"],
                    line_discount=discount,
                )
            )
        cart = pricing.price_cart(lines, prices_include_tax=settings.PRICES_INCLUDE_TAX)
        total = cart.total
        tenders, keep_change = self._tenders(total, customer)
        credit_available = max(ZERO, -customer["balance"]) if customer else ZERO
        # What pricing.price_sale does, without pricing the cart a second time.
        tender = pricing.settle_payments(
            total,
            tenders,
            keep_change_as_credit=keep_change,
            has_customer=customer is not None,
            customer_store_credit_available=credit_available,
        )
        priced = pricing.PricedSale(
            lines=cart.lines,
            prices_include_tax=cart.prices_include_tax,
            sale_discount=cart.sale_discount,
            subtotal=cart.subtotal,
            discount_total=cart.discount_total,
            tax_total=cart.tax_total,
            total=cart.total,
            payments=tender.payments,
            amount_paid=tender.amount_paid,
            change=tender.change,
            amount_on_account=tender.amount_on_account,
            credit_applied=tender.credit_applied,
            credit_created=tender.credit_created,
        )
        year = today.year
        number = self.sequences.get(year, 0) + 1
        self.sequences[year] = number
        tid = format_transaction_id(year, number)
        sale_id = self.w.pk(Sale)
        voided = rng.random() < o.void_rate and priced.credit_created == 0
        returned = not voided and customer is None and rng.random() < o.return_rate
        return_index = rng.randrange(len(priced.lines)) if returned else None
        status, void_at = SaleStatus.COMPLETED, None
        if voided:
            status, void_at = SaleStatus.VOIDED, when + timedelta(minutes=4)
        elif returned:
            status = SaleStatus.RETURNED if len(priced.lines) == 1 else SaleStatus.PARTIALLY_RETURNED
        self.w.add(
            Sale,
            id=sale_id,
            transaction_id=tid,
            sale_type=SaleType.WHOLESALE if wholesale else SaleType.RETAIL,
            status=status,
            voided_by_id=self.user_id if voided else None,
            voided_at=void_at,
            void_reason="Customer changed their mind" if voided else "",
            customer_id=customer["id"] if customer else None,
            location_id=self.shop_id,
            cashier_id=self.user_id,
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
            idempotency_key=None,
            request_fingerprint="",
            created_at=when,
            updated_at=void_at or (when + timedelta(hours=2) if returned else when),
        )
        by_id = {p["id"]: p for p in products}
        item_draws = []
        # deduct_stock: product order for the movements (one request per product), FEFO draws.
        draws_by_product = {}
        for line in sorted(priced.lines, key=lambda ln: ln.product_id):
            product = by_id[line.product_id]
            draws = []
            if product["tracked"]:
                remaining = line.quantity
                for batch in self.usable[product["id"]]:
                    if remaining == 0:
                        break
                    if batch["expiry"] < today or batch["qty"] <= 0:
                        continue
                    take = min(batch["qty"], remaining)
                    remaining -= take
                    draws.append((batch, take, batch["cost"]))
            else:
                draws.append((None, line.quantity, product["cost"]))
            for batch, take, cost in draws:
                self._move(product, self.shop_id, batch, "sale", -take, cost, "sale", sale_id, tid, when)
            self.on_hand[product["id"]] -= line.quantity
            total_cost = sum((take * cost for _b, take, cost in draws), Decimal("0"))
            draws_by_product[product["id"]] = (_cost(total_cost / line.quantity), draws)
        for line in priced.lines:
            unit_cost, draws = draws_by_product[line.product_id]
            item_id = self.w.add(
                SaleItem,
                sale_id=sale_id,
                line_number=line.index + 1,
                product_id=line.product_id,
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
                unit_cost=unit_cost,
            )
            for batch, take, cost in draws:
                self.w.add(
                    SaleItemBatch,
                    sale_item_id=item_id,
                    batch_id=None if batch is None else batch["id"],
                    quantity=take,
                    unit_cost=cost,
                )
            item_draws.append((item_id, line, draws))
            self.stats["lines"] += 1
        for p in priced.payments:
            self.w.add(
                Payment,
                sale_id=sale_id,
                method=p.method,
                amount=p.amount,
                reference=p.reference,
                created_at=when,
            )
        if customer is not None:
            if priced.credit_applied > 0:
                self._post(customer, priced.credit_applied, "store_credit_used", "sale", sale_id, tid, when)
            if priced.amount_on_account > 0:
                self._post(customer, priced.amount_on_account, "sale_charge", "sale", sale_id, tid, when)
            if priced.credit_created > 0:
                self._post(customer, -priced.credit_created, "overpayment_credit", "sale", sale_id, tid, when)
        self.stats["sales"] += 1

        if voided:
            self._void(sale_id, tid, customer, priced, item_draws, by_id, void_at)
        elif returned:
            self._return(sale_id, tid, item_draws[return_index], by_id, when + timedelta(hours=2))

    def _tenders(self, total: Decimal, customer) -> tuple[list[pricing.TenderInput], bool]:
        tenders = self._pick_tenders(total, customer)
        keep = customer is not None and tenders[0].method == "cash" and tenders[0].amount > total
        return tenders, keep and self.rng.random() < 0.5

    def _pick_tenders(self, total: Decimal, customer) -> list[pricing.TenderInput]:
        rng = self.rng
        T = pricing.TenderInput
        if total <= 0:
            return [T("cash", ZERO)]
        r = rng.random()
        if customer is not None:
            credit = max(ZERO, -customer["balance"])
            room = customer["limit"] - max(customer["balance"], ZERO)
            if credit > 0 and r < 0.5:
                used = min(credit, total)
                rest = total - used
                return [T("store_credit", used)] + ([T("card", rest)] if rest > 0 else [])
            if room >= total and r < 0.45:
                return [T("credit", total)]
            if room >= total and r < 0.6:
                part = (total * Decimal("0.4")).quantize(CENT)
                return [T("card", part), T("credit", total - part)]
            if r < 0.65:
                # Overpaid in cash; the change is kept as store credit.
                return [T("cash", (total / 500).to_integral_value(rounding="ROUND_CEILING") * 500 or total)]
        if r < 0.5:
            tendered = (total / 100).to_integral_value(rounding="ROUND_CEILING") * 100
            return [T("cash", max(tendered, total))]
        if r < 0.78:
            return [T("card", total)]
        if r < 0.88:
            return [T("transfer", total)]
        cash = (total * Decimal("0.3")).quantize(CENT)
        return [T("cash", cash), T("card", total - cash)]

    def _void(self, sale_id, tid, customer, priced, item_draws, by_id, when) -> None:
        moves = [
            (line.product_id, batch, take, cost)
            for _i, line, draws in item_draws
            for batch, take, cost in draws
        ]
        moves.sort(key=lambda m: (m[0], m[1]["id"] if m[1] else 0))
        for pid, batch, take, cost in moves:
            self._move(by_id[pid], self.shop_id, batch, "void", take, cost, "sale", sale_id, tid, when)
            self.on_hand[pid] += take
        if customer is not None:
            net = priced.amount_on_account + priced.credit_applied - priced.credit_created
            if net > 0:
                self._post(customer, -net, "void_reversal", "void", sale_id, tid, when)
        self.stats["voids"] += 1

    def _return(self, sale_id, tid, item_draw, by_id, when) -> None:
        item_id, line, draws = item_draw
        ret_id = self.w.pk(Return)
        number = f"R-{tid}-1"
        self.w.add(
            Return,
            id=ret_id,
            return_number=number,
            sale_id=sale_id,
            customer_id=None,
            status=Return.Status.APPROVED,
            refund_method=Return.RefundMethod.CASH,
            refund_total=line.total,
            cash_refund_amount=line.total,
            requested_by_id=self.user_id,
            decided_by_id=self.user_id,
            decided_at=when,
            created_at=when,
            updated_at=when,
        )
        self.w.add(
            ReturnItem,
            return_request_id=ret_id,
            sale_item_id=item_id,
            quantity=line.quantity,
            reason="Damaged packaging",
            restock=True,
            refund_amount=line.total,
        )
        product = by_id[line.product_id]
        for batch, take, cost in sorted(draws, key=lambda d: d[0]["id"] if d[0] else 0):
            self._move(product, self.shop_id, batch, "return", take, cost, "return", ret_id, number, when)
            self.on_hand[product["id"]] += take
        self.stats["returns"] += 1

    def _finish(self) -> None:
        w = self.w
        # Stock levels, batches and balances as the ledgers leave them (rows not yet written).
        for (pid, loc), qty in self.level.items():
            w.add(StockLevel, product_id=pid, location_id=loc, quantity=qty, updated_at=timezone.now())
        w.flush(StockLevel)
        for b in self.batches.values():
            w.add(
                Batch,
                id=b["id"],
                product_id=b["pid"],
                location_id=b["loc"],
                batch_number=b["number"],
                expiry_date=b["expiry"],
                unit_cost=b["cost"],
                quantity=b["qty"],
                received_at=b["received"],
            )
        w.flush()
        with connection.cursor() as cursor:
            # Final moving averages and balances in two set-based updates.
            self._bulk_set(cursor, Product, "cost_price", [(p["id"], p["cost"]) for p in self.products])
            # The balance as the sum of its ledger, computed by the database (on SQLite the sum is a float,
            # and check_ledgers compares it with the stored balance exactly).
            ids = [c["id"] for c in self.customers]
            customer_t, ledger_t = Customer._meta.db_table, CustomerLedgerEntry._meta.db_table
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cursor.execute(
                    f"UPDATE {customer_t} SET balance = COALESCE((SELECT SUM(amount) FROM {ledger_t} l "
                    f"WHERE l.customer_id = {customer_t}.id), 0) WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
            for sql in connection.ops.sequence_reset_sql(
                no_style(),
                [
                    Product,
                    Customer,
                    Batch,
                    StockLevel,
                    StockMovement,
                    Sale,
                    SaleItem,
                    SaleItemBatch,
                    Payment,
                    Return,
                    ReturnItem,
                    CustomerLedgerEntry,
                    CustomerPayment,
                ],
            ):
                cursor.execute(sql)
        for year, last in self.sequences.items():
            SaleSequence.objects.update_or_create(year=year, defaults={"last_number": last})
        # The daily summaries the services keep, computed once from what was just written.
        self.stats["summary_rows"] = rebuild_summaries()
        self.stats["movements"] = w.written[StockMovement]
        self.stats["ledger_entries"] = w.written[CustomerLedgerEntry]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _bulk_set(self, cursor, model, column, pairs) -> None:
        table = model._meta.db_table
        for start in range(0, len(pairs), 500):
            chunk = pairs[start : start + 500]
            cases = " ".join("WHEN %s THEN %s" for _ in chunk)
            params = [v for pk, value in chunk for v in (pk, str(value))]
            ids = [pk for pk, _ in chunk]
            cursor.execute(
                f"UPDATE {table} SET {column} = CAST(CASE id {cases} END AS NUMERIC) "
                f"WHERE id IN ({', '.join(['%s'] * len(ids))})",
                params + ids,
            )
