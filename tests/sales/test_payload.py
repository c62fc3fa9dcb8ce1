"""createSale answers from the rows it has just written: the answer must equal a fresh read."""

import pytest

pytestmark = pytest.mark.django_db

SALE_FIELDS = """id transactionId status saleType subtotal discountTotal taxTotal total amountPaid change
  amountOnAccount creditApplied creditCreated customerBalance note createdAt voidedAt voidReason
  customer { name balance } location { name } cashier { username } voidedBy { username }
  items { id lineNumber quantity unitPrice cataloguePrice: catalogueUnitPrice lineDiscount discount taxRate
          tax subtotal total isPriceOverride product { name sku }
          batches { quantity batch { batchNumber expiryDate quantity location { name } } } }
  payments { method amount reference createdAt }
  returns { returnNumber }"""
CREATE = f"""mutation($input: SaleInput!) {{ createSale(input: $input) {{ success errors {{ code message }}
  sale {{ {SALE_FIELDS} }} }} }}"""
READ = f"query($t: String!) {{ sale(transactionId: $t) {{ {SALE_FIELDS} }} }}"


@pytest.mark.parametrize(
    "payments",
    [
        [{"method": "cash", "amount": "500.00"}],
        [
            {"method": "card", "amount": "20.00", "reference": "slip 7"},
            {"method": "credit", "amount": "48.38"},
        ],
    ],
    ids=["cash-with-change", "card-and-account"],
)
def test_create_sale_answer_equals_a_fresh_read(as_cashier, shop, payments):
    variables = {
        "input": {
            "customerId": str(shop["regular"].pk),
            "items": [
                {"productId": str(shop["rice"].pk), "quantity": "1.5", "discount": "1.00"},
                {"productId": str(shop["syrup"].pk), "quantity": "2"},
                {"productId": str(shop["soap"].pk), "quantity": "1"},
                {"productId": str(shop["rice"].pk), "quantity": "1"},
            ],
            "payments": payments,
            "discount": "0.50",
            "note": "till 2",
        }
    }

    created = as_cashier(CREATE, variables).payload("createSale")

    assert created["success"], created
    fresh = as_cashier(READ, {"t": created["sale"]["transactionId"]}).data["sale"]
    assert created["sale"] == fresh
    assert len(fresh["items"]) == 4 and fresh["items"][1]["batches"]  # the batch draws are there too


def test_sale_number_is_on_every_row_the_sale_wrote(as_cashier, shop):
    from customers.models import CustomerLedgerEntry
    from products.models import StockMovement
    from sales.models import Sale

    variables = {
        "input": {
            "customerId": str(shop["regular"].pk),
            "items": [{"productId": str(shop["soap"].pk), "quantity": "2"}],
            "payments": [{"method": "credit", "amount": "20.00"}],
        }
    }

    created = as_cashier(CREATE, variables).payload("createSale")

    number = created["sale"]["transactionId"]
    sale = Sale.objects.get(transaction_id=number)
    assert number.startswith("S20")
    assert list(
        StockMovement.objects.filter(reference_type="sale", reference_id=sale.pk).values_list(
            "reference", flat=True
        )
    ) == [number]
    assert list(
        CustomerLedgerEntry.objects.filter(reference_type="sale", reference_id=sale.pk).values_list(
            "reference", flat=True
        )
    ) == [number]
    assert not StockMovement.objects.filter(reference__startswith="PENDING").exists()


def test_asking_for_the_batches_drawn_costs_no_extra_query(as_cashier, shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plain = "mutation($input: SaleInput!) { createSale(input: $input) { success sale { transactionId } } }"

    def sale(query):
        variables = {
            "input": {
                "items": [{"productId": str(shop["syrup"].pk), "quantity": "2"}],
                "payments": [{"method": "cash", "amount": "100.00"}],
            }
        }
        with CaptureQueriesContext(connection) as captured:
            assert as_cashier(query, variables).payload("createSale")["success"]
        return len(captured)

    sale(plain)  # the year's first sale creates its counter

    assert sale(CREATE) == sale(plain)
