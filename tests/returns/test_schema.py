from decimal import Decimal

import pytest

from returns.models import Return
from tests.returns.test_services import sell
from tests.sales.helpers import stock_of

pytestmark = pytest.mark.django_db
D = Decimal
RESULT = "success message errors { field code message }"
CREATE = f"""mutation($input: CreateReturnInput!) {{ createReturn(input: $input) {{ {RESULT}
  return {{ id returnNumber status refundTotal items {{ quantity refundAmount restock }} }} }} }}"""
APPROVE = f"mutation($input: ApproveReturnInput!) {{ approveReturn(input: $input) {{ {RESULT} return {{ status cashRefundAmount }} }} }}"
REJECT = f"mutation($input: RejectReturnInput!) {{ rejectReturn(input: $input) {{ {RESULT} return {{ status decisionNote }} }} }}"
PENDING = "{ returns(status: PENDING, first: 10) { totalCount edges { node { returnNumber sale { transactionId } } } } }"


def request_return(client, sale, qty="1", method="CASH"):
    item = sale.items.get()
    variables = {
        "input": {
            "transactionId": sale.transaction_id,
            "items": [{"saleItemId": str(item.pk), "quantity": qty}],
            "refundMethod": method,
        }
    }
    return client(CREATE, variables).payload("createReturn")


def test_cashier_requests_manager_approves(as_cashier, as_manager, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "3")], [("cash", "30.00")])

    created = request_return(as_cashier, sale, "2")
    pending = as_manager(PENDING).payload("returns")
    approved = as_manager(APPROVE, {"input": {"id": created["return"]["returnNumber"]}}).payload(
        "approveReturn"
    )

    assert created["return"]["refundTotal"] == "20.00" and created["return"]["status"] == "PENDING"
    assert (
        pending["totalCount"] == 1
        and pending["edges"][0]["node"]["sale"]["transactionId"] == sale.transaction_id
    )
    assert approved["return"] == {"status": "APPROVED", "cashRefundAmount": "20.00"}
    assert stock_of(shop["soap"]) == D("49")


def test_cashier_cannot_approve_or_reject(as_cashier, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    created = request_return(as_cashier, sale)

    assert as_cashier(APPROVE, {"input": {"id": created["return"]["id"]}}).error_codes() == ["FORBIDDEN"]
    assert as_cashier(REJECT, {"input": {"id": created["return"]["id"], "reason": "x"}}).error_codes() == [
        "FORBIDDEN"
    ]
    assert Return.objects.get().status == "pending" and stock_of(shop["soap"]) == D("49")


def test_over_return_is_a_payload_error(as_cashier, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])

    result = request_return(as_cashier, sale, "2")

    assert result["success"] is False and result["errors"][0]["code"] == "RETURN_QUANTITY_EXCEEDED"
    assert result["errors"][0]["field"] == "items.0.quantity"
    assert Return.objects.count() == 0


def test_reject_with_reason(as_cashier, as_manager, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "1")], [("cash", "10.00")])
    created = request_return(as_cashier, sale)

    result = as_manager(
        REJECT, {"input": {"id": created["return"]["id"], "reason": "Opened packaging"}}
    ).payload("rejectReturn")

    assert result["return"] == {"status": "REJECTED", "decisionNote": "Opened packaging"}


def test_sale_lists_its_returns(as_cashier, as_manager, cashier, shop):
    sale = sell(cashier, [(shop["soap"], "2")], [("cash", "20.00")])
    request_return(as_cashier, sale)

    data = as_manager(
        "query($t: String!) { sale(transactionId: $t) { returns { returnNumber status } } }",
        {"t": sale.transaction_id},
    )

    assert data.payload("sale")["returns"] == [
        {"returnNumber": f"R-{sale.transaction_id}-1", "status": "PENDING"}
    ]
